/* test-monitor-endpoint.c — /monitor/{app_id}: a snapshot, then the monitor stream of that
 * app only; the dashboard's commands; every refusal; a monitor that does not read
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-test-utils.h"

#define CONFIG                                                                                 \
  "[app:" CRIER_TEST_APP_ID "]\nkey = " CRIER_TEST_APP_KEY "\nsecret = " CRIER_TEST_APP_SECRET \
  "\nclient-events = true\n"                                                                   \
  "[app:other]\nkey = other-key\nsecret = other-secret\n"

static unsigned nonce_counter;

/* A monitor connection of app_id signed with key/secret at timestamp (0: now). */
static char *
monitor_path (const char *app_id,
              const char *key,
              const char *secret,
              gint64      timestamp)
{
  g_autofree char *path = g_strdup_printf ("/monitor/%s", app_id);
  g_autofree char *nonce = g_strdup_printf ("%u-%d", ++nonce_counter, g_random_int ());
  const char      *params[] = { "auth_nonce", nonce, NULL };
  g_autofree char *query = crier_test_sign_query ("GET", path, key, secret, NULL,
                                                  timestamp ? timestamp : g_get_real_time () / G_USEC_PER_SEC,
                                                  params);

  return g_strdup_printf ("%s?%s", path, query);
}

static CrierTestClient *
open_monitor (CrierTestServer *server,
              const char      *app_id,
              const char      *key,
              const char      *secret)
{
  g_autofree char *path = monitor_path (app_id, key, secret, 0);

  return crier_test_client_open (server, path, NULL);
}

static JsonObject *
expect_data (CrierTestClient *client,
             const char      *event)
{
  g_autoptr (JsonObject) message = crier_test_client_next (client);

  g_assert_cmpstr (json_object_get_string_member (message, "event"), ==, event);
  return json_object_ref (json_object_get_object_member (message, "data"));
}

/* The next crier:monitor event of kind, skipping others. */
static JsonObject *
expect_monitor (CrierTestClient *client,
                const char      *kind)
{
  for (;;)
    {
      g_autoptr (JsonObject) message = crier_test_client_next (client);
      JsonObject *data;

      g_assert_cmpstr (json_object_get_string_member (message, "event"), ==, "crier:monitor");
      data = json_object_get_object_member (message, "data");
      if (g_str_equal (json_object_get_string_member (data, "kind"), kind))
        return json_object_ref (data);
    }
}

static JsonObject *
find_named (JsonArray  *array,
            const char *member,
            const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (object, member, NULL), value) == 0)
        return object;
    }
  return NULL;
}

