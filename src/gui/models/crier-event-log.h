/* crier-event-log.h — the bounded list of everything the monitor reported
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "crier-event-item.h"
#include "crier-monitor.h"

G_BEGIN_DECLS

#define CRIER_EVENT_LOG_DEFAULT_CAPACITY 100000
#define CRIER_EVENT_LOG_FLUSH_MS         50

#define CRIER_TYPE_EVENT_LOG (crier_event_log_get_type ())
G_DECLARE_FINAL_TYPE (CrierEventLog, crier_event_log, CRIER, EVENT_LOG, GObject)

CrierEventLog *crier_event_log_new (unsigned capacity);
void           crier_event_log_set_monitor (CrierEventLog *self,
                                            CrierMonitor  *monitor);
unsigned       crier_event_log_get_capacity (CrierEventLog *self);
void           crier_event_log_set_capacity (CrierEventLog *self,
                                             unsigned       capacity);
guint64        crier_event_log_get_total (CrierEventLog *self);
guint64        crier_event_log_get_dropped (CrierEventLog *self);
void           crier_event_log_count_dropped (CrierEventLog *self,
                                              guint64        n);
unsigned       crier_event_log_get_unseen_failures (CrierEventLog *self);
void           crier_event_log_mark_seen (CrierEventLog *self);
void           crier_event_log_push (CrierEventLog     *self,
                                     CrierMonitorEvent *event);
void           crier_event_log_flush (CrierEventLog *self);
void           crier_event_log_clear (CrierEventLog *self);
gboolean       crier_event_log_import (CrierEventLog *self,
                                       const char    *text,
                                       guint         *n_imported,
                                       GError       **error);
char          *crier_event_log_to_json_lines (CrierEventLog *self,
                                              GListModel    *items);

G_END_DECLS
