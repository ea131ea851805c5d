/* crier-server.c — the Pusher-compatible server: listening, WebSocket upgrade, the
 * connection sweep, publishing and queries
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-server"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crier-acceptor.h"
#include "crier-app-private.h"
#include "crier-channel-private.h"
#include "crier-cluster.h"
#include "crier-connection-private.h"
#include "crier-frame.h"
#include "crier-http-api.h"
#include "crier-main-context-private.h"
#include "crier-message.h"
#include "crier-monitor-endpoint.h"
#include "crier-names.h"
#include "crier-protocol-private.h"
#include "crier-server-private.h"

#define LISTEN_BACKLOG   4096
#define READ_BUFFER_SIZE (64 * 1024)
/* Read on after the upgrade beyond libsoup's header buffer (8 KiB): enough to empty it. */
#define EARLY_INPUT_LIMIT (64 * 1024)

G_DEFINE_FINAL_TYPE (CrierServer, crier_server, G_TYPE_OBJECT)
/* The quark name is stringified: its "-" must stay unspaced. */
/* clang-format off */
G_DEFINE_QUARK (crier-server-error-quark, crier_server_error)
/* clang-format on */

enum
{
  PROP_0,
  PROP_CONFIG,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

CrierMonitorEvent *
crier_server_event_new (CrierServer     *self,
                        CrierMonitorKind kind,
                        CrierConnection *conn,
                        const char      *channel)
{
  CrierMonitorEvent *event = crier_monitor_event_new (kind);

  if (conn != NULL)
    {
      event->socket_id = g_strdup (conn->socket_id);
      if (conn->app != NULL)
        event->app_id = g_strdup (conn->app->config->id);
    }
  event->channel = g_strdup (channel);
  return event;
}

void
crier_server_emit (CrierServer       *self,
                   CrierMonitorEvent *event)
{
  crier_monitor_emit (self->monitor, event);
}

/* A finished connection leaves the table at once but is freed only by empty_graveyard (),
 * the one place connections are freed, once nothing can still hold it: see there. */
void
crier_server_bury (CrierServer     *self,
                   CrierConnection *conn)
{
  g_hash_table_remove (self->connections, conn->socket_id);
  g_ptr_array_add (self->graveyard, conn);
}

/* A copy to iterate while closing connections changes the table. */
static GPtrArray *
snapshot_connections (CrierServer *self)
{
  GPtrArray     *all = g_ptr_array_sized_new (g_hash_table_size (self->connections));
  GHashTableIter iter;
  gpointer       conn;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, &conn))
    g_ptr_array_add (all, conn);
  return all;
}

/* The end of a main-loop pass: writes what it queued (one writev per connection) and
 * aborts the connections it doomed. Each abort can queue frames for others
 * (member_removed, subscription counts) and each write can doom another connection, so
 * this repeats until both lists are empty; it ends because a connection is doomed once. */
void
crier_server_flush (CrierServer *self)
{
  while (self->dirty->len > 0 || self->doomed->len > 0)
    {
      g_autoptr (GPtrArray) dirty = g_steal_pointer (&self->dirty);
      g_autoptr (GPtrArray) doomed = NULL;

      self->dirty = g_ptr_array_new ();
      for (guint i = 0; i < dirty->len; i++)
        crier_connection_flush (g_ptr_array_index (dirty, i));
      doomed = g_steal_pointer (&self->doomed);
      self->doomed = g_ptr_array_new ();
      /* Safe here: no channel's delivery loop is running, and a doomed connection that
       * finished meanwhile (deadline, peer close) is in the graveyard, not freed. */
      for (guint i = 0; i < doomed->len; i++)
        crier_connection_abort (g_ptr_array_index (doomed, i), "closed after a failed write");
    }
  /* The aborts may have scheduled another pass: nothing is left for it. */
  g_clear_handle_id (&self->flush_id, crier_source_remove);
}

