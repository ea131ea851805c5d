/* crier-event-item.c — one row of the event log: a monitor event as a GObject
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-event-item.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "crier-backend.h"
#include "crier-json.h"

#define PREVIEW_LENGTH 160

/* The texts a row shows, made when it first shows them: most rows of a 100 000-row log
 * are never drawn, and then cost no more than the pointer. */
typedef struct
{
  char *time_text;
  char *summary;
  char *preview;
  char *delivery;
  char *subtitle;
} RowTexts;

/* Light on purpose (the log keeps 100 000 of them): the monitor event, the API request
 * folded into it, the row's texts once drawn, two flags. */
struct _CrierEventItem
{
  GObject            parent_instance;
  CrierMonitorEvent *event;
  CrierMonitorEvent *request; /* the api_request that published it, folded into this row */
  RowTexts          *texts;
  guint              imported : 1; /* read from a JSON Lines file, not seen live */
  guint              failure : 1;
};

G_DEFINE_FINAL_TYPE (CrierEventItem, crier_event_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_KIND,
  PROP_KIND_NAME,
  PROP_KIND_LABEL,
  PROP_ICON_NAME,
  PROP_CSS_CLASSES,
  PROP_TIME_TEXT,
  PROP_APP_ID,
  PROP_CHANNEL,
  PROP_SOCKET_ID,
  PROP_SUMMARY,
  PROP_PREVIEW,
  PROP_SEARCH_TEXT,
  PROP_EXPLANATION,
  PROP_DELIVERY,
  PROP_SUBTITLE,
  PROP_HAS_SUBTITLE,
  PROP_IMPORTED,
  PROP_REPLAYABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *const category_classes[][3] = {
  [CRIER_EVENT_CATEGORY_CONNECTION] = { "kind", "kind-connection", NULL },
  [CRIER_EVENT_CATEGORY_SUBSCRIPTION] = { "kind", "kind-subscription", NULL },
  [CRIER_EVENT_CATEGORY_MESSAGE] = { "kind", "kind-message", NULL },
  [CRIER_EVENT_CATEGORY_ERROR] = { "kind", "kind-error", NULL },
  [CRIER_EVENT_CATEGORY_SERVER] = { "kind", "kind-server", NULL },
};

CrierEventCategory
crier_monitor_kind_get_category (CrierMonitorKind kind)
{
  switch (kind)
    {
    case CRIER_MONITOR_CONNECTED:
    case CRIER_MONITOR_DISCONNECTED:
    case CRIER_MONITOR_SIGNED_IN:
      return CRIER_EVENT_CATEGORY_CONNECTION;
    case CRIER_MONITOR_SUBSCRIBED:
    case CRIER_MONITOR_UNSUBSCRIBED:
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
    case CRIER_MONITOR_CHANNEL_VACATED:
    case CRIER_MONITOR_MEMBER_ADDED:
    case CRIER_MONITOR_MEMBER_REMOVED:
    case CRIER_MONITOR_CACHE_MISS:
      return CRIER_EVENT_CATEGORY_SUBSCRIPTION;
    case CRIER_MONITOR_EVENT_PUBLISHED:
    case CRIER_MONITOR_CLIENT_EVENT:
    case CRIER_MONITOR_API_REQUEST:
      return CRIER_EVENT_CATEGORY_MESSAGE;
    case CRIER_MONITOR_AUTH_FAILED:
    case CRIER_MONITOR_PROTOCOL_ERROR:
    case CRIER_MONITOR_WEBHOOK_FAILED:
    case CRIER_MONITOR_WEBHOOK_DROPPED:
      return CRIER_EVENT_CATEGORY_ERROR;
    case CRIER_MONITOR_SERVER_STARTED:
    case CRIER_MONITOR_SERVER_STOPPED:
    case CRIER_MONITOR_WEBHOOK_DELIVERED:
    case CRIER_MONITOR_CLUSTER:
    case CRIER_MONITOR_N_KINDS:
    default:
      return CRIER_EVENT_CATEGORY_SERVER;
    }
}

/* What the log keeps through a flood and the Events tab counts in its badge: errors and
 * auth failures, refused API requests, and broadcasts that reached nobody. */
gboolean
crier_monitor_event_is_failure (const CrierMonitorEvent *event)
{
  g_return_val_if_fail (event != NULL, FALSE);
  switch (event->kind)
    {
    case CRIER_MONITOR_EVENT_PUBLISHED:
      return event->count == 0;
    case CRIER_MONITOR_API_REQUEST:
      return event->code >= 400;
    case CRIER_MONITOR_CONNECTED:
    case CRIER_MONITOR_DISCONNECTED:
    case CRIER_MONITOR_SUBSCRIBED:
    case CRIER_MONITOR_UNSUBSCRIBED:
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
    case CRIER_MONITOR_CHANNEL_VACATED:
    case CRIER_MONITOR_MEMBER_ADDED:
    case CRIER_MONITOR_MEMBER_REMOVED:
    case CRIER_MONITOR_CLIENT_EVENT:
    case CRIER_MONITOR_SIGNED_IN:
    case CRIER_MONITOR_CACHE_MISS:
    case CRIER_MONITOR_AUTH_FAILED:
    case CRIER_MONITOR_PROTOCOL_ERROR:
    case CRIER_MONITOR_SERVER_STARTED:
    case CRIER_MONITOR_SERVER_STOPPED:
    case CRIER_MONITOR_WEBHOOK_DELIVERED:
    case CRIER_MONITOR_WEBHOOK_FAILED:
    case CRIER_MONITOR_WEBHOOK_DROPPED:
    case CRIER_MONITOR_CLUSTER:
    case CRIER_MONITOR_N_KINDS:
    default:
      return crier_monitor_kind_get_category (event->kind) == CRIER_EVENT_CATEGORY_ERROR;
    }
}

const char *
crier_monitor_kind_get_icon_name (CrierMonitorKind kind)
{
  switch (kind)
    {
    case CRIER_MONITOR_CONNECTED:
      return "network-wired-symbolic";
    case CRIER_MONITOR_DISCONNECTED:
      return "network-wired-disconnected-symbolic";
    case CRIER_MONITOR_SIGNED_IN:
      return "avatar-default-symbolic";
    case CRIER_MONITOR_SUBSCRIBED:
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
      return "list-add-symbolic";
    case CRIER_MONITOR_UNSUBSCRIBED:
    case CRIER_MONITOR_CHANNEL_VACATED:
      return "list-remove-symbolic";
    case CRIER_MONITOR_MEMBER_ADDED:
    case CRIER_MONITOR_MEMBER_REMOVED:
      return "system-users-symbolic";
    case CRIER_MONITOR_EVENT_PUBLISHED:
      return "mail-send-symbolic";
    case CRIER_MONITOR_CLIENT_EVENT:
      return "mail-reply-sender-symbolic";
    case CRIER_MONITOR_API_REQUEST:
      return "network-transmit-symbolic";
    case CRIER_MONITOR_AUTH_FAILED:
      return "dialog-password-symbolic";
    case CRIER_MONITOR_PROTOCOL_ERROR:
    case CRIER_MONITOR_WEBHOOK_FAILED:
    case CRIER_MONITOR_WEBHOOK_DROPPED:
      return "dialog-warning-symbolic";
    case CRIER_MONITOR_CACHE_MISS:
      return "edit-find-symbolic";
    case CRIER_MONITOR_SERVER_STARTED:
      return "media-playback-start-symbolic";
    case CRIER_MONITOR_SERVER_STOPPED:
      return "media-playback-stop-symbolic";
    case CRIER_MONITOR_CLUSTER:
      return "network-workgroup-symbolic";
    case CRIER_MONITOR_WEBHOOK_DELIVERED:
    case CRIER_MONITOR_N_KINDS:
    default:
      return "emblem-ok-symbolic";
    }
}

static void
crier_event_item_finalize (GObject *object)
{
  CrierEventItem *self = CRIER_EVENT_ITEM (object);

  g_clear_pointer (&self->event, crier_monitor_event_unref);
  g_clear_pointer (&self->request, crier_monitor_event_unref);
  if (self->texts != NULL)
    {
      g_free (self->texts->time_text);
      g_free (self->texts->summary);
      g_free (self->texts->preview);
      g_free (self->texts->delivery);
      g_free (self->texts->subtitle);
      g_free (self->texts);
    }
  G_OBJECT_CLASS (crier_event_item_parent_class)->finalize (object);
}

static void
crier_event_item_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CrierEventItem *self = CRIER_EVENT_ITEM (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_uint (value, self->event->kind);
      break;
    case PROP_KIND_NAME:
      g_value_set_string (value, crier_event_item_get_kind_name (self));
      break;
    case PROP_KIND_LABEL:
      g_value_set_string (value, crier_event_item_get_kind_label (self));
      break;
    case PROP_ICON_NAME:
      g_value_set_string (value, crier_monitor_kind_get_icon_name (self->event->kind));
      break;
    case PROP_CSS_CLASSES:
      g_value_set_boxed (value, crier_event_item_get_css_classes (self));
      break;
    case PROP_TIME_TEXT:
      g_value_set_string (value, crier_event_item_get_time_text (self));
      break;
    case PROP_APP_ID:
      g_value_set_string (value, self->event->app_id);
      break;
    case PROP_CHANNEL:
      g_value_set_string (value, self->event->channel);
      break;
    case PROP_SOCKET_ID:
      g_value_set_string (value, self->event->socket_id);
      break;
    case PROP_SUMMARY:
      g_value_set_string (value, crier_event_item_get_summary (self));
      break;
    case PROP_PREVIEW:
      g_value_set_string (value, crier_event_item_get_preview (self));
      break;
    case PROP_SEARCH_TEXT:
      g_value_take_string (value, crier_event_item_dup_search_text (self));
      break;
    case PROP_EXPLANATION:
      g_value_set_string (value, self->event->explanation);
      break;
    case PROP_DELIVERY:
      g_value_set_string (value, crier_event_item_get_delivery (self));
      break;
    case PROP_SUBTITLE:
      g_value_set_string (value, crier_event_item_get_subtitle (self));
      break;
    case PROP_HAS_SUBTITLE:
      g_value_set_boolean (value, *crier_event_item_get_subtitle (self) != '\0');
      break;
    case PROP_IMPORTED:
      g_value_set_boolean (value, self->imported);
      break;
    case PROP_REPLAYABLE:
      g_value_set_boolean (value, crier_event_item_is_replayable (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_event_item_class_init (CrierEventItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = crier_event_item_finalize;
  object_class->get_property = crier_event_item_get_property;

  properties[PROP_KIND] = g_param_spec_uint ("kind", NULL, NULL, 0, CRIER_MONITOR_N_KINDS, 0, flags);
  properties[PROP_KIND_NAME] = g_param_spec_string ("kind-name", NULL, NULL, NULL, flags);
  properties[PROP_KIND_LABEL] = g_param_spec_string ("kind-label", NULL, NULL, NULL, flags);
  properties[PROP_ICON_NAME] = g_param_spec_string ("icon-name", NULL, NULL, NULL, flags);
  properties[PROP_CSS_CLASSES] = g_param_spec_boxed ("css-classes", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_TIME_TEXT] = g_param_spec_string ("time-text", NULL, NULL, NULL, flags);
  properties[PROP_APP_ID] = g_param_spec_string ("app-id", NULL, NULL, NULL, flags);
  properties[PROP_CHANNEL] = g_param_spec_string ("channel", NULL, NULL, NULL, flags);
  properties[PROP_SOCKET_ID] = g_param_spec_string ("socket-id", NULL, NULL, NULL, flags);
  properties[PROP_SUMMARY] = g_param_spec_string ("summary", NULL, NULL, NULL, flags);
  properties[PROP_PREVIEW] = g_param_spec_string ("preview", NULL, NULL, NULL, flags);
  properties[PROP_SEARCH_TEXT] = g_param_spec_string ("search-text", NULL, NULL, NULL, flags);
  properties[PROP_EXPLANATION] = g_param_spec_string ("explanation", NULL, NULL, NULL, flags);
  properties[PROP_DELIVERY] = g_param_spec_string ("delivery", NULL, NULL, NULL, flags);
  properties[PROP_SUBTITLE] = g_param_spec_string ("subtitle", NULL, NULL, NULL, flags);
  properties[PROP_HAS_SUBTITLE] = g_param_spec_boolean ("has-subtitle", NULL, NULL, FALSE, flags);
  properties[PROP_IMPORTED] = g_param_spec_boolean ("imported", NULL, NULL, FALSE, flags);
  properties[PROP_REPLAYABLE] = g_param_spec_boolean ("replayable", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crier_event_item_init (CrierEventItem *self)
{
}

CrierEventItem *
crier_event_item_new (CrierMonitorEvent *event)
{
  CrierEventItem *self;

  g_return_val_if_fail (event != NULL, NULL);
  self = g_object_new (CRIER_TYPE_EVENT_ITEM, NULL);
  self->event = crier_monitor_event_ref (event);
  self->failure = crier_monitor_event_is_failure (event);
  return self;
}

static RowTexts *
get_texts (CrierEventItem *self)
{
  if (self->texts == NULL)
    self->texts = g_new0 (RowTexts, 1);
  return self->texts;
}

const CrierMonitorEvent *
crier_event_item_get_event (CrierEventItem *self)
{
  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), NULL);
  return self->event;
}

CrierMonitorKind
crier_event_item_get_kind (CrierEventItem *self)
{
  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), 0);
  return self->event->kind;
}

CrierEventCategory
crier_event_item_get_category (CrierEventItem *self)
{
  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), 0);
  return crier_monitor_kind_get_category (self->event->kind);
}

