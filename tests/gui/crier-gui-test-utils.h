/* crier-gui-test-utils.h — a window on a test server, shown and then torn down to the last ref
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "crier-test-utils.h"
#include "crier-window.h"

G_BEGIN_DECLS

CrierWindow *crier_gui_test_open_window (CrierTestServer *server);
void         crier_gui_test_close_window (CrierWindow *win);

G_END_DECLS
