/* test-server-host.c — CrierServerHost: the server on a thread of its own, reached through
 * commands, snapshots and the monitor stream only
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "crier-server-host.h"
#include "crier-test-utils.h"
#include "crier-thread-priority.h"

#define TEST_APP_ID "3"
#define APP_KEY     "278d425bdf160c739803"
#define TIMEOUT     10
#define N_FLOOD     1000
#define N_ORDER     200
#define CONFIG                   \
  "[app:3]\n"                    \
  "key = 278d425bdf160c739803\n" \
  "secret = 7ad3773142a6692b25b8\n"

/* The front end of these tests runs on a context of its own, pushed as thread-default, and
 * never iterates the global default one: a server source attached there (g_timeout_add,
 * g_idle_add, g_source_attach (…, NULL)) would never run, and the test would wait for it
 * in vain instead of passing by luck on the wrong thread. */
typedef struct
{
  GMainContext    *ui;
  CrierServerHost *host;
  SoupSession     *session;
  GPtrArray       *events;         /* CrierMonitorEvent from the host's monitor, in order */
  guint            iteration;      /* main-context iterations of wait_here */
  guint            last_iteration; /* the one the last event came in */
  guint            batches;        /* iterations that brought events */
  guint64          dropped;
  GThread         *ui_thread;
  gboolean         wrong_thread;
} Fixture;

typedef struct
{
  SoupWebsocketConnection *ws;
  GError                  *error;
  gboolean                 done;
  gboolean                 closed;
  GPtrArray               *events; /* the "event" member of every message */
  char                    *socket_id;
} Client;

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
  GThread *thread;
} Answer;

static gboolean
deadline_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Like crier_test_wait_until, on the thread-default context. */
#define wait_here(f, condition)                                                           \
  G_STMT_START                                                                            \
  {                                                                                       \
    gboolean expired_ = FALSE;                                                            \
    GSource *timer_ = g_timeout_source_new_seconds (TIMEOUT);                             \
    g_source_set_callback (timer_, deadline_cb, &expired_, NULL);                         \
    g_source_attach (timer_, (f)->ui);                                                    \
    while (!(condition) && !expired_)                                                     \
      g_main_context_iteration ((f)->ui, TRUE);                                           \
    g_source_destroy (timer_);                                                            \
    g_source_unref (timer_);                                                              \
    if (!(condition))                                                                     \
      g_error ("%s:%d: timed out after %d s waiting for %s", __FILE__, __LINE__, TIMEOUT, \
               #condition);                                                               \
  }                                                                                       \
  G_STMT_END

static void
monitor_event_cb (CrierMonitor      *monitor,
                  CrierMonitorEvent *event,
                  Fixture           *f)
{
  if (g_thread_self () != f->ui_thread || !g_main_context_is_owner (f->ui))
    f->wrong_thread = TRUE;
  /* One drain per iteration at most: its events come in one dispatch. */
  if (f->events->len == 0 || f->iteration != f->last_iteration)
    f->batches++;
  f->last_iteration = f->iteration;
  g_ptr_array_add (f->events, crier_monitor_event_ref (event));
}

static void
dropped_cb (CrierServerHost *host,
            guint64          n,
            Fixture         *f)
{
  f->dropped += n;
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (CrierConfig) server_config = crier_config_new ();
  g_autoptr (GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);
  g_autoptr (GError) error = NULL;
  CrierConfig *both[] = { config, server_config };

  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    {
      g_assert_true (crier_config_load_data (both[i], CONFIG, "test.conf", &error));
      crier_config_set_host (both[i], "127.0.0.1");
      crier_config_set_port (both[i], 0);
    }
  f->ui = g_main_context_new ();
  g_main_context_push_thread_default (f->ui);
  f->ui_thread = g_thread_self ();
  f->events = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_monitor_event_unref);
  f->host = crier_server_host_new (config, server_config);
  g_assert_true (crier_server_host_get_config (f->host) == config);
  g_signal_connect (crier_server_host_get_monitor (f->host), "event", G_CALLBACK (monitor_event_cb), f);
  g_signal_connect (f->host, "dropped", G_CALLBACK (dropped_cb), f);
  f->session = soup_session_new_with_options ("proxy-resolver", direct, NULL);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  if (f->host != NULL)
    g_signal_handlers_disconnect_by_data (crier_server_host_get_monitor (f->host), f);
  g_clear_object (&f->host);
  g_clear_object (&f->session);
  /* What the host or the session still posted here (answers, closes) is freed. */
  while (g_main_context_iteration (f->ui, FALSE))
    ;
  g_main_context_pop_thread_default (f->ui);
  g_main_context_unref (f->ui);
  g_ptr_array_unref (f->events);
  g_assert_false (f->wrong_thread);
}

