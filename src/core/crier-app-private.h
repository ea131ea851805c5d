/* crier-app-private.h — one app's live state: channels, signed-in users, counters
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include "crier-config.h"
#include "crier-server.h"

G_BEGIN_DECLS

struct _CrierApp
{
  CrierAppConfig *config;
  GHashTable     *channels;    /* name → CrierChannel */
  GHashTable     *users;       /* user id → GPtrArray of signed-in CrierConnection */
  unsigned        connections;
  GQueue         *past_sockets; /* recently closed socket ids, for crier-explain.c */
  GHashTable     *history;      /* channel name → events ever published (bounded), for hints */
  CrierServerStats stats; /* this app's share of the server's counters */
};

CrierApp     *crier_app_new (CrierAppConfig *config);
void          crier_app_free (CrierApp *app);
CrierChannel *crier_app_lookup_channel (CrierApp   *app,
                                        const char *name);
CrierChannel *crier_app_ensure_channel (CrierApp   *app,
                                        const char *name);
void          crier_app_release_channel (CrierApp     *app,
                                         CrierChannel *channel);
void          crier_app_add_user (CrierApp        *app,
                                  CrierConnection *conn);
void          crier_app_remove_user (CrierApp        *app,
                                     CrierConnection *conn);
void          crier_app_count_event (CrierApp   *app,
                                     const char *channel);
guint64       crier_app_count_events (CrierApp   *app,
                                      const char *channel);

G_END_DECLS
