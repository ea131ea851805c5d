/* test-protocol.c — the Pusher protocol over real connections: subscribe and unsubscribe,
 * presence, client events, cache channels, sign-in (pusher-protocol.md §6-12)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-test-utils.h"

#define KEY    CRIER_TEST_APP_KEY
#define SECRET CRIER_TEST_APP_SECRET
#define APP    CRIER_TEST_APP_ID

/* Subscriptions */

static void
test_subscribe_public (CrierTestFixture *f,
                       gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) succeeded = crier_test_client_subscribe (client, "orders", NULL, NULL);
  g_autoptr (JsonObject) event = NULL;

  /* Pusher's frame: "data":"{}" as a string (§7.3). */
  crier_test_assert_data_string (succeeded, "{}");
  g_assert_cmpstr (g_ptr_array_index (client->texts, client->texts->len - 1), ==,
                   "{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{}\",\"channel\":\"orders\"}");
  crier_test_publish (f->server, "orders", "created", "{\"id\":1}", NULL);
  event = crier_test_client_expect (client, "created", "orders");
  crier_test_assert_data_string (event, "{\"id\":1}");
}

/* pusher-js omits "auth" on public channels in some versions; other clients send data as a
 * JSON string (§2.4). */
static void
test_subscribe_variants (CrierTestFixture *f,
                         gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) first = NULL;
  g_autoptr (JsonObject) second = NULL;

  crier_test_client_send (client, "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"no-auth\"}}");
  first = crier_test_client_expect (client, "pusher_internal:subscription_succeeded", "no-auth");
  crier_test_client_send (client, "{\"event\":\"pusher:subscribe\",\"data\":\"{\\\"channel\\\":\\\"as-string\\\"}\"}");
  second = crier_test_client_expect (client, "pusher_internal:subscription_succeeded", "as-string");
}

static void
test_subscribe_twice (CrierTestFixture *f,
                      gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) first  G_GNUC_UNUSED = crier_test_client_subscribe (client, "orders", NULL, NULL);
  g_autoptr (JsonObject) second G_GNUC_UNUSED = crier_test_client_subscribe (client, "orders", NULL, NULL);
  g_autoptr (CrierChannelInfo) info = crier_server_dup_channel (f->server->server, APP, "orders");
  g_autoptr (JsonObject) event = NULL;

  /* Idempotent: one membership, one delivery (§6.1). */
  g_assert_cmpuint (info->subscription_count, ==, 1);
  crier_test_publish (f->server, "orders", "e", "1", NULL);
  event = crier_test_client_expect (client, "e", "orders");
  crier_test_client_sync (client);
  crier_test_client_assert_no_message (client);
}

static void
test_subscribe_private (CrierTestFixture *f,
                        gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) succeeded = crier_test_client_subscribe_signed (
    client, KEY, SECRET, "private-foobar", NULL);
  g_autoptr (JsonObject) encrypted = crier_test_client_subscribe_signed (
    client, KEY, SECRET, "private-encrypted-foobar", NULL);
  g_autoptr (JsonObject) event = NULL;

  crier_test_assert_data_string (succeeded, "{}");
  crier_test_assert_data_string (encrypted, "{}");
  crier_test_publish (f->server, "private-foobar", "e", "{\"secret\":true}", NULL);
  event = crier_test_client_expect (client, "e", "private-foobar");
}

static void
test_subscribe_private_bad_signature (CrierTestFixture *f,
                                      gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
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
  crier_test_publish (f->server, "private-foobar", "e", "{}", NULL);
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
test_subscribe_refused (CrierTestFixture *f,
                        gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);

  for (guint i = 0; i < G_N_ELEMENTS (refused_cases); i++)
    {
      const RefusedCase *c = &refused_cases[i];
      g_autofree char   *message = NULL;

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
test_unsubscribe (CrierTestFixture *f,
                  gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) other = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) succeeded       G_GNUC_UNUSED = crier_test_client_subscribe (client, "orders", NULL, NULL);
  g_autoptr (JsonObject) other_succeeded G_GNUC_UNUSED = crier_test_client_subscribe (other, "orders", NULL, NULL);
  g_autoptr (JsonObject) delivered = NULL;

  crier_test_client_send (client, "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"orders\"}}");
  /* No reply (§6.2); unsubscribing from a channel never joined is ignored. */
  crier_test_client_send (client, "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"never\"}}");
  crier_test_client_sync (client);
  crier_test_client_assert_no_message (client);
  crier_test_publish (f->server, "orders", "e", "{}", NULL);
  delivered = crier_test_client_expect (other, "e", "orders");
  crier_test_client_sync (client);
  crier_test_client_assert_no_message (client);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_UNSUBSCRIBED, "orders"), ==, 1);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_CHANNEL_VACATED, "orders"), ==, 0);
}

