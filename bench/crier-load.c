/* crier-load.c — single-threaded WebSocket/HTTP load generator for bench/run
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Speaks just enough Pusher protocol 7 to open many subscribed connections, relay
 * client events through one channel and trigger events through the HTTP API, and
 * checks every delivery.  Results go to stdout as key=value lines; diagnostics go to
 * stderr.  Exit status: 0 ok, 1 FAIL, 2 usage, 3 HTTP API not available (404).
 */

#define _GNU_SOURCE

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NS_PER_S         G_GINT64_CONSTANT (1000000000)
#define NS_PER_MS        G_GINT64_CONSTANT (1000000)
#define MAX_MESSAGE      (16 * 1024 * 1024)
#define MAX_HEADER       (64 * 1024)
#define KEEPALIVE_IDLE   (60 * NS_PER_S)
#define MAX_REPORTED     10
#define PUSHER_PING      "{\"event\":\"pusher:ping\",\"data\":{}}"
#define PUSHER_PONG      "{\"event\":\"pusher:pong\",\"data\":{}}"
#define WS_GUID          "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define EXIT_FAIL        1
#define EXIT_USAGE       2
#define EXIT_UNAVAILABLE 3

/* ---------------------------------------------------------------- options */

typedef struct
{
  char    *host;
  int      port;
  char    *app_id;
  char    *key;
  char    *secret;
  char    *channel;
  char    *event;
  int      connections;
  int      subscribers;
  int      messages;
  int      warmup;
  int      window;
  int      concurrency;
  int      http_connections;
  int      timeout;
  int      stall;
  int      server_pid;
  double   settle;
  int      last;
  int      sources;
  gboolean udp;
  gboolean verbose;
} Options;

static Options opt = {
  .port = 6001,
  .connections = 19000,
  .subscribers = 100,
  .messages = 10000,
  .warmup = 0,
  .window = 20,
  .concurrency = 100,
  .http_connections = 8,
  .timeout = 300,
  .stall = 15,
  .server_pid = 0,
  .settle = 1.0,
  .last = 1000,
  .sources = 16,
};

/* ---------------------------------------------------------------- time, histogram */

static inline gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* Log-linear buckets, 64 per power of two: about 1.5 % resolution from 1 ns to
 * centuries in 4096 counters, so millions of samples cost no memory. */
#define HIST_SUB_BITS 6
#define HIST_SUB      (1 << HIST_SUB_BITS)
#define HIST_BUCKETS  (64 * HIST_SUB)

typedef struct
{
  guint64 counts[HIST_BUCKETS];
  guint64 total;
  guint64 max;
} Histogram;

static unsigned
hist_index (guint64 v)
{
  int shift;

  if (v < 2 * HIST_SUB)
    return (unsigned) v;
  shift = 63 - __builtin_clzll (v) - HIST_SUB_BITS;
  return (unsigned) (shift * HIST_SUB + (v >> shift));
}

static double
hist_bucket_value (unsigned index)
{
  unsigned shift, mantissa;

  if (index < 2 * HIST_SUB)
    return index;
  shift = index / HIST_SUB - 1;
  mantissa = index - shift * HIST_SUB;
  /* middle of the bucket */
  return ((double) mantissa + 0.5) * (double) (G_GUINT64_CONSTANT (1) << shift);
}

static void
hist_add (Histogram *h,
          gint64     v)
{
  guint64 u = v < 0 ? 0 : (guint64) v;

  h->counts[hist_index (u)]++;
  h->total++;
  if (u > h->max)
    h->max = u;
}

static double
hist_percentile (const Histogram *h,
                 double           p)
{
  guint64 rank, seen = 0;

  if (h->total == 0)
    return 0;
  rank = (guint64) (p * (double) h->total);
  if (rank < 1)
    rank = 1;
  for (unsigned i = 0; i < HIST_BUCKETS; i++)
    {
      seen += h->counts[i];
      if (seen >= rank)
        return MIN (hist_bucket_value (i), (double) h->max);
    }
  return (double) h->max;
}

/* ---------------------------------------------------------------- buffers */

typedef struct
{
  guint8 *data;
  size_t  len;
  size_t  pos;
  size_t  cap;
} Buffer;

static guint8 *
buffer_extend (Buffer *b,
               size_t  n)
{
  guint8 *p;

  if (b->len + n > b->cap)
    {
      size_t cap = MAX (b->cap * 2, 256);

      while (cap < b->len + n)
        cap *= 2;
      b->data = g_realloc (b->data, cap);
      b->cap = cap;
    }
  p = b->data + b->len;
  b->len += n;
  return p;
}

static void
buffer_append (Buffer     *b,
               const void *data,
               size_t      n)
{
  memcpy (buffer_extend (b, n), data, n);
}

static void
buffer_clear (Buffer *b)
{
  g_clear_pointer (&b->data, g_free);
  b->len = b->pos = b->cap = 0;
}

/* ---------------------------------------------------------------- state */

typedef struct
{
  double server_cpu;
  double load_cpu;
  double machine_busy;
} CpuMark;

typedef enum
{
  CONN_IDLE,
  CONN_CONNECTING,
  CONN_UPGRADING,
  CONN_WAIT_WELCOME,
  CONN_SUBSCRIBING,
  CONN_READY,
  CONN_CLOSED,
} ConnState;

typedef enum
{
  ROLE_SUBSCRIBER,
  ROLE_PUBLISHER,
  ROLE_HTTP,
} ConnRole;

typedef struct
{
  int         fd;
  unsigned    index;
  ConnState   state;
  ConnRole    role;
  gboolean    want_out;
  Buffer      in;
  Buffer      out;
  GByteArray *frag;
  char        accept[32];
  char        socket_id[32];
  gint64      t_start;
  gint64      t_ready;
  gint64      t_rx;
  guint64     expected;
  guint64     received;
  guint32    *seen;
  /* HTTP: one request in flight per keep-alive connection */
  gboolean busy;
  gint64   req_t;
  guint64  req_seq;
} Conn;

typedef struct
{
  int                epfd;
  struct sockaddr_in addr;
  char              *upgrade_request_fmt;
  Conn              *conns;
  unsigned           n_conns;
  unsigned           n_ws; /* conns[0 .. n_ws) are WebSocket connections */
  unsigned           n_started;
  unsigned           n_ready;
  gboolean           private_channel;
  gboolean           closing;
  guint32            rng;

  /* deliveries of seq 0 .. total-1 to n_receivers subscribers */
  Conn     *publisher;
  gboolean  ordered;
  guint64   total;
  unsigned  n_receivers;
  guint32  *delivered;
  guint64   complete;
  guint64   n_sent;
  guint64   n_responses;
  gint64    t_measure;
  CpuMark   measure_mark;
  gint64    t_complete;
  gint64    t_last_response;
  gint64    t_progress;
  gint64    t_keepalive;
  gint64    deadline;
  Histogram latency;
  Histogram req_latency;
  Histogram setup_latency;

  /* trouble */
  guint64  duplicates;
  guint64  out_of_order;
  guint64  self_echo;
  guint64  server_errors;
  guint64  protocol_errors;
  guint64  unexpected;
  guint64  reconnects;
  unsigned n_reported;
  gboolean failed;
  gboolean unavailable;
  char    *failure;
} Bench;

static guint8 scratch[256 * 1024];

static void conn_flush (Bench *self,
                        Conn  *c);
static void conn_open (Bench   *self,
                       Conn    *c,
                       ConnRole role);
static void bench_fail (Bench      *self,
                        const char *format,
                        ...) G_GNUC_PRINTF (2, 3);
static void bench_report (Bench      *self,
                          const char *format,
                          ...) G_GNUC_PRINTF (2, 3);
static void conn_fail (Bench      *self,
                       Conn       *c,
                       const char *format,
                       ...) G_GNUC_PRINTF (3, 4);

static void
bench_fail (Bench      *self,
            const char *format,
            ...)
{
  va_list args;

  self->failed = TRUE;
  if (self->failure != NULL)
    return;
  va_start (args, format);
  self->failure = g_strdup_vprintf (format, args);
  va_end (args);
}

