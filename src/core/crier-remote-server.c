/* crier-remote-server.c — another Crier seen through its monitor endpoint (docs/pusher-protocol.md
 * §21): the same commands, snapshots and monitor stream as the server in this process
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-remote"

#include "config.h"

#include "crier-remote-server.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "crier-backend.h"
#include "crier-http-client.h"
#include "crier-json.h"
#include "crier-main-context-private.h"
#include "crier-names.h"

#define RETRY_FIRST_MS 500
#define RETRY_MAX_MS   10000
/* Connections, channels and members change with the events that say so: the picture is
 * asked for again shortly after such an event (one request for a burst). */
#define REFRESH_MS 200

struct _CrierRemoteServer
{
  GObject                  parent_instance;
  char                    *base_url;
  char                    *app_id;
  char                    *key;
  char                    *secret;
  gboolean                 insecure;
  CrierConfig             *config; /* the one app, for the window's lists */
  SoupSession             *session;
  GCancellable            *cancellable;
  SoupWebsocketConnection *ws;
  CrierMonitor            *monitor;
  CrierBackendState        state;
  char                    *problem;
  JsonObject              *snapshot;
  GHashTable              *pending; /* command id → GTask */
  guint64                  next_id;
  unsigned                 retry_ms;
  guint                    retry_id;
  guint                    refresh_id;
  gboolean                 refresh;     /* ask for snapshots after events that change them */
  unsigned                 http_status; /* of the last handshake that failed with an answer */
  gboolean                 running;
};

static void backend_iface_init (CrierBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CrierRemoteServer, crier_remote_server, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (CRIER_TYPE_BACKEND, backend_iface_init))

/* CrierBackend's properties. */
enum
{
  PROP_0,
  PROP_STATE,
  PROP_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_CHANGED,
  SIGNAL_MISSED,
  SIGNAL_UNREADABLE_EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void connect_monitor (CrierRemoteServer *self);

static void
set_state (CrierRemoteServer *self,
           CrierBackendState  state,
           const char        *problem)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (self->problem, problem) != 0)
    {
      g_free (self->problem);
      self->problem = g_strdup (problem);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
    }
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static void
fail_pending (CrierRemoteServer *self,
              const char        *why)
{
  GHashTableIter iter;
  GTask         *task;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &task))
    {
      g_task_return_new_error (task, CRIER_BACKEND_ERROR, CRIER_BACKEND_ERROR_NOT_READY, "%s", why);
      g_hash_table_iter_remove (&iter);
    }
}

