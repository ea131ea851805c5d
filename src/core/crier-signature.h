/* crier-signature.h — HMAC-SHA256 signatures of channel auth, sign-in and the HTTP API
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "crier-types.h"

G_BEGIN_DECLS

char    *crier_signature_compute (const char *secret,
                                  const char *data,
                                  gssize      length);
gboolean crier_signature_equal (const char *expected,
                                const char *given);
gboolean crier_signature_check_auth (const char *auth,
                                     const char *app_key,
                                     const char *secret,
                                     const char *string_to_sign,
                                     char      **message);
gboolean crier_signature_parse_timestamp (const char *text,
                                          gint64     *seconds);
guint64  crier_signature_timestamp_distance (gint64 a,
                                             gint64 b);

char *crier_signature_api_string (const char *method,
                                  const char *path,
                                  GHashTable *query);
void  crier_signature_sign_api_request (GHashTable *query,
                                        const char *method,
                                        const char *path,
                                        const char *key,
                                        const char *secret,
                                        GBytes     *body);

G_END_DECLS
