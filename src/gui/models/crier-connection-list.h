/* crier-connection-list.h — the open connections of a server, live
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "crier-connection-item.h"
#include "crier-live-list.h"

G_BEGIN_DECLS

#define CRIER_TYPE_CONNECTION_LIST (crier_connection_list_get_type ())
G_DECLARE_FINAL_TYPE (CrierConnectionList, crier_connection_list, CRIER, CONNECTION_LIST, CrierLiveList)

CrierConnectionList *crier_connection_list_new (CrierBackend *server);
CrierConnectionItem *crier_connection_list_find (CrierConnectionList *self,
                                                 const char          *socket_id);
void                 crier_connection_list_refresh_counters (CrierConnectionList *self);

G_END_DECLS
