/* load-probe.c — CPU and memory of the server, of crier-load and of the machine
 * SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "crier-load"

#include "load-probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* VmRSS of a process in KiB, -1 if unknown */
long
load_probe_rss_kb (int pid)
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
double
load_probe_cpu_s (int pid)
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

double
load_probe_self_cpu_s (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (double) ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
         (double) ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* Seconds of CPU the whole machine spent outside idle and iowait. */
double
load_probe_machine_busy_s (void)
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

LoadCpuMark
load_probe_cpu_mark (int server_pid)
{
  return (LoadCpuMark){ load_probe_cpu_s (server_pid), load_probe_self_cpu_s (),
                        load_probe_machine_busy_s () };
}

/* utime + stime of several processes in seconds, -1 if one could not be read */
double
load_probe_cpu_sum_s (const int *pids,
                      unsigned   n_pids)
{
  double sum = 0;

  for (unsigned i = 0; i < n_pids; i++)
    {
      double s = load_probe_cpu_s (pids[i]);

      if (s < 0)
        return -1;
      sum += s;
    }
  return sum;
}
