/* crier-cluster.h — a node of a Crier cluster: fan-out of frames through Redis pub/sub,
 * heartbeats and the set of live nodes (docs/architecture.md §9)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include <gio/gio.h>

#include "crier-config.h"
#include "crier-server.h"

G_BEGIN_DECLS

typedef struct _CrierCluster CrierCluster;

typedef enum
{
  CRIER_CLUSTER_QUERY_CHANNELS, /* arg: a name prefix ("" for all) */
  CRIER_CLUSTER_QUERY_CHANNEL,  /* arg: the channel */
  CRIER_CLUSTER_QUERY_USERS,    /* arg: the presence channel */
} CrierClusterQueryKind;

/* @result: (transfer full) (nullable): CrierChannelInfo (name, type and counts only) or,
 * for users, CrierMemberInfo (user_id only); NULL when Redis did not answer. */
typedef void (*CrierClusterQueryFunc) (GPtrArray *result,
                                       gpointer   user_data);

CrierCluster *crier_cluster_new (CrierServer                *server,
                                 const CrierClusterSettings *settings,
                                 GError                    **error);
void          crier_cluster_free (CrierCluster *self);
void          crier_cluster_start (CrierCluster *self);
void          crier_cluster_leave (CrierCluster *self);
void          crier_cluster_broadcast (CrierCluster *self,
                                       const char   *app_id,
                                       const char   *channel,
                                       GBytes       *frame,
                                       const char   *except_socket_id);
void          crier_cluster_connect (CrierCluster            *self,
                                     struct _CrierConnection *conn);
void          crier_cluster_disconnect (CrierCluster            *self,
                                        struct _CrierConnection *conn);
gboolean      crier_cluster_subscribe (CrierCluster            *self,
                                       struct _CrierConnection *conn,
                                       const char              *channel,
                                       const char              *user_id,
                                       const char              *user_info);
gboolean      crier_cluster_unsubscribe (CrierCluster *self,
                                         const char   *app_id,
                                         const char   *channel,
                                         const char   *user_id);
void          crier_cluster_terminate_user (CrierCluster *self,
                                            const char   *app_id,
                                            const char   *user_id);
gboolean      crier_cluster_query (CrierCluster         *self,
                                   const char           *app_id,
                                   CrierClusterQueryKind kind,
                                   const char           *arg,
                                   CrierClusterQueryFunc func,
                                   gpointer              user_data);
const char   *crier_cluster_get_node_id (CrierCluster *self);
unsigned      crier_cluster_count_nodes (CrierCluster *self);
gboolean      crier_cluster_is_redis_connected (CrierCluster *self);

/* What the dashboards show (crier_server_dup_cluster_info () and its kin). */
CrierClusterInfo *crier_cluster_dup_info (CrierCluster *self);
GPtrArray        *crier_cluster_dup_channels (CrierCluster *self,
                                              const char   *app_id,
                                              const char   *prefix);
GPtrArray        *crier_cluster_dup_members (CrierCluster *self,
                                             const char   *app_id,
                                             const char   *channel);

G_END_DECLS
