/* test-message.c — the Pusher JSON envelope: parsing client messages, building server frames
 * byte for byte (pusher-protocol.md §2.3, §2.4, §7)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-frame.h"
#include "crier-message.h"

/* The text of an unmasked server text frame, header checked. */
static char *
frame_text (GBytes *frame)
{
  gsize         size;
  const guint8 *bytes = g_bytes_get_data (frame, &size);
  gsize         header = 2;
  guint64       length;

  g_assert_cmpuint (size, >=, 2);
  g_assert_cmpuint (bytes[0], ==, 0x80 | CRIER_OPCODE_TEXT);
  g_assert_cmpuint (bytes[1] & 0x80, ==, 0); /* servers never mask */
  length = bytes[1] & 0x7f;
  if (length == 126)
    {
      length = ((guint64) bytes[2] << 8) | bytes[3];
      header = 4;
    }
  else if (length == 127)
    {
      length = 0;
      for (int i = 0; i < 8; i++)
        length = (length << 8) | bytes[2 + i];
      header = 10;
    }
  g_assert_cmpuint (size, ==, header + length);
  return g_strndup ((const char *) bytes + header, length);
}

typedef struct
{
  const char *name;
  const char *text;
  const char *event;
  const char *channel;
  const char *data_type; /* "none", "object", "string", "other" */
} GoodCase;

static const GoodCase good_cases[] = {
  { "pusher-js-subscribe", "{\"event\":\"pusher:subscribe\",\"data\":{\"auth\":\"\",\"channel\":\"orders\"}}",
    "pusher:subscribe", NULL, "object" },
  { "ping", "{\"event\":\"pusher:ping\",\"data\":{}}", "pusher:ping", NULL, "object" },
  { "no-data", "{\"event\":\"pusher:ping\"}", "pusher:ping", NULL, "none" },
  { "null-data", "{\"event\":\"pusher:ping\",\"data\":null}", "pusher:ping", NULL, "none" },
  { "client-event", "{\"event\":\"client-typing\",\"data\":{\"name\":\"Taylor\"},\"channel\":\"private-chat.1\"}",
    "client-typing", "private-chat.1", "object" },
  { "string-data", "{\"event\":\"client-x\",\"channel\":\"private-a\",\"data\":\"{\\\"a\\\":1}\"}",
    "client-x", "private-a", "string" },
  { "number-data", "{\"event\":\"client-x\",\"data\":5}", "client-x", NULL, "other" },
  /* Unknown members are ignored (§2.3); a non-string channel counts as absent. */
  { "extra-members", "{\"extra\":[1,2],\"event\":\"e\",\"channel\":7}", "e", NULL, "none" },
  { "whitespace", " \n{ \"event\" : \"e\" }\n ", "e", NULL, "none" },
  { "unicode", "{\"event\":\"client-\xc3\xa9\",\"data\":\"\\u00e9\"}", "client-\xc3\xa9", NULL, "string" },
};

static void
test_parse_good (gconstpointer data)
{
  const GoodCase *c = data;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  CrierMessage message;

  g_assert_true (crier_message_parse (parser, c->text, strlen (c->text), &message, NULL));
  g_assert_nonnull (message.root);
  g_assert_cmpstr (message.event, ==, c->event);
  g_assert_cmpstr (message.channel, ==, c->channel);
  if (g_str_equal (c->data_type, "none"))
    g_assert_null (message.data);
  else if (g_str_equal (c->data_type, "object"))
    g_assert_true (JSON_NODE_HOLDS_OBJECT (message.data));
  else if (g_str_equal (c->data_type, "string"))
    g_assert_cmpint (json_node_get_value_type (message.data), ==, G_TYPE_STRING);
  else
    g_assert_nonnull (message.data);
  crier_message_clear (&message);
  g_assert_null (message.root);
  g_assert_null (message.event);
}

/* The parser is reused for every message of a server: a message must outlive the next parse. */
static void
test_parse_reuse (void)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  const char  *one = "{\"event\":\"one\",\"channel\":\"a\"}";
  const char  *two = "{\"event\":\"two\",\"channel\":\"b\"}";
  CrierMessage first;
  CrierMessage second;

  g_assert_true (crier_message_parse (parser, one, strlen (one), &first, NULL));
  g_assert_true (crier_message_parse (parser, two, strlen (two), &second, NULL));
  g_assert_cmpstr (first.event, ==, "one");
  g_assert_cmpstr (first.channel, ==, "a");
  g_assert_cmpstr (second.event, ==, "two");
  crier_message_clear (&first);
  crier_message_clear (&second);
}