static void
start (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (crier_server_host_start (f->host, &error));
  g_assert_no_error (error);
  g_assert_true (crier_server_host_is_running (f->host));
  g_assert_cmpuint (crier_server_host_get_port (f->host), >, 0);
  g_assert_false (crier_server_host_is_tls (f->host));
}

/* Client: a libsoup WebSocket on the test's context. */

static void
client_message_cb (SoupWebsocketConnection *ws,
                   int                      type,
                   GBytes                  *message,
                   Client                  *client)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize       size;
  const char *text = g_bytes_get_data (message, &size);
  JsonObject *object;

  g_assert_true (json_parser_load_from_data (parser, text, (gssize) size, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  g_ptr_array_add (client->events, g_strdup (json_object_get_string_member (object, "event")));
  if (g_str_equal (json_object_get_string_member (object, "event"), "pusher:connection_established"))
    {
      g_autoptr (JsonParser) data = json_parser_new ();

      g_assert_true (json_parser_load_from_data (data, json_object_get_string_member (object, "data"), -1, NULL));
      client->socket_id = g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (data)),
                                                                   "socket_id"));
    }
}

static void
client_closed_cb (SoupWebsocketConnection *ws,
                  Client                  *client)
{
  client->closed = TRUE;
}

static void
client_connected_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Client *client = user_data;

  client->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &client->error);
  client->done = TRUE;
  if (client->ws != NULL)
    {
      g_signal_connect (client->ws, "message", G_CALLBACK (client_message_cb), client);
      g_signal_connect (client->ws, "closed", G_CALLBACK (client_closed_cb), client);
    }
}

static gboolean
client_has (Client     *client,
            const char *event)
{
  for (guint i = 0; i < client->events->len; i++)
    if (g_str_equal (g_ptr_array_index (client->events, i), event))
      return TRUE;
  return FALSE;
}

static guint
client_count (Client     *client,
              const char *event)
{
  guint n = 0;

  for (guint i = 0; i < client->events->len; i++)
    n += g_str_equal (g_ptr_array_index (client->events, i), event);
  return n;
}

/* Connects and subscribes to "orders": needs the server's poller (its own context). */
static Client *
client_new (Fixture *f)
{
  Client          *client = g_new0 (Client, 1);
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/app/" APP_KEY "?protocol=7&client=js&version=8.6.0",
                                          crier_server_host_get_port (f->host));
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);

  client->events = g_ptr_array_new_with_free_func (g_free);
  soup_session_websocket_connect_async (f->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        client_connected_cb, client);
  wait_here (f, client->done);
  g_assert_no_error (client->error);
  wait_here (f, client->socket_id != NULL);
  soup_websocket_connection_send_text (client->ws,
                                       "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"orders\"}}");
  wait_here (f, client_has (client, "pusher_internal:subscription_succeeded"));
  return client;
}

static void
client_free (Client *client)
{
  if (client->ws != NULL)
    g_signal_handlers_disconnect_by_data (client->ws, client);
  g_clear_object (&client->ws);
  g_clear_error (&client->error);
  g_ptr_array_unref (client->events);
  g_free (client->socket_id);
  g_free (client);
}

static void
answer_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Answer *answer = user_data;

  answer->ok = crier_backend_command_finish (CRIER_BACKEND (source), result, &answer->error);
  answer->thread = g_thread_self ();
  answer->done = TRUE;
}

static guint
count_events (Fixture         *f,
              CrierMonitorKind kind)
{
  guint n = 0;

  for (guint i = 0; i < f->events->len; i++)
    n += ((CrierMonitorEvent *) g_ptr_array_index (f->events, i))->kind == kind;
  return n;
}

static guint64
events_published (Fixture *f)
{
  CrierServerStats stats;

  crier_backend_get_stats (CRIER_BACKEND (f->host), &stats);
  return stats.events_published;
}

/* A command from the front end's context reaches the server, the frame reaches the client
 * (the server flushes it from its own context), the answer comes back here. */
