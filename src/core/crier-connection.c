/* crier-connection.c — one WebSocket client: reading frames, bounded writing, closing
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-server"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "crier-app-private.h"
#include "crier-channel-private.h"
#include "crier-connection-private.h"
#include "crier-frame.h"
#include "crier-message.h"
#include "crier-protocol-private.h"
#include "crier-server-private.h"

#define READ_BUFFER_SIZE (64 * 1024)
#define READS_PER_WAKEUP 4
#define CLOSE_GRACE_USEC (2 * G_USEC_PER_SEC)

CrierConnection *
crier_connection_new (CrierServer *server,
                      int          fd,
                      GIOStream   *tls_stream)
{
  CrierConnection *conn = g_new0 (CrierConnection, 1);

  conn->server = server;
  conn->fd = fd;
  conn->tls_stream = tls_stream != NULL ? g_object_ref (tls_stream) : NULL;
  conn->connected_at = g_get_real_time ();
  conn->last_activity = g_get_monotonic_time ();
  g_queue_init (&conn->outq);
  return conn;
}

void
crier_connection_free (CrierConnection *conn)
{
  g_assert (conn->subscriptions == NULL || conn->subscriptions->len == 0);
  g_clear_pointer (&conn->subscriptions, g_ptr_array_unref);
  g_queue_clear_full (&conn->outq, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&conn->inbuf, g_byte_array_unref);
  g_clear_pointer (&conn->fragments, g_byte_array_unref);
  if (conn->tls_stream != NULL)
    g_io_stream_close (conn->tls_stream, NULL, NULL);
  g_clear_object (&conn->tls_stream);
  if (conn->fd >= 0)
    close (conn->fd);
  g_free (conn->remote);
  g_free (conn->origin);
  g_free (conn->user_id);
  g_free (conn->user_info);
  g_free (conn);
}

static void
update_poll (CrierConnection *conn)
{
  gboolean want_write = !g_queue_is_empty (&conn->outq);

  if (want_write == conn->want_write)
    return;
  conn->want_write = want_write;
  crier_poller_modify (conn->server->poller, conn->fd, EPOLLIN | (want_write ? EPOLLOUT : 0),
                       conn);
}

/* Ends the connection now: no close handshake (the peer is gone, or misbehaving). */
static void
finish (CrierConnection *conn)
{
  if (conn->state == CRIER_CONNECTION_CLOSED)
    return;
  crier_protocol_detach (conn);
  conn->state = CRIER_CONNECTION_CLOSED;
  crier_poller_remove (conn->server->poller, conn->fd);
  if (conn->tls_stream == NULL)
    shutdown (conn->fd, SHUT_RDWR);
  crier_server_bury (conn->server, conn);
}

void
crier_connection_abort (CrierConnection *conn,
                        const char      *why)
{
  g_debug ("socket %s aborted: %s", conn->socket_id, why);
  finish (conn);
}

/* A write failed or the queue overflowed, possibly while a delivery loop iterates the
 * channel this connection is in: end it when this main-loop pass ends (crier_server_flush,
 * after the poller batch or from a high-priority idle), not under the loop's feet. Until
 * then nothing reads its socket, so it must not wait longer than that: a readable socket
 * left unread keeps the level-triggered poller ready and the main loop spinning. */
static void
abort_soon (CrierConnection *conn,
            const char      *why)
{
  if (conn->doomed || conn->state == CRIER_CONNECTION_CLOSED)
    return;
  g_debug ("socket %s will be closed: %s", conn->socket_id, why);
  conn->doomed = TRUE;
  crier_server_doom (conn->server, conn);
}

/* Returns bytes written, 0 when the socket is full, -1 on a dead peer. */
static gssize
write_some (CrierConnection *conn,
            const guint8    *data,
            gsize            length)
{
  if (conn->tls_stream != NULL)
    {
      GOutputStream *out = g_io_stream_get_output_stream (conn->tls_stream);
      g_autoptr (GError) error = NULL;
      gssize n;

      n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (out), data,
                                                      length, NULL, &error);
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return 0;
      return n;
    }
  for (;;)
    {
      gssize n = send (conn->fd, data, length, MSG_NOSIGNAL | MSG_DONTWAIT);

      if (n >= 0)
        return n;
      if (errno == EINTR)
        continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
}