static void
send_command (CrierRemoteServer  *self,
              JsonBuilder        *fields, /* an open object: the command's own members */
              GCancellable       *cancellable,
              GAsyncReadyCallback callback,
              gpointer            user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *id = g_strdup_printf ("%" G_GUINT64_FORMAT, ++self->next_id);
  g_autoptr (JsonNode) command = NULL;
  g_autoptr (JsonBuilder) frame = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  g_task_set_source_tag (task, send_command);
  json_builder_set_member_name (fields, "id");
  json_builder_add_string_value (fields, id);
  json_builder_end_object (fields);
  command = json_builder_get_root (fields);
  if (self->ws == NULL || soup_websocket_connection_get_state (self->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_task_return_new_error (task, CRIER_BACKEND_ERROR, CRIER_BACKEND_ERROR_NOT_READY, _ ("Not connected to the server"));
      return;
    }
  json_builder_begin_object (frame);
  json_builder_set_member_name (frame, "event");
  json_builder_add_string_value (frame, "crier:command");
  json_builder_set_member_name (frame, "data");
  json_builder_add_value (frame, g_steal_pointer (&command));
  json_builder_end_object (frame);
  root = json_builder_get_root (frame);
  text = crier_json_to_string (root);
  g_hash_table_insert (self->pending, g_steal_pointer (&id), g_object_ref (task));
  soup_websocket_connection_send_text (self->ws, text);
}

static JsonBuilder *
begin_command (const char *name)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, name);
  return builder;
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static gboolean
refresh_cb (gpointer user_data)
{
  CrierRemoteServer *self = user_data;
  g_autoptr (JsonBuilder) builder = begin_command ("snapshot");

  self->refresh_id = 0;
  send_command (self, builder, NULL, NULL, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
changes_picture (CrierMonitorKind kind)
{
  switch (kind)
    {
    case CRIER_MONITOR_CONNECTED:
    case CRIER_MONITOR_DISCONNECTED:
    case CRIER_MONITOR_SUBSCRIBED:
    case CRIER_MONITOR_UNSUBSCRIBED:
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
    case CRIER_MONITOR_CHANNEL_VACATED:
    case CRIER_MONITOR_MEMBER_ADDED:
    case CRIER_MONITOR_MEMBER_REMOVED:
    case CRIER_MONITOR_SIGNED_IN:
    case CRIER_MONITOR_EVENT_PUBLISHED: /* a cache channel's last event */
    case CRIER_MONITOR_CLUSTER:         /* nodes, Redis, cluster-wide counts */
      return TRUE;
    case CRIER_MONITOR_CLIENT_EVENT:
    case CRIER_MONITOR_CACHE_MISS:
    case CRIER_MONITOR_AUTH_FAILED:
    case CRIER_MONITOR_PROTOCOL_ERROR:
    case CRIER_MONITOR_API_REQUEST:
    case CRIER_MONITOR_SERVER_STARTED:
    case CRIER_MONITOR_SERVER_STOPPED:
    case CRIER_MONITOR_WEBHOOK_DELIVERED:
    case CRIER_MONITOR_WEBHOOK_FAILED:
    case CRIER_MONITOR_WEBHOOK_DROPPED:
    case CRIER_MONITOR_N_KINDS:
    default:
      return FALSE;
    }
}

static void
handle_monitor_event (CrierRemoteServer *self,
                      JsonNode          *data)
{
  g_autofree char *json = crier_json_to_string (data);
  g_autoptr (GError) error = NULL;
  g_autoptr (CrierMonitorEvent) event = crier_monitor_event_new_from_json (json, &error);

  if (event == NULL)
    {
      /* Most likely a kind a newer server added: worth saying, not worth stopping for. */
      g_signal_emit (self, signals[SIGNAL_UNREADABLE_EVENT], 0, error->message);
      return;
    }
  crier_monitor_emit (self->monitor, crier_monitor_event_ref (event));
  if (self->refresh && changes_picture (event->kind) && self->refresh_id == 0)
    self->refresh_id = crier_timeout_add (REFRESH_MS, refresh_cb, self);
}

static void
handle_result (CrierRemoteServer *self,
               JsonObject        *result)
{
  const char *id = json_object_get_string_member_with_default (result, "id", NULL);
  GTask      *task = id ? g_hash_table_lookup (self->pending, id) : NULL;

  if (task == NULL)
    return;
  if (json_object_get_boolean_member_with_default (result, "ok", FALSE))
    {
      /* A publication's deliveries, when the server counted them (not in a cluster, nor
       * from a Crier before it said so): read by backend_publish_finish (). */
      JsonNode *count = json_object_get_member (result, "receivers");

      if (count != NULL && JSON_NODE_HOLDS_VALUE (count) && json_node_get_value_type (count) == G_TYPE_INT64)
        {
          gint64 *receivers = g_new (gint64, 1);

          *receivers = json_node_get_int (count);
          g_task_set_task_data (task, receivers, g_free);
        }
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_new_error (task, CRIER_BACKEND_ERROR, CRIER_BACKEND_ERROR_REFUSED, "%s",
                             json_object_get_string_member_with_default (result, "error", "refused"));
  g_hash_table_remove (self->pending, id);
}

static void
message_cb (SoupWebsocketConnection *ws,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            CrierRemoteServer       *self)
{
  gsize       length;
  const char *text = g_bytes_get_data (message, &length);
  g_autoptr (JsonObject) frame = crier_json_parse_object (text, length, NULL);
  const char *event = frame ? json_object_get_string_member_with_default (frame, "event", "") : "";
  JsonNode   *data = frame ? json_object_get_member (frame, "data") : NULL;
  gboolean    object = data != NULL && JSON_NODE_HOLDS_OBJECT (data);

  if (g_str_equal (event, "crier:monitor") && object)
    handle_monitor_event (self, data);
  else if (g_str_equal (event, "crier:snapshot") && object)
    {
      /* The first after each (re)connection replaces the picture; later ones are the
       * refreshes asked for by refresh_cb (), read through the snapshots. */
      gboolean first = self->state != CRIER_BACKEND_STATE_CONNECTED;

      g_clear_pointer (&self->snapshot, json_object_unref);
      self->snapshot = json_object_ref (json_node_get_object (data));
      self->retry_ms = RETRY_FIRST_MS;
      set_state (self, CRIER_BACKEND_STATE_CONNECTED, NULL);
      if (first)
        crier_backend_emit_reset (CRIER_BACKEND (self));
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
    }
  else if (g_str_equal (event, "crier:result") && object)
    handle_result (self, json_node_get_object (data));
  else if (g_str_equal (event, "crier:missed") && object)
    {
      gint64 count = json_object_get_int_member_with_default (json_node_get_object (data), "count", 0);

      /* We read too slowly and the server skipped events; the snapshot it sends next
       * puts the picture right, the stream itself has a gap. */
      g_signal_emit (self, signals[SIGNAL_MISSED], 0, (guint64) MAX (count, 0));
    }
  else if (g_str_equal (event, "pusher:error") && object)
    {
      /* A refusal: wrong secret, unknown app, a clock far off. Retrying cannot help. */
      set_state (self, CRIER_BACKEND_STATE_REFUSED,
                 json_object_get_string_member_with_default (json_node_get_object (data), "message", ""));
      self->running = FALSE;
    }
}

static gboolean
retry_cb (gpointer user_data)
{
  CrierRemoteServer *self = user_data;

  self->retry_id = 0;
  connect_monitor (self);
  return G_SOURCE_REMOVE;
}

static void
retry_later (CrierRemoteServer *self,
             const char        *why)
{
  if (!self->running)
    return;
  set_state (self, CRIER_BACKEND_STATE_RECONNECTING, why);
  self->retry_id = crier_timeout_add (self->retry_ms, retry_cb, self);
  self->retry_ms = MIN (self->retry_ms * 2, RETRY_MAX_MS);
}

static void
closed_cb (SoupWebsocketConnection *ws,
           CrierRemoteServer       *self)
{
  g_autofree char *why = g_strdup_printf (
    /* Translators: %u is a WebSocket close code, such as 1006 */
    _ ("the connection closed (%u)"), soup_websocket_connection_get_close_code (ws));

  g_signal_handlers_disconnect_by_data (ws, self);
  g_clear_object (&self->ws);
  g_clear_handle_id (&self->refresh_id, crier_source_remove);
  fail_pending (self, why);
  retry_later (self, why);
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (CrierRemoteServer) self = user_data;
  g_autoptr (GError) error = NULL;
  SoupMessage             *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  SoupWebsocketConnection *ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);

  if (!self->running)
    {
      g_clear_object (&ws);
      return;
    }
  self->http_status = 0;
  if (ws == NULL)
    {
      /* Not a WebSocket answer (a proxy's 403 or 502, say): kept for a front end that gives
       * up on those instead of retrying. */
      if (msg != NULL && soup_message_get_status (msg) >= 400)
        self->http_status = soup_message_get_status (msg);
      if (msg != NULL && soup_message_get_status (msg) == SOUP_STATUS_NOT_FOUND)
        {
          set_state (self, CRIER_BACKEND_STATE_NOT_CRIER, _ ("The server has no monitor endpoint: not a Crier"));
          self->running = FALSE;
          return;
        }
      retry_later (self, error->message);
      return;
    }
  self->ws = ws;
  g_signal_connect (ws, "message", G_CALLBACK (message_cb), self);
  g_signal_connect (ws, "closed", G_CALLBACK (closed_cb), self);
}

/* Signed afresh for each attempt: a signature opens one monitor connection. */
static void
connect_monitor (CrierRemoteServer *self)
{
  g_autofree char *url = crier_http_client_dup_monitor_url (self->base_url, self->app_id, self->key, self->secret);
  g_autoptr (SoupMessage) msg = NULL;

  if ((msg = soup_message_new ("GET", url)) == NULL)
    {
      set_state (self, CRIER_BACKEND_STATE_REFUSED, _ ("Not a valid server address"));
      self->running = FALSE;
      return;
    }
  if (self->insecure)
    crier_http_client_trust_any (msg);
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, self->cancellable,
                                        connected_cb, g_object_ref (self));
}

void
crier_remote_server_start (CrierRemoteServer *self)
{
  g_return_if_fail (CRIER_IS_REMOTE_SERVER (self));
  if (self->running)
    return;
  self->running = TRUE;
  self->retry_ms = RETRY_FIRST_MS;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_state (self, CRIER_BACKEND_STATE_CONNECTING, NULL);
  connect_monitor (self);
}

void
crier_remote_server_stop (CrierRemoteServer *self)
{
  g_return_if_fail (CRIER_IS_REMOTE_SERVER (self));
  self->running = FALSE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_id, crier_source_remove);
  g_clear_handle_id (&self->refresh_id, crier_source_remove);
  if (self->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ws, self);
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->ws);
    }
  fail_pending (self, _ ("Stopped watching the server"));
}

