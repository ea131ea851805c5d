/* crier-tail.h — `crier tail`: follow a Crier's monitor stream in the terminal
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int crier_tail_run (int    argc,
                    char **argv);

G_END_DECLS
