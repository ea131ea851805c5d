/* test-connection.c — a real CrierServer on 127.0.0.1 driven by libsoup WebSocket clients:
 * the handshake and its refusals, input the server does not take, liveness
 * (pusher-protocol.md §2-4)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-names.h"
#include "crier-test-utils.h"

#define KEY    CRIER_TEST_APP_KEY
#define SECRET CRIER_TEST_APP_SECRET
#define APP    CRIER_TEST_APP_ID

/* Short liveness timers: the sweep runs every second. */
static const char *liveness_config =
  "[server]\n"
  "activity-timeout = 1\n"
  "pong-timeout = 1\n"
  "\n"
  "[app:3]\n"
  "key = 278d425bdf160c739803\n"
  "secret = 7ad3773142a6692b25b8\n";

/* Helpers */

/* A refused connection: pusher:error with the code, then the close frame with it (§2.2). */
static void
assert_refused (CrierTestClient *client,
                int              code,
                const char      *message)
{
  g_autofree char *text = crier_test_client_expect_error (client, code);

  g_assert_cmpstr (text, ==, message);
  crier_test_client_wait_closed (client);
  g_assert_cmpuint (client->close_code, ==, code);
  g_assert_cmpstr (client->close_reason, ==, message);
  g_assert_null (client->socket_id);
}

/* Connection */

static void
test_connect_established (CrierTestFixture *f,
                          gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_open (
    f->server, "/app/" KEY "?protocol=7&client=js&version=8.6.0&flash=false", NULL);
  g_autoptr (JsonObject) message = crier_test_client_next (client);
  g_autoptr (JsonObject) inner = NULL;
  g_autofree char   *expected = NULL;
  CrierMonitorEvent *event;
  const char        *socket_id;

  /* The first frame, data double-encoded, no channel (§3). */
  g_assert_cmpstr (json_object_get_string_member (message, "event"), ==,
                   "pusher:connection_established");
  g_assert_false (json_object_has_member (message, "channel"));
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (message, "data")), ==,
                   G_TYPE_STRING);
  inner = crier_test_dup_data_object (message);
  g_assert_cmpuint (json_object_get_size (inner), ==, 2);
  socket_id = json_object_get_string_member (inner, "socket_id");
  g_assert_true (crier_socket_id_is_valid (socket_id));
  g_assert_cmpint (json_object_get_int_member (inner, "activity_timeout"), ==, 120);
  expected = g_strdup_printf ("{\"event\":\"pusher:connection_established\",\"data\":"
                              "\"{\\\"socket_id\\\":\\\"%s\\\",\\\"activity_timeout\\\":120}\"}",
                              socket_id);
  g_assert_cmpstr (g_ptr_array_index (client->texts, 0), ==, expected);

  event = crier_test_server_find_event (f->server, CRIER_MONITOR_CONNECTED, NULL, 0);
  g_assert_nonnull (event);
  g_assert_cmpstr (event->socket_id, ==, socket_id);
  g_assert_cmpstr (event->app_id, ==, APP);
  g_assert_nonnull (event->remote);
  g_assert_true (g_str_has_prefix (event->remote, "127.0.0.1:"));
  g_assert_cmpuint (crier_server_count_connections (f->server->server), ==, 1);
}

/* Socket ids are unique among live connections (§3). */
static void
test_connect_unique_ids (CrierTestFixture *f,
                         gconstpointer     data)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_test_client_free);

  for (guint i = 0; i < 10; i++)
    {
      CrierTestClient *client = crier_test_client_connect (f->server, KEY);

      g_ptr_array_add (clients, client);
      g_assert_false (g_hash_table_contains (seen, client->socket_id));
      g_hash_table_add (seen, client->socket_id);
    }
  g_assert_cmpuint (crier_server_count_connections (f->server->server), ==, 10);
}