static void
test_commands (Fixture      *f,
               gconstpointer data)
{
  const char *channels[] = { "orders", NULL };
  Client     *client;
  Answer      answer = { 0 };

  start (f);
  client = client_new (f);
  crier_backend_publish (CRIER_BACKEND (f->host), TEST_APP_ID, channels, "shipped", "{\"id\":1}", NULL, NULL,
                         answer_cb, &answer);
  g_assert_false (answer.done); /* asynchronous: the caller never waits for the server */
  wait_here (f, answer.done);
  g_assert_no_error (answer.error);
  g_assert_true (answer.ok);
  g_assert_true (answer.thread == f->ui_thread);
  wait_here (f, client_has (client, "shipped"));
  wait_here (f, count_events (f, CRIER_MONITOR_EVENT_PUBLISHED) == 1);

  memset (&answer, 0, sizeof answer);
  crier_backend_send_client_event (CRIER_BACKEND (f->host), TEST_APP_ID, "orders", "client-typing", "{}", NULL,
                                   NULL, answer_cb, &answer);
  wait_here (f, answer.done);
  /* orders is public: the core refuses a client event there, and the refusal comes back */
  if (answer.ok)
    wait_here (f, client_has (client, "client-typing"));
  g_clear_error (&answer.error);

  memset (&answer, 0, sizeof answer);
  crier_backend_disconnect (CRIER_BACKEND (f->host), client->socket_id, 4200, "bye", NULL, answer_cb, &answer);
  wait_here (f, answer.done);
  g_assert_no_error (answer.error);
  wait_here (f, client->closed);
  client_free (client);
}

typedef struct
{
  gboolean done;
  gint64   receivers;
  GError  *error;
} Publication;

static void
published_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Publication *publication = user_data;

  crier_backend_publish_finish (CRIER_BACKEND (source), result, &publication->receivers,
                                &publication->error);
  publication->done = TRUE;
}

/* How many it reached, said by the server at publish time; the answer comes back here. */
static gint64
publish_counted (Fixture           *f,
                 const char *const *channels,
                 const char        *except_socket_id)
{
  Publication publication = { FALSE, -2, NULL };

  crier_backend_publish (CRIER_BACKEND (f->host), TEST_APP_ID, channels, "shipped", "{}",
                         except_socket_id, NULL, published_cb, &publication);
  wait_here (f, publication.done);
  g_assert_no_error (publication.error);
  return publication.receivers;
}

/* The publish command's answer says how many frames went out: 0 is "reached nobody". */
static void
test_publish_receivers (Fixture      *f,
                        gconstpointer data)
{
  const char *orders[] = { "orders", NULL };
  const char *two[] = { "orders", "news", NULL };
  const char *bad[] = { "no spaces allowed", NULL };
  Publication refused = { FALSE, -2, NULL };
  Client     *ada;
  Client     *bob;

  start (f);
  g_assert_cmpint (publish_counted (f, orders, NULL), ==, 0);
  ada = client_new (f);
  g_assert_cmpint (publish_counted (f, orders, NULL), ==, 1);
  bob = client_new (f);
  g_assert_cmpint (publish_counted (f, orders, NULL), ==, 2);
  g_assert_cmpint (publish_counted (f, two, NULL), ==, 2); /* nobody on news */
  /* toOthers(): the excluded sender is not a receiver. */
  g_assert_cmpint (publish_counted (f, orders, ada->socket_id), ==, 1);

  /* A refused publication has no count. */
  crier_backend_publish (CRIER_BACKEND (f->host), TEST_APP_ID, bad, "e", "{}", NULL, NULL,
                         published_cb, &refused);
  wait_here (f, refused.done);
  g_assert_error (refused.error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID);
  g_assert_cmpint (refused.receivers, ==, CRIER_BACKEND_RECEIVERS_UNKNOWN);
  g_clear_error (&refused.error);
  client_free (bob);
  client_free (ada);
}

