/* crier-backend.h — "a server" as the dashboard sees it: the one in this process, another
 * Crier through its monitor endpoint, or a foreign server observed as a client
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "crier-config.h"
#include "crier-monitor.h"
#include "crier-server.h"

G_BEGIN_DECLS

typedef enum
{
  CRIER_BACKEND_STATE_STOPPED,      /* embedded, not listening */
  CRIER_BACKEND_STATE_RUNNING,      /* embedded, listening */
  CRIER_BACKEND_STATE_CONNECTING,   /* remote, first attempt */
  CRIER_BACKEND_STATE_CONNECTED,    /* remote, a snapshot came */
  CRIER_BACKEND_STATE_RECONNECTING, /* remote, dropped; trying again with back-off */
  CRIER_BACKEND_STATE_REFUSED,      /* remote, the server said no (credentials, app): no retry */
  CRIER_BACKEND_STATE_NOT_CRIER,    /* remote, no monitor endpoint: soketi, Reverb, Pusher */
  CRIER_BACKEND_STATE_OBSERVING,    /* a foreign server, watched as a client of it */
} CrierBackendState;

/* What a backend can do or see; the window hides or explains the rest. */
typedef enum
{
  CRIER_BACKEND_CAN_START_STOP = 1 << 0,
  CRIER_BACKEND_CAN_LIST_CONNECTIONS = 1 << 1,
  CRIER_BACKEND_CAN_DISCONNECT = 1 << 2,
  CRIER_BACKEND_CAN_SIMULATE_MEMBERS = 1 << 3,
  CRIER_BACKEND_CAN_SEND_CLIENT_EVENTS = 1 << 4,
  CRIER_BACKEND_CAN_PUBLISH = 1 << 5,
  CRIER_BACKEND_CAN_NOTIFY = 1 << 6,
  CRIER_BACKEND_HAS_STATS = 1 << 7, /* the server's own counters, not only what was seen */
} CrierBackendFlags;

#define CRIER_BACKEND_ERROR (crier_backend_error_quark ())
GQuark crier_backend_error_quark (void);

typedef enum
{
  CRIER_BACKEND_ERROR_NOT_SUPPORTED, /* this kind of server does not allow the command */
  CRIER_BACKEND_ERROR_NOT_READY,     /* stopped, or not connected (yet) */
  CRIER_BACKEND_ERROR_REFUSED,       /* the server answered no; the message says why */
} CrierBackendError;

#define CRIER_TYPE_BACKEND (crier_backend_get_type ())
G_DECLARE_INTERFACE (CrierBackend, crier_backend, CRIER, BACKEND, GObject)

/* Every vfunc runs on the front end's thread. Properties: "state" (a CrierBackendState,
 * an int), "problem" (nullable string). Signal "reset": the picture was replaced (a
 * remote's first snapshot after each (re)connection); models take it again from the
 * snapshots instead of following events. */
struct _CrierBackendInterface
{
  GTypeInterface parent_iface;

  CrierMonitor *(*get_monitor) (CrierBackend *self);
  CrierBackendState (*get_state) (CrierBackend *self);
  const char *(*get_problem) (CrierBackend *self);
  CrierConfig *(*get_config) (CrierBackend *self);
  unsigned (*get_port) (CrierBackend *self);
  gboolean (*is_tls) (CrierBackend *self);
  char *(*dup_address) (CrierBackend *self);
  CrierBackendFlags (*get_flags) (CrierBackend *self);

  GPtrArray *(*dup_connections) (CrierBackend *self,
                                 const char   *app_id);
  GPtrArray *(*dup_channels) (CrierBackend *self,
                              const char   *app_id,
                              const char   *prefix);
  GPtrArray *(*dup_members) (CrierBackend *self,
                             const char   *app_id,
                             const char   *channel);
  void (*get_stats) (CrierBackend     *self,
                     CrierServerStats *stats);
  /* nullable: NULL means not part of a cluster (or cannot tell) */
  CrierClusterInfo *(*dup_cluster_info) (CrierBackend *self);

  void (*publish) (CrierBackend       *self,
                   const char         *app_id,
                   const char *const  *channels,
                   const char         *event,
                   const char         *data,
                   const char         *except_socket_id,
                   GCancellable       *cancellable,
                   GAsyncReadyCallback callback,
                   gpointer            user_data);
  void (*send_notification) (CrierBackend       *self,
                             const char         *app_id,
                             const char         *user_id,
                             const char         *type,
                             const char         *data,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data);
  void (*send_client_event) (CrierBackend       *self,
                             const char         *app_id,
                             const char         *channel,
                             const char         *event,
                             const char         *data,
                             const char         *user_id,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data);
  void (*add_simulated_member) (CrierBackend       *self,
                                const char         *app_id,
                                const char         *channel,
                                const char         *user_id,
                                const char         *user_info,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data);
  void (*remove_simulated_member) (CrierBackend       *self,
                                   const char         *app_id,
                                   const char         *channel,
                                   const char         *user_id,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);
  void (*disconnect) (CrierBackend       *self,
                      const char         *socket_id,
                      guint16             code,
                      const char         *reason,
                      GCancellable       *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer            user_data);
  gboolean (*command_finish) (CrierBackend *self,
                              GAsyncResult *result,
                              GError      **error);
  /* Nullable: without it, a publication's receivers are unknown. */
  gboolean (*publish_finish) (CrierBackend *self,
                              GAsyncResult *result,
                              gint64       *receivers,
                              GError      **error);
};