const char *
crier_event_item_get_kind_name (CrierEventItem *self)
{
  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), NULL);
  return crier_monitor_kind_to_string (self->event->kind);
}

/* The row's style classes: one colour per category. */
const char *const *
crier_event_item_get_css_classes (CrierEventItem *self)
{
  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), NULL);
  return category_classes[crier_event_item_get_category (self)];
}

const char *
crier_event_item_get_time_text (CrierEventItem *self)
{
  RowTexts *t;

  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), NULL);
  t = get_texts (self);
  if (t->time_text == NULL)
    {
      static gsize local_zone;
      g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (self->event->time / G_USEC_PER_SEC);
      g_autoptr (GDateTime) date = NULL;
      g_autofree char *hms = NULL;

      /* Looked up once: g_time_zone_new_local () reads the zone's name again on every
       * call, and every row of a flood needs its time. */
      if (g_once_init_enter (&local_zone))
        g_once_init_leave (&local_zone, (gsize) g_time_zone_new_local ());
      date = g_date_time_to_timezone (utc, (GTimeZone *) local_zone);
      hms = g_date_time_format (date, "%H:%M:%S");

      t->time_text = g_strdup_printf ("%s.%03u", hms,
                                      (unsigned) (self->event->time % G_USEC_PER_SEC) / 1000);
    }
  return t->time_text;
}

