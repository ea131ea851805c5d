/* test-server.c — a real CrierServer on 127.0.0.1 driven by libsoup WebSocket clients:
 * the protocol end to end (pusher-protocol.md §2-13), the monitor stream, the query API
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-names.h"
#include "crier-test-utils.h"

/* One app per limit, so each test reaches the behaviour it needs by the key it uses. */
static const char *default_config =
  "[server]\n"
  "max-frame-size = 4096\n"
  "\n"
  "[app:3]\n"
  "key = 278d425bdf160c739803\n"
  "secret = 7ad3773142a6692b25b8\n"
  "\n"
  "[app:members]\n"
  "key = members-key\n"
  "secret = members-secret\n"
  "max-presence-members = 1\n"
  "\n"
  "[app:rate]\n"
  "key = rate-key\n"
  "secret = rate-secret\n"
  "client-events-per-second = 2\n"
  "\n"
  "[app:quiet]\n"
  "key = quiet-key\n"
  "secret = quiet-secret\n"
  "client-events = false\n"
  "\n"
  "[app:small]\n"
  "key = small-key\n"
  "secret = small-secret\n"
  "max-connections = 1\n"
  "\n"
  "[app:origins]\n"
  "key = origins-key\n"
  "secret = origins-secret\n"
  "allowed-origins = https://good.example\n"
  "\n"
  "[app:off]\n"
  "key = off-key\n"
  "secret = off-secret\n"
  "enabled = false\n";

/* Short liveness timers: the sweep runs every second. */
static const char *liveness_config =
  "[server]\n"
  "activity-timeout = 1\n"
  "pong-timeout = 1\n"
  "\n"
  "[app:3]\n"
  "key = 278d425bdf160c739803\n"
  "secret = 7ad3773142a6692b25b8\n";

#define KEY    CRIER_TEST_APP_KEY
#define SECRET CRIER_TEST_APP_SECRET
#define APP    CRIER_TEST_APP_ID

typedef struct
{
  CrierTestServer *server;
} Fixture;

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  f->server = crier_test_server_new (data != NULL ? data : default_config);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_pointer (&f->server, crier_test_server_free);
}

/* Helpers */

static CrierTestClient *
connect_client (Fixture *f)
{
  return crier_test_client_connect (f->server, KEY);
}

static void
assert_data_string (JsonObject *message,
                    const char *expected)
{
  JsonNode *data = json_object_get_member (message, "data");

  g_assert_nonnull (data);
  g_assert_true (JSON_NODE_HOLDS_VALUE (data));
  g_assert_cmpint (json_node_get_value_type (data), ==, G_TYPE_STRING);
  g_assert_cmpstr (json_node_get_string (data), ==, expected);
}

static JsonObject *
subscribe_private (CrierTestClient *client,
                   const char      *channel)
{
  g_autofree char *auth = crier_test_channel_auth (KEY, SECRET, client->socket_id, channel, NULL);

  return crier_test_client_subscribe (client, channel, auth, NULL);
}

static char *
member_data (const char *user_id_json,
             const char *name)
{
  return g_strdup_printf ("{\"user_id\":%s,\"user_info\":{\"name\":\"%s\"}}", user_id_json, name);
}

static void
send_subscribe_presence (CrierTestClient *client,
                         const char      *key,
                         const char      *secret,
                         const char      *channel,
                         const char      *channel_data)
{
  g_autofree char *auth = crier_test_channel_auth (key, secret, client->socket_id, channel,
                                                   channel_data);

  crier_test_client_send_subscribe (client, channel, auth, channel_data);
}

static JsonObject *
subscribe_presence (CrierTestClient *client,
                    const char      *channel,
                    const char      *channel_data)
{
  send_subscribe_presence (client, KEY, SECRET, channel, channel_data);
  return crier_test_client_expect (client, "pusher_internal:subscription_succeeded", channel);
}

static void
publish (Fixture    *f,
         const char *channel,
         const char *event,
         const char *data,
         const char *except)
{
  const char *channels[] = { channel, NULL };
  g_autoptr (GError) error = NULL;

  g_assert_true (crier_server_publish (f->server->server, APP, channels, event, data, except, &error));
  g_assert_no_error (error);
}

static void
sign_in (CrierTestClient *client,
         const char      *user_data)
{
  g_autofree char *auth = crier_test_user_auth (KEY, SECRET, client->socket_id, user_data);
  g_autoptr (JsonNode) quoted = json_node_init_string (json_node_alloc (), user_data);
  g_autofree char *quoted_text = json_to_string (quoted, FALSE);
  g_autoptr (JsonObject) success = NULL;
  JsonObject *data;

  crier_test_client_sendf (client, "{\"event\":\"pusher:signin\",\"data\":{\"auth\":\"%s\",\"user_data\":%s}}",
                           auth, quoted_text);
  success = crier_test_client_expect (client, "pusher:signin_success", NULL);
  /* An object holding the same user_data string (§6.4). */
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (success, "data")));
  data = json_object_get_object_member (success, "data");
  g_assert_cmpstr (json_object_get_string_member (data, "user_data"), ==, user_data);
}

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
test_connect_established (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_open (
    f->server, "/app/" KEY "?protocol=7&client=js&version=8.6.0&flash=false", NULL);
  g_autoptr (JsonObject) message = crier_test_client_next (client);
  g_autoptr (JsonObject) inner = NULL;
  g_autofree char *expected = NULL;
  CrierMonitorEvent *event;
  const char *socket_id;

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
test_connect_unique_ids (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_test_client_free);

  for (guint i = 0; i < 10; i++)
    {
      CrierTestClient *client = connect_client (f);

      g_ptr_array_add (clients, client);
      g_assert_false (g_hash_table_contains (seen, client->socket_id));
      g_hash_table_add (seen, client->socket_id);
    }
  g_assert_cmpuint (crier_server_count_connections (f->server->server), ==, 10);
}

static void
test_connect_unknown_key (Fixture      *f,
                          gconstpointer data)
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

static const char * const bad_protocols[] = {
  "/app/" KEY,
  "/app/" KEY "?client=js&version=8.6.0",
  "/app/" KEY "?protocol=3",
  "/app/" KEY "?protocol=8",
  "/app/" KEY "?protocol=abc",
  "/app/" KEY "?protocol=",
};

static void
test_connect_bad_protocol (Fixture      *f,
                           gconstpointer data)
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
test_connect_old_protocols (Fixture      *f,
                            gconstpointer data)
{
  for (int protocol = 4; protocol <= 7; protocol++)
    {
      g_autofree char *path = g_strdup_printf ("/app/%s?protocol=%d", KEY, protocol);
      g_autoptr (CrierTestClient) client = crier_test_client_open (f->server, path, NULL);
      g_autoptr (JsonObject) message = crier_test_client_expect (client, "pusher:connection_established", NULL);
    }
}

static const char * const bad_paths[] = {
  "/foo?protocol=7",
  "/app/?protocol=7",
  "/app/" KEY "/extra?protocol=7",
  "/apps/" KEY "?protocol=7",
  "/?protocol=7",
};

static void
test_connect_bad_path (Fixture      *f,
                       gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_paths); i++)
    {
      g_autoptr (CrierTestClient) client = crier_test_client_open (f->server, bad_paths[i], NULL);

      g_test_message ("path %s", bad_paths[i]);
      assert_refused (client, 4005, "Path not found");
    }
}

static void
test_connect_disabled (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_open (f->server, "/app/off-key?protocol=7", NULL);

  assert_refused (client, 4003, "Application disabled");
}

