/* crier-cli.h — the terminal front end: `crier --server` and `crier send`
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean crier_cli_handles (int    argc,
                            char **argv);
int      crier_cli_run (int    argc,
                        char **argv);

G_END_DECLS
