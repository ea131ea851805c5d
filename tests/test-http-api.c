/* test-http-api.c — the Pusher HTTP API over real HTTP (pusher-protocol.md §14), signed by
 * the test itself, and the operational endpoints /up and /metrics
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-test-utils.h"

static const char *api_config =
  "[app:3]\n"
  "key = 278d425bdf160c739803\n"
  "secret = 7ad3773142a6692b25b8\n"
  "\n"
  "[app:other]\n"
  "key = other-key\n"
  "secret = other-secret\n";

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
  f->server = crier_test_server_new (api_config);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_pointer (&f->server, crier_test_server_free);
}

static gint64
now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* A request signed like the Node and PHP SDKs sign it. */
static CrierTestResponse *
api_full (Fixture           *f,
          const char        *method,
          const char        *path,
          const char        *body,
          const char        *key,
          const char        *secret,
          gint64             timestamp,
          const char *const *params)
{
  g_autofree char *query = crier_test_sign_query (method, path, key, secret, body, timestamp, params);
  g_autofree char *target = g_strconcat (path, "?", query, NULL);

  return crier_test_http (f->server, method, target, body);
}

static CrierTestResponse *
api (Fixture           *f,
     const char        *method,
     const char        *path,
     const char        *body,
     const char *const *params)
{
  return api_full (f, method, path, body, KEY, SECRET, now (), params);
}

/* Compares JSON texts by value: key order is free. */
static void
assert_json (const char *actual,
             const char *expected)
{
  g_autoptr (JsonNode) a = json_from_string (actual, NULL);
  g_autoptr (JsonNode) e = json_from_string (expected, NULL);

  if (a == NULL || e == NULL || !json_node_equal (a, e))
    {
      g_autofree char *problem = g_strdup_printf ("expected JSON %s, got %s", expected, actual);

      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, problem);
    }
}

static void
assert_ok (CrierTestResponse *response,
           const char        *expected_json)
{
  if (response->status != 200)
    g_test_message ("body: %s", response->body);
  g_assert_cmpuint (response->status, ==, 200);
  /* The PHP SDK wants exactly 200 and a JSON body (§14.1). */
  g_assert_cmpstr (response->content_type, ==, "application/json");
  assert_json (response->body, expected_json);
}

static void
assert_error (CrierTestResponse *response,
              unsigned           status,
              const char        *message)
{
  g_assert_cmpuint (response->status, ==, status);
  g_assert_true (g_str_has_prefix (response->content_type, "text/plain"));
  g_assert_cmpstr (response->body, ==, message);
}

static void
assert_error_prefix (CrierTestResponse *response,
                     unsigned           status,
                     const char        *prefix)
{
  g_assert_cmpuint (response->status, ==, status);
  if (!g_str_has_prefix (response->body, prefix))
    {
      g_autofree char *problem = g_strdup_printf ("“%s” does not start with “%s”", response->body, prefix);

      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, problem);
    }
}

static CrierTestClient *
subscriber (Fixture    *f,
            const char *channel)
{
  CrierTestClient          *client = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) ok G_GNUC_UNUSED = crier_test_client_subscribe (client, channel, NULL, NULL);

  return client;
}

static void
join_presence (CrierTestClient *client,
               const char      *channel,
               const char      *user_id)
{
  g_autofree char          *channel_data = g_strdup_printf ("{\"user_id\":\"%s\"}", user_id);
  g_autofree char          *auth = crier_test_channel_auth (KEY, SECRET, client->socket_id, channel, channel_data);
  g_autoptr (JsonObject) ok G_GNUC_UNUSED = crier_test_client_subscribe (client, channel, auth, channel_data);
}

static void
sign_in (CrierTestClient *client,
         const char      *user_id)
{
  g_autofree char *user_data = g_strdup_printf ("{\"id\":\"%s\"}", user_id);
  g_autofree char *auth = crier_test_user_auth (KEY, SECRET, client->socket_id, user_data);
  g_autoptr (JsonObject) ok = NULL;

  crier_test_client_sendf (client, "{\"event\":\"pusher:signin\",\"data\":{\"auth\":\"%s\","
                                   "\"user_data\":\"{\\\"id\\\":\\\"%s\\\"}\"}}",
                           auth, user_id);
  ok = crier_test_client_expect (client, "pusher:signin_success", NULL);
}

static void
assert_nothing (CrierTestClient *client)
{
  crier_test_client_sync (client);
  crier_test_client_assert_no_message (client);
}

/* Triggering */

