/* test-cluster.c — [cluster] in the key file and on the command line; a Redis that is not
 * Redis (or unreachable) gives one log line per outage, retries, and never crashes
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-config.h"
#include "crier-server-options.h"
#include "crier-test-utils.h"

#define APP_SECTION "[app:a]\nkey=k\nsecret=s\n"

static CrierConfig *
load (const char *text,
      GError    **error)
{
  g_autoptr (CrierConfig) config = crier_config_new ();

  if (!crier_config_load_data (config, text, "test.conf", error))
    return NULL;
  return g_steal_pointer (&config);
}

static void
test_defaults (void)
{
  g_autoptr (CrierConfig) config = load (APP_SECTION, NULL);
  const CrierClusterSettings *cluster = crier_config_get_cluster_settings (config);

  /* Without [cluster], no Redis. */
  g_assert_null (cluster->redis);
  g_assert_cmpstr (cluster->prefix, ==, "crier");
  g_assert_cmpuint (cluster->node_timeout, ==, 10000);
  g_assert_cmpuint (cluster->heartbeat_interval, ==, 2000);
  g_assert_false (cluster->reuse_port);
}

static void
test_section (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CrierConfig) config = load (APP_SECTION "[cluster]\nredis=redis://:pw@10.0.0.5:6380/2\n"
                                                     "prefix=eu-1\nnode-timeout=5000\n"
                                                     "heartbeat-interval=1000\nreuse-port=true\n",
                                         &error);
  const CrierClusterSettings *cluster;

  g_assert_no_error (error);
  cluster = crier_config_get_cluster_settings (config);
  g_assert_cmpstr (cluster->redis, ==, "redis://:pw@10.0.0.5:6380/2");
  g_assert_cmpstr (cluster->prefix, ==, "eu-1");
  g_assert_cmpuint (cluster->node_timeout, ==, 5000);
  g_assert_cmpuint (cluster->heartbeat_interval, ==, 1000);
  g_assert_true (cluster->reuse_port);
}

typedef struct
{
  const char *name;
  const char *section;
  const char *message; /* a part of the error */
} BadCase;

static const BadCase bad_cases[] = {
  { "no-redis", "[cluster]\nprefix=x\n", "[cluster] redis: missing" },
  { "empty-redis", "[cluster]\nredis=\n", "[cluster] redis: missing" },
  { "http-url", "[cluster]\nredis=http://127.0.0.1/\n", "is not a redis://" },
  { "no-host", "[cluster]\nredis=redis:///0\n", "is not a redis://" },
  { "bad-db", "[cluster]\nredis=redis://127.0.0.1:6379/x\n", "not a database number" },
  { "unix-relative", "[cluster]\nredis=unix://run/redis.sock\n", "absolute socket path" },
  { "unix-bad-param", "[cluster]\nredis=unix:///run/r.sock?dbx=1\n", "unknown parameter" },
  { "prefix", "[cluster]\nredis=redis://h\nprefix=a b\n", "[cluster] prefix:" },
  { "prefix-empty", "[cluster]\nredis=redis://h\nprefix=\n", "[cluster] prefix:" },
  { "timeouts", "[cluster]\nredis=redis://h\nnode-timeout=1000\nheartbeat-interval=600\n",
    "at least twice heartbeat-interval" },
  { "interval", "[cluster]\nredis=redis://h\nheartbeat-interval=5\n", "at least 10" },
  { "unknown-key", "[cluster]\nredis=redis://h\nnodes=3\n", "[cluster] nodes: unknown key" },
  { "reuse-port", "[cluster]\nredis=redis://h\nreuse-port=maybe\n", "not true or false" },
};