/* Presence */

static void
assert_presence (JsonObject        *succeeded,
                 const char *const *ids,
                 const char *const *names)
{
  g_autoptr (JsonObject) data = crier_test_dup_data_object (succeeded);
  JsonObject *presence = json_object_get_object_member (data, "presence");
  JsonArray  *id_array = json_object_get_array_member (presence, "ids");
  JsonObject *hash = json_object_get_object_member (presence, "hash");
  guint       n = g_strv_length ((GStrv) ids);

  /* data is a JSON string (§7.3). */
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (succeeded, "data")), ==, G_TYPE_STRING);
  g_assert_cmpint (json_object_get_int_member (presence, "count"), ==, n);
  g_assert_cmpuint (json_array_get_length (id_array), ==, n);
  g_assert_cmpuint (json_object_get_size (hash), ==, n);
  for (guint i = 0; i < n; i++)
    {
      gboolean  found = FALSE;
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
test_presence_members (CrierTestFixture *f,
                       gconstpointer     data)
{
  g_autoptr (CrierTestClient) ann = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) bob = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) bob2 = crier_test_client_connect (f->server, KEY);
  g_autofree char *ann_data = crier_test_member_data ("\"1\"", "Ann");
  g_autofree char *bob_data = crier_test_member_data ("\"2\"", "Bob");
  g_autoptr (JsonObject) ann_ok = crier_test_client_subscribe_signed (
    ann, KEY, SECRET, "presence-room", ann_data);
  g_autoptr (JsonObject) bob_ok = NULL;
  g_autoptr (JsonObject) bob2_ok = NULL;
  g_autoptr (JsonObject) added = NULL;
  g_autoptr (JsonObject) removed = NULL;
  g_autoptr (JsonObject) added_data = NULL;

  assert_presence (ann_ok, (const char *const[]){ "1", NULL }, (const char *const[]){ "Ann", NULL });

  bob_ok = crier_test_client_subscribe_signed (bob, KEY, SECRET, "presence-room", bob_data);
  assert_presence (bob_ok, (const char *const[]){ "1", "2", NULL },
                   (const char *const[]){ "Ann", "Bob", NULL });
  added = crier_test_client_expect (ann, "pusher_internal:member_added", "presence-room");
  added_data = crier_test_dup_data_object (added);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (added, "data")), ==, G_TYPE_STRING);
  g_assert_cmpstr (json_object_get_string_member (added_data, "user_id"), ==, "2");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (added_data, "user_info"), "name"),
                   ==, "Bob");

  /* Bob's second tab: no member_added, the count stays 2 (§9.2). */
  bob2_ok = crier_test_client_subscribe_signed (bob2, KEY, SECRET, "presence-room", bob_data);
  assert_presence (bob2_ok, (const char *const[]){ "1", "2", NULL },
                   (const char *const[]){ "Ann", "Bob", NULL });
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
  crier_test_assert_data_string (removed, "{\"user_id\":\"2\"}");
  crier_test_client_sync (bob2);
  crier_test_client_assert_no_message (bob2);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_MEMBER_ADDED, "presence-room"), ==, 2);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_MEMBER_REMOVED, "presence-room"), ==, 1);
}

