/* load-idle.c — the idle scenario: N subscribed connections, setup rate, server memory
 * SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "crier-load"

#include "load-run.h"
#include "load-scenarios.h"
#include "load-time.h"

int
load_idle_run (const LoadOptions *opt)
{
  LoadRun     run, *self = &run;
  unsigned    n = (unsigned) opt->connections;
  unsigned    last = MIN ((unsigned) opt->last, n);
  long        rss_before, rss_after;
  LoadCpuMark before;
  gint64      t0, t_end = 0;
  double      secs;

  load_run_init (self, opt, n, 0);
  rss_before = load_probe_rss_kb (opt->server_pid);
  before = load_probe_cpu_mark (opt->server_pid);
  t0 = load_now_ns ();
  g_print ("scenario=idle\nconnections=%u\nconcurrency=%d\n", n, opt->concurrency);
  if (load_run_loop (self, load_run_setup_step, NULL, "connection setup"))
    {
      LoadConn *conns = self->table.conns;

      for (unsigned i = 0; i < n; i++)
        t_end = MAX (t_end, conns[i].t_ready);
      secs = (double) (t_end - t0) / LOAD_NS_PER_S;
      load_run_print_usage_since (self, before, t0, t_end);
      g_print ("setup_seconds=%.3f\n", secs);
      g_print ("setup_rate=%.1f\n", n / secs);
      g_print ("last_n=%u\n", last);
      g_print ("last_rate=%.1f\n",
               last / ((double) (t_end - conns[n - last].t_start) / LOAD_NS_PER_S));
      g_print ("connect_p50_ms=%.2f\n",
               load_histogram_percentile (&self->stats.setup_latency, 0.50) / 1e6);
      g_print ("connect_p99_ms=%.2f\n",
               load_histogram_percentile (&self->stats.setup_latency, 0.99) / 1e6);
      load_run_settle (self);
      if (self->table.n_ready != n && !self->verdict.failed)
        load_verdict_fail (&self->verdict, "%u of %u connections left", self->table.n_ready, n);
      rss_after = load_probe_rss_kb (opt->server_pid);
      g_print ("rss_before_kb=%ld\nrss_after_kb=%ld\n", rss_before, rss_after);
      if (rss_before > 0 && rss_after > 0)
        g_print ("mem_per_conn_bytes=%.0f\n", (double) (rss_after - rss_before) * 1024.0 / n);
    }
  else
    g_print ("ready=%u\n", self->table.n_ready);
  return load_run_finish (self);
}
