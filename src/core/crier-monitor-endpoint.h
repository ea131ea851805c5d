/* crier-monitor-endpoint.h — /monitor/{app_id}: one app's snapshot, monitor stream and
 * dashboard commands over a WebSocket, signed like the HTTP API
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include "crier-server.h"

G_BEGIN_DECLS

typedef struct _CrierMonitorEndpoint CrierMonitorEndpoint;
typedef struct _CrierMonitorClient   CrierMonitorClient;

CrierMonitorEndpoint *crier_monitor_endpoint_new (CrierServer *server);
void                  crier_monitor_endpoint_free (CrierMonitorEndpoint *self);
gboolean              crier_monitor_endpoint_claims (const char *path);
void                  crier_monitor_endpoint_open (CrierConnection *conn,
                                                   const char      *path,
                                                   GHashTable      *query);
void                  crier_monitor_endpoint_handle_text (CrierConnection *conn,
                                                          const char      *text,
                                                          gsize            length);
void                  crier_monitor_endpoint_detach (CrierConnection *conn);

G_END_DECLS
