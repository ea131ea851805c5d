/* test-remote-server.c — another Crier through its monitor endpoint: snapshots follow its
 * clients, its monitor stream arrives, commands reach its clients, refusals and a server
 * that is not Crier are told apart, a stopped server means reconnecting
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-remote-server.h"
#include "crier-test-utils.h"

#define CONFIG                                                                                 \
  "[app:" CRIER_TEST_APP_ID "]\nkey = " CRIER_TEST_APP_KEY "\nsecret = " CRIER_TEST_APP_SECRET \
  "\nclient-events = true\n"

static CrierRemoteServer *
watch (CrierTestServer *server,
       const char      *secret)
{
  g_autofree char   *base = crier_test_server_url (server, "http", "");
  CrierRemoteServer *remote = crier_remote_server_new (base, CRIER_TEST_APP_ID, CRIER_TEST_APP_KEY, secret, FALSE);

  crier_remote_server_start (remote);
  return remote;
}

static void
count_event_cb (CrierMonitor      *monitor,
                CrierMonitorEvent *event,
                GPtrArray         *events)
{
  g_ptr_array_add (events, crier_monitor_event_ref (event));
}

static gboolean
has_member (CrierRemoteServer *remote,
            const char        *channel,
            const char        *user_id)
{
  g_autoptr (GPtrArray) members = crier_backend_dup_members (CRIER_BACKEND (remote), NULL, channel);

  for (guint i = 0; i < members->len; i++)
    if (g_str_equal (((CrierMemberInfo *) g_ptr_array_index (members, i))->user_id, user_id))
      return TRUE;
  return FALSE;
}

static guint
n_connections (CrierRemoteServer *remote)
{
  g_autoptr (GPtrArray) connections = crier_backend_dup_connections (CRIER_BACKEND (remote), NULL);

  return connections->len;
}

typedef struct
{
  gboolean done;
  GError  *error;
} Answer;

static void
answered_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Answer *answer = user_data;

  crier_backend_command_finish (CRIER_BACKEND (source), result, &answer->error);
  answer->done = TRUE;
}

static void
test_follows_and_commands (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autoptr (CrierRemoteServer) remote = watch (server, CRIER_TEST_APP_SECRET);
  g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_monitor_event_unref);
  g_autoptr (CrierTestClient) ada = NULL;
  g_autofree char *ada_data = crier_test_member_data ("\"7\"", "Ada");
  g_autoptr (JsonObject) joined = NULL;
  g_autoptr (JsonObject) message = NULL;
  const char      *channels[] = { "presence-room", NULL };
  Answer           answer = { 0 };
  CrierServerStats stats;

  g_signal_connect (crier_backend_get_monitor (CRIER_BACKEND (remote)), "event", G_CALLBACK (count_event_cb), events);
  crier_test_wait_until (crier_backend_get_state (CRIER_BACKEND (remote)) == CRIER_BACKEND_STATE_CONNECTED, CRIER_TEST_TIMEOUT);
  g_assert_cmpuint (n_connections (remote), ==, 0);

  /* A client of the watched server shows in its snapshots and its stream. */
  ada = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  joined = crier_test_client_subscribe_signed (ada, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET, "presence-room", ada_data);
  crier_test_wait_until (has_member (remote, "presence-room", "7"), CRIER_TEST_TIMEOUT);
  g_assert_cmpuint (n_connections (remote), ==, 1);
  crier_backend_get_stats (CRIER_BACKEND (remote), &stats);
  g_assert_cmpuint (stats.connections, ==, 1);
  {
    gboolean subscribed = FALSE;

    for (guint i = 0; i < events->len; i++)
      {
        CrierMonitorEvent *event = g_ptr_array_index (events, i);

        subscribed |= event->kind == CRIER_MONITOR_SUBSCRIBED && g_strcmp0 (event->channel, "presence-room") == 0 &&
                      g_strcmp0 (event->socket_id, ada->socket_id) == 0;
      }
    g_assert_true (subscribed);
  }

  /* Commands reach the watched server's clients. */
  crier_backend_publish (CRIER_BACKEND (remote), NULL, channels, "OrderShipped", "{\"id\":1}", NULL, NULL, answered_cb, &answer);
  crier_test_wait_until (answer.done, CRIER_TEST_TIMEOUT);
  g_assert_no_error (answer.error);
  message = crier_test_client_expect (ada, "OrderShipped", "presence-room");
  g_clear_pointer (&message, json_object_unref);

  answer = (Answer){ 0 };
  crier_backend_add_simulated_member (CRIER_BACKEND (remote), NULL, "presence-room", "99", "{\"name\":\"Sim\"}", NULL, answered_cb, &answer);
  crier_test_wait_until (answer.done, CRIER_TEST_TIMEOUT);
  g_assert_no_error (answer.error);
  message = crier_test_client_expect (ada, "pusher_internal:member_added", "presence-room");
  g_clear_pointer (&message, json_object_unref);
  crier_test_wait_until (has_member (remote, "presence-room", "99"), CRIER_TEST_TIMEOUT);

  /* A refused command says why. */
  answer = (Answer){ 0 };
  crier_backend_send_client_event (CRIER_BACKEND (remote), NULL, "presence-room", "not-client-prefixed", "{}", "99", NULL,
                                   answered_cb, &answer);
  crier_test_wait_until (answer.done, CRIER_TEST_TIMEOUT);
  g_assert_nonnull (answer.error);
  g_clear_error (&answer.error);

  answer = (Answer){ 0 };
  crier_backend_disconnect (CRIER_BACKEND (remote), ada->socket_id, 4200, "test", NULL, answered_cb, &answer);
  crier_test_wait_until (answer.done, CRIER_TEST_TIMEOUT);
  g_assert_no_error (answer.error);
  crier_test_client_wait_closed (ada);
  g_assert_cmpuint (ada->close_code, ==, 4200);
  crier_test_wait_until (n_connections (remote) == 0, CRIER_TEST_TIMEOUT);

  /* The watched server stops: reconnecting, and commands meanwhile fail at once. */
  crier_server_stop (server->server, 4200, "test");
  crier_test_wait_until (crier_backend_get_state (CRIER_BACKEND (remote)) == CRIER_BACKEND_STATE_RECONNECTING, CRIER_TEST_TIMEOUT);
  answer = (Answer){ 0 };
  crier_backend_publish (CRIER_BACKEND (remote), NULL, channels, "x", "{}", NULL, NULL, answered_cb, &answer);
  crier_test_wait_until (answer.done, CRIER_TEST_TIMEOUT);
  g_assert_error (answer.error, CRIER_BACKEND_ERROR, CRIER_BACKEND_ERROR_NOT_READY);
  g_clear_error (&answer.error);
  crier_remote_server_stop (remote);
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

  crier_backend_publish_finish (CRIER_BACKEND (source), result, &publication->receivers, &publication->error);
  publication->done = TRUE;
}

