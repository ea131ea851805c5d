/* crier-observer-backend.c — a server that is not Crier (soketi, Reverb, Pusher) as the
 * dashboard's backend: what CrierObserver sees, as a monitor stream and snapshots
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-observer"

#include "config.h"

#include "crier-observer-backend.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "crier-http-client.h"
#include "crier-json.h"
#include "crier-names.h"
#include "crier-observer.h"
#include "crier-signature.h"

/* What the observer knows of one occupied channel: only what a subscriber is told. */
typedef struct
{
  GHashTable *members; /* user id → user_info JSON text (nullable) */
  guint64     events;
  char       *cached_data; /* a cache channel's last event, as seen */
} Observed;

struct _CrierObserverBackend
{
  GObject           parent_instance;
  CrierObserver    *observer;
  CrierMonitor     *monitor;
  CrierConfig      *config;
  SoupSession      *session; /* publishing */
  char             *base_url;
  char             *app_id;
  char             *key;
  char             *secret;
  gboolean          insecure;
  GHashTable       *channels; /* name → Observed */
  CrierServerStats  stats;    /* what went by the observer, not the server's */
  char             *problem;
  CrierBackendState state;
};

static void backend_iface_init (CrierBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CrierObserverBackend, crier_observer_backend, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (CRIER_TYPE_BACKEND, backend_iface_init))

