/* crier-server-private.h — the state shared by the server's parts (connections, channels,
 * apps, protocol); nothing outside src/core includes it
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "crier-config.h"
#include "crier-monitor.h"
#include "crier-poller.h"
#include "crier-server.h"
#include "crier-webhooks.h"

G_BEGIN_DECLS

typedef enum
{
  CRIER_CONNECTION_OPEN,
  CRIER_CONNECTION_CLOSING, /* close frame sent, waiting for the peer's */
  CRIER_CONNECTION_CLOSED,
} CrierConnectionState;

typedef struct
{
  CrierChannel *channel;
  char         *user_id; /* presence channels: the member this socket joined as */
} CrierSubscription;

/* Per-socket state, kept small: tens of thousands of these sit idle. */
struct _CrierConnection
{
  CrierServer          *server; /* borrowed: the server outlives its connections */
  CrierApp             *app;    /* NULL until the connection-time checks pass */
  int                   fd;
  CrierConnectionState  state;
  guint8                protocol;
  guint8                fragment_opcode; /* of the message being reassembled */
  gboolean              ping_outstanding : 1;
  gboolean              authorized : 1;  /* signed in or subscribed to private/presence */
  gboolean              want_write : 1;
  gboolean              doomed : 1;      /* to be aborted at the end of this pass */
  gboolean              dirty : 1;       /* frames queued since the last flush */
  gboolean              discard_input : 1; /* after a protocol violation */
  gboolean              unread : 1;      /* TLS may hold input: read again next pass */
  GIOStream            *tls_stream;      /* NULL for plain sockets (read with recv) */
  char                  socket_id[24];
  char                 *remote;
  char                 *origin;
  gint64                connected_at;    /* real time, µs */
  gint64                last_activity;   /* monotonic, µs */
  gint64                deadline;        /* monotonic, µs: ping reply or close handshake */
  GByteArray           *inbuf;           /* bytes of an incomplete frame */
  GByteArray           *fragments;       /* a fragmented message being reassembled */
  guint64               skip;            /* payload bytes of a refused frame still to drop */
  GQueue                outq;            /* GBytes frames not yet written */
  gsize                 out_offset;      /* into the head of outq */
  gsize                 out_bytes;
  GPtrArray            *subscriptions;   /* of CrierSubscription, NULL when none */
  char                 *user_id;         /* after pusher:signin */
  char                 *user_info;       /* JSON text from the sign-in user_data */
  gint64                rate_window;     /* monotonic second of the client-event bucket */
  unsigned              rate_count;
  guint64               messages_in;
  guint64               messages_out;
};

typedef struct
{
  char    *user_id;
  char    *user_info; /* JSON text or NULL */
  unsigned sockets;   /* connections as this user, plus one if simulated */
  gboolean simulated; /* added from the dashboard, no connection behind it */
} CrierMember;

struct _CrierChannel
{
  char            *name;
  CrierChannelType type;
  CrierApp        *app;
  GHashTable      *subscribers; /* CrierConnection* → CrierSubscription* */
  GHashTable      *members;     /* presence: user id → CrierMember */
  char            *cached_event;
  char            *cached_data;
  gint64           cache_expires; /* monotonic µs */
  guint64          events;
};

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

struct _CrierServer
{
  GObject       parent_instance;
  CrierConfig  *config;
  CrierMonitor *monitor;
  SoupServer   *soup;
  SoupServer   *metrics_soup; /* NULL: /metrics on the main port */
  struct _CrierAcceptor *acceptor;
  struct _CrierAcceptor *metrics_acceptor;
  CrierPoller  *poller;
  GHashTable   *apps_by_key; /* key → CrierApp */
  GHashTable   *apps_by_id;  /* id → CrierApp (same objects, not owned) */
  /* A connection's life: in connections while open or closing; finish () buries it
   * (out of the poller and the table, into the graveyard); empty_graveyard () frees it and
   * nothing else does. dirty and doomed may still name buried connections: both are
   * emptied (crier_server_flush) before the graveyard is. */
  GHashTable   *connections; /* socket id → CrierConnection (owned) */
  GPtrArray    *graveyard;   /* finished connections, freed between poller batches */
  GPtrArray    *doomed;      /* connections to abort at the end of this pass */
  GPtrArray    *dirty;       /* connections with frames to write at the end of this pass */
  guint         flush_id;    /* the end of a pass outside a poller batch */
  GPtrArray    *unread;      /* TLS connections whose read budget ran out */
  GSource      *unread_source;
  gboolean      in_batch;    /* inside a poller batch: it flushes when it ends */
  JsonParser   *parser;
  CrierBroker  *broker; /* NULL: deliver locally */
  CrierWebhooks *webhooks; /* NULL when no app has webhooks */
  guint8       *read_buffer;
  guint         sweep_id;
  guint64       next_socket;
  unsigned      port;
  gboolean      tls;
  gboolean      running;
  CrierServerStats stats;
};

/* crier-connection.c */
CrierConnection *crier_connection_new (CrierServer *server,
                                       int          fd,
                                       GIOStream   *tls_stream);
void             crier_connection_free (CrierConnection *conn);
void             crier_connection_send (CrierConnection *conn,
                                        GBytes          *frame);
void             crier_connection_send_error (CrierConnection *conn,
                                              int              code,
                                              const char      *message);
void             crier_connection_close (CrierConnection *conn,
                                         guint16          code,
                                         const char      *reason);
void             crier_connection_abort (CrierConnection *conn,
                                         const char      *why);
void             crier_connection_feed (CrierConnection *conn,
                                        guint8          *data,
                                        gsize            length);
void             crier_connection_flush (CrierConnection *conn);
void             crier_connection_ready (CrierConnection *conn,
                                         guint32          events);
void             crier_connection_check_deadline (CrierConnection *conn,
                                                  gint64           now);

/* crier-channel.c */
CrierChannel *crier_channel_new (CrierApp   *app,
                                 const char *name);
void          crier_channel_free (CrierChannel *channel);
unsigned      crier_channel_deliver (CrierChannel    *channel,
                                     GBytes          *frame,
                                     CrierConnection *except);
gboolean      crier_channel_is_idle (CrierChannel *channel,
                                     gint64        now);
char         *crier_channel_dup_presence_data (CrierChannel *channel);
void          crier_channel_announce_member (CrierChannel    *channel,
                                             CrierMember     *member,
                                             CrierConnection *except);
void          crier_channel_remove_member (CrierChannel *channel,
                                           const char   *user_id);

/* crier-app.c */
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

/* crier-protocol.c */
void crier_protocol_open (CrierConnection *conn,
                          const char      *path,
                          GHashTable      *query);
void crier_protocol_handle_text (CrierConnection *conn,
                                 const char      *text,
                                 gsize            length);
void crier_protocol_detach (CrierConnection *conn);

/* crier-server.c */
CrierMonitorEvent *crier_server_event_new (CrierServer      *self,
                                           CrierMonitorKind  kind,
                                           CrierConnection  *conn,
                                           const char       *channel);
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

G_END_DECLS
