/* crier-server.h — the Pusher-compatible server: WebSocket protocol, publishing, queries
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "crier-config.h"
#include "crier-monitor.h"

G_BEGIN_DECLS

typedef struct
{
  guint64 connections; /* open now */
  guint64 peak_connections;
  guint64 connections_total; /* accepted since start */
  guint64 messages_in;       /* WebSocket messages received */
  guint64 messages_out;      /* frames queued to clients */
  guint64 events_published;  /* publications through crier_server_publish () */
  guint64 client_events;
  guint64 errors; /* protocol errors and refused operations */
  guint64 api_requests;
  guint64 webhooks_delivered; /* requests answered 2xx */
  guint64 webhook_failures;   /* attempts that failed (each retry counts) */
  guint64 webhooks_dropped;   /* events lost to a full queue or given up */
  guint64 webhooks_queued;    /* events waiting now */
} CrierServerStats;

typedef struct
{
  char   *socket_id;
  char   *app_id;
  char   *remote;
  char   *origin;
  char   *user_id;      /* signed in as, else the member of its first presence channel */
  gint64  connected_at; /* real time, µs */
  GStrv   channels;
  guint64 messages_in;
  guint64 messages_out;
} CrierConnectionInfo;

typedef struct
{
  char            *name;
  CrierChannelType type;
  unsigned         subscription_count;
  unsigned         user_count; /* presence only */
  guint64          events;
  gboolean         has_cache;
  char            *cached_data;
  unsigned         cache_ttl; /* seconds left */
} CrierChannelInfo;

typedef struct
{
  char    *user_id;
  char    *user_info; /* JSON text, nullable */
  gboolean simulated; /* added from the dashboard only, no connection behind it */
} CrierMemberInfo;

/* A node of a cluster as the front ends show it (crier_server_dup_cluster_info ()). */
typedef struct
{
  char    *node_id;
  unsigned nodes; /* alive at the last heartbeat; 0 while Redis is unreachable */
  gboolean redis_connected;
  char    *redis;  /* where Redis is, never its password: "host:port" or "unix:///path" */
  char    *prefix; /* of the cluster's keys in Redis */
} CrierClusterInfo;

void crier_connection_info_free (CrierConnectionInfo *info);
void crier_channel_info_free (CrierChannelInfo *info);
void crier_member_info_free (CrierMemberInfo *info);
void crier_cluster_info_free (CrierClusterInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrierChannelInfo, crier_channel_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrierClusterInfo, crier_cluster_info_free)

/* The "cluster" object of the monitor endpoint's snapshot and of a cluster event's details
 * (pusher-protocol.md §21): one shape, written and read here. */
void              crier_cluster_info_build_json (const CrierClusterInfo *info,
                                                 JsonBuilder            *builder);
CrierClusterInfo *crier_cluster_info_new_from_json (JsonObject *object);

#define CRIER_TYPE_SERVER (crier_server_get_type ())
G_DECLARE_FINAL_TYPE (CrierServer, crier_server, CRIER, SERVER, GObject)

CrierServer            *crier_server_new (CrierConfig *config);
CrierConfig            *crier_server_get_config (CrierServer *self);
CrierMonitor           *crier_server_get_monitor (CrierServer *self);
gboolean                crier_server_start (CrierServer *self,
                                            GError     **error);
void                    crier_server_stop (CrierServer *self,
                                           guint16      code,
                                           const char  *reason);
gboolean                crier_server_is_running (CrierServer *self);
gboolean                crier_server_has_connections (CrierServer *self);
unsigned                crier_server_get_port (CrierServer *self);
gboolean                crier_server_is_tls (CrierServer *self);
unsigned                crier_server_count_connections (CrierServer *self);
const CrierServerStats *crier_server_get_stats (CrierServer *self);

/* [cluster]: NULL, 0 and FALSE without it. */
const char *crier_server_get_node_id (CrierServer *self);
unsigned    crier_server_count_cluster_nodes (CrierServer *self);
gboolean    crier_server_is_redis_connected (CrierServer *self);

CrierClusterInfo *crier_server_dup_cluster_info (CrierServer *self);

/* Every publication goes through here: the HTTP API, the dashboard, `crier send`. */
gboolean crier_server_publish (CrierServer       *self,
                               const char        *app_id,
                               const char *const *channels,
                               const char        *event,
                               const char        *data,
                               const char        *except_socket_id,
                               GError           **error);
/* The same, and how many frames it delivered (@receivers, nullable): a connection on two of
 * the channels counts twice; -1 in a cluster, where the other nodes' are not known here. */
gboolean crier_server_publish_counted (CrierServer       *self,
                                       const char        *app_id,
                                       const char *const *channels,
                                       const char        *event,
                                       const char        *data,
                                       const char        *except_socket_id,
                                       gint64            *receivers,
                                       GError           **error);
gboolean crier_server_validate_publication (CrierServer       *self,
                                            const char        *app_id,
                                            const char *const *channels,
                                            const char        *event,
                                            const char        *data,
                                            const char        *except_socket_id,
                                            GError           **error);

GPtrArray        *crier_server_dup_connections (CrierServer *self,
                                                const char  *app_id);
GPtrArray        *crier_server_dup_channels (CrierServer *self,
                                             const char  *app_id,
                                             const char  *prefix);
CrierChannelInfo *crier_server_dup_channel (CrierServer *self,
                                            const char  *app_id,
                                            const char  *name);
GPtrArray        *crier_server_dup_members (CrierServer *self,
                                            const char  *app_id,
                                            const char  *channel);
gboolean          crier_server_disconnect (CrierServer *self,
                                           const char  *socket_id,
                                           guint16      code,
                                           const char  *reason);
gboolean          crier_server_add_simulated_member (CrierServer *self,
                                                     const char  *app_id,
                                                     const char  *channel,
                                                     const char  *user_id,
                                                     const char  *user_info,
                                                     GError     **error);
gboolean          crier_server_remove_simulated_member (CrierServer *self,
                                                        const char  *app_id,
                                                        const char  *channel,
                                                        const char  *user_id,
                                                        GError     **error);
gboolean          crier_server_send_client_event (CrierServer *self,
                                                  const char  *app_id,
                                                  const char  *channel,
                                                  const char  *event,
                                                  const char  *data,
                                                  const char  *user_id,
                                                  GError     **error);
unsigned          crier_server_terminate_user (CrierServer *self,
                                               const char  *app_id,
                                               const char  *user_id);

/* What the dashboards show: in a cluster the cluster-wide counts and members (as last read
 * from Redis, on each heartbeat and shortly after a change here), else the same as
 * crier_server_dup_channels () and crier_server_dup_members (). */
GPtrArray *crier_server_dup_cluster_channels (CrierServer *self,
                                              const char  *app_id,
                                              const char  *prefix);
GPtrArray *crier_server_dup_cluster_members (CrierServer *self,
                                             const char  *app_id,
                                             const char  *channel);

G_END_DECLS