/* A numeric user_id is a member id in its decimal text (§8.4). */
static void
test_presence_numeric_id (CrierTestFixture *f,
                          gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  g_autofree char *channel_data = crier_test_member_data ("10", "Mr. Channels");
  g_autoptr (JsonObject) ok = crier_test_client_subscribe_signed (
    client, KEY, SECRET, "presence-foobar", channel_data);
  g_autoptr (GPtrArray) members = NULL;

  assert_presence (ok, (const char *const[]){ "10", NULL }, (const char *const[]){ "Mr. Channels", NULL });
  members = crier_server_dup_members (f->server->server, APP, "presence-foobar");
  g_assert_cmpuint (members->len, ==, 1);
  g_assert_cmpstr (((CrierMemberInfo *) g_ptr_array_index (members, 0))->user_id, ==, "10");
  g_assert_cmpstr (((CrierMemberInfo *) g_ptr_array_index (members, 0))->user_info, ==,
                   "{\"name\":\"Mr. Channels\"}");
}

/* The signature covers channel_data exactly as received, never a re-serialisation (§8.4). */
static void
test_presence_channel_data_verbatim (CrierTestFixture *f,
                                     gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  const char *spaced = "{ \"user_info\" : {\"name\":\"Ann\"}, \"user_id\" : \"1\" }";
  g_autoptr (JsonObject) ok = crier_test_client_subscribe_signed (
    client, KEY, SECRET, "presence-a", spaced);

  assert_presence (ok, (const char *const[]){ "1", NULL }, (const char *const[]){ "Ann", NULL });
}

static void
test_presence_bad_channel_data (CrierTestFixture *f,
                                gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  const char *bad[] = { "not json", "{\"user_info\":{}}", "{\"user_id\":\"\"}", "{\"user_id\":true}" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *message = NULL;

      crier_test_client_send_subscribe_signed (client, KEY, SECRET, "presence-a", bad[i]);
      message = crier_test_client_expect_error (client, 0);
      g_assert_true (g_str_has_prefix (message, "Invalid channel_data: "));
    }
  crier_test_client_sync (client);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_SUBSCRIBED, NULL), ==, 0);
}

static void
test_presence_limit (CrierTestFixture *f,
                     gconstpointer     data)
{
  g_autoptr (CrierTestClient) one = crier_test_client_connect (f->server, "members-key");
  g_autoptr (CrierTestClient) two = crier_test_client_connect (f->server, "members-key");
  g_autoptr (CrierTestClient) one_again = crier_test_client_connect (f->server, "members-key");
  g_autofree char *one_data = crier_test_member_data ("\"1\"", "One");
  g_autofree char *two_data = crier_test_member_data ("\"2\"", "Two");
  g_autoptr (JsonObject) ok = NULL;
  g_autoptr (JsonObject) ok_again = NULL;
  g_autofree char *message = NULL;

  crier_test_client_send_subscribe_signed (one, "members-key", "members-secret", "presence-full",
                                           one_data);
  ok = crier_test_client_expect (one, "pusher_internal:subscription_succeeded", "presence-full");
  /* A second user is refused (§9.3)... */
  crier_test_client_send_subscribe_signed (two, "members-key", "members-secret", "presence-full",
                                           two_data);
  message = crier_test_client_expect_error (two, 0);
  g_assert_cmpstr (message, ==, "Presence channel presence-full is full (1 members)");
  /* ...the same user's second socket adds no member and is accepted. */
  crier_test_client_send_subscribe_signed (one_again, "members-key", "members-secret",
                                           "presence-full", one_data);
  ok_again = crier_test_client_expect (one_again, "pusher_internal:subscription_succeeded", "presence-full");
  assert_presence (ok_again, (const char *const[]){ "1", NULL }, (const char *const[]){ "One", NULL });
  crier_test_client_sync (one);
  crier_test_client_assert_no_message (one);
}

/* Client events */

static void
test_client_event_relay (CrierTestFixture *f,
                         gconstpointer     data)
{
  g_autoptr (CrierTestClient) sender = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) receiver = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) a G_GNUC_UNUSED = crier_test_client_subscribe_signed (
    sender, KEY, SECRET, "private-chat", NULL);
  g_autoptr (JsonObject) b G_GNUC_UNUSED = crier_test_client_subscribe_signed (
    receiver, KEY, SECRET, "private-chat", NULL);
  g_autoptr (JsonObject) relayed = NULL;
  g_autoptr (JsonObject) relayed_string = NULL;

  crier_test_client_send (sender, "{\"event\":\"client-typing\",\"data\":{\"name\":\"Taylor\"},\"channel\":\"private-chat\"}");
  relayed = crier_test_client_expect (receiver, "client-typing", "private-chat");
  /* data relayed as a string; user_id only on presence channels (§10.3, §10.4). */
  crier_test_assert_data_string (relayed, "{\"name\":\"Taylor\"}");
  g_assert_false (json_object_has_member (relayed, "user_id"));
  /* A string data is forwarded unchanged. */
  crier_test_client_send (sender, "{\"event\":\"client-x\",\"data\":\"{\\\"a\\\":1}\",\"channel\":\"private-chat\"}");
  relayed_string = crier_test_client_expect (receiver, "client-x", "private-chat");
  crier_test_assert_data_string (relayed_string, "{\"a\":1}");
  /* Never echoed to the sender. */
  crier_test_client_sync (sender);
  crier_test_client_assert_no_message (sender);
}