static void
test_connect_max_connections (Fixture      *f,
                              gconstpointer data)
{
  g_autoptr (CrierTestClient) first = crier_test_client_connect (f->server, "small-key");
  g_autoptr (CrierTestClient) second = crier_test_client_open (f->server, "/app/small-key?protocol=7", NULL);
  g_autoptr (CrierTestClient) third = NULL;
  g_autoptr (CrierTestClient) other_app = connect_client (f);

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
test_connect_origin (Fixture      *f,
                     gconstpointer data)
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

/* Subscriptions */

static void
test_subscribe_public (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  g_autoptr (JsonObject) succeeded = crier_test_client_subscribe (client, "orders", NULL, NULL);
  g_autoptr (JsonObject) event = NULL;

  /* Pusher's frame: "data":"{}" as a string (§7.3). */
  assert_data_string (succeeded, "{}");
  g_assert_cmpstr (g_ptr_array_index (client->texts, client->texts->len - 1), ==,
                   "{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{}\",\"channel\":\"orders\"}");
  publish (f, "orders", "created", "{\"id\":1}", NULL);
  event = crier_test_client_expect (client, "created", "orders");
  assert_data_string (event, "{\"id\":1}");
}

/* pusher-js omits "auth" on public channels in some versions; other clients send data as a
 * JSON string (§2.4). */
static void
test_subscribe_variants (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  g_autoptr (JsonObject) first = NULL;
  g_autoptr (JsonObject) second = NULL;

  crier_test_client_send (client, "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"no-auth\"}}");
  first = crier_test_client_expect (client, "pusher_internal:subscription_succeeded", "no-auth");
  crier_test_client_send (client, "{\"event\":\"pusher:subscribe\",\"data\":\"{\\\"channel\\\":\\\"as-string\\\"}\"}");
  second = crier_test_client_expect (client, "pusher_internal:subscription_succeeded", "as-string");
}

static void
test_subscribe_twice (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  g_autoptr (JsonObject) first = crier_test_client_subscribe (client, "orders", NULL, NULL);
  g_autoptr (JsonObject) second = crier_test_client_subscribe (client, "orders", NULL, NULL);
  g_autoptr (CrierChannelInfo) info = crier_server_dup_channel (f->server->server, APP, "orders");
  g_autoptr (JsonObject) event = NULL;

  /* Idempotent: one membership, one delivery (§6.1). */
  g_assert_cmpuint (info->subscription_count, ==, 1);
  publish (f, "orders", "e", "1", NULL);
  event = crier_test_client_expect (client, "e", "orders");
  crier_test_client_sync (client);
  crier_test_client_assert_no_message (client);
}

static void
test_subscribe_private (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  g_autoptr (JsonObject) succeeded = subscribe_private (client, "private-foobar");
  g_autoptr (JsonObject) encrypted = subscribe_private (client, "private-encrypted-foobar");
  g_autoptr (JsonObject) event = NULL;

  assert_data_string (succeeded, "{}");
  assert_data_string (encrypted, "{}");
  publish (f, "private-foobar", "e", "{\"secret\":true}", NULL);
  event = crier_test_client_expect (client, "e", "private-foobar");
}

static void
test_subscribe_private_bad_signature (Fixture      *f,
                                      gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  /* Signed for another socket: what a replayed auth looks like. */
  g_autofree char *auth = crier_test_channel_auth (KEY, SECRET, "1234.1234", "private-foobar", NULL);
  g_autofree char *expected = g_strdup_printf (
    "Invalid signature: Expected HMAC SHA256 hex digest of %s:private-foobar, but got %s",
    client->socket_id, strchr (auth, ':') + 1);
  g_autofree char *message = NULL;
  g_autoptr (CrierChannelInfo) info = NULL;
  CrierMonitorEvent *event;

  crier_test_client_send_subscribe (client, "private-foobar", auth, NULL);
  message = crier_test_client_expect_error (client, 0);
  g_assert_cmpstr (message, ==, expected);

  /* Not subscribed: a publish does not reach it, and the connection stays (§6.1). */
  publish (f, "private-foobar", "e", "{}", NULL);
  crier_test_client_sync (client);
  crier_test_client_assert_no_message (client);
  info = crier_server_dup_channel (f->server->server, APP, "private-foobar");
  g_assert_cmpuint (info->subscription_count, ==, 0);

  event = crier_test_server_find_event (f->server, CRIER_MONITOR_AUTH_FAILED, "private-foobar", 0);
  g_assert_nonnull (event);
  g_assert_cmpstr (event->socket_id, ==, client->socket_id);
  g_assert_cmpstr (event->message, ==, expected);
  g_assert_null (crier_test_server_find_event (f->server, CRIER_MONITOR_SUBSCRIBED, NULL, 0));
}

typedef struct
{
  const char *name;
  const char *channel;
  const char *auth;    /* NULL: "" */
  const char *message; /* exact */
} RefusedCase;

static const RefusedCase refused_cases[] = {
  { "no-auth", "private-foobar", NULL, "Auth info required to subscribe to private-foobar" },
  { "no-auth-presence", "presence-foobar", NULL, "Auth info required to subscribe to presence-foobar" },
  { "wrong-key", "private-foobar", "not-the-key:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4",
    "Invalid key in subscription auth data: 'not-the-key'" },
  { "invalid-name", "foo bar", NULL, "Invalid channel name 'foo bar'" },
  { "hash-name", "#orders", NULL, "Invalid channel name '#orders'" },
  { "presence-no-channel-data", "presence-foobar", KEY ":00",
    "Presence channel subscription requires channel_data or a signed-in user" },
};

static void
test_subscribe_refused (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);

  for (guint i = 0; i < G_N_ELEMENTS (refused_cases); i++)
    {
      const RefusedCase *c = &refused_cases[i];
      g_autofree char *message = NULL;

      g_test_message ("case %s", c->name);
      crier_test_client_send_subscribe (client, c->channel, c->auth, NULL);
      message = crier_test_client_expect_error (client, 0);
      g_assert_cmpstr (message, ==, c->message);
    }
  /* A channel name over 164 characters. */
  {
    g_autofree char *name = g_strnfill (165, 'x');
    g_autofree char *message = NULL;

    crier_test_client_send_subscribe (client, name, NULL, NULL);
    message = crier_test_client_expect_error (client, 0);
    g_assert_cmpstr (message, ==, "Channel name too long (max 164 characters)");
  }
  /* No channel at all. */
  {
    g_autofree char *message = NULL;

    crier_test_client_send (client, "{\"event\":\"pusher:subscribe\",\"data\":{}}");
    message = crier_test_client_expect_error (client, 0);
    g_assert_cmpstr (message, ==, "Invalid subscription: data.channel must be a string");
  }
  crier_test_client_sync (client);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_SUBSCRIBED, NULL), ==, 0);
}

static void
test_unsubscribe (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  g_autoptr (CrierTestClient) other = connect_client (f);
  g_autoptr (JsonObject) succeeded = crier_test_client_subscribe (client, "orders", NULL, NULL);
  g_autoptr (JsonObject) other_succeeded = crier_test_client_subscribe (other, "orders", NULL, NULL);
  g_autoptr (JsonObject) delivered = NULL;

  crier_test_client_send (client, "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"orders\"}}");
  /* No reply (§6.2); unsubscribing from a channel never joined is ignored. */
  crier_test_client_send (client, "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"never\"}}");
  crier_test_client_sync (client);
  crier_test_client_assert_no_message (client);
  publish (f, "orders", "e", "{}", NULL);
  delivered = crier_test_client_expect (other, "e", "orders");
  crier_test_client_sync (client);
  crier_test_client_assert_no_message (client);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_UNSUBSCRIBED, "orders"), ==, 1);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_CHANNEL_VACATED, "orders"), ==, 0);
}

/* Presence */

static void
assert_presence (JsonObject         *succeeded,
                 const char * const *ids,
                 const char * const *names)
{
  g_autoptr (JsonObject) data = crier_test_dup_data_object (succeeded);
  JsonObject *presence = json_object_get_object_member (data, "presence");
  JsonArray *id_array = json_object_get_array_member (presence, "ids");
  JsonObject *hash = json_object_get_object_member (presence, "hash");
  guint n = g_strv_length ((GStrv) ids);

  /* data is a JSON string (§7.3). */
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (succeeded, "data")), ==, G_TYPE_STRING);
  g_assert_cmpint (json_object_get_int_member (presence, "count"), ==, n);
  g_assert_cmpuint (json_array_get_length (id_array), ==, n);
  g_assert_cmpuint (json_object_get_size (hash), ==, n);
  for (guint i = 0; i < n; i++)
    {
      gboolean found = FALSE;
      JsonNode *member;

      /* Ids are strings, in any order. */
      for (guint j = 0; j < n; j++)
        {
          JsonNode *element = json_array_get_element (id_array, j);

          g_assert_cmpint (json_node_get_value_type (element), ==, G_TYPE_STRING);
          found |= g_str_equal (json_node_get_string (element), ids[i]);
        }
      g_assert_true (found);
      member = json_object_get_member (hash, ids[i]);
      g_assert_nonnull (member);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (member), "name"), ==, names[i]);
    }
}

