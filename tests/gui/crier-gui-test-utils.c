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

/* The template child name of widget (a type's template), as a user finds it on screen. */
GObject *
crier_gui_test_child (gpointer    widget,
                      GType       type,
                      const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return child;
}

/* Types text into an entry or a text view of widget's template. */
void
crier_gui_test_set_text (gpointer    widget,
                         GType       type,
                         const char *name,
                         const char *text)
{
  GObject *child = crier_gui_test_child (widget, type, name);

  if (GTK_IS_TEXT_VIEW (child))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (child)), text, -1);
  else
    gtk_editable_set_text (GTK_EDITABLE (child), text);
}

/* What a label, an entry or a text view of widget's template shows. */
char *
crier_gui_test_dup_text (gpointer    widget,
                         GType       type,
                         const char *name)
{
  GObject    *child = crier_gui_test_child (widget, type, name);
  GtkTextIter start, end;

  if (GTK_IS_LABEL (child))
    return g_strdup (gtk_label_get_label (GTK_LABEL (child)));
  if (GTK_IS_EDITABLE (child))
    return g_strdup (gtk_editable_get_text (GTK_EDITABLE (child)));
  g_assert_true (GTK_IS_TEXT_VIEW (child));
  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (GTK_TEXT_VIEW (child)), &start, &end);
  return gtk_text_buffer_get_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (child)), &start, &end, FALSE);
}

/* A page of the window's view stack by its name ("log", "send"…). */
GtkWidget *
crier_gui_test_page (CrierWindow *win,
                     const char  *name)
{
  GtkWidget *page = crier_window_get_page (win, name);

  g_assert_nonnull (page);
  return page;
}

/* Switches pages the way Alt+1…6 does. */
void
crier_gui_test_show_page (CrierWindow *win,
                          const char  *name)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-page", "s", name));
}

/* One of the window's models ("event-log", "connections", "channels", "sampler"), borrowed. */
gpointer
crier_gui_test_model (CrierWindow *win,
                      const char  *property)
{
  if (g_str_equal (property, "event-log"))
    return crier_window_get_event_log (win);
  if (g_str_equal (property, "connections"))
    return crier_window_get_connections (win);
  if (g_str_equal (property, "channels"))
    return crier_window_get_channels (win);
  g_assert_cmpstr (property, ==, "sampler");
  return crier_window_get_sampler (win);
}

/* Applies what the window's models queued now instead of at their next tick. */
void
crier_gui_test_flush (CrierWindow *win)
{
  crier_window_flush (win);
}