static void
test_trigger (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (CrierTestClient) client = subscriber (f, "project-3");
  /* The documentation's worked example (§14.2). */
  const char *body = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}";
  g_autoptr (CrierTestResponse) response = api (f, "POST", "/apps/3/events", body, NULL);
  g_autoptr (CrierTestResponse) single = NULL;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (JsonObject) event2 = NULL;
  CrierMonitorEvent *request;

  assert_ok (response, "{}");
  g_assert_cmpstr (response->body, ==, "{}");
  event = crier_test_client_expect (client, "foo", "project-3");
  g_assert_cmpstr (json_object_get_string_member (event, "data"), ==, "{\"some\":\"data\"}");
  /* PHP ≥ 7.2 sends "channel" for one channel. */
  single = api (f, "POST", "/apps/3/events",
                "{\"name\":\"App\\\\Events\\\\OrderShipped\",\"data\":\"{\\\"order\\\":{\\\"id\\\":1}}\",\"channel\":\"project-3\"}",
                NULL);
  assert_ok (single, "{}");
  event2 = crier_test_client_expect (client, "App\\Events\\OrderShipped", "project-3");
  g_assert_cmpstr (json_object_get_string_member (event2, "data"), ==, "{\"order\":{\"id\":1}}");
  request = crier_test_server_find_event (f->server, CRIER_MONITOR_API_REQUEST, NULL, 0);
  g_assert_nonnull (request);
  g_assert_cmpint (request->code, ==, 200);
  g_assert_cmpstr (request->app_id, ==, APP);
  g_assert_cmpstr (request->event, ==, "POST /apps/3/events");
}

static void
test_trigger_exclude (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (CrierTestClient) sender = subscriber (f, "chat");
  g_autoptr (CrierTestClient) other = subscriber (f, "chat");
  g_autofree char *body = g_strdup_printf (
    "{\"name\":\"said\",\"channels\":[\"chat\"],\"data\":\"hi\",\"socket_id\":\"%s\"}", sender->socket_id);
  g_autoptr (CrierTestResponse) response = api (f, "POST", "/apps/3/events", body, NULL);
  g_autoptr (CrierTestResponse) bad = NULL;
  g_autoptr (JsonObject) event = NULL;

  assert_ok (response, "{}");
  event = crier_test_client_expect (other, "said", "chat");
  assert_nothing (sender);
  /* A malformed socket_id is refused (§14.9). */
  bad = api (f, "POST", "/apps/3/events", "{\"name\":\"said\",\"channel\":\"chat\",\"data\":\"x\",\"socket_id\":\"abc\"}",
             NULL);
  assert_error (bad, 400, "Invalid socket id 'abc': expected two numbers joined by a dot");
  assert_nothing (other);
}

static void
test_trigger_info (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (CrierTestClient) a = subscriber (f, "public");
  g_autoptr (CrierTestClient) b = subscriber (f, "public");
  g_autoptr (CrierTestResponse) response = NULL;

  join_presence (a, "presence-x", "1");
  join_presence (b, "presence-x", "1");
  response = api (f, "POST", "/apps/3/events",
                  "{\"name\":\"e\",\"channels\":[\"presence-x\",\"public\",\"empty\"],\"data\":\"{}\","
                  "\"info\":\"user_count,subscription_count\"}",
                  NULL);
  /* Only the attributes that apply to each channel type (§14.10). */
  assert_ok (response, "{\"channels\":{\"presence-x\":{\"user_count\":1},"
                       "\"public\":{\"subscription_count\":2},\"empty\":{\"subscription_count\":0}}}");
}

static void
test_trigger_server_to_user (Fixture      *f,
                             gconstpointer data)
{
  g_autoptr (CrierTestClient) user = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) stranger = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestResponse) response = NULL;
  g_autoptr (CrierTestResponse) nobody = NULL;
  g_autoptr (JsonObject) event = NULL;

  sign_in (user, "12345");
  /* What sendToUser () sends (§14.13). */
  response = api (f, "POST", "/apps/3/events",
                  "{\"name\":\"order-updated\",\"channels\":[\"#server-to-user-12345\"],\"data\":\"{\\\"id\\\":7}\"}",
                  NULL);
  assert_ok (response, "{}");
  event = crier_test_client_expect (user, "order-updated", "#server-to-user-12345");
  g_assert_cmpstr (json_object_get_string_member (event, "data"), ==, "{\"id\":7}");
  assert_nothing (stranger);
  /* A user without connections is not an error. */
  nobody = api (f, "POST", "/apps/3/events",
                "{\"name\":\"e\",\"channel\":\"#server-to-user-nobody\",\"data\":\"{}\"}", NULL);
  assert_ok (nobody, "{}");
}

