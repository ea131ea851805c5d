/* test-lifecycle.c — WebSocket connections that vanish: reset storms, presence members
 * leaving at once, mass closes and shutdown; the server must drain every connection, free
 * each exactly once, keep serving and let its main loop go idle (issue 11)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "crier-test-utils.h"

#define KEY    CRIER_TEST_APP_KEY
#define SECRET CRIER_TEST_APP_SECRET
#define APP    CRIER_TEST_APP_ID

/* Generous bounds: thousands of sockets under ASan on two shared cores. They bound a hang;
 * they are not speed assertions. */
#define CROWD_TIMEOUT 90
#define DRAIN_TIMEOUT 30

static const char *config_text =
  "[app:3]\n"
  "key = 278d425bdf160c739803\n"
  "secret = 7ad3773142a6692b25b8\n"
  "max-presence-members = 1000\n";

/* The smallest queue a client may leave unread. */
static const char *small_queue_config =
  "[server]\n"
  "max-outgoing-buffer = 65536\n"
  "\n"
  "[app:3]\n"
  "key = 278d425bdf160c739803\n"
  "secret = 7ad3773142a6692b25b8\n";

/* Raw clients: blocking sockets driven from a thread while the test's main thread runs the
 * server. libsoup clients cannot reset a connection (SO_LINGER 0), and thousands of them
 * would cost more than the server under test. */

typedef struct
{
  int         fd;
  GByteArray *in;
  char       *socket_id;
} RawClient;

typedef struct
{
  unsigned   port;
  unsigned   n_clients;
  unsigned   n_channels; /* 0: connect only */
  gboolean   presence;
  int        rcvbuf; /* 0: the kernel's default */
  RawClient *clients;
  char      *failure; /* set by the thread: what went wrong */
  int        done;    /* atomic */
} Crowd;

