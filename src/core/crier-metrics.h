/* crier-metrics.h — the server's counters in Prometheus text format
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include "crier-server.h"

G_BEGIN_DECLS

char *crier_metrics_render (CrierServer *server);

G_END_DECLS