#define MAX_IOV 64

/* Plain sockets: everything queued in one writev, so a subscriber that got several frames
 * in one main-loop pass costs one system call, not one per frame. */
static gssize
write_queue (CrierConnection *conn)
{
  struct iovec iov[MAX_IOV];
  int          n_iov = 0;

  for (GList *l = conn->outq.head; l != NULL && n_iov < MAX_IOV; l = l->next)
    {
      gsize         size;
      const guint8 *data = g_bytes_get_data (l->data, &size);
      gsize         skip = l == conn->outq.head ? conn->out_offset : 0;

      iov[n_iov].iov_base = (void *) (data + skip);
      iov[n_iov].iov_len = size - skip;
      n_iov++;
    }
  for (;;)
    {
      gssize n = writev (conn->fd, iov, n_iov);

      if (n >= 0)
        return n;
      if (errno == EINTR)
        continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
}

static void
flush_queue (CrierConnection *conn)
{
  while (!g_queue_is_empty (&conn->outq))
    {
      gssize n;

      if (conn->tls_stream == NULL)
        n = write_queue (conn);
      else
        {
          gsize         size;
          const guint8 *data = g_bytes_get_data (g_queue_peek_head (&conn->outq), &size);

          n = write_some (conn, data + conn->out_offset, size - conn->out_offset);
        }
      if (n < 0)
        {
          abort_soon (conn, "write failed");
          return;
        }
      if (n == 0)
        break;
      conn->out_bytes -= n;
      /* Drop what was written, whole frames first. */
      while (n > 0)
        {
          gsize size = g_bytes_get_size (g_queue_peek_head (&conn->outq)) - conn->out_offset;

          if ((gsize) n < size)
            {
              conn->out_offset += n;
              break;
            }
          n -= size;
          conn->out_offset = 0;
          g_bytes_unref (g_queue_pop_head (&conn->outq));
        }
      if (conn->out_offset > 0)
        break; /* the socket took less than offered: it is full */
    }
  if (conn->state == CRIER_CONNECTION_CLOSING && g_queue_is_empty (&conn->outq) &&
      conn->tls_stream == NULL)
    shutdown (conn->fd, SHUT_WR); /* our close frame is out: let the peer see EOF */
  update_poll (conn);
}

/* Called once per main-loop pass for connections that got frames (crier_server_mark_dirty). */
void
crier_connection_flush (CrierConnection *conn)
{
  conn->dirty = FALSE;
  if (conn->state != CRIER_CONNECTION_CLOSED && !conn->doomed)
    flush_queue (conn);
}

static void
enqueue (CrierConnection *conn,
         GBytes          *frame,
         gsize            offset)
{
  gsize size = g_bytes_get_size (frame);

  if (g_queue_is_empty (&conn->outq))
    conn->out_offset = offset;
  g_queue_push_tail (&conn->outq, g_bytes_ref (frame));
  conn->out_bytes += size - offset;
}

/* The same frame bytes go to every receiver; they are written at the end of this
 * main-loop pass (crier_connection_flush), and a client that stops reading is cut off
 * once its queue passes the limit instead of growing the server. */
void
crier_connection_send (CrierConnection *conn,
                       GBytes          *frame)
{
  if (conn->state != CRIER_CONNECTION_OPEN || conn->doomed)
    return;
  conn->messages_out++;
  conn->server->stats.messages_out++;
  if (conn->app != NULL)
    conn->app->stats.messages_out++;
  enqueue (conn, frame, 0);
  /* A monitor client that falls behind is skipped and caught up by its endpoint instead. */
  if (conn->out_bytes > crier_config_get_max_outgoing_buffer (conn->server->config) &&
      conn->monitor_client == NULL)
    {
      abort_soon (conn, "outgoing buffer full: the client does not read");
      return;
    }
  if (!conn->dirty)
    {
      conn->dirty = TRUE;
      crier_server_mark_dirty (conn->server, conn);
    }
}

void
crier_connection_send_error (CrierConnection *conn,
                             int              code,
                             const char      *message)
{
  g_autoptr (GBytes) frame = crier_message_build_error (code, message);

  crier_connection_send (conn, frame);
}

/* Starts the closing handshake: the close frame goes out after what is queued, then we
 * wait (bounded) for the peer's close or EOF so it reads our frame before any RST. */
void
crier_connection_close (CrierConnection *conn,
                        guint16          code,
                        const char      *reason)
{
  g_autoptr (GBytes) frame = NULL;

  if (conn->state != CRIER_CONNECTION_OPEN)
    return;
  /* Detached now even when doomed: its member_removed and webhooks go out before, say, a
   * shutdown that follows stops the webhooks. */
  crier_protocol_detach (conn);
  frame = crier_frame_new_close (code, reason);
  conn->state = CRIER_CONNECTION_CLOSING;
  conn->deadline = g_get_monotonic_time () + CLOSE_GRACE_USEC;
  enqueue (conn, frame, 0);
  flush_queue (conn);
}

void
crier_connection_check_deadline (CrierConnection *conn,
                                 gint64           now)
{
  if (conn->state == CRIER_CONNECTION_CLOSING && now >= conn->deadline)
    finish (conn);
}

static void
fail (CrierConnection *conn,
      guint16          code,
      const char      *problem)
{
  g_debug ("socket %s: %s", conn->socket_id, problem);
  if (conn->state == CRIER_CONNECTION_OPEN && conn->app != NULL &&
      crier_server_monitoring (conn->server))
    {
      CrierMonitorEvent *event = crier_server_event_new (conn->server, CRIER_MONITOR_PROTOCOL_ERROR,
                                                         conn, NULL);

      event->code = code;
      event->message = g_strdup (problem);
      crier_server_emit (conn->server, event);
    }
  conn->server->stats.errors++;
  conn->discard_input = TRUE; /* the rest of a refused frame is not more frames */
  crier_connection_close (conn, code, problem);
}

/* GLib's validators refuse NUL, which RFC 3629 allows; check the runs between NULs. */
static gboolean
is_utf8 (const guint8 *text,
         gsize         length)
{
  while (length > 0)
    {
      const guint8 *nul = memchr (text, '\0', length);
      gsize         run = nul != NULL ? (gsize) (nul - text) : length;

      if (run > 0 && !g_utf8_validate_len ((const char *) text, run, NULL))
        return FALSE;
      if (nul == NULL)
        break;
      text += run + 1;
      length -= run + 1;
    }
  return TRUE;
}

static void
handle_message (CrierConnection *conn,
                guint8           opcode,
                guint8          *payload,
                gsize            length)
{
  if (conn->state != CRIER_CONNECTION_OPEN)
    return; /* closing: only the peer's close frame matters now */
  conn->messages_in++;
  conn->server->stats.messages_in++;
  if (conn->app != NULL)
    conn->app->stats.messages_in++;
  if (opcode == CRIER_OPCODE_BINARY)
    {
      conn->server->stats.errors++;
      crier_connection_send_error (conn, 0, "Binary frames are not supported");
      return;
    }
  if (!is_utf8 (payload, length))
    {
      fail (conn, CRIER_CLOSE_BAD_DATA, "text frame is not valid UTF-8");
      return;
    }
  crier_protocol_handle_text (conn, (const char *) payload, length);
}

static void
handle_control (CrierConnection *conn,
                guint8           opcode,
                guint8          *payload,
                gsize            length)
{
  if (opcode == CRIER_OPCODE_PING && conn->state == CRIER_CONNECTION_OPEN)
    {
      g_autoptr (GBytes) pong = crier_frame_new (CRIER_OPCODE_PONG, payload, length);

      crier_connection_send (conn, pong);
    }
  else if (opcode == CRIER_OPCODE_CLOSE)
    {
      guint16 code = length >= 2 ? (guint16) ((payload[0] << 8) | payload[1]) : CRIER_CLOSE_NORMAL;

      if (conn->state == CRIER_CONNECTION_OPEN)
        {
          /* Echo the peer's code, as RFC 6455 asks; then the TCP close is ours. */
          crier_connection_close (conn, code >= 1000 && code < 5000 && code != 1005 && code != 1006 ? code : CRIER_CLOSE_NORMAL, NULL);
          if (g_queue_is_empty (&conn->outq))
            finish (conn);
        }
      else
        finish (conn);
    }
}

/* Parses as many whole frames as data holds; returns the bytes consumed. */
static gsize
process (CrierConnection *conn,
         guint8          *data,
         gsize            length)
{
  gsize max_frame = crier_config_get_max_frame_size (conn->server->config);
  gsize pos = 0;

  if (conn->discard_input)
    return length;
  while (pos < length && conn->state != CRIER_CONNECTION_CLOSED)
    {
      CrierFrameHeader header;
      const char      *problem = NULL;
      guint8          *payload;
      CrierFrameStatus status;

      status = crier_frame_parse_header (data + pos, length - pos, &header, &problem);
      if (status == CRIER_FRAME_INCOMPLETE)
        break;
      if (status == CRIER_FRAME_INVALID)
        {
          fail (conn, CRIER_CLOSE_PROTOCOL_ERROR, problem);
          return length;
        }
      if (header.payload_length > max_frame ||
          (conn->fragments != NULL && header.opcode == CRIER_OPCODE_CONTINUATION &&
           conn->fragments->len + header.payload_length > max_frame))
        {
          fail (conn, CRIER_CLOSE_TOO_BIG, "message too big");
          return length;
        }
      if (length - pos < header.header_length + header.payload_length)
        break;

      payload = data + pos + header.header_length;
      crier_frame_unmask (payload, header.payload_length, header.mask);
      pos += header.header_length + header.payload_length;
      conn->last_activity = g_get_monotonic_time ();
      conn->ping_outstanding = FALSE;

      if (header.opcode >= CRIER_OPCODE_CLOSE)
        handle_control (conn, header.opcode, payload, header.payload_length);
      else if (header.opcode == CRIER_OPCODE_CONTINUATION)
        {
          if (conn->fragments == NULL)
            {
              fail (conn, CRIER_CLOSE_PROTOCOL_ERROR, "continuation frame without a message");
              return length;
            }
          g_byte_array_append (conn->fragments, payload, header.payload_length);
          if (header.fin)
            {
              g_autoptr (GByteArray) message = g_steal_pointer (&conn->fragments);
              static guint8 empty[1];

              /* An empty message's array has no data pointer: the text is "", not NULL
               * (found by tests/fuzz/fuzz-frame). */
              handle_message (conn, conn->fragment_opcode, message->len > 0 ? message->data : empty,
                              message->len);
            }
        }
      else if (conn->fragments != NULL)
        {
          fail (conn, CRIER_CLOSE_PROTOCOL_ERROR, "new message before the last one ended");
          return length;
        }
      else if (!header.fin)
        {
          conn->fragment_opcode = header.opcode;
          conn->fragments = g_byte_array_sized_new (header.payload_length * 2);
          g_byte_array_append (conn->fragments, payload, header.payload_length);
        }
      else
        handle_message (conn, header.opcode, payload, header.payload_length);
    }
  return pos;
}

void
crier_connection_feed (CrierConnection *conn,
                       guint8          *data,
                       gsize            length)
{
  gsize used;

  if (conn->inbuf != NULL)
    {
      /* A frame was split across reads: continue in the connection's own buffer. */
      g_byte_array_append (conn->inbuf, data, length);
      used = process (conn, conn->inbuf->data, conn->inbuf->len);
      if (conn->inbuf == NULL)
        return;
      if (used == conn->inbuf->len)
        g_clear_pointer (&conn->inbuf, g_byte_array_unref);
      else if (used > 0)
        g_byte_array_remove_range (conn->inbuf, 0, used);
      return;
    }
  used = process (conn, data, length);
  if (used < length && conn->state == CRIER_CONNECTION_OPEN)
    {
      conn->inbuf = g_byte_array_sized_new (length - used + 256);
      g_byte_array_append (conn->inbuf, data + used, length - used);
    }
}

/* Returns bytes read, 0 at EOF, -1 when nothing more is ready, -2 on error. */
static gssize
read_some (CrierConnection *conn,
           guint8          *buffer,
           gsize            size)
{
  if (conn->tls_stream != NULL)
    {
      GInputStream *in = g_io_stream_get_input_stream (conn->tls_stream);
      g_autoptr (GError) error = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (in), buffer,
                                                           size, NULL, &error);

      if (n >= 0)
        return n;
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) ? -1 : -2;
    }
  for (;;)
    {
      gssize n = recv (conn->fd, buffer, size, MSG_DONTWAIT);

      if (n >= 0)
        return n;
      if (errno == EINTR)
        continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : -2;
    }
}

