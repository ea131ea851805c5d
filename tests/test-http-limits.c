/* test-http-limits.c — what one HTTP connection may cost the server: descriptors after the
 * client closes, header/request/keep-alive timeouts, header and body limits, ambiguous
 * headers, running out of descriptors. Raw sockets, so that the tests send exactly the
 * bytes a careless or hostile client sends.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crier-test-utils.h"

#define APP_CONFIG                       \
  "[app:3]\n"                            \
  "key = " CRIER_TEST_APP_KEY "\n"       \
  "secret = " CRIER_TEST_APP_SECRET "\n" \
  "allowed-origins = https://good.example\n"

/* ---------------------------------------------------------------- raw client */

typedef struct
{
  int      fd;
  GString *received;
  gboolean closed; /* end of stream or reset */
  int      error;  /* errno of a failed read */
} Raw;

static Raw *
raw_connect (unsigned port)
{
  Raw               *raw = g_new0 (Raw, 1);
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (port), .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };

  raw->fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (raw->fd, >=, 0);
  /* The kernel completes the handshake from the listen backlog: no main loop needed. */
  g_assert_cmpint (connect (raw->fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (fcntl (raw->fd, F_SETFL, O_NONBLOCK), ==, 0);
  raw->received = g_string_new (NULL);
  return raw;
}

static void
raw_free (Raw *raw)
{
  if (raw->fd >= 0)
    close (raw->fd);
  g_string_free (raw->received, TRUE);
  g_free (raw);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Raw, raw_free)

/* Reads what is there; TRUE once the server closed (or reset) the connection. */
static gboolean
raw_poll (Raw *raw)
{
  char   buffer[16384];
  gssize n;

  while (!raw->closed && (n = recv (raw->fd, buffer, sizeof buffer, 0)) != 0)
    {
      if (n < 0)
        {
          if (errno == EAGAIN || errno == EINTR)
            return FALSE;
          raw->error = errno;
          break;
        }
      g_string_append_len (raw->received, buffer, n);
    }
  raw->closed = TRUE;
  return TRUE;
}

/* Sends everything while the server (in this process) runs; FALSE if it closed first. */
static gboolean
raw_send (Raw        *raw,
          const char *data,
          gsize       length)
{
  CrierTestDeadline *deadline = crier_test_deadline_new (CRIER_TEST_TIMEOUT);
  gsize              done = 0;

  while (done < length)
    {
      gssize n = send (raw->fd, data + done, length - done, MSG_NOSIGNAL);

      if (n > 0)
        done += n;
      else if (n < 0 && errno != EAGAIN && errno != EINTR)
        break;
      else if (!crier_test_deadline_iterate (deadline))
        g_error ("sending %" G_GSIZE_FORMAT " bytes took too long", length);
      raw_poll (raw);
    }
  crier_test_deadline_free (deadline);
  return done == length;
}

static void
raw_send_text (Raw        *raw,
               const char *text)
{
  g_assert_true (raw_send (raw, text, strlen (text)));
}

/* TRUE once a whole response (headers, and a body of Content-Length) is in. */
static gboolean
raw_has_response (Raw *raw)
{
  const char *end;
  const char *length;

  raw_poll (raw);
  end = strstr (raw->received->str, "\r\n\r\n");
  if (end == NULL)
    return raw->closed;
  length = g_strstr_len (raw->received->str, end - raw->received->str, "Content-Length: ");
  if (length == NULL)
    length = g_strstr_len (raw->received->str, end - raw->received->str, "content-length: ");
  if (length == NULL)
    return TRUE;
  return raw->received->len >= (gsize) (end + 4 - raw->received->str) +
                                 g_ascii_strtoull (length + strlen ("Content-Length: "), NULL, 10);
}

static unsigned
raw_status (Raw *raw)
{
  crier_test_wait_until (raw_has_response (raw), CRIER_TEST_TIMEOUT);
  if (!g_str_has_prefix (raw->received->str, "HTTP/1.1 "))
    {
      g_test_message ("no response (read error: %s), got: %.200s", g_strerror (raw->error),
                      raw->received->str);
      return 0;
    }
  return (unsigned) g_ascii_strtoull (raw->received->str + strlen ("HTTP/1.1 "), NULL, 10);
}

static unsigned
count_fds (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  unsigned n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static CrierTestServer *
start_server (const char *server_section)
{
  g_autofree char *text = g_strconcat ("[server]\n", server_section, APP_CONFIG, NULL);

  return crier_test_server_new (text);
}

/* ---------------------------------------------------------------- descriptors */

typedef struct
{
  const char *name;
  const char *method;
  const char *path;
  const char *extra_headers;
  const char *body;
  gboolean    sign;
  unsigned    status;
} ClosedCase;

static const ClosedCase closed_cases[] = {
  { "up", "GET", "/up", "", NULL, FALSE, 200 },
  { "metrics", "GET", "/metrics", "", NULL, FALSE, 200 },
  { "signed-post", "POST", "/apps/3/events", "Content-Type: application/json\r\n",
    "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"{}\"}", TRUE, 200 },
  { "refused-upgrade", "GET", "/app/" CRIER_TEST_APP_KEY,
    "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n", NULL, FALSE, 400 },
  { "not-found", "GET", "/nowhere", "", NULL, FALSE, 404 },
};

/* curl, Guzzle at the end of a PHP request, health checks and Prometheus: one kept-alive
 * request, then the client closes. Each of those connections must give its descriptor
 * back. */
static void
test_client_closes (gconstpointer data)
{
  const ClosedCase *c = data;
  g_autoptr (CrierTestServer) server = start_server ("");
  unsigned before = count_fds ();

  for (int i = 0; i < 30; i++)
    {
      g_autoptr (Raw) raw = raw_connect (server->port);
      g_autofree char *target = NULL;
      g_autofree char *request = NULL;

      if (c->sign)
        {
          g_autofree char *query = crier_test_sign_query (c->method, c->path, CRIER_TEST_APP_KEY,
                                                          CRIER_TEST_APP_SECRET, c->body,
                                                          g_get_real_time () / G_USEC_PER_SEC,
                                                          NULL);

          target = g_strconcat (c->path, "?", query, NULL);
        }
      else
        target = g_strdup (c->path);
      request = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Length: %zu\r\n\r\n%s",
                                 c->method, target, c->extra_headers,
                                 c->body ? strlen (c->body) : 0, c->body ? c->body : "");
      raw_send_text (raw, request);
      g_assert_cmpuint (raw_status (raw), ==, c->status);
    }
  /* Every client socket is closed; the server's ends must follow. */
  crier_test_wait_until (count_fds () <= before, CRIER_TEST_TIMEOUT);
}

/* The same over one connection: keep-alive still works, and only the close frees it. */
static void
test_keepalive_reuse (void)
{
  g_autoptr (CrierTestServer) server = start_server ("");
  unsigned before = count_fds ();
  g_autoptr (Raw) raw = raw_connect (server->port);

  for (int i = 0; i < 5; i++)
    {
      g_string_truncate (raw->received, 0);
      raw_send_text (raw, "GET /up HTTP/1.1\r\nHost: x\r\n\r\n");
      g_assert_cmpuint (raw_status (raw), ==, 200);
      g_assert_false (raw->closed);
    }
  g_clear_pointer (&raw, raw_free);
  crier_test_wait_until (count_fds () <= before, CRIER_TEST_TIMEOUT);
}

/* ---------------------------------------------------------------- timeouts */

/* Slowloris: requests that never end are answered 408 and closed after the timeout. */
static void
test_slowloris (void)
{
  g_autoptr (CrierTestServer) server = start_server ("handshake-timeout = 1\n"
                                                     "request-timeout = 2\n");
  g_autoptr (GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) raw_free);
  unsigned before = count_fds ();

  for (int i = 0; i < 40; i++)
    {
      Raw *raw = raw_connect (server->port);

      g_ptr_array_add (clients, raw);
      if (i % 2 == 0)
        raw_send_text (raw, "GET /up HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: "); /* headers never end */
      else
        raw_send_text (raw, "POST /apps/3/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{");
    }
  for (guint i = 0; i < clients->len; i++)
    {
      Raw *raw = g_ptr_array_index (clients, i);

      crier_test_wait_until (raw_poll (raw), CRIER_TEST_TIMEOUT);
      g_assert_true (g_str_has_prefix (raw->received->str, "HTTP/1.1 408 "));
    }
  g_ptr_array_set_size (clients, 0);
  crier_test_wait_until (count_fds () <= before, CRIER_TEST_TIMEOUT);
}

