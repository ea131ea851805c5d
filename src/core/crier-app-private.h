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
  CrierAppConfig  *config;
  GHashTable      *channels; /* name → CrierChannel */
  GHashTable      *users;    /* user id → GPtrArray of signed-in CrierConnection */
  unsigned         connections;
  GQueue          *past_sockets; /* recently closed socket ids, for crier-explain.c */
  GHashTable      *history;      /* channel name → events ever published (bounded), for hints */
  CrierServerStats stats;        /* this app's share of the server's counters */
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
void          crier_app_drop_idle_channels (CrierApp *app,
                                            gint64    now);
unsigned      crier_app_count_occupied_channels (CrierApp *app);
void          crier_app_remember_socket (CrierApp   *app,
                                         const char *socket_id);

static inline unsigned
crier_app_count_connections (CrierApp *app)
{
  return app->connections;
}

/* A connection joins (+1) or leaves (-1) the app; crier_server_count_connection () calls it. */
static inline void
crier_app_count_connection (CrierApp *app,
                            int       change)
{
  app->connections += change;
  if (change > 0)
    app->stats.connections_total++;
}

/* Recently closed socket ids, newest first (for crier-explain.c). */
static inline GList *
crier_app_peek_past_sockets (CrierApp *app)
{
  return app->past_sockets != NULL ? app->past_sockets->head : NULL;
}

/* The connections signed in as user_id, NULL when none (borrowed, not to be changed). */
static inline GPtrArray *
crier_app_lookup_user (CrierApp   *app,
                       const char *user_id)
{
  return g_hash_table_lookup (app->users, user_id);
}

/* Channel name → CrierChannel (borrowed), to read. */
static inline void
crier_app_iter_channels (CrierApp       *app,
                         GHashTableIter *iter)
{
  g_hash_table_iter_init (iter, app->channels);
}

/* Channel name → events ever published (GSIZE_TO_POINTER), to read. */
static inline void
crier_app_iter_history (CrierApp       *app,
                        GHashTableIter *iter)
{
  g_hash_table_iter_init (iter, app->history);
}

/* This app's share of the server's counters, with connections open now. */
static inline CrierServerStats
crier_app_get_stats (CrierApp *app)
{
  CrierServerStats stats = app->stats;

  stats.connections = app->connections;
  return stats;
}

G_END_DECLS
