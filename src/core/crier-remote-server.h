/* crier-remote-server.h — another Crier seen through its monitor endpoint: the same
 * commands, snapshots and monitor stream as the server in this process
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "crier-backend.h"

G_BEGIN_DECLS

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
const char        *crier_remote_server_get_app_id (CrierRemoteServer *self);
/* TRUE (the default): snapshots are asked for again after the events that change them, for
 * a window's lists. FALSE: only the one the server sends on each connection, for a reader
 * of the stream alone (crier tail). */
void crier_remote_server_set_refresh (CrierRemoteServer *self,
                                      gboolean           refresh);
/* The HTTP status (400 or more) the last connection attempt was answered with instead of a
 * WebSocket; 0 when it was not answered so, or it succeeded. 404 means NOT_CRIER; for other
 * statuses the state is RECONNECTING and a front end may decide to give up. */
unsigned crier_remote_server_get_http_status (CrierRemoteServer *self);

/* Everything else is CrierBackend's: state CONNECTING, CONNECTED, RECONNECTING (back-off),
 * REFUSED or NOT_CRIER (no retry for either); snapshots are copies of what the last
 * crier:snapshot said (the class's "changed" when a new one came, the interface's "reset"
 * for the first after each connection); commands are answered by the server's
 * crier:result. Signal "missed" (guint64 count): the server skipped that many monitor
 * events because they were read too slowly. Signal "unreadable-event" (const char *why): a
 * monitor event this version cannot read was skipped. */

G_END_DECLS
