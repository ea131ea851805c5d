/* crier-observer.c — watching a Pusher server that is not Crier (soketi, Reverb, Pusher) as
 * a client of it: occupied channels from its HTTP API, their events by subscribing
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-observer"

#include "config.h"

#include "crier-observer.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "crier-encryption.h"
#include "crier-http-client.h"
#include "crier-json.h"
#include "crier-main-context-private.h"
#include "crier-names.h"
#include "crier-signature.h"

/* Such a server tells nothing of its connections: the channel list is polled, and each
 * occupied channel is joined by one WebSocket of the observer's own. */
#define POLL_MS        2000
#define RECONNECT_MS   1000
#define OBSERVER_AGENT "crier-observer"

struct _CrierObserver
{
  GObject                  parent_instance;
  char                    *base_url;
  char                    *app_id;
  char                    *key;
  char                    *secret;
  char                    *master_key;
  gboolean                 insecure;
  SoupSession             *session;
  GCancellable            *cancellable;
  SoupWebsocketConnection *ws;
  char                    *socket_id;
  GHashTable              *channels; /* name → GINT_TO_POINTER (subscribed) */
  guint                    poll_id;
  guint                    reconnect_id;
  gboolean                 running;
};

G_DEFINE_FINAL_TYPE (CrierObserver, crier_observer, G_TYPE_OBJECT)

enum
{
  SIGNAL_EVENT,
  SIGNAL_PROBLEM,
  SIGNAL_PRESENCE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void connect_socket (CrierObserver *self);

static void
emit_event (CrierObserver     *self,
            CrierMonitorEvent *event)
{
  event->time = g_get_real_time ();
  if (event->app_id == NULL)
    event->app_id = g_strdup (self->app_id);
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, event);
  crier_monitor_event_unref (event);
}

static void G_GNUC_PRINTF (2, 3)
  problem (CrierObserver *self,
           const char    *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_signal_emit (self, signals[SIGNAL_PROBLEM], 0, message);
}

static SoupMessage *
new_message (CrierObserver *self,
             const char    *method,
             const char    *url)
{
  SoupMessage *msg = soup_message_new (method, url);

  if (msg != NULL && self->insecure)
    crier_http_client_trust_any (msg);
  return msg;
}

static void
send_frame (CrierObserver *self,
            JsonBuilder   *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = crier_json_to_string (root);

  if (self->ws != NULL && soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (self->ws, text);
}

/* pusher:subscribe, signed as the app's auth endpoint would sign it (we hold its secret). */
static void
subscribe (CrierObserver *self,
           const char    *channel)
{
  CrierChannelType type = crier_channel_type_from_name (channel);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *channel_data = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "pusher:subscribe");
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "channel");
  json_builder_add_string_value (builder, channel);
  if (type & CRIER_CHANNEL_PRESENCE)
    channel_data = g_strdup ("{\"user_id\":\"" CRIER_OBSERVER_USER_ID "\",\"user_info\":{\"name\":\"Crier (observer)\"}}");
  if (type & (CRIER_CHANNEL_PRIVATE | CRIER_CHANNEL_PRESENCE))
    {
      g_autofree char *text = channel_data != NULL ? g_strdup_printf ("%s:%s:%s", self->socket_id, channel, channel_data)
                                                   : g_strdup_printf ("%s:%s", self->socket_id, channel);
      g_autofree char *signature = crier_signature_compute (self->secret, text, -1);
      g_autofree char *auth = g_strdup_printf ("%s:%s", self->key, signature);

      json_builder_set_member_name (builder, "auth");
      json_builder_add_string_value (builder, auth);
    }
  if (channel_data != NULL)
    {
      json_builder_set_member_name (builder, "channel_data");
      json_builder_add_string_value (builder, channel_data);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  send_frame (self, builder);
  g_hash_table_replace (self->channels, g_strdup (channel), GINT_TO_POINTER (TRUE));
}

static void
unsubscribe (CrierObserver *self,
             const char    *channel)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "pusher:unsubscribe");
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "channel");
  json_builder_add_string_value (builder, channel);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  send_frame (self, builder);
}

