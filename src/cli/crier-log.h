/* crier-log.h — log output of the headless mode: plain text or JSON lines
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void crier_log_use_json (void);

G_END_DECLS
