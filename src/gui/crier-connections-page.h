/* crier-connections-page.h — the open connections, with details and disconnect
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "crier-connection-list.h"

G_BEGIN_DECLS

#define CRIER_TYPE_CONNECTIONS_PAGE (crier_connections_page_get_type ())
G_DECLARE_FINAL_TYPE (CrierConnectionsPage, crier_connections_page, CRIER, CONNECTIONS_PAGE, GtkWidget)

void crier_connections_page_set_model (CrierConnectionsPage *self,
                                       CrierConnectionList  *model);
void crier_connections_page_set_server (CrierConnectionsPage *self,
                                        CrierBackend         *server);

G_END_DECLS
