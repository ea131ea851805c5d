/* crier-server-query.c — snapshots of connections, channels and members for the HTTP
 * API and the dashboard; disconnecting and terminating
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-server"

#include "config.h"

#include <string.h>

#include "crier-app-private.h"
#include "crier-channel-private.h"
#include "crier-cluster.h"
#include "crier-connection-private.h"
#include "crier-names.h"
#include "crier-server-private.h"

void
crier_connection_info_free (CrierConnectionInfo *info)
{
  g_free (info->socket_id);
  g_free (info->app_id);
  g_free (info->remote);
  g_free (info->origin);
  g_free (info->user_id);
  g_strfreev (info->channels);
  g_free (info);
}

void
crier_channel_info_free (CrierChannelInfo *info)
{
  g_free (info->name);
  g_free (info->cached_data);
  g_free (info);
}

void
crier_member_info_free (CrierMemberInfo *info)
{
  g_free (info->user_id);
  g_free (info->user_info);
  g_free (info);
}

static CrierApp *
find_app (CrierServer *self,
          const char  *app_id)
{
  return crier_server_lookup_app (self, app_id);
}

/* Returns: (transfer full) (element-type CrierConnectionInfo): open connections, of one
 * app or (app_id NULL) of all. */
GPtrArray *
crier_server_dup_connections (CrierServer *self,
                              const char  *app_id)
{
  GPtrArray       *result = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_connection_info_free);
  GHashTableIter   iter;
  CrierConnection *conn;

  g_return_val_if_fail (CRIER_IS_SERVER (self), result);
  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &conn))
    {
      if (!crier_connection_is_open (conn) || conn->app == NULL ||
          (app_id != NULL && !g_str_equal (conn->app->config->id, app_id)))
        continue;
      g_ptr_array_add (result, crier_connection_dup_info (conn));
    }
  return result;
}

static int
compare_channel_names (gconstpointer a,
                       gconstpointer b)
{
  const CrierChannelInfo *x = *(const CrierChannelInfo *const *) a;
  const CrierChannelInfo *y = *(const CrierChannelInfo *const *) b;

  return strcmp (x->name, y->name);
}

/* Returns: (transfer full) (nullable): occupied channels of an app whose name starts with
 * prefix (NULL: all), sorted by name; NULL for an unknown app. */
GPtrArray *
crier_server_dup_channels (CrierServer *self,
                           const char  *app_id,
                           const char  *prefix)
{
  CrierApp      *app;
  GPtrArray     *result;
  GHashTableIter iter;
  CrierChannel  *channel;

  g_return_val_if_fail (CRIER_IS_SERVER (self), NULL);
  if ((app = find_app (self, app_id)) == NULL)
    return NULL;
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_channel_info_free);
  crier_app_iter_channels (app, &iter);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &channel))
    if (crier_channel_count_subscribers (channel) > 0 &&
        (prefix == NULL || g_str_has_prefix (channel->name, prefix)))
      g_ptr_array_add (result, crier_channel_dup_info (channel));
  g_ptr_array_sort (result, compare_channel_names);
  return result;
}

/* Returns: (transfer full) (nullable): one channel, occupied or not (then counts are 0);
 * NULL for an unknown app. */
CrierChannelInfo *
crier_server_dup_channel (CrierServer *self,
                          const char  *app_id,
                          const char  *name)
{
  CrierApp         *app;
  CrierChannel     *channel;
  CrierChannelInfo *info;

  g_return_val_if_fail (CRIER_IS_SERVER (self), NULL);
  if ((app = find_app (self, app_id)) == NULL)
    return NULL;
  if ((channel = crier_app_lookup_channel (app, name)) != NULL)
    return crier_channel_dup_info (channel);
  info = g_new0 (CrierChannelInfo, 1);
  info->name = g_strdup (name);
  info->type = crier_channel_type_from_name (name);
  return info;
}

/* Returns: (transfer full) (nullable): the distinct users of a presence channel. */
GPtrArray *
crier_server_dup_members (CrierServer *self,
                          const char  *app_id,
                          const char  *name)
{
  CrierApp     *app;
  CrierChannel *channel;

  g_return_val_if_fail (CRIER_IS_SERVER (self), NULL);
  if ((app = find_app (self, app_id)) == NULL)
    return NULL;
  if ((channel = crier_app_lookup_channel (app, name)) == NULL)
    return g_ptr_array_new_with_free_func ((GDestroyNotify) crier_member_info_free);
  return crier_channel_dup_member_infos (channel);
}

gboolean
crier_server_disconnect (CrierServer *self,
                         const char  *socket_id,
                         guint16      code,
                         const char  *reason)
{
  CrierConnection *conn;

  g_return_val_if_fail (CRIER_IS_SERVER (self), FALSE);
  conn = crier_server_lookup_connection (self, socket_id);
  if (conn == NULL || !crier_connection_is_open (conn))
    return FALSE;
  crier_connection_close (conn, code, reason);
  return TRUE;
}

/* Closes every connection signed in as user_id (§12.3) with 4009, on every node of a
 * cluster; returns how many on this node. */
unsigned
crier_server_terminate_user (CrierServer *self,
                             const char  *app_id,
                             const char  *user_id)
{
  g_return_val_if_fail (CRIER_IS_SERVER (self), 0);
  if (self->cluster != NULL && find_app (self, app_id) != NULL)
    crier_cluster_terminate_user (self->cluster, app_id, user_id);
  return crier_server_terminate_local_user (self, app_id, user_id);
}

unsigned
crier_server_terminate_local_user (CrierServer *self,
                                   const char  *app_id,
                                   const char  *user_id)
{
  CrierApp  *app;
  GPtrArray *sockets;
  g_autoptr (GPtrArray) copy = NULL;

  g_return_val_if_fail (CRIER_IS_SERVER (self), 0);
  if ((app = find_app (self, app_id)) == NULL)
    return 0;
  if ((sockets = crier_app_lookup_user (app, user_id)) == NULL)
    return 0;
  copy = g_ptr_array_copy (sockets, NULL, NULL);
  for (guint i = 0; i < copy->len; i++)
    {
      CrierConnection *conn = g_ptr_array_index (copy, i);

      crier_connection_send_error (conn, CRIER_CODE_UNAUTHORIZED,
                                   "Connection is unauthorized: terminated by the app");
      crier_connection_close (conn, CRIER_CODE_UNAUTHORIZED, "Connection is unauthorized");
    }
  return copy->len;
}
