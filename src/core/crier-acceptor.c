/* crier-acceptor.c — accepts TCP connections, guards them and hands them to a SoupServer
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-server"

#include "config.h"

#include "crier-acceptor.h"

#include <errno.h>
#include <gio/gunixsocketaddress.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crier-http-stream.h"

#define ACCEPTS_PER_WAKEUP 64
#define ACCEPT_RETRY_MS    250 /* out of file descriptors: try again this often */
#define TLS_RECHECK_MS     20  /* a ClientHello split over several segments: look again */
#define TLS_RECORD_MAX     (16384 + 2048)
#define LINGER_SECONDS     2             /* after an error answer, read what the client still sends, */
#define LINGER_MAX_BYTES   (1024 * 1024) /* so that closing does not reset the answer away */

typedef enum
{
  PHASE_TLS_WAIT,      /* TLS: waiting for a whole ClientHello record; no thread spent yet */
  PHASE_TLS_HANDSHAKE, /* TLS: the handshake runs (in GLib's thread pool) */
  PHASE_HEADERS,       /* libsoup reads a request line and headers */
  PHASE_BODY,          /* libsoup reads the body */
  PHASE_RESPONDING,    /* the handler ran; libsoup writes the response */
  PHASE_IDLE,          /* kept alive, between requests */
  PHASE_LINGER,        /* answered with an error; discarding what the client still sends */
} Phase;

struct _CrierAcceptor
{
  GSocket         *listener;
  SoupServer      *server;
  GTlsCertificate *certificate;
  CrierHttpLimits  limits;
  GMainContext    *context;
  GSource         *source;  /* NULL while paused */
  GSource         *retry;   /* while paused: resumes accepting */
  gboolean         told;    /* the pause was logged */
  GHashTable      *entries; /* remote GSocketAddress → Entry, while the connection lives */
};

typedef struct
{
  CrierAcceptor     *acceptor; /* NULL once the acceptor is gone */
  GSocketAddress    *remote;
  GSocketAddress    *local;
  GSocket           *socket;
  GSocketConnection *tcp;
  GIOStream         *base;        /* tcp, or the TLS connection over it */
  CrierHttpStream   *stream;      /* what libsoup reads and writes (NULL before libsoup has it) */
  GIOStream         *stolen;      /* the connection taken back from libsoup, to answer and close */
  SoupServerMessage *msg;         /* the request being served; the last one while idle */
  GCancellable      *cancellable; /* the TLS handshake */
  GSource           *timer;       /* the phase's deadline, or "act now" */
  GSource           *watch;       /* TLS_WAIT, LINGER: the socket's input */
  Phase              phase;
  gboolean           acting;     /* the timer fires now to answer with status */
  gboolean           rechecking; /* TLS_WAIT: polling for the rest of a ClientHello */
  unsigned           status;     /* 0: close without an answer */
  const char        *reason;
  gint64             request_deadline;
  gsize              header_bytes;
  gsize              line_length;
  unsigned           lines;
  gboolean           headers_done;
  guint64            body_bytes;
  gsize              linger_bytes;
} Entry;

