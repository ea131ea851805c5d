/* crier-poller.h — one epoll-backed GSource for every client socket
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include <glib.h>

G_BEGIN_DECLS

/* GLib's main loop polls every source on every wake-up; with one source per socket a
 * server with 10 000 idle connections spends its time in poll(). One epoll source keeps
 * the cost of a wake-up proportional to the sockets that are ready. */
typedef struct _CrierPoller CrierPoller;

typedef void (*CrierPollerFunc) (gpointer item,
                                 guint32  events,
                                 gpointer user_data);

CrierPoller *crier_poller_new (CrierPollerFunc ready,
                               GSourceFunc     before_batch,
                               GSourceFunc     after_batch,
                               gpointer        user_data);
void         crier_poller_free (CrierPoller *self);
gboolean     crier_poller_add (CrierPoller *self,
                               int          fd,
                               guint32      events,
                               gpointer     item);
void         crier_poller_modify (CrierPoller *self,
                                  int          fd,
                                  guint32      events,
                                  gpointer     item);
void         crier_poller_remove (CrierPoller *self,
                                  int          fd);

G_END_DECLS