/* Counted by the caller; only the first few are worth a line on stderr. */
static void
bench_report (Bench      *self,
              const char *format,
              ...)
{
  va_list          args;
  g_autofree char *text = NULL;

  if (self->n_reported++ >= MAX_REPORTED)
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "crier-load: %s\n", text);
}

static guint32
bench_random (Bench *self)
{
  /* xorshift32: mask keys need to vary, not to be secret, and must be cheap */
  guint32 x = self->rng;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return self->rng = x;
}

/* ---------------------------------------------------------------- signatures */

static char *
sign_hex (const char *secret,
          const char *text)
{
  return g_compute_hmac_for_string (G_CHECKSUM_SHA256,
                                    (const guchar *) secret, strlen (secret),
                                    text, -1);
}

static char *
channel_auth (const char *key,
              const char *secret,
              const char *socket_id,
              const char *channel)
{
  g_autofree char *text = g_strdup_printf ("%s:%s", socket_id, channel);
  g_autofree char *sig = sign_hex (secret, text);

  return g_strdup_printf ("%s:%s", key, sig);
}

/* Query string of a signed HTTP API call (pusher-protocol.md 14.2); keys are
 * already in byte order. */
static char *
api_signed_query (const char *method,
                  const char *path,
                  const char *key,
                  const char *secret,
                  gint64      timestamp,
                  const char *body)
{
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, body, -1);
  g_autofree char *query = g_strdup_printf ("auth_key=%s&auth_timestamp=%" G_GINT64_FORMAT
                                            "&auth_version=1.0&body_md5=%s",
                                            key, timestamp, md5);
  g_autofree char *text = g_strdup_printf ("%s\n%s\n%s", method, path, query);
  g_autofree char *sig = sign_hex (secret, text);

  return g_strdup_printf ("%s&auth_signature=%s", query, sig);
}

static void
ws_accept_for_key (const char *key,
                   char        accept[32])
{
  g_autoptr (GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8           digest[20];
  gsize            digest_len = sizeof digest;
  g_autofree char *b64 = NULL;

  g_checksum_update (sha1, (const guchar *) key, -1);
  g_checksum_update (sha1, (const guchar *) WS_GUID, -1);
  g_checksum_get_digest (sha1, digest, &digest_len);
  b64 = g_base64_encode (digest, digest_len);
  g_strlcpy (accept, b64, 32);
}

/* ---------------------------------------------------------------- JSON scanning */

/* Finds member KEY and returns where its value starts.  It skips quotes and
 * backslashes around the name and the value, so it finds "seq" both in an object
 * (soketi relays client event data as is) and inside a JSON string holding JSON
 * (Crier and Pusher send data as a string). */
static const char *
json_value (const char *p,
            const char *end,
            const char *key)
{
  size_t      klen = strlen (key);
  const char *start = p;

  while (p < end && (p = memmem (p, (size_t) (end - p), key, klen)) != NULL)
    {
      const char *q = p + klen;

      if (p > start && p[-1] == '"')
        {
          while (q < end && (*q == '\\' || *q == '"' || *q == ' '))
            q++;
          if (q < end && *q == ':')
            {
              q++;
              while (q < end && (*q == '\\' || *q == '"' || *q == ' '))
                q++;
              return q;
            }
        }
      p++;
    }
  return NULL;
}

/* Top-level string member: the closing quote must not be escaped. */
static gboolean
json_string (const char  *p,
             const char  *end,
             const char  *key,
             const char **value,
             size_t      *len)
{
  size_t      klen = strlen (key);
  const char *start = p;

  while (p < end && (p = memmem (p, (size_t) (end - p), key, klen)) != NULL)
    {
      const char *q = p + klen;

      if (p > start && p[-1] == '"' && (p - start < 2 || p[-2] != '\\') && q + 1 < end &&
          q[0] == '"')
        {
          q++;
          while (q < end && *q == ' ')
            q++;
          if (q < end && *q == ':')
            {
              const char *v;

              q++;
              while (q < end && *q == ' ')
                q++;
              if (q >= end || *q != '"')
                return FALSE;
              v = ++q;
              while (q < end && *q != '"')
                q += *q == '\\' ? 2 : 1;
              if (q >= end)
                return FALSE;
              *value = v;
              *len = (size_t) (q - v);
              return TRUE;
            }
        }
      p++;
    }
  return FALSE;
}

static gboolean
parse_u64 (const char *p,
           const char *end,
           guint64    *out)
{
  guint64     v = 0;
  const char *start = p;

  if (p == NULL)
    return FALSE;
  while (p < end && *p >= '0' && *p <= '9')
    v = v * 10 + (guint64) (*p++ - '0');
  *out = v;
  return p > start;
}

static gboolean
str_is (const char *s,
        size_t      len,
        const char *literal)
{
  return strlen (literal) == len && memcmp (s, literal, len) == 0;
}

/* ---------------------------------------------------------------- server stats */

static long
read_rss_kb (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *contents = NULL;
  const char      *line;

  if (pid <= 0 || !g_file_get_contents (path, &contents, NULL, NULL))
    return -1;
  line = strstr (contents, "\nVmRSS:");
  return line != NULL ? strtol (line + 7, NULL, 10) : -1;
}

/* utime + stime of a process in seconds, to tell who the bottleneck was */
static double
read_cpu_s (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  unsigned long    utime, stime;
  const char      *p;

  if (pid <= 0 || !g_file_get_contents (path, &contents, NULL, NULL))
    return -1;
  /* the command name may contain spaces: fields are counted after its ')' */
  p = strrchr (contents, ')');
  if (p == NULL || sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                           &utime, &stime) != 2)
    return -1;
  return (double) (utime + stime) / (double) sysconf (_SC_CLK_TCK);
}

static double
self_cpu_s (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (double) ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
         (double) ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Seconds of CPU the whole machine spent outside idle and iowait. */
static double
read_machine_busy_s (void)
{
  g_autofree char *contents = NULL;
  const char      *p;
  char            *end;
  double           busy = 0;

  if (!g_file_get_contents ("/proc/stat", &contents, NULL, NULL) ||
      !g_str_has_prefix (contents, "cpu "))
    return -1;
  p = contents + 4;
  /* user nice system idle iowait irq softirq steal */
  for (int i = 0; i < 8; i++)
    {
      guint64 v = g_ascii_strtoull (p, &end, 10);

      if (end == p)
        return -1;
      if (i != 3 && i != 4)
        busy += (double) v;
      p = end;
    }
  return busy / (double) sysconf (_SC_CLK_TCK);
}

static CpuMark
cpu_mark (void)
{
  return (CpuMark){ read_cpu_s (opt.server_pid), self_cpu_s (), read_machine_busy_s () };
}

/* ---------------------------------------------------------------- connections */

static void
conn_want_out (Bench   *self,
               Conn    *c,
               gboolean want)
{
  struct epoll_event ev = { .events = EPOLLIN | (want ? EPOLLOUT : 0), .data.u32 = c->index };

  if (c->want_out == want)
    return;
  c->want_out = want;
  if (epoll_ctl (self->epfd, EPOLL_CTL_MOD, c->fd, &ev) < 0)
    bench_fail (self, "epoll_ctl: %s", g_strerror (errno));
}

static void
conn_close (Bench *self,
            Conn  *c)
{
  if (c->fd >= 0)
    {
      close (c->fd);
      c->fd = -1;
    }
  if (c->state == CONN_READY && c->role != ROLE_HTTP && self->n_ready > 0)
    self->n_ready--;
  c->state = CONN_CLOSED;
  c->want_out = FALSE;
  buffer_clear (&c->in);
  buffer_clear (&c->out);
  g_clear_pointer (&c->frag, g_byte_array_unref);
}

/* The server went away or broke the protocol: fatal for every scenario. */
static void
conn_fail (Bench      *self,
           Conn       *c,
           const char *format,
           ...)
{
  va_list          args;
  g_autofree char *text = NULL;
  const char      *what = c->role == ROLE_HTTP ? "http" : "ws";

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  conn_close (self, c);
  if (self->closing)
    return;
  bench_report (self, "%s connection %u: %s", what, c->index, text);
  bench_fail (self, "%s connection %u: %s", what, c->index, text);
}

static void
conn_send (Bench      *self,
           Conn       *c,
           const void *data,
           size_t      len)
{
  buffer_append (&c->out, data, len);
  conn_flush (self, c);
}

static void
conn_flush (Bench *self,
            Conn  *c)
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
              conn_want_out (self, c, TRUE);
              return;
            }
          conn_fail (self, c, "write: %s", g_strerror (errno));
          return;
        }
      c->out.pos += (size_t) n;
    }
  c->out.pos = c->out.len = 0;
  conn_want_out (self, c, FALSE);
}