static gboolean
timer_dispatch (GSource    *source,
                GSourceFunc callback,
                gpointer    user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs timer_funcs = { NULL, NULL, timer_dispatch, NULL, NULL, NULL };

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
entry_free (Entry *entry)
{
  if (entry->stream != NULL)
    crier_http_stream_set_watch (entry->stream, NULL, NULL, NULL);
  if (entry->msg != NULL && entry->acceptor != NULL)
    g_signal_handlers_disconnect_by_data (entry->msg, entry->acceptor);
  destroy_source (&entry->timer);
  destroy_source (&entry->watch);
  if (entry->cancellable != NULL)
    g_cancellable_cancel (entry->cancellable);
  g_clear_object (&entry->cancellable);
  g_clear_object (&entry->msg);
  g_clear_object (&entry->stolen);
  g_clear_object (&entry->stream);
  g_clear_object (&entry->base);
  g_clear_object (&entry->tcp);
  g_clear_object (&entry->socket);
  g_clear_object (&entry->local);
  g_clear_object (&entry->remote);
  g_free (entry);
}

static void
entry_remove (Entry *entry)
{
  if (entry->acceptor != NULL)
    g_hash_table_remove (entry->acceptor->entries, entry->remote);
  entry_free (entry);
}

static Entry *
lookup (CrierAcceptor     *self,
        SoupServerMessage *msg)
{
  return g_hash_table_lookup (self->entries, soup_server_message_get_remote_address (msg));
}

static void
set_deadline (Entry *entry,
              gint64 when)
{
  g_source_set_ready_time (entry->timer, when);
}

static gint64
seconds_from_now (unsigned seconds)
{
  return g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
}

/* Decided inside libsoup's reading or a signal: done from the main loop, at once. */
static void
act_soon (Entry      *entry,
          unsigned    status,
          const char *reason)
{
  entry->acting = TRUE;
  entry->status = status;
  entry->reason = reason;
  set_deadline (entry, 0);
}

/* Closes the connection and forgets it. */
static void
finish (Entry *entry)
{
  if (entry->stream != NULL)
    crier_http_stream_set_watch (entry->stream, NULL, NULL, NULL);
  if (entry->stolen != NULL)
    g_io_stream_close (entry->stolen, NULL, NULL);
  else if (entry->stream == NULL)
    g_io_stream_close (G_IO_STREAM (entry->tcp), NULL, NULL);
  else
    g_io_stream_close (G_IO_STREAM (entry->stream), NULL, NULL);
  entry_remove (entry);
}

/* Takes the connection away from libsoup, which forgets it (and frees its state). */
static void
take_back (Entry *entry)
{
  g_autoptr (SoupServerMessage) msg = g_steal_pointer (&entry->msg);

  if (msg == NULL)
    return;
  g_signal_handlers_disconnect_by_data (msg, entry->acceptor);
  entry->stolen = soup_server_message_steal_connection (msg);
}

static gboolean
linger_cb (GSocket     *socket,
           GIOCondition condition,
           gpointer     user_data)
{
  Entry *entry = user_data;
  char   buffer[4096];

  for (;;)
    {
      gssize n = recv (g_socket_get_fd (socket), buffer, sizeof buffer, MSG_DONTWAIT);

      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return G_SOURCE_CONTINUE;
      if (n <= 0 || (entry->linger_bytes += n) > LINGER_MAX_BYTES)
        {
          finish (entry);
          return G_SOURCE_REMOVE;
        }
    }
}

/* An error answer in plain text; then, on TCP, keep reading for a moment so that the close
 * does not turn into a reset that destroys the answer before the client reads it. */
static void
answer (Entry      *entry,
        unsigned    status,
        const char *reason)
{
  static const struct
  {
    unsigned    status;
    const char *phrase;
  } phrases[] = {
    { 400, "Bad Request" },
    { 408, "Request Timeout" },
    { 413, "Content Too Large" },
    { 414, "URI Too Long" },
    { 431, "Request Header Fields Too Large" },
  };
  g_autofree char *text = NULL;
  const char      *phrase = "Error";
  GIOStream       *raw = entry->base != NULL ? entry->base : G_IO_STREAM (entry->tcp);
  GOutputStream   *out;

  if (status == 0)
    return finish (entry);
  for (guint i = 0; i < G_N_ELEMENTS (phrases); i++)
    if (phrases[i].status == status)
      phrase = phrases[i].phrase;
  text = g_strdup_printf ("HTTP/1.1 %u %s\r\nConnection: close\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n\r\n"
                          "%s\n",
                          status, phrase, strlen (reason) + 1, reason);
  out = g_io_stream_get_output_stream (entry->stolen != NULL ? entry->stolen : raw);
  g_debug ("answering %u and closing: %s", status, reason);
  /* Small enough for any socket buffer; a client that reads nothing loses nothing. */
  g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (out), text, strlen (text),
                                              NULL, NULL);
  if (raw != G_IO_STREAM (entry->tcp) ||
      !g_socket_shutdown (entry->socket, FALSE, TRUE, NULL))
    return finish (entry);
  entry->phase = PHASE_LINGER;
  destroy_source (&entry->watch);
  entry->watch = g_socket_create_source (entry->socket, G_IO_IN, NULL);
  g_source_set_callback (entry->watch, G_SOURCE_FUNC (linger_cb), entry, NULL);
  g_source_attach (entry->watch, entry->acceptor->context);
  set_deadline (entry, seconds_from_now (LINGER_SECONDS));
}

