/* crier-preferences-window.h — server address, TLS, log size, start-up, style
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "crier-application.h"

G_BEGIN_DECLS

#define CRIER_TYPE_PREFERENCES_WINDOW (crier_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (CrierPreferencesWindow, crier_preferences_window, CRIER, PREFERENCES_WINDOW, AdwPreferencesWindow)

CrierPreferencesWindow *crier_preferences_window_new (CrierApplication *application);

G_END_DECLS
