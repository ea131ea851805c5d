/* test-json.c — the depth pre-scan in front of json-glib, and deep JSON from a real peer
 * (WebSocket frames, channel_data, user_data, a signed HTTP API body)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-json.h"
#include "crier-signature.h"
#include "crier-test-utils.h"

/* Far beyond what json-glib 1.6's recursive parser survives on an 8 MiB stack (about
 * 70 000 levels under ASan, 100 000 without), and still inside the default 256 KiB frame. */
#define DEEP 120000

/* prefix, depth times open, middle, depth times close, suffix. */
static char *
nest (const char *prefix,
      const char *open,
      unsigned    depth,
      const char *middle,
      const char *close,
      const char *suffix)
{
  GString *text = g_string_new (prefix);

  for (unsigned i = 0; i < depth; i++)
    g_string_append (text, open);
  g_string_append (text, middle);
  for (unsigned i = 0; i < depth; i++)
    g_string_append (text, close);
  g_string_append (text, suffix);
  return g_string_free (text, FALSE);
}

typedef struct
{
  const char *name;
  const char *prefix;
  const char *open;
  unsigned    depth;
  const char *middle;
  const char *close;
  const char *suffix;
  int         code; /* -1: accepted by the scan */
} ScanCase;

static const ScanCase scan_cases[] = {
  { "flat", "{\"event\":\"pusher:ping\",\"data\":{}}", "", 0, "", "", "", -1 },
  { "empty", "", "", 0, "", "", "", -1 },
  { "limit-arrays", "", "[", CRIER_JSON_MAX_DEPTH, "", "]", "", -1 },
  { "limit-objects", "", "{\"a\":", CRIER_JSON_MAX_DEPTH, "1", "}", "", -1 },
  { "over-arrays", "", "[", CRIER_JSON_MAX_DEPTH + 1, "", "]", "", CRIER_JSON_ERROR_TOO_DEEP },
  { "over-objects", "", "{\"a\":", CRIER_JSON_MAX_DEPTH + 1, "1", "}", "", CRIER_JSON_ERROR_TOO_DEEP },
  { "over-mixed", "", "{\"a\":[", CRIER_JSON_MAX_DEPTH / 2 + 1, "", "]}", "", CRIER_JSON_ERROR_TOO_DEEP },
  { "very-deep", "", "[", DEEP, "", "]", "", CRIER_JSON_ERROR_TOO_DEEP },
  /* Unbalanced: still counted as it goes. */
  { "unclosed", "", "[", CRIER_JSON_MAX_DEPTH + 1, "", "", "", CRIER_JSON_ERROR_TOO_DEEP },
  { "stray-closers-first", "]]]]}}}}", "[", CRIER_JSON_MAX_DEPTH + 1, "", "]", "", CRIER_JSON_ERROR_INVALID },
  { "sequential", "[", "[]", 1000, "", "", "]", -1 },
  /* Brackets inside strings are text. */
  { "brackets-in-string", "[\"", "[{", 1000, "", "}]", "\"]", -1 },
  { "escaped-quote", "[\"\\\"", "[", 1000, "", "]", "\"]", -1 },
  { "escaped-backslash-then-quote", "[\"\\\\\",", "[", CRIER_JSON_MAX_DEPTH, "", "]", "]",
    CRIER_JSON_ERROR_TOO_DEEP },
  { "escapes", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"]", "", 0, "", "", "", -1 },
  /* json-glib 1.6 takes the character after a short \u escape (here the closing quote) into
   * the string, so for it the second quote ends the string and the brackets are structure. */
  { "short-unicode-escape-hides-brackets", "[\"\\u12\",\",", "[", DEEP, "", "]", "]",
    CRIER_JSON_ERROR_INVALID },
  /* json-glib 1.6 reads 'single-quoted' strings and "/ … /" as a comment. */
  { "single-quote-hides-brackets", "['\"',", "[", DEEP, "", "]", "]", CRIER_JSON_ERROR_INVALID },
  { "comment-hides-brackets", "[/\"/,", "[", DEEP, "", "]", "]", CRIER_JSON_ERROR_INVALID },
  { "c-comment", "/* x */ [1]", "", 0, "", "", "", CRIER_JSON_ERROR_INVALID },
  /* json-glib 1.6 leaks its string buffer on a malformed surrogate pair. */
  { "high-surrogate-then-letter", "[\"\\ud800\\u0041\"]", "", 0, "", "", "", CRIER_JSON_ERROR_INVALID },
  { "high-surrogate-alone", "[\"\\ud800\"]", "", 0, "", "", "", CRIER_JSON_ERROR_INVALID },
  { "high-surrogate-short", "[\"\\ud800\\u\"]", "", 0, "", "", "", CRIER_JSON_ERROR_INVALID },
  { "low-surrogate-alone", "[\"\\udc00\"]", "", 0, "", "", "", CRIER_JSON_ERROR_INVALID },
  { "unknown-escape", "[\"\\x\"]", "", 0, "", "", "", CRIER_JSON_ERROR_INVALID },
  { "octal-escape", "[\"\\101\"]", "", 0, "", "", "", CRIER_JSON_ERROR_INVALID },
  /* One value, then nothing but whitespace: json-glib 1.6 leaks the tree it built when
   * text follows it (found by fuzz-pusher). */
  { "space-around", " \t\r\n{\"a\":[1,\"}\"]} \n", "", 0, "", "", "", -1 },
  { "scalar", " -1.5e3 ", "", 0, "", "", "", -1 },
  { "string-scalar", "\"a]\"", "", 0, "", "", "", -1 },
  { "object-then-object", "{}{}", "", 0, "", "", "", CRIER_JSON_ERROR_INVALID },
  { "array-then-space-then-array", "[1] [2]", "", 0, "", "", "", CRIER_JSON_ERROR_INVALID },
  { "scalar-then-object", "1{\"a\":[[[]]]}", "", 0, "", "", "", CRIER_JSON_ERROR_INVALID },
  { "literal-then-literal", "true false", "", 0, "", "", "", CRIER_JSON_ERROR_INVALID },
  { "string-then-string", "\"a\"\"b\"", "", 0, "", "", "", CRIER_JSON_ERROR_INVALID },
  { "stray-closer-after", "{}}", "", 0, "", "", "", CRIER_JSON_ERROR_INVALID },
  /* Malformed in ways the scan leaves to the parser. */
  { "unterminated-string", "[\"abc", "", 0, "", "", "", -1 },
  { "backslash-at-end", "[\"abc\\", "", 0, "", "", "", -1 },
  { "trailing-comma", "[1,]", "", 0, "", "", "", -1 },
};