static gboolean
flush_cb (gpointer user_data)
{
  CrierServer *self = user_data;

  self->flush_id = 0;
  crier_server_flush (self);
  return G_SOURCE_REMOVE;
}

/* Frames queued and connections doomed outside a poller batch (HTTP API, timers, the
 * dashboard) are handled from a high-priority idle: the next thing the main loop does,
 * before the poller can report a doomed connection's socket again. */
static void
schedule_flush (CrierServer *self)
{
  if (self->flush_id == 0 && !self->in_batch)
    self->flush_id = crier_idle_add_full (G_PRIORITY_HIGH, flush_cb, self);
}

void
crier_server_mark_dirty (CrierServer     *self,
                         CrierConnection *conn)
{
  g_ptr_array_add (self->dirty, conn);
  schedule_flush (self);
}

/* The connection is aborted at the end of this pass (crier_server_flush), not later: until
 * then its socket may stay ready in the level-triggered poller without being read. */
void
crier_server_doom (CrierServer     *self,
                   CrierConnection *conn)
{
  g_ptr_array_add (self->doomed, conn);
  schedule_flush (self);
}

static gboolean
read_later_cb (gpointer user_data)
{
  CrierServer *self = user_data;
  g_autoptr (GPtrArray) unread = g_steal_pointer (&self->unread);

  self->unread = g_ptr_array_new ();
  g_clear_pointer (&self->unread_source, g_source_unref);
  for (guint i = 0; i < unread->len; i++)
    {
      CrierConnection *conn = g_ptr_array_index (unread, i);

      conn->unread = FALSE;
      crier_connection_ready (conn, EPOLLIN);
    }
  crier_server_flush (self);
  return G_SOURCE_REMOVE;
}

/* A TLS connection that used up its reads for this pass may hold decrypted input its socket
 * no longer shows, so epoll would not report it again: it gets another turn after the
 * others had theirs (a client sending faster than we read must not starve the loop). */
void
crier_server_read_later (CrierServer     *self,
                         CrierConnection *conn)
{
  if (conn->unread)
    return;
  conn->unread = TRUE;
  g_ptr_array_add (self->unread, conn);
  if (self->unread_source == NULL)
    {
      self->unread_source = g_idle_source_new ();
      g_source_set_priority (self->unread_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->unread_source, read_later_cb, self, NULL);
      g_source_set_static_name (self->unread_source, "crier-read-later");
      g_source_attach (self->unread_source, g_main_context_get_thread_default ());
    }
}

static gboolean
after_batch (gpointer user_data)
{
  CrierServer *self = user_data;

  self->in_batch = FALSE;
  crier_server_flush (self);
  return G_SOURCE_CONTINUE;
}

/* The only place connections are freed. Outside a poller batch and outside the sweep's
 * and the shutdown's snapshots, the dirty and doomed lists are the only holders of a
 * finished connection: flushing empties both first. */
