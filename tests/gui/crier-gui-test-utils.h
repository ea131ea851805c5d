/* crier-gui-test-utils.h — a window on a test server, shown and then torn down to the last ref
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "crier-test-utils.h"
#include "crier-window.h"

G_BEGIN_DECLS

CrierWindow *crier_gui_test_open_window (CrierTestServer *server);
void         crier_gui_test_close_window (CrierWindow *win);
GObject     *crier_gui_test_child (gpointer    widget,
                                   GType       type,
                                   const char *name);
void         crier_gui_test_set_text (gpointer    widget,
                                      GType       type,
                                      const char *name,
                                      const char *text);
char        *crier_gui_test_dup_text (gpointer    widget,
                                      GType       type,
                                      const char *name);

GtkWidget  *crier_gui_test_page (CrierWindow *win,
                                 const char  *name);
void        crier_gui_test_show_page (CrierWindow *win,
                                      const char  *name);
gpointer    crier_gui_test_model (CrierWindow *win,
                                  const char  *property);
void        crier_gui_test_flush (CrierWindow *win);
GListModel *crier_gui_test_shown (gpointer page, GType type);
void        crier_gui_test_select (gpointer page, GType type, guint position);

const char *crier_gui_test_widget_text (GtkWidget *widget);
gboolean    crier_gui_test_shows_text (gpointer    root,
                                       const char *text);

G_END_DECLS
