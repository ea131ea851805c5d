/* crier-live-list.c — a server's live objects as a GListModel: snapshot, then monitor events
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-live-list.h"

#include "crier-event-batch.h"

#define FLUSH_MS 50

/* Items are GObjects that change in place, so rows update instead of being rebuilt; a
 * flood of monitor events costs one items_changed per tick. */
typedef struct
{
  CrierBackend   *server;
  GSignalGroup   *monitor_signals; /* on the server's monitor */
  GSignalGroup   *server_signals;
  GPtrArray      *items;  /* in model order, oldest first */
  GHashTable     *by_key; /* key → item, in items or in added */
  CrierEventBatch batch;
  /* Between begin_changes () and end_changes () only: */
  GPtrArray  *added;   /* new items, appended at the end */
  GHashTable *removed; /* set of items leaving items */
  GHashTable *frozen;  /* items looked up, their notifications held till the tick's end */
} CrierLiveListPrivate;

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_ABSTRACT_TYPE_WITH_CODE (CrierLiveList, crier_live_list, G_TYPE_OBJECT, G_ADD_PRIVATE (CrierLiveList) G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

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
  return CRIER_LIVE_LIST_GET_CLASS (model)->item_type;
}

static guint
get_n_items (GListModel *model)
{
  CrierLiveListPrivate *priv = crier_live_list_get_instance_private (CRIER_LIVE_LIST (model));

  return priv->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  CrierLiveListPrivate *priv = crier_live_list_get_instance_private (CRIER_LIVE_LIST (model));

  if (position >= priv->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (priv->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
monitor_event_cb (CrierMonitor      *monitor,
                  CrierMonitorEvent *event,
                  CrierLiveList     *self)
{
  CrierLiveListPrivate *priv = crier_live_list_get_instance_private (self);

  if (CRIER_LIVE_LIST_GET_CLASS (self)->accepts (self, event))
    crier_event_batch_push (&priv->batch, event);
}

static void
begin_changes (CrierLiveList *self)
{
  CrierLiveListPrivate *priv = crier_live_list_get_instance_private (self);

  g_assert (priv->added == NULL);
  priv->added = g_ptr_array_new_with_free_func (g_object_unref);
  priv->removed = g_hash_table_new (NULL, NULL);
  priv->frozen = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
}

static void
thaw_item (gpointer item,
           gpointer value,
           gpointer user_data)
{
  g_object_thaw_notify (item);
}

/* Drops the removed items, appends the added ones and emits a single items_changed
 * from the first removed row to the end, or for the appended rows only. */
static void
end_changes (CrierLiveList *self)
{
  CrierLiveListPrivate *priv = crier_live_list_get_instance_private (self);
  g_autoptr (GPtrArray) added = g_steal_pointer (&priv->added);
  g_autoptr (GHashTable) removed = g_steal_pointer (&priv->removed);
  g_autoptr (GHashTable) frozen = g_steal_pointer (&priv->frozen);
  guint old_len = priv->items->len;
  guint first = old_len;

  if (g_hash_table_size (removed) > 0)
    {
      GPtrArray *kept = g_ptr_array_new_full (old_len, g_object_unref);

      for (guint i = 0; i < old_len; i++)
        {
          gpointer item = g_ptr_array_index (priv->items, i);

          if (g_hash_table_contains (removed, item))
            first = MIN (first, i);
          else
            g_ptr_array_add (kept, g_object_ref (item));
        }
      g_ptr_array_unref (priv->items);
      priv->items = kept;
    }
  g_ptr_array_extend_and_steal (priv->items, g_steal_pointer (&added));
  if (old_len != priv->items->len || first != old_len)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), first, old_len - first, priv->items->len - first);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  g_hash_table_foreach (frozen, thaw_item, NULL);
}

static void
remove_all (CrierLiveList *self)
{
  CrierLiveListPrivate *priv = crier_live_list_get_instance_private (self);
  guint                 n = priv->items->len;

  crier_event_batch_clear (&priv->batch);
  g_hash_table_remove_all (priv->by_key);
  if (n == 0)
    return;
  g_ptr_array_set_size (priv->items, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* The backend's picture was replaced (a remote server reconnected): what the list holds may
 * be stale in any way, so it is taken again whole. */
static void
refill (CrierLiveList *self)
{
  CrierLiveListPrivate *priv = crier_live_list_get_instance_private (self);

  remove_all (self);
  if (priv->server == NULL)
    return;
  begin_changes (self);
  CRIER_LIVE_LIST_GET_CLASS (self)->snapshot (self, priv->server);
  end_changes (self);
}

static gboolean
crier_live_list_real_accepts (CrierLiveList     *self,
                              CrierMonitorEvent *event)
{
  return TRUE;
}

static void
crier_live_list_real_snapshot (CrierLiveList *self,
                               CrierBackend  *server)
{
}

static void
crier_live_list_real_apply (CrierLiveList     *self,
                            CrierMonitorEvent *event)
{
}

/* The subclass's class is only complete now, not in instance init. */
static void
crier_live_list_constructed (GObject *object)
{
  CrierLiveList        *self = CRIER_LIVE_LIST (object);
  CrierLiveListPrivate *priv = crier_live_list_get_instance_private (self);

  G_OBJECT_CLASS (crier_live_list_parent_class)->constructed (object);
  priv->batch.source_name = CRIER_LIVE_LIST_GET_CLASS (self)->flush_source_name;
}

static void
crier_live_list_dispose (GObject *object)
{
  CrierLiveList        *self = CRIER_LIVE_LIST (object);
  CrierLiveListPrivate *priv = crier_live_list_get_instance_private (self);

  if (priv->monitor_signals != NULL)
    g_signal_group_set_target (priv->monitor_signals, NULL);
  if (priv->server_signals != NULL)
    g_signal_group_set_target (priv->server_signals, NULL);
  g_clear_object (&priv->monitor_signals);
  g_clear_object (&priv->server_signals);
  g_clear_object (&priv->server);
  crier_event_batch_clear (&priv->batch);
  G_OBJECT_CLASS (crier_live_list_parent_class)->dispose (object);
}

static void
crier_live_list_finalize (GObject *object)
{
  CrierLiveList        *self = CRIER_LIVE_LIST (object);
  CrierLiveListPrivate *priv = crier_live_list_get_instance_private (self);

  g_ptr_array_unref (priv->items);
  crier_event_batch_destroy (&priv->batch);
  g_hash_table_unref (priv->by_key);
  G_OBJECT_CLASS (crier_live_list_parent_class)->finalize (object);
}

static void
crier_live_list_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CrierLiveList        *self = CRIER_LIVE_LIST (object);
  CrierLiveListPrivate *priv = crier_live_list_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_object (value, priv->server);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, priv->items->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_live_list_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_SERVER:
      crier_live_list_set_server (CRIER_LIVE_LIST (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_live_list_class_init (CrierLiveListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = crier_live_list_constructed;
  object_class->dispose = crier_live_list_dispose;
  object_class->finalize = crier_live_list_finalize;
  object_class->get_property = crier_live_list_get_property;
  object_class->set_property = crier_live_list_set_property;

  klass->item_type = G_TYPE_OBJECT;
  klass->flush_source_name = "[crier] live list flush";
  klass->accepts = crier_live_list_real_accepts;
  klass->snapshot = crier_live_list_real_snapshot;
  klass->apply = crier_live_list_real_apply;

  properties[PROP_SERVER] = g_param_spec_object ("server", NULL, NULL, CRIER_TYPE_BACKEND,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                   G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                  G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crier_live_list_init (CrierLiveList *self)
{
  CrierLiveListPrivate *priv = crier_live_list_get_instance_private (self);

  priv->items = g_ptr_array_new_with_free_func (g_object_unref);
  priv->by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  crier_event_batch_init (&priv->batch, FLUSH_MS, NULL,
                          (CrierEventBatchFlushFunc) crier_live_list_flush, self);
  priv->monitor_signals = g_signal_group_new (CRIER_TYPE_MONITOR);
  g_signal_group_connect (priv->monitor_signals, "event", G_CALLBACK (monitor_event_cb), self);
  /* The interface's signals exist once its default vtable does. */
  g_type_default_interface_unref (g_type_default_interface_ref (CRIER_TYPE_BACKEND));
  priv->server_signals = g_signal_group_new (CRIER_TYPE_BACKEND);
  g_signal_group_connect_swapped (priv->server_signals, "reset", G_CALLBACK (refill), self);
}

CrierBackend *
crier_live_list_get_server (CrierLiveList *self)
{
  CrierLiveListPrivate *priv;

  g_return_val_if_fail (CRIER_IS_LIVE_LIST (self), NULL);
  priv = crier_live_list_get_instance_private (self);
  return priv->server;
}

/* Follows server (NULL: none): its objects now, then as they change. */
void
crier_live_list_set_server (CrierLiveList *self,
                            CrierBackend  *server)
{
  CrierLiveListPrivate *priv;

  g_return_if_fail (CRIER_IS_LIVE_LIST (self));
  g_return_if_fail (server == NULL || CRIER_IS_BACKEND (server));
  priv = crier_live_list_get_instance_private (self);

  if (priv->server == server)
    return;
  g_set_object (&priv->server, server);
  g_signal_group_set_target (priv->monitor_signals, server ? crier_backend_get_monitor (server) : NULL);
  g_signal_group_set_target (priv->server_signals, server);
  refill (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER]);
}

/* The item under key, in the model or added by the tick being applied; NULL if none.
 * Within a tick an item's notifications wait for the tick's end: a thousand events to
 * one channel update its row once, not a thousand times.
 * Returns: (transfer none) (nullable) */
gpointer
crier_live_list_lookup (CrierLiveList *self,
                        const char    *key)
{
  CrierLiveListPrivate *priv;
  gpointer              item;

  g_return_val_if_fail (CRIER_IS_LIVE_LIST (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  priv = crier_live_list_get_instance_private (self);
  item = g_hash_table_lookup (priv->by_key, key);
  if (item != NULL && priv->frozen != NULL && !g_hash_table_contains (priv->frozen, item))
    {
      g_object_freeze_notify (item);
      g_hash_table_add (priv->frozen, g_object_ref (item));
    }
  return item;
}

/* Appends item (transfer full) under key, a key not in use; only from the snapshot and
 * apply hooks, so that the whole tick lands in one items_changed. */
void
crier_live_list_add (CrierLiveList *self,
                     const char    *key,
                     gpointer       item)
{
  CrierLiveListPrivate *priv;

  g_return_if_fail (CRIER_IS_LIVE_LIST (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (G_IS_OBJECT (item));
  priv = crier_live_list_get_instance_private (self);
  g_return_if_fail (priv->added != NULL);
  g_return_if_fail (!g_hash_table_contains (priv->by_key, key));

  g_hash_table_insert (priv->by_key, g_strdup (key), g_object_ref (item));
  g_ptr_array_add (priv->added, item);
}

/* Removes the item under key, if any; only from the apply hook. */
void
crier_live_list_remove (CrierLiveList *self,
                        const char    *key)
{
  CrierLiveListPrivate *priv;
  gpointer              item;

  g_return_if_fail (CRIER_IS_LIVE_LIST (self));
  g_return_if_fail (key != NULL);
  priv = crier_live_list_get_instance_private (self);
  g_return_if_fail (priv->added != NULL);

  if ((item = g_hash_table_lookup (priv->by_key, key)) == NULL)
    return;
  /* Came and went within one tick: the view never sees it. */
  if (!g_ptr_array_remove (priv->added, item))
    g_hash_table_add (priv->removed, item);
  g_hash_table_remove (priv->by_key, key);
}

/* Applies the queued events now (the tick does it otherwise): items update in place, then
 * one items_changed covers the first removed row to the end, or only the appended rows. */
void
crier_live_list_flush (CrierLiveList *self)
{
  CrierLiveListPrivate *priv;
  g_autoptr (GPtrArray) pending = NULL;
  CrierLiveListClass *klass;

  g_return_if_fail (CRIER_IS_LIVE_LIST (self));
  priv = crier_live_list_get_instance_private (self);
  if ((pending = crier_event_batch_take (&priv->batch)) == NULL)
    return;
  klass = CRIER_LIVE_LIST_GET_CLASS (self);
  begin_changes (self);
  for (guint i = 0; i < pending->len; i++)
    klass->apply (self, g_ptr_array_index (pending, i));
  end_changes (self);
}
