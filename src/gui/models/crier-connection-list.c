/* crier-connection-list.c — the open connections of a server, live
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-connection-list.h"

#include <string.h>

#define COUNTERS_INTERVAL 1 /* seconds: message counters are not in the event stream */

/* Items keyed by socket id; CrierLiveList does the rest. */
struct _CrierConnectionList
{
  CrierLiveList parent_instance;
  guint         counters_id;
};

G_DEFINE_FINAL_TYPE (CrierConnectionList, crier_connection_list, CRIER_TYPE_LIVE_LIST)

static gboolean
counters_cb (gpointer user_data)
{
  crier_connection_list_refresh_counters (user_data);
  return G_SOURCE_CONTINUE;
}

/* The counters tick only while there is a server to ask. */
static void
server_changed_cb (CrierConnectionList *self)
{
  if (crier_live_list_get_server (CRIER_LIVE_LIST (self)) == NULL)
    g_clear_handle_id (&self->counters_id, g_source_remove);
  else if (self->counters_id == 0)
    {
      self->counters_id = g_timeout_add_seconds (COUNTERS_INTERVAL, counters_cb, self);
      g_source_set_name_by_id (self->counters_id, "[crier] connection counters");
    }
}

static gboolean
crier_connection_list_accepts (CrierLiveList     *list,
                               CrierMonitorEvent *event)
{
  if (event->socket_id == NULL)
    return FALSE;
  switch (event->kind)
    {
    case CRIER_MONITOR_CONNECTED:
    case CRIER_MONITOR_DISCONNECTED:
    case CRIER_MONITOR_SUBSCRIBED:
    case CRIER_MONITOR_UNSUBSCRIBED:
    case CRIER_MONITOR_SIGNED_IN:
    case CRIER_MONITOR_AUTH_FAILED:
      return TRUE;
    /* channel- and server-wide events, or ones the socket's row does not count */
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
    case CRIER_MONITOR_CHANNEL_VACATED:
    case CRIER_MONITOR_MEMBER_ADDED:
    case CRIER_MONITOR_MEMBER_REMOVED:
    case CRIER_MONITOR_EVENT_PUBLISHED:
    case CRIER_MONITOR_CLIENT_EVENT:
    case CRIER_MONITOR_CACHE_MISS:
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
      return FALSE;
    }
}

static void
crier_connection_list_snapshot (CrierLiveList *list,
                                CrierBackend  *server)
{
  g_autoptr (GPtrArray) snapshot = crier_backend_dup_connections (server, NULL);

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
      crier_live_list_add (list, info->socket_id, item);
    }
}

static void
crier_connection_list_apply (CrierLiveList     *list,
                             CrierMonitorEvent *event)
{
  CrierConnectionItem *item = crier_live_list_lookup (list, event->socket_id);

  switch (event->kind)
    {
    case CRIER_MONITOR_CONNECTED:
      if (item != NULL)
        break;
      item = crier_connection_item_new (event->socket_id, event->app_id, event->time);
      crier_connection_item_set_remote (item, event->remote);
      if (event->message != NULL && g_str_has_prefix (event->message, "origin "))
        crier_connection_item_set_origin (item, event->message + strlen ("origin "));
      crier_live_list_add (list, event->socket_id, item);
      break;
    case CRIER_MONITOR_DISCONNECTED:
      crier_live_list_remove (list, event->socket_id);
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
    /* crier_connection_list_accepts () lets none of these through */
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
    case CRIER_MONITOR_CHANNEL_VACATED:
    case CRIER_MONITOR_MEMBER_ADDED:
    case CRIER_MONITOR_MEMBER_REMOVED:
    case CRIER_MONITOR_EVENT_PUBLISHED:
    case CRIER_MONITOR_CLIENT_EVENT:
    case CRIER_MONITOR_CACHE_MISS:
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
}

static void
crier_connection_list_dispose (GObject *object)
{
  CrierConnectionList *self = CRIER_CONNECTION_LIST (object);

  g_clear_handle_id (&self->counters_id, g_source_remove);
  G_OBJECT_CLASS (crier_connection_list_parent_class)->dispose (object);
}

static void
crier_connection_list_class_init (CrierConnectionListClass *klass)
{
  GObjectClass       *object_class = G_OBJECT_CLASS (klass);
  CrierLiveListClass *live_list_class = CRIER_LIVE_LIST_CLASS (klass);

  object_class->dispose = crier_connection_list_dispose;

  live_list_class->item_type = CRIER_TYPE_CONNECTION_ITEM;
  live_list_class->flush_source_name = "[crier] connection list flush";
  live_list_class->accepts = crier_connection_list_accepts;
  live_list_class->snapshot = crier_connection_list_snapshot;
  live_list_class->apply = crier_connection_list_apply;
}

static void
crier_connection_list_init (CrierConnectionList *self)
{
  g_signal_connect (self, "notify::server", G_CALLBACK (server_changed_cb), NULL);
}

CrierConnectionList *
crier_connection_list_new (CrierBackend *server)
{
  return g_object_new (CRIER_TYPE_CONNECTION_LIST, "server", server, NULL);
}

/* Returns: (transfer none) (nullable) */
CrierConnectionItem *
crier_connection_list_find (CrierConnectionList *self,
                            const char          *socket_id)
{
  g_return_val_if_fail (CRIER_IS_CONNECTION_LIST (self), NULL);
  g_return_val_if_fail (socket_id != NULL, NULL);
  return crier_live_list_lookup (CRIER_LIVE_LIST (self), socket_id);
}

/* Messages in/out per connection, from a snapshot (once a second while shown). */
void
crier_connection_list_refresh_counters (CrierConnectionList *self)
{
  CrierBackend *server;
  g_autoptr (GPtrArray) snapshot = NULL;

  g_return_if_fail (CRIER_IS_CONNECTION_LIST (self));
  server = crier_live_list_get_server (CRIER_LIVE_LIST (self));
  if (server == NULL || g_list_model_get_n_items (G_LIST_MODEL (self)) == 0)
    return;
  snapshot = crier_backend_dup_connections (server, NULL);
  for (guint i = 0; i < snapshot->len; i++)
    {
      CrierConnectionInfo *info = g_ptr_array_index (snapshot, i);
      CrierConnectionItem *item = crier_live_list_lookup (CRIER_LIVE_LIST (self), info->socket_id);

      if (item != NULL)
        crier_connection_item_set_counters (item, info->messages_in, info->messages_out);
    }
}