static void
vacated (CrierObserver *self,
         const char    *channel)
{
  CrierMonitorEvent *event = crier_monitor_event_new (CRIER_MONITOR_CHANNEL_VACATED);

  event->channel = g_strdup (channel);
  emit_event (self, event);
  unsubscribe (self, channel);
  g_hash_table_remove (self->channels, channel);
}

typedef struct
{
  CrierObserver *self;
  char          *channel;
} CountRequest;

static void
counted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  CountRequest  *request = user_data;
  CrierObserver *self = request->self;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (JsonObject) info = NULL;
  gsize       length = 0;
  const char *text = body ? g_bytes_get_data (body, &length) : NULL;
  const char *member = (crier_channel_type_from_name (request->channel) & CRIER_CHANNEL_PRESENCE) ? "user_count" : "subscription_count";

  if (self->running && body != NULL && soup_message_get_status (msg) == SOUP_STATUS_OK &&
      (info = crier_json_parse_object (text, length, NULL)) != NULL && json_object_has_member (info, member) &&
      json_object_get_int_member (info, member) <= 1 &&
      GPOINTER_TO_INT (g_hash_table_lookup (self->channels, request->channel)))
    vacated (self, request->channel); /* nobody but the observer */
  g_object_unref (request->self);
  g_free (request->channel);
  g_free (request);
}

static void
sign_url (CrierObserver *self,
          const char    *path,
          GHashTable    *query,
          char         **url)
{
  g_autofree char *encoded = NULL;

  crier_signature_sign_api_request (query, "GET", path, self->key, self->secret, NULL);
  encoded = soup_form_encode_hash (query);
  *url = g_strdup_printf ("%s%s?%s", self->base_url, path, encoded);
}

/* The observer keeps every channel it joined occupied: whether anyone else is left is asked
 * per channel (a server that does not count subscriptions leaves it listed). */
static void
count_others (CrierObserver *self,
              const char    *channel)
{
  g_autofree char *escaped = g_uri_escape_string (channel, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/apps/%s/channels/%s", self->app_id, escaped);
  g_autoptr (GHashTable) query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *url = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  CountRequest *request;

  g_hash_table_insert (query, g_strdup ("info"),
                       g_strdup ((crier_channel_type_from_name (channel) & CRIER_CHANNEL_PRESENCE) ? "user_count"
                                                                                                   : "subscription_count"));
  sign_url (self, path, query, &url);
  if ((msg = new_message (self, "GET", url)) == NULL)
    return;
  request = g_new0 (CountRequest, 1);
  request->self = g_object_ref (self);
  request->channel = g_strdup (channel);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->cancellable, counted_cb, request);
}

/* The occupied channels as the server lists them: new ones are joined, gone ones left. */
static void
channels_listed (CrierObserver *self,
                 JsonObject    *list)
{
  JsonObject *channels = json_object_get_object_member (list, "channels");
  g_autoptr (GList) names = channels ? json_object_get_members (channels) : NULL;
  g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  const char    *name;
  gpointer       joined;

  for (GList *l = names; l != NULL; l = l->next)
    {
      g_hash_table_add (listed, l->data);
      if (!g_hash_table_contains (self->channels, l->data))
        {
          CrierMonitorEvent *event = crier_monitor_event_new (CRIER_MONITOR_CHANNEL_OCCUPIED);

          event->channel = g_strdup (l->data);
          emit_event (self, event);
          /* Known from now on; joined now, or once the observer's socket is connected. */
          g_hash_table_replace (self->channels, g_strdup (l->data), GINT_TO_POINTER (FALSE));
          if (self->socket_id != NULL)
            subscribe (self, l->data);
        }
    }
  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    if (!g_hash_table_contains (listed, name))
      g_ptr_array_add (gone, g_strdup (name));
  for (guint i = 0; i < gone->len; i++)
    vacated (self, g_ptr_array_index (gone, i));
  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, &joined))
    if (GPOINTER_TO_INT (joined))
      count_others (self, name);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (CrierObserver) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (JsonObject) list = NULL;
  gsize       length = 0;
  const char *text;

  if (!self->running || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (body == NULL)
    {
      problem (self, "cannot list the channels: %s", error->message);
      return;
    }
  text = g_bytes_get_data (body, &length);
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      problem (self, "GET /apps/%s/channels answered %u: %.*s", self->app_id, soup_message_get_status (msg),
               (int) MIN (length, 300), text);
      return;
    }
  if ((list = crier_json_parse_object (text, length, &error)) == NULL)
    {
      problem (self, "GET /apps/%s/channels answered something that is not a JSON object", self->app_id);
      return;
    }
  channels_listed (self, list);
}