/* The event name when there is one, else what the row is about. */
const char *
crier_event_item_get_summary (CrierEventItem *self)
{
  RowTexts                *t;
  const CrierMonitorEvent *e;

  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), NULL);
  t = get_texts (self);
  if (t->summary != NULL)
    return t->summary;
  e = self->event;
  if (e->event != NULL)
    {
      /* A PHP class name (Laravel's default broadcastAs) reads by its last segment: the
       * namespace is much the same on every row and would take the narrow column. The
       * details and the search keep the whole name. */
      const char *name = strrchr (e->event, '\\') != NULL ? strrchr (e->event, '\\') + 1 : e->event;

      if (*name == '\0')
        name = e->event;
      t->summary = e->kind == CRIER_MONITOR_EVENT_PUBLISHED ? g_strdup_printf ("%s → %u", name, e->count)
                                                            : g_strdup (name);
    }
  else if (e->user_id != NULL)
    /* Translators: an event log row about a presence member, by user id */
    t->summary = g_strdup_printf (_ ("user %s"), e->user_id);
  else if (e->message != NULL)
    t->summary = e->code != 0 ? g_strdup_printf ("%d %s", e->code, e->message)
                              : g_strdup (e->message);
  else if (e->remote != NULL)
    t->summary = g_strdup (e->remote);
  else if (e->socket_id != NULL)
    t->summary = g_strdup (e->socket_id);
  else
    t->summary = g_strdup ("");
  return t->summary;
}

