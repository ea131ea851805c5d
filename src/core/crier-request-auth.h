/* crier-request-auth.h — the signature of an HTTP API request or a monitor connection
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include "crier-server.h"

G_BEGIN_DECLS

/* Whether query signs method and path (and body, NULL or empty for none) with app's key and
 * secret; if not, problem is set to one line saying what was wrong. */
gboolean crier_request_auth_verify (CrierServer *server,
                                    CrierApp    *app,
                                    const char  *method,
                                    const char  *path,
                                    GHashTable  *query,
                                    GBytes      *body,
                                    char       **problem);

G_END_DECLS