static gboolean
empty_graveyard (gpointer user_data)
{
  CrierServer *self = user_data;

  crier_server_flush (self);
  g_assert (self->dirty->len == 0 && self->doomed->len == 0);
  for (guint i = 0; i < self->graveyard->len; i++)
    {
      CrierConnection *conn = g_ptr_array_index (self->graveyard, i);

      if (conn->unread)
        g_ptr_array_remove_fast (self->unread, conn);
    }
  if (self->graveyard->len > 0)
    g_ptr_array_set_size (self->graveyard, 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
before_batch (gpointer user_data)
{
  CrierServer *self = user_data;

  empty_graveyard (self);
  self->in_batch = TRUE;
  return G_SOURCE_CONTINUE;
}

static void
connection_ready_cb (gpointer item,
                     guint32  events,
                     gpointer user_data)
{
  crier_connection_ready (item, events);
}

/* Once a second: pings for quiet connections, 4201 for unanswered ones, the bounded
 * closing handshake, the sign-in deadline, expired cache entries. */
static gboolean
sweep_cb (gpointer user_data)
{
  CrierServer *self = user_data;
  gint64       now = g_get_monotonic_time ();
  gint64       activity = (gint64) crier_config_get_activity_timeout (self->config) * G_USEC_PER_SEC;
  gint64       pong = (gint64) crier_config_get_pong_timeout (self->config) * G_USEC_PER_SEC;
  g_autoptr (GPtrArray) snapshot = snapshot_connections (self);
  GHashTableIter iter;
  CrierApp      *app;

  for (guint i = 0; i < snapshot->len; i++)
    {
      CrierConnection *conn = g_ptr_array_index (snapshot, i);

      if (conn->state == CRIER_CONNECTION_CLOSING)
        {
          crier_connection_check_deadline (conn, now);
          continue;
        }
      if (conn->state != CRIER_CONNECTION_OPEN || conn->app == NULL)
        continue;
      if (conn->ping_outstanding && now >= conn->deadline)
        {
          crier_connection_close (conn, CRIER_CODE_PONG_TIMEOUT, "Pong reply not received");
          continue;
        }
      if (!conn->ping_outstanding && now - conn->last_activity >= activity)
        {
          g_autoptr (GBytes) ping = crier_message_build ("pusher:ping", NULL, "{}", NULL);

          /* pusher:ping for protocol ≥ 5 clients, which answer with pusher:pong; any frame
           * back counts as the answer. */
          conn->ping_outstanding = TRUE;
          conn->deadline = now + pong;
          if (conn->protocol >= 5)
            crier_connection_send (conn, ping);
          else
            {
              g_autoptr (GBytes) frame = crier_frame_new (CRIER_OPCODE_PING, NULL, 0);

              crier_connection_send (conn, frame);
            }
          continue;
        }
      if (conn->app->config->user_authentication && !conn->authorized &&
          g_get_real_time () - conn->connected_at >=
            (gint64) conn->app->config->user_authentication_timeout * G_USEC_PER_SEC)
        crier_connection_close (conn, CRIER_CODE_UNAUTHORIZED,
                                "Connection not authorized within timeout.");
    }

  g_hash_table_iter_init (&iter, self->apps_by_key);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &app))
    crier_app_drop_idle_channels (app, now);
  empty_graveyard (self);
  return G_SOURCE_CONTINUE;
}

static char *
remote_address_string (SoupServerMessage *msg)
{
  GSocketAddress *address = soup_server_message_get_remote_address (msg);

  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      g_autofree char *ip = g_inet_address_to_string (
        g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));

      return g_strdup_printf ("%s:%u", ip,
                              g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
    }
  return g_strdup (soup_server_message_get_remote_host (msg));
}

typedef struct
{
  CrierServer *server;
  char        *path;
  GHashTable  *query;
  char        *origin;
} Upgrade;

static void
upgrade_free (gpointer  data,
              GClosure *closure)
{
  Upgrade *upgrade = data;

  g_free (upgrade->path);
  g_clear_pointer (&upgrade->query, g_hash_table_unref);
  g_free (upgrade->origin);
  g_free (upgrade);
}

