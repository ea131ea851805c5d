/* load-protocol.c — the Pusher side of a WebSocket connection: welcome, subscribe, events
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Speaks just enough Pusher protocol 7 (pusher-protocol.md) to subscribe every
 * connection to --channel and to check every --event that arrives: its seq must be
 * new to that subscriber (and in order where the scenario says so), its stamp t
 * gives the latency. */

#define G_LOG_DOMAIN "crier-load"

#include "load-protocol.h"

#include <stdio.h>
#include <string.h>

#include "load-json.h"
#include "load-signature.h"
#include "load-time.h"

#define PUSHER_PING    "{\"event\":\"pusher:ping\",\"data\":{}}"
#define PUSHER_PONG    "{\"event\":\"pusher:pong\",\"data\":{}}"
#define KEEPALIVE_IDLE (60 * LOAD_NS_PER_S)

static void
send_subscribe (LoadRun  *run,
                LoadConn *c)
{
  const LoadOptions *opt = run->opt;
  g_autofree char   *auth = NULL;
  g_autofree char   *msg = NULL;

  if (g_str_has_prefix (opt->channel, "private-"))
    auth = load_signature_channel_auth (opt->key, opt->secret, c->socket_id, opt->channel);
  msg = g_strdup_printf ("{\"event\":\"pusher:subscribe\",\"data\":{\"auth\":\"%s\",\"channel\":\"%s\"}}",
                         auth != NULL ? auth : "", opt->channel);
  c->state = LOAD_CONN_SUBSCRIBING;
  load_conn_send_text (&run->table, c, msg, (int) strlen (msg));
}

static void
on_welcome (LoadRun    *run,
            LoadConn   *c,
            const char *msg,
            size_t      len)
{
  const char *end = msg + len;
  const char *id = load_json_value (msg, end, "socket_id");
  size_t      n = 0;

  if (c->state != LOAD_CONN_WAIT_WELCOME)
    {
      run->verdict.protocol_errors++;
      load_verdict_report (&run->verdict, "second connection_established: %.*s", (int) len, msg);
      return;
    }
  while (id != NULL && id + n < end && n < sizeof c->socket_id - 1 &&
         (g_ascii_isdigit (id[n]) || id[n] == '.'))
    n++;
  if (n == 0 || load_json_value (msg, end, "activity_timeout") == NULL)
    {
      load_conn_fail (&run->table, c, "bad connection_established: %.*s", (int) MIN (len, 300), msg);
      return;
    }
  memcpy (c->socket_id, id, n);
  c->socket_id[n] = '\0';
  send_subscribe (run, c);
}

static void
on_subscribed (LoadRun    *run,
               LoadConn   *c,
               const char *msg,
               size_t      len)
{
  const char *channel;
  size_t      channel_len;
  gint64      now;

  if (c->state != LOAD_CONN_SUBSCRIBING ||
      !load_json_string (msg, msg + len, "channel", &channel, &channel_len) ||
      !load_json_is (channel, channel_len, run->opt->channel))
    {
      run->verdict.protocol_errors++;
      load_verdict_report (&run->verdict, "unexpected subscription_succeeded: %.*s",
                           (int) MIN (len, 300), msg);
      return;
    }
  now = load_now_ns ();
  load_conn_set_ready (&run->table, c, now);
  run->stats.t_progress = now;
  load_histogram_add (&run->stats.setup_latency, now - c->t_start);
}

static void
on_bench_event (LoadRun    *run,
                LoadConn   *c,
                const char *msg,
                size_t      len,
                gint64      now)
{
  LoadVerdict *v = &run->verdict;
  const char  *end = msg + len;
  const char  *data = load_json_value (msg, end, "data");
  guint64      seq, t;

  if (data == NULL || !load_json_parse_u64 (load_json_value (data, end, "seq"), end, &seq) ||
      !load_json_parse_u64 (load_json_value (data, end, "t"), end, &t))
    {
      v->protocol_errors++;
      load_verdict_report (v, "event without seq and t: %.*s", (int) MIN (len, 300), msg);
      return;
    }
  if (c->role == LOAD_ROLE_PUBLISHER)
    {
      /* the sender of a client event must never get it back (pusher-protocol.md 10.2) */
      if (v->self_echo++ == 0)
        load_verdict_report (v, "publisher received its own client event: %.*s",
                             (int) MIN (len, 300), msg);
      return;
    }
  if (c->state != LOAD_CONN_READY || !load_delivery_expects (&run->delivery, c->index, seq))
    {
      v->unexpected++;
      load_verdict_report (v, "event outside the run (seq %" G_GUINT64_FORMAT "): %.*s",
                           seq, (int) MIN (len, 300), msg);
      return;
    }
  if (!load_delivery_record (&run->delivery, v, c->index, seq, now))
    return;
  run->stats.t_progress = now;
  if (seq >= (guint64) run->opt->warmup)
    load_histogram_add (&run->stats.latency, now - (gint64) t);
}

/* The table's message function: USER_DATA is the LoadRun. */
void
load_protocol_message (LoadConnTable *table,
                       LoadConn      *c,
                       const char    *msg,
                       size_t         len,
                       gint64         now,
                       gpointer       user_data)
{
  LoadRun    *run = user_data;
  const char *event;
  size_t      event_len;

  if (run->opt->verbose)
    fprintf (stderr, "%u < %.*s\n", c->index, (int) len, msg);
  if (!load_json_string (msg, msg + len, "event", &event, &event_len))
    {
      run->verdict.protocol_errors++;
      load_verdict_report (&run->verdict, "message without event: %.*s", (int) MIN (len, 300), msg);
      return;
    }
  if (load_json_is (event, event_len, run->opt->event))
    on_bench_event (run, c, msg, len, now);
  else if (load_json_is (event, event_len, "pusher:connection_established"))
    on_welcome (run, c, msg, len);
  else if (load_json_is (event, event_len, "pusher_internal:subscription_succeeded"))
    on_subscribed (run, c, msg, len);
  else if (load_json_is (event, event_len, "pusher:ping"))
    load_conn_send_text (table, c, PUSHER_PONG, sizeof PUSHER_PONG - 1);
  else if (load_json_is (event, event_len, "pusher:pong"))
    ;
  else if (load_json_is (event, event_len, "pusher:error") ||
           load_json_is (event, event_len, "pusher:subscription_error"))
    {
      run->verdict.server_errors++;
      load_verdict_report (&run->verdict, "connection %u: %.*s", c->index, (int) MIN (len, 300), msg);
    }
  else
    {
      run->verdict.unexpected++;
      load_verdict_report (&run->verdict, "unexpected message: %.*s", (int) MIN (len, 300), msg);
    }
}

/* soketi closes sockets silent for 120 s, Crier pings them: behave like pusher-js
 * and ping a connection that heard nothing for a minute.  Checked every 5 s, which
 * is also how often the table's coarse clock for t_rx advances. */
void
load_protocol_keepalive (LoadRun *run,
                         gint64   now)
{
  LoadConnTable *table = &run->table;

  if (now - table->t_keepalive < 5 * LOAD_NS_PER_S)
    return;
  table->t_keepalive = now;
  for (unsigned i = 0; i < table->n_ws; i++)
    {
      LoadConn *c = &table->conns[i];

      if (c->state == LOAD_CONN_READY && now - c->t_rx > KEEPALIVE_IDLE)
        {
          c->t_rx = now;
          load_conn_send_text (table, c, PUSHER_PING, sizeof PUSHER_PING - 1);
        }
    }
}