static void
test_bad (gconstpointer data)
{
  const BadCase   *bad = data;
  g_autofree char *text = g_strconcat (APP_SECTION, bad->section, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (CrierConfig) config = load (text, &error);

  g_assert_null (config);
  g_assert_error (error, CRIER_CONFIG_ERROR, CRIER_CONFIG_ERROR_INVALID);
  if (strstr (error->message, bad->message) == NULL)
    g_error ("“%s” does not say “%s”", error->message, bad->message);
}

static void
test_unix_url (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CrierConfig) config = load (APP_SECTION "[cluster]\n"
                                                     "redis=unix:///run/redis/redis.sock?db=3&password=p%40ss\n",
                                         &error);

  g_assert_no_error (error);
  g_assert_cmpstr (crier_config_get_cluster_settings (config)->redis, ==,
                   "unix:///run/redis/redis.sock?db=3&password=p%40ss");
}

/* The command line wins over the file, through the one option table. */
static void
test_options (void)
{
  g_auto (CrierServerOptions) options = { 0 };
  g_autoptr (CrierConfig) config = load (APP_SECTION "[cluster]\nredis=redis://a\n", NULL);
  g_autoptr (GError) error = NULL;
  const CrierClusterSettings *cluster;

  options.cluster_redis = g_strdup ("unix:///tmp/r.sock");
  options.cluster_prefix = g_strdup ("p2");
  options.cluster_node_timeout = g_strdup ("3000");
  options.cluster_heartbeat_interval = g_strdup ("500");
  options.reuse_port = TRUE;
  g_assert_false (crier_server_options_is_empty (&options));
  g_assert_true (crier_server_options_apply (&options, config, &error));
  g_assert_no_error (error);
  cluster = crier_config_get_cluster_settings (config);
  g_assert_cmpstr (cluster->redis, ==, "unix:///tmp/r.sock");
  g_assert_cmpstr (cluster->prefix, ==, "p2");
  g_assert_cmpuint (cluster->node_timeout, ==, 3000);
  g_assert_cmpuint (cluster->heartbeat_interval, ==, 500);
  g_assert_true (cluster->reuse_port);
}

static void
test_options_bad (void)
{
  const char *const bad[][2] = {
    { "--cluster-redis", "http://x" },
    { "--cluster-prefix", "a/b" },
    { "--cluster-node-timeout", "0" },
    { "--cluster-heartbeat-interval", "ten" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto (CrierServerOptions) options = { 0 };
      g_autoptr (GError) error = NULL;

      if (i == 0)
        options.cluster_redis = g_strdup (bad[i][1]);
      else if (i == 1)
        options.cluster_prefix = g_strdup (bad[i][1]);
      else if (i == 2)
        options.cluster_node_timeout = g_strdup (bad[i][1]);
      else
        options.cluster_heartbeat_interval = g_strdup (bad[i][1]);
      g_assert_false (crier_server_options_check (&options, &error));
      g_assert_error (error, CRIER_SERVER_OPTIONS_ERROR, CRIER_SERVER_OPTIONS_ERROR_CLUSTER);
    }
}

/* Log lines of the cluster area, counted instead of printed (GTest would abort on a
 * warning: here a warning is what is tested). */
static unsigned cluster_warnings;

static GLogWriterOutput
count_writer (GLogLevelFlags   level,
              const GLogField *fields,
              gsize            n_fields,
              gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN") && fields[i].length == -1 &&
        g_str_equal (fields[i].value, "crier-cluster"))
      {
        if (level & G_LOG_LEVEL_WARNING)
          cluster_warnings++;
        return G_LOG_WRITER_HANDLED;
      }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

typedef struct
{
  unsigned   connections;
  gboolean   silent; /* accept, read, never answer */
  GPtrArray *held;
} Impostor;

static gboolean
impostor_incoming_cb (GSocketService    *service,
                      GSocketConnection *connection,
                      GObject           *source,
                      gpointer           user_data)
{
  Impostor   *impostor = user_data;
  const char *answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";

  impostor->connections++;
  if (impostor->silent)
    {
      g_ptr_array_add (impostor->held, g_object_ref (connection));
      return TRUE;
    }
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), answer,
                             strlen (answer), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

/* An HTTP server where Redis should be (or one that never answers): the node keeps serving,
 * says so once, retries with back-off, and reports Redis down. */
static void
test_not_redis (gconstpointer data)
{
  gboolean silent = GPOINTER_TO_INT (data);
  Impostor impostor = { 0, silent, g_ptr_array_new_with_free_func (g_object_unref) };
  g_autoptr (GSocketService) service = g_socket_service_new ();
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) effective = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr (CrierTestServer) server = NULL;
  unsigned wanted = silent ? 2 : 4;

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (impostor_incoming_cb), &impostor);
  g_socket_service_start (service);
  text = g_strdup_printf ("[app:" CRIER_TEST_APP_ID "]\nkey=" CRIER_TEST_APP_KEY
                          "\nsecret=" CRIER_TEST_APP_SECRET "\n"
                          "[cluster]\nredis=redis://127.0.0.1:%u/0\n"
                          "heartbeat-interval=100\nnode-timeout=1000\n",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  cluster_warnings = 0;
  server = crier_test_server_new (text);
  g_assert_cmpstr (crier_server_get_node_id (server->server), !=, NULL);
  /* Two connections per attempt (commands and bus): several attempts, then it still runs. */
  crier_test_wait_until (impostor.connections >= wanted && cluster_warnings >= 1, 15);
  g_assert_true (crier_server_is_running (server->server));
  g_assert_false (crier_server_is_redis_connected (server->server));
  g_assert_cmpuint (crier_server_count_cluster_nodes (server->server), ==, 0);
  g_assert_cmpuint (cluster_warnings, ==, 1); /* one line per outage */
  g_socket_service_stop (service);
  g_clear_pointer (&server, crier_test_server_free);
  g_ptr_array_unref (impostor.held);
}

