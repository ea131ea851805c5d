/* fuzz-common.c — what the libFuzzer targets share: quiet but strict logging, a real
 * server on 127.0.0.1, clients on socketpairs, signing on the fuzzer's behalf
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-fuzz"

#include "config.h"

#include "fuzz-common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crier-connection-private.h"
#include "crier-json.h"
#include "crier-monitor-event.h"
#include "crier-protocol-private.h"
#include "crier-server-private.h"
#include "crier-signature.h"

struct _FuzzClient
{
  CrierServer *server;
  char         socket_id[24];
  int          peer; /* our end; the server's end belongs to its CrierConnection */
};

static GPtrArray *clients; /* every FuzzClient alive, drained by fuzz_settle () */
static unsigned   next_client;

/* Client mistakes must never reach g_warning (a client could flood the log) and criticals are our
 * own bugs: both end the run as a crash, so the fuzzer reports them with the input.
 * Other libraries' warnings are theirs; debug chatter is dropped for speed. */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;
  gboolean    ours;

  if (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO | G_LOG_LEVEL_MESSAGE))
    return G_LOG_WRITER_HANDLED;
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
  ours = domain != NULL && g_str_has_prefix (domain, "crier");
  fprintf (stderr, "%s-%s: %s\n", domain ? domain : "(none)",
           (level & G_LOG_LEVEL_WARNING) ? "WARNING" : "CRITICAL", message ? message : "");
  if (ours || (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)))
    abort ();
  return G_LOG_WRITER_HANDLED;
}

/* Every monitor event also goes through the JSON Lines writer and reader and the text
 * form, as `crier --server --verbose` and the dashboard's log export would. */
static void
monitor_event_cb (CrierMonitor      *monitor,
                  CrierMonitorEvent *event,
                  gpointer           user_data)
{
  g_autofree char *json = crier_monitor_event_to_json (event);
  g_autofree char *text = crier_monitor_event_to_text (event);
  g_autoptr (CrierMonitorEvent) back = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (text);
  back = crier_monitor_event_new_from_json (json, &error);
  if (back == NULL)
    {
      fprintf (stderr, "the JSON Lines reader refused the writer's line: %s\n%s\n",
               error->message, json);
      abort ();
    }
}

/* ASan's default quarantine (256 MB) makes every input touch fresh pages: five times
 * slower here, while one input frees far less than 16 MB. */
const char *__asan_default_options (void);

const char *
__asan_default_options (void)
{
  return "quarantine_size_mb=16";
}

void
fuzz_init (void)
{
  g_log_set_writer_func (log_writer, NULL, NULL);
  clients = g_ptr_array_new ();
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* GLib 2.74's slice allocator would hide allocations from ASan, and it reads G_SLICE
   * before any code of ours runs: start again with it set, so that a reproducer needs no
   * environment. */
  if (getenv ("G_SLICE") == NULL)
    {
      setenv ("G_SLICE", "always-malloc", 1);
      setenv ("G_DEBUG", "gc-friendly", 0);
      execv ("/proc/self/exe", *argv);
    }
  fuzz_init ();
  return 0;
}

CrierServer *
fuzz_server_new (void)
{
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (GError) error = NULL;
  CrierServer *server;
  /* Small limits, so that short inputs reach them. */
  static const char text[] =
    "[server]\n"
    "max-frame-size = 4096\n"
    "max-outgoing-buffer = 65536\n"
    "[app:" FUZZ_APP_ID "]\n"
    "key = " FUZZ_APP_KEY "\n"
    "secret = " FUZZ_APP_SECRET "\n"
    "client-events = true\n"
    "client-events-per-second = 5\n"
    "max-presence-members = 3\n"
    "max-user-info-size = 200\n"
    "max-message-size = 2000\n"
    "max-channel-name-length = 100\n"
    "max-event-name-length = 60\n"
    "cache-ttl = 30\n"
    "subscription-count = true\n"
    "encryption-master-key = MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=\n"
    "[app:other]\n"
    "key = other-key\n"
    "secret = other-secret\n"
    "user-authentication = true\n"
    "max-connections = 1\n"
    "allowed-origins = https://allowed.example\n";

  if (!crier_config_load_data (config, text, "fuzz.conf", &error))
    g_error ("fuzz config: %s", error->message);
  crier_config_set_host (config, "127.0.0.1");
  crier_config_set_port (config, 0);
  server = crier_server_new (config);
  g_signal_connect (crier_server_get_monitor (server), "event", G_CALLBACK (monitor_event_cb),
                    NULL);
  /* Listening on 127.0.0.1 port 0 gives the server its poller, sweep and SoupServer; nobody
   * connects to that port, the clients come in through socketpairs. */
  if (!crier_server_start (server, &error))
    g_error ("fuzz server: %s", error->message);
  return server;
}