static gboolean
raw_send_all (int           fd,
              const guint8 *data,
              gsize         length)
{
  while (length > 0)
    {
      ssize_t n = send (fd, data, length, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= n;
    }
  return TRUE;
}

/* A masked client frame (RFC 6455 §5.2). */
static gboolean
raw_send_frame (int         fd,
                guint8      first_byte,
                const char *payload,
                gsize       length)
{
  static const guint8 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  g_autoptr (GByteArray) frame = g_byte_array_sized_new (length + 14);
  guint8 header[4] = { first_byte, 0x80, 0, 0 };

  if (length < 126)
    {
      header[1] |= length;
      g_byte_array_append (frame, header, 2);
    }
  else
    {
      g_assert_cmpuint (length, <, 65536);
      header[1] |= 126;
      header[2] = length >> 8;
      header[3] = length & 0xff;
      g_byte_array_append (frame, header, 4);
    }
  g_byte_array_append (frame, mask, 4);
  for (gsize i = 0; i < length; i++)
    {
      guint8 byte = payload[i] ^ mask[i % 4];

      g_byte_array_append (frame, &byte, 1);
    }
  return raw_send_all (fd, frame->data, frame->len);
}

static gboolean
raw_fill (RawClient *client)
{
  guint8  buffer[4096];
  ssize_t n;

  do
    n = recv (client->fd, buffer, sizeof buffer, 0);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return FALSE;
  g_byte_array_append (client->in, buffer, n);
  return TRUE;
}

/* The next text message (skipping other frames); NULL at close, EOF or the socket timeout. */
static char *
raw_next_text (RawClient *client)
{
  for (;;)
    {
      const guint8 *data = client->in->data;
      guint64       length = 0;
      gsize         header = 2;

      if (client->in->len >= 2)
        {
          length = data[1] & 0x7f;
          header = length == 126 ? 4 : length == 127 ? 10
                                                     : 2;
        }
      if (client->in->len >= header && client->in->len >= 2)
        {
          if (header == 4)
            length = (data[2] << 8) | data[3];
          else if (header == 10)
            {
              length = 0;
              for (int i = 2; i < 10; i++)
                length = (length << 8) | data[i];
            }
          if (client->in->len >= header + length)
            {
              guint8 opcode = data[0] & 0x0f;
              char  *text = g_strndup ((const char *) data + header, length);

              g_byte_array_remove_range (client->in, 0, header + length);
              if (opcode == 0x1)
                return text;
              g_free (text);
              if (opcode == 0x8)
                return NULL;
              continue;
            }
        }
      if (!raw_fill (client))
        return NULL;
    }
}

static gboolean
raw_connect (RawClient *client,
             unsigned   port,
             int        rcvbuf)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (port), .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  struct timeval     timeout = { .tv_sec = 20 };
  g_autofree char   *request = NULL;

  client->in = g_byte_array_new ();
  client->fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (client->fd < 0)
    return FALSE;
  /* A server that stops answering fails the test instead of hanging the thread. */
  setsockopt (client->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt (client->fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (rcvbuf > 0) /* before connect (): the window the server may fill */
    setsockopt (client->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (connect (client->fd, (struct sockaddr *) &address, sizeof address) < 0)
    return FALSE;
  request = g_strdup_printf ("GET /app/" KEY "?protocol=7&client=js&version=8.6.0 HTTP/1.1\r\n"
                             "Host: 127.0.0.1:%u\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\n\r\n",
                             port);
  return raw_send_all (client->fd, (const guint8 *) request, strlen (request));
}

static const char *
find_header_end (GByteArray *in)
{
  for (guint i = 0; i + 4 <= in->len; i++)
    if (memcmp (in->data + i, "\r\n\r\n", 4) == 0)
      return (const char *) in->data + i;
  return NULL;
}

/* Reads the 101 and pusher:connection_established; keeps the socket id. */
static gboolean
raw_established (RawClient *client)
{
  g_autofree char *text = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *data = NULL;
  const char      *end;
  JsonObject      *message;

  while ((end = find_header_end (client->in)) == NULL)
    if (!raw_fill (client))
      return FALSE;
  if (client->in->len < 12 || memcmp (client->in->data, "HTTP/1.1 101", 12) != 0)
    return FALSE;
  g_byte_array_remove_range (client->in, 0, end + 4 - (const char *) client->in->data);
  if ((text = raw_next_text (client)) == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return FALSE;
  message = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (message, "event", ""),
                 "pusher:connection_established") != 0)
    return FALSE;
  /* The data is a JSON string holding JSON (double encoding). */
  data = g_strdup (json_object_get_string_member_with_default (message, "data", ""));
  if (!json_parser_load_from_data (parser, data, -1, NULL))
    return FALSE;
  client->socket_id = g_strdup (json_object_get_string_member (
    json_node_get_object (json_parser_get_root (parser)), "socket_id"));
  return client->socket_id != NULL;
}

static char *
channel_name (const Crowd *crowd,
              unsigned     index)
{
  return g_strdup_printf ("%s-lifecycle-%u", crowd->presence ? "presence" : "public", index);
}

static char *
member_data (const char *user_id)
{
  return g_strdup_printf ("{\"user_id\":\"%s\",\"user_info\":{\"name\":\"%s\"}}", user_id,
                          user_id);
}

static gboolean
raw_subscribe (RawClient  *client,
               const char *channel,
               const char *user_id)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *channel_data = user_id != NULL ? member_data (user_id) : NULL;
  g_autofree char *auth = channel_data != NULL
                            ? crier_test_channel_auth (KEY, SECRET, client->socket_id, channel,
                                                       channel_data)
                            : NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "pusher:subscribe");
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "channel");
  json_builder_add_string_value (builder, channel);
  if (auth != NULL)
    {
      json_builder_set_member_name (builder, "auth");
      json_builder_add_string_value (builder, auth);
      json_builder_set_member_name (builder, "channel_data");
      json_builder_add_string_value (builder, channel_data);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  return raw_send_frame (client->fd, 0x81, text, strlen (text));
}

