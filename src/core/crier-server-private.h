/* crier-server-private.h — the server object's state and the services it gives the other
 * units of the core
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "crier-cluster.h"
#include "crier-config.h"
#include "crier-monitor.h"
#include "crier-poller.h"
#include "crier-server.h"
#include "crier-webhooks.h"

G_BEGIN_DECLS

struct _CrierServer
{
  GObject                parent_instance;
  CrierConfig           *config;
  CrierMonitor          *monitor;
  SoupServer            *soup;
  SoupServer            *metrics_soup; /* NULL: /metrics on the main port */
  struct _CrierAcceptor *acceptor;
  struct _CrierAcceptor *metrics_acceptor;
  CrierPoller           *poller;
  GHashTable            *apps_by_key; /* key → CrierApp */
  GHashTable            *apps_by_id;  /* id → CrierApp (same objects, not owned) */
  /* A connection's life: in connections while open or closing; finish () buries it
   * (out of the poller and the table, into the graveyard); empty_graveyard () frees it and
   * nothing else does. dirty and doomed may still name buried connections: both are
   * emptied (crier_server_flush) before the graveyard is. */
  GHashTable                   *connections; /* socket id → CrierConnection (owned) */
  GPtrArray                    *graveyard;   /* finished connections, freed between poller batches */
  GPtrArray                    *doomed;      /* connections to abort at the end of this pass */
  GPtrArray                    *dirty;       /* connections with frames to write at the end of this pass */
  guint                         flush_id;    /* the end of a pass outside a poller batch */
  GPtrArray                    *unread;      /* TLS connections whose read budget ran out */
  GSource                      *unread_source;
  gboolean                      in_batch; /* inside a poller batch: it flushes when it ends */
  JsonParser                   *parser;
  CrierWebhooks                *webhooks;         /* NULL when no app has webhooks */
  struct _CrierMonitorEndpoint *monitor_endpoint; /* NULL until a monitor client comes */
  CrierCluster                 *cluster;          /* NULL without [cluster] */
  guint8                       *read_buffer;
  guint                         sweep_id;
  guint64                       next_socket;
  unsigned                      port;
  gboolean                      tls;
  gboolean                      running;
  CrierServerStats              stats;
};

CrierMonitorEvent *crier_server_event_new (CrierServer     *self,
                                           CrierMonitorKind kind,
                                           CrierConnection *conn,
                                           const char      *channel);
void               crier_server_emit (CrierServer       *self,
                                      CrierMonitorEvent *event);
void               crier_server_bury (CrierServer     *self,
                                      CrierConnection *conn);
void               crier_server_doom (CrierServer     *self,
                                      CrierConnection *conn);
void               crier_server_read_later (CrierServer     *self,
                                            CrierConnection *conn);
void               crier_server_mark_dirty (CrierServer     *self,
                                            CrierConnection *conn);
void               crier_server_flush (CrierServer *self);

#define crier_server_monitoring(server) crier_monitor_is_active ((server)->monitor)

/* The server's counters and each app's share (app nullable where noted). */
void crier_server_count_connection (CrierServer *self,
                                    CrierApp    *app,
                                    int          change);
void crier_server_count_error (CrierServer *self,
                               CrierApp    *app);
void crier_server_count_client_event (CrierServer *self,
                                      CrierApp    *app);
void crier_server_count_api_request (CrierServer *self,
                                     CrierApp    *app);
void crier_server_count_publication (CrierServer *self,
                                     CrierApp    *app);

/* Apps by id or by key; NULL when unknown. */
static inline CrierApp *
crier_server_lookup_app (CrierServer *self,
                         const char  *app_id)
{
  return app_id != NULL ? g_hash_table_lookup (self->apps_by_id, app_id) : NULL;
}

static inline CrierApp *
crier_server_lookup_app_by_key (CrierServer *self,
                                const char  *key)
{
  return key != NULL ? g_hash_table_lookup (self->apps_by_key, key) : NULL;
}

/* Every app (key → CrierApp, borrowed), to read. */
static inline void
crier_server_iter_apps (CrierServer    *self,
                        GHashTableIter *iter)
{
  g_hash_table_iter_init (iter, self->apps_by_key);
}

static inline CrierConnection *
crier_server_lookup_connection (CrierServer *self,
                                const char  *socket_id)
{
  return g_hash_table_lookup (self->connections, socket_id);
}

/* One validated publication, as crier_server_publish () hands it to delivery.
 *
 * Where a cluster broker plugs in (the cluster-mode issue: Redis between nodes):
 * crier_server_publish () validates and counts, then calls crier_server_deliver (), which
 * delivers on this node. A broker sits between the two: it sends the publication (origin
 * node, app, channels, excluded socket id, the frame) to the other nodes, delivers
 * locally, and calls crier_server_deliver () for what arrives from them. The other
 * crossings are each in one place: client events (handle_client_event () in
 * crier-protocol.c, crier_server_send_client_event ()); presence admission and
 * member_added/removed, occupied and vacated (add_subscription () and
 * remove_subscription () in crier-protocol.c, the simulated members of
 * crier-server-participant.c), whose monitor events also drive the webhooks. */
typedef struct
{
  const char        *app_id;
  const char *const *channels;
  const char        *event;
  const char        *data;
  const char        *except_socket_id; /* nullable */
  guint64            request_id;       /* the HTTP API request that made it, 0 if none */
} CrierPublication;

gboolean crier_server_publish_publication (CrierServer            *self,
                                           const CrierPublication *publication,
                                           GError                **error);
unsigned crier_server_deliver (CrierServer            *self,
                               const CrierPublication *publication);

/* What arrives from the other nodes of a cluster (crier-cluster.c): a frame another node
 * serialised, for this node's subscribers of one channel; terminate_connections. */
void     crier_server_deliver_frame (CrierServer *self,
                                     const char  *app_id,
                                     const char  *channel,
                                     GBytes      *frame,
                                     const char  *except_socket_id);
unsigned crier_server_terminate_local_user (CrierServer *self,
                                            const char  *app_id,
                                            const char  *user_id);
void     crier_server_close_all (CrierServer *self,
                                 guint16      code,
                                 const char  *reason);

G_END_DECLS