static void
test_client_event_presence (CrierTestFixture *f,
                            gconstpointer     data)
{
  g_autoptr (CrierTestClient) sender = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) receiver = crier_test_client_connect (f->server, KEY);
  g_autofree char         *sender_data = crier_test_member_data ("\"1\"", "Ann");
  g_autofree char         *receiver_data = crier_test_member_data ("\"2\"", "Bob");
  g_autoptr (JsonObject) a G_GNUC_UNUSED = crier_test_client_subscribe_signed (
    sender, KEY, SECRET, "presence-chat.1", sender_data);
  g_autoptr (JsonObject) b G_GNUC_UNUSED = crier_test_client_subscribe_signed (
    receiver, KEY, SECRET, "presence-chat.1", receiver_data);
  g_autoptr (JsonObject) added G_GNUC_UNUSED = crier_test_client_expect (sender, "pusher_internal:member_added", NULL);
  g_autoptr (JsonObject) relayed = NULL;

  /* user_id comes from the subscription, never from the payload. */
  crier_test_client_send (sender, "{\"event\":\"client-typing\",\"data\":{\"name\":\"Taylor\"},"
                                  "\"channel\":\"presence-chat.1\",\"user_id\":\"forged\"}");
  relayed = crier_test_client_expect (receiver, "client-typing", "presence-chat.1");
  g_assert_cmpstr (json_object_get_string_member (relayed, "user_id"), ==, "1");
  crier_test_assert_data_string (relayed, "{\"name\":\"Taylor\"}");
  g_assert_cmpstr (g_ptr_array_index (receiver->texts, receiver->texts->len - 1), ==,
                   "{\"event\":\"client-typing\",\"data\":\"{\\\"name\\\":\\\"Taylor\\\"}\","
                   "\"channel\":\"presence-chat.1\",\"user_id\":\"1\"}");
}