const char *
crier_event_item_get_preview (CrierEventItem *self)
{
  RowTexts   *t;
  const char *data;

  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), NULL);
  t = get_texts (self);
  if (t->preview != NULL)
    return t->preview;
  data = self->event->data;
  if (data == NULL)
    data = self->event->kind == CRIER_MONITOR_EVENT_PUBLISHED ? "" : self->event->socket_id;
  if (data == NULL)
    data = "";
  {
    gsize       length = strlen (data);
    const char *end = length > PREVIEW_LENGTH ? g_utf8_find_prev_char (data, data + PREVIEW_LENGTH)
                                              : data + length;
    GString    *preview = g_string_sized_new (end - data + 4);

    /* One line: a row is one line high. */
    for (const char *p = data; p < end; p++)
      g_string_append_c (preview, (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p);
    if (end < data + length)
      g_string_append (preview, "…");
    t->preview = g_string_free (preview, FALSE);
  }
  return t->preview;
}

/* The kind in the user's language, for the log's rows; the identifier (kind-name) stays
 * what the JSON Lines export, --verbose and the webhooks say. */
const char *
crier_event_item_get_kind_label (CrierEventItem *self)
{
  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), NULL);
  switch (self->event->kind)
    {
    case CRIER_MONITOR_CONNECTED:
      return C_ ("event kind", "Connected");
    case CRIER_MONITOR_DISCONNECTED:
      return C_ ("event kind", "Disconnected");
    case CRIER_MONITOR_SUBSCRIBED:
      return C_ ("event kind", "Subscribed");
    case CRIER_MONITOR_UNSUBSCRIBED:
      return C_ ("event kind", "Unsubscribed");
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
      return C_ ("event kind", "Channel occupied");
    case CRIER_MONITOR_CHANNEL_VACATED:
      return C_ ("event kind", "Channel vacated");
    case CRIER_MONITOR_MEMBER_ADDED:
      return C_ ("event kind", "Member added");
    case CRIER_MONITOR_MEMBER_REMOVED:
      return C_ ("event kind", "Member removed");
    case CRIER_MONITOR_EVENT_PUBLISHED:
      return C_ ("event kind", "Event published");
    case CRIER_MONITOR_CLIENT_EVENT:
      return C_ ("event kind", "Client event");
    case CRIER_MONITOR_SIGNED_IN:
      return C_ ("event kind", "Signed in");
    case CRIER_MONITOR_CACHE_MISS:
      return C_ ("event kind", "Cache miss");
    case CRIER_MONITOR_AUTH_FAILED:
      return C_ ("event kind", "Auth failed");
    case CRIER_MONITOR_PROTOCOL_ERROR:
      return C_ ("event kind", "Protocol error");
    case CRIER_MONITOR_API_REQUEST:
      return C_ ("event kind", "API request");
    case CRIER_MONITOR_SERVER_STARTED:
      return C_ ("event kind", "Server started");
    case CRIER_MONITOR_SERVER_STOPPED:
      return C_ ("event kind", "Server stopped");
    case CRIER_MONITOR_WEBHOOK_DELIVERED:
      return C_ ("event kind", "Webhook delivered");
    case CRIER_MONITOR_WEBHOOK_FAILED:
      return C_ ("event kind", "Webhook failed");
    case CRIER_MONITOR_WEBHOOK_DROPPED:
      return C_ ("event kind", "Webhook dropped");
    case CRIER_MONITOR_CLUSTER:
      return C_ ("event kind", "Cluster");
    case CRIER_MONITOR_N_KINDS:
    default:
      break;
    }
  return crier_event_item_get_kind_name (self);
}