typedef struct
{
  const char *name;
  const char *body;
  unsigned    status;
  const char *message;
} BadTrigger;

static const BadTrigger bad_triggers[] = {
  { "not-json", "{nope", 400, NULL },
  { "not-object", "[1]", 400, "The request body must be a JSON object" },
  { "no-name", "{\"channels\":[\"a\"],\"data\":\"{}\"}", 400, "'name' must be a string: the event name is missing" },
  { "no-data", "{\"name\":\"e\",\"channels\":[\"a\"]}", 400, "'data' must be a string (the event payload, usually JSON text)" },
  { "data-object", "{\"name\":\"e\",\"channels\":[\"a\"],\"data\":{}}", 400,
    "'data' must be a string (the event payload, usually JSON text)" },
  { "no-channel", "{\"name\":\"e\",\"data\":\"{}\"}", 400, "No channel given: set 'channel' or 'channels'" },
  { "empty-channels", "{\"name\":\"e\",\"channels\":[],\"data\":\"{}\"}", 400, "No channel given: set 'channel' or 'channels'" },
  { "channels-not-array", "{\"name\":\"e\",\"channels\":\"a\",\"data\":\"{}\"}", 400, "'channels' must be an array of channel names" },
  { "channels-not-strings", "{\"name\":\"e\",\"channels\":[1],\"data\":\"{}\"}", 400, "'channels' must contain only strings" },
  { "bad-channel", "{\"name\":\"e\",\"channels\":[\"a\",\"b c\"],\"data\":\"{}\"}", 400, "Invalid channel name 'b c'" },
  { "reserved-name", "{\"name\":\"pusher:x\",\"channel\":\"a\",\"data\":\"{}\"}", 400,
    "Event names starting with 'pusher:' or 'pusher_internal:' are reserved" },
  { "encrypted-mixed", "{\"name\":\"e\",\"channels\":[\"private-encrypted-a\",\"b\"],\"data\":\"{}\"}", 400, NULL },
};

static void
test_trigger_bad (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (CrierTestClient) client = subscriber (f, "a");

  for (guint i = 0; i < G_N_ELEMENTS (bad_triggers); i++)
    {
      const BadTrigger *c = &bad_triggers[i];
      g_autoptr (CrierTestResponse) response = api (f, "POST", "/apps/3/events", c->body, NULL);

      g_test_message ("case %s: %u %s", c->name, response->status, response->body);
      g_assert_cmpuint (response->status, ==, c->status);
      if (c->message != NULL)
        g_assert_cmpstr (response->body, ==, c->message);
    }
  /* Nothing from a rejected request reaches anyone (§14.2). */
  assert_nothing (client);
}

static void
test_trigger_limits (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (CrierTestClient) client = subscriber (f, "a");
  g_autofree char *big = g_strnfill (10241, 'x');
  g_autofree char *big_body = g_strdup_printf ("{\"name\":\"e\",\"channel\":\"a\",\"data\":\"%s\"}", big);
  g_autoptr (GString) many = g_string_new ("{\"name\":\"e\",\"data\":\"{}\",\"channels\":[\"a\"");
  g_autoptr (CrierTestResponse) too_large = api (f, "POST", "/apps/3/events", big_body, NULL);
  g_autoptr (CrierTestResponse) too_many = NULL;

  /* Pusher's wording and status (§14.3). */
  assert_error (too_large, 413, "The data content of this event exceeds the allowed maximum (10240 bytes).");
  for (int i = 0; i < 100; i++)
    g_string_append_printf (many, ",\"c%d\"", i);
  g_string_append (many, "]}");
  too_many = api (f, "POST", "/apps/3/events", many->str, NULL);
  assert_error (too_many, 400, "Can't trigger a message to more than 100 channels (got 101)");
  assert_nothing (client);
}