static void
start_request (Entry *entry)
{
  const CrierHttpLimits *limits = &entry->acceptor->limits;
  gint64                 now = g_get_monotonic_time ();

  entry->phase = PHASE_HEADERS;
  entry->header_bytes = 0;
  entry->line_length = 0;
  entry->lines = 0;
  entry->headers_done = FALSE;
  entry->body_bytes = 0;
  entry->request_deadline = now + (gint64) limits->request_timeout * G_USEC_PER_SEC;
  set_deadline (entry, MIN (now + (gint64) limits->handshake_timeout * G_USEC_PER_SEC,
                            entry->request_deadline));
}

/* Every read libsoup makes of the connection passes here. */
static CrierHttpStreamVerdict
input_cb (const guint8 *data,
          gssize        n,
          gpointer      user_data)
{
  Entry *entry = user_data;

  if (entry->acting)
    return CRIER_HTTP_STREAM_STALL;
  if (n <= 0)
    {
      if (entry->phase != PHASE_IDLE)
        return CRIER_HTTP_STREAM_PASS;
      /* libsoup 3.2 never closes a kept-alive connection whose client goes away between
       * requests (its next message has nobody to finish it; fixed in libsoup 3.3): the fd
       * stays in CLOSE-WAIT forever. Keep the end from libsoup and close it from here. */
      act_soon (entry, 0, NULL);
      return CRIER_HTTP_STREAM_STALL;
    }
  if (entry->phase == PHASE_IDLE)
    start_request (entry);
  if (entry->phase != PHASE_HEADERS || entry->headers_done)
    return CRIER_HTTP_STREAM_PASS;
  /* Count the request line and headers up to the empty line, to answer 414 or 431 before
   * libsoup's own 64 KiB limit resets the connection without an answer. */
  for (gssize i = 0; i < n && !entry->headers_done; i++)
    {
      entry->header_bytes++;
      if (data[i] == '\n')
        {
          if (entry->line_length == 0 && entry->lines > 0)
            entry->headers_done = TRUE;
          else if (entry->line_length > 0)
            entry->lines++;
          entry->line_length = 0;
        }
      else if (data[i] != '\r')
        entry->line_length++;
    }
  if (!entry->headers_done && entry->header_bytes > entry->acceptor->limits.max_header_size)
    {
      if (entry->lines == 0)
        act_soon (entry, 414, "The request line is longer than the server's max-header-size");
      else
        act_soon (entry, 431, "The request headers are longer than the server's max-header-size");
      return CRIER_HTTP_STREAM_STALL;
    }
  return CRIER_HTTP_STREAM_PASS;
}

static void
stream_closed_cb (gpointer user_data)
{
  entry_remove (user_data);
}

/* Hands the connection to libsoup, watched. */
static void
serve (Entry *entry)
{
  CrierAcceptor *self = entry->acceptor;

  entry->stream = crier_http_stream_new (entry->base);
  crier_http_stream_set_watch (entry->stream, input_cb, stream_closed_cb, entry);
  start_request (entry);
  soup_server_accept_iostream (self->server, G_IO_STREAM (entry->stream), entry->local,
                               entry->remote, NULL);
}

static void
handshake_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Entry *entry = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      g_debug ("TLS handshake failed: %s", error->message);
      if (entry->acceptor == NULL)
        {
          g_io_stream_close (G_IO_STREAM (entry->tcp), NULL, NULL);
          return entry_free (entry);
        }
      return finish (entry);
    }
  if (entry->acceptor == NULL)
    {
      g_io_stream_close (G_IO_STREAM (entry->tcp), NULL, NULL);
      return entry_free (entry);
    }
  g_clear_object (&entry->cancellable);
  serve (entry);
}

static gboolean client_hello_cb (gpointer user_data);

/* TLS: a thread of GLib's pool does each handshake and waits there for the client, so a
 * handshake only starts once a whole first record is in; silent or slow sockets cost no
 * thread, and the handshake-timeout bounds the rest. Returns whether to keep waiting. */