static void
test_presence_members (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr (CrierTestClient) ann = connect_client (f);
  g_autoptr (CrierTestClient) bob = connect_client (f);
  g_autoptr (CrierTestClient) bob2 = connect_client (f);
  g_autofree char *ann_data = member_data ("\"1\"", "Ann");
  g_autofree char *bob_data = member_data ("\"2\"", "Bob");
  g_autoptr (JsonObject) ann_ok = subscribe_presence (ann, "presence-room", ann_data);
  g_autoptr (JsonObject) bob_ok = NULL;
  g_autoptr (JsonObject) bob2_ok = NULL;
  g_autoptr (JsonObject) added = NULL;
  g_autoptr (JsonObject) removed = NULL;
  g_autoptr (JsonObject) added_data = NULL;

  assert_presence (ann_ok, (const char * const[]) { "1", NULL }, (const char * const[]) { "Ann", NULL });

  bob_ok = subscribe_presence (bob, "presence-room", bob_data);
  assert_presence (bob_ok, (const char * const[]) { "1", "2", NULL },
                   (const char * const[]) { "Ann", "Bob", NULL });
  added = crier_test_client_expect (ann, "pusher_internal:member_added", "presence-room");
  added_data = crier_test_dup_data_object (added);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (added, "data")), ==, G_TYPE_STRING);
  g_assert_cmpstr (json_object_get_string_member (added_data, "user_id"), ==, "2");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (added_data, "user_info"), "name"),
                   ==, "Bob");

  /* Bob's second tab: no member_added, the count stays 2 (§9.2). */
  bob2_ok = subscribe_presence (bob2, "presence-room", bob_data);
  assert_presence (bob2_ok, (const char * const[]) { "1", "2", NULL },
                   (const char * const[]) { "Ann", "Bob", NULL });
  crier_test_client_sync (ann);
  crier_test_client_sync (bob);
  crier_test_client_assert_no_message (ann);
  crier_test_client_assert_no_message (bob); /* never its own member_added */

  /* One of Bob's sockets leaves: nothing; the last one: member_removed. */
  g_clear_pointer (&bob, crier_test_client_free);
  crier_test_wait_until (crier_test_server_count_events (f->server, CRIER_MONITOR_DISCONNECTED, NULL) == 1,
                         CRIER_TEST_TIMEOUT);
  crier_test_client_sync (ann);
  crier_test_client_assert_no_message (ann);
  crier_test_client_send (bob2, "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"presence-room\"}}");
  removed = crier_test_client_expect (ann, "pusher_internal:member_removed", "presence-room");
  assert_data_string (removed, "{\"user_id\":\"2\"}");
  crier_test_client_sync (bob2);
  crier_test_client_assert_no_message (bob2);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_MEMBER_ADDED, "presence-room"), ==, 2);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_MEMBER_REMOVED, "presence-room"), ==, 1);
}

/* A numeric user_id is a member id in its decimal text (§8.4). */
static void
test_presence_numeric_id (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  g_autofree char *channel_data = member_data ("10", "Mr. Channels");
  g_autoptr (JsonObject) ok = subscribe_presence (client, "presence-foobar", channel_data);
  g_autoptr (GPtrArray) members = NULL;

  assert_presence (ok, (const char * const[]) { "10", NULL }, (const char * const[]) { "Mr. Channels", NULL });
  members = crier_server_dup_members (f->server->server, APP, "presence-foobar");
  g_assert_cmpuint (members->len, ==, 1);
  g_assert_cmpstr (((CrierMemberInfo *) g_ptr_array_index (members, 0))->user_id, ==, "10");
  g_assert_cmpstr (((CrierMemberInfo *) g_ptr_array_index (members, 0))->user_info, ==,
                   "{\"name\":\"Mr. Channels\"}");
}

/* The signature covers channel_data exactly as received, never a re-serialisation (§8.4). */
static void
test_presence_channel_data_verbatim (Fixture      *f,
                                     gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  const char *spaced = "{ \"user_info\" : {\"name\":\"Ann\"}, \"user_id\" : \"1\" }";
  g_autoptr (JsonObject) ok = subscribe_presence (client, "presence-a", spaced);

  assert_presence (ok, (const char * const[]) { "1", NULL }, (const char * const[]) { "Ann", NULL });
}

static void
test_presence_bad_channel_data (Fixture      *f,
                                gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  const char *bad[] = { "not json", "{\"user_info\":{}}", "{\"user_id\":\"\"}", "{\"user_id\":true}" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *message = NULL;

      send_subscribe_presence (client, KEY, SECRET, "presence-a", bad[i]);
      message = crier_test_client_expect_error (client, 0);
      g_assert_true (g_str_has_prefix (message, "Invalid channel_data: "));
    }
  crier_test_client_sync (client);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_SUBSCRIBED, NULL), ==, 0);
}

static void
test_presence_limit (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (CrierTestClient) one = crier_test_client_connect (f->server, "members-key");
  g_autoptr (CrierTestClient) two = crier_test_client_connect (f->server, "members-key");
  g_autoptr (CrierTestClient) one_again = crier_test_client_connect (f->server, "members-key");
  g_autofree char *one_data = member_data ("\"1\"", "One");
  g_autofree char *two_data = member_data ("\"2\"", "Two");
  g_autoptr (JsonObject) ok = NULL;
  g_autoptr (JsonObject) ok_again = NULL;
  g_autofree char *message = NULL;

  send_subscribe_presence (one, "members-key", "members-secret", "presence-full", one_data);
  ok = crier_test_client_expect (one, "pusher_internal:subscription_succeeded", "presence-full");
  /* A second user is refused (§9.3)... */
  send_subscribe_presence (two, "members-key", "members-secret", "presence-full", two_data);
  message = crier_test_client_expect_error (two, 0);
  g_assert_cmpstr (message, ==, "Presence channel presence-full is full (1 members)");
  /* ...the same user's second socket adds no member and is accepted. */
  send_subscribe_presence (one_again, "members-key", "members-secret", "presence-full", one_data);
  ok_again = crier_test_client_expect (one_again, "pusher_internal:subscription_succeeded", "presence-full");
  assert_presence (ok_again, (const char * const[]) { "1", NULL }, (const char * const[]) { "One", NULL });
  crier_test_client_sync (one);
  crier_test_client_assert_no_message (one);
}

/* Client events */

static void
test_client_event_relay (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (CrierTestClient) sender = connect_client (f);
  g_autoptr (CrierTestClient) receiver = connect_client (f);
  g_autoptr (JsonObject) a = subscribe_private (sender, "private-chat");
  g_autoptr (JsonObject) b = subscribe_private (receiver, "private-chat");
  g_autoptr (JsonObject) relayed = NULL;
  g_autoptr (JsonObject) relayed_string = NULL;

  crier_test_client_send (sender, "{\"event\":\"client-typing\",\"data\":{\"name\":\"Taylor\"},\"channel\":\"private-chat\"}");
  relayed = crier_test_client_expect (receiver, "client-typing", "private-chat");
  /* data relayed as a string; user_id only on presence channels (§10.3, §10.4). */
  assert_data_string (relayed, "{\"name\":\"Taylor\"}");
  g_assert_false (json_object_has_member (relayed, "user_id"));
  /* A string data is forwarded unchanged. */
  crier_test_client_send (sender, "{\"event\":\"client-x\",\"data\":\"{\\\"a\\\":1}\",\"channel\":\"private-chat\"}");
  relayed_string = crier_test_client_expect (receiver, "client-x", "private-chat");
  assert_data_string (relayed_string, "{\"a\":1}");
  /* Never echoed to the sender. */
  crier_test_client_sync (sender);
  crier_test_client_assert_no_message (sender);
}