/* The 101 went out: take the socket away from libsoup and into the poller. */
static void
upgrade_written_cb (SoupServerMessage *msg,
                    Upgrade           *upgrade)
{
  CrierServer *self = upgrade->server;
  g_autoptr (GIOStream) stream = NULL;
  g_autoptr (GIOStream) base = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GByteArray) early = g_byte_array_new ();
  g_autofree char *remote = remote_address_string (msg);
  GInputStream    *in;
  CrierConnection *conn;
  guint8           buffer[4096];
  gssize           n;
  int              fd;

  g_object_ref (msg);
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL || self->acceptor == NULL ||
      !crier_acceptor_release (self->acceptor, msg, &socket, &base))
    {
      g_object_unref (msg);
      return;
    }
  g_object_unref (msg);

  /* libsoup may already have read the client's first frames into its buffer (one header
   * block at most). Reading on through it reaches the socket, or TLS, where a client that
   * keeps writing would never let this loop end: take a bounded share, and leave the rest
   * to the connection's own reads. */
  in = g_io_stream_get_input_stream (stream);
  while (early->len < EARLY_INPUT_LIMIT &&
         (n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (in), buffer,
                                                        sizeof buffer, NULL, NULL)) > 0)
    g_byte_array_append (early, buffer, n);
  /* The connection polls its own copy of the descriptor. */
  fd = fcntl (g_socket_get_fd (socket), F_DUPFD_CLOEXEC, 0);
  if (fd < 0)
    {
      g_io_stream_close (base, NULL, NULL);
      return;
    }
  if (!self->tls)
    {
      /* Keep only the file descriptor: the GIO stream objects would cost more memory per
       * idle connection than the rest of its state. */
      g_io_stream_close (base, NULL, NULL);
      conn = crier_connection_new (self, fd, NULL);
    }
  else
    conn = crier_connection_new (self, fd, base); /* the TLS connection, without libsoup's layers */

  do
    g_snprintf (conn->socket_id, sizeof conn->socket_id, "%u.%" G_GUINT64_FORMAT,
                g_random_int_range (1, 1000000000), ++self->next_socket);
  while (g_hash_table_contains (self->connections, conn->socket_id));
  conn->remote = g_steal_pointer (&remote);
  conn->origin = g_steal_pointer (&upgrade->origin);
  g_hash_table_insert (self->connections, conn->socket_id, conn);
  if (!crier_poller_add (self->poller, conn->fd, EPOLLIN, conn))
    {
      g_hash_table_remove (self->connections, conn->socket_id);
      crier_connection_free (conn);
      return;
    }

  crier_protocol_open (conn, upgrade->path, upgrade->query);
  if (early->len > 0 && conn->state == CRIER_CONNECTION_OPEN)
    crier_connection_feed (conn, early->data, early->len);
  /* More may wait inside TLS, where the poller cannot see it. */
  if (early->len >= EARLY_INPUT_LIMIT && self->tls && conn->state == CRIER_CONNECTION_OPEN)
    crier_server_read_later (self, conn);
}

/* --metrics-port: only the operational endpoints, away from the public port. */
static void
metrics_request_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  if (g_str_equal (path, "/metrics") || g_str_equal (path, "/up"))
    crier_http_api_handle (user_data, msg, path, query);
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static gboolean
is_websocket_upgrade (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  return soup_message_headers_header_contains (headers, "Upgrade", "websocket");
}

static void
request_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  CrierServer *self = user_data;
  g_autoptr (GError) error = NULL;
  Upgrade *upgrade;

  if (!is_websocket_upgrade (msg))
    {
      crier_http_api_handle (self, msg, path, query);
      return;
    }
  if (!soup_websocket_server_check_handshake (msg, NULL, NULL, NULL, &error))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY,
                                        error->message, strlen (error->message));
      return;
    }
  soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL);
  upgrade = g_new0 (Upgrade, 1);
  upgrade->server = self;
  upgrade->path = g_strdup (path);
  upgrade->query = query != NULL ? g_hash_table_ref (query) : NULL;
  /* Two Origin headers are ambiguous: joined ("a, b") they match no allowed origin, so the
   * connection is refused the usual way instead of admitted on one of them. */
  upgrade->origin = g_strdup (soup_message_headers_get_list (
    soup_server_message_get_request_headers (msg), "Origin"));
  g_signal_connect_data (msg, "wrote-informational", G_CALLBACK (upgrade_written_cb), upgrade,
                         upgrade_free, 0);
}