static void
test_batch (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (CrierTestClient) client = subscriber (f, "a");
  g_autoptr (CrierTestResponse) plain = NULL;
  g_autoptr (CrierTestResponse) with_info = NULL;
  g_autoptr (JsonObject) e1 = NULL;
  g_autoptr (JsonObject) e2 = NULL;
  g_autoptr (JsonObject) e3 = NULL;

  plain = api (f, "POST", "/apps/3/batch_events",
               "{\"batch\":[{\"channel\":\"a\",\"name\":\"e1\",\"data\":\"1\"},{\"channel\":\"b\",\"name\":\"e2\",\"data\":\"2\"}]}",
               NULL);
  assert_ok (plain, "{}");
  e1 = crier_test_client_expect (client, "e1", "a");
  with_info = api (f, "POST", "/apps/3/batch_events",
                   "{\"batch\":[{\"channel\":\"a\",\"name\":\"e2\",\"data\":\"1\",\"info\":\"subscription_count\"},"
                   "{\"channel\":\"a\",\"name\":\"e3\",\"data\":\"2\"}]}",
                   NULL);
  /* One attributes object per element, in order (§14.4). */
  assert_ok (with_info, "{\"batch\":[{\"subscription_count\":1},{}]}");
  e2 = crier_test_client_expect (client, "e2", "a");
  e3 = crier_test_client_expect (client, "e3", "a");
}

static void
test_batch_refused (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (CrierTestClient) client = subscriber (f, "a");
  g_autoptr (GString) eleven = g_string_new ("{\"batch\":[");
  g_autoptr (CrierTestResponse) too_many = NULL;
  g_autoptr (CrierTestResponse) one_bad = NULL;
  g_autoptr (CrierTestResponse) channels = NULL;
  g_autoptr (CrierTestResponse) too_large = NULL;
  g_autofree char *big = g_strnfill (10241, 'x');
  g_autofree char *big_body = g_strdup_printf (
    "{\"batch\":[{\"channel\":\"a\",\"name\":\"ok\",\"data\":\"{}\"},{\"channel\":\"a\",\"name\":\"e\",\"data\":\"%s\"}]}", big);

  for (int i = 0; i < 11; i++)
    g_string_append_printf (eleven, "%s{\"channel\":\"a\",\"name\":\"e%d\",\"data\":\"{}\"}", i ? "," : "", i);
  g_string_append (eleven, "]}");
  too_many = api (f, "POST", "/apps/3/batch_events", eleven->str, NULL);
  assert_error (too_many, 400, "Cannot batch-send more than 10 events at once (got 11)");

  /* The whole batch is validated first: one bad element and nothing goes out. */
  one_bad = api (f, "POST", "/apps/3/batch_events",
                 "{\"batch\":[{\"channel\":\"a\",\"name\":\"ok\",\"data\":\"{}\"},{\"channel\":\"b c\",\"name\":\"e\",\"data\":\"{}\"}]}",
                 NULL);
  assert_error (one_bad, 400, "batch[1]: Invalid channel name 'b c'");
  channels = api (f, "POST", "/apps/3/batch_events",
                  "{\"batch\":[{\"channels\":[\"a\"],\"name\":\"e\",\"data\":\"{}\"}]}", NULL);
  assert_error (channels, 400, "batch[0]: batch events take 'channel' (one channel), not 'channels'");
  too_large = api (f, "POST", "/apps/3/batch_events", big_body, NULL);
  assert_error (too_large, 413, "batch[1]: The data content of this event exceeds the allowed maximum (10240 bytes).");
  assert_nothing (client);
}

/* Authentication */

static void
test_auth_wrong_key (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (CrierTestClient) client = subscriber (f, "a");
  g_autoptr (CrierTestResponse) response = api_full (f, "POST", "/apps/3/events",
                                                     "{\"name\":\"e\",\"channel\":\"a\",\"data\":\"{}\"}",
                                                     "other-key", "other-secret", now (), NULL);

  assert_error (response, 401, "Unknown auth_key: 'other-key' is not the key of app '3'. It is the "
                               "key of app 'other': the sender's PUSHER_APP_ID and PUSHER_APP_KEY belong to "
                               "different apps.");
  assert_nothing (client);
}

static void
test_auth_timestamp (Fixture      *f,
                     gconstpointer data)
{
  const char *body = "{\"name\":\"e\",\"channel\":\"a\",\"data\":\"{}\"}";
  g_autoptr (CrierTestClient) client = subscriber (f, "a");
  g_autoptr (CrierTestResponse) stale = api_full (f, "POST", "/apps/3/events", body, KEY, SECRET, now () - 700, NULL);
  g_autoptr (CrierTestResponse) future = api_full (f, "POST", "/apps/3/events", body, KEY, SECRET, now () + 700, NULL);
  g_autoptr (CrierTestResponse) skewed = api_full (f, "POST", "/apps/3/events", body, KEY, SECRET, now () - 300, NULL);
  g_autoptr (JsonObject) event = NULL;

  /* Pusher's wording: both times in ISO 8601 (§14.2). */
  assert_error_prefix (stale, 401, "Timestamp expired: Given timestamp (");
  g_assert_nonnull (strstr (stale->body, ") not within 600s of server time ("));
  assert_error_prefix (future, 401, "Timestamp expired: Given timestamp (");
  /* Within 600 s is fine. */
  assert_ok (skewed, "{}");
  event = crier_test_client_expect (client, "e", "a");
  assert_nothing (client);
}

