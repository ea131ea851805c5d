/* crier-monitor-event.c — one immutable record of what happened in the server
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-monitor"

#include "config.h"

#include "crier-monitor-event.h"

#include <json-glib/json-glib.h>

#include "crier-json.h"

G_DEFINE_BOXED_TYPE (CrierMonitorEvent, crier_monitor_event, crier_monitor_event_ref, crier_monitor_event_unref)

static const char *const kind_names[CRIER_MONITOR_N_KINDS] = {
  [CRIER_MONITOR_CONNECTED] = "connected",
  [CRIER_MONITOR_DISCONNECTED] = "disconnected",
  [CRIER_MONITOR_SUBSCRIBED] = "subscribed",
  [CRIER_MONITOR_UNSUBSCRIBED] = "unsubscribed",
  [CRIER_MONITOR_CHANNEL_OCCUPIED] = "channel_occupied",
  [CRIER_MONITOR_CHANNEL_VACATED] = "channel_vacated",
  [CRIER_MONITOR_MEMBER_ADDED] = "member_added",
  [CRIER_MONITOR_MEMBER_REMOVED] = "member_removed",
  [CRIER_MONITOR_EVENT_PUBLISHED] = "event_published",
  [CRIER_MONITOR_CLIENT_EVENT] = "client_event",
  [CRIER_MONITOR_SIGNED_IN] = "signed_in",
  [CRIER_MONITOR_CACHE_MISS] = "cache_miss",
  [CRIER_MONITOR_AUTH_FAILED] = "auth_failed",
  [CRIER_MONITOR_PROTOCOL_ERROR] = "protocol_error",
  [CRIER_MONITOR_API_REQUEST] = "api_request",
  [CRIER_MONITOR_SERVER_STARTED] = "server_started",
  [CRIER_MONITOR_SERVER_STOPPED] = "server_stopped",
  [CRIER_MONITOR_WEBHOOK_DELIVERED] = "webhook_delivered",
  [CRIER_MONITOR_WEBHOOK_FAILED] = "webhook_failed",
  [CRIER_MONITOR_WEBHOOK_DROPPED] = "webhook_dropped",
  [CRIER_MONITOR_CLUSTER] = "cluster",
};

const char *
crier_monitor_kind_to_string (CrierMonitorKind kind)
{
  g_return_val_if_fail (kind < CRIER_MONITOR_N_KINDS, "unknown");
  return kind_names[kind];
}

gboolean
crier_monitor_kind_from_string (const char       *name,
                                CrierMonitorKind *kind)
{
  for (guint i = 0; i < CRIER_MONITOR_N_KINDS; i++)
    if (g_strcmp0 (kind_names[i], name) == 0)
      {
        *kind = i;
        return TRUE;
      }
  return FALSE;
}

CrierMonitorEvent *
crier_monitor_event_new (CrierMonitorKind kind)
{
  CrierMonitorEvent *event = g_atomic_rc_box_new0 (CrierMonitorEvent);

  event->kind = kind;
  event->time = g_get_real_time ();
  return event;
}

CrierMonitorEvent *
crier_monitor_event_ref (CrierMonitorEvent *event)
{
  return g_atomic_rc_box_acquire (event);
}

static void
monitor_event_clear (CrierMonitorEvent *event)
{
  g_free (event->app_id);
  g_free (event->socket_id);
  g_free (event->channel);
  g_free (event->event);
  g_free (event->data);
  g_free (event->user_id);
  g_free (event->remote);
  g_free (event->message);
  g_free (event->explanation);
  g_free (event->details);
}

void
crier_monitor_event_unref (CrierMonitorEvent *event)
{
  g_atomic_rc_box_release_full (event, (GDestroyNotify) monitor_event_clear);
}

static char *
format_time (gint64 time)
{
  g_autoptr (GDateTime) date = g_date_time_new_from_unix_utc (time / G_USEC_PER_SEC);
  g_autoptr (GDateTime) precise = g_date_time_add (date, time % G_USEC_PER_SEC);

  /* By hand: %F writes years before 1000 with fewer than the four digits ISO 8601 and
   * the reader need. */
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", g_date_time_get_year (precise),
                          g_date_time_get_month (precise), g_date_time_get_day_of_month (precise),
                          g_date_time_get_hour (precise), g_date_time_get_minute (precise),
                          g_date_time_get_second (precise), g_date_time_get_microsecond (precise));
}

/* The string members of the JSON form, written and read by the same table. */
static const struct
{
  const char *name;
  gsize       offset;
} string_members[] = {
  { "app_id", G_STRUCT_OFFSET (CrierMonitorEvent, app_id) },
  { "socket_id", G_STRUCT_OFFSET (CrierMonitorEvent, socket_id) },
  { "channel", G_STRUCT_OFFSET (CrierMonitorEvent, channel) },
  { "event", G_STRUCT_OFFSET (CrierMonitorEvent, event) },
  { "data", G_STRUCT_OFFSET (CrierMonitorEvent, data) },
  { "user_id", G_STRUCT_OFFSET (CrierMonitorEvent, user_id) },
  { "remote", G_STRUCT_OFFSET (CrierMonitorEvent, remote) },
  { "message", G_STRUCT_OFFSET (CrierMonitorEvent, message) },
  { "explanation", G_STRUCT_OFFSET (CrierMonitorEvent, explanation) },
};

#define STRING_MEMBER(event, i) G_STRUCT_MEMBER (char *, event, string_members[i].offset)

