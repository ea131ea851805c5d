/* test-monitor.c — monitor events: JSON and text forms, kind names, listeners
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-monitor.h"

/* 2012-01-20T16:49:08.132005Z, the webhook vector's time_ms plus 5 µs. */
#define TIME ((gint64) 1327078148132005)

static void
test_to_json_full (void)
{
  g_autoptr (CrierMonitorEvent) event = crier_monitor_event_new (CRIER_MONITOR_CLIENT_EVENT);
  g_autofree char *json = NULL;

  event->time = TIME;
  event->app_id = g_strdup ("3");
  event->socket_id = g_strdup ("1234.1234");
  event->channel = g_strdup ("presence-chat.1");
  event->event = g_strdup ("client-typing");
  event->data = g_strdup ("{\"name\":\"Taylor\"}");
  event->user_id = g_strdup ("1");
  event->remote = g_strdup ("127.0.0.1:5000");
  event->message = g_strdup ("hello \"you\"");
  event->code = 4301;
  event->count = 2;
  json = crier_monitor_event_to_json (event);
  g_assert_cmpstr (json, ==,
                   "{\"time\":\"2012-01-20T16:49:08.132005Z\",\"kind\":\"client_event\",\"app_id\":\"3\","
                   "\"socket_id\":\"1234.1234\",\"channel\":\"presence-chat.1\",\"event\":\"client-typing\","
                   "\"data\":\"{\\\"name\\\":\\\"Taylor\\\"}\",\"user_id\":\"1\",\"remote\":\"127.0.0.1:5000\","
                   "\"message\":\"hello \\\"you\\\"\",\"code\":4301,\"count\":2}");
}

