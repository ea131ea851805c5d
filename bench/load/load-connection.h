/* load-connection.h — the connection table: sockets, their states, the epoll loop
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <netinet/in.h>

#include "load-buffer.h"
#include "load-frame.h"
#include "load-verdict.h"

G_BEGIN_DECLS

typedef enum
{
  LOAD_CONN_IDLE,
  LOAD_CONN_CONNECTING,
  LOAD_CONN_UPGRADING,
  LOAD_CONN_WAIT_WELCOME,
  LOAD_CONN_SUBSCRIBING,
  LOAD_CONN_READY,
  LOAD_CONN_CLOSED,
} LoadConnState;

typedef enum
{
  LOAD_ROLE_SUBSCRIBER,
  LOAD_ROLE_PUBLISHER,
  LOAD_ROLE_HTTP,
} LoadConnRole;

typedef struct
{
  int           fd;
  unsigned      index;
  LoadConnState state;
  LoadConnRole  role;
  gboolean      want_out;
  LoadBuffer    in;
  LoadBuffer    out;
  GByteArray   *frag;
  char          accept[32];
  char          socket_id[32];
  gint64        t_start;
  gint64        t_ready;
  gint64        t_rx;
  /* HTTP: one request in flight per keep-alive connection */
  gboolean busy;
  gint64   req_t;
  guint64  req_seq;
} LoadConn;

typedef struct _LoadConnTable LoadConnTable;

/* A complete text message arrived on a WebSocket connection. */
typedef void (*LoadMessageFunc) (LoadConnTable *table,
                                 LoadConn      *c,
                                 const char    *msg,
                                 size_t         len,
                                 gint64         now,
                                 gpointer       user_data);
/* A complete response arrived on an HTTP connection. */
typedef void (*LoadResponseFunc) (LoadConnTable *table,
                                  LoadConn      *c,
                                  int            status,
                                  const char    *body,
                                  size_t         body_len,
                                  gpointer       user_data);

struct _LoadConnTable
{
  int                epfd;
  struct sockaddr_in addr;
  unsigned           sources;
  gboolean           verbose;
  char              *upgrade_head; /* the upgrade request up to the key */
  /* --sub-ports: subscribers go to these ports in turn (by connection index), with
   * their own upgrade heads; publishers and HTTP connections stay on addr */
  unsigned            n_sub_ports;
  struct sockaddr_in *sub_addrs;
  char              **sub_heads;
  LoadConn           *conns;
  unsigned            n_conns;
  unsigned            n_ws; /* conns[0 .. n_ws) are WebSocket connections */
  unsigned            n_started;
  unsigned            n_ready;
  gboolean            closing;
  guint32             rng;
  gint64              t_keepalive; /* a coarse clock for t_rx, see load_protocol_keepalive */
  guint64             reconnects;  /* HTTP connections the server closed */
  LoadVerdict        *verdict;
  LoadMessageFunc     message_func;
  gpointer            message_data;
  LoadResponseFunc    response_func;
  gpointer            response_data;
};

gboolean load_conn_table_init (LoadConnTable *table,
                               LoadVerdict   *verdict,
                               const char    *host,
                               int            port,
                               const char    *app_key,
                               unsigned       sources,
                               gboolean       verbose,
                               unsigned       n_ws,
                               unsigned       n_http);
void     load_conn_table_set_sub_ports (LoadConnTable *table,
                                        const char    *host,
                                        const char    *app_key,
                                        const guint16 *ports,
                                        unsigned       n_ports);
int      load_conn_table_port (const LoadConnTable *table,
                               const LoadConn      *c);
unsigned load_parse_ports (const char *text,
                           guint16    *ports,
                           unsigned    max_ports);
void     load_conn_table_clear (LoadConnTable *table);
void     load_conn_table_poll (LoadConnTable *table,
                               int            timeout_ms);

void load_conn_open (LoadConnTable *table,
                     LoadConn      *c,
                     LoadConnRole   role);
void load_conn_close (LoadConnTable *table,
                      LoadConn      *c);
void load_conn_fail (LoadConnTable *table,
                     LoadConn      *c,
                     const char    *format,
                     ...) G_GNUC_PRINTF (3, 4);
void load_conn_set_ready (LoadConnTable *table,
                          LoadConn      *c,
                          gint64         now);
void load_conn_send (LoadConnTable *table,
                     LoadConn      *c,
                     const void    *data,
                     size_t         len);
void load_conn_send_frame (LoadConnTable *table,
                           LoadConn      *c,
                           CrierOpcode    opcode,
                           const void    *payload,
                           size_t         len);
void load_conn_send_text (LoadConnTable *table,
                          LoadConn      *c,
                          const char    *text,
                          int            len);

G_END_DECLS
