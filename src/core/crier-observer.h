/* crier-observer.h — watching a Pusher server that is not Crier (soketi, Reverb, Pusher) as
 * a client of it: occupied channels from its HTTP API, their events by subscribing
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "crier-monitor-event.h"

G_BEGIN_DECLS

#define CRIER_TYPE_OBSERVER (crier_observer_get_type ())
G_DECLARE_FINAL_TYPE (CrierObserver, crier_observer, CRIER, OBSERVER, GObject)

/* base_url: http(s)://host:port of the server. master_key (nullable): base64 of the app's
 * encryption master key, to read private-encrypted- channels. */
CrierObserver *crier_observer_new (const char *base_url,
                                   const char *app_id,
                                   const char *key,
                                   const char *secret,
                                   const char *master_key,
                                   gboolean    insecure);
void           crier_observer_start (CrierObserver *self);
void           crier_observer_stop (CrierObserver *self);
/* The user id the observer joins presence channels as (its members see it). */
#define CRIER_OBSERVER_USER_ID "crier-observer"

G_END_DECLS