typedef struct
{
  const char *name;
  const char *key;
  const char *channel; /* the receiver subscribes here; the sender too unless not_subscribed */
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
test_client_event_refused (CrierTestFixture *f,
                           gconstpointer     data)
{
  for (guint i = 0; i < G_N_ELEMENTS (client_refused_cases); i++)
    {
      const ClientRefusedCase *c = &client_refused_cases[i];
      const char              *secret = g_str_equal (c->key, KEY) ? SECRET : "quiet-secret";
      g_autoptr (CrierTestClient) sender = crier_test_client_connect (f->server, c->key);
      g_autoptr (CrierTestClient) receiver = crier_test_client_connect (f->server, c->key);
      g_autofree char *message = NULL;

      g_test_message ("case %s", c->name);
      crier_test_client_subscribe_any (receiver, c->key, secret, c->channel);
      if (c->subscribe_sender)
        crier_test_client_subscribe_any (sender, c->key, secret, c->channel);
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
test_client_event_rate_limit (CrierTestFixture *f,
                              gconstpointer     data)
{
  g_autoptr (CrierTestClient) sender = crier_test_client_connect (f->server, "rate-key");
  g_autoptr (CrierTestClient) receiver = crier_test_client_connect (f->server, "rate-key");
  g_autofree char         *sender_auth = crier_test_channel_auth ("rate-key", "rate-secret", sender->socket_id,
                                                                  "private-chat", NULL);
  g_autofree char         *receiver_auth = crier_test_channel_auth ("rate-key", "rate-secret", receiver->socket_id,
                                                                    "private-chat", NULL);
  g_autoptr (JsonObject) a G_GNUC_UNUSED = crier_test_client_subscribe (sender, "private-chat", sender_auth, NULL);
  g_autoptr (JsonObject) b G_GNUC_UNUSED = crier_test_client_subscribe (receiver, "private-chat", receiver_auth, NULL);
  guint                    errors = 0;
  guint                    relayed = 0;

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
      g_autoptr (JsonObject) message G_GNUC_UNUSED = crier_test_client_expect (receiver, "client-n", "private-chat");

      relayed++;
    }
  g_assert_cmpuint (errors, >=, 2);
  g_assert_cmpuint (errors + relayed, ==, 6);
  /* 4301 is not a close code: the connection stays (§13.2). */
  g_assert_false (sender->closed);
}

/* Cache channels */

static void
test_cache (CrierTestFixture *f,
            gconstpointer     data)
{
  g_autoptr (CrierTestClient) first = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) second = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) ok G_GNUC_UNUSED = crier_test_client_subscribe (first, "cache-location", NULL, NULL);
  g_autoptr (JsonObject) miss = crier_test_client_expect (first, "pusher:cache_miss", "cache-location");
  g_autoptr (JsonObject) ok2 = NULL;
  g_autoptr (JsonObject) replay = NULL;
  CrierMonitorEvent *event;

  /* Nothing cached yet: cache_miss without data (§7.7). */
  g_assert_false (json_object_has_member (miss, "data"));
  event = crier_test_server_find_event (f->server, CRIER_MONITOR_CACHE_MISS, "cache-location", 0);
  g_assert_nonnull (event);

  /* Cached with nobody subscribed; the last publish wins (§11). */
  crier_test_publish (f->server, "cache-later", "moved", "{\"lat\":1}", NULL);
  crier_test_publish (f->server, "cache-later", "moved", "{\"lat\":2}", NULL);
  ok2 = crier_test_client_subscribe (second, "cache-later", NULL, NULL);
  replay = crier_test_client_expect (second, "moved", "cache-later");
  crier_test_assert_data_string (replay, "{\"lat\":2}");
  crier_test_client_sync (second);
  crier_test_client_assert_no_message (second);
}

/* Users */

static void
test_signin (CrierTestFixture *f,
             gconstpointer     data)
{
  g_autoptr (CrierTestClient) tab1 = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) tab2 = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) stranger = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) own = NULL;
  g_autoptr (JsonObject) event1 = NULL;
  g_autoptr (JsonObject) event2 = NULL;
  g_autofree char   *refused = NULL;
  CrierMonitorEvent *signed_in;

  crier_test_client_sign_in (tab1, "{\"id\":\"12345\",\"user_info\":{\"name\":\"Ann\"}}");
  crier_test_client_sign_in (tab2, "{\"id\":\"12345\"}");
  signed_in = crier_test_server_find_event (f->server, CRIER_MONITOR_SIGNED_IN, NULL, 0);
  g_assert_nonnull (signed_in);
  g_assert_cmpstr (signed_in->user_id, ==, "12345");
  g_assert_cmpstr (signed_in->socket_id, ==, tab1->socket_id);

  /* pusher-js subscribes to its own #server-to-user- channel after sign-in (§12.2). */
  own = crier_test_client_subscribe (tab1, "#server-to-user-12345", NULL, NULL);
  crier_test_assert_data_string (own, "{}");
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
  crier_test_publish (f->server, "#server-to-user-12345", "order-updated", "{\"id\":7}", NULL);
  event1 = crier_test_client_expect (tab1, "order-updated", "#server-to-user-12345");
  event2 = crier_test_client_expect (tab2, "order-updated", "#server-to-user-12345");
  crier_test_assert_data_string (event1, "{\"id\":7}");
  crier_test_client_sync (stranger);
  crier_test_client_assert_no_message (stranger);
  crier_test_client_sync (tab1);
  crier_test_client_assert_no_message (tab1); /* once, not once per route */
}

