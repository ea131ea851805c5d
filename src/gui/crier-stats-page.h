/* crier-stats-page.h — live graph and totals
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "crier-stats-sampler.h"

G_BEGIN_DECLS

#define CRIER_TYPE_STATS_PAGE (crier_stats_page_get_type ())
G_DECLARE_FINAL_TYPE (CrierStatsPage, crier_stats_page, CRIER, STATS_PAGE, GtkWidget)

void crier_stats_page_set_sampler (CrierStatsPage    *self,
                                   CrierStatsSampler *sampler);
void crier_stats_page_set_cluster_info (CrierStatsPage         *self,
                                        const CrierClusterInfo *info);

G_END_DECLS