static void
test_command_errors (Fixture      *f,
                     gconstpointer data)
{
  const char *channels[] = { "orders", NULL };
  const char *bad_channels[] = { "no spaces allowed", NULL };
  Answer      answers[4] = { { 0 } };

  start (f);
  crier_backend_publish (CRIER_BACKEND (f->host), "no-such-app", channels, "e", "{}", NULL, NULL, answer_cb,
                         &answers[0]);
  crier_backend_publish (CRIER_BACKEND (f->host), TEST_APP_ID, bad_channels, "e", "{}", NULL, NULL, answer_cb,
                         &answers[1]);
  crier_backend_add_simulated_member (CRIER_BACKEND (f->host), TEST_APP_ID, "orders", "bot", NULL, NULL, answer_cb,
                                      &answers[2]);
  crier_backend_disconnect (CRIER_BACKEND (f->host), "1.1", 4200, NULL, NULL, answer_cb, &answers[3]);
  wait_here (f, answers[0].done && answers[1].done && answers[2].done && answers[3].done);
  g_assert_error (answers[0].error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_UNKNOWN_APP);
  g_assert_error (answers[1].error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID);
  g_assert_nonnull (answers[2].error);
  g_assert_error (answers[3].error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID);
  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      g_assert_false (answers[i].ok);
      g_assert_true (answers[i].thread == f->ui_thread);
      g_clear_error (&answers[i].error);
    }
}

static void
test_snapshots (Fixture      *f,
                gconstpointer data)
{
  Client *client;
  Answer  answer = { 0 };
  g_autoptr (GPtrArray) connections = NULL;
  g_autoptr (GPtrArray) channels = NULL;
  g_autoptr (GPtrArray) members = NULL;
  CrierServerStats stats;

  start (f);
  client = client_new (f);
  crier_backend_add_simulated_member (CRIER_BACKEND (f->host), TEST_APP_ID, "presence-room", "bot",
                                      "{\"name\":\"Bot\"}", NULL, answer_cb, &answer);
  wait_here (f, answer.done);
  g_assert_no_error (answer.error);

  connections = crier_backend_dup_connections (CRIER_BACKEND (f->host), NULL);
  g_assert_cmpuint (connections->len, ==, 1);
  g_assert_cmpstr (((CrierConnectionInfo *) g_ptr_array_index (connections, 0))->socket_id, ==,
                   client->socket_id);
  g_assert_true (g_strv_contains ((const char *const *) ((CrierConnectionInfo *) g_ptr_array_index (connections, 0))->channels,
                                  "orders"));
  channels = crier_backend_dup_channels (CRIER_BACKEND (f->host), TEST_APP_ID, NULL);
  g_assert_cmpuint (channels->len, >=, 1);
  g_assert_cmpstr (((CrierChannelInfo *) g_ptr_array_index (channels, 0))->name, ==, "orders");
  g_assert_cmpuint (((CrierChannelInfo *) g_ptr_array_index (channels, 0))->subscription_count, ==, 1);
  members = crier_backend_dup_members (CRIER_BACKEND (f->host), TEST_APP_ID, "presence-room");
  g_assert_nonnull (members);
  g_assert_cmpuint (members->len, ==, 1);
  g_assert_cmpstr (((CrierMemberInfo *) g_ptr_array_index (members, 0))->user_id, ==, "bot");
  g_assert_true (((CrierMemberInfo *) g_ptr_array_index (members, 0))->simulated);
  crier_backend_get_stats (CRIER_BACKEND (f->host), &stats);
  g_assert_cmpuint (stats.connections, ==, 1);
  g_assert_cmpuint (stats.connections_total, ==, 1);
  client_free (client);
}

/* Events reach the front end's context in order, many to a batch. The front end does not
 * run until the server has emitted them all (the stats round trip tells), so the first
 * drain finds every one of them queued. */
static void
test_monitor_batches (Fixture      *f,
                      gconstpointer data)
{
  const char *channels[] = { "orders", NULL };
  guint       first;

  start (f);
  wait_here (f, count_events (f, CRIER_MONITOR_SERVER_STARTED) == 1);
  first = f->events->len;
  f->batches = 0;
  f->iteration++; /* what follows is a new batch */
  for (guint i = 0; i < N_ORDER; i++)
    {
      g_autofree char *name = g_strdup_printf ("e%u", i);

      crier_backend_publish (CRIER_BACKEND (f->host), TEST_APP_ID, channels, name, "{}", NULL, NULL, NULL, NULL);
    }
  for (guint i = 0; i < 1000 && events_published (f) < N_ORDER; i++)
    ;
  g_assert_cmpuint (events_published (f), ==, N_ORDER);
  wait_here (f, f->events->len == first + N_ORDER);
  g_assert_cmpuint (f->batches, ==, 1);
  for (guint i = 0; i < N_ORDER; i++)
    {
      CrierMonitorEvent *event = g_ptr_array_index (f->events, first + i);
      g_autofree char   *name = g_strdup_printf ("e%u", i);

      g_assert_cmpint (event->kind, ==, CRIER_MONITOR_EVENT_PUBLISHED);
      g_assert_cmpstr (event->event, ==, name);
    }
  g_assert_cmpuint (f->dropped, ==, 0);
}