static gint64
publish_counted (CrierRemoteServer *remote,
                 const char *const *channels,
                 const char        *except_socket_id)
{
  Publication publication = { FALSE, -2, NULL };

  crier_backend_publish (CRIER_BACKEND (remote), NULL, channels, "shipped", "{}", except_socket_id, NULL,
                         published_cb, &publication);
  crier_test_wait_until (publication.done, CRIER_TEST_TIMEOUT);
  g_assert_no_error (publication.error);
  return publication.receivers;
}

/* The watched Crier's crier:result for a publication carries how many it reached, counted
 * when it delivered: 0 is "reached nobody", not a guess from a snapshot. */
static void
test_publish_receivers (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autoptr (CrierRemoteServer) remote = watch (server, CRIER_TEST_APP_SECRET);
  g_autoptr (CrierTestClient) ada = NULL;
  g_autoptr (CrierTestClient) bob = NULL;
  g_autoptr (JsonObject) joined = NULL;
  const char *orders[] = { "orders", NULL };
  const char *two[] = { "orders", "news", NULL };

  crier_test_wait_until (crier_backend_get_state (CRIER_BACKEND (remote)) == CRIER_BACKEND_STATE_CONNECTED, CRIER_TEST_TIMEOUT);
  g_assert_cmpint (publish_counted (remote, orders, NULL), ==, 0);
  ada = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  joined = crier_test_client_subscribe (ada, "orders", NULL, NULL);
  g_clear_pointer (&joined, json_object_unref);
  g_assert_cmpint (publish_counted (remote, orders, NULL), ==, 1);
  bob = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  joined = crier_test_client_subscribe (bob, "orders", NULL, NULL);
  g_assert_cmpint (publish_counted (remote, two, NULL), ==, 2);
  g_assert_cmpint (publish_counted (remote, orders, ada->socket_id), ==, 1);
  crier_remote_server_stop (remote);
}