/* Disposes of the server with its clients still connected, as quitting the dashboard
 * does, then forgets the clients. */
void
fuzz_server_free (CrierServer *server)
{
  g_signal_handlers_disconnect_by_func (crier_server_get_monitor (server), monitor_event_cb, NULL);
  g_object_unref (server);
  for (guint i = 0; i < clients->len; i++)
    {
      FuzzClient *client = g_ptr_array_index (clients, i);

      close (client->peer);
      g_free (client);
    }
  g_ptr_array_set_size (clients, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static CrierConnection *
lookup_connection (FuzzClient *client)
{
  CrierConnection *conn = g_hash_table_lookup (client->server->connections, client->socket_id);

  return conn != NULL && conn->state != CRIER_CONNECTION_CLOSED ? conn : NULL;
}

/* Does what upgrade_written_cb () in crier-server.c does once the 101 is out. */
FuzzClient *
fuzz_client_new (CrierServer *server,
                 const char  *path,
                 const char  *protocol)
{
  g_autoptr (GHashTable) query = g_hash_table_new (g_str_hash, g_str_equal);

  if (protocol != NULL)
    g_hash_table_insert (query, "protocol", (char *) protocol);
  return fuzz_client_new_with_query (server, path, query);
}

/* A client that opened path with query (a monitor client's signed one). */
FuzzClient *
fuzz_client_new_with_query (CrierServer *server,
                            const char  *path,
                            GHashTable  *query)
{
  FuzzClient      *client = g_new0 (FuzzClient, 1);
  CrierConnection *conn;
  int              fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) != 0)
    g_error ("socketpair: %s", g_strerror (errno));
  client->server = server;
  client->peer = fds[1];
  conn = crier_connection_new (server, fds[0], NULL);
  g_snprintf (conn->socket_id, sizeof conn->socket_id, "%u.%u", 100 + next_client,
              200 + next_client);
  next_client++;
  g_strlcpy (client->socket_id, conn->socket_id, sizeof client->socket_id);
  conn->remote = g_strdup ("127.0.0.1:40000");
  g_hash_table_insert (server->connections, conn->socket_id, conn);
  if (!crier_poller_add (server->poller, conn->fd, EPOLLIN, conn))
    g_error ("poller: %s", g_strerror (errno));
  crier_protocol_open (conn, path, query);
  g_ptr_array_add (clients, client);
  return client;
}

const char *
fuzz_client_get_socket_id (FuzzClient *client)
{
  return client->socket_id;
}

gboolean
fuzz_client_is_open (FuzzClient *client)
{
  CrierConnection *conn = lookup_connection (client);

  return conn != NULL && conn->state == CRIER_CONNECTION_OPEN;
}

/* Reads (and forgets) what the server sent; TRUE if there was something. */
static gboolean
drain_peer (FuzzClient *client)
{
  gboolean got = FALSE;
  char     buffer[16384];
  ssize_t  n;

  while ((n = recv (client->peer, buffer, sizeof buffer, MSG_DONTWAIT)) > 0)
    got = TRUE;
  return got;
}

/* TRUE while the server still has bytes of this client to read. */
static gboolean
server_has_input (FuzzClient *client)
{
  CrierConnection *conn = lookup_connection (client);
  int              pending = 0;

  if (conn == NULL || conn->discard_input)
    return FALSE;
  return ioctl (conn->fd, FIONREAD, &pending) == 0 && pending > 0;
}

/* Runs the main loop until the server has read every byte the clients wrote and has
 * nothing left to do right now; what it sends is read and dropped meanwhile. Each turn
 * either makes progress or ends the loop, so this cannot spin for ever. */
void
fuzz_settle (CrierServer *server)
{
  for (;;)
    {
      gboolean progress = FALSE;
      gboolean waiting = FALSE;

      for (guint i = 0; i < clients->len; i++)
        progress |= drain_peer (g_ptr_array_index (clients, i));
      while (g_main_context_iteration (NULL, FALSE))
        progress = TRUE;
      for (guint i = 0; i < clients->len; i++)
        waiting |= server_has_input (g_ptr_array_index (clients, i));
      if (!progress && !waiting)
        break;
    }
}

void
fuzz_client_write (FuzzClient *client,
                   const void *data,
                   gsize       length)
{
  const guint8 *bytes = data;

  while (length > 0 && lookup_connection (client) != NULL)
    {
      ssize_t n = send (client->peer, bytes, length, MSG_DONTWAIT | MSG_NOSIGNAL);

      if (n > 0)
        {
          bytes += n;
          length -= n;
        }
      else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        break;
      fuzz_settle (client->server);
    }
  fuzz_settle (client->server);
}