static gboolean
poll_cb (gpointer user_data)
{
  CrierObserver   *self = user_data;
  g_autofree char *path = g_strdup_printf ("/apps/%s/channels", self->app_id);
  g_autoptr (GHashTable) query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *url = NULL;
  g_autoptr (SoupMessage) msg = NULL;

  sign_url (self, path, query, &url);
  if ((msg = new_message (self, "GET", url)) == NULL)
    {
      problem (self, "“%s” is not a valid server address", self->base_url);
      return G_SOURCE_CONTINUE;
    }
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->cancellable, listed_cb,
                                    g_object_ref (self));
  return G_SOURCE_CONTINUE;
}

/* "data" of a Pusher frame as text: a string as it is, anything else as its JSON. */
static char *
dup_data (JsonObject *frame)
{
  JsonNode *data = json_object_get_member (frame, "data");

  if (data == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (data) && json_node_get_value_type (data) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (data));
  return crier_json_to_string (data);
}

static void
handle_member (CrierObserver   *self,
               CrierMonitorKind kind,
               const char      *channel,
               const char      *data)
{
  g_autoptr (JsonObject) member = data ? crier_json_parse_object (data, -1, NULL) : NULL;
  JsonNode          *id = member ? json_object_get_member (member, "user_id") : NULL;
  JsonNode          *info = member ? json_object_get_member (member, "user_info") : NULL;
  CrierMonitorEvent *event = crier_monitor_event_new (kind);

  event->channel = g_strdup (channel);
  if (id != NULL && JSON_NODE_HOLDS_VALUE (id))
    event->user_id = json_node_get_value_type (id) == G_TYPE_STRING
                       ? g_strdup (json_node_get_string (id))
                       : g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (id));
  if (info != NULL)
    event->data = crier_json_to_string (info);
  emit_event (self, event);
}

static void
handle_subscribed (CrierObserver *self,
                   const char    *channel,
                   const char    *data)
{
  g_autoptr (JsonObject) object = data ? crier_json_parse_object (data, -1, NULL) : NULL;
  JsonObject        *presence = object && json_object_has_member (object, "presence")
                                  ? json_object_get_object_member (object, "presence")
                                  : NULL;
  CrierMonitorEvent *event = crier_monitor_event_new (CRIER_MONITOR_SUBSCRIBED);

  event->channel = g_strdup (channel);
  event->socket_id = g_strdup (self->socket_id);
  if (presence != NULL)
    {
      /* Everyone but the observer itself. */
      gint64 count = json_object_get_int_member_with_default (presence, "count", 0);

      event->count = count > 0 ? (unsigned) count - 1 : 0;
      event->message = g_strdup_printf ("observer joined; %u other members", event->count);
    }
  else
    event->message = g_strdup ("observer joined");
  emit_event (self, event);
  if (presence != NULL)
    {
      g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), presence);
      g_autofree char *text = crier_json_to_string (node);

      g_signal_emit (self, signals[SIGNAL_PRESENCE], 0, channel, text);
    }
}