/* The JSON form reads back into the same event; bad lines say what is wrong. */
static void
test_from_json (void)
{
  g_autoptr (CrierMonitorEvent) event = crier_monitor_event_new (CRIER_MONITOR_EVENT_PUBLISHED);
  g_autoptr (CrierMonitorEvent) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *again = NULL;

  event->time = TIME;
  event->app_id = g_strdup ("3");
  event->socket_id = g_strdup ("1234.1234");
  event->channel = g_strdup ("orders");
  event->event = g_strdup ("OrderShipped");
  event->data = g_strdup ("{\"id\":1}");
  event->explanation = g_strdup ("nobody listens");
  event->details = g_strdup ("{\"delivered\":[\"1.1\"],\"excluded\":null}");
  event->count = 1;
  json = crier_monitor_event_to_json (event);
  back = crier_monitor_event_new_from_json (json, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->kind, ==, CRIER_MONITOR_EVENT_PUBLISHED);
  g_assert_cmpint (back->time, ==, TIME);
  g_assert_cmpstr (back->data, ==, event->data);
  g_assert_cmpstr (back->explanation, ==, event->explanation);
  g_assert_null (back->user_id);
  again = crier_monitor_event_to_json (back);
  g_assert_cmpstr (again, ==, json);

  g_assert_null (crier_monitor_event_new_from_json ("[1]", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_null (crier_monitor_event_new_from_json ("{\"kind\":\"nope\"}", &error));
  g_assert_nonnull (strstr (error->message, "nope"));
  g_clear_error (&error);
  g_assert_null (crier_monitor_event_new_from_json ("{oops", &error));
  g_assert_nonnull (error);
}

/* How many subscribers socket_id left out travels as excluded_count; a line written before
 * that member existed gets it from the trace's excluded socket. */
static void
test_excluded_count (void)
{
  g_autoptr (CrierMonitorEvent) event = crier_monitor_event_new (CRIER_MONITOR_EVENT_PUBLISHED);
  g_autoptr (CrierMonitorEvent) back = NULL;
  g_autoptr (CrierMonitorEvent) old = NULL;
  g_autoptr (CrierMonitorEvent) old_none = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;

  event->time = TIME;
  event->channel = g_strdup ("orders");
  event->count = 1;
  event->excluded = 1;
  event->details = g_strdup ("{\"delivered\":[\"1.1\"],\"delivered_count\":1,\"excluded\":\"1.2\"}");
  json = crier_monitor_event_to_json (event);
  g_assert_nonnull (strstr (json, "\"count\":1,\"excluded_count\":1,"));
  text = crier_monitor_event_to_text (event);
  g_assert_nonnull (strstr (text, " count=1 excluded=1"));
  back = crier_monitor_event_new_from_json (json, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->excluded, ==, 1);

  old = crier_monitor_event_new_from_json ("{\"kind\":\"event_published\",\"count\":1,"
                                           "\"details\":{\"delivered\":[\"1.1\"],\"excluded\":\"1.2\"}}",
                                           &error);
  g_assert_no_error (error);
  g_assert_cmpuint (old->excluded, ==, 1);
  old_none = crier_monitor_event_new_from_json ("{\"kind\":\"event_published\",\"count\":1,"
                                                "\"details\":{\"delivered\":[\"1.1\"],\"excluded\":null}}",
                                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (old_none->excluded, ==, 0);
}

/* Lines a JSON Lines import can hold (found by tests/fuzz/fuzz-jsonl): a blank line and
 * members of the wrong JSON type are input mistakes, refused or ignored without a
 * critical (this test runs with fatal criticals). */
static const struct
{
  const char *line;
  gboolean    accepted;
} malformed_lines[] = {
  { "", FALSE },
  { " \t ", FALSE },
  { "{\"kind\":{}}", FALSE },
  { "{\"kind\":[\"connected\"]}", FALSE },
  { "{\"kind\":\"connected\",\"time\":{\"a\":1}}", TRUE },
  { "{\"kind\":\"connected\",\"code\":{}}", TRUE },
  { "{\"kind\":\"connected\",\"count\":[1,2]}", TRUE },
  { "{\"kind\":\"connected\",\"code\":\"4001\",\"count\":null}", TRUE },
  { "{\"kind\":\"connected\",\"details\":\"\"}", TRUE },
  { "{\"kind\":\"connected\",\"details\":\" \"}", TRUE },
};

static void
test_from_json_malformed (gconstpointer data)
{
  guint i = GPOINTER_TO_UINT (data);
  g_autoptr (CrierMonitorEvent) event = NULL;
  g_autoptr (GError) error = NULL;

  event = crier_monitor_event_new_from_json (malformed_lines[i].line, &error);
  if (malformed_lines[i].accepted)
    {
      g_assert_no_error (error);
      g_assert_nonnull (event);
      g_assert_cmpint (event->kind, ==, CRIER_MONITOR_CONNECTED);
      g_assert_cmpint (event->code, ==, 0);
      g_assert_cmpuint (event->count, ==, 0);
      /* and the writer writes it back (details that are no JSON are left out) */
      g_free (crier_monitor_event_to_json (event));
    }
  else
    {
      g_assert_null (event);
      g_assert_nonnull (error); /* "no JSON value" for blank lines, "not a JSON object" … */
    }
}

/* Unset fields are left out; code and count only when not zero. */
static void
test_to_json_sparse (void)
{
  g_autoptr (CrierMonitorEvent) event = crier_monitor_event_new (CRIER_MONITOR_CONNECTED);
  g_autofree char *json = NULL;

  event->time = TIME;
  event->socket_id = g_strdup ("1.2");
  json = crier_monitor_event_to_json (event);
  g_assert_cmpstr (json, ==,
                   "{\"time\":\"2012-01-20T16:49:08.132005Z\",\"kind\":\"connected\",\"socket_id\":\"1.2\"}");
}

/* An event published to nobody still says count 0: "no receivers" is the news. */
static void
test_to_json_published_zero (void)
{
  g_autoptr (CrierMonitorEvent) event = crier_monitor_event_new (CRIER_MONITOR_EVENT_PUBLISHED);
  g_autofree char *json = NULL;

  event->time = TIME;
  event->channel = g_strdup ("c");
  json = crier_monitor_event_to_json (event);
  g_assert_cmpstr (json, ==,
                   "{\"time\":\"2012-01-20T16:49:08.132005Z\",\"kind\":\"event_published\",\"channel\":\"c\",\"count\":0}");
}

static void
test_to_text (void)
{
  g_autoptr (CrierMonitorEvent) event = crier_monitor_event_new (CRIER_MONITOR_EVENT_PUBLISHED);
  g_autofree char *text = NULL;

  /* TZ=UTC in the test environment: the local clock is UTC. */
  event->time = TIME;
  event->app_id = g_strdup ("3");
  event->channel = g_strdup ("orders");
  event->event = g_strdup ("created");
  event->data = g_strdup ("{\"id\":1}");
  event->count = 2;
  text = crier_monitor_event_to_text (event);
  g_assert_cmpstr (text, ==,
                   "16:49:08.132 event_published  app=3 channel=orders event=created count=2 data={\"id\":1}");
}

static void
test_to_text_all_fields (void)
{
  g_autoptr (CrierMonitorEvent) event = crier_monitor_event_new (CRIER_MONITOR_AUTH_FAILED);
  g_autofree char *text = NULL;

  event->time = TIME;
  event->app_id = g_strdup ("3");
  event->socket_id = g_strdup ("1.2");
  event->channel = g_strdup ("private-a");
  event->user_id = g_strdup ("u");
  event->remote = g_strdup ("127.0.0.1:1");
  event->code = 4009;
  event->message = g_strdup ("bad");
  text = crier_monitor_event_to_text (event);
  g_assert_cmpstr (text, ==,
                   "16:49:08.132 auth_failed      app=3 socket=1.2 channel=private-a user=u "
                   "remote=127.0.0.1:1 code=4009 — bad");
}

/* Long payloads are cut at 200 characters, on a character boundary. */
static void
test_to_text_long_data (void)
{
  g_autoptr (CrierMonitorEvent) event = crier_monitor_event_new (CRIER_MONITOR_CLIENT_EVENT);
  g_autoptr (GString) data = g_string_new (NULL);
  g_autofree char *text = NULL;
  const char      *shown;

  for (int i = 0; i < 300; i++)
    g_string_append (data, "\xc3\xa9"); /* é */
  event->time = TIME;
  event->data = g_strdup (data->str);
  text = crier_monitor_event_to_text (event);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  shown = strstr (text, " data=");
  g_assert_nonnull (shown);
  shown += strlen (" data=");
  g_assert_cmpint (g_utf8_strlen (shown, -1), ==, 200 + 1);
  g_assert_true (g_str_has_suffix (shown, "…"));
}

static void
test_kind_names (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  CrierMonitorKind kind;

  for (guint i = 0; i < CRIER_MONITOR_N_KINDS; i++)
    {
      const char *name = crier_monitor_kind_to_string (i);

      g_assert_nonnull (name);
      g_assert_false (g_hash_table_contains (seen, name));
      g_hash_table_add (seen, (gpointer) name);
      kind = CRIER_MONITOR_N_KINDS;
      g_assert_true (crier_monitor_kind_from_string (name, &kind));
      g_assert_cmpint (kind, ==, i);
    }
  /* The webhook names where a webhook exists (pusher-protocol.md §15.4). */
  g_assert_cmpstr (crier_monitor_kind_to_string (CRIER_MONITOR_CHANNEL_OCCUPIED), ==, "channel_occupied");
  g_assert_cmpstr (crier_monitor_kind_to_string (CRIER_MONITOR_CHANNEL_VACATED), ==, "channel_vacated");
  g_assert_cmpstr (crier_monitor_kind_to_string (CRIER_MONITOR_MEMBER_ADDED), ==, "member_added");
  g_assert_cmpstr (crier_monitor_kind_to_string (CRIER_MONITOR_MEMBER_REMOVED), ==, "member_removed");
  g_assert_cmpstr (crier_monitor_kind_to_string (CRIER_MONITOR_CLIENT_EVENT), ==, "client_event");
  g_assert_cmpstr (crier_monitor_kind_to_string (CRIER_MONITOR_CACHE_MISS), ==, "cache_miss");
  g_assert_false (crier_monitor_kind_from_string ("nope", &kind));
  g_assert_false (crier_monitor_kind_from_string ("", &kind));
  g_assert_false (crier_monitor_kind_from_string (NULL, &kind));
  g_assert_false (crier_monitor_kind_from_string ("Connected", &kind));
}

static void
test_ref (void)
{
  CrierMonitorEvent *event = crier_monitor_event_new (CRIER_MONITOR_SUBSCRIBED);
  gint64             before = g_get_real_time ();

  g_assert_cmpint (event->kind, ==, CRIER_MONITOR_SUBSCRIBED);
  g_assert_cmpint (event->time, <=, before);
  g_assert_cmpint (event->time, >, 0);
  g_assert_null (event->app_id);
  g_assert_cmpint (event->code, ==, 0);
  g_assert_true (crier_monitor_event_ref (event) == event);
  crier_monitor_event_unref (event);
  crier_monitor_event_unref (event);
}

static void
event_cb (CrierMonitor      *monitor,
          CrierMonitorEvent *event,
          GPtrArray         *received)
{
  g_ptr_array_add (received, crier_monitor_event_ref (event));
}

static void
test_listeners (void)
{
  g_autoptr (CrierMonitor) monitor = crier_monitor_new ();
  g_autoptr (GPtrArray) received = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_monitor_event_unref);
  CrierMonitorEvent *event;
  gulong             handler;

  /* Nobody listens: the hot path builds no event. */
  g_assert_false (crier_monitor_is_active (monitor));
  handler = g_signal_connect (monitor, "event", G_CALLBACK (event_cb), received);
  g_assert_true (crier_monitor_is_active (monitor));

  event = crier_monitor_event_new (CRIER_MONITOR_MEMBER_ADDED);
  event->channel = g_strdup ("presence-a");
  crier_monitor_emit (monitor, event); /* takes the reference */
  g_assert_cmpuint (received->len, ==, 1);
  event = g_ptr_array_index (received, 0);
  g_assert_cmpint (event->kind, ==, CRIER_MONITOR_MEMBER_ADDED);
  g_assert_cmpstr (event->channel, ==, "presence-a");

  g_signal_handler_disconnect (monitor, handler);
  g_assert_false (crier_monitor_is_active (monitor));
  crier_monitor_emit (monitor, crier_monitor_event_new (CRIER_MONITOR_CONNECTED));
  g_assert_cmpuint (received->len, ==, 1);
}

/* Times before year 1000 keep four digits of year, so that the reader can read them back
 * (found by tests/fuzz/fuzz-jsonl: "0820-05-01T10:00:00Z" was written as "820-05-01…"). */
static void
test_from_json_early_year (void)
{
  g_autoptr (CrierMonitorEvent) event = NULL;
  g_autoptr (CrierMonitorEvent) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;

  event = crier_monitor_event_new_from_json ("{\"kind\":\"connected\",\"time\":\"0820-05-01T10:00:00.000250Z\"}",
                                             &error);
  g_assert_no_error (error);
  json = crier_monitor_event_to_json (event);
  g_assert_nonnull (strstr (json, "\"0820-05-01T10:00:00.000250Z\""));
  back = crier_monitor_event_new_from_json (json, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->time, ==, event->time);
}

/* Events carry bytes clients sent (an HTTP request path, an Origin header) to JSON
 * Lines, a terminal and GTK labels, which all need UTF-8 (found by tests/fuzz/fuzz-http:
 * "GET /apps/\x8d…" made an export line the reader refused). */
static void
test_emit_invalid_utf8 (void)
{
  g_autoptr (CrierMonitor) monitor = crier_monitor_new ();
  g_autoptr (GPtrArray) received = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_monitor_event_unref);
  g_autoptr (CrierMonitorEvent) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char   *json = NULL;
  CrierMonitorEvent *event = crier_monitor_event_new (CRIER_MONITOR_API_REQUEST);

  g_signal_connect (monitor, "event", G_CALLBACK (event_cb), received);
  event->event = g_strdup ("GET /apps/\x8d\x8d"
                           "3/channels");
  event->message = g_strdup ("Not found: /apps/\xff");
  event->explanation = g_strdup ("Origin '\xc3' is not allowed");
  event->channel = g_strdup ("caf\xc3\xa9"); /* valid: kept as it is */
  crier_monitor_emit (monitor, event);
  g_assert_cmpuint (received->len, ==, 1);
  event = g_ptr_array_index (received, 0);
  g_assert_cmpstr (event->event, ==, "GET /apps/\uFFFD\uFFFD3/channels");
  g_assert_cmpstr (event->message, ==, "Not found: /apps/\uFFFD");
  g_assert_cmpstr (event->explanation, ==, "Origin '\uFFFD' is not allowed");
  g_assert_cmpstr (event->channel, ==, "caf\xc3\xa9");
  json = crier_monitor_event_to_json (event);
  back = crier_monitor_event_new_from_json (json, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->event, ==, event->event);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/monitor/to-json/full", test_to_json_full);
  g_test_add_func ("/core/monitor/to-json/sparse", test_to_json_sparse);
  g_test_add_func ("/core/monitor/to-json/published-zero", test_to_json_published_zero);
  g_test_add_func ("/core/monitor/from-json", test_from_json);
  g_test_add_func ("/core/monitor/excluded-count", test_excluded_count);
  for (guint i = 0; i < G_N_ELEMENTS (malformed_lines); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/monitor/from-json/malformed/%u", i);

      g_test_add_data_func (path, GUINT_TO_POINTER (i), test_from_json_malformed);
    }
  g_test_add_func ("/core/monitor/to-text/published", test_to_text);
  g_test_add_func ("/core/monitor/to-text/all-fields", test_to_text_all_fields);
  g_test_add_func ("/core/monitor/to-text/long-data", test_to_text_long_data);
  g_test_add_func ("/core/monitor/kind-names", test_kind_names);
  g_test_add_func ("/core/monitor/ref", test_ref);
  g_test_add_func ("/core/monitor/emit/invalid-utf8", test_emit_invalid_utf8);
  g_test_add_func ("/core/monitor/from-json/early-year", test_from_json_early_year);
  g_test_add_func ("/core/monitor/listeners", test_listeners);

  return g_test_run ();
}