/* Everything the free-text filter looks at. Made on each call, not kept: a filter reads
 * every row once per change of its text, and a kept copy would double a row's size. */
char *
crier_event_item_dup_search_text (CrierEventItem *self)
{
  const CrierMonitorEvent *e, *r;

  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), NULL);
  e = self->event;
  r = self->request;
  return g_strjoin ("\n", crier_monitor_kind_to_string (e->kind),
                    crier_event_item_get_kind_label (self), e->app_id ? e->app_id : "",
                    e->socket_id ? e->socket_id : "", e->channel ? e->channel : "",
                    e->event ? e->event : "", e->user_id ? e->user_id : "",
                    e->remote ? e->remote : "", e->message ? e->message : "",
                    e->data ? e->data : "", e->explanation ? e->explanation : "",
                    r && r->event ? r->event : "", r && r->remote ? r->remote : "", NULL);
}

/* The details pane: the record as JSON, with the payload pretty-printed when it is JSON. */
char *
crier_event_item_dup_details (CrierEventItem *self)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonParser) data_parser = json_parser_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *json = NULL;
  JsonObject      *object;

  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), NULL);
  json = crier_monitor_event_to_json (self->event);
  if (!crier_json_parser_load (parser, json, -1, NULL))
    return g_steal_pointer (&json);
  object = json_node_get_object (json_parser_get_root (parser));
  /* Pusher payloads are JSON inside a string: show them as the object they carry. */
  if (self->event->data != NULL &&
      crier_json_parser_load (data_parser, self->event->data, -1, NULL))
    json_object_set_member (object, "data", json_node_copy (json_parser_get_root (data_parser)));
  /* The API request folded into this row: method and path, status, remote address. */
  if (self->request != NULL)
    {
      g_autoptr (JsonParser) request_parser = json_parser_new ();
      g_autofree char *request = crier_monitor_event_to_json (self->request);

      if (crier_json_parser_load (request_parser, request, -1, NULL))
        json_object_set_member (object, "request",
                                json_node_copy (json_parser_get_root (request_parser)));
    }
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, json_parser_get_root (parser));
  return json_generator_to_data (generator, NULL);
}