static void
handle_published (CrierObserver *self,
                  const char    *channel,
                  const char    *name,
                  char          *data)
{
  gboolean           client = g_str_has_prefix (name, "client-");
  CrierMonitorEvent *event = crier_monitor_event_new (client ? CRIER_MONITOR_CLIENT_EVENT : CRIER_MONITOR_EVENT_PUBLISHED);

  event->channel = g_strdup (channel);
  event->event = g_strdup (name);
  event->message = g_strdup ("observed as a client: its other receivers are not visible");
  if ((crier_channel_type_from_name (channel) & CRIER_CHANNEL_ENCRYPTED) && self->master_key != NULL && data != NULL)
    {
      g_autoptr (GError) error = NULL;
      char *plain = crier_encryption_open (self->master_key, channel, data, &error);

      if (plain != NULL)
        {
          g_free (data);
          data = plain;
        }
      else
        {
          g_free (event->message);
          event->message = g_strdup_printf ("cannot decrypt: %s", error->message);
        }
    }
  else if (crier_channel_type_from_name (channel) & CRIER_CHANNEL_ENCRYPTED)
    {
      g_free (event->message);
      event->message = g_strdup ("encrypted: give the app's encryption master key to read it");
    }
  event->data = data;
  emit_event (self, event);
}

static void
message_cb (SoupWebsocketConnection *ws,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            CrierObserver           *self)
{
  gsize       length;
  const char *text = g_bytes_get_data (message, &length);
  g_autoptr (JsonObject) frame = crier_json_parse_object (text, length, NULL);
  const char *name = frame ? json_object_get_string_member_with_default (frame, "event", NULL) : NULL;
  const char *channel = frame ? json_object_get_string_member_with_default (frame, "channel", NULL) : NULL;
  char       *data = frame ? dup_data (frame) : NULL;

  if (name == NULL)
    g_free (data);
  else if (g_str_equal (name, "pusher:connection_established"))
    {
      g_autoptr (JsonObject) established = data ? crier_json_parse_object (data, -1, NULL) : NULL;
      GHashTableIter iter;
      const char    *known;

      g_free (self->socket_id);
      self->socket_id = established ? g_strdup (json_object_get_string_member_with_default (established, "socket_id", NULL)) : NULL;
      g_free (data);
      /* (Re)joins everything listed so far, then the list is refreshed. */
      g_hash_table_iter_init (&iter, self->channels);
      while (self->socket_id != NULL && g_hash_table_iter_next (&iter, (gpointer *) &known, NULL))
        subscribe (self, known);
      poll_cb (self);
    }
  else if (g_str_equal (name, "pusher:ping"))
    {
      soup_websocket_connection_send_text (ws, "{\"event\":\"pusher:pong\",\"data\":{}}");
      g_free (data);
    }
  else if (g_str_equal (name, "pusher_internal:subscription_succeeded"))
    {
      handle_subscribed (self, channel, data);
      g_free (data);
    }
  else if (g_str_equal (name, "pusher_internal:member_added"))
    {
      handle_member (self, CRIER_MONITOR_MEMBER_ADDED, channel, data);
      g_free (data);
    }
  else if (g_str_equal (name, "pusher_internal:member_removed"))
    {
      handle_member (self, CRIER_MONITOR_MEMBER_REMOVED, channel, data);
      g_free (data);
    }
  else if (g_str_equal (name, "pusher:error") || g_str_equal (name, "pusher:subscription_error"))
    {
      problem (self, "%s%s%s: %s", name, channel ? " on " : "", channel ? channel : "", data ? data : "");
      g_free (data);
    }
  else if (g_str_has_prefix (name, "pusher:") || g_str_has_prefix (name, "pusher_internal:") || channel == NULL)
    g_free (data);
  else
    handle_published (self, channel, name, data);
}

static gboolean
reconnect_cb (gpointer user_data)
{
  CrierObserver *self = user_data;

  self->reconnect_id = 0;
  connect_socket (self);
  return G_SOURCE_REMOVE;
}