static void
test_client_event_presence (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (CrierTestClient) sender = connect_client (f);
  g_autoptr (CrierTestClient) receiver = connect_client (f);
  g_autofree char *sender_data = member_data ("\"1\"", "Ann");
  g_autofree char *receiver_data = member_data ("\"2\"", "Bob");
  g_autoptr (JsonObject) a = subscribe_presence (sender, "presence-chat.1", sender_data);
  g_autoptr (JsonObject) b = subscribe_presence (receiver, "presence-chat.1", receiver_data);
  g_autoptr (JsonObject) added = crier_test_client_expect (sender, "pusher_internal:member_added", NULL);
  g_autoptr (JsonObject) relayed = NULL;

  /* user_id comes from the subscription, never from the payload. */
  crier_test_client_send (sender, "{\"event\":\"client-typing\",\"data\":{\"name\":\"Taylor\"},"
                                  "\"channel\":\"presence-chat.1\",\"user_id\":\"forged\"}");
  relayed = crier_test_client_expect (receiver, "client-typing", "presence-chat.1");
  g_assert_cmpstr (json_object_get_string_member (relayed, "user_id"), ==, "1");
  assert_data_string (relayed, "{\"name\":\"Taylor\"}");
  g_assert_cmpstr (g_ptr_array_index (receiver->texts, receiver->texts->len - 1), ==,
                   "{\"event\":\"client-typing\",\"data\":\"{\\\"name\\\":\\\"Taylor\\\"}\","
                   "\"channel\":\"presence-chat.1\",\"user_id\":\"1\"}");
}

typedef struct
{
  const char *name;
  const char *key;
  const char *channel;   /* the receiver subscribes here; the sender too unless not_subscribed */
  gboolean    subscribe_sender;
  const char *message;
} ClientRefusedCase;

static const ClientRefusedCase client_refused_cases[] = {
  { "public", KEY, "public-chat", TRUE,
    "Client event rejected - only supported on private and presence channels" },
  { "cache", KEY, "cache-chat", TRUE,
    "Client event rejected - only supported on private and presence channels" },
  { "encrypted", KEY, "private-encrypted-chat", TRUE,
    "Client events are not supported on encrypted channels" },
  { "unsubscribed", KEY, "private-chat", FALSE,
    "Client event rejected - not subscribed to channel private-chat" },
  { "disabled", "quiet-key", "private-chat", TRUE,
    "To send client events, you must enable this feature in the Settings page of your dashboard." },
};

static void
subscribe_any (CrierTestClient *client,
               const char      *key,
               const char      *secret,
               const char      *channel)
{
  g_autofree char *auth = NULL;
  g_autoptr (JsonObject) ok = NULL;
  g_autoptr (JsonObject) miss = NULL;

  if (crier_channel_type_needs_auth (crier_channel_type_from_name (channel)))
    auth = crier_test_channel_auth (key, secret, client->socket_id, channel, NULL);
  ok = crier_test_client_subscribe (client, channel, auth, NULL);
  if (g_str_has_prefix (channel, "cache-"))
    miss = crier_test_client_expect (client, "pusher:cache_miss", channel);
}

static void
test_client_event_refused (Fixture      *f,
                           gconstpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (client_refused_cases); i++)
    {
      const ClientRefusedCase *c = &client_refused_cases[i];
      const char *secret = g_str_equal (c->key, KEY) ? SECRET : "quiet-secret";
      g_autoptr (CrierTestClient) sender = crier_test_client_connect (f->server, c->key);
      g_autoptr (CrierTestClient) receiver = crier_test_client_connect (f->server, c->key);
      g_autofree char *message = NULL;

      g_test_message ("case %s", c->name);
      subscribe_any (receiver, c->key, secret, c->channel);
      if (c->subscribe_sender)
        subscribe_any (sender, c->key, secret, c->channel);
      crier_test_client_sendf (sender, "{\"event\":\"client-x\",\"data\":{},\"channel\":\"%s\"}", c->channel);
      message = crier_test_client_expect_error (sender, 0);
      g_assert_cmpstr (message, ==, c->message);
      /* Never relayed (§10.1). */
      crier_test_client_sync (sender);
      crier_test_client_sync (receiver);
      crier_test_client_assert_no_message (receiver);
    }
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_CLIENT_EVENT, NULL), ==, 0);
}

static void
test_client_event_rate_limit (Fixture      *f,
                              gconstpointer data)
{
  g_autoptr (CrierTestClient) sender = crier_test_client_connect (f->server, "rate-key");
  g_autoptr (CrierTestClient) receiver = crier_test_client_connect (f->server, "rate-key");
  g_autofree char *sender_auth = crier_test_channel_auth ("rate-key", "rate-secret", sender->socket_id,
                                                          "private-chat", NULL);
  g_autofree char *receiver_auth = crier_test_channel_auth ("rate-key", "rate-secret", receiver->socket_id,
                                                            "private-chat", NULL);
  g_autoptr (JsonObject) a = crier_test_client_subscribe (sender, "private-chat", sender_auth, NULL);
  g_autoptr (JsonObject) b = crier_test_client_subscribe (receiver, "private-chat", receiver_auth, NULL);
  guint errors = 0;
  guint relayed = 0;

  /* 6 events sent at once span at most two one-second windows of 2 events each, so at
   * least 2 are refused, whatever the clock does. */
  for (guint i = 0; i < 6; i++)
    crier_test_client_sendf (sender, "{\"event\":\"client-n\",\"data\":{\"n\":%u},\"channel\":\"private-chat\"}", i);
  crier_test_client_sync (sender);
  while (!g_queue_is_empty (&sender->messages))
    {
      g_autofree char *message = crier_test_client_expect_error (sender, 4301);

      g_assert_cmpstr (message, ==, "Client event rejected due to rate limit");
      errors++;
    }
  crier_test_client_sync (receiver);
  while (!g_queue_is_empty (&receiver->messages))
    {
      g_autoptr (JsonObject) message = crier_test_client_expect (receiver, "client-n", "private-chat");

      relayed++;
    }
  g_assert_cmpuint (errors, >=, 2);
  g_assert_cmpuint (errors + relayed, ==, 6);
  /* 4301 is not a close code: the connection stays (§13.2). */
  g_assert_false (sender->closed);
}

/* Cache channels */

static void
test_cache (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (CrierTestClient) first = connect_client (f);
  g_autoptr (CrierTestClient) second = connect_client (f);
  g_autoptr (JsonObject) ok = crier_test_client_subscribe (first, "cache-location", NULL, NULL);
  g_autoptr (JsonObject) miss = crier_test_client_expect (first, "pusher:cache_miss", "cache-location");
  g_autoptr (JsonObject) ok2 = NULL;
  g_autoptr (JsonObject) replay = NULL;
  CrierMonitorEvent *event;

  /* Nothing cached yet: cache_miss without data (§7.7). */
  g_assert_false (json_object_has_member (miss, "data"));
  event = crier_test_server_find_event (f->server, CRIER_MONITOR_CACHE_MISS, "cache-location", 0);
  g_assert_nonnull (event);

  /* Cached with nobody subscribed; the last publish wins (§11). */
  publish (f, "cache-later", "moved", "{\"lat\":1}", NULL);
  publish (f, "cache-later", "moved", "{\"lat\":2}", NULL);
  ok2 = crier_test_client_subscribe (second, "cache-later", NULL, NULL);
  replay = crier_test_client_expect (second, "moved", "cache-later");
  assert_data_string (replay, "{\"lat\":2}");
  crier_test_client_sync (second);
  crier_test_client_assert_no_message (second);
}

/* Users */