static void
test_snapshot_then_stream (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autoptr (CrierTestClient) ada = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autoptr (CrierTestClient) stranger = crier_test_client_connect (server, "other-key");
  g_autofree char                    *ada_data = crier_test_member_data ("\"7\"", "Ada");
  g_autoptr (JsonObject) joined       G_GNUC_UNUSED = crier_test_client_subscribe_signed (ada, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET,
                                                                                          "presence-room", ada_data);
  g_autoptr (JsonObject) other_joined G_GNUC_UNUSED = crier_test_client_subscribe (stranger, "their-news", NULL, NULL);
  g_autoptr (CrierTestClient) monitor = open_monitor (server, CRIER_TEST_APP_ID, CRIER_TEST_APP_KEY,
                                                      CRIER_TEST_APP_SECRET);
  g_autoptr (JsonObject) snapshot = expect_data (monitor, "crier:snapshot");
  JsonArray  *connections = json_object_get_array_member (snapshot, "connections");
  JsonArray  *channels = json_object_get_array_member (snapshot, "channels");
  JsonObject *connection = find_named (connections, "socket_id", ada->socket_id);
  JsonObject *room = find_named (channels, "name", "presence-room");
  JsonObject *member;
  g_autoptr (JsonObject) published = NULL;

  /* This app only: Ada's socket and room, not the other app's. */
  g_assert_cmpstr (json_object_get_string_member (snapshot, "app_id"), ==, CRIER_TEST_APP_ID);
  g_assert_cmpuint (json_array_get_length (connections), ==, 1);
  g_assert_nonnull (connection);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (connection, "channels"), 0), ==,
                   "presence-room");
  g_assert_null (find_named (channels, "name", "their-news"));
  g_assert_nonnull (room);
  g_assert_cmpint (json_object_get_int_member (room, "user_count"), ==, 1);
  member = json_array_get_object_element (json_object_get_array_member (room, "members"), 0);
  g_assert_cmpstr (json_object_get_string_member (member, "user_id"), ==, "7");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (member, "user_info"), "name"), ==, "Ada");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (snapshot, "stats"), "connections"), ==, 1);
  g_assert_false (json_object_has_member (snapshot, "cluster")); /* no [cluster] */

  /* Then the stream, in the JSON of --log-format=json; the other app's events never come. */
  crier_test_client_sync (stranger);
  g_assert_true (crier_server_publish (server->server, "other", (const char *const[]){ "their-news", NULL },
                                       "hidden", "{}", NULL, NULL));
  crier_test_publish (server, "presence-room", "shown", "{\"n\":1}", NULL);
  published = expect_monitor (monitor, "event_published");
  g_assert_cmpstr (json_object_get_string_member (published, "event"), ==, "shown");
  g_assert_cmpstr (json_object_get_string_member (published, "app_id"), ==, CRIER_TEST_APP_ID);
  crier_test_client_free (g_steal_pointer (&stranger));
  crier_test_client_sync (ada);
  crier_test_client_send (monitor, "{\"event\":\"pusher:ping\",\"data\":{}}");
  for (;;)
    {
      g_autoptr (JsonObject) message = crier_test_client_next (monitor);
      const char *event = json_object_get_string_member (message, "event");

      if (g_str_equal (event, "pusher:pong"))
        break;
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (message, "data"), "app_id"), ==,
                       CRIER_TEST_APP_ID);
    }
}

static void
send_command (CrierTestClient *monitor,
              const char      *id,
              const char      *fields)
{
  crier_test_client_sendf (monitor, "{\"event\":\"crier:command\",\"data\":{\"id\":\"%s\",%s}}", id, fields);
}

/* The crier:result of command id; returns its error or NULL. */
static char *
expect_result (CrierTestClient *monitor,
               const char      *id)
{
  for (;;)
    {
      g_autoptr (JsonObject) message = crier_test_client_next (monitor);
      JsonObject *data = json_object_get_object_member (message, "data");

      if (!g_str_equal (json_object_get_string_member (message, "event"), "crier:result"))
        continue;
      g_assert_cmpstr (json_object_get_string_member_with_default (data, "id", NULL), ==, id);
      if (json_object_get_boolean_member (data, "ok"))
        return NULL;
      return g_strdup (json_object_get_string_member (data, "error"));
    }
}