static void
test_auth_body_md5 (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (CrierTestClient) client = subscriber (f, "a");
  const char      *signed_body = "{\"name\":\"e\",\"channel\":\"a\",\"data\":\"{}\"}";
  const char      *sent_body = "{\"name\":\"e\",\"channel\":\"a\",\"data\":\"{\\\"evil\\\":1}\"}";
  g_autofree char *query = crier_test_sign_query ("POST", "/apps/3/events", KEY, SECRET, signed_body, now (), NULL);
  g_autofree char *target = g_strconcat ("/apps/3/events?", query, NULL);
  g_autoptr (CrierTestResponse) tampered = crier_test_http (f->server, "POST", target, sent_body);
  g_autofree char *no_md5_query = crier_test_sign_query ("POST", "/apps/3/events", KEY, SECRET, NULL, now (), NULL);
  g_autofree char *no_md5_target = g_strconcat ("/apps/3/events?", no_md5_query, NULL);
  g_autoptr (CrierTestResponse) no_md5 = crier_test_http (f->server, "POST", no_md5_target, signed_body);
  g_autofree char *expected = g_compute_checksum_for_string (G_CHECKSUM_MD5, sent_body, -1);
  g_autofree char *given = g_compute_checksum_for_string (G_CHECKSUM_MD5, signed_body, -1);
  g_autofree char *message = g_strdup_printf ("body_md5 does not match the request body: expected %s, got %s",
                                              expected, given);

  assert_error (tampered, 401, message);
  assert_error (no_md5, 401, "Missing query parameter body_md5: required when the request has a body");
  assert_nothing (client);
}

static void
test_auth_bad_signature (Fixture      *f,
                         gconstpointer data)
{
  g_autoptr (CrierTestClient) client = subscriber (f, "a");
  const char      *body = "{\"name\":\"e\",\"channel\":\"a\",\"data\":\"{}\"}";
  g_autofree char *query = crier_test_sign_query ("POST", "/apps/3/events", KEY, "wrong-secret", body, now (), NULL);
  g_autofree char *target = g_strconcat ("/apps/3/events?", query, NULL);
  g_autoptr (CrierTestResponse) response = crier_test_http (f->server, "POST", target, body);
  g_autofree char *to_sign = crier_test_string_to_sign ("POST", "/apps/3/events", query);
  g_autofree char *escaped = g_strescape (to_sign, NULL);
  const char      *signature = strstr (query, "auth_signature=") + strlen ("auth_signature=");
  g_autofree char *expected = g_strdup_printf (
    "Invalid signature: you should have sent HmacSHA256Hex(\"%s\", your_secret_key), but you sent "
    "\"%s\". The signature matches no known secret: the sender's PUSHER_APP_SECRET is not the "
    "secret of app '3', or it signed another text (a path prefix, other query parameters).",
    escaped, signature);

  /* Pusher's wording, with the string to sign escaped onto one line (§14.2). */
  assert_error (response, 401, expected);
  g_assert_nonnull (strstr (response->body, "POST\\n/apps/3/events\\nauth_key=" KEY "&auth_timestamp="));
  g_assert_null (strstr (response->body, SECRET));
  assert_nothing (client);
}

static void
test_auth_missing (Fixture      *f,
                   gconstpointer data)
{
  const char *names[] = { "auth_key", "auth_timestamp", "auth_version", "auth_signature" };
  g_autoptr (CrierTestResponse) bare = crier_test_http (f->server, "GET", "/apps/3/channels", NULL);

  assert_error (bare, 401,
                "Missing query parameter auth_key: the request must be signed (auth_key, auth_timestamp, "
                "auth_version, body_md5, auth_signature)");
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *query = crier_test_sign_query ("GET", "/apps/3/channels", KEY, SECRET, NULL, now (), NULL);
      g_auto (GStrv) pairs = g_strsplit (query, "&", -1);
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
      g_auto (GStrv) kept = NULL;
      g_autofree char *joined = NULL;
      g_autofree char *target = NULL;
      g_autoptr (CrierTestResponse) response = NULL;
      g_autofree char *prefix = g_strdup_printf ("Missing query parameter %s", names[i]);

      for (guint j = 0; pairs[j]; j++)
        if (!g_str_has_prefix (pairs[j], names[i]))
          g_strv_builder_add (builder, pairs[j]);
      kept = g_strv_builder_end (builder);
      joined = g_strjoinv ("&", kept);
      target = g_strconcat ("/apps/3/channels?", joined, NULL);
      response = crier_test_http (f->server, "GET", target, NULL);
      assert_error_prefix (response, 401, prefix);
    }
}