static void
test_connect_unknown_key (CrierTestFixture *f,
                          gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_open (
    f->server, "/app/no-such-key?protocol=7&client=js&version=8.6.0", NULL);
  CrierMonitorEvent *event;

  assert_refused (client, 4001, "Application does not exist");
  event = crier_test_server_find_event (f->server, CRIER_MONITOR_AUTH_FAILED, NULL, 0);
  g_assert_nonnull (event);
  g_assert_cmpint (event->code, ==, 4001);
  g_assert_cmpstr (event->message, ==, "Application does not exist");
  g_assert_nonnull (strstr (event->explanation, "Unknown key 'no-such-key': no app has it."));
  g_assert_null (crier_test_server_find_event (f->server, CRIER_MONITOR_CONNECTED, NULL, 0));
  g_assert_cmpuint (crier_server_count_connections (f->server->server), ==, 0);
}

static const char *const bad_protocols[] = {
  "/app/" KEY,
  "/app/" KEY "?client=js&version=8.6.0",
  "/app/" KEY "?protocol=3",
  "/app/" KEY "?protocol=8",
  "/app/" KEY "?protocol=abc",
  "/app/" KEY "?protocol=",
};

static void
test_connect_bad_protocol (CrierTestFixture *f,
                           gconstpointer     data)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_protocols); i++)
    {
      g_autoptr (CrierTestClient) client = crier_test_client_open (f->server, bad_protocols[i], NULL);

      g_test_message ("path %s", bad_protocols[i]);
      assert_refused (client, 4007, "Unsupported protocol version");
    }
}

/* Protocols 4 to 7 are accepted. */
static void
test_connect_old_protocols (CrierTestFixture *f,
                            gconstpointer     data)
{
  for (int protocol = 4; protocol <= 7; protocol++)
    {
      g_autofree char *path = g_strdup_printf ("/app/%s?protocol=%d", KEY, protocol);
      g_autoptr (CrierTestClient) client = crier_test_client_open (f->server, path, NULL);
      g_autoptr (JsonObject) message G_GNUC_UNUSED = crier_test_client_expect (client, "pusher:connection_established", NULL);
    }
}

static const char *const bad_paths[] = {
  "/foo?protocol=7",
  "/app/?protocol=7",
  "/app/" KEY "/extra?protocol=7",
  "/apps/" KEY "?protocol=7",
  "/?protocol=7",
};

static void
test_connect_bad_path (CrierTestFixture *f,
                       gconstpointer     data)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_paths); i++)
    {
      g_autoptr (CrierTestClient) client = crier_test_client_open (f->server, bad_paths[i], NULL);

      g_test_message ("path %s", bad_paths[i]);
      assert_refused (client, 4005, "Path not found");
    }
}

static void
test_connect_disabled (CrierTestFixture *f,
                       gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_open (f->server, "/app/off-key?protocol=7", NULL);

  assert_refused (client, 4003, "Application disabled");
}

static void
test_connect_max_connections (CrierTestFixture *f,
                              gconstpointer     data)
{
  g_autoptr (CrierTestClient) first = crier_test_client_connect (f->server, "small-key");
  g_autoptr (CrierTestClient) second = crier_test_client_open (f->server, "/app/small-key?protocol=7", NULL);
  g_autoptr (CrierTestClient) third = NULL;
  g_autoptr (CrierTestClient) other_app G_GNUC_UNUSED = crier_test_client_connect (f->server, KEY);

  assert_refused (second, 4004, "Application is over connection quota");
  /* The first is untouched, and once it is gone there is room again. */
  crier_test_client_sync (first);
  soup_websocket_connection_close (first->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  crier_test_client_wait_closed (first);
  crier_test_wait_until (crier_test_server_count_events (f->server, CRIER_MONITOR_DISCONNECTED, NULL) == 1,
                         CRIER_TEST_TIMEOUT);
  third = crier_test_client_connect (f->server, "small-key");
  g_assert_nonnull (third->socket_id);
}

static void
test_connect_origin (CrierTestFixture *f,
                     gconstpointer     data)
{
  g_autoptr (CrierTestClient) bad = crier_test_client_open (f->server, "/app/origins-key?protocol=7",
                                                            "https://evil.example");
  g_autoptr (CrierTestClient) none = crier_test_client_open (f->server, "/app/origins-key?protocol=7", NULL);
  g_autoptr (CrierTestClient) good = crier_test_client_open (f->server, "/app/origins-key?protocol=7",
                                                             "https://good.example");
  g_autoptr (JsonObject) established = NULL;
  CrierMonitorEvent *event;

  assert_refused (bad, 4009, "Origin not allowed");
  assert_refused (none, 4009, "Origin not allowed");
  established = crier_test_client_expect (good, "pusher:connection_established", NULL);
  event = crier_test_server_find_event (f->server, CRIER_MONITOR_AUTH_FAILED, NULL, 0);
  g_assert_nonnull (event);
  g_assert_cmpint (event->code, ==, 4009);
  g_assert_cmpstr (event->app_id, ==, "origins");
  g_assert_nonnull (strstr (event->explanation, "Origin 'https://evil.example' is not in the allowed-origins"));
}

/* Bad input */

static void
test_input_invalid_json (CrierTestFixture *f,
                         gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  const char *bad[] = { "not json", "[1,2]", "{\"data\":{}}", "{\"event\":5}", "\"pusher:ping\"" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *message = NULL;

      crier_test_client_send (client, bad[i]);
      message = crier_test_client_expect_error (client, 0);
      g_assert_cmpstr (message, ==, "Received invalid JSON");
    }
  /* The connection is still usable. */
  crier_test_client_sync (client);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_PROTOCOL_ERROR, NULL), ==,
                    G_N_ELEMENTS (bad));
}