static void
test_commands (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autoptr (CrierTestClient) ada = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autoptr (CrierTestClient) stranger = crier_test_client_connect (server, "other-key");
  g_autoptr (JsonObject) joined G_GNUC_UNUSED = crier_test_client_subscribe_signed (ada, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET,
                                                                                    "private-App.Models.User.7", NULL);
  g_autofree char              *room_data = crier_test_member_data ("\"7\"", "Ada");
  g_autoptr (JsonObject) room   G_GNUC_UNUSED = crier_test_client_subscribe_signed (ada, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET,
                                                                                    "presence-room", room_data);
  g_autoptr (CrierTestClient) monitor = open_monitor (server, CRIER_TEST_APP_ID, CRIER_TEST_APP_KEY,
                                                      CRIER_TEST_APP_SECRET);
  g_autoptr (JsonObject) snapshot = expect_data (monitor, "crier:snapshot");
  g_autoptr (JsonObject) message = NULL;
  g_autofree char *error = NULL;

  send_command (monitor, "1", "\"command\":\"publish\",\"channel\":\"private-App.Models.User.7\",\"name\":\"OrderShipped\",\"data\":{\"id\":4}");
  g_assert_null (expect_result (monitor, "1"));
  message = crier_test_client_expect (ada, "OrderShipped", "private-App.Models.User.7");
  crier_test_assert_data_string (message, "{\"id\":4}");
  g_clear_pointer (&message, json_object_unref);

  send_command (monitor, "2", "\"command\":\"notify\",\"user_id\":\"7\",\"type\":\"App\\\\Notifications\\\\InvoicePaid\",\"data\":{\"amount\":3}");
  g_assert_null (expect_result (monitor, "2"));
  message = crier_test_client_expect (ada, "Illuminate\\Notifications\\Events\\BroadcastNotificationCreated",
                                      "private-App.Models.User.7");
  g_clear_pointer (&message, json_object_unref);

  send_command (monitor, "3", "\"command\":\"add_member\",\"channel\":\"presence-room\",\"user_id\":\"99\",\"user_info\":{\"name\":\"Sim\"}");
  g_assert_null (expect_result (monitor, "3"));
  message = crier_test_client_expect (ada, "pusher_internal:member_added", "presence-room");
  g_clear_pointer (&message, json_object_unref);
  send_command (monitor, "4", "\"command\":\"client_event\",\"channel\":\"presence-room\",\"event\":\"client-typing\",\"user_id\":\"99\",\"data\":{}");
  g_assert_null (expect_result (monitor, "4"));
  message = crier_test_client_expect (ada, "client-typing", "presence-room");
  g_clear_pointer (&message, json_object_unref);
  send_command (monitor, "5", "\"command\":\"remove_member\",\"channel\":\"presence-room\",\"user_id\":\"99\"");
  g_assert_null (expect_result (monitor, "5"));
  message = crier_test_client_expect (ada, "pusher_internal:member_removed", "presence-room");
  g_clear_pointer (&message, json_object_unref);

  /* Refused commands say why; another app's socket is out of reach. */
  send_command (monitor, "6", "\"command\":\"publish\",\"channel\":\"bad name!\",\"name\":\"x\"");
  g_assert_nonnull ((error = expect_result (monitor, "6")));
  g_clear_pointer (&error, g_free);
  /* Commands missing a field they need (found by fuzz-monitor: notify without type). */
  send_command (monitor, "6b", "\"command\":\"notify\",\"user_id\":\"7\"");
  error = expect_result (monitor, "6b");
  g_assert_cmpstr (error, ==, "notify needs \"type\" (a string)");
  g_clear_pointer (&error, g_free);
  send_command (monitor, "6c", "\"command\":\"add_member\",\"user_id\":\"1\"");
  error = expect_result (monitor, "6c");
  g_assert_cmpstr (error, ==, "add_member needs \"channel\" (a string)");
  g_clear_pointer (&error, g_free);
  send_command (monitor, "6d", "\"command\":\"client_event\",\"channel\":\"presence-room\",\"event\":7");
  error = expect_result (monitor, "6d");
  g_assert_cmpstr (error, ==, "client_event needs \"event\" (a string)");
  g_clear_pointer (&error, g_free);
  send_command (monitor, "7", "\"command\":\"reboot\"");
  error = expect_result (monitor, "7");
  g_assert_nonnull (strstr (error, "Unknown command 'reboot'"));
  g_clear_pointer (&error, g_free);
  {
    g_autofree char *fields = g_strdup_printf ("\"command\":\"disconnect\",\"socket_id\":\"%s\"", stranger->socket_id);

    send_command (monitor, "8", fields);
    error = expect_result (monitor, "8");
    g_assert_nonnull (strstr (error, "No open connection"));
    g_clear_pointer (&error, g_free);
  }
  crier_test_client_send (monitor, "{not json");
  error = expect_result (monitor, NULL);
  g_assert_nonnull (error);
  g_clear_pointer (&error, g_free);

  /* Disconnect: the socket closes with 4200, as from the dashboard. */
  {
    g_autofree char *fields = g_strdup_printf ("\"command\":\"disconnect\",\"socket_id\":\"%s\"", ada->socket_id);

    send_command (monitor, "9", fields);
    g_assert_null (expect_result (monitor, "9"));
    crier_test_client_wait_closed (ada);
    g_assert_cmpuint (ada->close_code, ==, 4200);
  }
  crier_test_client_sync (stranger); /* the other app's client is untouched */
}

