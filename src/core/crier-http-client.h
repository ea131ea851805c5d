/* crier-http-client.h — what Crier's own clients of a server (crier send, crier tail, the
 * observer, a remote Crier) share
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* --insecure: msg accepts the server's certificate whatever it is (a development server's
 * self-signed one). */
void crier_http_client_trust_any (SoupMessage *msg);

G_END_DECLS