/* A front end that does not drain: the queue stays within its limit, ordinary events go
 * first, the drop count is reported, the newest events are kept. */
static void
test_queue_bound (Fixture      *f,
                  gconstpointer data)
{
  const char        *channels[] = { "orders", NULL };
  Client            *client;
  guint              first;
  guint              published = 0;
  gboolean           member_kept = FALSE;
  CrierMonitorEvent *last;

  crier_server_host_set_queue_limit (f->host, 100);
  g_assert_cmpuint (crier_server_host_get_queue_limit (f->host), ==, 100);
  start (f);
  client = client_new (f);
  wait_here (f, count_events (f, CRIER_MONITOR_SUBSCRIBED) == 1);
  /* Nothing queued is pending now: the next drain holds what follows only. */
  first = f->events->len;

  crier_backend_add_simulated_member (CRIER_BACKEND (f->host), TEST_APP_ID, "presence-room", "bot", NULL, NULL,
                                      NULL, NULL);
  for (guint i = 0; i < N_FLOOD; i++)
    {
      g_autofree char *name = g_strdup_printf ("f%u", i);

      crier_backend_publish (CRIER_BACKEND (f->host), TEST_APP_ID, channels, name, "{}", NULL, NULL, NULL, NULL);
    }
  for (guint i = 0; i < 10000 && events_published (f) < N_FLOOD; i++)
    ;
  g_assert_cmpuint (events_published (f), ==, N_FLOOD);
  wait_here (f, f->dropped > 0 && f->events->len > first);
  g_assert_cmpuint (f->events->len - first, <=, 100);
  g_assert_cmpuint (crier_server_host_get_dropped (f->host), ==, f->dropped);
  for (guint i = first; i < f->events->len; i++)
    {
      CrierMonitorEvent *event = g_ptr_array_index (f->events, i);

      if (event->kind == CRIER_MONITOR_MEMBER_ADDED && g_strcmp0 (event->user_id, "bot") == 0)
        member_kept = TRUE;
      published += event->kind == CRIER_MONITOR_EVENT_PUBLISHED;
    }
  g_assert_true (member_kept); /* the oldest, but not an ordinary one */
  g_assert_cmpuint (published + f->dropped, >=, N_FLOOD);
  last = g_ptr_array_index (f->events, f->events->len - 1);
  g_assert_cmpstr (last->event, ==, "f999");
  /* The client got every one of them: only the window's copy was bounded. */
  wait_here (f, client_count (client, "f999") == 1);
  client_free (client);
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           guint      *count)
{
  (*count)++;
}

static void
test_restart (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  Answer   answer = { 0 };
  guint    running_notifies = 0;
  unsigned port;
  Client  *client;

  g_signal_connect (f->host, "notify::running", G_CALLBACK (notify_cb), &running_notifies);
  g_assert_false (crier_server_host_is_running (f->host));
  start (f);
  g_assert_cmpuint (running_notifies, ==, 1);
  port = crier_server_host_get_port (f->host);
  client = client_new (f);

  crier_server_host_stop (f->host, 4200, "restart");
  g_assert_false (crier_server_host_is_running (f->host));
  g_assert_cmpuint (running_notifies, ==, 2);
  wait_here (f, client->closed);
  client_free (client);

  /* Start again, asynchronously: the state is set before the answer is handed over. */
  crier_server_host_start_async (f->host, NULL, answer_cb, &answer);
  wait_here (f, answer.done);
  g_assert_no_error (answer.error);
  g_assert_true (crier_server_host_is_running (f->host));
  g_assert_cmpuint (running_notifies, ==, 3);
  client = client_new (f);
  client_free (client);

  memset (&answer, 0, sizeof answer);
  crier_server_host_stop_async (f->host, 4200, "bye", NULL, answer_cb, &answer);
  wait_here (f, answer.done);
  g_assert_no_error (answer.error);
  g_assert_false (crier_server_host_is_running (f->host));

  /* The old port is free again at once (stop is a round trip), whatever the kernel chose. */
  g_assert_cmpuint (port, >, 0);
  g_assert_true (crier_server_host_start (f->host, &error));
  g_assert_no_error (error);
  g_assert_true (crier_server_host_is_running (f->host));
}