/* Waits for subscription_succeeded, skipping member_added of later members. */
static gboolean
raw_subscribed (RawClient *client)
{
  for (;;)
    {
      g_autofree char *text = raw_next_text (client);

      if (text == NULL || strstr (text, "\"pusher:error\"") != NULL)
        return FALSE;
      if (strstr (text, "\"pusher_internal:subscription_succeeded\"") != NULL)
        return TRUE;
    }
}

/* In phases, so the server sees hundreds of handshakes and subscriptions in flight. */
static gpointer
crowd_join_thread (gpointer data)
{
  Crowd *crowd = data;

  for (unsigned i = 0; i < crowd->n_clients && crowd->failure == NULL; i++)
    if (!raw_connect (&crowd->clients[i], crowd->port, crowd->rcvbuf))
      crowd->failure = g_strdup_printf ("client %u: connect: %s", i, g_strerror (errno));
  for (unsigned i = 0; i < crowd->n_clients && crowd->failure == NULL; i++)
    {
      RawClient       *client = &crowd->clients[i];
      g_autofree char *channel = channel_name (crowd, i % MAX (crowd->n_channels, 1));
      g_autofree char *user_id = g_strdup_printf ("user-%u", i);

      if (!raw_established (client))
        crowd->failure = g_strdup_printf ("client %u: no connection_established", i);
      else if (crowd->n_channels > 0 &&
               !raw_subscribe (client, channel, crowd->presence ? user_id : NULL))
        crowd->failure = g_strdup_printf ("client %u: cannot send pusher:subscribe", i);
    }
  for (unsigned i = 0; crowd->n_channels > 0 && i < crowd->n_clients && crowd->failure == NULL; i++)
    if (!raw_subscribed (&crowd->clients[i]))
      crowd->failure = g_strdup_printf ("client %u: no subscription_succeeded", i);
  g_atomic_int_set (&crowd->done, TRUE);
  return NULL;
}

static Crowd *
crowd_join_full (CrierTestServer *server,
                 unsigned         n_clients,
                 unsigned         n_channels,
                 gboolean         presence,
                 int              rcvbuf)
{
  Crowd   *crowd = g_new0 (Crowd, 1);
  GThread *thread;

  crowd->rcvbuf = rcvbuf;
  crowd->port = server->port;
  crowd->n_clients = n_clients;
  crowd->n_channels = n_channels;
  crowd->presence = presence;
  crowd->clients = g_new0 (RawClient, n_clients);
  for (unsigned i = 0; i < n_clients; i++)
    crowd->clients[i].fd = -1;
  thread = g_thread_new ("crowd", crowd_join_thread, crowd);
  crier_test_wait_until (g_atomic_int_get (&crowd->done), CROWD_TIMEOUT);
  g_thread_join (thread);
  if (crowd->failure != NULL)
    g_error ("%s", crowd->failure);
  return crowd;
}

static Crowd *
crowd_join (CrierTestServer *server,
            unsigned         n_clients,
            unsigned         n_channels,
            gboolean         presence)
{
  return crowd_join_full (server, n_clients, n_channels, presence, 0);
}

typedef enum
{
  LEAVE_FIN,       /* close (): FIN after the queued bytes */
  LEAVE_RESET,     /* SO_LINGER 0, then close (): RST */
  LEAVE_BAD_FRAME, /* one invalid frame, then RST */
} Leave;