static void
test_signin (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (CrierTestClient) tab1 = connect_client (f);
  g_autoptr (CrierTestClient) tab2 = connect_client (f);
  g_autoptr (CrierTestClient) stranger = connect_client (f);
  g_autoptr (JsonObject) own = NULL;
  g_autoptr (JsonObject) event1 = NULL;
  g_autoptr (JsonObject) event2 = NULL;
  g_autofree char *refused = NULL;
  CrierMonitorEvent *signed_in;

  sign_in (tab1, "{\"id\":\"12345\",\"user_info\":{\"name\":\"Ann\"}}");
  sign_in (tab2, "{\"id\":\"12345\"}");
  signed_in = crier_test_server_find_event (f->server, CRIER_MONITOR_SIGNED_IN, NULL, 0);
  g_assert_nonnull (signed_in);
  g_assert_cmpstr (signed_in->user_id, ==, "12345");
  g_assert_cmpstr (signed_in->socket_id, ==, tab1->socket_id);

  /* pusher-js subscribes to its own #server-to-user- channel after sign-in (§12.2). */
  own = crier_test_client_subscribe (tab1, "#server-to-user-12345", NULL, NULL);
  assert_data_string (own, "{}");
  /* Someone else's is refused, signed in or not. */
  crier_test_client_send_subscribe (tab1, "#server-to-user-999", NULL, NULL);
  refused = crier_test_client_expect_error (tab1, 0);
  g_assert_cmpstr (refused, ==,
                   "Cannot subscribe to #server-to-user-999: the connection is not signed in as user '999'");
  g_clear_pointer (&refused, g_free);
  crier_test_client_send_subscribe (stranger, "#server-to-user-12345", NULL, NULL);
  refused = crier_test_client_expect_error (stranger, 0);
  g_assert_cmpstr (refused, ==,
                   "Cannot subscribe to #server-to-user-12345: the connection is not signed in as user '12345'");

  /* Delivered to every signed-in connection of the user, subscribed or not. */
  publish (f, "#server-to-user-12345", "order-updated", "{\"id\":7}", NULL);
  event1 = crier_test_client_expect (tab1, "order-updated", "#server-to-user-12345");
  event2 = crier_test_client_expect (tab2, "order-updated", "#server-to-user-12345");
  assert_data_string (event1, "{\"id\":7}");
  crier_test_client_sync (stranger);
  crier_test_client_assert_no_message (stranger);
  crier_test_client_sync (tab1);
  crier_test_client_assert_no_message (tab1); /* once, not once per route */
}

static void
test_signin_refused (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  g_autofree char *auth = crier_test_user_auth (KEY, SECRET, "1234.1234", "{\"id\":\"12345\"}");
  g_autofree char *message = NULL;
  g_autofree char *expected = g_strdup_printf (
    "Connection is unauthorized: Invalid signature: Expected HMAC SHA256 hex digest of "
    "%s::user::{\"id\":\"12345\"}, but got %s", client->socket_id, strchr (auth, ':') + 1);
  g_autofree char *numeric_auth = crier_test_user_auth (KEY, SECRET, client->socket_id, "{\"id\":5}");

  crier_test_client_sendf (client, "{\"event\":\"pusher:signin\",\"data\":{\"auth\":\"%s\","
                                   "\"user_data\":\"{\\\"id\\\":\\\"12345\\\"}\"}}", auth);
  message = crier_test_client_expect_error (client, 4009);
  g_assert_cmpstr (message, ==, expected);
  g_clear_pointer (&message, g_free);
  /* A numeric id is refused, not coerced (§6.4). */
  crier_test_client_sendf (client, "{\"event\":\"pusher:signin\",\"data\":{\"auth\":\"%s\","
                                   "\"user_data\":\"{\\\"id\\\":5}\"}}", numeric_auth);
  message = crier_test_client_expect_error (client, 4009);
  g_assert_cmpstr (message, ==, "Connection is unauthorized: user_data.id must be a non-empty string");
  /* The connection stays open and is not signed in. */
  crier_test_client_sync (client);
  publish (f, "#server-to-user-12345", "e", "{}", NULL);
  publish (f, "#server-to-user-5", "e", "{}", NULL);
  crier_test_client_sync (client);
  crier_test_client_assert_no_message (client);
}

/* A signed-in connection joins presence without channel_data, as its sign-in user (§12.1). */
static void
test_signin_presence (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  g_autoptr (JsonObject) ok = NULL;

  sign_in (client, "{\"id\":\"7\",\"user_info\":{\"name\":\"Signed\"}}");
  {
    g_autofree char *auth = crier_test_channel_auth (KEY, SECRET, client->socket_id, "presence-lobby", NULL);

    ok = crier_test_client_subscribe (client, "presence-lobby", auth, NULL);
  }
  assert_presence (ok, (const char * const[]) { "7", NULL }, (const char * const[]) { "Signed", NULL });
}

/* Publishing */

static void
test_publish_exclude (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (CrierTestClient) sender = connect_client (f);
  g_autoptr (CrierTestClient) other = connect_client (f);
  g_autoptr (JsonObject) a = crier_test_client_subscribe (sender, "orders", NULL, NULL);
  g_autoptr (JsonObject) b = crier_test_client_subscribe (other, "orders", NULL, NULL);
  g_autoptr (JsonObject) a2 = crier_test_client_subscribe (sender, "audit", NULL, NULL);
  g_autoptr (JsonObject) b2 = crier_test_client_subscribe (other, "audit", NULL, NULL);
  const char *channels[] = { "orders", "audit", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) first = NULL;
  g_autoptr (JsonObject) second = NULL;

  /* The excluded socket gets nothing on any channel of the request (§14.9). */
  g_assert_true (crier_server_publish (f->server->server, APP, channels, "App\\Events\\Shipped",
                                       "not JSON \"at all\"", sender->socket_id, &error));
  g_assert_no_error (error);
  first = crier_test_client_expect (other, "App\\Events\\Shipped", NULL);
  second = crier_test_client_expect (other, "App\\Events\\Shipped", NULL);
  /* One frame per channel; data byte for byte. */
  g_assert_cmpstr (json_object_get_string_member (first, "channel"), !=,
                   json_object_get_string_member (second, "channel"));
  assert_data_string (first, "not JSON \"at all\"");
  crier_test_client_sync (sender);
  crier_test_client_assert_no_message (sender);
  /* An unknown but well-formed socket id excludes nobody. */
  publish (f, "orders", "e", "{}", "1.1");
  g_clear_pointer (&first, json_object_unref);
  first = crier_test_client_expect (sender, "e", "orders");
}

typedef struct
{
  const char *name;
  const char *app_id;
  const char *channel;
  const char *event;
  const char *data;
  const char *except;
  int         code;
} PublishCase;

static const PublishCase publish_refused[] = {
  { "unknown-app", "nope", "orders", "e", "{}", NULL, CRIER_SERVER_ERROR_UNKNOWN_APP },
  { "no-event", APP, "orders", "", "{}", NULL, CRIER_SERVER_ERROR_INVALID },
  { "reserved-event", APP, "orders", "pusher:subscribe", "{}", NULL, CRIER_SERVER_ERROR_INVALID },
  { "reserved-internal", APP, "orders", "pusher_internal:member_added", "{}", NULL, CRIER_SERVER_ERROR_INVALID },
  { "no-data", APP, "orders", "e", NULL, NULL, CRIER_SERVER_ERROR_INVALID },
  { "bad-channel", APP, "a b", "e", "{}", NULL, CRIER_SERVER_ERROR_INVALID },
  { "bad-socket", APP, "orders", "e", "{}", "abc", CRIER_SERVER_ERROR_INVALID },
};