static void
closed_cb (SoupWebsocketConnection *ws,
           CrierObserver           *self)
{
  problem (self, "the server closed the observer's connection (%u); reconnecting",
           soup_websocket_connection_get_close_code (ws));
  g_clear_object (&self->ws);
  g_clear_pointer (&self->socket_id, g_free);
  if (self->running && self->reconnect_id == 0)
    self->reconnect_id = crier_timeout_add (RECONNECT_MS, reconnect_cb, self);
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (CrierObserver) self = user_data;
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);

  if (!self->running || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_object (&ws);
      return;
    }
  if (ws == NULL)
    {
      problem (self, "cannot connect as a client: %s; retrying", error->message);
      if (self->reconnect_id == 0)
        self->reconnect_id = crier_timeout_add (RECONNECT_MS, reconnect_cb, self);
      return;
    }
  self->ws = ws;
  g_signal_connect (ws, "message", G_CALLBACK (message_cb), self);
  g_signal_connect (ws, "closed", G_CALLBACK (closed_cb), self);
}

static void
connect_socket (CrierObserver *self)
{
  gboolean         tls = g_str_has_prefix (self->base_url, "https://");
  const char      *authority = strstr (self->base_url, "://") + 3;
  g_autofree char *url = g_strdup_printf ("%s://%s/app/%s?protocol=7&client=%s&version=%s", tls ? "wss" : "ws",
                                          authority, self->key, OBSERVER_AGENT, PACKAGE_VERSION);
  g_autoptr (SoupMessage) msg = new_message (self, "GET", url);

  if (msg == NULL)
    {
      problem (self, "“%s” is not a valid server address", self->base_url);
      return;
    }
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, self->cancellable,
                                        connected_cb, g_object_ref (self));
}

void
crier_observer_start (CrierObserver *self)
{
  g_return_if_fail (CRIER_IS_OBSERVER (self));
  if (self->running)
    return;
  self->running = TRUE;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  connect_socket (self);
  self->poll_id = crier_timeout_add (POLL_MS, poll_cb, self);
}

void
crier_observer_stop (CrierObserver *self)
{
  g_return_if_fail (CRIER_IS_OBSERVER (self));
  self->running = FALSE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->poll_id, crier_source_remove);
  g_clear_handle_id (&self->reconnect_id, crier_source_remove);
  if (self->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ws, self);
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->ws);
    }
  g_clear_pointer (&self->socket_id, g_free);
  g_hash_table_remove_all (self->channels);
}

static void
crier_observer_dispose (GObject *object)
{
  CrierObserver *self = CRIER_OBSERVER (object);

  crier_observer_stop (self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (crier_observer_parent_class)->dispose (object);
}

static void
crier_observer_finalize (GObject *object)
{
  CrierObserver *self = CRIER_OBSERVER (object);

  g_free (self->base_url);
  g_free (self->app_id);
  g_free (self->key);
  g_free (self->secret);
  g_free (self->master_key);
  g_hash_table_unref (self->channels);
  G_OBJECT_CLASS (crier_observer_parent_class)->finalize (object);
}

static void
crier_observer_class_init (CrierObserverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crier_observer_dispose;
  object_class->finalize = crier_observer_finalize;
  /* What the observer saw, as the monitor stream of a Crier would say it. */
  signals[SIGNAL_EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 1, CRIER_TYPE_MONITOR_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* Something it could not see or do, in one line. */
  signals[SIGNAL_PROBLEM] = g_signal_new ("problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* After "event" subscribed on a presence channel: (channel, the "presence" object of
   * subscription_succeeded as JSON text: {"count", "ids", "hash"}), the members already
   * there, which no member_added announces. */
  signals[SIGNAL_PRESENCE] = g_signal_new ("presence", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                           NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
crier_observer_init (CrierObserver *self)
{
  self->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

CrierObserver *
crier_observer_new (const char *base_url,
                    const char *app_id,
                    const char *key,
                    const char *secret,
                    const char *master_key,
                    gboolean    insecure)
{
  CrierObserver *self;

  g_return_val_if_fail (base_url != NULL && strstr (base_url, "://") != NULL, NULL);
  self = g_object_new (CRIER_TYPE_OBSERVER, NULL);
  self->base_url = g_strdup (base_url);
  self->app_id = g_strdup (app_id);
  self->key = g_strdup (key);
  self->secret = g_strdup (secret);
  self->master_key = g_strdup (master_key);
  self->insecure = insecure;
  self->session = soup_session_new ();
  return self;
}
