/* crier-channel-list.c — the occupied channels of a server, live
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-channel-list.h"

/* Items keyed by "app\nchannel"; CrierLiveList does the rest. */
struct _CrierChannelList
{
  CrierLiveList parent_instance;
};

G_DEFINE_FINAL_TYPE (CrierChannelList, crier_channel_list, CRIER_TYPE_LIVE_LIST)

static char *
make_key (const char *app_id,
          const char *name)
{
  return g_strconcat (app_id ? app_id : "", "\n", name, NULL);
}

static gboolean
crier_channel_list_accepts (CrierLiveList     *list,
                            CrierMonitorEvent *event)
{
  if (event->channel == NULL)
    return FALSE;
  switch (event->kind)
    {
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
    case CRIER_MONITOR_CHANNEL_VACATED:
    case CRIER_MONITOR_SUBSCRIBED:
    case CRIER_MONITOR_UNSUBSCRIBED:
    case CRIER_MONITOR_MEMBER_ADDED:
    case CRIER_MONITOR_MEMBER_REMOVED:
    case CRIER_MONITOR_EVENT_PUBLISHED:
    case CRIER_MONITOR_CLIENT_EVENT:
    case CRIER_MONITOR_CLUSTER: /* with a channel: its counts over every node */
      return TRUE;
    /* a channel name on these is context, not a change to the channel */
    case CRIER_MONITOR_CONNECTED:
    case CRIER_MONITOR_DISCONNECTED:
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
    case CRIER_MONITOR_N_KINDS:
    default:
      return FALSE;
    }
}

static void
crier_channel_list_snapshot (CrierLiveList *list,
                             CrierBackend  *server)
{
  GPtrArray *apps = crier_config_get_apps (crier_backend_get_config (server));

  for (guint a = 0; a < apps->len; a++)
    {
      CrierAppConfig *app = g_ptr_array_index (apps, a);
      g_autoptr (GPtrArray) channels = crier_backend_dup_channels (server, app->id, NULL);

      for (guint i = 0; i < channels->len; i++)
        {
          CrierChannelInfo *info = g_ptr_array_index (channels, i);
          g_autofree char  *key = NULL;
          CrierChannelItem *item;

          if (info->subscription_count == 0)
            continue; /* a cache channel kept only for its last event */
          item = crier_channel_item_new (app->id, info->name);
          crier_channel_item_set_subscribers (item, info->subscription_count);
          crier_channel_item_set_events (item, info->events);
          if (info->type & CRIER_CHANNEL_PRESENCE)
            {
              g_autoptr (GPtrArray) members = crier_backend_dup_members (server, app->id, info->name);

              for (guint m = 0; members && m < members->len; m++)
                {
                  CrierMemberInfo *member = g_ptr_array_index (members, m);

                  crier_channel_item_add_member (item, member->user_id, member->user_info,
                                                 member->simulated);
                }
            }
          key = make_key (app->id, info->name);
          crier_live_list_add (list, key, item);
        }
    }
}

/* In a cluster the list shows every node's subscribers and members: the server says when
 * a channel's cluster-wide counts changed (count 0: nobody left anywhere), and the members
 * are read again from its view of the cluster. */
static void
apply_cluster_counts (CrierLiveList     *list,
                      const char        *key,
                      CrierChannelItem  *item,
                      CrierMonitorEvent *event)
{
  CrierBackend *server = crier_live_list_get_server (list);
  g_autoptr (GPtrArray) members = NULL;
  g_autoptr (GHashTable) ids = NULL;
  GListModel *current;

  if (event->count == 0)
    {
      crier_live_list_remove (list, key);
      return;
    }
  if (item == NULL)
    {
      item = crier_channel_item_new (event->app_id, event->channel);
      crier_live_list_add (list, key, item);
    }
  crier_channel_item_set_subscribers (item, event->count);
  if (!(crier_channel_item_get_channel_type (item) & CRIER_CHANNEL_PRESENCE) || server == NULL ||
      (members = crier_backend_dup_members (server, event->app_id, event->channel)) == NULL)
    return;
  ids = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < members->len; i++)
    {
      CrierMemberInfo *member = g_ptr_array_index (members, i);

      g_hash_table_add (ids, member->user_id);
      crier_channel_item_add_member (item, member->user_id, member->user_info, member->simulated);
    }
  current = crier_channel_item_get_members (item);
  for (guint i = g_list_model_get_n_items (current); i > 0; i--)
    {
      g_autoptr (CrierMemberItem) member = g_list_model_get_item (current, i - 1);

      if (!g_hash_table_contains (ids, crier_member_item_get_user_id (member)))
        crier_channel_item_remove_member (item, crier_member_item_get_user_id (member));
    }
}

static void
crier_channel_list_apply (CrierLiveList     *list,
                          CrierMonitorEvent *event)
{
  g_autofree char  *key = make_key (event->app_id, event->channel);
  CrierChannelItem *item = crier_live_list_lookup (list, key);

  switch (event->kind)
    {
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
    case CRIER_MONITOR_SUBSCRIBED:
      if (item == NULL)
        {
          item = crier_channel_item_new (event->app_id, event->channel);
          crier_live_list_add (list, key, item);
        }
      if (event->kind == CRIER_MONITOR_SUBSCRIBED)
        crier_channel_item_set_subscribers (item, event->count);
      break;
    case CRIER_MONITOR_UNSUBSCRIBED:
      if (item != NULL)
        crier_channel_item_set_subscribers (item, event->count);
      break;
    case CRIER_MONITOR_CHANNEL_VACATED:
      crier_live_list_remove (list, key);
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
    case CRIER_MONITOR_CLUSTER:
      apply_cluster_counts (list, key, item, event);
      break;
    /* crier_channel_list_accepts () lets none of these through */
    case CRIER_MONITOR_CONNECTED:
    case CRIER_MONITOR_DISCONNECTED:
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
    case CRIER_MONITOR_N_KINDS:
    default:
      break;
    }
}

static void
crier_channel_list_class_init (CrierChannelListClass *klass)
{
  CrierLiveListClass *live_list_class = CRIER_LIVE_LIST_CLASS (klass);

  live_list_class->item_type = CRIER_TYPE_CHANNEL_ITEM;
  live_list_class->flush_source_name = "[crier] channel list flush";
  live_list_class->accepts = crier_channel_list_accepts;
  live_list_class->snapshot = crier_channel_list_snapshot;
  live_list_class->apply = crier_channel_list_apply;
}

static void
crier_channel_list_init (CrierChannelList *self)
{
}

CrierChannelList *
crier_channel_list_new (CrierBackend *server)
{
  return g_object_new (CRIER_TYPE_CHANNEL_LIST, "server", server, NULL);
}

/* Returns: (transfer none) (nullable) */
CrierChannelItem *
crier_channel_list_find (CrierChannelList *self,
                         const char       *app_id,
                         const char       *name)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (CRIER_IS_CHANNEL_LIST (self), NULL);
  key = make_key (app_id, name);
  return crier_live_list_lookup (CRIER_LIVE_LIST (self), key);
}