static void
test_refused (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autoptr (CrierRemoteServer) remote = watch (server, "not-the-secret");

  crier_test_wait_until (crier_backend_get_state (CRIER_BACKEND (remote)) == CRIER_BACKEND_STATE_REFUSED, CRIER_TEST_TIMEOUT);
  g_assert_true (g_str_has_prefix (crier_backend_get_problem (CRIER_BACKEND (remote)), "Invalid signature"));
}

/* A server without a monitor endpoint, as soketi, Reverb and Pusher answer its path: 404
 * (a plain socket on a thread of its own: libsoup 3.2's server would keep the answered
 * connection). */
static gboolean
answer_not_found_cb (GThreadedSocketService *service,
                     GSocketConnection      *connection,
                     GObject                *source,
                     gpointer                user_data)
{
  static const char reply[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  GOutputStream    *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  char              request[4096];

  /* The request's head fits one read on loopback; what it says does not matter. */
  g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)), request, sizeof request, NULL,
                       NULL);
  g_output_stream_write_all (out, reply, sizeof reply - 1, NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

/* More threads than connections at a time: a service at its limit stops accepting and
 * starts again when a job ends, which could be after the test closed its listener. */
#define THREADS 4

static void
test_not_crier (void)
{
  g_autoptr (GSocketService) service = g_threaded_socket_service_new (THREADS);
  g_autoptr (GError) error = NULL;
  guint16          port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_autofree char *base = NULL;
  g_autoptr (CrierRemoteServer) remote = NULL;

  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (answer_not_found_cb), NULL);
  base = g_strdup_printf ("http://127.0.0.1:%u", port);
  remote = crier_remote_server_new (base, "app-id", "app-key", "app-secret", FALSE);
  crier_remote_server_start (remote);
  crier_test_wait_until (crier_backend_get_state (CRIER_BACKEND (remote)) == CRIER_BACKEND_STATE_NOT_CRIER, CRIER_TEST_TIMEOUT);
  g_clear_object (&remote);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  crier_test_drain ();
}

static void
count_cb (gpointer instance,
          guint   *n)
{
  (*n)++;
}

/* --- What crier tail needs (set_refresh, get_http_status, "missed", "unreadable-event") */

/* Something other than Crier answering its monitor path with 403, as a proxy in front of
 * it might (a plain socket on a thread of its own, as answer_not_found_cb ()). */
static gboolean
answer_forbidden_cb (GThreadedSocketService *service,
                     GSocketConnection      *connection,
                     GObject                *source,
                     gpointer                user_data)
{
  static const char reply[] = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  char              request[4096];

  g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)), request, sizeof request, NULL,
                       NULL);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), reply, sizeof reply - 1, NULL,
                             NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
test_http_status (void)
{
  g_autoptr (GSocketService) service = g_threaded_socket_service_new (THREADS);
  g_autoptr (GError) error = NULL;
  guint16          port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_autofree char *base = NULL;
  g_autoptr (CrierRemoteServer) remote = NULL;

  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (answer_forbidden_cb), NULL);
  base = g_strdup_printf ("http://127.0.0.1:%u", port);
  remote = crier_remote_server_new (base, "app-id", "app-key", "app-secret", FALSE);
  g_assert_cmpuint (crier_remote_server_get_http_status (remote), ==, 0);
  crier_remote_server_start (remote);
  /* Not a refusal Crier made: retried, as a network error is, with the status at hand. */
  crier_test_wait_until (crier_backend_get_state (CRIER_BACKEND (remote)) == CRIER_BACKEND_STATE_RECONNECTING,
                         CRIER_TEST_TIMEOUT);
  g_assert_cmpuint (crier_remote_server_get_http_status (remote), ==, 403);
  g_clear_object (&remote);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  crier_test_drain ();
}