static void
test_scan (gconstpointer data)
{
  const ScanCase  *c = data;
  g_autofree char *text = nest (c->prefix, c->open, c->depth, c->middle, c->close, c->suffix);
  g_autoptr (GError) error = NULL;
  gboolean ok = crier_json_check_depth (text, -1, CRIER_JSON_MAX_DEPTH, &error);

  if (c->code < 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_error (error, CRIER_JSON_ERROR, c->code);
      g_assert_false (ok);
      g_test_message ("%s", error->message);
    }
  /* The same through the parser: refused before json-glib sees it, or parsed (or refused
   * by json-glib) without crashing or leaking. */
  g_clear_error (&error);
  {
    g_autoptr (JsonNode) root = crier_json_parse (text, -1, &error);

    if (c->code >= 0)
      g_assert_error (error, CRIER_JSON_ERROR, c->code);
    else
      g_assert_true ((root != NULL) != (error != NULL));
  }
}

static void
test_scan_length (void)
{
  g_autoptr (GError) error = NULL;
  const char text[] = "[1]\0[[[[";

  /* Only length bytes count, and a NUL inside them is refused. */
  g_assert_true (crier_json_check_depth ("[[[]]]", 2, 2, &error));
  g_assert_no_error (error);
  g_assert_false (crier_json_check_depth ("[[[]]]", 3, 2, &error));
  g_assert_error (error, CRIER_JSON_ERROR, CRIER_JSON_ERROR_TOO_DEEP);
  g_clear_error (&error);
  g_assert_false (crier_json_check_depth (text, sizeof text - 1, 8, &error));
  g_assert_error (error, CRIER_JSON_ERROR, CRIER_JSON_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (crier_json_check_depth ("[\"a\0\"]", 6, 8, &error));
  g_assert_error (error, CRIER_JSON_ERROR, CRIER_JSON_ERROR_INVALID);
}

static void
test_parse (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) object = crier_json_parse_object ("{\"s\":\"\\uD83D\\uDE00\"}", -1, &error);
  g_autoptr (JsonNode) node = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (crier_json_object_get_string (object, "s"), ==, "\xf0\x9f\x98\x80");
  g_assert_null (crier_json_parse_object ("[1]", -1, &error));
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA);
  g_clear_error (&error);
  /* json-glib takes an empty text as no value at all; callers want an error. */
  g_assert_null (crier_json_parse ("  ", -1, &error));
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_null (crier_json_parse ("{\"a\":", -1, &error));
  g_assert_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE);
  g_clear_error (&error);
  node = crier_json_parse ("[1,2]", 3, &error); /* "[1," */
  g_assert_null (node);
  g_assert_nonnull (error);
}