/* One JSON object: the --log-format=json line and the event log's export format. */
char *
crier_monitor_event_to_json (const CrierMonitorEvent *event)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *time = format_time (event->time);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, time);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, crier_monitor_kind_to_string (event->kind));
  for (guint i = 0; i < G_N_ELEMENTS (string_members); i++)
    if (STRING_MEMBER (event, i) != NULL)
      {
        json_builder_set_member_name (builder, string_members[i].name);
        json_builder_add_string_value (builder, STRING_MEMBER (event, i));
      }
  if (event->code != 0)
    {
      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, event->code);
    }
  if (event->count != 0 || event->kind == CRIER_MONITOR_EVENT_PUBLISHED)
    {
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, event->count);
    }
  if (event->excluded != 0)
    {
      json_builder_set_member_name (builder, "excluded_count");
      json_builder_add_int_value (builder, event->excluded);
    }
  if (event->request_id != 0)
    {
      json_builder_set_member_name (builder, "request_id");
      json_builder_add_int_value (builder, (gint64) event->request_id);
    }
  if (event->details != NULL)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();

      /* Blank text parses too, to no root: then there are no details to write. */
      if (crier_json_parser_load (parser, event->details, -1, NULL) &&
          json_parser_get_root (parser) != NULL)
        {
          json_builder_set_member_name (builder, "details");
          json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
        }
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* A member as text: strings as they are, anything else (details) as its JSON. */
static char *
dup_member_text (JsonObject *object,
                 const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return json_to_string (node, FALSE);
}

/* Members of another JSON type than expected read as absent: a file being imported is
 * input (json-glib's typed getters are criticals on a container). */
static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

static gint64
get_int_member (JsonObject *object,
                const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) == G_TYPE_STRING)
    return 0;
  return json_node_get_int (node);
}

/* One line of crier_monitor_event_to_json ()'s form (an export, --log-format=json) read
 * back into an event. */
CrierMonitorEvent *
crier_monitor_event_new_from_json (const char *line,
                                   GError    **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (CrierMonitorEvent) event = NULL;
  JsonObject      *object;
  const char      *kind_name, *time;
  CrierMonitorKind kind;

  g_return_val_if_fail (line != NULL, NULL);
  if (!crier_json_parser_load (parser, line, -1, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a JSON object");
      return NULL;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  kind_name = get_string_member (object, "kind");
  if (kind_name == NULL || !crier_monitor_kind_from_string (kind_name, &kind))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown event kind “%s”",
                   kind_name ? kind_name : "");
      return NULL;
    }
  event = crier_monitor_event_new (kind);
  if ((time = get_string_member (object, "time")) != NULL)
    {
      g_autoptr (GDateTime) date = g_date_time_new_from_iso8601 (time, NULL);

      if (date != NULL)
        event->time = g_date_time_to_unix (date) * G_USEC_PER_SEC + g_date_time_get_microsecond (date);
    }
  for (guint i = 0; i < G_N_ELEMENTS (string_members); i++)
    STRING_MEMBER (event, i) = dup_member_text (object, string_members[i].name);
  event->details = dup_member_text (object, "details");
  event->code = (int) get_int_member (object, "code");
  event->count = (unsigned) get_int_member (object, "count");
  event->excluded = (unsigned) MAX (get_int_member (object, "excluded_count"), 0);
  /* Lines written before excluded_count was: the trace names the excluded socket. */
  if (!json_object_has_member (object, "excluded_count") && json_object_has_member (object, "details") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "details")))
    {
      JsonObject *details = json_object_get_object_member (object, "details");
      JsonNode   *excluded = json_object_get_member (details, "excluded");

      event->excluded = excluded != NULL && JSON_NODE_HOLDS_VALUE (excluded) ? 1 : 0;
    }
  event->request_id = (guint64) MAX (get_int_member (object, "request_id"), 0);
  return g_steal_pointer (&event);
}

/* One human-readable line for --verbose. */
char *
crier_monitor_event_to_text (const CrierMonitorEvent *event)
{
  g_autoptr (GDateTime) date = g_date_time_new_from_unix_local (event->time / G_USEC_PER_SEC);
  g_autofree char *clock = g_date_time_format (date, "%T");
  GString         *line = g_string_new (NULL);

  g_string_append_printf (line, "%s.%03d %-16s", clock,
                          (int) (event->time % G_USEC_PER_SEC / 1000),
                          crier_monitor_kind_to_string (event->kind));
  if (event->app_id != NULL)
    g_string_append_printf (line, " app=%s", event->app_id);
  if (event->socket_id != NULL)
    g_string_append_printf (line, " socket=%s", event->socket_id);
  if (event->channel != NULL)
    g_string_append_printf (line, " channel=%s", event->channel);
  if (event->event != NULL)
    g_string_append_printf (line, " event=%s", event->event);
  if (event->user_id != NULL)
    g_string_append_printf (line, " user=%s", event->user_id);
  if (event->remote != NULL)
    g_string_append_printf (line, " remote=%s", event->remote);
  if (event->code != 0)
    g_string_append_printf (line, " code=%d", event->code);
  if (event->count != 0 || event->kind == CRIER_MONITOR_EVENT_PUBLISHED)
    g_string_append_printf (line, " count=%u", event->count);
  if (event->excluded != 0)
    g_string_append_printf (line, " excluded=%u", event->excluded);
  if (event->message != NULL)
    g_string_append_printf (line, " — %s", event->message);
  if (event->explanation != NULL)
    g_string_append_printf (line, " — why: %s", event->explanation);
  if (event->data != NULL)
    {
      glong chars = g_utf8_strlen (event->data, -1);

      if (chars > 200)
        {
          g_autofree char *cut = g_utf8_substring (event->data, 0, 200);

          g_string_append_printf (line, " data=%s…", cut);
        }
      else
        g_string_append_printf (line, " data=%s", event->data);
    }
  return g_string_free (line, FALSE);
}