static void
test_signin_refused (CrierTestFixture *f,
                     gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  g_autofree char *auth = crier_test_user_auth (KEY, SECRET, "1234.1234", "{\"id\":\"12345\"}");
  g_autofree char *message = NULL;
  g_autofree char *expected = g_strdup_printf (
    "Connection is unauthorized: Invalid signature: Expected HMAC SHA256 hex digest of "
    "%s::user::{\"id\":\"12345\"}, but got %s",
    client->socket_id, strchr (auth, ':') + 1);
  g_autofree char *numeric_auth = crier_test_user_auth (KEY, SECRET, client->socket_id, "{\"id\":5}");

  crier_test_client_sendf (client, "{\"event\":\"pusher:signin\",\"data\":{\"auth\":\"%s\","
                                   "\"user_data\":\"{\\\"id\\\":\\\"12345\\\"}\"}}",
                           auth);
  message = crier_test_client_expect_error (client, 4009);
  g_assert_cmpstr (message, ==, expected);
  g_clear_pointer (&message, g_free);
  /* A numeric id is refused, not coerced (§6.4). */
  crier_test_client_sendf (client, "{\"event\":\"pusher:signin\",\"data\":{\"auth\":\"%s\","
                                   "\"user_data\":\"{\\\"id\\\":5}\"}}",
                           numeric_auth);
  message = crier_test_client_expect_error (client, 4009);
  g_assert_cmpstr (message, ==, "Connection is unauthorized: user_data.id must be a non-empty string");
  /* The connection stays open and is not signed in. */
  crier_test_client_sync (client);
  crier_test_publish (f->server, "#server-to-user-12345", "e", "{}", NULL);
  crier_test_publish (f->server, "#server-to-user-5", "e", "{}", NULL);
  crier_test_client_sync (client);
  crier_test_client_assert_no_message (client);
}

/* A signed-in connection joins presence without channel_data, as its sign-in user (§12.1). */
static void
test_signin_presence (CrierTestFixture *f,
                      gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) ok = NULL;

  crier_test_client_sign_in (client, "{\"id\":\"7\",\"user_info\":{\"name\":\"Signed\"}}");
  {
    g_autofree char *auth = crier_test_channel_auth (KEY, SECRET, client->socket_id, "presence-lobby", NULL);

    ok = crier_test_client_subscribe (client, "presence-lobby", auth, NULL);
  }
  assert_presence (ok, (const char *const[]){ "7", NULL }, (const char *const[]){ "Signed", NULL });
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  CRIER_TEST_ADD ("/server/subscribe/public", test_subscribe_public, NULL);
  CRIER_TEST_ADD ("/server/subscribe/variants", test_subscribe_variants, NULL);
  CRIER_TEST_ADD ("/server/subscribe/twice", test_subscribe_twice, NULL);
  CRIER_TEST_ADD ("/server/subscribe/private", test_subscribe_private, NULL);
  CRIER_TEST_ADD ("/server/subscribe/private-bad-signature", test_subscribe_private_bad_signature, NULL);
  CRIER_TEST_ADD ("/server/subscribe/refused", test_subscribe_refused, NULL);
  CRIER_TEST_ADD ("/server/subscribe/unsubscribe", test_unsubscribe, NULL);
  CRIER_TEST_ADD ("/server/presence/members", test_presence_members, NULL);
  CRIER_TEST_ADD ("/server/presence/numeric-id", test_presence_numeric_id, NULL);
  CRIER_TEST_ADD ("/server/presence/channel-data-verbatim", test_presence_channel_data_verbatim, NULL);
  CRIER_TEST_ADD ("/server/presence/bad-channel-data", test_presence_bad_channel_data, NULL);
  CRIER_TEST_ADD ("/server/presence/limit", test_presence_limit, NULL);
  CRIER_TEST_ADD ("/server/client-event/relay", test_client_event_relay, NULL);
  CRIER_TEST_ADD ("/server/client-event/presence", test_client_event_presence, NULL);
  CRIER_TEST_ADD ("/server/client-event/refused", test_client_event_refused, NULL);
  CRIER_TEST_ADD ("/server/client-event/rate-limit", test_client_event_rate_limit, NULL);
  CRIER_TEST_ADD ("/server/cache/miss-and-replay", test_cache, NULL);
  CRIER_TEST_ADD ("/server/signin/success", test_signin, NULL);
  CRIER_TEST_ADD ("/server/signin/refused", test_signin_refused, NULL);
  CRIER_TEST_ADD ("/server/signin/presence", test_signin_presence, NULL);

  return g_test_run ();
}
