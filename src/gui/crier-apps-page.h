/* crier-apps-page.h — app credentials, the Laravel .env block, add/edit/remove apps
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "crier-application.h"

G_BEGIN_DECLS

#define CRIER_TYPE_APPS_PAGE (crier_apps_page_get_type ())
G_DECLARE_FINAL_TYPE (CrierAppsPage, crier_apps_page, CRIER, APPS_PAGE, GtkWidget)

void  crier_apps_page_set_server (CrierAppsPage *self,
                                  CrierBackend  *server);
void  crier_apps_page_set_application (CrierAppsPage    *self,
                                       CrierApplication *application);
char *crier_apps_page_dup_env (CrierAppsPage *self);

G_END_DECLS
