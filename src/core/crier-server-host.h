/* crier-server-host.h — a CrierServer on a thread of its own, reached through the
 * front-end contract only (commands, snapshots, the monitor stream)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "crier-backend.h"
#include "crier-config.h"
#include "crier-monitor.h"
#include "crier-server.h"

G_BEGIN_DECLS

/* Monitor events queued for the front end beyond this are dropped, ordinary ones first. */
#define CRIER_SERVER_HOST_DEFAULT_QUEUE_LIMIT 20000
/* The front end takes the queued monitor events at most this often. */
#define CRIER_SERVER_HOST_DRAIN_MS 50

#define CRIER_TYPE_SERVER_HOST (crier_server_host_get_type ())
G_DECLARE_FINAL_TYPE (CrierServerHost, crier_server_host, CRIER, SERVER_HOST, GObject)

CrierServerHost *crier_server_host_new (CrierConfig *config,
                                        CrierConfig *server_config);
CrierConfig     *crier_server_host_get_config (CrierServerHost *self);
CrierMonitor    *crier_server_host_get_monitor (CrierServerHost *self);
gboolean         crier_server_host_is_running (CrierServerHost *self);
unsigned         crier_server_host_get_port (CrierServerHost *self);
gboolean         crier_server_host_is_tls (CrierServerHost *self);
guint64          crier_server_host_get_dropped (CrierServerHost *self);
guint            crier_server_host_get_queue_limit (CrierServerHost *self);
void             crier_server_host_set_queue_limit (CrierServerHost *self,
                                                    guint            limit);

/* Start and stop: a round trip (the caller waits; see crier-server-host.c) or async, the
 * callback (nullable) on the caller's thread-default context, finished like every command
 * with crier_backend_command_finish (). The other commands are CrierBackend's only
 * (crier_backend_publish () and the rest, with CRIER_BACKEND (host)). */
gboolean crier_server_host_start (CrierServerHost *self,
                                  GError         **error);
void     crier_server_host_stop (CrierServerHost *self,
                                 guint16          code,
                                 const char      *reason);
void     crier_server_host_start_async (CrierServerHost    *self,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
void     crier_server_host_stop_async (CrierServerHost    *self,
                                       guint16             code,
                                       const char         *reason,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);

/* Snapshots (deep copies made on the server's thread) and the cluster view are the
 * CrierBackend interface's: crier_backend_dup_connections () and the others. */

G_END_DECLS
