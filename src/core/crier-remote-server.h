/* crier-remote-server.h — another Crier seen through its monitor endpoint: the same
 * commands, snapshots and monitor stream as the server in this process
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "crier-monitor.h"
#include "crier-server.h"

G_BEGIN_DECLS

typedef enum
{
  CRIER_REMOTE_STATE_CONNECTING,
  CRIER_REMOTE_STATE_CONNECTED,
  CRIER_REMOTE_STATE_RECONNECTING, /* dropped; trying again with back-off */
  CRIER_REMOTE_STATE_REFUSED,      /* the server said no (credentials, app): no retry */
  CRIER_REMOTE_STATE_NOT_CRIER,    /* no monitor endpoint: soketi, Reverb, Pusher */
} CrierRemoteState;

#define CRIER_TYPE_REMOTE_SERVER (crier_remote_server_get_type ())
G_DECLARE_FINAL_TYPE (CrierRemoteServer, crier_remote_server, CRIER, REMOTE_SERVER, GObject)

/* base_url: http(s)://host:port of the Crier to watch. */
CrierRemoteServer *crier_remote_server_new (const char *base_url,
                                            const char *app_id,
                                            const char *key,
                                            const char *secret,
                                            gboolean    insecure);
void               crier_remote_server_start (CrierRemoteServer *self);
void               crier_remote_server_stop (CrierRemoteServer *self);
CrierRemoteState   crier_remote_server_get_state (CrierRemoteServer *self);
/* Returns: (nullable): why the state is what it is (the server's refusal, a network error). */
const char   *crier_remote_server_get_problem (CrierRemoteServer *self);
const char   *crier_remote_server_get_app_id (CrierRemoteServer *self);
CrierMonitor *crier_remote_server_get_monitor (CrierRemoteServer *self);

/* Snapshots: copies of what the last crier:snapshot said ("changed" when a new one came). */
GPtrArray *crier_remote_server_dup_connections (CrierRemoteServer *self);
GPtrArray *crier_remote_server_dup_channels (CrierRemoteServer *self);
GPtrArray *crier_remote_server_dup_members (CrierRemoteServer *self,
                                            const char        *channel);
void       crier_remote_server_get_stats (CrierRemoteServer *self,
                                          CrierServerStats  *stats);

CrierClusterInfo *crier_remote_server_dup_cluster_info (CrierRemoteServer *self);

/* Commands: answered by the server's crier:result; finish with
 * crier_remote_server_command_finish (). */
gboolean crier_remote_server_command_finish (CrierRemoteServer *self,
                                             GAsyncResult      *result,
                                             GError           **error);
void     crier_remote_server_publish (CrierRemoteServer  *self,
                                      const char *const  *channels,
                                      const char         *event,
                                      const char         *data,
                                      const char         *except_socket_id,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
void     crier_remote_server_notify (CrierRemoteServer  *self,
                                     const char         *user_id,
                                     const char         *type,
                                     const char         *data,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
void     crier_remote_server_disconnect (CrierRemoteServer  *self,
                                         const char         *socket_id,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
void     crier_remote_server_add_simulated_member (CrierRemoteServer  *self,
                                                   const char         *channel,
                                                   const char         *user_id,
                                                   const char         *user_info,
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
void     crier_remote_server_remove_simulated_member (CrierRemoteServer  *self,
                                                      const char         *channel,
                                                      const char         *user_id,
                                                      GCancellable       *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer            user_data);
void     crier_remote_server_send_client_event (CrierRemoteServer  *self,
                                                const char         *channel,
                                                const char         *event,
                                                const char         *data,
                                                const char         *user_id,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);

G_END_DECLS
