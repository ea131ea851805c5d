/* crier-http-api.h — the Pusher HTTP API and the operational endpoints
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include <libsoup/soup.h>

#include "crier-server.h"

G_BEGIN_DECLS

void crier_http_api_handle (CrierServer       *server,
                            SoupServerMessage *msg,
                            const char        *path,
                            GHashTable        *query);

G_END_DECLS
