/* crier-acceptor.h — accepts TCP connections and hands them to a SoupServer
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* libsoup 3.2's own listener leaks every accepted GSocket (336 bytes a connection, never
 * freed), and accepts one connection per main-loop wake-up. This one accepts bursts and
 * remembers each connection's socket so that the WebSocket upgrade can take its fd. */
typedef struct _CrierAcceptor CrierAcceptor;

CrierAcceptor *crier_acceptor_new (GSocket         *listener,
                                   SoupServer      *server,
                                   GTlsCertificate *certificate);
void           crier_acceptor_free (CrierAcceptor *self);
GSocket       *crier_acceptor_lookup_socket (CrierAcceptor  *self,
                                             GSocketAddress *remote);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrierAcceptor, crier_acceptor_free)

G_END_DECLS
