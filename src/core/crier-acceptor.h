/* crier-acceptor.h — accepts TCP connections, guards them and hands them to a SoupServer
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include <libsoup/soup.h>

#include "crier-config.h"

G_BEGIN_DECLS

/* libsoup 3.2's own listener leaks every accepted GSocket (336 bytes a connection, never
 * freed), and accepts one connection per main-loop wake-up. This one accepts bursts, pauses
 * while the process is out of file descriptors, does the TLS handshake itself (bounded in
 * time, and only once a ClientHello is there), and guards each connection libsoup serves:
 * timeouts for headers, requests and idle keep-alive, the header and body limits, and the
 * closing of kept-alive connections whose client went away (which libsoup 3.2 never
 * closes). */
typedef struct _CrierAcceptor CrierAcceptor;

CrierAcceptor *crier_acceptor_new (GSocket               *listener,
                                   SoupServer            *server,
                                   GTlsCertificate       *certificate,
                                   const CrierHttpLimits *limits);
void           crier_acceptor_free (CrierAcceptor *self);
/* The WebSocket upgrade of msg was written and its connection stolen: stop guarding it.
 * Returns FALSE for a connection it does not know; else socket and base (the TCP or TLS
 * connection under libsoup's streams), both (transfer full). */
gboolean crier_acceptor_release (CrierAcceptor     *self,
                                 SoupServerMessage *msg,
                                 GSocket          **socket,
                                 GIOStream        **base);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrierAcceptor, crier_acceptor_free)

G_END_DECLS