enum
{
  PROP_0,
  PROP_STATE,
  PROP_PROBLEM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
observed_free (Observed *observed)
{
  g_hash_table_unref (observed->members);
  g_free (observed->cached_data);
  g_free (observed);
}

static Observed *
ensure_channel (CrierObserverBackend *self,
                const char           *name)
{
  Observed *observed = g_hash_table_lookup (self->channels, name);

  if (observed == NULL)
    {
      observed = g_new0 (Observed, 1);
      observed->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (self->channels, g_strdup (name), observed);
    }
  return observed;
}

static void
set_problem (CrierObserverBackend *self,
             const char           *problem)
{
  if (g_strcmp0 (self->problem, problem) == 0)
    return;
  g_free (self->problem);
  self->problem = g_strdup (problem);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
}

static void
set_state (CrierObserverBackend *self,
           CrierBackendState     state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* The picture first, then the stream: whoever reacts to an event finds it in the snapshots. */
static void
observer_event_cb (CrierObserver        *observer,
                   CrierMonitorEvent    *event,
                   CrierObserverBackend *self)
{
  Observed *observed = event->channel ? g_hash_table_lookup (self->channels, event->channel) : NULL;

  switch (event->kind)
    {
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
      ensure_channel (self, event->channel);
      /* The channels were listed: whatever went wrong before is over. */
      set_problem (self, NULL);
      break;
    case CRIER_MONITOR_CHANNEL_VACATED:
      g_hash_table_remove (self->channels, event->channel);
      break;
    case CRIER_MONITOR_MEMBER_ADDED:
      if (observed != NULL && event->user_id != NULL)
        g_hash_table_replace (observed->members, g_strdup (event->user_id), g_strdup (event->data));
      break;
    case CRIER_MONITOR_MEMBER_REMOVED:
      if (observed != NULL && event->user_id != NULL)
        g_hash_table_remove (observed->members, event->user_id);
      break;
    case CRIER_MONITOR_EVENT_PUBLISHED:
    case CRIER_MONITOR_CLIENT_EVENT:
      if (event->kind == CRIER_MONITOR_EVENT_PUBLISHED)
        self->stats.events_published++;
      else
        self->stats.client_events++;
      if (observed != NULL)
        {
          observed->events++;
          if (crier_channel_type_from_name (event->channel) & CRIER_CHANNEL_CACHE)
            {
              g_free (observed->cached_data);
              observed->cached_data = g_strdup (event->data);
            }
        }
      break;
    case CRIER_MONITOR_SUBSCRIBED:
      /* Connected (again) and let in. */
      set_problem (self, NULL);
      break;
    case CRIER_MONITOR_CONNECTED:
    case CRIER_MONITOR_DISCONNECTED:
    case CRIER_MONITOR_UNSUBSCRIBED:
    case CRIER_MONITOR_SIGNED_IN:
    case CRIER_MONITOR_CACHE_MISS:
    case CRIER_MONITOR_AUTH_FAILED:
    case CRIER_MONITOR_PROTOCOL_ERROR:
    case CRIER_MONITOR_API_REQUEST:
    case CRIER_MONITOR_SERVER_STARTED:
    case CRIER_MONITOR_SERVER_STOPPED:
    case CRIER_MONITOR_WEBHOOK_DELIVERED:
    case CRIER_MONITOR_WEBHOOK_FAILED:
    case CRIER_MONITOR_WEBHOOK_DROPPED:
    case CRIER_MONITOR_CLUSTER:
    case CRIER_MONITOR_N_KINDS:
    default:
      break;
    }
  crier_monitor_emit (self->monitor, crier_monitor_event_ref (event));
}

/* The members already on a presence channel when the observer joined: told once, in
 * subscription_succeeded; the stream says them as member_added like any later one. */
static void
observer_presence_cb (CrierObserver        *observer,
                      const char           *channel,
                      const char           *presence_json,
                      CrierObserverBackend *self)
{
  g_autoptr (JsonObject) presence = crier_json_parse_object (presence_json, -1, NULL);
  JsonNode *hash = presence ? json_object_get_member (presence, "hash") : NULL;
  Observed *observed = g_hash_table_lookup (self->channels, channel);
  g_autoptr (GList) ids = NULL;

  if (observed == NULL || hash == NULL || !JSON_NODE_HOLDS_OBJECT (hash))
    return;
  ids = json_object_get_members (json_node_get_object (hash));
  for (GList *l = ids; l != NULL; l = l->next)
    {
      JsonNode          *info = json_object_get_member (json_node_get_object (hash), l->data);
      CrierMonitorEvent *event;

      if (g_str_equal (l->data, CRIER_OBSERVER_USER_ID) || g_hash_table_contains (observed->members, l->data))
        continue;
      event = crier_monitor_event_new (CRIER_MONITOR_MEMBER_ADDED);
      event->time = g_get_real_time ();
      event->app_id = g_strdup (self->app_id);
      event->channel = g_strdup (channel);
      event->user_id = g_strdup (l->data);
      event->data = info != NULL && !JSON_NODE_HOLDS_NULL (info) ? crier_json_to_string (info) : NULL;
      event->message = g_strdup ("already a member when the observer joined");
      g_hash_table_replace (observed->members, g_strdup (l->data), g_strdup (event->data));
      crier_monitor_emit (self->monitor, event);
    }
}

static void
observer_problem_cb (CrierObserver        *observer,
                     const char           *problem,
                     CrierObserverBackend *self)
{
  set_problem (self, problem);
}

static CrierMonitor *
backend_get_monitor (CrierBackend *backend)
{
  return CRIER_OBSERVER_BACKEND (backend)->monitor;
}

static CrierBackendState
backend_get_state (CrierBackend *backend)
{
  return CRIER_OBSERVER_BACKEND (backend)->state;
}

static const char *
backend_get_problem (CrierBackend *backend)
{
  return CRIER_OBSERVER_BACKEND (backend)->problem;
}

static CrierConfig *
backend_get_config (CrierBackend *backend)
{
  return CRIER_OBSERVER_BACKEND (backend)->config;
}

static unsigned
backend_get_port (CrierBackend *backend)
{
  return crier_backend_port_from_url (CRIER_OBSERVER_BACKEND (backend)->base_url);
}

static gboolean
backend_is_tls (CrierBackend *backend)
{
  return g_str_has_prefix (CRIER_OBSERVER_BACKEND (backend)->base_url, "https:");
}

static char *
backend_dup_address (CrierBackend *backend)
{
  return crier_backend_dup_ws_address (CRIER_OBSERVER_BACKEND (backend)->base_url);
}

static CrierBackendFlags
backend_get_flags (CrierBackend *backend)
{
  /* A client of the server sees its own subscriptions only: no connections, no commands
   * but the HTTP API's. */
  return CRIER_BACKEND_CAN_PUBLISH;
}

static GPtrArray *
backend_dup_connections (CrierBackend *backend,
                         const char   *app_id)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) crier_connection_info_free);
}

static gboolean
other_app (CrierObserverBackend *self,
           const char           *app_id)
{
  return app_id != NULL && g_strcmp0 (app_id, self->app_id) != 0;
}