/* Nothing listens where Redis should be: refused connects, one line; when something
 * listens there, the retries reach it (still the same outage: still one line). */
static void
test_refused (void)
{
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GSocketService) service = g_socket_service_new ();
  g_autoptr (CrierTestServer) server = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  Impostor         impostor = { 0, FALSE, g_ptr_array_new_with_free_func (g_object_unref) };

  /* A port that was free a moment ago and is closed now: connects are refused. */
  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  text = g_strdup_printf ("[app:a]\nkey=k\nsecret=s\n[cluster]\nredis=redis://127.0.0.1:%u\n",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);
  cluster_warnings = 0;
  server = crier_test_server_new (text);
  crier_test_wait_until (cluster_warnings >= 1, 10);
  g_assert_true (crier_server_is_running (server->server));
  g_assert_false (crier_server_is_redis_connected (server->server));

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), bound, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (impostor_incoming_cb), &impostor);
  g_socket_service_start (service);
  crier_test_wait_until (impostor.connections >= 2, 15);
  g_assert_cmpuint (cluster_warnings, ==, 1);
  g_socket_service_stop (service);
  g_clear_pointer (&server, crier_test_server_free);
  g_ptr_array_unref (impostor.held);
}

/* Without [cluster]: no node, no cluster gauges on /metrics. */
static void
test_no_cluster (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new ("[app:a]\nkey=k\nsecret=s\n");

  g_assert_null (crier_server_get_node_id (server->server));
  g_assert_false (crier_server_is_redis_connected (server->server));
  g_assert_cmpuint (crier_server_count_cluster_nodes (server->server), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (count_writer, NULL, NULL);

  g_test_add_func ("/cluster/config/defaults", test_defaults);
  g_test_add_func ("/cluster/config/section", test_section);
  g_test_add_func ("/cluster/config/unix-url", test_unix_url);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cluster/config/bad/%s", bad_cases[i].name);

      g_test_add_data_func (path, &bad_cases[i], test_bad);
    }
  g_test_add_func ("/cluster/options/apply", test_options);
  g_test_add_func ("/cluster/options/bad", test_options_bad);
  g_test_add_func ("/cluster/redis/none", test_no_cluster);
  g_test_add_func ("/cluster/redis/refused", test_refused);
  g_test_add_data_func ("/cluster/redis/not-redis", GINT_TO_POINTER (FALSE), test_not_redis);
  g_test_add_data_func ("/cluster/redis/silent", GINT_TO_POINTER (TRUE), test_not_redis);
  return g_test_run ();
}
