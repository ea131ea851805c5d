/* load-scenarios.h — crier-load's commands, one file each
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "load-options.h"

G_BEGIN_DECLS

/* Each prints key=value lines on stdout and returns the exit status. */
int load_idle_run (const LoadOptions *opt);
int load_fanout_run (const LoadOptions *opt);
int load_api_run (const LoadOptions *opt);
int load_selftest_run (void);
int load_free_port_run (gboolean udp);

G_END_DECLS
