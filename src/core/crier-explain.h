/* crier-explain.h — plain-words explanations of auth failures and missed deliveries
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include "crier-server.h"

G_BEGIN_DECLS

char *crier_explain_channel_auth (CrierConnection *conn,
                                  const char      *channel,
                                  const char      *channel_data,
                                  const char      *auth);
char *crier_explain_signin (CrierConnection *conn,
                            const char      *user_data,
                            const char      *auth);
char *crier_explain_api_signature (CrierServer *server,
                                   CrierApp    *app,
                                   const char  *string_to_sign,
                                   const char  *signature);
char *crier_explain_api_key (CrierServer *server,
                             CrierApp    *app,
                             const char  *key);
char *crier_explain_unknown_key (CrierServer *server,
                                 const char  *key);
char *crier_explain_near_miss (CrierApp   *app,
                               const char *channel,
                               gboolean    by_events);
char *crier_explain_listen (const char *event);

G_END_DECLS