const char *
crier_remote_server_get_app_id (CrierRemoteServer *self)
{
  g_return_val_if_fail (CRIER_IS_REMOTE_SERVER (self), NULL);
  return self->app_id;
}

void
crier_remote_server_set_refresh (CrierRemoteServer *self,
                                 gboolean           refresh)
{
  g_return_if_fail (CRIER_IS_REMOTE_SERVER (self));
  self->refresh = !!refresh;
  if (!self->refresh)
    g_clear_handle_id (&self->refresh_id, crier_source_remove);
}

unsigned
crier_remote_server_get_http_status (CrierRemoteServer *self)
{
  g_return_val_if_fail (CRIER_IS_REMOTE_SERVER (self), 0);
  return self->http_status;
}

static JsonArray *
snapshot_array (CrierRemoteServer *self,
                const char        *name)
{
  JsonNode *node = self->snapshot ? json_object_get_member (self->snapshot, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static char *
dup_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return crier_json_to_string (node);
}

static JsonObject *
element (JsonArray *array,
         guint      i)
{
  JsonNode *node = json_array_get_element (array, i);

  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* Snapshots are of the one app the monitor connection shows: another app has none. */
static gboolean
other_app (CrierRemoteServer *self,
           const char        *app_id)
{
  return app_id != NULL && g_strcmp0 (app_id, self->app_id) != 0;
}

static GPtrArray *
backend_dup_connections (CrierBackend *backend,
                         const char   *app_id)
{
  CrierRemoteServer *self = CRIER_REMOTE_SERVER (backend);
  GPtrArray         *result = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_connection_info_free);
  JsonArray         *connections = other_app (self, app_id) ? NULL : snapshot_array (self, "connections");

  for (guint i = 0; connections != NULL && i < json_array_get_length (connections); i++)
    {
      JsonObject          *object = element (connections, i);
      JsonNode            *channels = object ? json_object_get_member (object, "channels") : NULL;
      CrierConnectionInfo *info;
      g_autoptr (GStrvBuilder) names = g_strv_builder_new ();

      if (object == NULL)
        continue;
      info = g_new0 (CrierConnectionInfo, 1);
      info->socket_id = dup_member (object, "socket_id");
      info->app_id = g_strdup (self->app_id);
      info->remote = dup_member (object, "remote");
      info->origin = dup_member (object, "origin");
      info->user_id = dup_member (object, "user_id");
      info->connected_at = json_object_get_int_member_with_default (object, "connected_at", 0) * 1000;
      info->messages_in = json_object_get_int_member_with_default (object, "messages_in", 0);
      info->messages_out = json_object_get_int_member_with_default (object, "messages_out", 0);
      for (guint j = 0; channels != NULL && JSON_NODE_HOLDS_ARRAY (channels) &&
                        j < json_array_get_length (json_node_get_array (channels));
           j++)
        {
          const char *name = json_array_get_string_element (json_node_get_array (channels), j);

          if (name != NULL)
            g_strv_builder_add (names, name);
        }
      info->channels = g_strv_builder_end (names);
      g_ptr_array_add (result, info);
    }
  return result;
}

static JsonObject *
find_channel (CrierRemoteServer *self,
              const char        *name)
{
  JsonArray *channels = snapshot_array (self, "channels");

  for (guint i = 0; channels != NULL && i < json_array_get_length (channels); i++)
    {
      JsonObject *object = element (channels, i);

      if (object != NULL && g_strcmp0 (json_object_get_string_member_with_default (object, "name", NULL), name) == 0)
        return object;
    }
  return NULL;
}

static GPtrArray *
backend_dup_channels (CrierBackend *backend,
                      const char   *app_id,
                      const char   *prefix)
{
  CrierRemoteServer *self = CRIER_REMOTE_SERVER (backend);
  GPtrArray         *result = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_channel_info_free);
  JsonArray         *channels = other_app (self, app_id) ? NULL : snapshot_array (self, "channels");

  for (guint i = 0; channels != NULL && i < json_array_get_length (channels); i++)
    {
      JsonObject       *object = element (channels, i);
      CrierChannelInfo *info;

      if (object == NULL ||
          (prefix != NULL &&
           !g_str_has_prefix (json_object_get_string_member_with_default (object, "name", ""), prefix)))
        continue;
      info = g_new0 (CrierChannelInfo, 1);
      info->name = dup_member (object, "name");
      info->type = crier_channel_type_from_name (info->name ? info->name : "");
      info->subscription_count = json_object_get_int_member_with_default (object, "subscription_count", 0);
      info->user_count = json_object_get_int_member_with_default (object, "user_count", 0);
      info->events = json_object_get_int_member_with_default (object, "events", 0);
      info->has_cache = json_object_has_member (object, "cached_data");
      info->cached_data = dup_member (object, "cached_data");
      info->cache_ttl = json_object_get_int_member_with_default (object, "cache_ttl", 0);
      g_ptr_array_add (result, info);
    }
  return result;
}