static GPtrArray *
backend_dup_channels (CrierBackend *backend,
                      const char   *app_id,
                      const char   *prefix)
{
  CrierObserverBackend *self = CRIER_OBSERVER_BACKEND (backend);
  GPtrArray            *result = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_channel_info_free);
  GHashTableIter        iter;
  const char           *name;
  Observed             *observed;

  if (other_app (self, app_id))
    return result;
  g_hash_table_iter_init (&iter, self->channels);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, (gpointer *) &observed))
    {
      CrierChannelInfo *info;

      if (prefix != NULL && !g_str_has_prefix (name, prefix))
        continue;
      info = g_new0 (CrierChannelInfo, 1);
      info->name = g_strdup (name);
      info->type = crier_channel_type_from_name (name);
      /* Occupied, by how many the server does not tell a client: at least the observer. */
      info->subscription_count = 1;
      info->user_count = g_hash_table_size (observed->members);
      info->events = observed->events;
      info->has_cache = observed->cached_data != NULL;
      info->cached_data = g_strdup (observed->cached_data);
      g_ptr_array_add (result, info);
    }
  return result;
}

static GPtrArray *
backend_dup_members (CrierBackend *backend,
                     const char   *app_id,
                     const char   *channel)
{
  CrierObserverBackend *self = CRIER_OBSERVER_BACKEND (backend);
  GPtrArray            *result = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_member_info_free);
  Observed             *observed = other_app (self, app_id) ? NULL : g_hash_table_lookup (self->channels, channel);
  GHashTableIter        iter;
  const char           *user_id, *user_info;

  if (observed == NULL)
    return result;
  g_hash_table_iter_init (&iter, observed->members);
  while (g_hash_table_iter_next (&iter, (gpointer *) &user_id, (gpointer *) &user_info))
    {
      CrierMemberInfo *info = g_new0 (CrierMemberInfo, 1);

      info->user_id = g_strdup (user_id);
      info->user_info = g_strdup (user_info);
      g_ptr_array_add (result, info);
    }
  return result;
}

static void
backend_get_stats (CrierBackend     *backend,
                   CrierServerStats *stats)
{
  *stats = CRIER_OBSERVER_BACKEND (backend)->stats;
}

static void
published_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  unsigned     status = msg ? soup_message_get_status (msg) : 0;

  if (body == NULL)
    g_task_return_new_error (task, CRIER_BACKEND_ERROR, CRIER_BACKEND_ERROR_NOT_READY, "%s", error->message);
  else if (status != SOUP_STATUS_OK)
    g_task_return_new_error (task, CRIER_BACKEND_ERROR, CRIER_BACKEND_ERROR_REFUSED, "%u: %.*s", status,
                             (int) MIN (g_bytes_get_size (body), 300), (const char *) g_bytes_get_data (body, NULL));
  else
    g_task_return_boolean (task, TRUE);
}

/* POST /apps/ID/events, signed as any backend of the app would (we hold its secret). */
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
  CrierObserverBackend *self = CRIER_OBSERVER_BACKEND (backend);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GHashTable) query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *path = g_strdup_printf ("/apps/%s/events", self->app_id);
  g_autofree char *text = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *url = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = NULL;

  g_task_set_source_tag (task, backend_publish);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, event);
  json_builder_set_member_name (builder, "channels");
  json_builder_begin_array (builder);
  for (guint i = 0; channels != NULL && channels[i] != NULL; i++)
    json_builder_add_string_value (builder, channels[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "data");
  json_builder_add_string_value (builder, data ? data : "{}");
  if (except_socket_id != NULL && *except_socket_id != '\0')
    {
      json_builder_set_member_name (builder, "socket_id");
      json_builder_add_string_value (builder, except_socket_id);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = crier_json_to_string (root);
  body = g_bytes_new (text, strlen (text));
  crier_signature_sign_api_request (query, "POST", path, self->key, self->secret, body);
  encoded = soup_form_encode_hash (query);
  url = g_strdup_printf ("%s%s?%s", self->base_url, path, encoded);
  if ((msg = soup_message_new ("POST", url)) == NULL)
    {
      g_task_return_new_error (task, CRIER_BACKEND_ERROR, CRIER_BACKEND_ERROR_NOT_READY, "Not a valid server address");
      return;
    }
  if (self->insecure)
    crier_http_client_trust_any (msg);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable, published_cb,
                                    g_steal_pointer (&task));
}