void
crier_connection_ready (CrierConnection *conn,
                        guint32          events)
{
  guint8 *buffer = conn->server->read_buffer;

  if (conn->state == CRIER_CONNECTION_CLOSED || conn->doomed)
    return; /* closed earlier in this batch, or aborted when it ends */
  if (events & EPOLLOUT)
    flush_queue (conn);
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
    {
      gsize budget = READS_PER_WAKEUP * READ_BUFFER_SIZE;

      for (;;)
        {
          gssize n;

          if (budget == 0)
            {
              /* Our share of this pass is used. A plain socket with more is reported again;
               * TLS may hold decrypted bytes its socket no longer shows. */
              if (conn->tls_stream != NULL)
                crier_server_read_later (conn->server, conn);
              break;
            }
          /* Doomed by the write above or by what it read: no more input, it is aborted
           * when the batch ends. */
          if (conn->state == CRIER_CONNECTION_CLOSED || conn->doomed)
            return;
          n = read_some (conn, buffer, MIN (budget, READ_BUFFER_SIZE));
          if (n == -1)
            break;
          if (n <= 0)
            {
              crier_connection_abort (conn, n == 0 ? "connection closed by peer" : "read failed");
              return;
            }
          budget -= n;
          crier_connection_feed (conn, buffer, n);
          /* A short plain read emptied the socket; TLS returns a record at a time. */
          if ((gsize) n < READ_BUFFER_SIZE && conn->tls_stream == NULL)
            break;
        }
    }
}

/* Returns: (transfer full): a snapshot of an open connection for the dashboard. Its
 * user is the signed-in one, else the member of its first presence channel. */
CrierConnectionInfo *
crier_connection_dup_info (CrierConnection *conn)
{
  CrierConnectionInfo *info;
  GStrvBuilder        *builder;

  info = g_new0 (CrierConnectionInfo, 1);
  info->socket_id = g_strdup (conn->socket_id);
  info->app_id = g_strdup (conn->app->config->id);
  info->remote = g_strdup (conn->remote);
  info->origin = g_strdup (conn->origin);
  info->user_id = g_strdup (conn->user_id);
  info->connected_at = conn->connected_at;
  info->messages_in = conn->messages_in;
  info->messages_out = conn->messages_out;
  builder = g_strv_builder_new ();
  for (guint i = 0; conn->subscriptions && i < conn->subscriptions->len; i++)
    {
      CrierSubscription *sub = g_ptr_array_index (conn->subscriptions, i);

      g_strv_builder_add (builder, sub->channel->name);
      if (info->user_id == NULL && sub->user_id != NULL)
        info->user_id = g_strdup (sub->user_id);
    }
  info->channels = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return info;
}