typedef struct
{
  const char *name;
  const char *app_id;
  const char *key;
  const char *secret;
  gint64      timestamp_offset;
  guint16     code;
  const char *message_start;
} Refusal;

static const Refusal refusals[] = {
  { "unknown-app", "nope", CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET, 0, 4001, "Unknown app 'nope'" },
  { "wrong-secret", CRIER_TEST_APP_ID, CRIER_TEST_APP_KEY, "not-the-secret", 0, 4009, "Invalid signature" },
  { "other-app-key", CRIER_TEST_APP_ID, "other-key", "other-secret", 0, 4009, NULL },
  { "stale", CRIER_TEST_APP_ID, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET, -3600, 4009, "Timestamp expired" },
};

static void
assert_refused (CrierTestServer *server,
                const char      *path,
                guint16          code,
                const char      *message_start)
{
  g_autoptr (CrierTestClient) monitor = crier_test_client_open (server, path, NULL);
  g_autofree char *message = crier_test_client_expect_error (monitor, code);

  if (message_start != NULL)
    g_assert_true (g_str_has_prefix (message, message_start));
  crier_test_client_wait_closed (monitor);
  g_assert_cmpuint (monitor->close_code, ==, code);
}

static void
test_refusal (gconstpointer data)
{
  const Refusal *refusal = data;
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autofree char *path = monitor_path (refusal->app_id, refusal->key, refusal->secret,
                                        g_get_real_time () / G_USEC_PER_SEC + refusal->timestamp_offset);

  assert_refused (server, path, refusal->code, refusal->message_start);
}

static void
test_unsigned_and_replayed (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autofree char *path = monitor_path (CRIER_TEST_APP_ID, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET, 0);
  g_autoptr (CrierTestClient) first = crier_test_client_open (server, path, NULL);
  g_autoptr (JsonObject) snapshot = expect_data (first, "crier:snapshot");

  assert_refused (server, "/monitor/" CRIER_TEST_APP_ID, 4009, "Missing query parameter auth_key");
  /* The same signed URL a second time: a replay. */
  assert_refused (server, path, 4009, "Replayed signature");
}

/* A monitor that reads nothing while 5000 events of 1 KiB happen: the server queues about
 * 1 MiB for it, skips the rest, then says how many it missed and sends a fresh snapshot. */
static void
test_slow_monitor (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autoptr (CrierTestClient) monitor = open_monitor (server, CRIER_TEST_APP_ID, CRIER_TEST_APP_KEY,
                                                      CRIER_TEST_APP_SECRET);
  g_autoptr (JsonObject) first = expect_data (monitor, "crier:snapshot");
  g_autofree char *payload = g_strdup_printf ("{\"padding\":\"%0*d\"}", 1024, 0);
  const guint      total = 5000;
  guint            streamed = 0;
  gint64           missed = -1;

  /* No main loop iteration in between: nothing is written to the monitor meanwhile. */
  for (guint i = 0; i < total; i++)
    crier_test_publish (server, "news", "tick", payload, NULL);
  while (missed < 0)
    {
      g_autoptr (JsonObject) message = crier_test_client_next (monitor);
      const char *event = json_object_get_string_member (message, "event");

      if (g_str_equal (event, "crier:monitor"))
        streamed++;
      else if (g_str_equal (event, "crier:missed"))
        missed = json_object_get_int_member (json_object_get_object_member (message, "data"), "count");
    }
  g_test_message ("streamed %u, missed %" G_GINT64_FORMAT " of %u", streamed, missed, total);
  g_assert_cmpuint (streamed + missed, ==, total);
  /* Bounded by the backlog (1 MiB, events of ~1.3 KiB), not by the burst. */
  g_assert_cmpuint (streamed, <, 1100);
  g_assert_cmpint (missed, >, 0);
  {
    g_autoptr (JsonObject) fresh = expect_data (monitor, "crier:snapshot");

    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (fresh, "stats"), "events_published"),
                     ==, total);
  }
  /* Caught up: the stream goes on. */
  crier_test_publish (server, "news", "after", "{}", NULL);
  {
    g_autoptr (JsonObject) after = expect_monitor (monitor, "event_published");

    g_assert_cmpstr (json_object_get_string_member (after, "event"), ==, "after");
  }
}