/* One masked text frame, as a browser sends it. */
void
fuzz_client_send_text (FuzzClient *client,
                       const char *text,
                       gsize       length)
{
  static const guint8 mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
  g_autoptr (GByteArray) frame = g_byte_array_sized_new (length + 14);
  guint8 header[14];
  gsize  header_length;

  header[0] = 0x80 | 0x1;
  if (length < 126)
    {
      header[1] = 0x80 | (guint8) length;
      header_length = 2;
    }
  else if (length <= G_MAXUINT16)
    {
      header[1] = 0x80 | 126;
      header[2] = (guint8) (length >> 8);
      header[3] = (guint8) length;
      header_length = 4;
    }
  else
    {
      header[1] = 0x80 | 127;
      for (int i = 0; i < 8; i++)
        header[2 + i] = (guint8) ((guint64) length >> (56 - 8 * i));
      header_length = 10;
    }
  memcpy (header + header_length, mask, 4);
  header_length += 4;
  g_byte_array_append (frame, header, header_length);
  g_byte_array_append (frame, (const guint8 *) text, length);
  for (gsize i = 0; i < length; i++)
    frame->data[header_length + i] ^= mask[i & 3];
  fuzz_client_write (client, frame->data, frame->len);
}

/* A string member, or NULL (json-glib's typed getters are criticals on other types). */
static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static char *
sign (const char *secret,
      const char *key,
      const char *string_to_sign)
{
  g_autofree char *hex = crier_signature_compute (secret, string_to_sign, -1);

  return g_strconcat (key, ":", hex, NULL);
}

/* pusher:subscribe and pusher:signin whose auth is FUZZ_SIGN get the signature the app's
 * auth endpoint would give (pusher-protocol.md §6, §11). Returns NULL to send the text
 * unchanged. */
char *
fuzz_sign_client_message (const char *socket_id,
                          const char *text,
                          gsize       length)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (JsonGenerator) generator = NULL;
  g_autofree char *to_sign = NULL;
  g_autofree char *data_text = NULL;
  g_autofree char *auth = NULL;
  g_autoptr (JsonNode) data_node = NULL;
  JsonObject *root;
  JsonObject *data;
  const char *event;
  gboolean    data_is_string = FALSE;

  /* Only what asks for it is parsed here, so that every other input reaches the server's
   * parser first (and a crash in parsing is the server's, not ours). Through the core's
   * pre-scan, as the server parses: json-glib alone would overflow the stack on deep text
   * and leak the tree of a text with more after its value. */
  if (g_strstr_len (text, length, "\"" FUZZ_SIGN "\"") == NULL)
    return NULL;
  parser = json_parser_new ();
  if (!crier_json_parser_load (parser, text, length, NULL) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  event = get_string (root, "event");
  if (event == NULL)
    return NULL;
  if (!json_object_has_member (root, "data"))
    return NULL;
  /* pusher-js sends data as an object; some clients send it as JSON text. */
  if (get_string (root, "data") != NULL)
    {
      g_autoptr (JsonParser) inner = json_parser_new ();

      if (!crier_json_parser_load (inner, get_string (root, "data"), -1, NULL) ||
          json_parser_get_root (inner) == NULL ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (inner)))
        return NULL;
      data_node = json_node_copy (json_parser_get_root (inner));
      data_is_string = TRUE;
    }
  else if (JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "data")))
    data_node = json_node_copy (json_object_get_member (root, "data"));
  else
    return NULL;
  data = json_node_get_object (data_node);
  if (g_strcmp0 (get_string (data, "auth"), FUZZ_SIGN) != 0)
    return NULL;

  if (g_str_equal (event, "pusher:subscribe"))
    {
      const char *channel = get_string (data, "channel");
      const char *channel_data = get_string (data, "channel_data");

      if (channel == NULL)
        return NULL;
      to_sign = channel_data != NULL ? g_strconcat (socket_id, ":", channel, ":", channel_data, NULL)
                                     : g_strconcat (socket_id, ":", channel, NULL);
    }
  else if (g_str_equal (event, "pusher:signin"))
    {
      const char *user_data = get_string (data, "user_data");

      if (user_data == NULL)
        return NULL;
      to_sign = g_strconcat (socket_id, "::user::", user_data, NULL);
    }
  else
    return NULL;
  auth = sign (FUZZ_APP_SECRET, FUZZ_APP_KEY, to_sign);
  json_object_set_string_member (data, "auth", auth);
  if (data_is_string)
    {
      data_text = json_to_string (data_node, FALSE);
      json_object_set_string_member (root, "data", data_text);
    }
  else
    json_object_set_member (root, "data", g_steal_pointer (&data_node));
  generator = json_generator_new ();
  json_generator_set_root (generator, json_parser_get_root (parser));
  return json_generator_to_data (generator, NULL);
}