/* Only length bytes are read: the payload of a frame is not NUL-terminated. */
static void
test_parse_length (void)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  const char  *text = "{\"event\":\"e\"}GARBAGE";
  CrierMessage message;

  g_assert_true (crier_message_parse (parser, text, 13, &message, NULL));
  g_assert_cmpstr (message.event, ==, "e");
  crier_message_clear (&message);
}

typedef struct
{
  const char *name;
  const char *text;
} BadCase;

/* "Received invalid JSON" cases (§6.6). */
static const BadCase bad_cases[] = {
  { "empty", "" },
  { "not-json", "hello" },
  { "truncated", "{\"event\":\"pusher:ping\"" },
  { "array", "[{\"event\":\"pusher:ping\"}]" },
  { "string", "\"pusher:ping\"" },
  { "number", "42" },
  { "null", "null" },
  { "no-event", "{\"data\":{}}" },
  { "event-number", "{\"event\":1}" },
  { "event-null", "{\"event\":null}" },
  { "event-object", "{\"event\":{\"name\":\"x\"}}" },
  { "event-array", "{\"event\":[\"x\"]}" },
  { "event-bool", "{\"event\":true}" },
};

static void
test_parse_bad (gconstpointer data)
{
  const BadCase *c = data;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) error = NULL;
  CrierMessage message;

  g_assert_false (crier_message_parse (parser, c->text, strlen (c->text), &message, &error));
  g_assert_nonnull (error);
  g_assert_null (message.root);
  /* Clearing a failed parse is harmless. */
  crier_message_clear (&message);
}

/* One frame of 200 000 '[' (within a raised max-frame-size) used to overflow the stack in
 * json-glib's recursive parser; it is refused before parsing, whatever sits inside. */
static void
test_parse_too_deep (void)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) error = NULL;
  g_autofree char *open = g_strnfill (200000, '[');
  g_autofree char *close = g_strnfill (200000, ']');
  g_autofree char *text = g_strconcat ("{\"event\":\"client-x\",\"data\":", open, close, "}", NULL);
  CrierMessage     message;

  g_assert_false (crier_message_parse (parser, text, strlen (text), &message, &error));
  g_assert_error (error, CRIER_JSON_ERROR, CRIER_JSON_ERROR_TOO_DEEP);
  g_assert_null (message.root);
  crier_message_clear (&message);
}

/* The same depth inside data as a JSON string (channel_data and auth travel that way). */
static void
test_data_object_too_deep (void)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *open = g_strnfill (200000, '[');
  g_autofree char *close = g_strnfill (200000, ']');
  g_autofree char *text = g_strconcat ("{\"event\":\"pusher:subscribe\",\"data\":\"{\\\"a\\\":",
                                       open, close, "}\"}", NULL);
  g_autoptr (JsonObject) data = NULL;
  CrierMessage message;

  g_assert_true (crier_message_parse (parser, text, strlen (text), &message, NULL));
  data = crier_message_dup_data_object (&message);
  g_assert_null (data);
  crier_message_clear (&message);
}

typedef struct
{
  const char *name;
  const char *text;
  const char *channel; /* data.channel, or NULL for no object */
} DataObjectCase;

/* pusher-js sends an object, other clients a string holding one: both are accepted (§2.4). */
static const DataObjectCase data_object_cases[] = {
  { "object", "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"a\"}}", "a" },
  { "string", "{\"event\":\"pusher:subscribe\",\"data\":\"{\\\"channel\\\":\\\"b\\\"}\"}", "b" },
  { "string-not-json", "{\"event\":\"pusher:subscribe\",\"data\":\"channel\"}", NULL },
  { "string-array", "{\"event\":\"pusher:subscribe\",\"data\":\"[1]\"}", NULL },
  { "string-number", "{\"event\":\"pusher:subscribe\",\"data\":\"5\"}", NULL },
  { "number", "{\"event\":\"pusher:subscribe\",\"data\":5}", NULL },
  { "array", "{\"event\":\"pusher:subscribe\",\"data\":[{\"channel\":\"a\"}]}", NULL },
  { "none", "{\"event\":\"pusher:subscribe\"}", NULL },
  { "null", "{\"event\":\"pusher:subscribe\",\"data\":null}", NULL },
};

static void
test_data_object (gconstpointer data)
{
  const DataObjectCase *c = data;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (JsonObject) object = NULL;
  CrierMessage message;

  g_assert_true (crier_message_parse (parser, c->text, strlen (c->text), &message, NULL));
  object = crier_message_dup_data_object (&message);
  if (c->channel == NULL)
    g_assert_null (object);
  else
    {
      g_assert_nonnull (object);
      g_assert_cmpstr (crier_json_object_get_string (object, "channel"), ==, c->channel);
    }
  crier_message_clear (&message);
  /* The object lives on after its message. */
  if (object != NULL)
    g_assert_cmpstr (crier_json_object_get_string (object, "channel"), ==, c->channel);
}

