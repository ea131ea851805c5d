/* load-time.h — the monotonic clock crier-load stamps messages and measures with
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <time.h>

G_BEGIN_DECLS

#define LOAD_NS_PER_S G_GINT64_CONSTANT (1000000000)

/* CLOCK_MONOTONIC, as in the stamp "t" of every published message: the server
 * relays the stamp, so sender and receiver must read the same clock. */
static inline gint64
load_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * LOAD_NS_PER_S + ts.tv_nsec;
}

G_END_DECLS