static GPtrArray *
backend_dup_members (CrierBackend *backend,
                     const char   *app_id,
                     const char   *channel)
{
  CrierRemoteServer *self = CRIER_REMOTE_SERVER (backend);
  GPtrArray         *result = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_member_info_free);
  JsonObject        *object = other_app (self, app_id) ? NULL : find_channel (self, channel);
  JsonNode          *members = object ? json_object_get_member (object, "members") : NULL;

  for (guint i = 0; members != NULL && JSON_NODE_HOLDS_ARRAY (members) &&
                    i < json_array_get_length (json_node_get_array (members));
       i++)
    {
      JsonObject      *member = element (json_node_get_array (members), i);
      CrierMemberInfo *info;

      if (member == NULL)
        continue;
      info = g_new0 (CrierMemberInfo, 1);
      info->user_id = dup_member (member, "user_id");
      info->user_info = dup_member (member, "user_info");
      info->simulated = json_object_get_boolean_member_with_default (member, "simulated", FALSE);
      g_ptr_array_add (result, info);
    }
  return result;
}

/* Returns: (transfer full) (nullable): the watched node's place in its cluster, as the
 * last snapshot said; NULL when it is not part of one. */
static CrierClusterInfo *
backend_dup_cluster_info (CrierBackend *backend)
{
  CrierRemoteServer *self = CRIER_REMOTE_SERVER (backend);
  JsonNode          *node;

  node = self->snapshot ? json_object_get_member (self->snapshot, "cluster") : NULL;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return crier_cluster_info_new_from_json (json_node_get_object (node));
}