/* Every client leaves at once: no main-loop iteration between them. */
static void
crowd_leave (Crowd *crowd,
             Leave  how)
{
  for (unsigned i = 0; i < crowd->n_clients; i++)
    {
      RawClient    *client = &crowd->clients[i];
      struct linger linger = { .l_onoff = 1, .l_linger = 0 };

      if (how == LEAVE_BAD_FRAME)
        raw_send_frame (client->fd, 0x83, "x", 1); /* opcode 3 is reserved */
      if (how != LEAVE_FIN)
        setsockopt (client->fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
      close (client->fd);
      client->fd = -1;
    }
}

static void
crowd_free (Crowd *crowd)
{
  for (unsigned i = 0; i < crowd->n_clients; i++)
    {
      if (crowd->clients[i].fd >= 0)
        close (crowd->clients[i].fd);
      g_clear_pointer (&crowd->clients[i].in, g_byte_array_unref);
      g_free (crowd->clients[i].socket_id);
    }
  g_free (crowd->clients);
  g_free (crowd->failure);
  g_free (crowd);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Crowd, crowd_free)

/* Checks */

/* The server's end of its WebSocket connections: descriptors of this process whose TCP
 * socket (/proc/net/tcp, by inode) has the server's port as its local port and is not the
 * listener. A connection that is never freed, or a leaked duplicate, keeps one open. */
static unsigned
count_server_sockets (unsigned port)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  g_autoptr (GHashTable) inodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *table = NULL;
  g_auto (GStrv) lines = NULL;
  const char *name;
  unsigned    n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);
      unsigned         count;

      if (target == NULL || !g_str_has_prefix (target, "socket:["))
        continue;
      g_autofree char *inode = g_strndup (target + 8, strlen (target + 8) - 1);

      count = GPOINTER_TO_UINT (g_hash_table_lookup (inodes, inode));
      g_hash_table_insert (inodes, g_steal_pointer (&inode), GUINT_TO_POINTER (count + 1));
    }
  g_assert_true (g_file_get_contents ("/proc/net/tcp", &table, NULL, NULL));
  lines = g_strsplit (table, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto (GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      g_autoptr (GPtrArray) columns = g_ptr_array_new ();
      const char *colon;

      for (guint j = 0; fields[j] != NULL; j++)
        if (*fields[j] != '\0')
          g_ptr_array_add (columns, fields[j]);
      /* sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode */
      if (columns->len < 10 || (colon = strchr (g_ptr_array_index (columns, 1), ':')) == NULL)
        continue;
      if (g_ascii_strtoull (colon + 1, NULL, 16) != port ||
          g_str_equal (g_ptr_array_index (columns, 3), "0A")) /* TCP_LISTEN */
        continue;
      n += GPOINTER_TO_UINT (g_hash_table_lookup (inodes, g_ptr_array_index (columns, 9)));
    }
  return n;
}

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A busy-looping source starves every lower priority: an idle at the lowest ordinary
 * priority that gets to run shows the main loop is not spinning on a ready socket. */
static void
assert_loop_goes_idle (void)
{
  gboolean ran = FALSE;

  g_idle_add_full (G_PRIORITY_LOW, set_flag_cb, &ran, NULL);
  crier_test_wait_until (ran, DRAIN_TIMEOUT);
}

/* A new client still connects, subscribes and gets a published event. */
static void
assert_still_serving (CrierTestServer *server)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, KEY);
  g_autoptr (JsonObject) succeeded G_GNUC_UNUSED = crier_test_client_subscribe (client, "after-the-storm", NULL,
                                                                                NULL);
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (GError) error = NULL;

  crier_server_publish (server->server, APP, (const char *[]){ "after-the-storm", NULL },
                        "still-here", "{}", NULL, &error);
  g_assert_no_error (error);
  event = crier_test_client_expect (client, "still-here", "after-the-storm");
}

static unsigned
count_texts (CrierTestClient *client,
             const char      *needle)
{
  unsigned n = 0;

  for (guint i = 0; i < client->texts->len; i++)
    if (strstr (g_ptr_array_index (client->texts, i), needle) != NULL)
      n++;
  return n;
}

/* Only the survivors are left: in the connection table, in the counters, and among the
 * server's sockets (so each connection was freed). */
static void
assert_drained (CrierTestServer *server,
                unsigned         survivors)
{
  g_autoptr (GPtrArray) connections = NULL;

  crier_test_wait_until (crier_server_count_connections (server->server) == survivors,
                         DRAIN_TIMEOUT);
  crier_test_wait_until (survivors > 0 || !crier_server_has_connections (server->server),
                         DRAIN_TIMEOUT);
  crier_test_wait_until (count_server_sockets (server->port) == survivors, DRAIN_TIMEOUT);
  connections = crier_server_dup_connections (server->server, NULL);
  g_assert_cmpuint (connections->len, ==, survivors);
}

