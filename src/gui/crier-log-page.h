/* crier-log-page.h — the event log: filters, live list, details
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "crier-backend.h"
#include "crier-event-log.h"

G_BEGIN_DECLS

#define CRIER_TYPE_LOG_PAGE (crier_log_page_get_type ())
G_DECLARE_FINAL_TYPE (CrierLogPage, crier_log_page, CRIER, LOG_PAGE, GtkWidget)

void            crier_log_page_set_log (CrierLogPage  *self,
                                        CrierEventLog *log);
void            crier_log_page_set_server (CrierLogPage *self,
                                           CrierBackend *server);
void            crier_log_page_focus_search (CrierLogPage *self);
void            crier_log_page_set_filter (CrierLogPage *self,
                                           const char   *app_id,
                                           const char   *channel);
CrierEventItem *crier_log_page_get_selected (CrierLogPage *self);

G_END_DECLS