/* Routing */

static void
test_routes (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (CrierTestResponse) unknown_app = api (f, "POST", "/apps/999/events", "{}", NULL);
  g_autoptr (CrierTestResponse) get_events = api (f, "GET", "/apps/3/events", NULL, NULL);
  g_autoptr (CrierTestResponse) post_channels = api (f, "POST", "/apps/3/channels", "{}", NULL);
  g_autoptr (CrierTestResponse) nothing = api (f, "GET", "/apps/3/nothing", NULL, NULL);
  g_autoptr (CrierTestResponse) root_nothing = crier_test_http (f->server, "GET", "/nothing", NULL);

  assert_error (unknown_app, 404, "Unknown app id '999'");
  assert_error (get_events, 405, "GET /apps/3/events is not allowed: use POST");
  g_assert_cmpstr (get_events->allow, ==, "POST");
  assert_error (post_channels, 405, "POST /apps/3/channels is not allowed: use GET");
  g_assert_cmpstr (post_channels->allow, ==, "GET");
  assert_error (nothing, 404, "Not found: /apps/3/nothing");
  assert_error (root_nothing, 404, "Not found: /nothing");
}

/* Queries */

static void
test_channels (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (CrierTestClient) a = subscriber (f, "orders");
  g_autoptr (CrierTestClient) b = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestResponse) all = NULL;
  g_autoptr (CrierTestResponse) presence = NULL;
  g_autoptr (CrierTestResponse) refused = NULL;
  g_autoptr (CrierTestResponse) refused_other = NULL;
  g_autoptr (CrierTestResponse) empty = NULL;

  join_presence (a, "presence-a", "1");
  join_presence (b, "presence-a", "1");
  join_presence (b, "presence-b", "2");
  all = api (f, "GET", "/apps/3/channels", NULL, NULL);
  /* Without info each channel maps to an empty object (§14.5). */
  assert_ok (all, "{\"channels\":{\"orders\":{},\"presence-a\":{},\"presence-b\":{}}}");
  presence = api (f, "GET", "/apps/3/channels", NULL,
                  (const char *const[]){ "filter_by_prefix", "presence-", "info", "user_count", NULL });
  assert_ok (presence, "{\"channels\":{\"presence-a\":{\"user_count\":1},\"presence-b\":{\"user_count\":1}}}");
  refused = api (f, "GET", "/apps/3/channels", NULL, (const char *const[]){ "info", "user_count", NULL });
  assert_error (refused, 400,
                "Request must be limited to presence channels in order to fetch user_count "
                "(add filter_by_prefix=presence-)");
  refused_other = api (f, "GET", "/apps/3/channels", NULL,
                       (const char *const[]){ "filter_by_prefix", "private-", "info", "user_count", NULL });
  g_assert_cmpuint (refused_other->status, ==, 400);
  /* An empty result is an object, not an array. */
  empty = api (f, "GET", "/apps/3/channels", NULL, (const char *const[]){ "filter_by_prefix", "none-", NULL });
  assert_ok (empty, "{\"channels\":{}}");
  g_assert_cmpstr (empty->body, ==, "{\"channels\":{}}");
}

/* The same signature vector as the documentation: percent-encoding on the wire does not
 * change what is signed (§14.2). */
static void
test_channels_signed_vector (Fixture      *f,
                             gconstpointer data)
{
  const char *target = "/apps/3/channels?auth_key=" KEY "&auth_timestamp=1353088179&auth_version=1.0"
                       "&filter_by_prefix=presence-&info=user_count"
                       "&auth_signature=16819168891cb5dfd72b5c7a5d3d602605b26c6ba1930033b5e2eeeb65010291";
  g_autoptr (CrierTestResponse) response = crier_test_http (f->server, "GET", target, NULL);

  /* Correctly signed, but from 2012: only the timestamp is wrong. */
  assert_error_prefix (response, 401, "Timestamp expired: Given timestamp (2012-11-16T17:49:39Z)");
}

