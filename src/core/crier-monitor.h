/* crier-monitor.h — the stream of everything that happens in the server
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "crier-monitor-event.h"

G_BEGIN_DECLS

#define CRIER_TYPE_MONITOR (crier_monitor_get_type ())
G_DECLARE_FINAL_TYPE (CrierMonitor, crier_monitor, CRIER, MONITOR, GObject)

CrierMonitor *crier_monitor_new (void);
gboolean      crier_monitor_is_active (CrierMonitor *self);
void          crier_monitor_emit (CrierMonitor      *self,
                                  CrierMonitorEvent *event);

G_END_DECLS