/* A connection that says nothing at all, and one kept alive but idle, are closed too. */
static void
test_idle (void)
{
  g_autoptr (CrierTestServer) server = start_server ("handshake-timeout = 1\n"
                                                     "keepalive-timeout = 1\n");
  g_autoptr (Raw) silent = raw_connect (server->port);
  g_autoptr (Raw) idle = raw_connect (server->port);

  raw_send_text (idle, "GET /up HTTP/1.1\r\nHost: x\r\n\r\n");
  g_assert_cmpuint (raw_status (idle), ==, 200);
  crier_test_wait_until (raw_poll (silent), CRIER_TEST_TIMEOUT);
  crier_test_wait_until (raw_poll (idle), CRIER_TEST_TIMEOUT);
}

/* ---------------------------------------------------------------- limits */

static void
test_body_content_length (void)
{
  g_autoptr (CrierTestServer) server = start_server ("max-body-size = 1024\n");
  g_autoptr (Raw) raw = raw_connect (server->port);

  /* 200 MB announced, not one byte sent: the answer must not wait for the body. */
  raw_send_text (raw, "POST /apps/3/events HTTP/1.1\r\nHost: x\r\n"
                      "Content-Length: 209715200\r\n\r\n");
  g_assert_cmpuint (raw_status (raw), ==, 413);
  g_assert_nonnull (strstr (raw->received->str, "max-body-size"));
  crier_test_wait_until (raw_poll (raw), CRIER_TEST_TIMEOUT);
}

