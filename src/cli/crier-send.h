/* crier-send.h — `crier send`: fire a test event or a Laravel notification
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int crier_send_run (int    argc,
                    char **argv);

G_END_DECLS