/* Every prefix of a message and of a presence channel_data, each one malformed: refused
 * without a leak (the ASan build's LeakSanitizer checks this at exit). */
static void
test_malformed_corpus (void)
{
  static const char *const texts[] = {
    "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"presence-a\",\"auth\":\"k:s\","
    "\"channel_data\":\"{\\\"user_id\\\":1,\\\"user_info\\\":{\\\"n\\\":[1,2.5,-3e2,true,null]}}\"}}",
    "[{\"a\":[{\"b\":{\"c\":[1,\"\\u0041\\ud83d\\ude00\"]}}]},{}]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    for (gsize length = 0; length < strlen (texts[i]); length++)
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (JsonNode) root = crier_json_parse (texts[i], (gssize) length, &error);

        g_assert_null (root);
        g_assert_nonnull (error);
      }
}

/* End to end: a real server, real sockets. */

static const char *server_config =
  "[server]\n"
  "max-frame-size = 4194304\n"
  "[app:3]\n"
  "key = 278d425bdf160c739803\n"
  "secret = 7ad3773142a6692b25b8\n"
  "client-events = true\n"
  "max-message-size = 1000000\n";

/* One frame nested DEEP levels: a pusher:error with the usual shape (code null), and the
 * connection and the server go on serving. */
static void
test_server_deep_frame (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (server_config);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autoptr (CrierTestClient) other = NULL;
  g_autofree char *deep = nest ("", "[", DEEP, "", "]", "");
  g_autofree char *message = NULL;

  crier_test_client_send (client, deep);
  message = crier_test_client_expect_error (client, 0);
  g_assert_cmpstr (message, ==,
                   "Received invalid JSON: arrays and objects nested deeper than 128 levels");
  g_assert_nonnull (crier_test_server_find_event (server, CRIER_MONITOR_PROTOCOL_ERROR, NULL, 0));
  crier_test_client_sync (client);
  other = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  crier_test_client_sync (other);
}

/* The same depth inside the data of a client event, sent as an object. */
static void
test_server_deep_client_event (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (server_config);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autofree char *deep = nest ("{\"event\":\"client-x\",\"channel\":\"private-a\",\"data\":", "[",
                                DEEP, "", "]", "}");
  g_autoptr (JsonObject) succeeded = NULL;
  g_autofree char *message = NULL;

  succeeded = crier_test_client_subscribe_signed (client, CRIER_TEST_APP_KEY,
                                                  CRIER_TEST_APP_SECRET, "private-a", NULL);
  crier_test_client_send (client, deep);
  message = crier_test_client_expect_error (client, 0);
  g_assert_nonnull (strstr (message, "nested deeper than 128 levels"));
  crier_test_client_sync (client);
}

