/* crier-observer-backend.h — a server that is not Crier (soketi, Reverb, Pusher) as the
 * dashboard's backend: what CrierObserver sees, as a monitor stream and snapshots
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "crier-backend.h"

G_BEGIN_DECLS

#define CRIER_TYPE_OBSERVER_BACKEND (crier_observer_backend_get_type ())
G_DECLARE_FINAL_TYPE (CrierObserverBackend, crier_observer_backend, CRIER, OBSERVER_BACKEND, GObject)

/* base_url: http(s)://host:port of the server; master_key (nullable): base64 of the app's
 * encryption master key. It can publish (through the server's HTTP API) and see channels,
 * their events and presence members; it cannot list connections, disconnect, simulate
 * members or send client events as the server (CRIER_BACKEND_ERROR_NOT_SUPPORTED). */
CrierObserverBackend *crier_observer_backend_new (const char *base_url,
                                                  const char *app_id,
                                                  const char *key,
                                                  const char *secret,
                                                  const char *master_key,
                                                  gboolean    insecure);
void                  crier_observer_backend_start (CrierObserverBackend *self);
void                  crier_observer_backend_stop (CrierObserverBackend *self);

G_END_DECLS