static void
test_body_chunked (void)
{
  g_autoptr (CrierTestServer) server = start_server ("max-body-size = 4096\n");
  g_autoptr (Raw) raw = raw_connect (server->port);
  g_autofree char *payload = g_strnfill (1024, 'a');
  g_autofree char *chunk = g_strdup_printf ("400\r\n%s\r\n", payload);

  raw_send_text (raw, "POST /apps/3/events HTTP/1.1\r\nHost: x\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n");
  /* Never the last chunk: only the limit can end this request. */
  for (int i = 0; i < 64 && !raw->closed && raw->received->len == 0; i++)
    raw_send (raw, chunk, strlen (chunk));
  g_assert_cmpuint (raw_status (raw), ==, 413);
}

static void
test_body_small_ok (void)
{
  g_autoptr (CrierTestServer) server = start_server ("max-body-size = 4096\n");
  const char      *body = "{\"name\":\"e\",\"channel\":\"c\",\"data\":\"{}\"}";
  g_autofree char *query = crier_test_sign_query ("POST", "/apps/3/events", CRIER_TEST_APP_KEY,
                                                  CRIER_TEST_APP_SECRET, body,
                                                  g_get_real_time () / G_USEC_PER_SEC, NULL);
  g_autofree char *target = g_strconcat ("/apps/3/events?", query, NULL);
  g_autoptr (CrierTestResponse) response = crier_test_http (server, "POST", target, body);

  g_assert_cmpuint (response->status, ==, 200);
}

typedef struct
{
  const char *name;
  const char *headers;
  unsigned    status;
} AmbiguousCase;

static const AmbiguousCase ambiguous_cases[] = {
  { "two-lengths", "Content-Length: 2\r\nContent-Length: 40\r\n", 400 },
  { "two-equal-lengths", "Content-Length: 2\r\nContent-Length: 2\r\n", 400 },
  { "length-and-chunked", "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n", 400 },
};

static void
test_ambiguous_length (gconstpointer data)
{
  const AmbiguousCase *c = data;
  g_autoptr (CrierTestServer) server = start_server ("");
  g_autoptr (Raw) raw = raw_connect (server->port);
  g_autofree char *request = g_strdup_printf ("POST /apps/3/events HTTP/1.1\r\nHost: x\r\n%s\r\n{}",
                                              c->headers);

  raw_send_text (raw, request);
  g_assert_cmpuint (raw_status (raw), ==, c->status);
  crier_test_wait_until (raw_poll (raw), CRIER_TEST_TIMEOUT);
}

/* 64 KB of headers and a 1 MB query: an answer, never a reset. */
static void
test_huge_headers (void)
{
  g_autoptr (CrierTestServer) server = start_server ("");
  g_autoptr (Raw) raw = raw_connect (server->port);
  g_autofree char *big = g_strnfill (64 * 1024, 'a');
  g_autofree char *request = g_strdup_printf ("GET /up HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", big);

  raw_send (raw, request, strlen (request));
  g_assert_cmpuint (raw_status (raw), ==, 431);
  g_assert_cmpint (raw->error, ==, 0);
}

static void
test_huge_request_line (void)
{
  g_autoptr (CrierTestServer) server = start_server ("");
  g_autoptr (Raw) raw = raw_connect (server->port);
  g_autofree char *big = g_strnfill (1024 * 1024, 'q');
  g_autofree char *request = g_strdup_printf ("GET /up?q=%s HTTP/1.1\r\nHost: x\r\n\r\n", big);

  raw_send (raw, request, strlen (request));
  g_assert_cmpuint (raw_status (raw), ==, 414);
}

/* Headers just under the limit still work. */
static void
test_headers_under_limit (void)
{
  g_autoptr (CrierTestServer) server = start_server ("max-header-size = 8192\n");
  g_autoptr (Raw) raw = raw_connect (server->port);
  g_autofree char *big = g_strnfill (7000, 'a');
  g_autofree char *request = g_strdup_printf ("GET /up HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", big);

  raw_send_text (raw, request);
  g_assert_cmpuint (raw_status (raw), ==, 200);
}

/* ---------------------------------------------------------------- Origin */