typedef struct
{
  const char *name;
  const char *text;
  const char *relayed;
} DataTextCase;

/* What a client event relays: a string as it is, anything else as its JSON text (§10.4). */
static const DataTextCase data_text_cases[] = {
  { "object", "{\"event\":\"client-a\",\"data\":{\"name\":\"Taylor\"}}", "{\"name\":\"Taylor\"}" },
  { "string", "{\"event\":\"client-a\",\"data\":\"{\\\"name\\\":\\\"Taylor\\\"}\"}", "{\"name\":\"Taylor\"}" },
  { "plain-string", "{\"event\":\"client-a\",\"data\":\"hello\"}", "hello" },
  { "empty-string", "{\"event\":\"client-a\",\"data\":\"\"}", "" },
  { "number", "{\"event\":\"client-a\",\"data\":42}", "42" },
  { "array", "{\"event\":\"client-a\",\"data\":[1,\"x\"]}", "[1,\"x\"]" },
  { "bool", "{\"event\":\"client-a\",\"data\":true}", "true" },
  { "none", "{\"event\":\"client-a\"}", "null" },
  { "nested", "{\"event\":\"client-a\",\"data\":{\"a\":{\"b\":[1,2]}}}", "{\"a\":{\"b\":[1,2]}}" },
};

static void
test_data_text (gconstpointer data)
{
  const DataTextCase *c = data;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *text = NULL;
  CrierMessage     message;

  g_assert_true (crier_message_parse (parser, c->text, strlen (c->text), &message, NULL));
  text = crier_message_dup_data_text (&message);
  g_assert_cmpstr (text, ==, c->relayed);
  crier_message_clear (&message);
}