static void
crier_server_dispose (GObject *object)
{
  CrierServer *self = CRIER_SERVER (object);

  crier_server_stop (self, CRIER_CODE_RECONNECT, "Generic reconnect immediately");
  if (self->connections != NULL)
    {
      g_autoptr (GPtrArray) all = snapshot_connections (self);

      for (guint i = 0; i < all->len; i++)
        crier_connection_abort (g_ptr_array_index (all, i), "server disposed");
      empty_graveyard (self); /* every connection is finished: flushing writes nothing */
    }
  g_clear_handle_id (&self->sweep_id, crier_source_remove);
  if (self->unread_source != NULL)
    g_source_destroy (self->unread_source);
  g_clear_pointer (&self->unread_source, g_source_unref);
  g_clear_pointer (&self->poller, crier_poller_free);
  g_clear_pointer (&self->cluster, crier_cluster_free);
  g_clear_object (&self->soup);
  g_clear_object (&self->metrics_soup);
  G_OBJECT_CLASS (crier_server_parent_class)->dispose (object);
}

static void
crier_server_finalize (GObject *object)
{
  CrierServer *self = CRIER_SERVER (object);

  g_hash_table_unref (self->connections);
  g_ptr_array_unref (self->graveyard);
  g_ptr_array_unref (self->doomed);
  g_ptr_array_unref (self->dirty);
  g_ptr_array_unref (self->unread);
  g_hash_table_unref (self->apps_by_id);
  g_hash_table_unref (self->apps_by_key);
  g_clear_object (&self->parser);
  g_clear_pointer (&self->monitor_endpoint, crier_monitor_endpoint_free);
  g_clear_object (&self->monitor);
  g_clear_object (&self->config);
  g_free (self->read_buffer);
  G_OBJECT_CLASS (crier_server_parent_class)->finalize (object);
}

static void
crier_server_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CrierServer *self = CRIER_SERVER (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_server_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  CrierServer *self = CRIER_SERVER (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_server_constructed (GObject *object)
{
  CrierServer *self = CRIER_SERVER (object);
  GPtrArray   *apps;

  G_OBJECT_CLASS (crier_server_parent_class)->constructed (object);
  if (self->config == NULL)
    self->config = crier_config_new_from_environment ();
  apps = crier_config_get_apps (self->config);
  for (guint i = 0; i < apps->len; i++)
    {
      CrierAppConfig *config = g_ptr_array_index (apps, i);
      CrierApp       *app = crier_app_new (config);

      g_hash_table_insert (self->apps_by_key, config->key, app);
      g_hash_table_insert (self->apps_by_id, config->id, app);
    }
}

static void
crier_server_class_init (CrierServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crier_server_dispose;
  object_class->finalize = crier_server_finalize;
  object_class->get_property = crier_server_get_property;
  object_class->set_property = crier_server_set_property;
  object_class->constructed = crier_server_constructed;

  properties[PROP_CONFIG] = g_param_spec_object ("config", NULL, NULL, CRIER_TYPE_CONFIG,
                                                 G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                                   G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                     G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crier_server_init (CrierServer *self)
{
  self->monitor = crier_monitor_new ();
  self->apps_by_key = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) crier_app_free);
  self->apps_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->connections = g_hash_table_new (g_str_hash, g_str_equal);
  self->graveyard = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_connection_free);
  self->doomed = g_ptr_array_new ();
  self->dirty = g_ptr_array_new ();
  self->unread = g_ptr_array_new ();
  self->parser = json_parser_new_immutable ();
  self->read_buffer = g_malloc (READ_BUFFER_SIZE);
}

CrierServer *
crier_server_new (CrierConfig *config)
{
  return g_object_new (CRIER_TYPE_SERVER, "config", config, NULL);
}

CrierConfig *
crier_server_get_config (CrierServer *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER (self), NULL);
  return self->config;
}

CrierMonitor *
crier_server_get_monitor (CrierServer *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER (self), NULL);
  return self->monitor;
}

