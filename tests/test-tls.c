/* test-tls.c — wss:// and https:// with a certificate from the config
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crier-test-utils.h"

static CrierTestServer *
start_tls_server_with (const char *extra)
{
  g_autofree char *cert = g_test_build_filename (G_TEST_DIST, "data", "tls-cert.pem", NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_DIST, "data", "tls-key.pem", NULL);
  g_autofree char *config = g_strdup_printf ("[server]\ntls-cert=%s\ntls-key=%s\n%s"
                                             "[app:tls]\nkey=tls-key\nsecret=tls-secret\n",
                                             cert, key, extra);

  return crier_test_server_new (config);
}

static CrierTestServer *
start_tls_server (void)
{
  return start_tls_server_with ("");
}

/* A plain TCP socket to the TLS port, non-blocking once connected. */
static int
tcp_connect (unsigned port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (port), .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int                fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (fcntl (fd, F_SETFL, O_NONBLOCK), ==, 0);
  return fd;
}

/* Reads into received; TRUE once the server closed the connection. */
static gboolean
tcp_closed (int      fd,
            GString *received)
{
  char   buffer[4096];
  gssize n;

  while ((n = recv (fd, buffer, sizeof buffer, 0)) > 0)
    g_string_append_len (received, buffer, n);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

static unsigned
count_fds (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  unsigned n = 0;

  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_websocket (void)
{
  g_autoptr (CrierTestServer) server = start_tls_server ();
  g_autoptr (CrierTestClient) client = NULL;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (GError) error = NULL;
  const char *channels[] = { "orders", NULL };

  g_assert_true (crier_server_is_tls (server->server));
  client = crier_test_client_connect (server, "tls-key");
  g_autoptr (JsonObject) ok G_GNUC_UNUSED = crier_test_client_subscribe (client, "orders", NULL, NULL);
  g_assert_true (crier_server_publish (server->server, "tls", channels, "shipped", "{\"id\":1}",
                                       NULL, &error));
  g_assert_no_error (error);
  event = crier_test_client_expect (client, "shipped", "orders");
  g_assert_cmpstr (json_object_get_string_member (event, "data"), ==, "{\"id\":1}");
  crier_test_client_sync (client);
}

static void
test_https (void)
{
  g_autoptr (CrierTestServer) server = start_tls_server ();
  g_autoptr (CrierTestResponse) first = crier_test_http (server, "GET", "/up", NULL);
  g_autoptr (CrierTestResponse) second = crier_test_http (server, "GET", "/up", NULL);

  g_assert_cmpuint (first->status, ==, 200);
  g_assert_cmpuint (second->status, ==, 200); /* the same kept-alive TLS connection */
}

static void
test_bad_certificate (void)
{
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (CrierServer) server = NULL;
  g_autoptr (GError) error = NULL;

  crier_config_set_port (config, 0);
  crier_config_set_tls (config, "/nonexistent/cert.pem", "/nonexistent/key.pem");
  server = crier_server_new (config);
  g_assert_false (crier_server_start (server, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "/nonexistent/cert.pem"));

  g_clear_error (&error);
  crier_config_set_tls (config, "/nonexistent/cert.pem", NULL);
  g_assert_false (crier_server_start (server, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_TLS);
}

/* Silent sockets must not hold the TLS handshakes of real clients hostage (they used to
 * take GLib's thread pool, one blocked handshake each, with no timeout). */
static void
test_silent_sockets (void)
{
  g_autoptr (CrierTestServer) server = start_tls_server ();
  g_autoptr (CrierTestClient) client = NULL;
  int silent[50];

  for (guint i = 0; i < G_N_ELEMENTS (silent); i++)
    silent[i] = tcp_connect (server->port);
  crier_test_drain ();
  client = crier_test_client_connect (server, "tls-key");
  g_assert_nonnull (client->socket_id);
  for (guint i = 0; i < G_N_ELEMENTS (silent); i++)
    close (silent[i]);
}

/* A silent socket, and one that stops in the middle of its ClientHello, are closed once
 * the handshake-timeout has passed. */
static void
test_handshake_timeout (void)
{
  g_autoptr (CrierTestServer) server = start_tls_server_with ("handshake-timeout = 1\n");
  g_autoptr (GString) received = g_string_new (NULL);
  static const guint8 partial[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01 };
  int                 silent = tcp_connect (server->port);
  int                 slow = tcp_connect (server->port);

  g_assert_cmpint (send (slow, partial, sizeof partial, MSG_NOSIGNAL), ==, sizeof partial);
  crier_test_wait_until (tcp_closed (silent, received), CRIER_TEST_TIMEOUT);
  crier_test_wait_until (tcp_closed (slow, received), CRIER_TEST_TIMEOUT);
  g_assert_cmpuint (received->len, ==, 0);
  close (silent);
  close (slow);
}

/* Plain HTTP on the TLS port gets an answer that says so; other garbage is closed. */
static void
test_garbage (void)
{
  g_autoptr (CrierTestServer) server = start_tls_server ();
  g_autoptr (GString) http_answer = g_string_new (NULL);
  g_autoptr (GString) binary_answer = g_string_new (NULL);
  const char         *request = "GET /up HTTP/1.1\r\nHost: x\r\n\r\n";
  static const guint8 binary[] = { 0x00, 0xff, 0x13, 0x37, 0x42, 0x00, 0x00, 0x01 };
  int                 http = tcp_connect (server->port);
  int                 garbage = tcp_connect (server->port);

  g_assert_cmpint (send (http, request, strlen (request), MSG_NOSIGNAL), ==, strlen (request));
  g_assert_cmpint (send (garbage, binary, sizeof binary, MSG_NOSIGNAL), ==, sizeof binary);
  crier_test_wait_until (tcp_closed (http, http_answer), CRIER_TEST_TIMEOUT);
  crier_test_wait_until (tcp_closed (garbage, binary_answer), CRIER_TEST_TIMEOUT);
  g_assert_true (g_str_has_prefix (http_answer->str, "HTTP/1.1 400 "));
  g_assert_nonnull (strstr (http_answer->str, "TLS"));
  g_assert_cmpuint (binary_answer->len, ==, 0);
  close (http);
  close (garbage);
}

/* HTTPS clients that close their kept-alive connections (with close_notify) give the
 * server's descriptors back. */
static void
test_https_client_closes (void)
{
  g_autoptr (CrierTestServer) server = start_tls_server ();
  unsigned before = count_fds ();

  for (int i = 0; i < 10; i++)
    {
      g_autoptr (CrierTestResponse) response = crier_test_http (server, "GET", "/up", NULL);

      g_assert_cmpuint (response->status, ==, 200);
      soup_session_abort (server->session);
    }
  crier_test_wait_until (count_fds () <= before, CRIER_TEST_TIMEOUT);
}

/* A wss client that writes faster than the server reads: TLS holds decrypted input the
 * socket no longer shows, and reading until the socket is empty never ended while the
 * client kept writing, so nobody else was served. */
typedef struct
{
  unsigned port;
  gint     written; /* bytes of frames written, for the test thread */
  gint     stop;
  gint     finished;
  gboolean flooding; /* still writing when it was told to stop */
} Flood;

static gboolean
accept_any_certificate_cb (GTlsConnection      *connection,
                           GTlsCertificate     *certificate,
                           GTlsCertificateFlags errors,
                           gpointer             user_data)
{
  return TRUE;
}

static gpointer
flood_thread (gpointer data)
{
  Flood *flood = data;
  g_autoptr (GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr (GSocketConnection) tcp = NULL;
  g_autoptr (GIOStream) tls = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) frames = g_byte_array_new ();
  const char *upgrade = "GET /app/tls-key?protocol=7 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  const char *message = "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"nothing\"}}";
  guint8      header[6] = { 0x81, 0x80 | (guint8) strlen (message), 0, 0, 0, 0 }; /* mask 0 */
  char        reply[4096];
  gsize       got = 0;
  gint64      deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  tcp = g_socket_client_connect_to_host (socket_client, "127.0.0.1", flood->port, NULL, &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (G_IO_STREAM (tcp), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any_certificate_cb), NULL);
  g_assert_true (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error));
  g_output_stream_write_all (g_io_stream_get_output_stream (tls), upgrade, strlen (upgrade), NULL,
                             NULL, &error);
  g_assert_no_error (error);
  while (got < sizeof reply - 1 && g_strstr_len (reply, got, "\r\n\r\n") == NULL)
    {
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (tls), reply + got,
                                      sizeof reply - 1 - got, NULL, &error);
      g_assert_cmpint (n, >, 0);
      got += n;
    }
  g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 101"));
  while (frames->len < 64 * 1024)
    {
      g_byte_array_append (frames, header, sizeof header);
      g_byte_array_append (frames, (const guint8 *) message, strlen (message));
    }
  while (!g_atomic_int_get (&flood->stop) && g_get_monotonic_time () < deadline)
    {
      if (!g_output_stream_write_all (g_io_stream_get_output_stream (tls), frames->data,
                                      frames->len, NULL, NULL, NULL))
        break;
      g_atomic_int_add (&flood->written, (gint) frames->len);
    }
  flood->flooding = g_atomic_int_get (&flood->stop);
  g_io_stream_close (tls, NULL, NULL);
  g_atomic_int_set (&flood->finished, 1);
  return NULL;
}

static void
test_fast_writer (void)
{
  g_autoptr (CrierTestServer) server = start_tls_server ();
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, "tls-key");
  g_autoptr (JsonObject) pong = NULL;
  Flood    flood = { .port = server->port };
  GThread *thread = g_thread_new ("flood", flood_thread, &flood);

  /* A few megabytes in: the server is reading the flood. */
  crier_test_wait_until (g_atomic_int_get (&flood.written) > 4 * 1024 * 1024, 15);
  crier_test_client_send (client, "{\"event\":\"pusher:ping\",\"data\":{}}");
  pong = crier_test_client_expect (client, "pusher:pong", NULL);
  g_atomic_int_set (&flood.stop, 1);
  /* Its last write ends once the server has read it: keep the server running until then. */
  crier_test_wait_until (g_atomic_int_get (&flood.finished), CRIER_TEST_TIMEOUT);
  g_thread_join (thread);
  g_assert_true (flood.flooding); /* answered while the flood went on, not after it */
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tls/websocket", test_websocket);
  g_test_add_func ("/tls/https-keep-alive", test_https);
  g_test_add_func ("/tls/bad-certificate", test_bad_certificate);
  g_test_add_func ("/tls/silent-sockets", test_silent_sockets);
  g_test_add_func ("/tls/handshake-timeout", test_handshake_timeout);
  g_test_add_func ("/tls/garbage", test_garbage);
  g_test_add_func ("/tls/https-client-closes", test_https_client_closes);
  g_test_add_func ("/tls/fast-writer", test_fast_writer);
  return g_test_run ();
}
