/* crier-http-client.h — what Crier's own clients of a server (crier send, crier tail, the
 * observer, a remote Crier) share
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* --insecure: msg accepts the server's certificate whatever it is (a development server's
 * self-signed one). */
void crier_http_client_trust_any (SoupMessage *msg);
/* The ws:// or wss:// address of app_id's monitor endpoint on the server at base_url
 * (http(s)://host:port), signed afresh: a random auth_nonce, since a signature opens one
 * monitor connection (docs/pusher-protocol.md §21.1). */
char *crier_http_client_dup_monitor_url (const char *base_url,
                                         const char *app_id,
                                         const char *key,
                                         const char *secret);

G_END_DECLS
