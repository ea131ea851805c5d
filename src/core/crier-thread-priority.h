/* crier-thread-priority.h — the window's thread yields the CPU to the server's
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How much lower than the process's own the front end's thread runs (a nice increment). */
#define CRIER_THREAD_PRIORITY_FRONT_END_NICE 10

/* Like g_thread_new (), but the thread starts at the priority the process had before any
 * crier_thread_priority_lower_current () (it is started by a launcher thread made first). */
GThread *crier_thread_priority_new_thread (const char *name,
                                           GThreadFunc func,
                                           gpointer    data);

/* Lowers the calling thread's CPU priority by increment (Linux: nice is per thread).
 * Threads it starts later inherit the lower priority; those started with
 * crier_thread_priority_new_thread () do not. Returns FALSE where the system refuses. */
gboolean crier_thread_priority_lower_current (int increment);

G_END_DECLS