/* A second host on the first one's port: the error comes back with its code. */
static void
test_start_error (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (CrierConfig) server_config = crier_config_new ();
  g_autoptr (CrierServerHost) second = NULL;
  g_autoptr (GError) error = NULL;

  start (f);
  crier_config_set_host (server_config, "127.0.0.1");
  crier_config_set_port (server_config, crier_server_host_get_port (f->host));
  second = crier_server_host_new (config, server_config);
  g_assert_false (crier_server_host_start (second, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_ADDRESS_IN_USE);
  g_assert_false (crier_server_host_is_running (second));
}

/* Dropped while serving: a client, commands and monitor events in flight. The thread stops
 * the server (the client sees the close), every command is answered, nothing leaks and
 * nothing runs on freed memory (ASan). */
static void
test_dispose_running (Fixture      *f,
                      gconstpointer data)
{
  const char *channels[] = { "orders", NULL };
  Answer      answers[20] = { { 0 } };
  Client     *client;
  gboolean    all_done;

  start (f);
  client = client_new (f);
  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    crier_backend_publish (CRIER_BACKEND (f->host), TEST_APP_ID, channels, "late", "{}", NULL, NULL, answer_cb,
                           &answers[i]);
  g_signal_handlers_disconnect_by_data (crier_server_host_get_monitor (f->host), f);
  g_clear_object (&f->host);
  wait_here (f, client->closed);
  do
    {
      all_done = TRUE;
      for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
        all_done = all_done && answers[i].done;
      if (!all_done)
        g_main_context_iteration (f->ui, TRUE);
    }
  while (!all_done);
  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      /* run before the stop (ok) or after it (the server is gone): answered either way */
      g_assert_true (answers[i].ok || answers[i].error != NULL);
      g_clear_error (&answers[i].error);
    }
  client_free (client);
}

/* Never started: dispose is as quiet. */
static void
test_dispose_stopped (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (GPtrArray) connections = crier_backend_dup_connections (CRIER_BACKEND (f->host), NULL);

  g_assert_cmpuint (connections->len, ==, 0);
  g_clear_object (&f->host);
}

