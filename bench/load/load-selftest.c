/* load-selftest.c — the selftest command: known answers for the load generator's own codecs
 * SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "crier-load"

#include <stdio.h>
#include <string.h>

#include "load-connection.h"
#include "load-frame.h"
#include "load-histogram.h"
#include "load-http.h"
#include "load-json.h"
#include "load-scenarios.h"
#include "load-signature.h"
#include "load-verdict.h"

#define CHECK(cond)                                       \
  G_STMT_START                                            \
  {                                                       \
    (*checks)++;                                          \
    if (!(cond))                                          \
      {                                                   \
        fprintf (stderr, "selftest: %s failed\n", #cond); \
        (*failures)++;                                    \
      }                                                   \
  }                                                       \
  G_STMT_END

/* Known answers from pusher-protocol.md 18 and RFC 6455 1.3. */
static void
check_signatures (int *checks,
                  int *failures)
{
  g_autofree char *auth = load_signature_channel_auth ("278d425bdf160c739803", "7ad3773142a6692b25b8",
                                                       "1234.1234", "private-foobar");
  g_autofree char *query = NULL;
  char             accept[32];
  const char      *body = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}";

  CHECK (g_str_equal (auth, "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4"));
  query = load_signature_api_query ("POST", "/apps/3/events", "278d425bdf160c739803", "7ad3773142a6692b25b8",
                                    1353088179, body);
  CHECK (g_str_equal (query, "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0"
                             "&body_md5=ec365a775a4cd0599faeb73354201b6f"
                             "&auth_signature=da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c"));
  load_frame_accept_for_key ("dGhlIHNhbXBsZSBub25jZQ==", accept);
  CHECK (g_str_equal (accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
}

/* Both shapes of relayed client event data, and the welcome's socket_id. */
static void
check_json (int *checks,
            int *failures)
{
  const char *crier = "{\"event\":\"client-bench\",\"channel\":\"private-bench\",\"data\":\"{\\\"seq\\\":17,\\\"t\\\":42}\"}";
  const char *soketi = "{\"event\":\"client-bench\",\"channel\":\"private-bench\",\"data\":{\"seq\":17,\"t\":42}}";
  const char *welcome = "{\"event\":\"pusher:connection_established\",\"data\":\"{\\\"socket_id\\\":\\\"123.456\\\",\\\"activity_timeout\\\":120}\"}";
  const char *event, *id;
  size_t      event_len;
  guint64     seq, t;

  for (int i = 0; i < 2; i++)
    {
      const char *msg = i == 0 ? crier : soketi;
      const char *end = msg + strlen (msg);
      const char *data = load_json_value (msg, end, "data");

      CHECK (load_json_string (msg, end, "event", &event, &event_len) &&
             load_json_is (event, event_len, "client-bench"));
      CHECK (data != NULL && load_json_parse_u64 (load_json_value (data, end, "seq"), end, &seq) && seq == 17);
      CHECK (data != NULL && load_json_parse_u64 (load_json_value (data, end, "t"), end, &t) && t == 42);
    }
  id = load_json_value (welcome, welcome + strlen (welcome), "socket_id");
  CHECK (id != NULL && g_str_has_prefix (id, "123.456"));
  CHECK (!load_json_string (welcome, welcome + strlen (welcome), "socket_id", &event, &event_len));
}

static void
check_histogram (int *checks,
                 int *failures)
{
  CHECK (load_histogram_index (127) == 127 && load_histogram_index (128) == 128 &&
         load_histogram_index (256) == 192);
  CHECK (load_histogram_bucket_value (192) > 256 && load_histogram_bucket_value (192) < 260);
}

/* What the client writes, read back the way server frames are read: all three
 * length encodings, the mask, and a frame cut short or too large. */
static void
check_frames (int *checks,
              int *failures)
{
  static const size_t sizes[] = { 5, 125, 126, 300, 65535, 65536, 70000 };
  const char         *upgrade = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  guint8              huge[10] = { 0x81, 127, 0, 0, 0, 0, 1, 0, 0, 1 }; /* 16 MiB + 1 */
  LoadFrame           f;
  size_t              head_len = 0;
  char               *problem = NULL;
  g_autofree char    *request_head = load_frame_upgrade_head ("pct%%key", "127.0.0.1", 6001);
  g_autofree char    *request = load_frame_upgrade_request (request_head, "dGhlIHNhbXBsZSBub25jZQ==");

  for (unsigned i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree guint8 *payload = g_malloc (sizes[i]);
      LoadBuffer         out = { 0 };

      for (size_t j = 0; j < sizes[i]; j++)
        payload[j] = (guint8) (j * 7);
      load_frame_append (&out, CRIER_OPCODE_TEXT, payload, sizes[i], 0xa5c3e17bu);
      CHECK (load_frame_parse (out.data, out.len - 1, &f) == LOAD_FRAME_INCOMPLETE);
      CHECK (load_frame_parse (out.data, out.len, &f) == LOAD_FRAME_COMPLETE && f.fin &&
             f.opcode == CRIER_OPCODE_TEXT && f.masked && f.rsv == 0 && f.length == sizes[i] &&
             f.size == out.len && memcmp (f.payload, payload, sizes[i]) == 0);
      load_buffer_clear (&out);
    }
  CHECK (load_frame_parse (huge, sizeof huge, &f) == LOAD_FRAME_INVALID && f.length == LOAD_FRAME_MAX_MESSAGE + 1);

  /* the request's bytes as they go out; a '%' in the app key is not a directive */
  CHECK (g_str_equal (request, "GET /app/pct%%key?protocol=7&client=js&version=8.6.0&flash=false HTTP/1.1\r\n"
                               "Host: 127.0.0.1:6001\r\n"
                               "Upgrade: websocket\r\n"
                               "Connection: Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "Sec-WebSocket-Version: 13\r\n"
                               "\r\n"));

  CHECK (load_frame_parse_upgrade ((const guint8 *) upgrade, strlen (upgrade),
                                   "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", &head_len, &problem) == LOAD_FRAME_COMPLETE &&
         head_len == strlen (upgrade) && problem == NULL);
  CHECK (load_frame_parse_upgrade ((const guint8 *) upgrade, strlen (upgrade),
                                   "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", &head_len, &problem) == LOAD_FRAME_INVALID &&
         problem != NULL);
  g_clear_pointer (&problem, g_free);
  CHECK (load_frame_parse_upgrade ((const guint8 *) upgrade, strlen (upgrade) - 1,
                                   "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", &head_len, &problem) == LOAD_FRAME_INCOMPLETE &&
         problem == NULL);
}

/* Both ways HTTP API responses carry a length, and keep-alive refused. */
static void
check_http (int *checks,
            int *failures)
{
  const char      *plain = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
  const char      *chunked = "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                             "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
  LoadHttpResponse r = { 0 };
  char            *problem = NULL;

  CHECK (load_http_parse_response ((const guint8 *) plain, strlen (plain) - 1, &r, &problem) == LOAD_HTTP_INCOMPLETE);
  CHECK (load_http_parse_response ((const guint8 *) plain, strlen (plain), &r, &problem) == LOAD_HTTP_COMPLETE &&
         r.status == 200 && g_str_equal (r.body->str, "{}") && !r.close_after && r.size == strlen (plain));
  if (r.body != NULL)
    g_string_free (g_steal_pointer (&r.body), TRUE);
  CHECK (load_http_parse_response ((const guint8 *) chunked, strlen (chunked) - 1, &r, &problem) == LOAD_HTTP_INCOMPLETE);
  CHECK (load_http_parse_response ((const guint8 *) chunked, strlen (chunked), &r, &problem) == LOAD_HTTP_COMPLETE &&
         r.status == 404 && g_str_equal (r.body->str, "abcde") && r.close_after && r.size == strlen (chunked));
  if (r.body != NULL)
    g_string_free (g_steal_pointer (&r.body), TRUE);
  CHECK (load_http_parse_response ((const guint8 *) "HTTP/1.1 200 OK\r\n\r\n", 19, &r, &problem) == LOAD_HTTP_INVALID &&
         problem != NULL);
  g_free (problem);
}

/* --sub-ports: the list, and subscribers split over it while the rest stay on --port. */
static void
check_sub_ports (int *checks,
                 int *failures)
{
  guint16       ports[3];
  LoadVerdict   verdict = { 0 };
  LoadConnTable table;
  unsigned      on_first = 0;

  CHECK (load_parse_ports ("6001,6002", ports, 3) == 2 && ports[0] == 6001 && ports[1] == 6002);
  CHECK (load_parse_ports ("6001", ports, 3) == 1 && ports[0] == 6001);
  CHECK (load_parse_ports ("1,2,3,4", ports, 3) == 0);
  CHECK (load_parse_ports ("6001,", ports, 3) == 0);
  CHECK (load_parse_ports ("6001,x", ports, 3) == 0);
  CHECK (load_parse_ports ("0", ports, 3) == 0);
  CHECK (load_parse_ports ("65536", ports, 3) == 0);

  /* as in the api scenario: 4 subscribers, then 1 HTTP connection, publishing to 7000 */
  if (!load_conn_table_init (&table, &verdict, "127.0.0.1", 7000, "k", 1, FALSE, 4, 1))
    {
      CHECK (!"load_conn_table_init");
      return;
    }
  CHECK (load_conn_table_port (&table, &table.conns[0]) == 7000);
  load_parse_ports ("6001,6002", ports, 3);
  load_conn_table_set_sub_ports (&table, "127.0.0.1", "k", ports, 2);
  for (unsigned i = 0; i < 4; i++)
    {
      int port = load_conn_table_port (&table, &table.conns[i]);

      CHECK (port == 6001 || port == 6002);
      on_first += port == 6001;
    }
  CHECK (on_first == 2);
  table.conns[4].role = LOAD_ROLE_HTTP;
  CHECK (load_conn_table_port (&table, &table.conns[4]) == 7000);
  table.conns[0].role = LOAD_ROLE_PUBLISHER;
  CHECK (load_conn_table_port (&table, &table.conns[0]) == 7000);
  CHECK (strstr (table.sub_heads[1], "Host: 127.0.0.1:6002\r\n") != NULL);
  load_conn_table_clear (&table);
  load_verdict_clear (&verdict);
}

#undef CHECK

int
load_selftest_run (void)
{
  int checks = 0, failures = 0;

  check_signatures (&checks, &failures);
  check_json (&checks, &failures);
  check_histogram (&checks, &failures);
  check_frames (&checks, &failures);
  check_http (&checks, &failures);
  check_sub_ports (&checks, &failures);
  g_print ("%d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? 0 : LOAD_EXIT_FAIL;
}
