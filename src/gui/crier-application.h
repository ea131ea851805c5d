/* crier-application.h — the dashboard: one window, one embedded server, the settings
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "crier-server-host.h"

G_BEGIN_DECLS

#define CRIER_TYPE_APPLICATION (crier_application_get_type ())
G_DECLARE_FINAL_TYPE (CrierApplication, crier_application, CRIER, APPLICATION, AdwApplication)

CrierApplication *crier_application_new (void);
GSettings        *crier_application_get_settings (CrierApplication *self);
CrierServerHost  *crier_application_get_server (CrierApplication *self);
const char       *crier_application_get_server_error (CrierApplication *self);
const char       *crier_application_get_config_path (CrierApplication *self);
const char       *crier_application_get_port_origin (CrierApplication *self);
gboolean          crier_application_start_server (CrierApplication *self);
gboolean          crier_application_restart_server (CrierApplication *self);
void              crier_application_stop_server (CrierApplication *self);
gboolean          crier_application_save_apps (CrierApplication *self,
                                               GPtrArray        *apps,
                                               GError          **error);

G_END_DECLS