/* An event of a session read back from a file (crier_event_log_import ()). */
CrierEventItem *
crier_event_item_new_imported (CrierMonitorEvent *event)
{
  CrierEventItem *self = crier_event_item_new (event);

  self->imported = TRUE;
  return self;
}

gboolean
crier_event_item_get_imported (CrierEventItem *self)
{
  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), FALSE);
  return self->imported;
}

/* Plain words from the core: why an auth failed, why nobody received an event, or the
 * near miss of a subscription. NULL when there is nothing to explain. */
const char *
crier_event_item_get_explanation (CrierEventItem *self)
{
  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), NULL);
  return self->event->explanation;
}

static JsonObject *
dup_details_object (const CrierMonitorEvent *event)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (event->details == NULL || !crier_json_parser_load (parser, event->details, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return JSON_NODE_HOLDS_OBJECT (root) ? json_object_ref (json_node_get_object (root)) : NULL;
}

/* "delivered to N, excluded M" for a broadcast, else NULL. From the event's counts, not
 * its trace: every row in view needs it while the log follows a flood, and the trace is a
 * JSON text of up to a hundred socket ids. */
const char *
crier_event_item_get_delivery (CrierEventItem *self)
{
  RowTexts *t;

  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), NULL);
  t = get_texts (self);
  if (t->delivery != NULL || self->event->kind != CRIER_MONITOR_EVENT_PUBLISHED)
    return t->delivery;
  /* Translators: a broadcast's delivery trace; excluded are sockets left out by
   * socket_id (Laravel's toOthers ()) */
  t->delivery = g_strdup_printf (_ ("delivered to %u, excluded %u"), self->event->count, self->event->excluded);
  return t->delivery;
}

/* The row's second line: the delivery of a broadcast, and the explanation, if any. */
const char *
crier_event_item_get_subtitle (CrierEventItem *self)
{
  RowTexts   *t;
  const char *delivery, *explanation;

  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), NULL);
  t = get_texts (self);
  if (t->subtitle != NULL)
    return t->subtitle;
  delivery = crier_event_item_get_delivery (self);
  explanation = self->event->explanation;
  if (delivery != NULL && explanation != NULL)
    t->subtitle = g_strdup_printf ("%s — %s", delivery, explanation);
  else
    t->subtitle = g_strdup (delivery ? delivery : explanation ? explanation
                                                              : "");
  return t->subtitle;
}

/* The delivery trace in words for the details pane: receivers, the excluded socket, the
 * Echo call that hears the event. NULL for other kinds. */
