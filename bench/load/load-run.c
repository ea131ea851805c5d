/* load-run.c — one scenario run: its parts, the loop that drives it, its figures
 * SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "crier-load"

#include "load-run.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "load-protocol.h"
#include "load-time.h"

static void
run_poll (LoadRun *run,
          int      timeout_ms)
{
  load_conn_table_poll (&run->table, timeout_ms);
  load_protocol_keepalive (run, load_now_ns ());
}

/* Runs STEP after each poll until it returns TRUE, the run fails, nothing has
 * progressed for --stall seconds or the scenario's --timeout is reached. */
gboolean
load_run_loop (LoadRun     *run,
               LoadStepFunc step,
               gpointer     data,
               const char  *what)
{
  run->stats.t_progress = load_now_ns ();
  while (!run->verdict.failed)
    {
      gint64 now;

      if (step (run, data))
        return TRUE;
      now = load_now_ns ();
      if (now > run->deadline)
        load_verdict_fail (&run->verdict, "timeout during %s", what);
      else if (now - run->stats.t_progress > run->opt->stall * LOAD_NS_PER_S)
        load_verdict_fail (&run->verdict, "no progress for %d s during %s", run->opt->stall, what);
      else
        run_poll (run, run->opt->rate > 0 ? 1 : 10); /* --rate: a request is due every few ms */
    }
  return FALSE;
}

/* Opens every WebSocket connection, --concurrency handshakes at a time, each in
 * the role set before (subscriber unless the scenario said otherwise). */
gboolean
load_run_setup_step (LoadRun *run,
                     gpointer data)
{
  LoadConnTable *table = &run->table;
  unsigned       in_progress = table->n_started - table->n_ready;

  while (table->n_started < table->n_ws && in_progress < (unsigned) run->opt->concurrency &&
         !run->verdict.failed)
    {
      LoadConn *c = &table->conns[table->n_started];

      load_conn_open (table, c, c->role);
      table->n_started++;
      in_progress++;
    }
  return table->n_ready == table->n_ws;
}

/* Waits SECONDS, reading and answering what comes meanwhile. */
void
load_run_wait (LoadRun *run,
               double   seconds)
{
  gint64 until = load_now_ns () + (gint64) (seconds * LOAD_NS_PER_S);

  while (!run->verdict.failed && load_now_ns () < until)
    run_poll (run, 10);
}

/* Waits --settle seconds for stray messages or memory to settle. */
void
load_run_settle (LoadRun *run)
{
  load_run_wait (run, run->opt->settle);
}

/* Figures cover messages after the warm-up: time and CPU both start here. */
void
load_run_start_measure (LoadRun *run,
                        gint64   t)
{
  run->stats.t_measure = t;
  run->stats.measure_mark = load_probe_cpu_mark (run->opt->server_pid);
  run->stats.others_mark = load_probe_cpu_sum_s (run->opt->other_pids, run->opt->n_other_pids);
}

/* CPU shares of the measured phase: a server near 1.0 was the bottleneck; a
 * load generator near 1.0 means the server's figure is a lower bound.  Returns the CPU
 * seconds of the server side (--server-pid and --other-pids), -1 if unknown: on a busy
 * machine work per CPU second says more than work per second. */
double
load_run_print_usage_since (LoadRun    *run,
                            LoadCpuMark before,
                            gint64      t_start,
                            gint64      t_end)
{
  LoadCpuMark after = load_probe_cpu_mark (run->opt->server_pid);
  double      others = load_probe_cpu_sum_s (run->opt->other_pids, run->opt->n_other_pids);
  double      others_cpu = others >= 0 && run->stats.others_mark >= 0 ? others - run->stats.others_mark : -1;
  double      secs = (double) (t_end - t_start) / LOAD_NS_PER_S;
  double      server_side = -1;

  if (secs > 0 && before.server_cpu >= 0 && after.server_cpu >= 0)
    g_print ("server_cpu_util=%.2f\n", (after.server_cpu - before.server_cpu) / secs);
  if (secs > 0)
    g_print ("load_cpu_util=%.2f\n", (after.load_cpu - before.load_cpu) / secs);
  /* anything else running (a build, a test suite) makes every figure unreliable;
   * interrupt and softirq work for our own sockets is in there too */
  if (secs > 0 && before.server_cpu >= 0 && after.server_cpu >= 0 && before.machine_busy >= 0)
    {
      double ours = (after.server_cpu - before.server_cpu) + (after.load_cpu - before.load_cpu) +
                    MAX (others_cpu, 0);

      g_print ("other_cpu_util=%.2f\n", ((after.machine_busy - before.machine_busy) - ours) / secs);
    }
  if (run->opt->n_other_pids > 0 && others_cpu >= 0 && secs > 0)
    g_print ("others_cpu_util=%.2f\n", others_cpu / secs);
  if (before.server_cpu >= 0 && after.server_cpu >= 0 && (run->opt->n_other_pids == 0 || others_cpu >= 0))
    {
      server_side = after.server_cpu - before.server_cpu + MAX (others_cpu, 0);
      g_print ("server_side_cpu_s=%.3f\n", server_side);
    }
  g_print ("server_rss_kb=%ld\n", load_probe_rss_kb (run->opt->server_pid));
  return server_side;
}

void
load_run_init (LoadRun           *run,
               const LoadOptions *opt,
               unsigned           n_ws,
               unsigned           n_http)
{
  struct rlimit rl;

  signal (SIGPIPE, SIG_IGN);
  /* 19000 sockets need the hard limit */
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }

  memset (run, 0, sizeof *run);
  run->opt = opt;
  if (!load_conn_table_init (&run->table, &run->verdict, opt->host, opt->port, opt->key,
                             (unsigned) opt->sources, opt->verbose, n_ws, n_http))
    {
      fprintf (stderr, "crier-load: --host must be an IPv4 address, got %s\n", opt->host);
      exit (LOAD_EXIT_USAGE);
    }
  if (opt->n_sub_ports > 0)
    load_conn_table_set_sub_ports (&run->table, opt->host, opt->key, opt->sub_ports, opt->n_sub_ports);
  run->stats.others_mark = -1; /* until load_run_start_measure () */
  run->table.message_func = load_protocol_message;
  run->table.message_data = run;
  run->deadline = run->table.t_keepalive + (gint64) opt->timeout * LOAD_NS_PER_S;
}

/* Prints the verdict and returns the exit status; the run is over and every
 * connection closed. */
int
load_run_finish (LoadRun *run)
{
  int status;

  run->table.closing = TRUE;
  status = load_verdict_finish (&run->verdict);
  load_conn_table_clear (&run->table);
  load_delivery_clear (&run->delivery);
  load_verdict_clear (&run->verdict);
  return status;
}