/* The nice value of this process's thread called name, or G_MININT. */
static int
nice_of_thread (const char *name)
{
  g_autoptr (GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;

  while (tasks != NULL && (tid = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *comm_path = g_build_filename ("/proc/self/task", tid, "comm", NULL);
      g_autofree char *stat_path = g_build_filename ("/proc/self/task", tid, "stat", NULL);
      g_autofree char *comm = NULL;
      g_autofree char *stat = NULL;
      g_auto (GStrv) fields = NULL;

      if (!g_file_get_contents (comm_path, &comm, NULL, NULL) || !g_str_equal (g_strchomp (comm), name) ||
          !g_file_get_contents (stat_path, &stat, NULL, NULL))
        continue;
      /* after "(comm) ", the state is field 3 and nice field 19 */
      fields = g_strsplit (strrchr (stat, ')') + 2, " ", -1);
      return g_strv_length (fields) > 16 ? atoi (fields[16]) : G_MININT;
    }
  return G_MININT;
}

static gpointer
report_nice (gpointer user_data)
{
  *(int *) user_data = getpriority (PRIO_PROCESS, 0);
  return NULL;
}

typedef struct
{
  int      before, after, launched, inherited, server;
  gboolean lowered;
} Priorities;

/* The window's thread: lowers itself, then starts threads, a host among them. */
static gpointer
front_end_thread (gpointer user_data)
{
  Priorities *p = user_data;
  g_autoptr (CrierServerHost) host = NULL;

  p->before = getpriority (PRIO_PROCESS, 0);
  p->lowered = crier_thread_priority_lower_current (5);
  p->after = getpriority (PRIO_PROCESS, 0);
  g_thread_join (crier_thread_priority_new_thread ("launched", report_nice, &p->launched));
  g_thread_join (g_thread_new ("inherited", report_nice, &p->inherited));
  host = crier_server_host_new (NULL, NULL);
  p->server = nice_of_thread ("crier-server");
  return NULL;
}

/* The front end yields the CPU; the servers it starts afterwards do not inherit that. */
static void
test_front_end_priority (void)
{
  Priorities p = { 0 };

  g_thread_join (g_thread_new ("front-end", front_end_thread, &p));
  if (!p.lowered || p.before >= 19)
    {
      g_test_skip ("this system does not let a thread lower its priority");
      return;
    }
  g_assert_cmpint (p.after, ==, p.before + 5);
  /* a plain thread inherits the lowered value: what the launcher is for */
  g_assert_cmpint (p.inherited, ==, p.after);
  g_assert_cmpint (p.launched, ==, p.before);
  g_assert_cmpint (p.server, ==, p.before);
}

static void
backend_answer_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Answer *answer = user_data;

  answer->ok = crier_backend_command_finish (CRIER_BACKEND (source), result, &answer->error);
  answer->thread = g_thread_self ();
  answer->done = TRUE;
}

/* The host as the window sees it (CrierBackend): its state follows running, with
 * notify::state; the commands go through; what it has no command for is refused. */
static void
test_backend (Fixture      *f,
              gconstpointer data)
{
  CrierBackend *backend = CRIER_BACKEND (f->host);
  const char   *channels[] = { "orders", NULL };
  Client       *client;
  Answer        answer = { 0 };
  guint         notified = 0;

  g_signal_connect (f->host, "notify::state", G_CALLBACK (crier_test_count_notify_cb), &notified);
  g_assert_cmpint (crier_backend_get_state (backend), ==, CRIER_BACKEND_STATE_STOPPED);
  g_assert_false (crier_backend_is_ready (backend));
  g_assert_true (crier_backend_get_config (backend) == crier_server_host_get_config (f->host));
  g_assert_true (crier_backend_get_monitor (backend) == crier_server_host_get_monitor (f->host));
  g_assert_null (crier_backend_dup_address (backend));
  g_assert_null (crier_backend_get_problem (backend));
  g_assert_true (crier_backend_get_flags (backend) & CRIER_BACKEND_CAN_START_STOP);
  g_assert_true (crier_backend_get_flags (backend) & CRIER_BACKEND_CAN_LIST_CONNECTIONS);
  start (f);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (crier_backend_get_state (backend), ==, CRIER_BACKEND_STATE_RUNNING);
  g_assert_cmpuint (crier_backend_get_port (backend), ==, crier_server_host_get_port (f->host));

  client = client_new (f);
  crier_backend_publish (backend, TEST_APP_ID, channels, "shipped", "{}", NULL, NULL, backend_answer_cb, &answer);
  wait_here (f, answer.done);
  g_assert_no_error (answer.error);
  g_assert_true (answer.ok);
  wait_here (f, client_has (client, "shipped"));

  memset (&answer, 0, sizeof answer);
  crier_backend_send_notification (backend, TEST_APP_ID, "1", "App\\Notifications\\X", "{}", NULL,
                                   backend_answer_cb, &answer);
  g_assert_false (answer.done); /* answered on the next turn, as every command */
  wait_here (f, answer.done);
  g_assert_error (answer.error, CRIER_BACKEND_ERROR, CRIER_BACKEND_ERROR_NOT_SUPPORTED);
  g_clear_error (&answer.error);

  crier_server_host_stop (f->host, 4200, "bye");
  g_assert_cmpint (crier_backend_get_state (backend), ==, CRIER_BACKEND_STATE_STOPPED);
  g_assert_cmpuint (notified, ==, 2);
  wait_here (f, client->closed);
  client_free (client);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/server-host/commands", test_commands);
  ADD ("/server-host/command-errors", test_command_errors);
  ADD ("/server-host/publish-receivers", test_publish_receivers);
  ADD ("/server-host/snapshots", test_snapshots);
  ADD ("/server-host/monitor-batches", test_monitor_batches);
  ADD ("/server-host/queue-bound", test_queue_bound);
  ADD ("/server-host/restart", test_restart);
  ADD ("/server-host/start-error", test_start_error);
  ADD ("/server-host/dispose-running", test_dispose_running);
  ADD ("/server-host/dispose-stopped", test_dispose_stopped);
  ADD ("/server-host/backend", test_backend);
#undef ADD
  g_test_add_func ("/server-host/front-end-priority", test_front_end_priority);
  return g_test_run ();
}
