/* crier-app-dialog.h — add or edit one app's credentials
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "crier-config.h"

G_BEGIN_DECLS

#define CRIER_TYPE_APP_DIALOG (crier_app_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CrierAppDialog, crier_app_dialog, CRIER, APP_DIALOG, AdwMessageDialog)

CrierAppDialog *crier_app_dialog_new (GtkWindow            *parent,
                                      const CrierAppConfig *app);
CrierAppConfig *crier_app_dialog_dup_app (CrierAppDialog *self);
const char     *crier_app_dialog_get_original_id (CrierAppDialog *self);

G_END_DECLS
