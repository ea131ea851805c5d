/* crier-protocol-private.h — Pusher protocol 7 over one connection, called by the connection
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include "crier-connection-private.h"

G_BEGIN_DECLS

void crier_protocol_open (CrierConnection *conn,
                          const char      *path,
                          GHashTable      *query);
void crier_protocol_handle_text (CrierConnection *conn,
                                 const char      *text,
                                 gsize            length);
void crier_protocol_detach (CrierConnection *conn);

G_END_DECLS
