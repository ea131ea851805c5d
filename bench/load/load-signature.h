/* load-signature.h — Pusher's HMAC signatures: private channel auth, HTTP API calls
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *load_signature_channel_auth (const char *key,
                                   const char *secret,
                                   const char *socket_id,
                                   const char *channel);
char *load_signature_api_query (const char *method,
                                const char *path,
                                const char *key,
                                const char *secret,
                                gint64      timestamp,
                                const char *body);

G_END_DECLS