static void
test_channel (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (CrierTestClient) a = subscriber (f, "orders");
  g_autoptr (CrierTestResponse) plain = NULL;
  g_autoptr (CrierTestResponse) count = NULL;
  g_autoptr (CrierTestResponse) public_users = NULL;
  g_autoptr (CrierTestResponse) presence = NULL;
  g_autoptr (CrierTestResponse) presence_count = NULL;
  g_autoptr (CrierTestResponse) vacant = NULL;
  g_autoptr (CrierTestResponse) cache = NULL;
  g_autoptr (CrierTestResponse) no_cache = NULL;
  g_autoptr (CrierTestResponse) unknown = NULL;
  g_autoptr (CrierTestResponse) bad_name = NULL;
  g_autoptr (JsonNode) cache_json = NULL;
  JsonObject *cache_object;

  join_presence (a, "presence-a", "1");
  plain = api (f, "GET", "/apps/3/channels/orders", NULL, NULL);
  assert_ok (plain, "{\"occupied\":true}");
  count = api (f, "GET", "/apps/3/channels/orders", NULL, (const char *const[]){ "info", "subscription_count", NULL });
  assert_ok (count, "{\"occupied\":true,\"subscription_count\":1}");
  /* An attribute that does not apply is a 400 (§14.6). */
  public_users = api (f, "GET", "/apps/3/channels/orders", NULL, (const char *const[]){ "info", "user_count", NULL });
  assert_error (public_users, 400, "The info attribute 'user_count' does not apply to the public channel 'orders'");
  presence = api (f, "GET", "/apps/3/channels/presence-a", NULL, (const char *const[]){ "info", "user_count", NULL });
  assert_ok (presence, "{\"occupied\":true,\"user_count\":1}");
  presence_count = api (f, "GET", "/apps/3/channels/presence-a", NULL,
                        (const char *const[]){ "info", "subscription_count", NULL });
  g_assert_cmpuint (presence_count->status, ==, 400);
  vacant = api (f, "GET", "/apps/3/channels/nobody", NULL, (const char *const[]){ "info", "subscription_count", NULL });
  assert_ok (vacant, "{\"occupied\":false,\"subscription_count\":0}");

  {
    g_autoptr (CrierTestResponse) published = api (f, "POST", "/apps/3/events",
                                                   "{\"name\":\"moved\",\"channel\":\"cache-loc\",\"data\":\"{\\\"lat\\\":1}\"}",
                                                   NULL);

    assert_ok (published, "{}");
  }
  cache = api (f, "GET", "/apps/3/channels/cache-loc", NULL, (const char *const[]){ "info", "cache", NULL });
  g_assert_cmpuint (cache->status, ==, 200);
  cache_json = json_from_string (cache->body, NULL);
  g_assert_nonnull (cache_json);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (cache_json), "occupied"));
  cache_object = json_object_get_object_member (json_node_get_object (cache_json), "cache");
  g_assert_nonnull (cache_object);
  g_assert_cmpstr (json_object_get_string_member (cache_object, "data"), ==, "{\"lat\":1}");
  g_assert_cmpint (json_object_get_int_member (cache_object, "ttl"), >, 0);
  g_assert_cmpint (json_object_get_int_member (cache_object, "ttl"), <=, 1800);
  no_cache = api (f, "GET", "/apps/3/channels/cache-none", NULL, (const char *const[]){ "info", "cache", NULL });
  assert_ok (no_cache, "{\"occupied\":false,\"cache\":null}");
  unknown = api (f, "GET", "/apps/3/channels/orders", NULL, (const char *const[]){ "info", "colour", NULL });
  g_assert_cmpuint (unknown->status, ==, 400);
  bad_name = api (f, "GET", "/apps/3/channels/a*b", NULL, NULL);
  assert_error (bad_name, 400, "Invalid channel name 'a*b'");
}

static void
test_users (Fixture      *f,
            gconstpointer data)
{
  g_autoptr (CrierTestClient) a = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) b = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) c = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestResponse) users = NULL;
  g_autoptr (CrierTestResponse) not_presence = NULL;
  g_autoptr (CrierTestResponse) vacant = NULL;
  g_autoptr (JsonNode) root = NULL;
  JsonArray *array;
  gboolean   seen1 = FALSE;
  gboolean   seen2 = FALSE;

  join_presence (a, "presence-u", "1");
  join_presence (b, "presence-u", "2");
  join_presence (c, "presence-u", "2");
  users = api (f, "GET", "/apps/3/channels/presence-u/users", NULL, NULL);
  g_assert_cmpuint (users->status, ==, 200);
  root = json_from_string (users->body, NULL);
  array = json_object_get_array_member (json_node_get_object (root), "users");
  /* One entry per distinct user (§14.7). */
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *user = json_array_get_object_element (array, i);
      const char *id = json_object_get_string_member (user, "id");

      g_assert_cmpuint (json_object_get_size (user), ==, 1);
      seen1 |= g_str_equal (id, "1");
      seen2 |= g_str_equal (id, "2");
    }
  g_assert_true (seen1 && seen2);
  not_presence = api (f, "GET", "/apps/3/channels/orders/users", NULL, NULL);
  assert_error (not_presence, 400, "Users can only be listed for presence channels, and 'orders' is not one");
  vacant = api (f, "GET", "/apps/3/channels/presence-empty/users", NULL, NULL);
  assert_ok (vacant, "{\"users\":[]}");
}