/* A network error is not an HTTP answer: no status. */
static void
test_no_http_status (void)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GError) error = NULL;
  guint16          port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_autofree char *base = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_autoptr (CrierRemoteServer) remote = NULL;

  g_assert_no_error (error);
  /* The port was free a moment ago; closed now, so connecting to it is refused. */
  g_socket_listener_close (listener);
  remote = crier_remote_server_new (base, "app-id", "app-key", "app-secret", FALSE);
  crier_remote_server_start (remote);
  crier_test_wait_until (crier_backend_get_state (CRIER_BACKEND (remote)) == CRIER_BACKEND_STATE_RECONNECTING,
                         CRIER_TEST_TIMEOUT);
  g_assert_cmpuint (crier_remote_server_get_http_status (remote), ==, 0);
  g_assert_nonnull (crier_backend_get_problem (CRIER_BACKEND (remote)));
}

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Without refreshes only the snapshot of the connection comes: a client joining shows in
 * the stream, and no snapshot is asked for after it. */
static void
test_no_refresh (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autofree char *base = crier_test_server_url (server, "http", "");
  g_autoptr (CrierRemoteServer) remote = crier_remote_server_new (base, CRIER_TEST_APP_ID, CRIER_TEST_APP_KEY,
                                                                  CRIER_TEST_APP_SECRET, FALSE);
  g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_monitor_event_unref);
  g_autoptr (CrierTestClient) ada = NULL;
  g_autoptr (JsonObject) joined = NULL;
  guint    changes = 0;
  gboolean quiet = FALSE;

  crier_remote_server_set_refresh (remote, FALSE);
  g_signal_connect (remote, "changed", G_CALLBACK (count_cb), &changes);
  g_signal_connect (crier_backend_get_monitor (CRIER_BACKEND (remote)), "event", G_CALLBACK (count_event_cb), events);
  crier_remote_server_start (remote);
  crier_test_wait_until (crier_backend_get_state (CRIER_BACKEND (remote)) == CRIER_BACKEND_STATE_CONNECTED,
                         CRIER_TEST_TIMEOUT);
  g_assert_cmpuint (changes, ==, 1);

  ada = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  joined = crier_test_client_subscribe (ada, "orders", NULL, NULL);
  crier_test_wait_until (events->len > 0 &&
                           ((CrierMonitorEvent *) g_ptr_array_index (events, events->len - 1))->kind ==
                             CRIER_MONITOR_SUBSCRIBED,
                         CRIER_TEST_TIMEOUT);
  /* A refresh would have come 200 ms after the events; five times that is long enough
   * to see none came (a slow machine can only make this pass, never fail wrongly). */
  g_timeout_add (1000, set_flag_cb, &quiet);
  crier_test_wait_until (quiet, CRIER_TEST_TIMEOUT);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (n_connections (remote), ==, 0);
  crier_remote_server_stop (remote);
}

/* A fake Crier monitor endpoint: answers the WebSocket handshake, sends the frames it was
 * given, then waits for the client to close. */
static void
send_text_frame (GOutputStream *out,
                 const char    *text)
{
  size_t length = strlen (text);
  guint8 head[4] = { 0x81 };
  gsize  head_length = 2;

  g_assert_cmpuint (length, <, 65536);
  if (length < 126)
    head[1] = (guint8) length;
  else
    {
      head[1] = 126;
      head[2] = (guint8) (length >> 8);
      head[3] = (guint8) length;
      head_length = 4;
    }
  g_output_stream_write_all (out, head, head_length, NULL, NULL, NULL);
  g_output_stream_write_all (out, text, length, NULL, NULL, NULL);
}

