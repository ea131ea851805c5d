/* load-verdict.c — what went wrong during a run, and the result it comes to
 * SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "crier-load"

#include "load-verdict.h"

#include <stdio.h>

#include "load-probe.h"

#define MAX_REPORTED 10

/* Fails the run; the first reason is the one reported. */
void
load_verdict_fail (LoadVerdict *v,
                   const char  *format,
                   ...)
{
  va_list args;

  v->failed = TRUE;
  if (v->failure != NULL)
    return;
  va_start (args, format);
  v->failure = g_strdup_vprintf (format, args);
  va_end (args);
}

/* Counted by the caller; only the first few are worth a line on stderr. */
void
load_verdict_report (LoadVerdict *v,
                     const char  *format,
                     ...)
{
  va_list          args;
  g_autofree char *text = NULL;

  if (v->n_reported++ >= MAX_REPORTED)
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "crier-load: %s\n", text);
}

/* Prints the counters and the result; returns crier-load's exit status. */
int
load_verdict_finish (LoadVerdict *v)
{
  guint64 problems = v->duplicates + v->out_of_order + v->self_echo +
                     v->server_errors + v->protocol_errors + v->unexpected;

  g_print ("duplicates=%" G_GUINT64_FORMAT "\n", v->duplicates);
  g_print ("out_of_order=%" G_GUINT64_FORMAT "\n", v->out_of_order);
  g_print ("self_echo=%" G_GUINT64_FORMAT "\n", v->self_echo);
  g_print ("server_errors=%" G_GUINT64_FORMAT "\n", v->server_errors);
  g_print ("protocol_errors=%" G_GUINT64_FORMAT "\n", v->protocol_errors);
  g_print ("unexpected=%" G_GUINT64_FORMAT "\n", v->unexpected);
  g_print ("load_cpu_s=%.2f\n", load_probe_self_cpu_s ());
  if (v->unavailable)
    {
      g_print ("available=0\nresult=unavailable\n");
      return LOAD_EXIT_UNAVAILABLE;
    }
  if (!v->failed && problems > 0)
    load_verdict_fail (v, "%" G_GUINT64_FORMAT " protocol or delivery problems", problems);
  if (v->failed)
    {
      g_print ("result=FAIL\nreason=%s\n", v->failure);
      fprintf (stderr, "crier-load: FAIL: %s\n", v->failure);
      return LOAD_EXIT_FAIL;
    }
  g_print ("result=ok\n");
  return 0;
}

void
load_verdict_clear (LoadVerdict *v)
{
  g_clear_pointer (&v->failure, g_free);
}