/* An allowed second Origin must not admit a refused first one. */
static void
test_duplicate_origin (void)
{
  g_autoptr (CrierTestServer) server = start_server ("");
  g_autoptr (Raw) raw = raw_connect (server->port);

  raw_send_text (raw, "GET /app/" CRIER_TEST_APP_KEY "?protocol=7 HTTP/1.1\r\nHost: x\r\n"
                      "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Origin: https://evil.example\r\nOrigin: https://good.example\r\n\r\n");
  crier_test_wait_until (raw_poll (raw) || strstr (raw->received->str, "pusher:") != NULL,
                         CRIER_TEST_TIMEOUT);
  crier_test_wait_until (raw_poll (raw) || strstr (raw->received->str, "4009") != NULL ||
                           strstr (raw->received->str, "connection_established") != NULL,
                         CRIER_TEST_TIMEOUT);
  g_assert_true (g_str_has_prefix (raw->received->str, "HTTP/1.1 101 "));
  g_assert_null (strstr (raw->received->str, "connection_established"));
  g_assert_nonnull (strstr (raw->received->str, "4009"));
}

static void
test_single_origin_allowed (void)
{
  g_autoptr (CrierTestServer) server = start_server ("");
  g_autoptr (CrierTestClient) client = crier_test_client_open (server, "/app/" CRIER_TEST_APP_KEY "?protocol=7",
                                                               "https://good.example");
  g_autoptr (JsonObject) established G_GNUC_UNUSED = crier_test_client_expect (client, "pusher:connection_established", NULL);
}

/* ---------------------------------------------------------------- descriptors run out */

static void
emfile_subprocess (void)
{
  struct rlimit limit = { 0 };
  g_autoptr (CrierTestServer) server = start_server ("");
  g_autoptr (GArray) fillers = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (Raw) raw = NULL;
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (server->port), .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  int                fd;
  unsigned           wakeups = 0;
  CrierTestDeadline *deadline;

  /* A low limit, so that filling it is quick. */
  limit.rlim_cur = count_fds () + 64;
  limit.rlim_max = limit.rlim_cur;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  raw = g_new0 (Raw, 1);
  raw->received = g_string_new (NULL);
  raw->fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  g_assert_cmpint (raw->fd, >=, 0);
  while ((fd = dup (raw->fd)) >= 0)
    g_array_append_val (fillers, fd);
  g_assert_cmpint (errno, ==, EMFILE);
  /* The connection waits in the backlog; the server cannot accept it. */
  if (connect (raw->fd, (struct sockaddr *) &address, sizeof address) != 0)
    g_assert_cmpint (errno, ==, EINPROGRESS);

  /* A spinning listener would make each iteration return at once: count them for a
   * while. A paused one wakes up a few times a second. */
  deadline = crier_test_deadline_new (1);
  while (crier_test_deadline_iterate (deadline))
    wakeups++;
  crier_test_deadline_free (deadline);
  g_test_message ("%u main-loop wake-ups in 1 s while out of descriptors", wakeups);
  g_assert_cmpuint (wakeups, <, 100);

  /* Descriptors come back: the waiting client is served. */
  for (guint i = 0; i < fillers->len; i++)
    close (g_array_index (fillers, int, i));
  raw_send_text (raw, "GET /up HTTP/1.1\r\nHost: x\r\n\r\n");
  g_assert_cmpuint (raw_status (raw), ==, 200);
}

static void
test_emfile (void)
{
  g_test_trap_subprocess ("/http-limits/emfile/subprocess", 30 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (closed_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/http-limits/fds/client-closes/%s",
                                               closed_cases[i].name);

      g_test_add_data_func (path, &closed_cases[i], test_client_closes);
    }
  g_test_add_func ("/http-limits/fds/keepalive-reuse", test_keepalive_reuse);
  g_test_add_func ("/http-limits/timeout/slowloris", test_slowloris);
  g_test_add_func ("/http-limits/timeout/idle", test_idle);
  g_test_add_func ("/http-limits/body/content-length", test_body_content_length);
  g_test_add_func ("/http-limits/body/chunked", test_body_chunked);
  g_test_add_func ("/http-limits/body/small", test_body_small_ok);
  for (guint i = 0; i < G_N_ELEMENTS (ambiguous_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/http-limits/ambiguous/%s", ambiguous_cases[i].name);

      g_test_add_data_func (path, &ambiguous_cases[i], test_ambiguous_length);
    }
  g_test_add_func ("/http-limits/headers/huge", test_huge_headers);
  g_test_add_func ("/http-limits/headers/huge-request-line", test_huge_request_line);
  g_test_add_func ("/http-limits/headers/under-limit", test_headers_under_limit);
  g_test_add_func ("/http-limits/origin/duplicate", test_duplicate_origin);
  g_test_add_func ("/http-limits/origin/single", test_single_origin_allowed);
  g_test_add_func ("/http-limits/emfile", test_emfile);
  g_test_add_func ("/http-limits/emfile/subprocess", emfile_subprocess);
  return g_test_run ();
}
