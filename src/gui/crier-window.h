/* crier-window.h — the dashboard window: server status, live views, send forms
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "crier-application.h"
#include "crier-channel-list.h"
#include "crier-connection-list.h"
#include "crier-event-log.h"
#include "crier-stats-sampler.h"

G_BEGIN_DECLS

#define CRIER_TYPE_WINDOW (crier_window_get_type ())
G_DECLARE_FINAL_TYPE (CrierWindow, crier_window, CRIER, WINDOW, AdwApplicationWindow)

CrierWindow  *crier_window_new (CrierApplication *application);
CrierBackend *crier_window_get_server (CrierWindow *self);
void          crier_window_set_server (CrierWindow  *self,
                                       CrierBackend *server);

G_END_DECLS