static void
ws_send (Bench      *self,
         Conn       *c,
         unsigned    opcode,
         const void *payload,
         size_t      len)
{
  guint8       *frame, *mask;
  const guint8 *src = payload;
  size_t        h = 0;
  guint32       key;

  if (c->state == CONN_CLOSED)
    return;
  frame = buffer_extend (&c->out, len + 14);
  frame[h++] = 0x80 | opcode;
  if (len < 126)
    frame[h++] = 0x80 | (guint8) len;
  else if (len < 65536)
    {
      frame[h++] = 0x80 | 126;
      frame[h++] = (guint8) (len >> 8);
      frame[h++] = (guint8) len;
    }
  else
    {
      frame[h++] = 0x80 | 127;
      for (int i = 7; i >= 0; i--)
        frame[h++] = (guint8) ((guint64) len >> (8 * i));
    }
  key = bench_random (self);
  mask = frame + h;
  memcpy (mask, &key, 4);
  h += 4;
  for (size_t i = 0; i < len; i++)
    frame[h + i] = src[i] ^ mask[i & 3];
  c->out.len -= 14 - h;
  conn_flush (self, c);
}

static void
ws_send_text (Bench      *self,
              Conn       *c,
              const char *text,
              int         len)
{
  if (opt.verbose)
    fprintf (stderr, "%u > %.*s\n", c->index, len, text);
  ws_send (self, c, 0x1, text, (size_t) len);
}