static gboolean
backend_command_finish (CrierBackend *backend,
                        GAsyncResult *result,
                        GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, backend), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
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
  iface->publish = backend_publish;
  iface->command_finish = backend_command_finish;
  /* the other commands stay NULL: CRIER_BACKEND_ERROR_NOT_SUPPORTED */
}

static void
crier_observer_backend_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  CrierObserverBackend *self = CRIER_OBSERVER_BACKEND (object);

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
crier_observer_backend_dispose (GObject *object)
{
  CrierObserverBackend *self = CRIER_OBSERVER_BACKEND (object);

  if (self->observer != NULL)
    {
      crier_observer_stop (self->observer);
      g_signal_handlers_disconnect_by_data (self->observer, self);
    }
  g_clear_object (&self->observer);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (crier_observer_backend_parent_class)->dispose (object);
}

static void
crier_observer_backend_finalize (GObject *object)
{
  CrierObserverBackend *self = CRIER_OBSERVER_BACKEND (object);

  g_clear_object (&self->monitor);
  g_clear_object (&self->config);
  g_free (self->base_url);
  g_free (self->app_id);
  g_free (self->key);
  g_free (self->secret);
  g_free (self->problem);
  g_hash_table_unref (self->channels);
  G_OBJECT_CLASS (crier_observer_backend_parent_class)->finalize (object);
}

static void
crier_observer_backend_class_init (CrierObserverBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = crier_observer_backend_get_property;
  object_class->dispose = crier_observer_backend_dispose;
  object_class->finalize = crier_observer_backend_finalize;
  g_object_class_override_property (object_class, PROP_STATE, "state");
  g_object_class_override_property (object_class, PROP_PROBLEM, "problem");
  properties[PROP_STATE] = g_object_class_find_property (object_class, "state");
  properties[PROP_PROBLEM] = g_object_class_find_property (object_class, "problem");
}

static void
crier_observer_backend_init (CrierObserverBackend *self)
{
  self->monitor = crier_monitor_new ();
  self->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) observed_free);
  self->state = CRIER_BACKEND_STATE_STOPPED;
}

CrierObserverBackend *
crier_observer_backend_new (const char *base_url,
                            const char *app_id,
                            const char *key,
                            const char *secret,
                            const char *master_key,
                            gboolean    insecure)
{
  CrierObserverBackend *self;

  g_return_val_if_fail (base_url != NULL && strstr (base_url, "://") != NULL, NULL);
  self = g_object_new (CRIER_TYPE_OBSERVER_BACKEND, NULL);
  self->base_url = g_strdup (base_url);
  self->app_id = g_strdup (app_id);
  self->key = g_strdup (key);
  self->secret = g_strdup (secret);
  self->insecure = insecure;
  self->session = soup_session_new_with_options ("timeout", 30, NULL);
  self->config = crier_config_new_for_app (app_id, key, secret, master_key);
  self->observer = crier_observer_new (base_url, app_id, key, secret,
                                       master_key != NULL && *master_key != '\0' ? master_key : NULL, insecure);
  g_signal_connect (self->observer, "event", G_CALLBACK (observer_event_cb), self);
  g_signal_connect (self->observer, "presence", G_CALLBACK (observer_presence_cb), self);
  g_signal_connect (self->observer, "problem", G_CALLBACK (observer_problem_cb), self);
  return self;
}

void
crier_observer_backend_start (CrierObserverBackend *self)
{
  g_return_if_fail (CRIER_IS_OBSERVER_BACKEND (self));
  crier_observer_start (self->observer);
  set_state (self, CRIER_BACKEND_STATE_OBSERVING);
}

/* Forgets what it saw: a restart begins from the server's channel list again. */
void
crier_observer_backend_stop (CrierObserverBackend *self)
{
  g_return_if_fail (CRIER_IS_OBSERVER_BACKEND (self));
  crier_observer_stop (self->observer);
  g_hash_table_remove_all (self->channels);
  set_state (self, CRIER_BACKEND_STATE_STOPPED);
}