static GInetAddress *
resolve_host (const char *host,
              GError    **error)
{
  g_autoptr (GResolver) resolver = NULL;
  g_autolist (GInetAddress) addresses = NULL;
  GInetAddress *address = g_inet_address_new_from_string (host);

  if (address != NULL)
    return address;
  resolver = g_resolver_get_default ();
  addresses = g_resolver_lookup_by_name (resolver, host, NULL, NULL);
  if (addresses == NULL)
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_BAD_ADDRESS,
                   "cannot listen on “%s”: not an IP address or a known host name", host);
      return NULL;
    }
  return g_object_ref (addresses->data);
}

/* [cluster] reuse-port: N nodes on one host share the port, the kernel spreads accepts.
 * g_socket_bind () clears SO_REUSEPORT on stream sockets, so that case binds natively. */
static gboolean
bind_socket (GSocket        *socket,
             GSocketAddress *address,
             gboolean        reuse_port,
             GError        **error)
{
  struct sockaddr_storage native;
  gssize                  length = g_socket_address_get_native_size (address);

  if (!reuse_port)
    return g_socket_bind (socket, address, TRUE, error);
  if (!g_socket_set_option (socket, SOL_SOCKET, SO_REUSEADDR, 1, error) ||
      !g_socket_set_option (socket, SOL_SOCKET, SO_REUSEPORT, 1, error) ||
      !g_socket_address_to_native (address, &native, sizeof native, error))
    return FALSE;
  if (bind (g_socket_get_fd (socket), (struct sockaddr *) &native, (socklen_t) length) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static GSocket *
listen_on (CrierServer     *self,
           unsigned         port,
           CrierServerError in_use_code,
           GError         **error)
{
  const char *host = crier_config_get_host (self->config);
  g_autoptr (GInetAddress) inet = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GError) local_error = NULL;

  if ((inet = resolve_host (host, error)) == NULL)
    return NULL;
  address = g_inet_socket_address_new (inet, port);
  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  if (!bind_socket (socket, address,
                    crier_config_get_cluster_settings (self->config)->reuse_port, &local_error))
    {
      /* Only the facts and a code: each front end words its own way out. */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        g_set_error (error, CRIER_SERVER_ERROR, in_use_code,
                     "port %u on %s is already in use", port, host);
      else
        g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_BAD_ADDRESS,
                     "cannot listen on %s port %u: %s", host, port, local_error->message);
      return NULL;
    }
  /* GSocket's default backlog of 10 stalls bursts of connects for seconds. */
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

static gboolean
has_webhooks (CrierConfig *config)
{
  GPtrArray *apps = crier_config_get_apps (config);

  for (guint i = 0; i < apps->len; i++)
    if (((CrierAppConfig *) g_ptr_array_index (apps, i))->webhooks->len > 0)
      return TRUE;
  return FALSE;
}

/* The TLS certificate of the config: TRUE with NULL when TLS is off. */
static gboolean
load_certificate (CrierServer      *self,
                  GTlsCertificate **certificate,
                  GError          **error)
{
  const char *cert = crier_config_get_tls_cert (self->config);
  const char *key = crier_config_get_tls_key (self->config);
  g_autoptr (GError) local_error = NULL;

  *certificate = NULL;
  if ((cert == NULL || *cert == '\0') && (key == NULL || *key == '\0'))
    return TRUE;
  if (cert == NULL || *cert == '\0' || key == NULL || *key == '\0')
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_TLS,
                   "TLS needs both a certificate and a key");
      return FALSE;
    }
  *certificate = g_tls_certificate_new_from_files (cert, key, &local_error);
  if (*certificate == NULL)
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_TLS,
                   "cannot load the TLS certificate %s with key %s: %s", cert, key,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* /metrics on a port of its own, when the config asks for one. */
