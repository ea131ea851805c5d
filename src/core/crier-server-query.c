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

void
crier_cluster_info_free (CrierClusterInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->node_id);
  g_free (info->redis);
  g_free (info->prefix);
  g_free (info);
}

/* {"node_id", "nodes", "redis_connected", "redis", "prefix"}: one object, the builder's
 * root or a member's value. */
void
crier_cluster_info_build_json (const CrierClusterInfo *info,
                               JsonBuilder            *builder)
{
  g_return_if_fail (info != NULL);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "node_id");
  json_builder_add_string_value (builder, info->node_id);
  json_builder_set_member_name (builder, "nodes");
  json_builder_add_int_value (builder, info->nodes);
  json_builder_set_member_name (builder, "redis_connected");
  json_builder_add_boolean_value (builder, info->redis_connected);
  if (info->redis != NULL)
    {
      json_builder_set_member_name (builder, "redis");
      json_builder_add_string_value (builder, info->redis);
    }
  if (info->prefix != NULL)
    {
      json_builder_set_member_name (builder, "prefix");
      json_builder_add_string_value (builder, info->prefix);
    }
  json_builder_end_object (builder);
}

static char *
dup_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

/* Returns: (transfer full) (nullable): the object read back; NULL without a node id (it is
 * input from another server: members of another type read as absent). */
CrierClusterInfo *
crier_cluster_info_new_from_json (JsonObject *object)
{
  CrierClusterInfo *info;
  JsonNode         *node;
  char             *node_id;

  if (object == NULL || (node_id = dup_string_member (object, "node_id")) == NULL)
    return NULL;
  info = g_new0 (CrierClusterInfo, 1);
  info->node_id = node_id;
  node = json_object_get_member (object, "nodes");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    info->nodes = (unsigned) CLAMP (json_node_get_int (node), 0, G_MAXUINT);
  node = json_object_get_member (object, "redis_connected");
  info->redis_connected = node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
                          json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
                          json_node_get_boolean (node);
  info->redis = dup_string_member (object, "redis");
  info->prefix = dup_string_member (object, "prefix");
  return info;
}

/* Returns: (transfer full) (nullable): NULL without [cluster]. */
CrierClusterInfo *
crier_server_dup_cluster_info (CrierServer *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER (self), NULL);
  return self->cluster != NULL ? crier_cluster_dup_info (self->cluster) : NULL;
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

/* Returns: (transfer full) (nullable): as crier_server_dup_channels (), counted over the
 * whole cluster when there is one. */
GPtrArray *
crier_server_dup_cluster_channels (CrierServer *self,
                                   const char  *app_id,
                                   const char  *prefix)
{
  GPtrArray *result;

  g_return_val_if_fail (CRIER_IS_SERVER (self), NULL);
  if (self->cluster != NULL &&
      (result = crier_cluster_dup_channels (self->cluster, app_id, prefix)) != NULL)
    return result;
  return crier_server_dup_channels (self, app_id, prefix);
}

/* Returns: (transfer full) (nullable): as crier_server_dup_members (), the cluster's members
 * when there is one. */
GPtrArray *
crier_server_dup_cluster_members (CrierServer *self,
                                  const char  *app_id,
                                  const char  *channel)
{
  GPtrArray *result;

  g_return_val_if_fail (CRIER_IS_SERVER (self), NULL);
  if (self->cluster != NULL &&
      (result = crier_cluster_dup_members (self->cluster, app_id, channel)) != NULL)
    return result;
  return crier_server_dup_members (self, app_id, channel);
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