static gboolean
fake_monitor_cb (GThreadedSocketService *service,
                 GSocketConnection      *connection,
                 GObject                *source,
                 gpointer                user_data)
{
  const char *const *frames = user_data;
  GInputStream      *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream     *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  char               request[4096] = { 0 };
  const char        *key_header;
  g_autofree char   *key = NULL;
  g_autoptr (GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8           digest[20];
  gsize            digest_length = sizeof digest;
  g_autofree char *accept = NULL;
  g_autofree char *reply = NULL;
  gssize           n;

  /* The request's head fits one read on loopback. */
  g_input_stream_read (in, request, sizeof request - 1, NULL, NULL);
  key_header = strstr (request, "Sec-WebSocket-Key: ");
  g_assert_nonnull (key_header);
  key = g_strndup (key_header + 19, strcspn (key_header + 19, "\r\n"));
  g_checksum_update (sha1, (const guchar *) key, -1);
  g_checksum_update (sha1, (const guchar *) "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", -1);
  g_checksum_get_digest (sha1, digest, &digest_length);
  accept = g_base64_encode (digest, digest_length);
  reply = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: %s\r\n\r\n",
                           accept);
  g_output_stream_write_all (out, reply, strlen (reply), NULL, NULL, NULL);
  for (guint i = 0; frames[i] != NULL; i++)
    send_text_frame (out, frames[i]);
  /* Until the client's close frame (answered with ours) or the end of the connection. */
  while ((n = g_input_stream_read (in, request, sizeof request, NULL, NULL)) > 0)
    if ((guint8) request[0] == 0x88)
      {
        static const guint8 close_frame[] = { 0x88, 0x00 };

        g_output_stream_write_all (out, close_frame, sizeof close_frame, NULL, NULL, NULL);
        break;
      }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
store_missed_cb (CrierRemoteServer *remote,
                 guint64            count,
                 guint64           *missed)
{
  *missed += count;
}

static void
store_why_cb (CrierRemoteServer *remote,
              const char        *why,
              char             **stored)
{
  g_free (*stored);
  *stored = g_strdup (why);
}

/* What the endpoint says besides the stream: events it skipped for a slow reader, and an
 * event of a kind this version does not know (a newer server's). Both are said, neither
 * stops the stream. */
static void
test_missed_and_unreadable (void)
{
  static const char *const frames[] = {
    "{\"event\":\"crier:snapshot\",\"data\":{\"connections\":[],\"channels\":[]}}",
    "{\"event\":\"crier:monitor\",\"data\":{\"kind\":\"subscribed\",\"app_id\":\"app-id\",\"channel\":\"before\"}}",
    "{\"event\":\"crier:missed\",\"data\":{\"count\":7}}",
    "{\"event\":\"crier:monitor\",\"data\":{\"kind\":\"from_the_future\",\"app_id\":\"app-id\"}}",
    "{\"event\":\"crier:monitor\",\"data\":{\"kind\":\"subscribed\",\"app_id\":\"app-id\",\"channel\":\"after\"}}",
    NULL,
  };
  g_autoptr (GSocketService) service = g_threaded_socket_service_new (THREADS);
  g_autoptr (GError) error = NULL;
  guint16          port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_autofree char *base = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_autoptr (CrierRemoteServer) remote = NULL;
  g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_monitor_event_unref);
  g_autofree char *why = NULL;
  guint64          missed = 0;

  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (fake_monitor_cb), (gpointer) frames);
  remote = crier_remote_server_new (base, "app-id", "app-key", "app-secret", FALSE);
  crier_remote_server_set_refresh (remote, FALSE);
  g_signal_connect (remote, "missed", G_CALLBACK (store_missed_cb), &missed);
  g_signal_connect (remote, "unreadable-event", G_CALLBACK (store_why_cb), &why);
  g_signal_connect (crier_backend_get_monitor (CRIER_BACKEND (remote)), "event", G_CALLBACK (count_event_cb), events);
  crier_remote_server_start (remote);
  crier_test_wait_until (events->len == 2, CRIER_TEST_TIMEOUT);
  g_assert_cmpstr (((CrierMonitorEvent *) g_ptr_array_index (events, 0))->channel, ==, "before");
  g_assert_cmpstr (((CrierMonitorEvent *) g_ptr_array_index (events, 1))->channel, ==, "after");
  g_assert_cmpuint (missed, ==, 7);
  g_assert_nonnull (why);
  g_assert_nonnull (strstr (why, "from_the_future"));
  g_assert_cmpint (crier_backend_get_state (CRIER_BACKEND (remote)), ==, CRIER_BACKEND_STATE_CONNECTED);
  crier_remote_server_stop (remote);
  g_clear_object (&remote);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  crier_test_drain ();
}

