/* crier-connection-private.h — one WebSocket connection: its state and what the rest of the core asks of it
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include <gio/gio.h>

#include "crier-server.h"

G_BEGIN_DECLS

typedef enum
{
  CRIER_CONNECTION_OPEN,
  CRIER_CONNECTION_CLOSING, /* close frame sent, waiting for the peer's */
  CRIER_CONNECTION_CLOSED,
} CrierConnectionState;

/* Per-socket state, kept small: tens of thousands of these sit idle. */
struct _CrierConnection
{
  CrierServer                *server; /* borrowed: the server outlives its connections */
  CrierApp                   *app;    /* NULL until the connection-time checks pass */
  int                         fd;
  CrierConnectionState        state;
  guint8                      protocol;
  guint8                      fragment_opcode; /* of the message being reassembled */
  gboolean                    ping_outstanding : 1;
  gboolean                    authorized : 1; /* signed in or subscribed to private/presence */
  gboolean                    want_write : 1;
  gboolean                    doomed : 1;        /* to be aborted at the end of this pass */
  gboolean                    dirty : 1;         /* frames queued since the last flush */
  gboolean                    discard_input : 1; /* after a protocol violation */
  gboolean                    unread : 1;        /* TLS may hold input: read again next pass */
  GIOStream                  *tls_stream;        /* NULL for plain sockets (read with recv) */
  char                        socket_id[24];
  char                       *remote;
  char                       *origin;
  gint64                      connected_at;  /* real time, µs */
  gint64                      last_activity; /* monotonic, µs */
  gint64                      deadline;      /* monotonic, µs: ping reply or close handshake */
  GByteArray                 *inbuf;         /* bytes of an incomplete frame */
  GByteArray                 *fragments;     /* a fragmented message being reassembled */
  guint64                     skip;          /* payload bytes of a refused frame still to drop */
  GQueue                      outq;          /* GBytes frames not yet written */
  gsize                       out_offset;    /* into the head of outq */
  gsize                       out_bytes;
  GPtrArray                  *subscriptions;  /* of CrierSubscription, NULL when none */
  char                       *user_id;        /* after pusher:signin */
  char                       *user_info;      /* JSON text from the sign-in user_data */
  struct _CrierMonitorClient *monitor_client; /* /monitor/ connections only (no app) */
  gint64                      rate_window;    /* monotonic second of the client-event bucket */
  unsigned                    rate_count;
  guint64                     messages_in;
  guint64                     messages_out;
};

CrierConnection     *crier_connection_new (CrierServer *server,
                                           int          fd,
                                           GIOStream   *tls_stream);
void                 crier_connection_free (CrierConnection *conn);
CrierConnectionInfo *crier_connection_dup_info (CrierConnection *conn);

static inline gboolean
crier_connection_is_open (CrierConnection *conn)
{
  return conn->state == CRIER_CONNECTION_OPEN;
}

void crier_connection_send (CrierConnection *conn,
                            GBytes          *frame);
void crier_connection_send_error (CrierConnection *conn,
                                  int              code,
                                  const char      *message);
void crier_connection_close (CrierConnection *conn,
                             guint16          code,
                             const char      *reason);
void crier_connection_abort (CrierConnection *conn,
                             const char      *why);
void crier_connection_feed (CrierConnection *conn,
                            guint8          *data,
                            gsize            length);
void crier_connection_flush (CrierConnection *conn);
void crier_connection_ready (CrierConnection *conn,
                             guint32          events);
void crier_connection_check_deadline (CrierConnection *conn,
                                      gint64           now);

G_END_DECLS
