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

CrierWindow         *crier_window_new (CrierApplication *application);
CrierServerHost     *crier_window_get_server (CrierWindow *self);
void                 crier_window_set_server (CrierWindow     *self,
                                              CrierServerHost *server);
CrierEventLog       *crier_window_get_event_log (CrierWindow *self);
CrierConnectionList *crier_window_get_connections (CrierWindow *self);
CrierChannelList    *crier_window_get_channels (CrierWindow *self);
CrierStatsSampler   *crier_window_get_sampler (CrierWindow *self);
GtkWidget           *crier_window_get_page (CrierWindow *self,
                                            const char  *name);
void                 crier_window_show_page (CrierWindow *self,
                                             const char  *name);
void                 crier_window_toast (CrierWindow *self,
                                         const char  *message);
void                 crier_window_flush (CrierWindow *self);

G_END_DECLS