static gboolean
start_metrics_listener (CrierServer *self,
                        GError     **error)
{
  unsigned port = crier_config_get_metrics_port (self->config);
  g_autoptr (GSocket) socket = NULL;

  if (port == 0)
    return TRUE;
  if ((socket = listen_on (self, port, CRIER_SERVER_ERROR_METRICS_ADDRESS_IN_USE, error)) == NULL)
    return FALSE;
  self->metrics_soup = soup_server_new ("server-header", "crier/" PACKAGE_VERSION, NULL);
  soup_server_add_handler (self->metrics_soup, NULL, metrics_request_cb, self, NULL);
  self->metrics_acceptor = crier_acceptor_new (socket, self->metrics_soup, NULL,
                                               crier_config_get_http_limits (self->config));
  return TRUE;
}

gboolean
crier_server_start (CrierServer *self,
                    GError     **error)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;

  g_return_val_if_fail (CRIER_IS_SERVER (self), FALSE);
  if (self->running)
    return TRUE;

  if (!load_certificate (self, &certificate, error))
    return FALSE;
  /* Before listening: a webhook-spool that is not a journal stops the start with nothing
   * to undo. */
  if (self->webhooks == NULL && has_webhooks (self->config))
    {
      g_autoptr (CrierWebhooks) webhooks = crier_webhooks_new (self->config, self->monitor,
                                                               &self->stats);

      if (!crier_webhooks_load_spool (webhooks, error))
        return FALSE;
      self->webhooks = g_steal_pointer (&webhooks);
    }
  if (self->cluster == NULL && crier_config_get_cluster_settings (self->config)->redis != NULL &&
      (self->cluster = crier_cluster_new (self, crier_config_get_cluster_settings (self->config),
                                          error)) == NULL)
    return FALSE;
  if ((socket = listen_on (self, crier_config_get_port (self->config),
                           CRIER_SERVER_ERROR_ADDRESS_IN_USE, error)) == NULL ||
      !start_metrics_listener (self, error))
    return FALSE;
  if (self->cluster != NULL)
    {
      if (self->webhooks != NULL)
        crier_webhooks_set_clustered (self->webhooks);
      crier_cluster_start (self->cluster);
    }

  self->tls = certificate != NULL;
  self->soup = soup_server_new ("server-header", "crier/" PACKAGE_VERSION, NULL);
  soup_server_add_handler (self->soup, NULL, request_cb, self, NULL);
  self->acceptor = crier_acceptor_new (socket, self->soup, certificate,
                                       crier_config_get_http_limits (self->config));
  local = g_socket_get_local_address (socket, NULL);
  self->port = local != NULL ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) : 0;
  if (self->poller == NULL)
    self->poller = crier_poller_new (connection_ready_cb, before_batch, after_batch, self);
  if (self->sweep_id == 0)
    self->sweep_id = crier_timeout_add_seconds (1, sweep_cb, self);
  self->running = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  if (crier_server_monitoring (self))
    {
      CrierMonitorEvent *event = crier_monitor_event_new (CRIER_MONITOR_SERVER_STARTED);

      event->message = g_strdup_printf ("listening on %s://%s:%u", self->tls ? "wss" : "ws",
                                        crier_config_get_host (self->config), self->port);
      crier_server_emit (self, event);
    }
  return TRUE;
}

/* Stops listening and starts the closing handshake of every connection with code (4200:
 * clients reconnect at once). The handshakes finish on the main loop within a couple of
 * seconds; crier_server_has_connections () tells when they are done. */
