/* load-run.h — one scenario run: its parts, the loop that drives it, its figures
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "load-connection.h"
#include "load-delivery.h"
#include "load-histogram.h"
#include "load-options.h"
#include "load-probe.h"
#include "load-verdict.h"

G_BEGIN_DECLS

typedef struct
{
  LoadHistogram setup_latency; /* connect to subscription_succeeded */
  LoadHistogram latency;       /* the stamp in a message to its delivery */
  LoadHistogram req_latency;   /* HTTP API request to response */
  gint64        t_measure;     /* figures cover what happens after the warm-up */
  LoadCpuMark   measure_mark;
  double        others_mark; /* CPU seconds of --other-pids at t_measure */
  gint64        t_progress;  /* last subscription, delivery or response */
} LoadStats;

typedef struct
{
  const LoadOptions *opt;
  LoadConnTable      table;
  LoadDelivery       delivery;
  LoadStats          stats;
  LoadVerdict        verdict;
  gint64             deadline;
} LoadRun;

/* Called after each poll; TRUE when the phase is done. */
typedef gboolean (*LoadStepFunc) (LoadRun *run,
                                  gpointer data);

void     load_run_init (LoadRun           *run,
                        const LoadOptions *opt,
                        unsigned           n_ws,
                        unsigned           n_http);
gboolean load_run_loop (LoadRun     *run,
                        LoadStepFunc step,
                        gpointer     data,
                        const char  *what);
gboolean load_run_setup_step (LoadRun *run,
                              gpointer data);
void     load_run_wait (LoadRun *run,
                        double   seconds);
void     load_run_settle (LoadRun *run);
void     load_run_start_measure (LoadRun *run,
                                 gint64   t);
double   load_run_print_usage_since (LoadRun    *run,
                                     LoadCpuMark before,
                                     gint64      t_start,
                                     gint64      t_end);
int      load_run_finish (LoadRun *run);

G_END_DECLS
