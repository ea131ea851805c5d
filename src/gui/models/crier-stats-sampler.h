/* crier-stats-sampler.h — a server's counters sampled once a second, for the graph
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "crier-backend.h"

G_BEGIN_DECLS

#define CRIER_STATS_SAMPLER_HISTORY 300 /* samples: five minutes at one a second */

typedef struct
{
  gint64   time; /* monotonic, µs */
  unsigned connections;
  double   messages_per_second; /* in + out */
  double   events_per_second;   /* published + client events */
} CrierStatsSample;

#define CRIER_TYPE_STATS_SAMPLER (crier_stats_sampler_get_type ())
G_DECLARE_FINAL_TYPE (CrierStatsSampler, crier_stats_sampler, CRIER, STATS_SAMPLER, GObject)

CrierStatsSampler      *crier_stats_sampler_new (CrierBackend *server);
void                    crier_stats_sampler_set_server (CrierStatsSampler *self,
                                                        CrierBackend      *server);
void                    crier_stats_sampler_sample (CrierStatsSampler *self);
guint                   crier_stats_sampler_get_n_samples (CrierStatsSampler *self);
const CrierStatsSample *crier_stats_sampler_get_sample (CrierStatsSampler *self,
                                                        guint              index);
const CrierServerStats *crier_stats_sampler_get_stats (CrierStatsSampler *self);
double                  crier_stats_sampler_get_peak_rate (CrierStatsSampler *self);

G_END_DECLS