static void
test_input_binary (CrierTestFixture *f,
                   gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  g_autofree char *message = NULL;
  g_autoptr (JsonObject) ok = NULL;

  soup_websocket_connection_send_binary (client->ws, "{\"event\":\"pusher:ping\"}", 23);
  message = crier_test_client_expect_error (client, 0);
  g_assert_cmpstr (message, ==, "Binary frames are not supported");
  ok = crier_test_client_subscribe (client, "orders", NULL, NULL);
}

static void
test_input_unknown_event (CrierTestFixture *f,
                          gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  g_autofree char   *plain = NULL;
  g_autofree char   *reserved = NULL;
  CrierMonitorEvent *event;

  crier_test_client_send (client, "{\"event\":\"typing\",\"data\":{},\"channel\":\"private-a\"}");
  plain = crier_test_client_expect_error (client, 0);
  g_assert_cmpstr (plain, ==, "Client event rejected - client events must be prefixed by 'client-'");
  crier_test_client_send (client, "{\"event\":\"pusher:frobnicate\",\"data\":{}}");
  reserved = crier_test_client_expect_error (client, 0);
  g_assert_cmpstr (reserved, ==, "Unsupported event 'pusher:frobnicate'");
  crier_test_client_sync (client);
  event = crier_test_server_find_event (f->server, CRIER_MONITOR_PROTOCOL_ERROR, NULL, 0);
  g_assert_nonnull (event);
  g_assert_cmpstr (event->socket_id, ==, client->socket_id);
  g_assert_cmpstr (event->message, ==, plain);
}

static void
test_input_ping (CrierTestFixture *f,
                 gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) pong = NULL;

  crier_test_client_send (client, "{\"event\":\"pusher:ping\",\"data\":{}}");
  pong = crier_test_client_expect (client, "pusher:pong", NULL);
  /* Pusher's exact frame (§4). */
  g_assert_cmpstr (g_ptr_array_index (client->texts, client->texts->len - 1), ==,
                   "{\"event\":\"pusher:pong\",\"data\":\"{}\"}");
  /* pusher:pong from the client is activity only: no answer. */
  crier_test_client_send (client, "{\"event\":\"pusher:pong\",\"data\":{}}");
  crier_test_client_sync (client);
  crier_test_client_assert_no_message (client);
}

/* Frames between 126 bytes and the limit take the extended length forms. */
static void
test_input_large_frame (CrierTestFixture *f,
                        gconstpointer     data)
{
  g_autoptr (CrierTestClient) sender = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) receiver = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) a G_GNUC_UNUSED = crier_test_client_subscribe_signed (
    sender, KEY, SECRET, "private-big", NULL);
  g_autoptr (JsonObject) b G_GNUC_UNUSED = crier_test_client_subscribe_signed (
    receiver, KEY, SECRET, "private-big", NULL);
  g_autofree char *payload = g_strnfill (3000, 'y');
  g_autoptr (JsonObject) relayed = NULL;

  crier_test_client_sendf (sender, "{\"event\":\"client-big\",\"data\":\"%s\",\"channel\":\"private-big\"}", payload);
  relayed = crier_test_client_expect (receiver, "client-big", "private-big");
  crier_test_assert_data_string (relayed, payload);
}

