/* crier-metrics.h — the server's counters in Prometheus text format
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "crier-server.h"

G_BEGIN_DECLS

char *crier_metrics_render (CrierServer *server);

G_END_DECLS