static void
test_publish_refused (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  g_autoptr (JsonObject) ok = crier_test_client_subscribe (client, "orders", NULL, NULL);
  g_autofree char *big = g_strnfill (10241, 'x');
  g_autofree char *exact = g_strnfill (10240, 'x');
  const char *two[] = { "private-encrypted-a", "orders", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) exact_event = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (publish_refused); i++)
    {
      const PublishCase *c = &publish_refused[i];
      const char *channels[] = { c->channel, NULL };

      g_test_message ("case %s", c->name);
      g_assert_false (crier_server_publish (f->server->server, c->app_id, channels, c->event, c->data,
                                            c->except, &error));
      g_assert_error (error, CRIER_SERVER_ERROR, c->code);
      g_clear_error (&error);
    }
  /* 10 240 bytes of data pass, one more is too large (§16). */
  g_assert_false (crier_server_publish (f->server->server, APP, (const char *[]) { "orders", NULL }, "e", big,
                                        NULL, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "The data content of this event exceeds the allowed maximum (10240 bytes).");
  g_clear_error (&error);
  g_assert_false (crier_server_publish (f->server->server, APP, two, "e", "{}", NULL, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID);
  g_clear_error (&error);
  crier_test_client_sync (client);
  crier_test_client_assert_no_message (client);
  publish (f, "orders", "exact", exact, NULL);
  exact_event = crier_test_client_expect (client, "exact", "orders");
  assert_data_string (exact_event, exact);
}

/* Bad input */

static void
test_input_invalid_json (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
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
test_input_binary (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  g_autofree char *message = NULL;
  g_autoptr (JsonObject) ok = NULL;

  soup_websocket_connection_send_binary (client->ws, "{\"event\":\"pusher:ping\"}", 23);
  message = crier_test_client_expect_error (client, 0);
  g_assert_cmpstr (message, ==, "Binary frames are not supported");
  ok = crier_test_client_subscribe (client, "orders", NULL, NULL);
}

static void
test_input_unknown_event (Fixture      *f,
                          gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  g_autofree char *plain = NULL;
  g_autofree char *reserved = NULL;
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
test_input_ping (Fixture      *f,
                 gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
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
test_input_large_frame (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (CrierTestClient) sender = connect_client (f);
  g_autoptr (CrierTestClient) receiver = connect_client (f);
  g_autoptr (JsonObject) a = subscribe_private (sender, "private-big");
  g_autoptr (JsonObject) b = subscribe_private (receiver, "private-big");
  g_autofree char *payload = g_strnfill (3000, 'y');
  g_autoptr (JsonObject) relayed = NULL;

  crier_test_client_sendf (sender, "{\"event\":\"client-big\",\"data\":\"%s\",\"channel\":\"private-big\"}", payload);
  relayed = crier_test_client_expect (receiver, "client-big", "private-big");
  assert_data_string (relayed, payload);
}

static void
test_input_oversized_frame (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  g_autofree char *payload = g_strnfill (5000, 'z');
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
test_liveness_pong_timeout (Fixture      *f,
                            gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);
  g_autoptr (JsonObject) ping = NULL;

  /* libsoup answers WebSocket pings by itself, but the server pings protocol-7 clients
   * with pusher:ping, which this client ignores. */
  ping = crier_test_client_expect (client, "pusher:ping", NULL);
  assert_data_string (ping, "{}");
  crier_test_wait_until (client->closed, 10);
  g_assert_cmpuint (client->close_code, ==, 4201);
  g_assert_cmpstr (client->close_reason, ==, "Pong reply not received");
}

static void
test_liveness_answered (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (CrierTestClient) client = connect_client (f);

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

/* Shutdown */

static void
test_stop (Fixture      *f,
           gconstpointer data)
{
  g_autoptr (CrierTestClient) a = connect_client (f);
  g_autoptr (CrierTestClient) b = connect_client (f);
  g_autoptr (CrierTestClient) c = crier_test_client_connect (f->server, "members-key");
  g_autoptr (JsonObject) ok = crier_test_client_subscribe (a, "orders", NULL, NULL);
  CrierMonitorEvent *event;

  crier_server_stop (f->server->server, 4200, "Generic reconnect immediately");
  g_assert_false (crier_server_is_running (f->server->server));
  crier_test_client_wait_closed (a);
  crier_test_client_wait_closed (b);
  crier_test_client_wait_closed (c);
  g_assert_cmpuint (a->close_code, ==, 4200);
  g_assert_cmpuint (b->close_code, ==, 4200);
  g_assert_cmpuint (c->close_code, ==, 4200);
  g_assert_cmpstr (a->close_reason, ==, "Generic reconnect immediately");
  crier_test_wait_until (!crier_server_has_connections (f->server->server), CRIER_TEST_TIMEOUT);
  event = crier_test_server_find_event (f->server, CRIER_MONITOR_SERVER_STOPPED, NULL, 0);
  g_assert_nonnull (event);
  g_assert_cmpint (event->code, ==, 4200);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_DISCONNECTED, NULL), ==, 3);
  g_assert_cmpuint (crier_server_count_connections (f->server->server), ==, 0);
  /* Stopping twice is harmless. */
  crier_server_stop (f->server->server, 4200, "again");
}

/* Monitor */

static CrierMonitorEvent *
expect_event (Fixture         *f,
              CrierMonitorKind kind,
              const char      *channel,
              guint           *from)
{
  CrierMonitorEvent *event = NULL;

  for (guint i = *from; i < f->server->events->len; i++)
    {
      CrierMonitorEvent *candidate = g_ptr_array_index (f->server->events, i);

      if (candidate->kind == kind && (channel == NULL || g_strcmp0 (candidate->channel, channel) == 0))
        {
          event = candidate;
          *from = i + 1;
          break;
        }
    }
  if (event == NULL)
    {
      g_autofree char *problem = g_strdup_printf ("no %s event%s%s after #%u",
                                                  crier_monitor_kind_to_string (kind),
                                                  channel ? " for " : "", channel ? channel : "", *from);

      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, problem);
    }
  return event;
}

static void
test_monitor_stream (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (CrierTestClient) ann = connect_client (f);
  g_autoptr (CrierTestClient) bob = connect_client (f);
  g_autofree char *ann_data = member_data ("\"1\"", "Ann");
  g_autofree char *bob_data = member_data ("\"2\"", "Bob");
  g_autoptr (JsonObject) ann_ok = subscribe_presence (ann, "presence-room", ann_data);
  g_autoptr (JsonObject) bob_ok = subscribe_presence (bob, "presence-room", bob_data);
  g_autoptr (JsonObject) added = crier_test_client_expect (ann, "pusher_internal:member_added", NULL);
  g_autoptr (JsonObject) published = NULL;
  g_autoptr (JsonObject) relayed = NULL;
  g_autofree char *error = NULL;
  g_autofree char *auth_error = NULL;
  g_autofree char *ann_socket = g_strdup (ann->socket_id);
  CrierMonitorEvent *event;
  guint from = 0;

  publish (f, "presence-room", "news", "{\"n\":1}", NULL);
  published = crier_test_client_expect (ann, "news", "presence-room");
  g_clear_pointer (&published, json_object_unref);
  published = crier_test_client_expect (bob, "news", "presence-room");
  crier_test_client_send (ann, "{\"event\":\"client-hi\",\"data\":{\"x\":1},\"channel\":\"presence-room\"}");
  relayed = crier_test_client_expect (bob, "client-hi", "presence-room");
  crier_test_client_send_subscribe (ann, "private-x", KEY ":00", NULL);
  auth_error = crier_test_client_expect_error (ann, 0);
  crier_test_client_send (ann, "nonsense");
  error = crier_test_client_expect_error (ann, 0);
  crier_test_client_send (ann, "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"presence-room\"}}");
  crier_test_client_sync (ann);
  g_clear_pointer (&ann, crier_test_client_free);
  crier_test_wait_until (crier_test_server_count_events (f->server, CRIER_MONITOR_DISCONNECTED, NULL) == 1,
                         CRIER_TEST_TIMEOUT);
  g_clear_pointer (&bob, crier_test_client_free);
  crier_test_wait_until (crier_test_server_count_events (f->server, CRIER_MONITOR_CHANNEL_VACATED, NULL) == 1,
                         CRIER_TEST_TIMEOUT);

  event = expect_event (f, CRIER_MONITOR_CONNECTED, NULL, &from);
  g_assert_cmpstr (event->socket_id, ==, ann_socket);
  g_assert_cmpstr (event->app_id, ==, APP);
  g_assert_nonnull (event->remote);

  event = expect_event (f, CRIER_MONITOR_CHANNEL_OCCUPIED, "presence-room", &from);
  g_assert_cmpstr (event->app_id, ==, APP);
  g_assert_cmpstr (event->socket_id, ==, ann_socket);
  event = expect_event (f, CRIER_MONITOR_MEMBER_ADDED, "presence-room", &from);
  g_assert_cmpstr (event->user_id, ==, "1");
  g_assert_cmpstr (event->data, ==, "{\"name\":\"Ann\"}");
  g_assert_cmpuint (event->count, ==, 1);
  event = expect_event (f, CRIER_MONITOR_SUBSCRIBED, "presence-room", &from);
  g_assert_cmpstr (event->socket_id, ==, ann_socket);
  g_assert_cmpstr (event->user_id, ==, "1");
  g_assert_cmpuint (event->count, ==, 1);
  event = expect_event (f, CRIER_MONITOR_MEMBER_ADDED, "presence-room", &from);
  g_assert_cmpstr (event->user_id, ==, "2");
  g_assert_cmpuint (event->count, ==, 2);
  event = expect_event (f, CRIER_MONITOR_SUBSCRIBED, "presence-room", &from);
  g_assert_cmpuint (event->count, ==, 2);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_CHANNEL_OCCUPIED, NULL), ==, 1);

  event = expect_event (f, CRIER_MONITOR_EVENT_PUBLISHED, "presence-room", &from);
  g_assert_cmpstr (event->app_id, ==, APP);
  g_assert_cmpstr (event->event, ==, "news");
  g_assert_cmpstr (event->data, ==, "{\"n\":1}");
  g_assert_cmpuint (event->count, ==, 2);

  event = expect_event (f, CRIER_MONITOR_CLIENT_EVENT, "presence-room", &from);
  g_assert_cmpstr (event->socket_id, ==, ann_socket);
  g_assert_cmpstr (event->event, ==, "client-hi");
  g_assert_cmpstr (event->data, ==, "{\"x\":1}");
  g_assert_cmpstr (event->user_id, ==, "1");
  g_assert_cmpuint (event->count, ==, 1);

  event = expect_event (f, CRIER_MONITOR_AUTH_FAILED, "private-x", &from);
  g_assert_cmpstr (event->socket_id, ==, ann_socket);
  g_assert_cmpstr (event->message, ==, auth_error);

  event = expect_event (f, CRIER_MONITOR_PROTOCOL_ERROR, NULL, &from);
  g_assert_cmpstr (event->message, ==, "Received invalid JSON");
  g_assert_cmpstr (event->socket_id, ==, ann_socket);

  event = expect_event (f, CRIER_MONITOR_UNSUBSCRIBED, "presence-room", &from);
  g_assert_cmpstr (event->socket_id, ==, ann_socket);
  g_assert_cmpuint (event->count, ==, 1);
  event = expect_event (f, CRIER_MONITOR_MEMBER_REMOVED, "presence-room", &from);
  g_assert_cmpstr (event->user_id, ==, "1");
  event = expect_event (f, CRIER_MONITOR_DISCONNECTED, NULL, &from);
  g_assert_cmpstr (event->socket_id, ==, ann_socket);
  event = expect_event (f, CRIER_MONITOR_CHANNEL_VACATED, "presence-room", &from);
  g_assert_cmpstr (event->app_id, ==, APP);
  event = expect_event (f, CRIER_MONITOR_DISCONNECTED, NULL, &from);
}