static void
test_input_oversized_frame (CrierTestFixture *f,
                            gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  g_autofree char   *payload = g_strnfill (5000, 'z');
  CrierMonitorEvent *event;

  /* Over max-frame-size (4096): close 1009, message too big (§13.3). */
  crier_test_client_sendf (client, "{\"event\":\"client-big\",\"data\":\"%s\",\"channel\":\"private-big\"}", payload);
  crier_test_client_wait_closed (client);
  g_assert_cmpuint (client->close_code, ==, 1009);
  event = crier_test_server_find_event (f->server, CRIER_MONITOR_PROTOCOL_ERROR, NULL, 0);
  g_assert_nonnull (event);
  g_assert_cmpint (event->code, ==, 1009);
}

/* Liveness */

static void
test_liveness_pong_timeout (CrierTestFixture *f,
                            gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) ping = NULL;

  /* libsoup answers WebSocket pings by itself, but the server pings protocol-7 clients
   * with pusher:ping, which this client ignores. */
  ping = crier_test_client_expect (client, "pusher:ping", NULL);
  crier_test_assert_data_string (ping, "{}");
  crier_test_wait_until (client->closed, 10);
  g_assert_cmpuint (client->close_code, ==, 4201);
  g_assert_cmpstr (client->close_reason, ==, "Pong reply not received");
}

static void
test_liveness_answered (CrierTestFixture *f,
                        gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);

  /* Each pusher:ping answered with pusher:pong: the second ping can only come after the
   * first one's deadline passed without a close. */
  for (int i = 0; i < 2; i++)
    {
      g_autoptr (JsonObject) ping = NULL;

      crier_test_wait_until (!g_queue_is_empty (&client->messages) || client->closed, 10);
      ping = crier_test_client_expect (client, "pusher:ping", NULL);
      crier_test_client_send (client, "{\"event\":\"pusher:pong\",\"data\":{}}");
    }
  g_assert_false (client->closed);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  CRIER_TEST_ADD ("/server/connect/established", test_connect_established, NULL);
  CRIER_TEST_ADD ("/server/connect/unique-ids", test_connect_unique_ids, NULL);
  CRIER_TEST_ADD ("/server/connect/unknown-key", test_connect_unknown_key, NULL);
  CRIER_TEST_ADD ("/server/connect/bad-protocol", test_connect_bad_protocol, NULL);
  CRIER_TEST_ADD ("/server/connect/old-protocols", test_connect_old_protocols, NULL);
  CRIER_TEST_ADD ("/server/connect/bad-path", test_connect_bad_path, NULL);
  CRIER_TEST_ADD ("/server/connect/disabled", test_connect_disabled, NULL);
  CRIER_TEST_ADD ("/server/connect/max-connections", test_connect_max_connections, NULL);
  CRIER_TEST_ADD ("/server/connect/origin", test_connect_origin, NULL);
  CRIER_TEST_ADD ("/server/input/invalid-json", test_input_invalid_json, NULL);
  CRIER_TEST_ADD ("/server/input/binary", test_input_binary, NULL);
  CRIER_TEST_ADD ("/server/input/unknown-event", test_input_unknown_event, NULL);
  CRIER_TEST_ADD ("/server/input/ping", test_input_ping, NULL);
  CRIER_TEST_ADD ("/server/input/large-frame", test_input_large_frame, NULL);
  CRIER_TEST_ADD ("/server/input/oversized-frame", test_input_oversized_frame, NULL);
  CRIER_TEST_ADD ("/server/liveness/pong-timeout", test_liveness_pong_timeout, liveness_config);
  CRIER_TEST_ADD ("/server/liveness/answered", test_liveness_answered, liveness_config);

  return g_test_run ();
}
