/* crier-acceptor.c — accepts TCP connections and hands them to a SoupServer
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-server"

#include "config.h"

#include "crier-acceptor.h"

#include <gio/gunixsocketaddress.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#define ACCEPTS_PER_WAKEUP 64

struct _CrierAcceptor
{
  GSocket         *listener;
  SoupServer      *server;
  GTlsCertificate *certificate;
  GSource         *source;
  GHashTable      *entries; /* remote GSocketAddress → Entry, while the connection lives */
};

typedef struct
{
  CrierAcceptor  *acceptor; /* NULL once the acceptor is gone */
  GSocketAddress *remote;
  GSocket        *socket;   /* borrowed: the connection holds it */
} Entry;

/* The connection is gone (closed by libsoup, or stolen and closed by us). */
static void
connection_finalized_cb (gpointer data,
                         GObject *where_the_object_was)
{
  Entry *entry = data;

  if (entry->acceptor != NULL)
    g_hash_table_remove (entry->acceptor->entries, entry->remote);
  g_object_unref (entry->remote);
  g_free (entry);
}

static gboolean
accept_cb (GSocket      *listener,
           GIOCondition  condition,
           gpointer      user_data)
{
  CrierAcceptor *self = user_data;

  for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++)
    {
      g_autoptr (GSocket) socket = g_socket_accept (listener, NULL, NULL);
      g_autoptr (GSocketConnection) connection = NULL;
      g_autoptr (GSocketAddress) local = NULL;
      g_autoptr (GSocketAddress) remote = NULL;
      g_autoptr (GIOStream) stream = NULL;
      Entry *entry;

      if (socket == NULL)
        break; /* nothing left to accept (or out of fds: try again on the next wake-up) */
      local = g_socket_get_local_address (socket, NULL);
      remote = g_socket_get_remote_address (socket, NULL);
      if (local == NULL || remote == NULL)
        continue;
      g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
      connection = g_socket_connection_factory_create_connection (socket);
      if (self->certificate != NULL)
        {
          stream = (GIOStream *) g_tls_server_connection_new (G_IO_STREAM (connection),
                                                              self->certificate, NULL);
          if (stream == NULL)
            continue;
        }
      else
        stream = g_object_ref (G_IO_STREAM (connection));

      entry = g_new0 (Entry, 1);
      entry->acceptor = self;
      entry->remote = g_object_ref (remote);
      entry->socket = socket;
      g_hash_table_insert (self->entries, remote, entry);
      g_object_weak_ref (G_OBJECT (connection), connection_finalized_cb, entry);
      soup_server_accept_iostream (self->server, stream, local, remote, NULL);
    }
  return G_SOURCE_CONTINUE;
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
crier_acceptor_new (GSocket         *listener,
                    SoupServer      *server,
                    GTlsCertificate *certificate)
{
  CrierAcceptor *self = g_new0 (CrierAcceptor, 1);

  if (soup_server_get_listeners (server) == NULL)
    add_keepalive_listener (server);

  self->listener = g_object_ref (listener);
  self->server = server; /* owned by the caller, outlives us */
  self->certificate = certificate != NULL ? g_object_ref (certificate) : NULL;
  /* The address objects are the ones libsoup hands back: compare them by identity. */
  self->entries = g_hash_table_new (NULL, NULL);
  g_socket_set_blocking (listener, FALSE);
  self->source = g_socket_create_source (listener, G_IO_IN, NULL);
  g_source_set_callback (self->source, G_SOURCE_FUNC (accept_cb), self, NULL);
  g_source_set_static_name (self->source, "crier-acceptor");
  g_source_attach (self->source, NULL);
  return self;
}

void
crier_acceptor_free (CrierAcceptor *self)
{
  GHashTableIter iter;
  Entry *entry;

  g_source_destroy (self->source);
  g_source_unref (self->source);
  /* Connections that outlive us must not reach back into the freed acceptor. */
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    entry->acceptor = NULL;
  g_hash_table_unref (self->entries);
  g_socket_close (self->listener, NULL);
  g_object_unref (self->listener);
  g_clear_object (&self->certificate);
  g_free (self);
}

/* Returns: (transfer none) (nullable): the socket of the connection from remote. */
GSocket *
crier_acceptor_lookup_socket (CrierAcceptor  *self,
                              GSocketAddress *remote)
{
  Entry *entry = g_hash_table_lookup (self->entries, remote);

  return entry != NULL ? entry->socket : NULL;
}
