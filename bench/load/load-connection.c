/* load-connection.c — the connection table: sockets, their states, the epoll loop
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One thread, one epoll set, every socket non-blocking.  A connection goes
 * CONNECTING → UPGRADING → WAIT_WELCOME → SUBSCRIBING → READY (HTTP ones straight
 * to READY); this file takes it as far as WAIT_WELCOME and hands complete text
 * messages and HTTP responses to the table's functions. */

#define _GNU_SOURCE
#define G_LOG_DOMAIN "crier-load"

#include "load-connection.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "load-http.h"
#include "load-time.h"

/* every read lands here first: most need no copy into the connection's buffer */
static guint8 scratch[256 * 1024];

static void conn_flush (LoadConnTable *table,
                        LoadConn      *c);

static guint32
table_random (LoadConnTable *table)
{
  /* xorshift32: mask keys need to vary, not to be secret, and must be cheap */
  guint32 x = table->rng;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return table->rng = x;
}

static void
conn_want_out (LoadConnTable *table,
               LoadConn      *c,
               gboolean       want)
{
  struct epoll_event ev = { .events = EPOLLIN | (want ? EPOLLOUT : 0), .data.u32 = c->index };

  if (c->want_out == want)
    return;
  c->want_out = want;
  if (epoll_ctl (table->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
    load_verdict_fail (table->verdict, "epoll_ctl: %s", g_strerror (errno));
}

void
load_conn_close (LoadConnTable *table,
                 LoadConn      *c)
{
  if (c->fd >= 0)
    {
      close (c->fd);
      c->fd = -1;
    }
  if (c->state == LOAD_CONN_READY && c->role != LOAD_ROLE_HTTP && table->n_ready > 0)
    table->n_ready--;
  c->state = LOAD_CONN_CLOSED;
  c->want_out = FALSE;
  load_buffer_clear (&c->in);
  load_buffer_clear (&c->out);
  g_clear_pointer (&c->frag, g_byte_array_unref);
}

/* The server went away or broke the protocol: fatal for every scenario. */
void
load_conn_fail (LoadConnTable *table,
                LoadConn      *c,
                const char    *format,
                ...)
{
  va_list          args;
  g_autofree char *text = NULL;
  const char      *what = c->role == LOAD_ROLE_HTTP ? "http" : "ws";

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  load_conn_close (table, c);
  if (table->closing)
    return;
  load_verdict_report (table->verdict, "%s connection %u: %s", what, c->index, text);
  load_verdict_fail (table->verdict, "%s connection %u: %s", what, c->index, text);
}

/* Subscribed: the connection counts towards n_ready from now on. */
void
load_conn_set_ready (LoadConnTable *table,
                     LoadConn      *c,
                     gint64         now)
{
  c->state = LOAD_CONN_READY;
  c->t_ready = now;
  table->n_ready++;
}

void
load_conn_send (LoadConnTable *table,
                LoadConn      *c,
                const void    *data,
                size_t         len)
{
  load_buffer_append (&c->out, data, len);
  conn_flush (table, c);
}

static void
conn_flush (LoadConnTable *table,
            LoadConn      *c)
{
  while (c->out.pos < c->out.len)
    {
      ssize_t n = send (c->fd, c->out.data + c->out.pos, c->out.len - c->out.pos, MSG_NOSIGNAL);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            {
              conn_want_out (table, c, TRUE);
              return;
            }
          load_conn_fail (table, c, "write: %s", g_strerror (errno));
          return;
        }
      c->out.pos += (size_t) n;
    }
  c->out.pos = c->out.len = 0;
  conn_want_out (table, c, FALSE);
}

void
load_conn_send_frame (LoadConnTable *table,
                      LoadConn      *c,
                      CrierOpcode    opcode,
                      const void    *payload,
                      size_t         len)
{
  if (c->state == LOAD_CONN_CLOSED)
    return;
  load_frame_append (&c->out, opcode, payload, len, table_random (table));
  conn_flush (table, c);
}

void
load_conn_send_text (LoadConnTable *table,
                     LoadConn      *c,
                     const char    *text,
                     int            len)
{
  if (table->verbose)
    fprintf (stderr, "%u > %.*s\n", c->index, len, text);
  load_conn_send_frame (table, c, CRIER_OPCODE_TEXT, text, (size_t) len);
}

/* Where C connects, and with which upgrade head: with --sub-ports a subscriber goes
 * to one of them in turn, so S subscribers split evenly over the nodes of a cluster. */
static const struct sockaddr_in *
conn_addr (const LoadConnTable *table,
           const LoadConn      *c,
           const char         **head)
{
  unsigned i;

  if (table->n_sub_ports == 0 || c->role != LOAD_ROLE_SUBSCRIBER)
    {
      if (head != NULL)
        *head = table->upgrade_head;
      return &table->addr;
    }
  i = c->index % table->n_sub_ports;
  if (head != NULL)
    *head = table->sub_heads[i];
  return &table->sub_addrs[i];
}

void
load_conn_open (LoadConnTable *table,
                LoadConn      *c,
                LoadConnRole   role)
{
  struct epoll_event        ev = { .events = EPOLLIN | EPOLLOUT, .data.u32 = c->index };
  int                       one = 1;
  const struct sockaddr_in *addr;

  c->role = role;
  addr = conn_addr (table, c, NULL);
  c->t_start = load_now_ns ();
  c->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0)
    {
      load_conn_fail (table, c, "socket: %s", g_strerror (errno));
      return;
    }
  setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (table->sources > 1 && (ntohl (table->addr.sin_addr.s_addr) >> 24) == 127)
    {
      /* With 19000 sockets from one address to one port, the kernel's search for
       * a free ephemeral port dominates connect(); spread them over 127.0.0.x. */
      struct sockaddr_in src = {
        .sin_family = AF_INET,
        .sin_addr.s_addr = htonl (0x7f000001 + c->index % table->sources),
      };

      setsockopt (c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      if (bind (c->fd, (struct sockaddr *) &src, sizeof src) < 0)
        {
          load_conn_fail (table, c, "bind: %s", g_strerror (errno));
          return;
        }
    }
  if (connect (c->fd, (const struct sockaddr *) addr, sizeof *addr) < 0 &&
      errno != EINPROGRESS)
    {
      load_conn_fail (table, c, "connect: %s", g_strerror (errno));
      return;
    }
  c->state = LOAD_CONN_CONNECTING;
  c->want_out = TRUE;
  if (epoll_ctl (table->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
    load_conn_fail (table, c, "epoll_ctl: %s", g_strerror (errno));
}

/* keep-alive refused or timed out: a fresh connection for the next request */
static void
conn_reconnect (LoadConnTable *table,
                LoadConn      *c)
{
  load_conn_close (table, c);
  table->reconnects++;
  load_conn_open (table, c, LOAD_ROLE_HTTP);
}

static void
conn_connected (LoadConnTable *table,
                LoadConn      *c)
{
  int              err = 0;
  socklen_t        len = sizeof err;
  guint8           nonce[16];
  const char      *head;
  g_autofree char *key = NULL;
  g_autofree char *request = NULL;

  if (getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
    err = errno;
  if (err != 0)
    {
      load_conn_fail (table, c, "connect: %s", g_strerror (err));
      return;
    }
  conn_want_out (table, c, FALSE);
  if (c->role == LOAD_ROLE_HTTP)
    {
      c->state = LOAD_CONN_READY;
      return;
    }

  for (unsigned i = 0; i < sizeof nonce; i += 4)
    {
      guint32 r = table_random (table);
      memcpy (nonce + i, &r, 4);
    }
  key = g_base64_encode (nonce, sizeof nonce);
  load_frame_accept_for_key (key, c->accept);
  conn_addr (table, c, &head);
  request = load_frame_upgrade_request (head, key);
  c->state = LOAD_CONN_UPGRADING;
  load_conn_send (table, c, request, strlen (request));
}

static size_t
upgrade_input (LoadConnTable *table,
               LoadConn      *c,
               const guint8  *data,
               size_t         len)
{
  g_autofree char *problem = NULL;
  size_t           head_len = 0;

  switch (load_frame_parse_upgrade (data, len, c->accept, &head_len, &problem))
    {
    case LOAD_FRAME_INCOMPLETE:
      if (problem != NULL)
        load_conn_fail (table, c, "%s", problem);
      return 0;
    case LOAD_FRAME_INVALID:
      load_conn_fail (table, c, "%s", problem);
      return head_len;
    case LOAD_FRAME_COMPLETE:
    default:
      c->state = LOAD_CONN_WAIT_WELCOME;
      return head_len;
    }
}

/* Frames in: protocol oddities are counted, control frames answered here, text
 * messages (reassembled if fragmented) go to the table's message function. */
static size_t
ws_input (LoadConnTable *table,
          LoadConn      *c,
          guint8        *data,
          size_t         len)
{
  LoadVerdict *v = table->verdict;
  size_t       pos = 0;
  gint64       now = load_now_ns ();

  while (c->state != LOAD_CONN_CLOSED && len - pos >= 2)
    {
      LoadFrame       f;
      LoadFrameStatus status = load_frame_parse (data + pos, len - pos, &f);

      if (status == LOAD_FRAME_INVALID)
        {
          load_conn_fail (table, c, "frame of %" G_GUINT64_FORMAT " bytes", f.length);
          break;
        }
      if (status == LOAD_FRAME_INCOMPLETE)
        break;
      pos += f.size;

      if (f.masked && v->protocol_errors++ == 0)
        load_verdict_report (v, "server sent a masked frame");
      if (f.rsv != 0)
        {
          v->protocol_errors++;
          load_verdict_report (v, "frame with RSV bits 0x%x", f.rsv);
        }

      switch (f.opcode)
        {
        case CRIER_OPCODE_TEXT:
        case CRIER_OPCODE_BINARY:
          if (f.opcode == CRIER_OPCODE_BINARY)
            {
              v->protocol_errors++;
              load_verdict_report (v, "binary frame");
            }
          if (c->frag != NULL)
            {
              v->protocol_errors++;
              load_verdict_report (v, "new message inside a fragmented one");
              g_clear_pointer (&c->frag, g_byte_array_unref);
            }
          if (f.fin)
            table->message_func (table, c, (const char *) f.payload, (size_t) f.length, now,
                                 table->message_data);
          else
            c->frag = g_byte_array_append (g_byte_array_new (), f.payload, (guint) f.length);
          break;

        case CRIER_OPCODE_CONTINUATION:
          if (c->frag == NULL)
            {
              v->protocol_errors++;
              load_verdict_report (v, "continuation frame without a message");
              break;
            }
          g_byte_array_append (c->frag, f.payload, (guint) f.length);
          if (c->frag->len > LOAD_FRAME_MAX_MESSAGE)
            {
              load_conn_fail (table, c, "fragmented message over %d bytes", LOAD_FRAME_MAX_MESSAGE);
              break;
            }
          if (f.fin)
            {
              g_autoptr (GByteArray) whole = g_steal_pointer (&c->frag);

              table->message_func (table, c, (const char *) whole->data, whole->len, now,
                                   table->message_data);
            }
          break;

        case CRIER_OPCODE_CLOSE:
          {
            unsigned code = f.length >= 2 ? (unsigned) (f.payload[0] << 8 | f.payload[1]) : 1005;

            load_conn_fail (table, c, "closed by server with code %u \"%.*s\"", code,
                            f.length > 2 ? (int) f.length - 2 : 0, (const char *) f.payload + 2);
          }
          break;

        case CRIER_OPCODE_PING:
          load_conn_send_frame (table, c, CRIER_OPCODE_PONG, f.payload, (size_t) f.length);
          break;

        case CRIER_OPCODE_PONG:
          break;

        default:
          v->protocol_errors++;
          load_verdict_report (v, "frame with opcode 0x%x", f.opcode);
          break;
        }
    }
  return pos;
}

static size_t
http_input (LoadConnTable *table,
            LoadConn      *c,
            const guint8  *data,
            size_t         len)
{
  size_t pos = 0;

  g_assert (table->response_func != NULL);
  while (c->state != LOAD_CONN_CLOSED && pos < len)
    {
      LoadHttpResponse response = { 0 };
      g_autofree char *problem = NULL;

      switch (load_http_parse_response (data + pos, len - pos, &response, &problem))
        {
        case LOAD_HTTP_INCOMPLETE:
          if (problem != NULL)
            load_conn_fail (table, c, "%s", problem);
          return pos;
        case LOAD_HTTP_INVALID:
          load_conn_fail (table, c, "%s", problem);
          return pos;
        case LOAD_HTTP_COMPLETE:
        default:
          break;
        }
      pos += response.size;
      table->response_func (table, c, response.status, response.body->str, response.body->len,
                            table->response_data);
      g_string_free (response.body, TRUE);
      if (response.close_after && c->state != LOAD_CONN_CLOSED)
        {
          conn_reconnect (table, c);
          return len;
        }
    }
  return pos;
}

static size_t
conn_input (LoadConnTable *table,
            LoadConn      *c,
            guint8        *data,
            size_t         len)
{
  size_t pos = 0;

  if (c->role == LOAD_ROLE_HTTP)
    return http_input (table, c, data, len);
  if (c->state == LOAD_CONN_UPGRADING)
    {
      pos = upgrade_input (table, c, data, len);
      if (c->state == LOAD_CONN_UPGRADING || c->state == LOAD_CONN_CLOSED)
        return pos;
    }
  return pos + ws_input (table, c, data + pos, len - pos);
}

static void
conn_read (LoadConnTable *table,
           LoadConn      *c)
{
  for (;;)
    {
      ssize_t n = recv (c->fd, scratch, sizeof scratch, 0);
      guint8 *data;
      size_t  len, used;

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno != EAGAIN && errno != EWOULDBLOCK)
            load_conn_fail (table, c, "read: %s", g_strerror (errno));
          return;
        }
      if (n == 0)
        {
          if (c->role == LOAD_ROLE_HTTP && !c->busy && !table->closing)
            conn_reconnect (table, c);
          else
            load_conn_fail (table, c, "closed by server (EOF)");
          return;
        }
      c->t_rx = table->t_keepalive; /* a coarse clock is enough for keep-alive */
      /* parse straight from the scratch buffer unless a partial frame is pending */
      if (c->in.len > 0)
        {
          load_buffer_append (&c->in, scratch, (size_t) n);
          data = c->in.data;
          len = c->in.len;
        }
      else
        {
          data = scratch;
          len = (size_t) n;
        }
      used = conn_input (table, c, data, len);
      /* closed, or an HTTP connection replaced by a fresh one: the buffer is gone */
      if (c->state == LOAD_CONN_CLOSED || c->state == LOAD_CONN_CONNECTING)
        return;
      if (data == scratch)
        {
          if (used < len)
            load_buffer_append (&c->in, data + used, len - used);
        }
      else
        {
          memmove (c->in.data, c->in.data + used, len - used);
          c->in.len = len - used;
        }
      if ((size_t) n < sizeof scratch)
        return;
    }
}

/* Waits up to TIMEOUT_MS for socket events and handles them. */
void
load_conn_table_poll (LoadConnTable *table,
                      int            timeout_ms)
{
  struct epoll_event events[1024];
  int                n = epoll_wait (table->epfd, events, G_N_ELEMENTS (events), timeout_ms);

  if (n < 0 && errno != EINTR)
    load_verdict_fail (table->verdict, "epoll_wait: %s", g_strerror (errno));
  for (int i = 0; i < n; i++)
    {
      LoadConn *c = &table->conns[events[i].data.u32];
      guint32   ev = events[i].events;

      if (c->fd < 0)
        continue;
      if (c->state == LOAD_CONN_CONNECTING)
        {
          conn_connected (table, c);
          continue;
        }
      if (ev & EPOLLOUT)
        conn_flush (table, c);
      if (c->fd >= 0 && (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        conn_read (table, c);
    }
}

/* N_WS WebSocket connections to the app APP_KEY on HOST:PORT, then N_HTTP HTTP
 * connections; none is opened yet.  FALSE if HOST is not an IPv4 address. */
gboolean
load_conn_table_init (LoadConnTable *table,
                      LoadVerdict   *verdict,
                      const char    *host,
                      int            port,
                      const char    *app_key,
                      unsigned       sources,
                      gboolean       verbose,
                      unsigned       n_ws,
                      unsigned       n_http)
{
  memset (table, 0, sizeof *table);
  table->verdict = verdict;
  table->rng = g_random_int () | 1;
  table->addr.sin_family = AF_INET;
  table->addr.sin_port = htons ((guint16) port);
  if (inet_pton (AF_INET, host, &table->addr.sin_addr) != 1)
    return FALSE;
  table->epfd = epoll_create1 (EPOLL_CLOEXEC);
  table->sources = sources;
  table->verbose = verbose;
  table->upgrade_head = load_frame_upgrade_head (app_key, host, port);
  table->n_ws = n_ws;
  table->n_conns = n_ws + n_http;
  table->conns = g_new0 (LoadConn, table->n_conns);
  for (unsigned i = 0; i < table->n_conns; i++)
    {
      table->conns[i].fd = -1;
      table->conns[i].index = i;
    }
  table->t_keepalive = load_now_ns ();
  return TRUE;
}

/* Closes every connection; the table can be initialised again. */
void
load_conn_table_clear (LoadConnTable *table)
{
  table->closing = TRUE;
  for (unsigned i = 0; i < table->n_conns; i++)
    load_conn_close (table, &table->conns[i]);
  g_clear_pointer (&table->conns, g_free);
  g_clear_pointer (&table->upgrade_head, g_free);
  g_clear_pointer (&table->sub_addrs, g_free);
  g_clear_pointer (&table->sub_heads, g_strfreev);
  table->n_sub_ports = 0;
  if (table->epfd >= 0)
    close (table->epfd);
  table->epfd = -1;
  table->n_conns = table->n_ws = 0;
}

/* Subscribers connect to PORTS on HOST in turn instead of the table's port. */
void
load_conn_table_set_sub_ports (LoadConnTable *table,
                               const char    *host,
                               const char    *app_key,
                               const guint16 *ports,
                               unsigned       n_ports)
{
  table->n_sub_ports = n_ports;
  table->sub_addrs = g_new0 (struct sockaddr_in, n_ports);
  table->sub_heads = g_new0 (char *, n_ports + 1);
  for (unsigned i = 0; i < n_ports; i++)
    {
      table->sub_addrs[i] = table->addr;
      table->sub_addrs[i].sin_port = htons (ports[i]);
      table->sub_heads[i] = load_frame_upgrade_head (app_key, host, ports[i]);
    }
}

/* The port C connects to (in its current role). */
int
load_conn_table_port (const LoadConnTable *table,
                      const LoadConn      *c)
{
  return ntohs (conn_addr (table, c, NULL)->sin_port);
}

/* A comma-separated list of ports 1-65535 into PORTS; the count, 0 if TEXT is not
 * such a list or has more than MAX_PORTS. */
unsigned
load_parse_ports (const char *text,
                  guint16    *ports,
                  unsigned    max_ports)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  unsigned n = 0;

  for (unsigned i = 0; parts[i] != NULL; i++)
    {
      guint64 port;

      if (n == max_ports || !g_ascii_string_to_unsigned (parts[i], 10, 1, 65535, &port, NULL))
        return 0;
      ports[n++] = (guint16) port;
    }
  return n;
}