static void
conn_open (Bench   *self,
           Conn    *c,
           ConnRole role)
{
  struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.u32 = c->index };
  int                one = 1;

  c->role = role;
  c->t_start = now_ns ();
  c->fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0)
    {
      conn_fail (self, c, "socket: %s", g_strerror (errno));
      return;
    }
  setsockopt (c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (opt.sources > 1 && (ntohl (self->addr.sin_addr.s_addr) >> 24) == 127)
    {
      /* With 19000 sockets from one address to one port, the kernel's search for
       * a free ephemeral port dominates connect(); spread them over 127.0.0.x. */
      struct sockaddr_in src = {
        .sin_family = AF_INET,
        .sin_addr.s_addr = htonl (0x7f000001 + c->index % (unsigned) opt.sources),
      };

      setsockopt (c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      if (bind (c->fd, (struct sockaddr *) &src, sizeof src) < 0)
        {
          conn_fail (self, c, "bind: %s", g_strerror (errno));
          return;
        }
    }
  if (connect (c->fd, (struct sockaddr *) &self->addr, sizeof self->addr) < 0 &&
      errno != EINPROGRESS)
    {
      conn_fail (self, c, "connect: %s", g_strerror (errno));
      return;
    }
  c->state = CONN_CONNECTING;
  c->want_out = TRUE;
  if (epoll_ctl (self->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0)
    conn_fail (self, c, "epoll_ctl: %s", g_strerror (errno));
}

static void
conn_connected (Bench *self,
                Conn  *c)
{
  int              err = 0;
  socklen_t        len = sizeof err;
  guint8           nonce[16];
  g_autofree char *key = NULL;
  g_autofree char *request = NULL;

  if (getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
    err = errno;
  if (err != 0)
    {
      conn_fail (self, c, "connect: %s", g_strerror (err));
      return;
    }
  conn_want_out (self, c, FALSE);
  if (c->role == ROLE_HTTP)
    {
      c->state = CONN_READY;
      return;
    }

  for (unsigned i = 0; i < sizeof nonce; i += 4)
    {
      guint32 r = bench_random (self);
      memcpy (nonce + i, &r, 4);
    }
  key = g_base64_encode (nonce, sizeof nonce);
  ws_accept_for_key (key, c->accept);
  request = g_strdup_printf (self->upgrade_request_fmt, key);
  c->state = CONN_UPGRADING;
  conn_send (self, c, request, strlen (request));
}

/* ---------------------------------------------------------------- Pusher messages */

static void
send_subscribe (Bench *self,
                Conn  *c)
{
  g_autofree char *auth = NULL;
  g_autofree char *msg = NULL;

  if (self->private_channel)
    auth = channel_auth (opt.key, opt.secret, c->socket_id, opt.channel);
  msg = g_strdup_printf ("{\"event\":\"pusher:subscribe\",\"data\":{\"auth\":\"%s\",\"channel\":\"%s\"}}",
                         auth != NULL ? auth : "", opt.channel);
  c->state = CONN_SUBSCRIBING;
  ws_send_text (self, c, msg, (int) strlen (msg));
}

static void
on_welcome (Bench      *self,
            Conn       *c,
            const char *msg,
            size_t      len)
{
  const char *end = msg + len;
  const char *id = json_value (msg, end, "socket_id");
  size_t      n = 0;

  if (c->state != CONN_WAIT_WELCOME)
    {
      self->protocol_errors++;
      bench_report (self, "second connection_established: %.*s", (int) len, msg);
      return;
    }
  while (id != NULL && id + n < end && n < sizeof c->socket_id - 1 &&
         (g_ascii_isdigit (id[n]) || id[n] == '.'))
    n++;
  if (n == 0 || json_value (msg, end, "activity_timeout") == NULL)
    {
      conn_fail (self, c, "bad connection_established: %.*s", (int) MIN (len, 300), msg);
      return;
    }
  memcpy (c->socket_id, id, n);
  c->socket_id[n] = '\0';
  send_subscribe (self, c);
}

static void
on_subscribed (Bench      *self,
               Conn       *c,
               const char *msg,
               size_t      len)
{
  const char *channel;
  size_t      channel_len;

  if (c->state != CONN_SUBSCRIBING ||
      !json_string (msg, msg + len, "channel", &channel, &channel_len) ||
      !str_is (channel, channel_len, opt.channel))
    {
      self->protocol_errors++;
      bench_report (self, "unexpected subscription_succeeded: %.*s", (int) MIN (len, 300), msg);
      return;
    }
  c->state = CONN_READY;
  c->t_ready = now_ns ();
  self->t_progress = c->t_ready;
  self->n_ready++;
  hist_add (&self->setup_latency, c->t_ready - c->t_start);
}

static void
advance_complete (Bench *self,
                  gint64 now)
{
  while (self->complete < self->total && self->delivered[self->complete] == self->n_receivers)
    self->complete++;
  if (self->complete == self->total && self->t_complete == 0)
    self->t_complete = now;
}

static void
on_bench_event (Bench      *self,
                Conn       *c,
                const char *msg,
                size_t      len,
                gint64      now)
{
  const char *end = msg + len;
  const char *data = json_value (msg, end, "data");
  guint64     seq, t;

  if (data == NULL || !parse_u64 (json_value (data, end, "seq"), end, &seq) ||
      !parse_u64 (json_value (data, end, "t"), end, &t))
    {
      self->protocol_errors++;
      bench_report (self, "event without seq and t: %.*s", (int) MIN (len, 300), msg);
      return;
    }
  if (c->role == ROLE_PUBLISHER)
    {
      /* the sender of a client event must never get it back (pusher-protocol.md 10.2) */
      if (self->self_echo++ == 0)
        bench_report (self, "publisher received its own client event: %.*s",
                      (int) MIN (len, 300), msg);
      return;
    }
  if (c->state != CONN_READY || seq >= self->total)
    {
      self->unexpected++;
      bench_report (self, "event outside the run (seq %" G_GUINT64_FORMAT "): %.*s",
                    seq, (int) MIN (len, 300), msg);
      return;
    }
  if (c->seen[seq / 32] & (1u << (seq % 32)))
    {
      self->duplicates++;
      bench_report (self, "subscriber %u got seq %" G_GUINT64_FORMAT " twice", c->index, seq);
      return;
    }
  c->seen[seq / 32] |= 1u << (seq % 32);
  if (self->ordered && seq != c->expected)
    {
      self->out_of_order++;
      bench_report (self, "subscriber %u got seq %" G_GUINT64_FORMAT ", expected %" G_GUINT64_FORMAT,
                    c->index, seq, c->expected);
    }
  c->expected = seq + 1;
  c->received++;
  self->t_progress = now;
  if (seq >= (guint64) opt.warmup)
    hist_add (&self->latency, now - (gint64) t);
  if (++self->delivered[seq] == self->n_receivers)
    advance_complete (self, now);
}

static void
ws_message (Bench      *self,
            Conn       *c,
            const char *msg,
            size_t      len,
            gint64      now)
{
  const char *event;
  size_t      event_len;

  if (opt.verbose)
    fprintf (stderr, "%u < %.*s\n", c->index, (int) len, msg);
  if (!json_string (msg, msg + len, "event", &event, &event_len))
    {
      self->protocol_errors++;
      bench_report (self, "message without event: %.*s", (int) MIN (len, 300), msg);
      return;
    }
  if (str_is (event, event_len, opt.event))
    on_bench_event (self, c, msg, len, now);
  else if (str_is (event, event_len, "pusher:connection_established"))
    on_welcome (self, c, msg, len);
  else if (str_is (event, event_len, "pusher_internal:subscription_succeeded"))
    on_subscribed (self, c, msg, len);
  else if (str_is (event, event_len, "pusher:ping"))
    ws_send_text (self, c, PUSHER_PONG, sizeof PUSHER_PONG - 1);
  else if (str_is (event, event_len, "pusher:pong"))
    ;
  else if (str_is (event, event_len, "pusher:error") ||
           str_is (event, event_len, "pusher:subscription_error"))
    {
      self->server_errors++;
      bench_report (self, "connection %u: %.*s", c->index, (int) MIN (len, 300), msg);
    }
  else
    {
      self->unexpected++;
      bench_report (self, "unexpected message: %.*s", (int) MIN (len, 300), msg);
    }
}

/* ---------------------------------------------------------------- WebSocket framing */

static size_t
ws_parse_upgrade (Bench        *self,
                  Conn         *c,
                  const guint8 *data,
                  size_t        len)
{
  const char      *end = memmem (data, len, "\r\n\r\n", 4);
  g_autofree char *head = NULL;
  const char      *accept;
  size_t           head_len;

  if (end == NULL)
    {
      if (len > MAX_HEADER)
        conn_fail (self, c, "upgrade response header too large");
      return 0;
    }
  head_len = (size_t) (end - (const char *) data) + 4;
  head = g_ascii_strdown ((const char *) data, (gssize) head_len);
  if (!g_str_has_prefix (head, "http/1.1 101"))
    {
      conn_fail (self, c, "upgrade refused: %.*s", (int) MIN (len, 300), (const char *) data);
      return head_len;
    }
  /* the header values were lowered too: compare the raw bytes at the same offset */
  accept = strstr (head, "\r\nsec-websocket-accept:");
  if (accept != NULL)
    {
      const char *v = (const char *) data + (accept - head) + 23;

      while (*v == ' ')
        v++;
      if (strncmp (v, c->accept, strlen (c->accept)) != 0)
        accept = NULL;
    }
  if (accept == NULL)
    {
      conn_fail (self, c, "bad Sec-WebSocket-Accept: %.*s", (int) head_len, (const char *) data);
      return head_len;
    }
  c->state = CONN_WAIT_WELCOME;
  return head_len;
}

static size_t
ws_parse (Bench  *self,
          Conn   *c,
          guint8 *data,
          size_t  len)
{
  size_t pos = 0;
  gint64 now = now_ns ();

  while (c->state != CONN_CLOSED && len - pos >= 2)
    {
      guint8   b0 = data[pos], b1 = data[pos + 1];
      gboolean fin = (b0 & 0x80) != 0;
      unsigned opcode = b0 & 0x0f;
      guint64  plen = b1 & 0x7f;
      size_t   hlen = 2;
      guint8  *payload;

      if (plen == 126)
        {
          if (len - pos < 4)
            break;
          plen = (guint64) data[pos + 2] << 8 | data[pos + 3];
          hlen = 4;
        }
      else if (plen == 127)
        {
          if (len - pos < 10)
            break;
          plen = 0;
          for (int i = 0; i < 8; i++)
            plen = plen << 8 | data[pos + 2 + i];
          hlen = 10;
        }
      if (b1 & 0x80)
        hlen += 4;
      if (plen > MAX_MESSAGE)
        {
          conn_fail (self, c, "frame of %" G_GUINT64_FORMAT " bytes", plen);
          break;
        }
      if (len - pos < hlen + plen)
        break;
      payload = data + pos + hlen;
      pos += hlen + (size_t) plen;

      if (b1 & 0x80)
        {
          /* RFC 6455 5.1: a server must not mask */
          const guint8 *mask = payload - 4;

          for (size_t i = 0; i < plen; i++)
            payload[i] ^= mask[i & 3];
          if (self->protocol_errors++ == 0)
            bench_report (self, "server sent a masked frame");
        }
      if (b0 & 0x70)
        {
          self->protocol_errors++;
          bench_report (self, "frame with RSV bits 0x%x", b0 & 0x70);
        }

      switch (opcode)
        {
        case 0x1:
        case 0x2:
          if (opcode == 0x2)
            {
              self->protocol_errors++;
              bench_report (self, "binary frame");
            }
          if (c->frag != NULL)
            {
              self->protocol_errors++;
              bench_report (self, "new message inside a fragmented one");
              g_clear_pointer (&c->frag, g_byte_array_unref);
            }
          if (fin)
            ws_message (self, c, (const char *) payload, (size_t) plen, now);
          else
            c->frag = g_byte_array_append (g_byte_array_new (), payload, (guint) plen);
          break;

        case 0x0:
          if (c->frag == NULL)
            {
              self->protocol_errors++;
              bench_report (self, "continuation frame without a message");
              break;
            }
          g_byte_array_append (c->frag, payload, (guint) plen);
          if (c->frag->len > MAX_MESSAGE)
            {
              conn_fail (self, c, "fragmented message over %d bytes", MAX_MESSAGE);
              break;
            }
          if (fin)
            {
              g_autoptr (GByteArray) whole = g_steal_pointer (&c->frag);

              ws_message (self, c, (const char *) whole->data, whole->len, now);
            }
          break;

        case 0x8:
          {
            unsigned code = plen >= 2 ? (unsigned) (payload[0] << 8 | payload[1]) : 1005;

            conn_fail (self, c, "closed by server with code %u \"%.*s\"", code,
                       plen > 2 ? (int) plen - 2 : 0, (const char *) payload + 2);
          }
          break;

        case 0x9:
          ws_send (self, c, 0xA, payload, (size_t) plen);
          break;

        case 0xA:
          break;

        default:
          self->protocol_errors++;
          bench_report (self, "frame with opcode 0x%x", opcode);
          break;
        }
    }
  return pos;
}

static CpuMark cpu_mark (void);

/* Figures cover messages after the warm-up: time and CPU both start here. */
static void
bench_start_measure (Bench *self,
                     gint64 t)
{
  self->t_measure = t;
  self->measure_mark = cpu_mark ();
}

/* ---------------------------------------------------------------- HTTP API client */

static void
http_send_request (Bench *self,
                   Conn  *c)
{
  guint64          seq = self->n_sent++;
  gint64           t = now_ns ();
  g_autofree char *path = g_strdup_printf ("/apps/%s/events", opt.app_id);
  g_autofree char *body = NULL;
  g_autofree char *query = NULL;
  g_autofree char *request = NULL;

  if (seq == (guint64) opt.warmup)
    bench_start_measure (self, t);
  body = g_strdup_printf ("{\"name\":\"%s\",\"channels\":[\"%s\"],"
                          "\"data\":\"{\\\"seq\\\":%" G_GUINT64_FORMAT ",\\\"t\\\":%" G_GINT64_FORMAT "}\"}",
                          opt.event, opt.channel, seq, t);
  query = api_signed_query ("POST", path, opt.key, opt.secret, g_get_real_time () / G_USEC_PER_SEC, body);
  request = g_strdup_printf ("POST %s?%s HTTP/1.1\r\n"
                             "Host: %s:%d\r\n"
                             "Content-Type: application/json\r\n"
                             "Content-Length: %zu\r\n"
                             "\r\n"
                             "%s",
                             path, query, opt.host, opt.port, strlen (body), body);
  c->busy = TRUE;
  c->req_t = t;
  c->req_seq = seq;
  conn_send (self, c, request, strlen (request));
}

static void
http_response (Bench      *self,
               Conn       *c,
               int         status,
               const char *body,
               size_t      body_len)
{
  gint64 now = now_ns ();

  if (!c->busy)
    {
      conn_fail (self, c, "response without a request: %d", status);
      return;
    }
  c->busy = FALSE;
  if (status == 404 && self->n_responses == 0)
    {
      self->unavailable = TRUE;
      bench_fail (self, "HTTP API answered 404: %.*s", (int) MIN (body_len, 200), body);
      return;
    }
  if (status != 200)
    {
      conn_fail (self, c, "HTTP %d: %.*s", status, (int) MIN (body_len, 300), body);
      return;
    }
  self->n_responses++;
  self->t_last_response = now;
  self->t_progress = now;
  if (c->req_seq >= (guint64) opt.warmup)
    hist_add (&self->req_latency, now - c->req_t);
}

/* Returns the length of a complete chunked body at P, or 0 if more is needed. */
static size_t
http_chunked_body (const char *p,
                   const char *end,
                   GString    *body)
{
  const char *start = p;

  for (;;)
    {
      const char *eol = memmem (p, (size_t) (end - p), "\r\n", 2);
      guint64     size;

      if (eol == NULL)
        return 0;
      size = g_ascii_strtoull (p, NULL, 16);
      p = eol + 2;
      if (size == 0)
        {
          /* no trailers expected: the last chunk is followed by an empty line */
          const char *last = memmem (p, (size_t) (end - p), "\r\n", 2);

          return last != NULL ? (size_t) (last + 2 - start) : 0;
        }
      if ((guint64) (end - p) < size + 2)
        return 0;
      g_string_append_len (body, p, (gssize) size);
      p += size + 2;
    }
}

static size_t
http_parse (Bench        *self,
            Conn         *c,
            const guint8 *data,
            size_t        len)
{
  size_t pos = 0;

  while (c->state != CONN_CLOSED && pos < len)
    {
      const char      *p = (const char *) data + pos;
      const char      *end = (const char *) data + len;
      const char      *head_end = memmem (p, (size_t) (end - p), "\r\n\r\n", 4);
      g_autofree char *head = NULL;
      g_autoptr (GString) body = NULL;
      size_t      head_len, total;
      const char *h;
      int         status = 0;
      gboolean    close_after;

      if (head_end == NULL)
        {
          if ((size_t) (end - p) > MAX_HEADER)
            conn_fail (self, c, "response header too large");
          break;
        }
      head_len = (size_t) (head_end - p) + 4;
      head = g_ascii_strdown (p, (gssize) head_len);
      if (sscanf (head, "http/1.%*d %d", &status) != 1)
        {
          conn_fail (self, c, "bad response: %.*s", (int) MIN (head_len, 200), p);
          break;
        }
      body = g_string_new (NULL);
      if ((h = strstr (head, "\r\ncontent-length:")) != NULL)
        {
          guint64 clen = g_ascii_strtoull (h + 17, NULL, 10);

          if ((guint64) (end - p) < head_len + clen)
            break;
          g_string_append_len (body, p + head_len, (gssize) clen);
          total = head_len + (size_t) clen;
        }
      else if ((h = strstr (head, "\r\ntransfer-encoding:")) != NULL &&
               strstr (h, "chunked") != NULL)
        {
          size_t n = http_chunked_body (p + head_len, end, body);

          if (n == 0)
            break;
          total = head_len + n;
        }
      else
        {
          conn_fail (self, c, "response without a length: %.*s", (int) MIN (head_len, 200), p);
          break;
        }
      close_after = strstr (head, "\r\nconnection: close") != NULL;
      pos += total;
      http_response (self, c, status, body->str, body->len);
      if (close_after && c->state != CONN_CLOSED)
        {
          /* keep-alive refused: open a fresh connection for the next request */
          conn_close (self, c);
          self->reconnects++;
          conn_open (self, c, ROLE_HTTP);
          return len;
        }
    }
  return pos;
}

/* ---------------------------------------------------------------- event loop */

static size_t
conn_parse (Bench  *self,
            Conn   *c,
            guint8 *data,
            size_t  len)
{
  size_t pos = 0;

  if (c->role == ROLE_HTTP)
    return http_parse (self, c, data, len);
  if (c->state == CONN_UPGRADING)
    {
      pos = ws_parse_upgrade (self, c, data, len);
      if (c->state == CONN_UPGRADING || c->state == CONN_CLOSED)
        return pos;
    }
  return pos + ws_parse (self, c, data + pos, len - pos);
}

static void
conn_read (Bench *self,
           Conn  *c)
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
            conn_fail (self, c, "read: %s", g_strerror (errno));
          return;
        }
      if (n == 0)
        {
          if (c->role == ROLE_HTTP && !c->busy && !self->closing)
            {
              conn_close (self, c);
              self->reconnects++;
              conn_open (self, c, ROLE_HTTP);
            }
          else
            conn_fail (self, c, "closed by server (EOF)");
          return;
        }
      c->t_rx = self->t_keepalive; /* a coarse clock is enough for keep-alive */
      /* parse straight from the scratch buffer unless a partial frame is pending */
      if (c->in.len > 0)
        {
          buffer_append (&c->in, scratch, (size_t) n);
          data = c->in.data;
          len = c->in.len;
        }
      else
        {
          data = scratch;
          len = (size_t) n;
        }
      used = conn_parse (self, c, data, len);
      /* closed, or an HTTP connection replaced by a fresh one: the buffer is gone */
      if (c->state == CONN_CLOSED || c->state == CONN_CONNECTING)
        return;
      if (data == scratch)
        {
          if (used < len)
            buffer_append (&c->in, data + used, len - used);
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

static void
bench_keepalive (Bench *self,
                 gint64 now)
{
  /* soketi closes sockets silent for 120 s, Crier pings them: behave like pusher-js */
  if (now - self->t_keepalive < 5 * NS_PER_S)
    return;
  self->t_keepalive = now;
  for (unsigned i = 0; i < self->n_ws; i++)
    {
      Conn *c = &self->conns[i];

      if (c->state == CONN_READY && now - c->t_rx > KEEPALIVE_IDLE)
        {
          c->t_rx = now;
          ws_send_text (self, c, PUSHER_PING, sizeof PUSHER_PING - 1);
        }
    }
}

static void
bench_poll (Bench *self,
            int    timeout_ms)
{
  struct epoll_event events[1024];
  int                n = epoll_wait (self->epfd, events, G_N_ELEMENTS (events), timeout_ms);

  if (n < 0 && errno != EINTR)
    bench_fail (self, "epoll_wait: %s", g_strerror (errno));
  for (int i = 0; i < n; i++)
    {
      Conn   *c = &self->conns[events[i].data.u32];
      guint32 ev = events[i].events;

      if (c->fd < 0)
        continue;
      if (c->state == CONN_CONNECTING)
        {
          conn_connected (self, c);
          continue;
        }
      if (ev & EPOLLOUT)
        conn_flush (self, c);
      if (c->fd >= 0 && (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        conn_read (self, c);
    }
  bench_keepalive (self, now_ns ());
}

/* Runs STEP after each poll until it returns TRUE, the run fails, nothing has
 * progressed for --stall seconds or the scenario's --timeout is reached. */
static gboolean
bench_loop (Bench *self,
            gboolean (*step) (Bench *self),
            const char *what)
{
  self->t_progress = now_ns ();
  while (!self->failed)
    {
      gint64 now;

      if (step (self))
        return TRUE;
      now = now_ns ();
      if (now > self->deadline)
        bench_fail (self, "timeout during %s", what);
      else if (now - self->t_progress > opt.stall * NS_PER_S)
        bench_fail (self, "no progress for %d s during %s", opt.stall, what);
      else
        bench_poll (self, 10);
    }
  return FALSE;
}

static gboolean
setup_step (Bench *self)
{
  unsigned in_progress = self->n_started - self->n_ready;

  while (self->n_started < self->n_ws && in_progress < (unsigned) opt.concurrency && !self->failed)
    {
      Conn *c = &self->conns[self->n_started];

      conn_open (self, c, c == self->publisher ? ROLE_PUBLISHER : ROLE_SUBSCRIBER);
      self->n_started++;
      in_progress++;
    }
  return self->n_ready == self->n_ws;
}

static void
bench_settle (Bench *self)
{
  gint64 until = now_ns () + (gint64) (opt.settle * NS_PER_S);

  while (!self->failed && now_ns () < until)
    bench_poll (self, 10);
}

static void
bench_init (Bench   *self,
            unsigned n_ws,
            unsigned n_http)
{
  struct rlimit rl;

  signal (SIGPIPE, SIG_IGN);
  /* 19000 sockets need the hard limit */
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }

  memset (self, 0, sizeof *self);
  self->rng = g_random_int () | 1;
  self->epfd = epoll_create1 (EPOLL_CLOEXEC);
  self->addr.sin_family = AF_INET;
  self->addr.sin_port = htons ((guint16) opt.port);
  if (inet_pton (AF_INET, opt.host, &self->addr.sin_addr) != 1)
    {
      fprintf (stderr, "crier-load: --host must be an IPv4 address, got %s\n", opt.host);
      exit (EXIT_USAGE);
    }
  self->upgrade_request_fmt =
    g_strdup_printf ("GET /app/%s?protocol=7&client=js&version=8.6.0&flash=false HTTP/1.1\r\n"
                     "Host: %s:%d\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %%s\r\n"
                     "Sec-WebSocket-Version: 13\r\n"
                     "\r\n",
                     opt.key, opt.host, opt.port);
  self->n_ws = n_ws;
  self->n_conns = n_ws + n_http;
  self->conns = g_new0 (Conn, self->n_conns);
  for (unsigned i = 0; i < self->n_conns; i++)
    {
      self->conns[i].fd = -1;
      self->conns[i].index = i;
    }
  self->private_channel = g_str_has_prefix (opt.channel, "private-");
  self->t_keepalive = now_ns ();
  self->deadline = self->t_keepalive + (gint64) opt.timeout * NS_PER_S;
}

static void
bench_expect (Bench   *self,
              guint64  total,
              unsigned first_receiver,
              unsigned n_receivers)
{
  self->total = total;
  self->n_receivers = n_receivers;
  self->delivered = g_new0 (guint32, MAX (total, 1));
  for (unsigned i = first_receiver; i < first_receiver + n_receivers; i++)
    self->conns[i].seen = g_new0 (guint32, total / 32 + 1);
}

static guint64
bench_lost (Bench   *self,
            unsigned first_receiver)
{
  guint64 lost = 0;

  for (unsigned i = first_receiver; i < first_receiver + self->n_receivers; i++)
    lost += self->total - MIN (self->conns[i].received, self->total);
  return lost;
}

static int
bench_finish (Bench *self)
{
  guint64 problems = self->duplicates + self->out_of_order + self->self_echo +
                     self->server_errors + self->protocol_errors + self->unexpected;

  self->closing = TRUE;
  g_print ("duplicates=%" G_GUINT64_FORMAT "\n", self->duplicates);
  g_print ("out_of_order=%" G_GUINT64_FORMAT "\n", self->out_of_order);
  g_print ("self_echo=%" G_GUINT64_FORMAT "\n", self->self_echo);
  g_print ("server_errors=%" G_GUINT64_FORMAT "\n", self->server_errors);
  g_print ("protocol_errors=%" G_GUINT64_FORMAT "\n", self->protocol_errors);
  g_print ("unexpected=%" G_GUINT64_FORMAT "\n", self->unexpected);
  g_print ("load_cpu_s=%.2f\n", self_cpu_s ());
  if (self->unavailable)
    {
      g_print ("available=0\nresult=unavailable\n");
      return EXIT_UNAVAILABLE;
    }
  if (!self->failed && problems > 0)
    bench_fail (self, "%" G_GUINT64_FORMAT " protocol or delivery problems", problems);
  if (self->failed)
    {
      g_print ("result=FAIL\nreason=%s\n", self->failure);
      fprintf (stderr, "crier-load: FAIL: %s\n", self->failure);
      return EXIT_FAIL;
    }
  g_print ("result=ok\n");
  return 0;
}

/* CPU shares of the measured phase: a server near 1.0 was the bottleneck; a
 * load generator near 1.0 means the server's figure is a lower bound. */
static void
print_usage_since (CpuMark before,
                   gint64  t_start,
                   gint64  t_end)
{
  CpuMark after = cpu_mark ();
  double  secs = (double) (t_end - t_start) / NS_PER_S;

  if (secs > 0 && before.server_cpu >= 0 && after.server_cpu >= 0)
    g_print ("server_cpu_util=%.2f\n", (after.server_cpu - before.server_cpu) / secs);
  if (secs > 0)
    g_print ("load_cpu_util=%.2f\n", (after.load_cpu - before.load_cpu) / secs);
  /* anything else running (a build, a test suite) makes every figure unreliable;
   * interrupt and softirq work for our own sockets is in there too */
  if (secs > 0 && before.server_cpu >= 0 && after.server_cpu >= 0 && before.machine_busy >= 0)
    {
      double ours = (after.server_cpu - before.server_cpu) + (after.load_cpu - before.load_cpu);

      g_print ("other_cpu_util=%.2f\n", ((after.machine_busy - before.machine_busy) - ours) / secs);
    }
  g_print ("server_rss_kb=%ld\n", read_rss_kb (opt.server_pid));
}

/* ---------------------------------------------------------------- scenarios */

static int
run_idle (void)
{
  Bench    bench, *self = &bench;
  unsigned n = (unsigned) opt.connections;
  unsigned last = MIN ((unsigned) opt.last, n);
  long     rss_before, rss_after;
  CpuMark  before;
  gint64   t0, t_end = 0;
  double   secs;

  bench_init (self, n, 0);
  rss_before = read_rss_kb (opt.server_pid);
  before = cpu_mark ();
  t0 = now_ns ();
  g_print ("scenario=idle\nconnections=%u\nconcurrency=%d\n", n, opt.concurrency);
  if (bench_loop (self, setup_step, "connection setup"))
    {
      for (unsigned i = 0; i < n; i++)
        t_end = MAX (t_end, self->conns[i].t_ready);
      secs = (double) (t_end - t0) / NS_PER_S;
      print_usage_since (before, t0, t_end);
      g_print ("setup_seconds=%.3f\n", secs);
      g_print ("setup_rate=%.1f\n", n / secs);
      g_print ("last_n=%u\n", last);
      g_print ("last_rate=%.1f\n",
               last / ((double) (t_end - self->conns[n - last].t_start) / NS_PER_S));
      g_print ("connect_p50_ms=%.2f\n", hist_percentile (&self->setup_latency, 0.50) / 1e6);
      g_print ("connect_p99_ms=%.2f\n", hist_percentile (&self->setup_latency, 0.99) / 1e6);
      bench_settle (self);
      if (self->n_ready != n && !self->failed)
        bench_fail (self, "%u of %u connections left", self->n_ready, n);
      rss_after = read_rss_kb (opt.server_pid);
      g_print ("rss_before_kb=%ld\nrss_after_kb=%ld\n", rss_before, rss_after);
      if (rss_before > 0 && rss_after > 0)
        g_print ("mem_per_conn_bytes=%.0f\n", (double) (rss_after - rss_before) * 1024.0 / n);
    }
  else
    g_print ("ready=%u\n", self->n_ready);
  return bench_finish (self);
}

static gboolean
fanout_step (Bench *self)
{
  Conn *pub = self->publisher;

  while (self->n_sent < self->total && self->n_sent < self->complete + (guint64) opt.window &&
         pub->state == CONN_READY)
    {
      char   msg[256];
      gint64 t = now_ns ();
      int    len;

      if (self->n_sent == (guint64) opt.warmup)
        bench_start_measure (self, t);
      len = g_snprintf (msg, sizeof msg,
                        "{\"event\":\"%s\",\"channel\":\"%s\",\"data\":{\"seq\":%" G_GUINT64_FORMAT
                        ",\"t\":%" G_GINT64_FORMAT "}}",
                        opt.event, opt.channel, self->n_sent, t);
      self->n_sent++;
      ws_send_text (self, pub, msg, len);
    }
  return self->complete == self->total;
}

static int
run_fanout (void)
{
  Bench    bench, *self = &bench;
  unsigned subs = (unsigned) opt.subscribers;
  guint64  total = (guint64) opt.warmup + (guint64) opt.messages;
  gint64   t0;
  /* conns[0] publishes, conns[1 .. subs] receive */
  bench_init (self, subs + 1, 0);
  self->publisher = &self->conns[0];
  self->ordered = TRUE;
  bench_expect (self, total, 1, subs);
  g_print ("scenario=fanout\nsubscribers=%u\nmessages=%d\nwarmup=%d\nwindow=%d\n",
           subs, opt.messages, opt.warmup, opt.window);

  t0 = now_ns ();
  if (!bench_loop (self, setup_step, "connection setup"))
    return bench_finish (self);
  g_print ("setup_seconds=%.3f\n", (double) (now_ns () - t0) / NS_PER_S);

  if (bench_loop (self, fanout_step, "publishing"))
    {
      guint64 deliveries = (guint64) opt.messages * subs;
      double  secs = (double) (self->t_complete - self->t_measure) / NS_PER_S;

      print_usage_since (self->measure_mark,
                         self->t_measure, self->t_complete);
      bench_settle (self);
      g_print ("deliveries=%" G_GUINT64_FORMAT "\n", deliveries);
      g_print ("elapsed_s=%.3f\n", secs);
      g_print ("msgs_per_s=%.0f\n", deliveries / secs);
      g_print ("latency_p50_us=%.1f\n", hist_percentile (&self->latency, 0.50) / 1e3);
      g_print ("latency_p99_us=%.1f\n", hist_percentile (&self->latency, 0.99) / 1e3);
      g_print ("latency_max_us=%.1f\n", (double) self->latency.max / 1e3);
    }
  else
    g_print ("sent=%" G_GUINT64_FORMAT "\ncomplete=%" G_GUINT64_FORMAT "\n",
             self->n_sent, self->complete);
  g_print ("lost=%" G_GUINT64_FORMAT "\n", bench_lost (self, 1));
  if (!self->failed && bench_lost (self, 1) > 0)
    bench_fail (self, "messages lost");
  return bench_finish (self);
}

static gboolean
api_connect_step (Bench *self)
{
  for (unsigned i = self->n_ws; i < self->n_conns; i++)
    if (self->conns[i].state == CONN_IDLE)
      conn_open (self, &self->conns[i], ROLE_HTTP);
  for (unsigned i = self->n_ws; i < self->n_conns; i++)
    if (self->conns[i].state != CONN_READY)
      return FALSE;
  return TRUE;
}

static gboolean
api_step (Bench *self)
{
  for (unsigned i = self->n_ws; i < self->n_conns && !self->failed; i++)
    {
      Conn *c = &self->conns[i];

      if (c->state == CONN_READY && !c->busy && self->n_sent < self->total &&
          self->n_sent < self->complete + (guint64) opt.window)
        http_send_request (self, c);
    }
  return self->complete == self->total && self->n_responses == self->total;
}

static int
run_api (void)
{
  Bench    bench, *self = &bench;
  unsigned subs = (unsigned) opt.subscribers;
  guint64  total = (guint64) opt.warmup + (guint64) opt.messages;

  bench_init (self, subs, (unsigned) opt.http_connections);
  self->ordered = FALSE; /* concurrent requests may be published in any order */
  bench_expect (self, total, 0, subs);
  g_print ("scenario=api\nsubscribers=%u\nrequests=%d\nwarmup=%d\nhttp_connections=%d\nwindow=%d\n",
           subs, opt.messages, opt.warmup, opt.http_connections, opt.window);

  if (!bench_loop (self, setup_step, "connection setup") ||
      !bench_loop (self, api_connect_step, "HTTP connection setup"))
    return bench_finish (self);

  if (bench_loop (self, api_step, "HTTP requests"))
    {
      gint64 t_end = MAX (self->t_complete, self->t_last_response);
      double secs = (double) (t_end - self->t_measure) / NS_PER_S;

      print_usage_since (self->measure_mark,
                         self->t_measure, t_end);
      bench_settle (self);
      g_print ("available=1\n");
      g_print ("elapsed_s=%.3f\n", secs);
      g_print ("requests_per_s=%.0f\n", opt.messages / secs);
      g_print ("req_p50_us=%.1f\n", hist_percentile (&self->req_latency, 0.50) / 1e3);
      g_print ("req_p99_us=%.1f\n", hist_percentile (&self->req_latency, 0.99) / 1e3);
      g_print ("delivery_p50_us=%.1f\n", hist_percentile (&self->latency, 0.50) / 1e3);
      g_print ("delivery_p99_us=%.1f\n", hist_percentile (&self->latency, 0.99) / 1e3);
      g_print ("reconnects=%" G_GUINT64_FORMAT "\n", self->reconnects);
    }
  else if (!self->unavailable)
    g_print ("sent=%" G_GUINT64_FORMAT "\nresponses=%" G_GUINT64_FORMAT "\ncomplete=%" G_GUINT64_FORMAT "\n",
             self->n_sent, self->n_responses, self->complete);
  if (!self->unavailable)
    {
      g_print ("lost=%" G_GUINT64_FORMAT "\n", bench_lost (self, 0));
      if (!self->failed && bench_lost (self, 0) > 0)
        bench_fail (self, "events lost");
    }
  return bench_finish (self);
}

/* Known answers from pusher-protocol.md 18 and RFC 6455 1.3. */
static int
run_selftest (void)
{
  g_autofree char *auth = channel_auth ("278d425bdf160c739803", "7ad3773142a6692b25b8",
                                        "1234.1234", "private-foobar");
  g_autofree char *query = NULL;
  char             accept[32];
  const char      *body = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}";
  const char      *crier = "{\"event\":\"client-bench\",\"channel\":\"private-bench\",\"data\":\"{\\\"seq\\\":17,\\\"t\\\":42}\"}";
  const char      *soketi = "{\"event\":\"client-bench\",\"channel\":\"private-bench\",\"data\":{\"seq\":17,\"t\":42}}";
  const char      *welcome = "{\"event\":\"pusher:connection_established\",\"data\":\"{\\\"socket_id\\\":\\\"123.456\\\",\\\"activity_timeout\\\":120}\"}";
  const char      *event, *id;
  size_t           event_len;
  guint64          seq, t;
  int              checks = 0, failures = 0;

#define CHECK(cond)                                       \
  G_STMT_START                                            \
  {                                                       \
    checks++;                                             \
    if (!(cond))                                          \
      {                                                   \
        fprintf (stderr, "selftest: %s failed\n", #cond); \
        failures++;                                       \
      }                                                   \
  }                                                       \
  G_STMT_END

  CHECK (g_str_equal (auth, "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4"));
  query = api_signed_query ("POST", "/apps/3/events", "278d425bdf160c739803", "7ad3773142a6692b25b8",
                            1353088179, body);
  CHECK (g_str_equal (query, "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0"
                             "&body_md5=ec365a775a4cd0599faeb73354201b6f"
                             "&auth_signature=da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c"));
  ws_accept_for_key ("dGhlIHNhbXBsZSBub25jZQ==", accept);
  CHECK (g_str_equal (accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
  for (int i = 0; i < 2; i++)
    {
      const char *msg = i == 0 ? crier : soketi;
      const char *end = msg + strlen (msg);
      const char *data = json_value (msg, end, "data");

      CHECK (json_string (msg, end, "event", &event, &event_len) && str_is (event, event_len, "client-bench"));
      CHECK (data != NULL && parse_u64 (json_value (data, end, "seq"), end, &seq) && seq == 17);
      CHECK (data != NULL && parse_u64 (json_value (data, end, "t"), end, &t) && t == 42);
    }
  id = json_value (welcome, welcome + strlen (welcome), "socket_id");
  CHECK (id != NULL && g_str_has_prefix (id, "123.456"));
  CHECK (!json_string (welcome, welcome + strlen (welcome), "socket_id", &event, &event_len));
  CHECK (hist_index (127) == 127 && hist_index (128) == 128 && hist_index (256) == 192);
  CHECK (hist_bucket_value (192) > 256 && hist_bucket_value (192) < 260);
#undef CHECK

  g_print ("%d passed, %d failed\n", checks - failures, failures);
  return failures == 0 ? 0 : EXIT_FAIL;
}

static int
run_free_port (void)
{
  /* for bench/run: a port the kernel considers free right now */
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t          len = sizeof addr;
  int                fd = socket (AF_INET, opt.udp ? SOCK_DGRAM : SOCK_STREAM, 0);

  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 ||
      getsockname (fd, (struct sockaddr *) &addr, &len) < 0)
    {
      perror ("crier-load: free-port");
      return EXIT_FAIL;
    }
  g_print ("%d\n", ntohs (addr.sin_port));
  close (fd);
  return 0;
}

/* ---------------------------------------------------------------- main */

static const GOptionEntry common_entries[] = {
  { "host", 0, 0, G_OPTION_ARG_STRING, &opt.host, "Server address (127.0.0.1)", "IPV4" },
  { "port", 'p', 0, G_OPTION_ARG_INT, &opt.port, "Server port (6001)", "PORT" },
  { "app-id", 0, 0, G_OPTION_ARG_STRING, &opt.app_id, "App id for the HTTP API (app-id)", "ID" },
  { "key", 0, 0, G_OPTION_ARG_STRING, &opt.key, "App key (app-key)", "KEY" },
  { "secret", 0, 0, G_OPTION_ARG_STRING, &opt.secret, "App secret (app-secret)", "SECRET" },
  { "channel", 'c', 0, G_OPTION_ARG_STRING, &opt.channel, "Channel", "NAME" },
  { "event", 'e', 0, G_OPTION_ARG_STRING, &opt.event, "Event name published and expected", "NAME" },
  { "concurrency", 0, 0, G_OPTION_ARG_INT, &opt.concurrency, "Connection handshakes in flight at once (100)", "N" },
  { "timeout", 't', 0, G_OPTION_ARG_INT, &opt.timeout, "Give up after this many seconds (300)", "S" },
  { "stall", 0, 0, G_OPTION_ARG_INT, &opt.stall, "Give up after this many seconds without progress (15)", "S" },
  { "server-pid", 0, 0, G_OPTION_ARG_INT, &opt.server_pid, "Server process for RSS and CPU figures", "PID" },
  { "sources", 0, 0, G_OPTION_ARG_INT, &opt.sources, "Loopback source addresses 127.0.0.1 .. 127.0.0.N to spread over (16)", "N" },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt.verbose, "Print every message sent and received (small runs only)", NULL },
  { "settle", 0, 0, G_OPTION_ARG_DOUBLE, &opt.settle, "Seconds to wait for stray messages or memory to settle (1)", "S" },
  { NULL }
};

static const GOptionEntry idle_entries[] = {
  { "connections", 'n', 0, G_OPTION_ARG_INT, &opt.connections, "Connections to open (19000)", "N" },
  { "last", 0, 0, G_OPTION_ARG_INT, &opt.last, "Also report the setup rate of the last N connections (1000)", "N" },
  { NULL }
};

static const GOptionEntry delivery_entries[] = {
  { "subscribers", 's', 0, G_OPTION_ARG_INT, &opt.subscribers, "Subscribers on the channel (100)", "N" },
  { "messages", 'm', 0, G_OPTION_ARG_INT, &opt.messages, "Messages or requests measured (10000)", "M" },
  { "warmup", 0, 0, G_OPTION_ARG_INT, &opt.warmup, "Messages sent and checked before measuring (0)", "N" },
  { "window", 'w', 0, G_OPTION_ARG_INT, &opt.window, "Messages in flight at most: i is sent once i-W reached everyone (20)", "W" },
  { "http-connections", 'k', 0, G_OPTION_ARG_INT, &opt.http_connections, "Keep-alive HTTP connections (8)", "K" },
  { NULL }
};

static const GOptionEntry free_port_entries[] = {
  { "udp", 0, 0, G_OPTION_ARG_NONE, &opt.udp, "A UDP port instead of TCP", NULL },
  { NULL }
};

static void
usage (void)
{
  fprintf (stderr,
           "Usage: crier-load COMMAND [OPTIONS]\n"
           "\n"
           "Commands:\n"
           "  idle       open N subscribed connections; setup rate and server memory per connection\n"
           "  fanout     one publisher, S subscribers, client events on a private channel\n"
           "  api        signed POST /apps/ID/events from K keep-alive connections to S subscribers\n"
           "  selftest   check signatures and parsing against known answers\n"
           "  free-port  print a free loopback port\n"
           "\n"
           "crier-load COMMAND --help lists the options.\n");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *summary = NULL;
  const char      *command;

  if (argc < 2 || argv[1][0] == '-')
    {
      usage ();
      return EXIT_USAGE;
    }
  command = argv[1];
  if (!g_str_equal (command, "idle") && !g_str_equal (command, "fanout") &&
      !g_str_equal (command, "api") && !g_str_equal (command, "selftest") &&
      !g_str_equal (command, "free-port"))
    {
      usage ();
      return EXIT_USAGE;
    }

  summary = g_strdup_printf ("crier-load %s", command);
  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, summary);
  if (g_str_equal (command, "free-port"))
    g_option_context_add_main_entries (context, free_port_entries, NULL);
  else
    g_option_context_add_main_entries (context, common_entries, NULL);
  if (g_str_equal (command, "idle"))
    g_option_context_add_main_entries (context, idle_entries, NULL);
  else if (g_str_equal (command, "fanout") || g_str_equal (command, "api"))
    g_option_context_add_main_entries (context, delivery_entries, NULL);
  argv[1] = argv[0];
  argc--;
  argv++;
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "crier-load: %s\n", error->message);
      return EXIT_USAGE;
    }

  if (opt.host == NULL)
    opt.host = g_strdup ("127.0.0.1");
  if (opt.app_id == NULL)
    opt.app_id = g_strdup ("app-id");
  if (opt.key == NULL)
    opt.key = g_strdup ("app-key");
  if (opt.secret == NULL)
    opt.secret = g_strdup ("app-secret");
  if (opt.channel == NULL)
    opt.channel = g_strdup (g_str_equal (command, "fanout") ? "private-bench"
                            : g_str_equal (command, "api")  ? "bench-api"
                                                            : "bench-idle");
  if (opt.event == NULL)
    opt.event = g_strdup (g_str_equal (command, "api") ? "bench-api" : "client-bench");
  if (opt.connections < 1 || opt.subscribers < 1 || opt.messages < 1 || opt.warmup < 0 ||
      opt.window < 1 || opt.concurrency < 1 || opt.http_connections < 1 || opt.timeout < 1 ||
      opt.stall < 1 || opt.last < 1 || opt.sources < 1 || opt.sources > 254)
    {
      fprintf (stderr, "crier-load: counts must be positive\n");
      return EXIT_USAGE;
    }

  if (g_str_equal (command, "idle"))
    return run_idle ();
  if (g_str_equal (command, "fanout"))
    return run_fanout ();
  if (g_str_equal (command, "api"))
    return run_api ();
  if (g_str_equal (command, "free-port"))
    return run_free_port ();
  return run_selftest ();
}