static void
test_terminate (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (CrierTestClient) tab1 = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) tab2 = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) other = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestResponse) response = NULL;
  g_autofree char *message = NULL;

  sign_in (tab1, "42");
  sign_in (tab2, "42");
  sign_in (other, "43");
  /* What the SDKs send: the body {} (§14.8). */
  response = api (f, "POST", "/apps/3/users/42/terminate_connections", "{}", NULL);
  assert_ok (response, "{}");
  message = crier_test_client_expect_error (tab1, 4009);
  crier_test_client_wait_closed (tab1);
  crier_test_client_wait_closed (tab2);
  g_assert_cmpuint (tab1->close_code, ==, 4009);
  g_assert_cmpuint (tab2->close_code, ==, 4009);
  assert_nothing (other);
}

static void
test_connections (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (CrierTestClient) a G_GNUC_UNUSED = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) b G_GNUC_UNUSED = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) c G_GNUC_UNUSED = crier_test_client_connect (f->server, "other-key");
  g_autoptr (CrierTestResponse) response = api (f, "GET", "/apps/3/connections", NULL, NULL);

  assert_ok (response, "{\"connections\":2}");
}

/* Operational endpoints */

static void
test_up (Fixture      *f,
         gconstpointer data)
{
  g_autoptr (CrierTestResponse) response = crier_test_http (f->server, "GET", "/up", NULL);

  assert_ok (response, "{\"health\":\"OK\"}");
}

static void
test_metrics (Fixture      *f,
              gconstpointer data)
{
  g_autoptr (CrierTestClient) a G_GNUC_UNUSED = subscriber (f, "orders");
  g_autoptr (CrierTestResponse) response = crier_test_http (f->server, "GET", "/metrics", NULL);

  g_assert_cmpuint (response->status, ==, 200);
  g_assert_true (g_str_has_prefix (response->content_type, "text/plain"));
  g_assert_nonnull (strstr (response->body, "# TYPE crier_connections gauge\n"));
  g_assert_nonnull (strstr (response->body, "\ncrier_connections 1\n"));
  g_assert_nonnull (strstr (response->body, "\ncrier_connections{app=\"3\"} 1\n"));
  g_assert_nonnull (strstr (response->body, "\ncrier_connections{app=\"other\"} 0\n"));
  g_assert_nonnull (strstr (response->body, "\ncrier_channels{app=\"3\"} 1\n"));
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/http-api/trigger/deliver", test_trigger);
  ADD ("/http-api/trigger/exclude", test_trigger_exclude);
  ADD ("/http-api/trigger/info", test_trigger_info);
  ADD ("/http-api/trigger/server-to-user", test_trigger_server_to_user);
  ADD ("/http-api/trigger/bad", test_trigger_bad);
  ADD ("/http-api/trigger/limits", test_trigger_limits);
  ADD ("/http-api/batch/deliver", test_batch);
  ADD ("/http-api/batch/refused", test_batch_refused);
  ADD ("/http-api/auth/wrong-key", test_auth_wrong_key);
  ADD ("/http-api/auth/timestamp", test_auth_timestamp);
  ADD ("/http-api/auth/body-md5", test_auth_body_md5);
  ADD ("/http-api/auth/bad-signature", test_auth_bad_signature);
  ADD ("/http-api/auth/missing", test_auth_missing);
  ADD ("/http-api/routes", test_routes);
  ADD ("/http-api/channels/list", test_channels);
  ADD ("/http-api/channels/signed-vector", test_channels_signed_vector);
  ADD ("/http-api/channels/one", test_channel);
  ADD ("/http-api/channels/users", test_users);
  ADD ("/http-api/users/terminate", test_terminate);
  ADD ("/http-api/connections", test_connections);
  ADD ("/http-api/up", test_up);
  ADD ("/http-api/metrics", test_metrics);

  return g_test_run ();
}