static guint
n_channels (CrierRemoteServer *remote,
            const char        *app_id,
            const char        *prefix)
{
  g_autoptr (GPtrArray) channels = crier_backend_dup_channels (CRIER_BACKEND (remote), app_id, prefix);

  return channels->len;
}

/* As the window's backend: one app, built from the credentials; "reset" for the first
 * snapshot of each connection only (the models refill then), not for the refreshes. */
static void
test_backend (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autoptr (CrierRemoteServer) remote = watch (server, CRIER_TEST_APP_SECRET);
  CrierBackend *backend = CRIER_BACKEND (remote);
  g_autoptr (CrierTestClient) ada = NULL;
  g_autoptr (JsonObject) joined = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *address = NULL;
  g_autofree char *expected = g_strdup_printf ("ws://127.0.0.1:%u", server->port);
  GPtrArray       *apps;
  guint            resets = 0, changes = 0;
  unsigned         port = server->port;
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (CrierServer) again = NULL;

  g_signal_connect (remote, "reset", G_CALLBACK (count_cb), &resets);
  g_signal_connect (remote, "changed", G_CALLBACK (count_cb), &changes);
  apps = crier_config_get_apps (crier_backend_get_config (backend));
  g_assert_cmpuint (apps->len, ==, 1);
  g_assert_cmpstr (((CrierAppConfig *) g_ptr_array_index (apps, 0))->key, ==, CRIER_TEST_APP_KEY);
  address = crier_backend_dup_address (backend);
  g_assert_cmpstr (address, ==, expected);
  g_assert_cmpuint (crier_backend_get_port (backend), ==, server->port);
  g_assert_false (crier_backend_get_flags (backend) & CRIER_BACKEND_CAN_START_STOP);
  g_assert_true (crier_backend_get_flags (backend) & CRIER_BACKEND_CAN_LIST_CONNECTIONS);
  crier_test_wait_until (crier_backend_get_state (backend) == CRIER_BACKEND_STATE_CONNECTED, CRIER_TEST_TIMEOUT);
  g_assert_cmpuint (resets, ==, 1);

  ada = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  joined = crier_test_client_subscribe (ada, "orders", NULL, NULL);
  crier_test_wait_until (n_channels (remote, NULL, NULL) == 1, CRIER_TEST_TIMEOUT);
  g_assert_cmpuint (changes, >, 1);
  g_assert_cmpuint (resets, ==, 1);
  g_assert_cmpuint (n_channels (remote, CRIER_TEST_APP_ID, "ord"), ==, 1);
  g_assert_cmpuint (n_channels (remote, CRIER_TEST_APP_ID, "private-"), ==, 0);
  g_assert_cmpuint (n_channels (remote, "another-app", NULL), ==, 0);

  /* The server restarts (a new one on the same port): a new connection, a new picture. */
  crier_server_stop (server->server, 4200, "test");
  crier_test_wait_until (crier_backend_get_state (backend) == CRIER_BACKEND_STATE_RECONNECTING, CRIER_TEST_TIMEOUT);
  g_assert_true (crier_config_load_data (config, CONFIG, "test.conf", &error));
  crier_config_set_host (config, "127.0.0.1");
  crier_config_set_port (config, port);
  again = crier_server_new (config);
  g_assert_true (crier_server_start (again, &error));
  g_assert_no_error (error);
  crier_test_wait_until (crier_backend_get_state (backend) == CRIER_BACKEND_STATE_CONNECTED, 30);
  g_assert_cmpuint (resets, ==, 2);
  g_assert_cmpuint (n_channels (remote, NULL, NULL), ==, 0);
  crier_remote_server_stop (remote);
  crier_server_stop (again, 4200, "test");
  crier_test_drain ();
}

static gboolean
remote_nodes (CrierRemoteServer *remote,
              unsigned           nodes)
{
  g_autoptr (CrierClusterInfo) info = crier_backend_dup_cluster_info (CRIER_BACKEND (remote));

  return info != NULL && info->nodes == nodes && info->redis_connected;
}

