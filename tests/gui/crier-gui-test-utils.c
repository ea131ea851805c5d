/* crier-gui-test-utils.c — a window on a test server, shown and then torn down to the last ref
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-gui-test-utils.h"

/* A window following server's monitor, presented and drawn once. */
CrierWindow *
crier_gui_test_open_window (CrierTestServer *server)
{
  CrierWindow *win = crier_window_new (NULL);

  crier_window_set_server (win, server->server);
  gtk_window_present (GTK_WINDOW (win));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  return win;
}

/* Destroys win and checks that nothing still holds it (a leaked ref is a test failure). */
void
crier_gui_test_close_window (CrierWindow *win)
{
  g_object_ref (win);
  gtk_window_destroy (GTK_WINDOW (win));
  crier_test_drain ();
  g_assert_finalize_object (win);
}