/* Each of the crowd's connections was detached once: one disconnected event each and, for
 * presence members (one user per client), one member_removed each. */
static void
assert_departed (CrierTestServer *server,
                 const Crowd     *crowd)
{
  g_assert_cmpuint (crier_test_server_count_events (server, CRIER_MONITOR_DISCONNECTED, NULL), ==,
                    crowd->n_clients);
  g_assert_cmpuint (crier_test_server_count_events (server, CRIER_MONITOR_MEMBER_REMOVED, NULL), ==,
                    crowd->presence ? crowd->n_clients : 0);
}

/* Tests */

typedef struct
{
  CrierTestServer *server;
} Fixture;

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  f->server = crier_test_server_new (data != NULL ? data : config_text);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  g_clear_pointer (&f->server, crier_test_server_free);
}

/* Hundreds of clients send one invalid frame and reset: the server's close frame fails to
 * write, so every connection is both closing and doomed while its socket stays readable. */
static void
test_reset_storm (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (Crowd) crowd = crowd_join (f->server, 300, 3, FALSE);

  crowd_leave (crowd, LEAVE_BAD_FRAME);
  assert_loop_goes_idle ();
  assert_drained (f->server, 0);
  assert_departed (f->server, crowd);
  assert_still_serving (f->server);
  assert_loop_goes_idle ();
}

/* Presence members reset together: each one's member_removed goes to members whose
 * sockets are already dead, so writes fail while their resets wait to be read. */
static void
test_presence_reset (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (CrierTestClient) survivor = crier_test_client_connect (f->server, KEY);
  g_autofree char                 *survivor_data = member_data ("survivor");
  g_autofree char                 *auth = crier_test_channel_auth (KEY, SECRET, survivor->socket_id,
                                                                   "presence-lifecycle-0", survivor_data);
  g_autoptr (JsonObject) succeeded G_GNUC_UNUSED = crier_test_client_subscribe (survivor, "presence-lifecycle-0",
                                                                                auth, survivor_data);
  g_autoptr (Crowd) crowd = crowd_join (f->server, 600, 6, TRUE);
  g_autoptr (GPtrArray) members = NULL;
  g_autoptr (GPtrArray) channels = NULL;

  crowd_leave (crowd, LEAVE_RESET);
  assert_loop_goes_idle ();
  assert_drained (f->server, 1);
  assert_departed (f->server, crowd);
  crier_test_wait_until (count_texts (survivor, "pusher_internal:member_removed") == 100,
                         DRAIN_TIMEOUT);
  members = crier_server_dup_members (f->server->server, APP, "presence-lifecycle-0");
  g_assert_cmpuint (members->len, ==, 1);
  channels = crier_server_dup_channels (f->server->server, APP, "presence-");
  g_assert_cmpuint (channels->len, ==, 1);
  assert_still_serving (f->server);
  assert_loop_goes_idle ();
}

/* Ordinary closes (FIN) of 2000 clients on 200 presence channels: all must drain. */
static void
test_presence_fin (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (CrierTestClient) survivor = crier_test_client_connect (f->server, KEY);
  g_autofree char                 *survivor_data = member_data ("survivor");
  g_autofree char                 *auth = crier_test_channel_auth (KEY, SECRET, survivor->socket_id,
                                                                   "presence-lifecycle-0", survivor_data);
  g_autoptr (JsonObject) succeeded G_GNUC_UNUSED = crier_test_client_subscribe (survivor, "presence-lifecycle-0",
                                                                                auth, survivor_data);
  g_autoptr (Crowd) crowd = crowd_join (f->server, 2000, 200, TRUE);
  g_autoptr (GPtrArray) members = NULL;
  g_autoptr (GPtrArray) channels = NULL;

  crowd_leave (crowd, LEAVE_FIN);
  assert_loop_goes_idle ();
  assert_drained (f->server, 1);
  assert_departed (f->server, crowd);
  crier_test_wait_until (count_texts (survivor, "pusher_internal:member_removed") == 10,
                         DRAIN_TIMEOUT);
  members = crier_server_dup_members (f->server->server, APP, "presence-lifecycle-0");
  g_assert_cmpuint (members->len, ==, 1);
  channels = crier_server_dup_channels (f->server->server, APP, "presence-");
  g_assert_cmpuint (channels->len, ==, 1);
  assert_still_serving (f->server);
  assert_loop_goes_idle ();
}