char *
crier_event_item_dup_trace (CrierEventItem *self)
{
  g_autoptr (JsonObject) details = NULL;
  GString    *text;
  JsonArray  *delivered = NULL;
  const char *excluded = NULL, *listen = NULL;

  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), NULL);
  if (self->event->kind != CRIER_MONITOR_EVENT_PUBLISHED)
    return NULL;
  details = dup_details_object (self->event);
  if (details != NULL)
    {
      if (json_object_has_member (details, "delivered") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (details, "delivered")))
        delivered = json_object_get_array_member (details, "delivered");
      if (json_object_has_member (details, "excluded") &&
          !json_object_get_null_member (details, "excluded"))
        excluded = json_object_get_string_member_with_default (details, "excluded", NULL);
      listen = json_object_get_string_member_with_default (details, "listen", NULL);
    }
  text = g_string_new (crier_event_item_get_delivery (self));
  g_string_append_c (text, '\n');
  if (delivered != NULL && json_array_get_length (delivered) > 0)
    {
      g_string_append (text, _ ("Received by:"));
      for (guint i = 0; i < json_array_get_length (delivered); i++)
        g_string_append_printf (text, "\n  %s", json_array_get_string_element (delivered, i));
      g_string_append_c (text, '\n');
    }
  if (excluded != NULL)
    g_string_append_printf (text, _ ("Excluded by socket_id (toOthers()): %s\n"), excluded);
  if (listen != NULL)
    g_string_append_printf (text, _ ("Echo hears it with: %s\n"), listen);
  if (text->len > 0 && text->str[text->len - 1] == '\n')
    g_string_truncate (text, text->len - 1);
  return g_string_free (text, FALSE);
}

/* Broadcasts and client events can be sent again; they need an app, a channel, a name. */
gboolean
crier_event_item_is_replayable (CrierEventItem *self)
{
  const CrierMonitorEvent *e;

  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), FALSE);
  e = self->event;
  return (e->kind == CRIER_MONITOR_EVENT_PUBLISHED || e->kind == CRIER_MONITOR_CLIENT_EVENT) &&
         e->app_id != NULL && e->channel != NULL && e->event != NULL;
}

/* Sends the event again as it was: a broadcast through crier_backend_publish () (same
 * channel, name, data and excluded socket id), a client event through
 * crier_backend_send_client_event () (same user id on presence channels). FALSE with
 * error if it cannot be; else the server's answer comes to callback (finish it with
 * crier_backend_command_finish (), or a broadcast's with crier_backend_publish_finish ()
 * to learn how many it reached). */
gboolean
crier_event_item_replay (CrierEventItem     *self,
                         CrierBackend       *host,
                         GAsyncReadyCallback callback,
                         gpointer            user_data,
                         GError            **error)
{
  const CrierMonitorEvent *e;

  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), FALSE);
  g_return_val_if_fail (CRIER_IS_BACKEND (host), FALSE);
  e = self->event;
  if (!crier_event_item_is_replayable (self))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _ ("Only broadcasts and client events can be sent again"));
      return FALSE;
    }
  if (e->kind == CRIER_MONITOR_CLIENT_EVENT)
    crier_backend_send_client_event (host, e->app_id, e->channel, e->event,
                                     e->data ? e->data : "{}", e->user_id, NULL, callback,
                                     user_data);
  else
    {
      const char *channels[] = { e->channel, NULL };

      crier_backend_publish (host, e->app_id, channels, e->event, e->data ? e->data : "{}",
                             e->socket_id, NULL, callback, user_data);
    }
  return TRUE;
}

/* See crier_monitor_event_is_failure (). */
gboolean
crier_event_item_is_failure (CrierEventItem *self)
{
  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), FALSE);
  return self->failure;
}

/* Returns: (transfer none) (nullable): the api_request event folded into this row (the
 * HTTP API request that published it). */
const CrierMonitorEvent *
crier_event_item_get_request (CrierEventItem *self)
{
  g_return_val_if_fail (CRIER_IS_EVENT_ITEM (self), NULL);
  return self->request;
}

/* The event log folds request into this row; the item keeps a ref. */
void
crier_event_item_set_request (CrierEventItem    *self,
                              CrierMonitorEvent *request)
{
  g_return_if_fail (CRIER_IS_EVENT_ITEM (self));
  if (self->request == request)
    return;
  g_clear_pointer (&self->request, crier_monitor_event_unref);
  self->request = request ? crier_monitor_event_ref (request) : NULL;
}
