/* crier-connect-dialog.h — "Connect to Server…": the address and credentials of a server to
 * watch, typed, picked from the recent ones or read from a pasted Laravel .env
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CRIER_TYPE_CONNECT_DIALOG (crier_connect_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CrierConnectDialog, crier_connect_dialog, CRIER, CONNECT_DIALOG, AdwWindow)

CrierConnectDialog *crier_connect_dialog_new (GtkWindow *parent,
                                              GSettings *settings);

G_END_DECLS
