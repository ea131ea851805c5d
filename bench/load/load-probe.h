/* load-probe.h — CPU and memory of the server, of crier-load and of the machine
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* CPU seconds at one instant; differences over the measured phase tell who set the
 * pace.  A field is negative when it could not be read. */
typedef struct
{
  double server_cpu;
  double load_cpu;
  double machine_busy;
} LoadCpuMark;

long        load_probe_rss_kb (int pid);
double      load_probe_cpu_s (int pid);
double      load_probe_self_cpu_s (void);
double      load_probe_machine_busy_s (void);
LoadCpuMark load_probe_cpu_mark (int server_pid);
double      load_probe_cpu_sum_s (const int *pids,
                                  unsigned   n_pids);

G_END_DECLS
