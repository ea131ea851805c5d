/* load-verdict.h — what went wrong during a run, and the result it comes to
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LOAD_EXIT_FAIL        1
#define LOAD_EXIT_USAGE       2
#define LOAD_EXIT_UNAVAILABLE 3 /* the HTTP API answered 404 */

/* Counters of trouble (any of them fails the run) and the first fatal failure. */
typedef struct
{
  guint64  duplicates;
  guint64  out_of_order;
  guint64  self_echo;
  guint64  server_errors;
  guint64  protocol_errors;
  guint64  unexpected;
  unsigned n_reported;
  gboolean failed;
  gboolean unavailable;
  char    *failure;
} LoadVerdict;

void load_verdict_fail (LoadVerdict *v,
                        const char  *format,
                        ...) G_GNUC_PRINTF (2, 3);
void load_verdict_report (LoadVerdict *v,
                          const char  *format,
                          ...) G_GNUC_PRINTF (2, 3);
int  load_verdict_finish (LoadVerdict *v);
void load_verdict_clear (LoadVerdict *v);

G_END_DECLS