/* channel_data and user_data are JSON inside a JSON string: the outer frame is flat, the
 * string nests DEEP levels. Both are signed correctly, so only the nesting is wrong. */
static void
test_server_deep_channel_data (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (server_config);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autofree char *channel_data = nest ("{\"user_id\":\"1\",\"user_info\":", "[", DEEP, "", "]", "}");
  g_autofree char *auth = crier_test_channel_auth (CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET,
                                                   client->socket_id, "presence-a", channel_data);
  g_autofree char *message = NULL;

  crier_test_client_send_subscribe (client, "presence-a", auth, channel_data);
  message = crier_test_client_expect_error (client, 0);
  g_test_message ("%s", message);
  g_assert_nonnull (strstr (message, "nested deeper than 128 levels"));
  crier_test_client_sync (client);
}

static void
test_server_deep_user_data (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (server_config);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autofree char *user_data = nest ("{\"id\":\"1\",\"user_info\":", "[", DEEP, "", "]", "}");
  g_autofree char *auth = crier_test_user_auth (CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET,
                                                client->socket_id, user_data);
  g_autoptr (JsonObject) data = json_object_new ();
  g_autoptr (JsonObject) frame = json_object_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *message = NULL;

  json_object_set_string_member (data, "auth", auth);
  json_object_set_string_member (data, "user_data", user_data);
  json_object_set_string_member (frame, "event", "pusher:signin");
  json_object_set_object_member (frame, "data", g_steal_pointer (&data));
  root = json_node_init_object (json_node_alloc (), frame);
  text = json_to_string (root, FALSE);
  crier_test_client_send (client, text);
  message = crier_test_client_expect_error (client, 4009);
  g_assert_nonnull (strstr (message, "nested deeper than 128 levels"));
  crier_test_client_sync (client);
}

/* A correctly signed HTTP API body nested DEEP levels: 400 with a clear message. */
static void
test_server_deep_api_body (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (server_config);
  g_autofree char *body = nest ("{\"name\":\"e\",\"channels\":[\"a\"],\"data\":\"x\",\"info\":", "[",
                                DEEP, "", "]", "}");
  g_autofree char *query = crier_test_sign_query ("POST", "/apps/3/events", CRIER_TEST_APP_KEY,
                                                  CRIER_TEST_APP_SECRET, body,
                                                  g_get_real_time () / G_USEC_PER_SEC, NULL);
  g_autofree char *target = g_strconcat ("/apps/3/events?", query, NULL);
  g_autoptr (CrierTestResponse) response = crier_test_http (server, "POST", target, body);
  g_autoptr (CrierTestResponse) up = NULL;

  g_assert_cmpuint (response->status, ==, 400);
  g_assert_cmpstr (response->body, ==,
                   "The request body is not valid JSON: arrays and objects nested deeper than "
                   "128 levels");
  up = crier_test_http (server, "GET", "/up", NULL);
  g_assert_cmpuint (up->status, ==, 200);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (scan_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/json/scan/%s", scan_cases[i].name);

      g_test_add_data_func (path, &scan_cases[i], test_scan);
    }
  g_test_add_func ("/core/json/scan/length", test_scan_length);
  g_test_add_func ("/core/json/parse", test_parse);
  g_test_add_func ("/core/json/malformed-corpus", test_malformed_corpus);
  g_test_add_func ("/core/json/server/deep-frame", test_server_deep_frame);
  g_test_add_func ("/core/json/server/deep-client-event", test_server_deep_client_event);
  g_test_add_func ("/core/json/server/deep-channel-data", test_server_deep_channel_data);
  g_test_add_func ("/core/json/server/deep-user-data", test_server_deep_user_data);
  g_test_add_func ("/core/json/server/deep-api-body", test_server_deep_api_body);
  return g_test_run ();
}
