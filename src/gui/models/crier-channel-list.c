/* crier-channel-list.c — the occupied channels of a server, live
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-channel-list.h"

#include "crier-event-batch.h"

#define FLUSH_MS 50

/* Same shape as CrierConnectionList: snapshot, then batched monitor events. */
struct _CrierChannelList
{
  GObject      parent_instance;
  CrierServer *server;
  GPtrArray   *items;   /* of CrierChannelItem, oldest first */
  GHashTable  *by_key;  /* "app\nchannel" → item */
  CrierEventBatch batch;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CrierChannelList, crier_channel_list, G_TYPE_OBJECT,
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
  return CRIER_TYPE_CHANNEL_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return CRIER_CHANNEL_LIST (model)->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  CrierChannelList *self = CRIER_CHANNEL_LIST (model);

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

static char *
make_key (const char *app_id,
          const char *name)
{
  return g_strconcat (app_id ? app_id : "", "\n", name, NULL);
}

static gboolean
is_relevant (CrierMonitorKind kind)
{
  switch (kind)
    {
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
    case CRIER_MONITOR_CHANNEL_VACATED:
    case CRIER_MONITOR_SUBSCRIBED:
    case CRIER_MONITOR_UNSUBSCRIBED:
    case CRIER_MONITOR_MEMBER_ADDED:
    case CRIER_MONITOR_MEMBER_REMOVED:
    case CRIER_MONITOR_EVENT_PUBLISHED:
    case CRIER_MONITOR_CLIENT_EVENT:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
monitor_event_cb (CrierMonitor      *monitor,
                  CrierMonitorEvent *event,
                  CrierChannelList  *self)
{
  if (!is_relevant (event->kind) || event->channel == NULL)
    return;
  crier_event_batch_push (&self->batch, event);
}

static void
remove_all (CrierChannelList *self)
{
  guint n = self->items->len;

  crier_event_batch_clear (&self->batch);
  g_hash_table_remove_all (self->by_key);
  if (n == 0)
    return;
  g_ptr_array_set_size (self->items, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
crier_channel_list_dispose (GObject *object)
{
  CrierChannelList *self = CRIER_CHANNEL_LIST (object);

  if (self->server != NULL)
    g_signal_handlers_disconnect_by_data (crier_server_get_monitor (self->server), self);
  g_clear_object (&self->server);
  crier_event_batch_clear (&self->batch);
  G_OBJECT_CLASS (crier_channel_list_parent_class)->dispose (object);
}

static void
crier_channel_list_finalize (GObject *object)
{
  CrierChannelList *self = CRIER_CHANNEL_LIST (object);

  g_ptr_array_unref (self->items);
  crier_event_batch_destroy (&self->batch);
  g_hash_table_unref (self->by_key);
  G_OBJECT_CLASS (crier_channel_list_parent_class)->finalize (object);
}

static void
crier_channel_list_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CrierChannelList *self = CRIER_CHANNEL_LIST (object);

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
crier_channel_list_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_SERVER:
      crier_channel_list_set_server (CRIER_CHANNEL_LIST (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_channel_list_class_init (CrierChannelListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crier_channel_list_dispose;
  object_class->finalize = crier_channel_list_finalize;
  object_class->get_property = crier_channel_list_get_property;
  object_class->set_property = crier_channel_list_set_property;

  properties[PROP_SERVER] = g_param_spec_object ("server", NULL, NULL, CRIER_TYPE_SERVER,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                   G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                  G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crier_channel_list_init (CrierChannelList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  crier_event_batch_init (&self->batch, FLUSH_MS, "[crier] channel list flush",
                          (CrierEventBatchFlushFunc) crier_channel_list_flush, self);
  self->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

CrierChannelList *
crier_channel_list_new (CrierServer *server)
{
  return g_object_new (CRIER_TYPE_CHANNEL_LIST, "server", server, NULL);
}

static void
add_snapshot (CrierChannelList *self)
{
  GPtrArray *apps = crier_config_get_apps (crier_server_get_config (self->server));

  for (guint a = 0; a < apps->len; a++)
    {
      CrierAppConfig *app = g_ptr_array_index (apps, a);
      g_autoptr (GPtrArray) channels = crier_server_dup_channels (self->server, app->id, NULL);

      for (guint i = 0; i < channels->len; i++)
        {
          CrierChannelInfo *info = g_ptr_array_index (channels, i);
          CrierChannelItem *item;

          if (info->subscription_count == 0)
            continue; /* a cache channel kept only for its last event */
          item = crier_channel_item_new (app->id, info->name);
          crier_channel_item_set_subscribers (item, info->subscription_count);
          crier_channel_item_set_events (item, info->events);
          if (info->type & CRIER_CHANNEL_PRESENCE)
            {
              g_autoptr (GPtrArray) members = crier_server_dup_members (self->server, app->id,
                                                                        info->name);

              for (guint m = 0; members && m < members->len; m++)
                {
                  CrierMemberInfo *member = g_ptr_array_index (members, m);

                  crier_channel_item_add_member (item, member->user_id, member->user_info,
                                                 member->simulated);
                }
            }
          g_ptr_array_add (self->items, item);
          g_hash_table_insert (self->by_key, make_key (app->id, info->name), g_object_ref (item));
        }
    }
}

/* Follows server (NULL: none): its channels now, then as they change. */
void
crier_channel_list_set_server (CrierChannelList *self,
                               CrierServer      *server)
{
  g_return_if_fail (CRIER_IS_CHANNEL_LIST (self));
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
      add_snapshot (self);
      if (self->items->len > 0)
        {
          g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, self->items->len);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
        }
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER]);
}

CrierChannelItem *
crier_channel_list_find (CrierChannelList *self,
                         const char       *app_id,
                         const char       *name)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (CRIER_IS_CHANNEL_LIST (self), NULL);
  key = make_key (app_id, name);
  return g_hash_table_lookup (self->by_key, key);
}

void
crier_channel_list_flush (CrierChannelList *self)
{
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GPtrArray) added = NULL;
  g_autoptr (GHashTable) removed = NULL;

  g_return_if_fail (CRIER_IS_CHANNEL_LIST (self));
  if ((pending = crier_event_batch_take (&self->batch)) == NULL)
    return;
  added = g_ptr_array_new_with_free_func (g_object_unref);
  removed = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < pending->len; i++)
    {
      CrierMonitorEvent *event = g_ptr_array_index (pending, i);
      g_autofree char *key = make_key (event->app_id, event->channel);
      CrierChannelItem *item = g_hash_table_lookup (self->by_key, key);

      switch (event->kind)
        {
        case CRIER_MONITOR_CHANNEL_OCCUPIED:
        case CRIER_MONITOR_SUBSCRIBED:
          if (item == NULL)
            {
              item = crier_channel_item_new (event->app_id, event->channel);
              g_hash_table_insert (self->by_key, g_steal_pointer (&key), g_object_ref (item));
              g_ptr_array_add (added, item);
            }
          if (event->kind == CRIER_MONITOR_SUBSCRIBED)
            crier_channel_item_set_subscribers (item, event->count);
          break;
        case CRIER_MONITOR_UNSUBSCRIBED:
          if (item != NULL)
            crier_channel_item_set_subscribers (item, event->count);
          break;
        case CRIER_MONITOR_CHANNEL_VACATED:
          if (item == NULL)
            break;
          if (!g_ptr_array_remove (added, item))
            g_hash_table_add (removed, item);
          g_hash_table_remove (self->by_key, key);
          break;
        case CRIER_MONITOR_MEMBER_ADDED:
          if (item != NULL)
            /* The core marks the dashboard's own members (crier-server-participant.c). */
            crier_channel_item_add_member (item, event->user_id, event->data,
                                           g_strcmp0 (event->message, "simulated member") == 0);
          break;
        case CRIER_MONITOR_MEMBER_REMOVED:
          if (item != NULL)
            crier_channel_item_remove_member (item, event->user_id);
          break;
        case CRIER_MONITOR_EVENT_PUBLISHED:
        case CRIER_MONITOR_CLIENT_EVENT:
          if (item != NULL)
            crier_channel_item_set_events (item, crier_channel_item_get_events (item) + 1);
          break;
        default:
          break;
        }
    }

  if (crier_event_batch_splice (G_LIST_MODEL (self), &self->items, removed, added))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}