static void
backend_get_stats (CrierBackend     *backend,
                   CrierServerStats *stats)
{
  CrierRemoteServer *self = CRIER_REMOTE_SERVER (backend);
  JsonNode          *node = self->snapshot ? json_object_get_member (self->snapshot, "stats") : NULL;
  JsonObject        *object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

  memset (stats, 0, sizeof *stats);
  if (object == NULL)
    return;
#define READ(field) stats->field = json_object_get_int_member_with_default (object, #field, 0)
  READ (connections);
  READ (peak_connections);
  READ (connections_total);
  READ (messages_in);
  READ (messages_out);
  READ (events_published);
  READ (client_events);
  READ (errors);
  READ (api_requests);
  READ (webhooks_delivered);
  READ (webhook_failures);
  READ (webhooks_dropped);
  READ (webhooks_queued);
#undef READ
}

static gboolean
backend_command_finish (CrierBackend *self,
                        GAsyncResult *result,
                        GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
backend_publish_finish (CrierBackend *self,
                        GAsyncResult *result,
                        gint64       *receivers,
                        GError      **error)
{
  gint64 *count;

  if (!backend_command_finish (self, result, error))
    return FALSE;
  count = g_task_get_task_data (G_TASK (result));
  if (receivers != NULL)
    *receivers = count != NULL && *count >= 0 ? *count : CRIER_BACKEND_RECEIVERS_UNKNOWN;
  return TRUE;
}

static void
backend_publish (CrierBackend       *backend,
                 const char         *app_id,
                 const char *const  *channels,
                 const char         *event,
                 const char         *data,
                 const char         *except_socket_id,
                 GCancellable       *cancellable,
                 GAsyncReadyCallback callback,
                 gpointer            user_data)
{
  g_autoptr (JsonBuilder) builder = begin_command ("publish");

  json_builder_set_member_name (builder, "channels");
  json_builder_begin_array (builder);
  for (guint i = 0; channels != NULL && channels[i] != NULL; i++)
    json_builder_add_string_value (builder, channels[i]);
  json_builder_end_array (builder);
  add_string (builder, "name", event);
  add_string (builder, "data", data);
  add_string (builder, "socket_id", except_socket_id);
  send_command (CRIER_REMOTE_SERVER (backend), builder, cancellable, callback, user_data);
}

static void
backend_send_notification (CrierBackend       *backend,
                           const char         *app_id,
                           const char         *user_id,
                           const char         *type,
                           const char         *data,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (JsonBuilder) builder = begin_command ("notify");

  add_string (builder, "user_id", user_id);
  add_string (builder, "type", type);
  add_string (builder, "data", data);
  send_command (CRIER_REMOTE_SERVER (backend), builder, cancellable, callback, user_data);
}

static void
backend_disconnect (CrierBackend       *backend,
                    const char         *socket_id,
                    guint16             code,
                    const char         *reason,
                    GCancellable       *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer            user_data)
{
  g_autoptr (JsonBuilder) builder = begin_command ("disconnect");

  add_string (builder, "socket_id", socket_id);
  send_command (CRIER_REMOTE_SERVER (backend), builder, cancellable, callback, user_data);
}

static void
backend_add_simulated_member (CrierBackend       *backend,
                              const char         *app_id,
                              const char         *channel,
                              const char         *user_id,
                              const char         *user_info,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr (JsonBuilder) builder = begin_command ("add_member");

  add_string (builder, "channel", channel);
  add_string (builder, "user_id", user_id);
  if (user_info != NULL)
    {
      g_autoptr (JsonNode) info = json_from_string (user_info, NULL);

      json_builder_set_member_name (builder, "user_info");
      if (info != NULL)
        json_builder_add_value (builder, g_steal_pointer (&info));
      else
        json_builder_add_string_value (builder, user_info);
    }
  send_command (CRIER_REMOTE_SERVER (backend), builder, cancellable, callback, user_data);
}

static void
backend_remove_simulated_member (CrierBackend       *backend,
                                 const char         *app_id,
                                 const char         *channel,
                                 const char         *user_id,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autoptr (JsonBuilder) builder = begin_command ("remove_member");

  add_string (builder, "channel", channel);
  add_string (builder, "user_id", user_id);
  send_command (CRIER_REMOTE_SERVER (backend), builder, cancellable, callback, user_data);
}

static void
backend_send_client_event (CrierBackend       *backend,
                           const char         *app_id,
                           const char         *channel,
                           const char         *event,
                           const char         *data,
                           const char         *user_id,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (JsonBuilder) builder = begin_command ("client_event");

  add_string (builder, "channel", channel);
  add_string (builder, "event", event);
  add_string (builder, "data", data);
  add_string (builder, "user_id", user_id);
  send_command (CRIER_REMOTE_SERVER (backend), builder, cancellable, callback, user_data);
}

static CrierMonitor *
backend_get_monitor (CrierBackend *backend)
{
  return CRIER_REMOTE_SERVER (backend)->monitor;
}

static CrierBackendState
backend_get_state (CrierBackend *backend)
{
  return CRIER_REMOTE_SERVER (backend)->state;
}

static const char *
backend_get_problem (CrierBackend *backend)
{
  return CRIER_REMOTE_SERVER (backend)->problem;
}

static CrierConfig *
backend_get_config (CrierBackend *backend)
{
  return CRIER_REMOTE_SERVER (backend)->config;
}

static unsigned
backend_get_port (CrierBackend *backend)
{
  return crier_backend_port_from_url (CRIER_REMOTE_SERVER (backend)->base_url);
}

static gboolean
backend_is_tls (CrierBackend *backend)
{
  return g_str_has_prefix (CRIER_REMOTE_SERVER (backend)->base_url, "https:");
}

static char *
backend_dup_address (CrierBackend *backend)
{
  return crier_backend_dup_ws_address (CRIER_REMOTE_SERVER (backend)->base_url);
}

static CrierBackendFlags
backend_get_flags (CrierBackend *backend)
{
  /* The monitor endpoint takes every command the embedded server does; starting and
   * stopping belongs to whoever runs it. */
  return CRIER_BACKEND_CAN_LIST_CONNECTIONS | CRIER_BACKEND_CAN_DISCONNECT | CRIER_BACKEND_CAN_SIMULATE_MEMBERS |
         CRIER_BACKEND_CAN_SEND_CLIENT_EVENTS | CRIER_BACKEND_CAN_PUBLISH | CRIER_BACKEND_CAN_NOTIFY |
         CRIER_BACKEND_HAS_STATS;
}

static void
backend_iface_init (CrierBackendInterface *iface)
{
  iface->get_monitor = backend_get_monitor;
  iface->get_state = backend_get_state;
  iface->get_problem = backend_get_problem;
  iface->get_config = backend_get_config;
  iface->get_port = backend_get_port;
  iface->is_tls = backend_is_tls;
  iface->dup_address = backend_dup_address;
  iface->get_flags = backend_get_flags;
  iface->dup_connections = backend_dup_connections;
  iface->dup_channels = backend_dup_channels;
  iface->dup_members = backend_dup_members;
  iface->get_stats = backend_get_stats;
  iface->dup_cluster_info = backend_dup_cluster_info;
  iface->publish = backend_publish;
  iface->publish_finish = backend_publish_finish;
  iface->send_notification = backend_send_notification;
  iface->send_client_event = backend_send_client_event;
  iface->add_simulated_member = backend_add_simulated_member;
  iface->remove_simulated_member = backend_remove_simulated_member;
  iface->disconnect = backend_disconnect;
  iface->command_finish = backend_command_finish;
}

static void
crier_remote_server_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CrierRemoteServer *self = CRIER_REMOTE_SERVER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, self->problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_remote_server_dispose (GObject *object)
{
  CrierRemoteServer *self = CRIER_REMOTE_SERVER (object);

  crier_remote_server_stop (self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (crier_remote_server_parent_class)->dispose (object);
}

static void
crier_remote_server_finalize (GObject *object)
{
  CrierRemoteServer *self = CRIER_REMOTE_SERVER (object);

  g_free (self->base_url);
  g_free (self->app_id);
  g_free (self->key);
  g_free (self->secret);
  g_free (self->problem);
  g_clear_pointer (&self->snapshot, json_object_unref);
  g_hash_table_unref (self->pending);
  g_clear_object (&self->monitor);
  g_clear_object (&self->config);
  G_OBJECT_CLASS (crier_remote_server_parent_class)->finalize (object);
}

static void
crier_remote_server_class_init (CrierRemoteServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = crier_remote_server_get_property;
  object_class->dispose = crier_remote_server_dispose;
  object_class->finalize = crier_remote_server_finalize;
  g_object_class_override_property (object_class, PROP_STATE, "state");
  g_object_class_override_property (object_class, PROP_PROBLEM, "problem");
  properties[PROP_STATE] = g_object_class_find_property (object_class, "state");
  properties[PROP_PROBLEM] = g_object_class_find_property (object_class, "problem");
  /* A new snapshot came: connections, channels, members and statistics may have changed. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                          NULL, NULL, G_TYPE_NONE, 0);
  /* The server skipped this many monitor events because they were read too slowly
   * (crier:missed); a fresh snapshot follows. */
  signals[SIGNAL_MISSED] = g_signal_new ("missed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                         NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT64);
  /* A monitor event this version cannot read (a kind a newer server added, say) was
   * skipped; the string says why. */
  signals[SIGNAL_UNREADABLE_EVENT] = g_signal_new ("unreadable-event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
crier_remote_server_init (CrierRemoteServer *self)
{
  self->monitor = crier_monitor_new ();
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->state = CRIER_BACKEND_STATE_CONNECTING;
  self->refresh = TRUE;
}

CrierRemoteServer *
crier_remote_server_new (const char *base_url,
                         const char *app_id,
                         const char *key,
                         const char *secret,
                         gboolean    insecure)
{
  CrierRemoteServer *self;

  g_return_val_if_fail (base_url != NULL && strstr (base_url, "://") != NULL, NULL);
  self = g_object_new (CRIER_TYPE_REMOTE_SERVER, NULL);
  self->base_url = g_strdup (base_url);
  self->app_id = g_strdup (app_id);
  self->key = g_strdup (key);
  self->secret = g_strdup (secret);
  self->insecure = insecure;
  self->session = soup_session_new ();
  self->config = crier_config_new_for_app (app_id, key, secret, NULL);
  return self;
}