static gboolean
count_nodes (CrierServer *server,
             unsigned     nodes)
{
  return crier_server_count_cluster_nodes (server) == nodes;
}

/* [cluster]: the snapshot carries the node's "cluster" object, and every app's monitor gets
 * the node's cluster events (they have no app), with the same object as details. */
static void
test_cluster (void)
{
  g_autoptr (CrierTestRedis) redis = crier_test_redis_new ();
  g_autofree char *config = NULL;
  g_autoptr (CrierTestServer) server = NULL;
  g_autoptr (CrierTestServer) second = NULL;
  g_autoptr (CrierTestClient) monitor = NULL;
  g_autoptr (CrierTestClient) other = NULL;
  g_autoptr (JsonObject) snapshot = NULL;
  g_autoptr (JsonObject) other_snapshot = NULL;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (JsonObject) other_event = NULL;
  JsonObject *cluster;

  if (redis == NULL)
    {
      g_test_skip ("redis-server not found");
      return;
    }
  crier_test_redis_start (redis);
  config = g_strdup_printf (CONFIG "[cluster]\nredis = %s\nheartbeat-interval = 100\n"
                                   "node-timeout = 5000\n",
                            redis->url);
  server = crier_test_server_new (config);
  monitor = open_monitor (server, CRIER_TEST_APP_ID, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET);
  other = open_monitor (server, "other", "other-key", "other-secret");
  snapshot = expect_data (monitor, "crier:snapshot");
  other_snapshot = expect_data (other, "crier:snapshot");
  cluster = json_object_get_object_member (snapshot, "cluster");
  g_assert_nonnull (cluster);
  g_assert_cmpstr (json_object_get_string_member (cluster, "node_id"), ==, crier_server_get_node_id (server->server));
  g_assert_cmpstr (json_object_get_string_member (cluster, "redis"), ==, redis->url);
  g_assert_cmpstr (json_object_get_string_member (cluster, "prefix"), ==, "crier");
  g_assert_true (json_object_has_member (cluster, "nodes"));
  g_assert_true (json_object_has_member (cluster, "redis_connected"));
  g_assert_true (json_object_has_member (other_snapshot, "cluster"));

  /* A second node joins: "2 nodes alive". */
  crier_test_wait_until (count_nodes (server->server, 1), CRIER_TEST_TIMEOUT);
  second = crier_test_server_new (config);
  crier_test_wait_until (count_nodes (server->server, 2), CRIER_TEST_TIMEOUT);
  do
    g_clear_pointer (&event, json_object_unref);
  while (json_object_get_int_member_with_default (event = expect_monitor (monitor, "cluster"), "count", 0) != 2);
  do
    g_clear_pointer (&other_event, json_object_unref);
  while (json_object_get_int_member_with_default (other_event = expect_monitor (other, "cluster"), "count", 0) != 2);
  g_assert_false (json_object_has_member (event, "app_id"));
  g_assert_false (json_object_has_member (event, "channel"));
  cluster = json_object_get_object_member (event, "details");
  g_assert_cmpstr (json_object_get_string_member (cluster, "node_id"), ==, crier_server_get_node_id (server->server));
  g_assert_cmpint (json_object_get_int_member (cluster, "nodes"), ==, 2);
  g_assert_true (json_object_get_boolean_member (cluster, "redis_connected"));
  g_assert_cmpstr (json_object_get_string_member (other_event, "message"), ==,
                   json_object_get_string_member (event, "message"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/monitor-endpoint/snapshot-then-stream", test_snapshot_then_stream);
  g_test_add_func ("/monitor-endpoint/commands", test_commands);
  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *path = g_strdup_printf ("/monitor-endpoint/refused/%s", refusals[i].name);

      g_test_add_data_func (path, &refusals[i], test_refusal);
    }
  g_test_add_func ("/monitor-endpoint/unsigned-and-replayed", test_unsigned_and_replayed);
  g_test_add_func ("/monitor-endpoint/slow-monitor", test_slow_monitor);
  g_test_add_func ("/monitor-endpoint/cluster", test_cluster);
  return g_test_run ();
}
