/* load-fanout.c — the fanout scenario: one publisher's client events to S subscribers
 * SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "crier-load"

#include "load-run.h"
#include "load-scenarios.h"
#include "load-time.h"

typedef struct
{
  LoadConn *publisher;
  guint64   n_sent;
} Fanout;

/* Message i leaves once message i - --window reached every subscriber. */
static gboolean
fanout_step (LoadRun *run,
             gpointer data)
{
  Fanout            *fanout = data;
  const LoadOptions *opt = run->opt;
  LoadDelivery      *d = &run->delivery;
  LoadConn          *pub = fanout->publisher;

  while (fanout->n_sent < d->total && fanout->n_sent < d->complete + (guint64) opt->window &&
         pub->state == LOAD_CONN_READY)
    {
      char   msg[256];
      gint64 t = load_now_ns ();
      int    len;

      if (fanout->n_sent == (guint64) opt->warmup)
        load_run_start_measure (run, t);
      len = g_snprintf (msg, sizeof msg,
                        "{\"event\":\"%s\",\"channel\":\"%s\",\"data\":{\"seq\":%" G_GUINT64_FORMAT
                        ",\"t\":%" G_GINT64_FORMAT "}}",
                        opt->event, opt->channel, fanout->n_sent, t);
      fanout->n_sent++;
      load_conn_send_text (&run->table, pub, msg, len);
    }
  return d->complete == d->total;
}

int
load_fanout_run (const LoadOptions *opt)
{
  LoadRun  run, *self = &run;
  Fanout   fanout = { 0 };
  unsigned subs = (unsigned) opt->subscribers;
  guint64  total = (guint64) opt->warmup + (guint64) opt->messages;
  gint64   t0;

  /* conns[0] publishes, conns[1 .. subs] receive */
  load_run_init (self, opt, subs + 1, 0);
  fanout.publisher = &self->table.conns[0];
  fanout.publisher->role = LOAD_ROLE_PUBLISHER;
  load_delivery_init (&self->delivery, total, 1, subs, TRUE);
  g_print ("scenario=fanout\nsubscribers=%u\nmessages=%d\nwarmup=%d\nwindow=%d\n",
           subs, opt->messages, opt->warmup, opt->window);

  t0 = load_now_ns ();
  if (!load_run_loop (self, load_run_setup_step, NULL, "connection setup"))
    return load_run_finish (self);
  g_print ("setup_seconds=%.3f\n", (double) (load_now_ns () - t0) / LOAD_NS_PER_S);

  if (load_run_loop (self, fanout_step, &fanout, "publishing"))
    {
      LoadStats *stats = &self->stats;
      guint64    deliveries = (guint64) opt->messages * subs;
      double     secs = (double) (self->delivery.t_complete - stats->t_measure) / LOAD_NS_PER_S;

      load_run_print_usage_since (self, stats->measure_mark,
                                  stats->t_measure, self->delivery.t_complete);
      load_run_settle (self);
      g_print ("deliveries=%" G_GUINT64_FORMAT "\n", deliveries);
      g_print ("elapsed_s=%.3f\n", secs);
      g_print ("msgs_per_s=%.0f\n", deliveries / secs);
      g_print ("latency_p50_us=%.1f\n", load_histogram_percentile (&stats->latency, 0.50) / 1e3);
      g_print ("latency_p99_us=%.1f\n", load_histogram_percentile (&stats->latency, 0.99) / 1e3);
      g_print ("latency_max_us=%.1f\n", (double) stats->latency.max / 1e3);
    }
  else
    g_print ("sent=%" G_GUINT64_FORMAT "\ncomplete=%" G_GUINT64_FORMAT "\n",
             fanout.n_sent, self->delivery.complete);
  g_print ("lost=%" G_GUINT64_FORMAT "\n", load_delivery_lost (&self->delivery));
  if (!self->verdict.failed && load_delivery_lost (&self->delivery) > 0)
    load_verdict_fail (&self->verdict, "messages lost");
  return load_run_finish (self);
}