static gboolean
check_client_hello (Entry *entry)
{
  int    fd = g_socket_get_fd (entry->socket);
  guint8 head[5];
  gssize n = recv (fd, head, sizeof head, MSG_PEEK | MSG_DONTWAIT);
  int    available = 0;
  g_autoptr (GError) error = NULL;

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return TRUE;
  if (n <= 0)
    {
      finish (entry);
      return FALSE;
    }
  if (head[0] != 0x16) /* not a TLS handshake record */
    {
      if (g_ascii_isupper (head[0])) /* most likely plain HTTP on the TLS port */
        answer (entry, 400, "This port speaks TLS: use https:// or wss://");
      else
        finish (entry);
      return FALSE;
    }
  if (n == sizeof head && ((head[3] << 8) | head[4]) > TLS_RECORD_MAX)
    {
      finish (entry);
      return FALSE;
    }
  if (n < (gssize) sizeof head || ioctl (fd, FIONREAD, &available) < 0 ||
      available < (int) sizeof head + ((head[3] << 8) | head[4]))
    {
      /* Part of the record: look again shortly instead of spinning on a readable socket. */
      if (!entry->rechecking)
        {
          entry->rechecking = TRUE;
          destroy_source (&entry->watch);
          entry->watch = g_timeout_source_new (TLS_RECHECK_MS);
          g_source_set_callback (entry->watch, client_hello_cb, entry, NULL);
          g_source_attach (entry->watch, entry->acceptor->context);
        }
      return TRUE;
    }

  destroy_source (&entry->watch);
  entry->base = (GIOStream *) g_tls_server_connection_new (G_IO_STREAM (entry->tcp),
                                                           entry->acceptor->certificate, &error);
  if (entry->base == NULL)
    {
      g_debug ("no TLS connection: %s", error->message);
      finish (entry);
      return FALSE;
    }
  entry->phase = PHASE_TLS_HANDSHAKE;
  entry->cancellable = g_cancellable_new ();
  g_tls_connection_handshake_async (G_TLS_CONNECTION (entry->base), G_PRIORITY_DEFAULT,
                                    entry->cancellable, handshake_cb, entry);
  return FALSE;
}

