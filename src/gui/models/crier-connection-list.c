/* crier-connection-list.c — the open connections of a server, live
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-connection-list.h"

#include "crier-event-batch.h"

#include <string.h>

#define FLUSH_MS          50
#define COUNTERS_INTERVAL 1 /* seconds: message counters are not in the event stream */

/* A snapshot at attach time, then the monitor's events, applied in batches: one
 * items_changed per tick however many sockets came and went. */
struct _CrierConnectionList
{
  GObject      parent_instance;
  CrierServer *server;
  GPtrArray   *items;   /* of CrierConnectionItem, oldest first */
  GHashTable  *by_id;   /* socket id → item (in items or in added) */
  CrierEventBatch batch;
  guint        counters_id;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CrierConnectionList, crier_connection_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum
{
  PROP_0,
  PROP_SERVER,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return CRIER_TYPE_CONNECTION_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return CRIER_CONNECTION_LIST (model)->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  CrierConnectionList *self = CRIER_CONNECTION_LIST (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static gboolean
counters_cb (gpointer user_data)
{
  crier_connection_list_refresh_counters (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
is_relevant (CrierMonitorKind kind)
{
  return kind == CRIER_MONITOR_CONNECTED || kind == CRIER_MONITOR_DISCONNECTED ||
         kind == CRIER_MONITOR_SUBSCRIBED || kind == CRIER_MONITOR_UNSUBSCRIBED ||
         kind == CRIER_MONITOR_SIGNED_IN || kind == CRIER_MONITOR_AUTH_FAILED;
}

static void
monitor_event_cb (CrierMonitor        *monitor,
                  CrierMonitorEvent   *event,
                  CrierConnectionList *self)
{
  if (!is_relevant (event->kind))
    return;
  crier_event_batch_push (&self->batch, event);
}

static void
remove_all (CrierConnectionList *self)
{
  guint n = self->items->len;

  crier_event_batch_clear (&self->batch);
  g_hash_table_remove_all (self->by_id);
  if (n == 0)
    return;
  g_ptr_array_set_size (self->items, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
crier_connection_list_dispose (GObject *object)
{
  CrierConnectionList *self = CRIER_CONNECTION_LIST (object);

  if (self->server != NULL)
    g_signal_handlers_disconnect_by_data (crier_server_get_monitor (self->server), self);
  g_clear_object (&self->server);
  crier_event_batch_clear (&self->batch);
  g_clear_handle_id (&self->counters_id, g_source_remove);
  G_OBJECT_CLASS (crier_connection_list_parent_class)->dispose (object);
}

static void
crier_connection_list_finalize (GObject *object)
{
  CrierConnectionList *self = CRIER_CONNECTION_LIST (object);

  g_ptr_array_unref (self->items);
  crier_event_batch_destroy (&self->batch);
  g_hash_table_unref (self->by_id);
  G_OBJECT_CLASS (crier_connection_list_parent_class)->finalize (object);
}

static void
crier_connection_list_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  CrierConnectionList *self = CRIER_CONNECTION_LIST (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_connection_list_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_SERVER:
      crier_connection_list_set_server (CRIER_CONNECTION_LIST (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_connection_list_class_init (CrierConnectionListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crier_connection_list_dispose;
  object_class->finalize = crier_connection_list_finalize;
  object_class->get_property = crier_connection_list_get_property;
  object_class->set_property = crier_connection_list_set_property;

  properties[PROP_SERVER] = g_param_spec_object ("server", NULL, NULL, CRIER_TYPE_SERVER,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                   G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                  G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crier_connection_list_init (CrierConnectionList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  crier_event_batch_init (&self->batch, FLUSH_MS, "[crier] connection list flush",
                          (CrierEventBatchFlushFunc) crier_connection_list_flush, self);
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

CrierConnectionList *
crier_connection_list_new (CrierServer *server)
{
  return g_object_new (CRIER_TYPE_CONNECTION_LIST, "server", server, NULL);
}

/* Follows server (NULL: none): its connections now, then as they change. */
void
crier_connection_list_set_server (CrierConnectionList *self,
                                  CrierServer         *server)
{
  g_autoptr (GPtrArray) snapshot = NULL;

  g_return_if_fail (CRIER_IS_CONNECTION_LIST (self));
  g_return_if_fail (server == NULL || CRIER_IS_SERVER (server));

  if (self->server == server)
    return;
  if (self->server != NULL)
    g_signal_handlers_disconnect_by_data (crier_server_get_monitor (self->server), self);
  g_set_object (&self->server, server);
  remove_all (self);
  if (server != NULL)
    {
      g_signal_connect (crier_server_get_monitor (server), "event", G_CALLBACK (monitor_event_cb),
                        self);
      snapshot = crier_server_dup_connections (server, NULL);
      for (guint i = 0; i < snapshot->len; i++)
        {
          CrierConnectionInfo *info = g_ptr_array_index (snapshot, i);
          CrierConnectionItem *item = crier_connection_item_new (info->socket_id, info->app_id,
                                                                 info->connected_at);

          crier_connection_item_set_remote (item, info->remote);
          crier_connection_item_set_origin (item, info->origin);
          crier_connection_item_set_user_id (item, info->user_id);
          for (guint j = 0; info->channels && info->channels[j]; j++)
            crier_connection_item_add_channel (item, info->channels[j]);
          crier_connection_item_set_counters (item, info->messages_in, info->messages_out);
          g_ptr_array_add (self->items, item);
          g_hash_table_insert (self->by_id, g_strdup (info->socket_id), g_object_ref (item));
        }
      if (self->items->len > 0)
        {
          g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, self->items->len);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
        }
      if (self->counters_id == 0)
        {
          self->counters_id = g_timeout_add_seconds (COUNTERS_INTERVAL, counters_cb, self);
          g_source_set_name_by_id (self->counters_id, "[crier] connection counters");
        }
    }
  else
    g_clear_handle_id (&self->counters_id, g_source_remove);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER]);
}

CrierConnectionItem *
crier_connection_list_find (CrierConnectionList *self,
                            const char          *socket_id)
{
  g_return_val_if_fail (CRIER_IS_CONNECTION_LIST (self), NULL);
  return g_hash_table_lookup (self->by_id, socket_id);
}

/* Applies the queued events: updates in place, then one items_changed covering the
 * first removed row to the end (or only the appended rows). */
void
crier_connection_list_flush (CrierConnectionList *self)
{
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GPtrArray) added = NULL;
  g_autoptr (GHashTable) removed = NULL;

  g_return_if_fail (CRIER_IS_CONNECTION_LIST (self));
  if ((pending = crier_event_batch_take (&self->batch)) == NULL)
    return;
  added = g_ptr_array_new_with_free_func (g_object_unref);
  removed = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < pending->len; i++)
    {
      CrierMonitorEvent *event = g_ptr_array_index (pending, i);
      CrierConnectionItem *item;

      if (event->socket_id == NULL)
        continue;
      item = g_hash_table_lookup (self->by_id, event->socket_id);
      switch (event->kind)
        {
        case CRIER_MONITOR_CONNECTED:
          if (item != NULL)
            break;
          item = crier_connection_item_new (event->socket_id, event->app_id, event->time);
          crier_connection_item_set_remote (item, event->remote);
          if (event->message != NULL && g_str_has_prefix (event->message, "origin "))
            crier_connection_item_set_origin (item, event->message + strlen ("origin "));
          g_hash_table_insert (self->by_id, g_strdup (event->socket_id), g_object_ref (item));
          g_ptr_array_add (added, item);
          break;
        case CRIER_MONITOR_DISCONNECTED:
          if (item == NULL)
            break;
          if (!g_ptr_array_remove (added, item))
            g_hash_table_add (removed, item);
          g_hash_table_remove (self->by_id, event->socket_id);
          break;
        case CRIER_MONITOR_SUBSCRIBED:
          if (item == NULL)
            break;
          crier_connection_item_add_channel (item, event->channel);
          /* A presence member tells who is behind the socket until it signs in. */
          if (event->user_id != NULL && crier_connection_item_get_user_id (item) == NULL)
            crier_connection_item_set_user_id (item, event->user_id);
          break;
        case CRIER_MONITOR_UNSUBSCRIBED:
          if (item != NULL)
            crier_connection_item_remove_channel (item, event->channel);
          break;
        case CRIER_MONITOR_SIGNED_IN:
          if (item != NULL)
            crier_connection_item_set_user_id (item, event->user_id);
          break;
        case CRIER_MONITOR_AUTH_FAILED:
          if (item != NULL)
            crier_connection_item_add_auth_failure (item, event);
          break;
        default:
          break;
        }
    }

  if (crier_event_batch_splice (G_LIST_MODEL (self), &self->items, removed, added))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Messages in/out per connection, from a snapshot (once a second while shown). */
void
crier_connection_list_refresh_counters (CrierConnectionList *self)
{
  g_autoptr (GPtrArray) snapshot = NULL;

  g_return_if_fail (CRIER_IS_CONNECTION_LIST (self));
  if (self->server == NULL || self->items->len == 0)
    return;
  snapshot = crier_server_dup_connections (self->server, NULL);
  for (guint i = 0; i < snapshot->len; i++)
    {
      CrierConnectionInfo *info = g_ptr_array_index (snapshot, i);
      CrierConnectionItem *item = g_hash_table_lookup (self->by_id, info->socket_id);

      if (item != NULL)
        crier_connection_item_set_counters (item, info->messages_in, info->messages_out);
    }
}