static void
test_object_get_string (void)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *object;

  g_assert_true (json_parser_load_from_data (parser, "{\"s\":\"x\",\"n\":1,\"o\":{},\"z\":null}", -1, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (crier_json_object_get_string (object, "s"), ==, "x");
  g_assert_null (crier_json_object_get_string (object, "n"));
  g_assert_null (crier_json_object_get_string (object, "o"));
  g_assert_null (crier_json_object_get_string (object, "z"));
  g_assert_null (crier_json_object_get_string (object, "missing"));
  g_assert_null (crier_json_object_get_string (NULL, "s"));
}

typedef struct
{
  const char *name;
  const char *event;
  const char *channel;
  const char *data;
  const char *user_id;
  const char *expected;
} BuildCase;

/* Pusher's wire order: event, data, channel (§2.3); data double-encoded (§2.4). */
static const BuildCase build_cases[] = {
  { "pong", "pusher:pong", NULL, "{}", NULL, "{\"event\":\"pusher:pong\",\"data\":\"{}\"}" },
  { "subscription-succeeded", "pusher_internal:subscription_succeeded", "private-userfeed.123456", "{}", NULL,
    "{\"event\":\"pusher_internal:subscription_succeeded\",\"data\":\"{}\",\"channel\":\"private-userfeed.123456\"}" },
  { "channel-event", "App\\Events\\ChatMessageSentEvent", "chatrooms.58566",
    "{\"message\":{\"id\":\"cbe30b46\"}}", NULL,
    "{\"event\":\"App\\\\Events\\\\ChatMessageSentEvent\",\"data\":\"{\\\"message\\\":{\\\"id\\\":\\\"cbe30b46\\\"}}\",\"channel\":\"chatrooms.58566\"}" },
  { "client-event-presence", "client-typing", "presence-chat.1", "{\"name\":\"Taylor\"}", "1",
    "{\"event\":\"client-typing\",\"data\":\"{\\\"name\\\":\\\"Taylor\\\"}\",\"channel\":\"presence-chat.1\",\"user_id\":\"1\"}" },
  { "cache-miss", "pusher:cache_miss", "cache-location-123", NULL, NULL,
    "{\"event\":\"pusher:cache_miss\",\"channel\":\"cache-location-123\"}" },
  /* The data string goes out byte for byte, even when it is not JSON (§7.5). */
  { "data-not-json", "e", "c", "hello \"world\"\n", NULL,
    "{\"event\":\"e\",\"data\":\"hello \\\"world\\\"\\n\",\"channel\":\"c\"}" },
  { "server-to-user", "order-updated", "#server-to-user-12345", "{\"id\":7}", NULL,
    "{\"event\":\"order-updated\",\"data\":\"{\\\"id\\\":7}\",\"channel\":\"#server-to-user-12345\"}" },
};

static void
test_build (gconstpointer data)
{
  const BuildCase *c = data;
  g_autoptr (GBytes) frame = crier_message_build (c->event, c->channel, c->data, c->user_id);
  g_autofree char *text = frame_text (frame);

  g_assert_cmpstr (text, ==, c->expected);
}

static void
test_build_error (void)
{
  g_autoptr (GBytes) null_code = crier_message_build_error (0, "Received invalid JSON");
  g_autoptr (GBytes) number = crier_message_build_error (4301, "Client event rejected due to rate limit");
  g_autofree char *null_text = frame_text (null_code);
  g_autofree char *number_text = frame_text (number);

  /* data is an object, not a string; code is null for errors without a number (§7.2). */
  g_assert_cmpstr (null_text, ==,
                   "{\"event\":\"pusher:error\",\"data\":{\"code\":null,\"message\":\"Received invalid JSON\"}}");
  g_assert_cmpstr (number_text, ==,
                   "{\"event\":\"pusher:error\",\"data\":{\"code\":4301,\"message\":\"Client event rejected due to rate limit\"}}");
}

static void
test_build_error_escaping (void)
{
  g_autoptr (GBytes) frame = crier_message_build_error (0, "Invalid channel name 'a\"b\\c'");
  g_autofree char *text = frame_text (frame);

  g_assert_cmpstr (text, ==,
                   "{\"event\":\"pusher:error\",\"data\":{\"code\":null,\"message\":\"Invalid channel name 'a\\\"b\\\\c'\"}}");
}

static void
test_build_connection_established (void)
{
  g_autoptr (GBytes) frame = crier_message_build_connection_established ("208836.27464492", 120);
  g_autofree char *text = frame_text (frame);

  g_assert_cmpstr (text, ==,
                   "{\"event\":\"pusher:connection_established\",\"data\":\"{\\\"socket_id\\\":\\\"208836.27464492\\\",\\\"activity_timeout\\\":120}\"}");
}

static void
test_build_signin_success (void)
{
  g_autoptr (GBytes) frame = crier_message_build_signin_success ("{\"id\":\"12345\"}");
  g_autofree char *text = frame_text (frame);

  /* An object holding the user_data string (§7.9). */
  g_assert_cmpstr (text, ==,
                   "{\"event\":\"pusher:signin_success\",\"data\":{\"user_data\":\"{\\\"id\\\":\\\"12345\\\"}\"}}");
}

/* Big messages take the 16-bit and 64-bit length forms. */
static void
test_build_long (void)
{
  g_autofree char *data = g_strnfill (70000, 'x');
  g_autoptr (GBytes) frame = crier_message_build ("e", "c", data, NULL);
  g_autofree char *text = frame_text (frame);
  g_autofree char *expected = g_strdup_printf ("{\"event\":\"e\",\"data\":\"%s\",\"channel\":\"c\"}", data);

  g_assert_cmpstr (text, ==, expected);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (good_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/message/parse/good/%s", good_cases[i].name);

      g_test_add_data_func (path, &good_cases[i], test_parse_good);
    }
  g_test_add_func ("/core/message/parse/reuse", test_parse_reuse);
  g_test_add_func ("/core/message/parse/length", test_parse_length);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/message/parse/bad/%s", bad_cases[i].name);

      g_test_add_data_func (path, &bad_cases[i], test_parse_bad);
    }
  g_test_add_func ("/core/message/parse/too-deep", test_parse_too_deep);
  g_test_add_func ("/core/message/data-object/too-deep", test_data_object_too_deep);
  for (guint i = 0; i < G_N_ELEMENTS (data_object_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/message/data-object/%s",
                                               data_object_cases[i].name);

      g_test_add_data_func (path, &data_object_cases[i], test_data_object);
    }
  for (guint i = 0; i < G_N_ELEMENTS (data_text_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/message/data-text/%s", data_text_cases[i].name);

      g_test_add_data_func (path, &data_text_cases[i], test_data_text);
    }
  g_test_add_func ("/core/message/object-get-string", test_object_get_string);
  for (guint i = 0; i < G_N_ELEMENTS (build_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/message/build/%s", build_cases[i].name);

      g_test_add_data_func (path, &build_cases[i], test_build);
    }
  g_test_add_func ("/core/message/build/error", test_build_error);
  g_test_add_func ("/core/message/build/error-escaping", test_build_error_escaping);
  g_test_add_func ("/core/message/build/connection-established", test_build_connection_established);
  g_test_add_func ("/core/message/build/signin-success", test_build_signin_success);
  g_test_add_func ("/core/message/build/long", test_build_long);

  return g_test_run ();
}