void
crier_server_stop (CrierServer *self,
                   guint16      code,
                   const char  *reason)
{
  g_autoptr (GPtrArray) all = NULL;

  g_return_if_fail (CRIER_IS_SERVER (self));
  if (!self->running)
    return;
  self->running = FALSE;
  g_clear_pointer (&self->acceptor, crier_acceptor_free);
  g_clear_pointer (&self->metrics_acceptor, crier_acceptor_free);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  if (self->metrics_soup != NULL)
    soup_server_disconnect (self->metrics_soup);
  g_clear_object (&self->metrics_soup);
  all = snapshot_connections (self);
  for (guint i = 0; i < all->len; i++)
    crier_connection_close (g_ptr_array_index (all, i), code, reason);
  if (self->cluster != NULL)
    crier_cluster_leave (self->cluster);
  /* After the closes: their channel_vacated and member_removed are spooled too. */
  if (self->webhooks != NULL)
    crier_webhooks_shutdown (self->webhooks);
  g_clear_object (&self->webhooks);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  if (crier_server_monitoring (self))
    {
      CrierMonitorEvent *event = crier_monitor_event_new (CRIER_MONITOR_SERVER_STOPPED);

      event->code = code;
      event->message = g_strdup (reason);
      crier_server_emit (self, event);
    }
}

/* Starts the closing handshake of every connection, the server keeps running (a cluster
 * node that was declared dead sends its clients elsewhere with 4200). */
void
crier_server_close_all (CrierServer *self,
                        guint16      code,
                        const char  *reason)
{
  g_autoptr (GPtrArray) all = snapshot_connections (self);

  for (guint i = 0; i < all->len; i++)
    crier_connection_close (g_ptr_array_index (all, i), code, reason);
}

/* The cluster node this server is (NULL without [cluster]), how many nodes were alive at
 * the last heartbeat, and whether Redis answers: for the window and /metrics. */
const char *
crier_server_get_node_id (CrierServer *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER (self), NULL);
  return crier_cluster_get_node_id (self->cluster);
}

unsigned
crier_server_count_cluster_nodes (CrierServer *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER (self), 0);
  return crier_cluster_count_nodes (self->cluster);
}

gboolean
crier_server_is_redis_connected (CrierServer *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER (self), FALSE);
  return crier_cluster_is_redis_connected (self->cluster);
}

/* TRUE while connections (open or still closing) remain. */
gboolean
crier_server_has_connections (CrierServer *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER (self), FALSE);
  return g_hash_table_size (self->connections) > 0;
}

gboolean
crier_server_is_running (CrierServer *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER (self), FALSE);
  return self->running;
}

unsigned
crier_server_get_port (CrierServer *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER (self), 0);
  return self->port;
}

gboolean
crier_server_is_tls (CrierServer *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER (self), FALSE);
  return self->tls;
}

unsigned
crier_server_count_connections (CrierServer *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER (self), 0);
  return (unsigned) self->stats.connections;
}

const CrierServerStats *
crier_server_get_stats (CrierServer *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER (self), NULL);
  return &self->stats;
}

/* +1: a connection passed the connection-time checks; -1: it left its app. */
void
crier_server_count_connection (CrierServer *self,
                               CrierApp    *app,
                               int          change)
{
  if (change > 0)
    {
      crier_app_count_connection (app, +1);
      self->stats.connections++;
      self->stats.connections_total++;
      self->stats.peak_connections = MAX (self->stats.peak_connections, self->stats.connections);
    }
  else
    {
      crier_app_count_connection (app, -1);
      self->stats.connections--;
    }
}

/* A refused request, subscription or message; app is NULL before one is known. */
void
crier_server_count_error (CrierServer *self,
                          CrierApp    *app)
{
  self->stats.errors++;
  if (app != NULL)
    app->stats.errors++;
}

void
crier_server_count_client_event (CrierServer *self,
                                 CrierApp    *app)
{
  self->stats.client_events++;
  app->stats.client_events++;
}

/* The server counts every HTTP request as it arrives (app NULL); the app its answered
 * API requests (self NULL). */
void
crier_server_count_api_request (CrierServer *self,
                                CrierApp    *app)
{
  if (self != NULL)
    self->stats.api_requests++;
  if (app != NULL)
    app->stats.api_requests++;
}

void
crier_server_count_publication (CrierServer *self,
                                CrierApp    *app)
{
  self->stats.events_published++;
  app->stats.events_published++;
}