static gboolean
client_hello_cb (gpointer user_data)
{
  return check_client_hello (user_data) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
client_readable_cb (GSocket     *socket,
                    GIOCondition condition,
                    gpointer     user_data)
{
  return check_client_hello (user_data) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
timer_cb (gpointer user_data)
{
  Entry   *entry = user_data;
  gboolean acting = entry->acting;

  entry->acting = FALSE;

  switch (entry->phase)
    {
    case PHASE_TLS_WAIT:
    case PHASE_LINGER:
      finish (entry);
      break;
    case PHASE_TLS_HANDSHAKE:
      g_debug ("TLS handshake timed out");
      g_cancellable_cancel (entry->cancellable); /* handshake_cb closes */
      break;
    case PHASE_HEADERS:
    case PHASE_BODY:
      take_back (entry);
      if (acting)
        answer (entry, entry->status, entry->reason);
      else
        answer (entry, 408, "The request was not complete within the server's time limit");
      break;
    case PHASE_RESPONDING:
    case PHASE_IDLE:
      take_back (entry);
      finish (entry);
      break;
    default:
      g_assert_not_reached ();
    }
  return G_SOURCE_CONTINUE;
}

static void
accept_one (CrierAcceptor *self,
            GSocket       *socket)
{
  g_autoptr (GSocketAddress) local = g_socket_get_local_address (socket, NULL);
  g_autoptr (GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);
  Entry *entry;

  if (local == NULL || remote == NULL)
    return;
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  entry = g_new0 (Entry, 1);
  entry->acceptor = self;
  entry->socket = g_object_ref (socket);
  entry->local = g_steal_pointer (&local);
  entry->remote = g_steal_pointer (&remote);
  entry->tcp = g_socket_connection_factory_create_connection (socket);
  entry->timer = g_source_new (&timer_funcs, sizeof (GSource));
  g_source_set_callback (entry->timer, timer_cb, entry, NULL);
  g_source_set_static_name (entry->timer, "crier-http-deadline");
  g_source_attach (entry->timer, self->context);
  g_hash_table_insert (self->entries, entry->remote, entry);
  if (self->certificate == NULL)
    {
      entry->base = g_object_ref (G_IO_STREAM (entry->tcp));
      serve (entry);
      return;
    }
  entry->phase = PHASE_TLS_WAIT;
  set_deadline (entry, seconds_from_now (self->limits.handshake_timeout));
  entry->watch = g_socket_create_source (socket, G_IO_IN, NULL);
  g_source_set_callback (entry->watch, G_SOURCE_FUNC (client_readable_cb), entry, NULL);
  g_source_attach (entry->watch, self->context);
}

static gboolean accept_cb (GSocket     *listener,
                           GIOCondition condition,
                           gpointer     user_data);

static void
listen_again (CrierAcceptor *self)
{
  self->source = g_socket_create_source (self->listener, G_IO_IN, NULL);
  g_source_set_callback (self->source, G_SOURCE_FUNC (accept_cb), self, NULL);
  g_source_set_static_name (self->source, "crier-acceptor");
  g_source_attach (self->source, self->context);
}

static gboolean
retry_cb (gpointer user_data)
{
  CrierAcceptor *self = user_data;

  g_clear_pointer (&self->retry, g_source_unref);
  listen_again (self);
  return G_SOURCE_REMOVE;
}

/* Out of file descriptors: the listener stays readable, so its source would fire again at
 * once, forever. Stop watching it and try again a little later; the connections wait in
 * the kernel's backlog meanwhile and are served once descriptors are free. */
static void
pause_accepting (CrierAcceptor *self,
                 const GError  *error)
{
  if (!self->told)
    g_message ("not accepting connections for now: %s (raise the limit with ulimit -n, or "
               "lower max-connections)",
               error->message);
  self->told = TRUE;
  destroy_source (&self->source);
  self->retry = g_timeout_source_new (ACCEPT_RETRY_MS);
  g_source_set_callback (self->retry, retry_cb, self, NULL);
  g_source_set_static_name (self->retry, "crier-acceptor-retry");
  g_source_attach (self->retry, self->context);
}

static gboolean
accept_cb (GSocket     *listener,
           GIOCondition condition,
           gpointer     user_data)
{
  CrierAcceptor *self = user_data;

  for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSocket) socket = g_socket_accept (listener, NULL, &error);

      if (socket != NULL)
        {
          self->told = FALSE;
          accept_one (self, socket);
          continue;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        {
          pause_accepting (self, error);
          return G_SOURCE_REMOVE;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      /* else a connection that went away before it was accepted: next one */
    }
  return G_SOURCE_CONTINUE;
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data);

static void
got_headers_cb (SoupServerMessage *msg,
                gpointer           user_data)
{
  CrierAcceptor      *self = user_data;
  Entry              *entry = lookup (self, msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char         *length = soup_message_headers_get_list (headers, "Content-Length");

  if (entry == NULL || entry->msg != msg)
    return;
  entry->phase = PHASE_BODY;
  set_deadline (entry, entry->request_deadline);
  /* Two lengths, or a length and chunks: the body's end is ambiguous, the start of request
   * smuggling (RFC 9112 §6.3). */
  if (length != NULL && strchr (length, ',') != NULL)
    act_soon (entry, 400, "The request has more than one Content-Length");
  else if (length != NULL && soup_message_headers_get_one (headers, "Transfer-Encoding") != NULL)
    act_soon (entry, 400, "The request has both Content-Length and Transfer-Encoding");
  else if (length != NULL &&
           soup_message_headers_get_content_length (headers) > self->limits.max_body_size)
    act_soon (entry, 413, "The request body is larger than the server's max-body-size");
  else
    return;
  /* Not a byte of the body is read: the answer goes out from the main loop. */
  soup_server_message_pause (msg);
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  CrierAcceptor *self = user_data;
  Entry         *entry = lookup (self, msg);

  if (entry == NULL || entry->msg != msg || entry->acting)
    return;
  entry->body_bytes += g_bytes_get_size (chunk);
  if (entry->body_bytes > self->limits.max_body_size)
    {
      act_soon (entry, 413, "The request body is larger than the server's max-body-size");
      soup_server_message_pause (msg);
    }
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  CrierAcceptor *self = user_data;
  Entry         *entry = lookup (self, msg);

  if (entry == NULL)
    return;
  if (entry->msg != NULL)
    g_signal_handlers_disconnect_by_data (entry->msg, self);
  g_set_object (&entry->msg, msg);
  if (entry->phase == PHASE_IDLE)
    start_request (entry);
  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers_cb), self);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), self);
}