/* A subscriber that never reads is cut off once its queue passes max-outgoing-buffer,
 * outside any poller batch (the publications come from the API); a reader on the same
 * channel keeps getting every event. */
static void
test_slow_consumer (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (CrierTestClient) reader = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) succeeded G_GNUC_UNUSED = crier_test_client_subscribe (reader, "public-lifecycle-0",
                                                                                NULL, NULL);
  g_autoptr (Crowd) crowd = crowd_join_full (f->server, 1, 1, FALSE, 4096);
  g_autofree char *payload = g_strdup_printf ("{\"fill\":\"%0*d\"}", 8000, 0);
  unsigned         published = 0;

  /* Bounded: 4000 events of 8 kB are far more than the queue and the socket buffers. */
  while (crier_server_count_connections (f->server->server) > 1 && published < 4000)
    {
      g_autoptr (GError) error = NULL;

      crier_server_publish (f->server->server, APP, (const char *[]){ "public-lifecycle-0", NULL },
                            "slow-event", payload, NULL, &error);
      g_assert_no_error (error);
      published++;
      crier_test_wait_until (count_texts (reader, "slow-event") == published, DRAIN_TIMEOUT);
    }
  g_assert_cmpuint (crier_server_count_connections (f->server->server), ==, 1);
  assert_loop_goes_idle ();
  assert_drained (f->server, 1);
  assert_departed (f->server, crowd);
  assert_still_serving (f->server);
}

/* Shutdown (what SIGTERM does) just after every client reset: the 4200 close frames fail
 * to write, then the server is disposed. */
static void
test_stop_after_reset (Fixture      *f,
                       gconstpointer data)
{
  g_autoptr (Crowd) crowd = crowd_join (f->server, 200, 4, TRUE);

  crowd_leave (crowd, LEAVE_RESET);
  crier_server_stop (f->server->server, 4200, "Generic reconnect immediately");
  assert_loop_goes_idle ();
  assert_drained (f->server, 0);
  assert_departed (f->server, crowd);
}

/* Shutdown while clients stay connected and silent: the close handshakes end at their
 * deadline; then the clients reset and the server is disposed. */
static void
test_stop_silent (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (Crowd) crowd = crowd_join (f->server, 100, 2, TRUE);

  crier_server_stop (f->server->server, 4200, "Generic reconnect immediately");
  assert_loop_goes_idle ();
  assert_drained (f->server, 0);
  assert_departed (f->server, crowd);
  crowd_leave (crowd, LEAVE_RESET);
  assert_loop_goes_idle ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/core/lifecycle/reset-storm", Fixture, NULL, fixture_setup, test_reset_storm,
              fixture_teardown);
  g_test_add ("/core/lifecycle/presence-reset", Fixture, NULL, fixture_setup, test_presence_reset,
              fixture_teardown);
  g_test_add ("/core/lifecycle/presence-fin", Fixture, NULL, fixture_setup, test_presence_fin,
              fixture_teardown);
  g_test_add ("/core/lifecycle/slow-consumer", Fixture, small_queue_config, fixture_setup, test_slow_consumer,
              fixture_teardown);
  g_test_add ("/core/lifecycle/stop-after-reset", Fixture, NULL, fixture_setup,
              test_stop_after_reset, fixture_teardown);
  g_test_add ("/core/lifecycle/stop-silent", Fixture, NULL, fixture_setup, test_stop_silent,
              fixture_teardown);
  return g_test_run ();
}