/* Queries */

static void
test_query_channels (Fixture      *f,
                     gconstpointer data)
{
  const char *names[] = { "zeta", "presence-b", "alpha", "private-c", "presence-a", "mid", "beta",
                          "cache-x", "orders", "gamma" };
  g_autoptr (CrierTestClient) client = connect_client (f);
  g_autoptr (CrierTestClient) other = connect_client (f);
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) presence = NULL;
  g_autoptr (GString) order = g_string_new (NULL);
  gboolean sorted = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (JsonObject) ok = NULL;

      if (g_str_has_prefix (names[i], "presence-"))
        {
          g_autofree char *channel_data = member_data ("\"u\"", "U");

          ok = subscribe_presence (client, names[i], channel_data);
        }
      else if (g_str_has_prefix (names[i], "private-"))
        ok = subscribe_private (client, names[i]);
      else
        subscribe_any (client, KEY, SECRET, names[i]);
    }
  {
    g_autoptr (JsonObject) ok = crier_test_client_subscribe (other, "orders", NULL, NULL);
  }
  /* A cached channel without subscribers is not listed: only occupied ones (§14.5). */
  publish (f, "cache-empty", "e", "{}", NULL);

  all = crier_server_dup_channels (f->server->server, APP, NULL);
  g_assert_cmpuint (all->len, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < all->len; i++)
    {
      CrierChannelInfo *info = g_ptr_array_index (all, i);

      g_string_append_printf (order, "%s%s", i > 0 ? " " : "", info->name);
      if (i > 0 && strcmp (((CrierChannelInfo *) g_ptr_array_index (all, i - 1))->name, info->name) >= 0)
        sorted = FALSE;
      g_assert_cmpuint (info->type, ==, crier_channel_type_from_name (info->name));
      g_assert_cmpuint (info->subscription_count, ==, g_str_equal (info->name, "orders") ? 2 : 1);
      g_assert_cmpuint (info->user_count, ==, g_str_has_prefix (info->name, "presence-") ? 1 : 0);
    }
  /* Sorted by name, as crier_server_dup_channels () documents; reported without stopping
   * the rest of the checks. */
  if (!sorted)
    g_test_fail_printf ("crier_server_dup_channels () is documented as sorted by name, got: %s",
                        order->str);
  presence = crier_server_dup_channels (f->server->server, APP, "presence-");
  g_assert_cmpuint (presence->len, ==, 2);
  g_assert_null (crier_server_dup_channels (f->server->server, "nope", NULL));
}

static void
test_query_channel (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (CrierTestClient) a = connect_client (f);
  g_autoptr (CrierTestClient) b = connect_client (f);
  g_autoptr (CrierTestClient) c = connect_client (f);
  g_autofree char *one = member_data ("\"1\"", "One");
  g_autoptr (JsonObject) ok_a = subscribe_presence (a, "presence-q", one);
  g_autoptr (JsonObject) ok_b = subscribe_presence (b, "presence-q", one);
  g_autoptr (JsonObject) ok_c = NULL;
  g_autoptr (CrierChannelInfo) presence = NULL;
  g_autoptr (CrierChannelInfo) empty = NULL;
  g_autoptr (CrierChannelInfo) cache = NULL;

  {
    g_autofree char *two = member_data ("\"2\"", "Two");

    ok_c = subscribe_presence (c, "presence-q", two);
  }
  presence = crier_server_dup_channel (f->server->server, APP, "presence-q");
  g_assert_nonnull (presence);
  g_assert_cmpstr (presence->name, ==, "presence-q");
  g_assert_cmpuint (presence->type, ==, CRIER_CHANNEL_PRESENCE);
  g_assert_cmpuint (presence->subscription_count, ==, 3);
  g_assert_cmpuint (presence->user_count, ==, 2);
  g_assert_false (presence->has_cache);

  empty = crier_server_dup_channel (f->server->server, APP, "nobody-here");
  g_assert_nonnull (empty);
  g_assert_cmpuint (empty->subscription_count, ==, 0);
  g_assert_cmpuint (empty->user_count, ==, 0);

  publish (f, "cache-q", "e", "{\"v\":1}", NULL);
  cache = crier_server_dup_channel (f->server->server, APP, "cache-q");
  g_assert_true (cache->has_cache);
  g_assert_cmpstr (cache->cached_data, ==, "{\"v\":1}");
  g_assert_cmpuint (cache->cache_ttl, >, 0);
  g_assert_cmpuint (cache->cache_ttl, <=, 1800);
  g_assert_cmpuint (cache->subscription_count, ==, 0);
  g_assert_null (crier_server_dup_channel (f->server->server, "nope", "x"));
}

static void
test_query_members (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (CrierTestClient) a = connect_client (f);
  g_autoptr (CrierTestClient) b = connect_client (f);
  g_autofree char *one = member_data ("\"1\"", "One");
  g_autoptr (JsonObject) ok_a = subscribe_presence (a, "presence-m", one);
  g_autoptr (JsonObject) ok_b = NULL;
  g_autoptr (JsonObject) presence_b = NULL;
  g_autoptr (GPtrArray) members = NULL;
  g_autoptr (GPtrArray) none = NULL;
  JsonObject *hash;

  /* A member without user_info shows as null in the hash (§7.3). */
  ok_b = subscribe_presence (b, "presence-m", "{\"user_id\":\"2\"}");
  presence_b = crier_test_dup_data_object (ok_b);
  hash = json_object_get_object_member (json_object_get_object_member (presence_b, "presence"), "hash");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (hash, "2")));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (hash, "1")));

  members = crier_server_dup_members (f->server->server, APP, "presence-m");
  g_assert_cmpuint (members->len, ==, 2);
  for (guint i = 0; i < members->len; i++)
    {
      CrierMemberInfo *member = g_ptr_array_index (members, i);

      if (g_str_equal (member->user_id, "1"))
        g_assert_cmpstr (member->user_info, ==, "{\"name\":\"One\"}");
      else
        {
          g_assert_cmpstr (member->user_id, ==, "2");
          g_assert_null (member->user_info);
        }
    }
  {
    /* Without a sign-in, a connection is known by the member it joined as. */
    g_autoptr (GPtrArray) connections = crier_server_dup_connections (f->server->server, APP);

    g_assert_cmpuint (connections->len, ==, 2);
    for (guint i = 0; i < connections->len; i++)
      {
        CrierConnectionInfo *info = g_ptr_array_index (connections, i);

        g_assert_cmpstr (info->user_id, ==, g_str_equal (info->socket_id, a->socket_id) ? "1" : "2");
      }
  }
  none = crier_server_dup_members (f->server->server, APP, "presence-nobody");
  g_assert_nonnull (none);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_null (crier_server_dup_members (f->server->server, "nope", "presence-m"));
}