CrierMonitor     *crier_backend_get_monitor (CrierBackend *self);
CrierBackendState crier_backend_get_state (CrierBackend *self);
/* Returns: (nullable): why the state is what it is (a refusal, a network error, what an
 * observer could not see). */
const char *crier_backend_get_problem (CrierBackend *self);
/* The apps it shows: the embedded server's, or one app built from the credentials given
 * (its secret stays in memory). */
CrierConfig *crier_backend_get_config (CrierBackend *self);
unsigned     crier_backend_get_port (CrierBackend *self);
gboolean     crier_backend_is_tls (CrierBackend *self);
/* Returns: (transfer full) (nullable): where a remote or observed server is
 * ("ws://staging:6001"); NULL for the embedded one. */
char             *crier_backend_dup_address (CrierBackend *self);
CrierBackendFlags crier_backend_get_flags (CrierBackend *self);
/* Running, connected or observing: commands can go through and snapshots mean something. */
gboolean crier_backend_is_ready (CrierBackend *self);

/* Snapshots: copies (see crier-server.h for the types); app_id NULL: every app. */
GPtrArray *crier_backend_dup_connections (CrierBackend *self,
                                          const char   *app_id);
GPtrArray *crier_backend_dup_channels (CrierBackend *self,
                                       const char   *app_id,
                                       const char   *prefix);
GPtrArray *crier_backend_dup_members (CrierBackend *self,
                                      const char   *app_id,
                                      const char   *channel);
void       crier_backend_get_stats (CrierBackend     *self,
                                    CrierServerStats *stats);
/* Returns: (transfer full) (nullable): the node's place in its cluster, NULL without one. */
CrierClusterInfo *crier_backend_dup_cluster_info (CrierBackend *self);

/* Commands: the callback (nullable) runs on the caller's thread-default context; finish
 * every one with crier_backend_command_finish () (a publication also with
 * crier_backend_publish_finish ()). A command the backend cannot do fails
 * with CRIER_BACKEND_ERROR_NOT_SUPPORTED. */
gboolean crier_backend_command_finish (CrierBackend *self,
                                       GAsyncResult *result,
                                       GError      **error);
/* crier_backend_publish ()'s answer and how many frames it delivered (@receivers,
 * nullable): a connection on two of the channels counts twice. What a backend cannot know
 * (an observed server, a cluster, whose other nodes deliver too) is
 * CRIER_BACKEND_RECEIVERS_UNKNOWN, never 0. */
#define CRIER_BACKEND_RECEIVERS_UNKNOWN (-1)
gboolean crier_backend_publish_finish (CrierBackend *self,
                                       GAsyncResult *result,
                                       gint64       *receivers,
                                       GError      **error);
void     crier_backend_publish (CrierBackend       *self,
                                const char         *app_id,
                                const char *const  *channels,
                                const char         *event,
                                const char         *data,
                                const char         *except_socket_id,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data);
void     crier_backend_send_notification (CrierBackend       *self,
                                          const char         *app_id,
                                          const char         *user_id,
                                          const char         *type,
                                          const char         *data,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
void     crier_backend_send_client_event (CrierBackend       *self,
                                          const char         *app_id,
                                          const char         *channel,
                                          const char         *event,
                                          const char         *data,
                                          const char         *user_id,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
void     crier_backend_add_simulated_member (CrierBackend       *self,
                                             const char         *app_id,
                                             const char         *channel,
                                             const char         *user_id,
                                             const char         *user_info,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
void     crier_backend_remove_simulated_member (CrierBackend       *self,
                                                const char         *app_id,
                                                const char         *channel,
                                                const char         *user_id,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
void     crier_backend_disconnect (CrierBackend       *self,
                                   const char         *socket_id,
                                   guint16             code,
                                   const char         *reason,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data);

/* For implementations: a command that cannot run here fails, on the next main-loop turn,
 * with a CRIER_BACKEND_ERROR the caller finishes with crier_backend_command_finish (). */
void crier_backend_return_error (CrierBackend       *self,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data,
                                 CrierBackendError   code,
                                 const char         *message);
void crier_backend_emit_reset (CrierBackend *self);
/* base_url: http(s)://host[:port]. The WebSocket address a client would use
 * ("ws://staging:6001"), and the port (the scheme's default when none is given). */
char    *crier_backend_dup_ws_address (const char *base_url);
unsigned crier_backend_port_from_url (const char *base_url);

G_END_DECLS