static void
request_read_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  Entry *entry = lookup (user_data, msg);

  if (entry != NULL && entry->msg == msg && !entry->acting)
    entry->phase = PHASE_RESPONDING;
}

/* The response went out (or the request failed); libsoup keeps the connection for the next
 * request, or closes it right after this. */
static void
request_done_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  CrierAcceptor *self = user_data;
  Entry         *entry = lookup (self, msg);

  if (entry == NULL || entry->msg != msg || entry->acting)
    return;
  entry->phase = PHASE_IDLE;
  set_deadline (entry, seconds_from_now (self->limits.keepalive_timeout));
}

/* SoupServer keeps connections alive only while it has a listener of its own; give it one
 * that nobody can reach: an abstract Unix socket with a random name. */
static void
add_keepalive_listener (SoupServer *server)
{
  g_autofree char *name = g_strdup_printf ("crier-%d-%08x", getpid (), g_random_int ());
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new_with_type (
    name, -1, G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_DEFAULT, NULL);
  g_autoptr (GError) error = NULL;

  if (socket == NULL || !g_socket_bind (socket, address, FALSE, &error) ||
      !g_socket_listen (socket, &error) ||
      !soup_server_listen_socket (server, socket, 0, &error))
    g_debug ("no keep-alive listener: %s", error ? error->message : "no socket");
}

CrierAcceptor *
crier_acceptor_new (GSocket               *listener,
                    SoupServer            *server,
                    GTlsCertificate       *certificate,
                    const CrierHttpLimits *limits)
{
  CrierAcceptor *self = g_new0 (CrierAcceptor, 1);

  if (soup_server_get_listeners (server) == NULL)
    add_keepalive_listener (server);

  self->listener = g_object_ref (listener);
  self->server = server; /* owned by the caller, outlives us */
  self->certificate = certificate != NULL ? g_object_ref (certificate) : NULL;
  self->limits = *limits;
  self->context = g_main_context_ref_thread_default ();
  /* The address objects are the ones libsoup hands back: compare them by identity. */
  self->entries = g_hash_table_new (NULL, NULL);
  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (server, "request-read", G_CALLBACK (request_read_cb), self);
  g_signal_connect (server, "request-finished", G_CALLBACK (request_done_cb), self);
  g_signal_connect (server, "request-aborted", G_CALLBACK (request_done_cb), self);
  g_socket_set_blocking (listener, FALSE);
  listen_again (self);
  return self;
}

void
crier_acceptor_free (CrierAcceptor *self)
{
  GHashTableIter iter;
  Entry         *entry;

  destroy_source (&self->source);
  destroy_source (&self->retry);
  g_signal_handlers_disconnect_by_data (self->server, self);
  /* Connections that outlive us must not reach back into the freed acceptor: libsoup's
   * own (closed by soup_server_disconnect) are forgotten, the others closed. */
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      g_hash_table_iter_steal (&iter);
      if (entry->phase == PHASE_TLS_HANDSHAKE)
        {
          destroy_source (&entry->timer);
          g_cancellable_cancel (entry->cancellable); /* handshake_cb frees it */
          entry->acceptor = NULL;
          continue;
        }
      if (entry->stream != NULL)
        crier_http_stream_set_watch (entry->stream, NULL, NULL, NULL);
      if (entry->stream == NULL || entry->stolen != NULL)
        g_io_stream_close (entry->stolen != NULL ? entry->stolen : G_IO_STREAM (entry->tcp),
                           NULL, NULL);
      entry_free (entry);
    }
  g_hash_table_unref (self->entries);
  g_socket_close (self->listener, NULL);
  g_object_unref (self->listener);
  g_clear_object (&self->certificate);
  g_main_context_unref (self->context);
  g_free (self);
}

gboolean
crier_acceptor_release (CrierAcceptor     *self,
                        SoupServerMessage *msg,
                        GSocket          **socket,
                        GIOStream        **base)
{
  Entry *entry = lookup (self, msg);

  if (entry == NULL || entry->stream == NULL)
    return FALSE;
  crier_http_stream_detach (entry->stream);
  *socket = g_object_ref (entry->socket);
  *base = g_object_ref (entry->base);
  entry_remove (entry);
  return TRUE;
}