static void
test_query_connections (Fixture      *f,
                        gconstpointer data)
{
  g_autoptr (CrierTestClient) a = connect_client (f);
  g_autoptr (CrierTestClient) b = crier_test_client_connect (f->server, "members-key");
  g_autoptr (JsonObject) ok = crier_test_client_subscribe (a, "orders", NULL, NULL);
  g_autoptr (JsonObject) ok2 = crier_test_client_subscribe (a, "audit", NULL, NULL);
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) mine = NULL;
  CrierConnectionInfo *info;

  sign_in (a, "{\"id\":\"u1\"}");
  all = crier_server_dup_connections (f->server->server, NULL);
  g_assert_cmpuint (all->len, ==, 2);
  mine = crier_server_dup_connections (f->server->server, APP);
  g_assert_cmpuint (mine->len, ==, 1);
  info = g_ptr_array_index (mine, 0);
  g_assert_cmpstr (info->socket_id, ==, a->socket_id);
  g_assert_cmpstr (info->app_id, ==, APP);
  g_assert_cmpstr (info->user_id, ==, "u1");
  g_assert_true (g_str_has_prefix (info->remote, "127.0.0.1:"));
  g_assert_cmpuint (g_strv_length (info->channels), ==, 2);
  g_assert_true (g_strv_contains ((const char * const *) info->channels, "orders"));
  g_assert_true (g_strv_contains ((const char * const *) info->channels, "audit"));
  g_assert_cmpuint (info->messages_in, >=, 3);
  g_assert_cmpuint (info->messages_out, >=, 4);
  g_assert_cmpint (info->connected_at, >, 0);
}

static void
test_query_disconnect (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr (CrierTestClient) a = connect_client (f);
  g_autoptr (CrierTestClient) b = connect_client (f);

  g_assert_true (crier_server_disconnect (f->server->server, a->socket_id, 4100, "Over capacity"));
  crier_test_client_wait_closed (a);
  g_assert_cmpuint (a->close_code, ==, 4100);
  g_assert_cmpstr (a->close_reason, ==, "Over capacity");
  g_assert_false (crier_server_disconnect (f->server->server, "1.1", 4100, "x"));
  /* Already closing or closed: nothing to do. */
  g_assert_false (crier_server_disconnect (f->server->server, a->socket_id, 4100, "again"));
  crier_test_client_sync (b);
}

static void
test_query_terminate_user (Fixture      *f,
                           gconstpointer data)
{
  g_autoptr (CrierTestClient) tab1 = connect_client (f);
  g_autoptr (CrierTestClient) tab2 = connect_client (f);
  g_autoptr (CrierTestClient) other = connect_client (f);
  g_autoptr (CrierTestClient) presence_only = connect_client (f);
  g_autofree char *channel_data = member_data ("\"u1\"", "Presence");
  g_autoptr (JsonObject) ok = subscribe_presence (presence_only, "presence-t", channel_data);
  g_autofree char *message1 = NULL;
  g_autofree char *message2 = NULL;

  sign_in (tab1, "{\"id\":\"u1\"}");
  sign_in (tab2, "{\"id\":\"u1\"}");
  sign_in (other, "{\"id\":\"u2\"}");
  g_assert_cmpuint (crier_server_terminate_user (f->server->server, APP, "u1"), ==, 2);
  message1 = crier_test_client_expect_error (tab1, 4009);
  message2 = crier_test_client_expect_error (tab2, 4009);
  crier_test_client_wait_closed (tab1);
  crier_test_client_wait_closed (tab2);
  g_assert_cmpuint (tab1->close_code, ==, 4009);
  g_assert_cmpuint (tab2->close_code, ==, 4009);
  /* Only signed-in connections of that user (§12.3). */
  crier_test_client_sync (other);
  crier_test_client_sync (presence_only);
  g_assert_cmpuint (crier_server_terminate_user (f->server->server, APP, "nobody"), ==, 0);
  g_assert_cmpuint (crier_server_terminate_user (f->server->server, "nope", "u2"), ==, 0);
}

#define ADD(path, func, config) \
  g_test_add (path, Fixture, config, fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/server/connect/established", test_connect_established, NULL);
  ADD ("/server/connect/unique-ids", test_connect_unique_ids, NULL);
  ADD ("/server/connect/unknown-key", test_connect_unknown_key, NULL);
  ADD ("/server/connect/bad-protocol", test_connect_bad_protocol, NULL);
  ADD ("/server/connect/old-protocols", test_connect_old_protocols, NULL);
  ADD ("/server/connect/bad-path", test_connect_bad_path, NULL);
  ADD ("/server/connect/disabled", test_connect_disabled, NULL);
  ADD ("/server/connect/max-connections", test_connect_max_connections, NULL);
  ADD ("/server/connect/origin", test_connect_origin, NULL);
  ADD ("/server/subscribe/public", test_subscribe_public, NULL);
  ADD ("/server/subscribe/variants", test_subscribe_variants, NULL);
  ADD ("/server/subscribe/twice", test_subscribe_twice, NULL);
  ADD ("/server/subscribe/private", test_subscribe_private, NULL);
  ADD ("/server/subscribe/private-bad-signature", test_subscribe_private_bad_signature, NULL);
  ADD ("/server/subscribe/refused", test_subscribe_refused, NULL);
  ADD ("/server/subscribe/unsubscribe", test_unsubscribe, NULL);
  ADD ("/server/presence/members", test_presence_members, NULL);
  ADD ("/server/presence/numeric-id", test_presence_numeric_id, NULL);
  ADD ("/server/presence/channel-data-verbatim", test_presence_channel_data_verbatim, NULL);
  ADD ("/server/presence/bad-channel-data", test_presence_bad_channel_data, NULL);
  ADD ("/server/presence/limit", test_presence_limit, NULL);
  ADD ("/server/client-event/relay", test_client_event_relay, NULL);
  ADD ("/server/client-event/presence", test_client_event_presence, NULL);
  ADD ("/server/client-event/refused", test_client_event_refused, NULL);
  ADD ("/server/client-event/rate-limit", test_client_event_rate_limit, NULL);
  ADD ("/server/cache/miss-and-replay", test_cache, NULL);
  ADD ("/server/signin/success", test_signin, NULL);
  ADD ("/server/signin/refused", test_signin_refused, NULL);
  ADD ("/server/signin/presence", test_signin_presence, NULL);
  ADD ("/server/publish/exclude", test_publish_exclude, NULL);
  ADD ("/server/publish/refused", test_publish_refused, NULL);
  ADD ("/server/input/invalid-json", test_input_invalid_json, NULL);
  ADD ("/server/input/binary", test_input_binary, NULL);
  ADD ("/server/input/unknown-event", test_input_unknown_event, NULL);
  ADD ("/server/input/ping", test_input_ping, NULL);
  ADD ("/server/input/large-frame", test_input_large_frame, NULL);
  ADD ("/server/input/oversized-frame", test_input_oversized_frame, NULL);
  ADD ("/server/liveness/pong-timeout", test_liveness_pong_timeout, liveness_config);
  ADD ("/server/liveness/answered", test_liveness_answered, liveness_config);
  ADD ("/server/stop", test_stop, NULL);
  ADD ("/server/monitor/stream", test_monitor_stream, NULL);
  ADD ("/server/query/channels", test_query_channels, NULL);
  ADD ("/server/query/channel", test_query_channel, NULL);
  ADD ("/server/query/members", test_query_members, NULL);
  ADD ("/server/query/connections", test_query_connections, NULL);
  ADD ("/server/query/disconnect", test_query_disconnect, NULL);
  ADD ("/server/query/terminate-user", test_query_terminate_user, NULL);

  return g_test_run ();
}
