/* crier-gui-test-utils.c — a window on a test server, shown and then torn down to the last ref
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-gui-test-utils.h"

/* A window following server's monitor, presented and drawn once. */
CrierWindow *
crier_gui_test_open_window (CrierTestServer *server)
{
  CrierWindow *win = crier_window_new (NULL);

  crier_window_set_server (win, server->host);
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