static unsigned
remote_subscriptions (CrierRemoteServer *remote,
                      const char        *name)
{
  g_autoptr (GPtrArray) channels = crier_backend_dup_channels (CRIER_BACKEND (remote), NULL, NULL);

  for (guint i = 0; i < channels->len; i++)
    if (g_str_equal (((CrierChannelInfo *) g_ptr_array_index (channels, i))->name, name))
      return ((CrierChannelInfo *) g_ptr_array_index (channels, i))->subscription_count;
  return 0;
}

/* A watched node of a cluster: its cluster object (node, nodes alive, Redis), followed when
 * it changes, and the other node's channels with the cluster's counts. */
static void
test_cluster (void)
{
  g_autoptr (CrierTestRedis) redis = crier_test_redis_new ();
  g_autofree char *config = NULL;
  /* Servers first: the watchers, declared after them, are released before them (a watcher
   * reconnecting to a server being torn down races libsoup's listener). */
  g_autoptr (CrierTestServer) server = NULL;
  g_autoptr (CrierTestServer) other = NULL;
  g_autoptr (CrierTestServer) plain = NULL;
  g_autoptr (CrierRemoteServer) remote = NULL;
  g_autoptr (CrierRemoteServer) plain_remote = NULL;
  g_autoptr (CrierClusterInfo) info = NULL;
  g_autoptr (CrierTestClient) reader = NULL;
  g_autoptr (JsonObject) joined = NULL;

  if (redis == NULL)
    {
      g_test_skip ("redis-server not found");
      return;
    }
  crier_test_redis_start (redis);
  config = g_strdup_printf (CONFIG "[cluster]\nredis = %s\nprefix = remote\nheartbeat-interval = 100\n"
                                   "node-timeout = 5000\n",
                            redis->url);
  server = crier_test_server_new (config);
  remote = watch (server, CRIER_TEST_APP_SECRET);
  crier_test_wait_until (crier_backend_get_state (CRIER_BACKEND (remote)) == CRIER_BACKEND_STATE_CONNECTED, CRIER_TEST_TIMEOUT);
  crier_test_wait_until (remote_nodes (remote, 1), CRIER_TEST_TIMEOUT);
  info = crier_backend_dup_cluster_info (CRIER_BACKEND (remote));
  g_assert_cmpstr (info->node_id, ==, crier_server_get_node_id (server->server));
  g_assert_cmpstr (info->redis, ==, redis->url);
  g_assert_cmpstr (info->prefix, ==, "remote");

  other = crier_test_server_new (config);
  crier_test_wait_until (remote_nodes (remote, 2), CRIER_TEST_TIMEOUT);
  reader = crier_test_client_connect (other, CRIER_TEST_APP_KEY);
  joined = crier_test_client_subscribe (reader, "orders", NULL, NULL);
  crier_test_wait_until (remote_subscriptions (remote, "orders") == 1, CRIER_TEST_TIMEOUT);

  /* Not part of a cluster: no object. */
  plain = crier_test_server_new (CONFIG);
  plain_remote = watch (plain, CRIER_TEST_APP_SECRET);
  crier_test_wait_until (crier_backend_get_state (CRIER_BACKEND (plain_remote)) == CRIER_BACKEND_STATE_CONNECTED, CRIER_TEST_TIMEOUT);
  g_assert_null (crier_backend_dup_cluster_info (CRIER_BACKEND (plain_remote)));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/remote-server/follows-and-commands", test_follows_and_commands);
  g_test_add_func ("/remote-server/publish-receivers", test_publish_receivers);
  g_test_add_func ("/remote-server/refused", test_refused);
  /* What crier tail needs; before not-crier, as backend. */
  g_test_add_func ("/remote-server/no-refresh", test_no_refresh);
  g_test_add_func ("/remote-server/no-http-status", test_no_http_status);
  g_test_add_func ("/remote-server/missed-and-unreadable", test_missed_and_unreadable);
  g_test_add_func ("/remote-server/http-status", test_http_status);
  /* Before not-crier: its socket service's cancelled accept can still warn afterwards. */
  g_test_add_func ("/remote-server/backend", test_backend);
  /* Before not-crier: its stopped GSocketService can still warn "fail: Listener is already
   * closed" from a later main-loop iteration (GLib 2.74), which would land in this test. */
  g_test_add_func ("/remote-server/cluster", test_cluster);
  g_test_add_func ("/remote-server/not-crier", test_not_crier);
  return g_test_run ();
}
