/* crier-gui-test-utils.c — a window on a test server, shown and then torn down to the last ref
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-gui-test-utils.h"

/* A window following server's monitor, presented and drawn once. */
CrierWindow *
crier_gui_test_open_window (CrierTestServer *server)
{
  CrierWindow *win = crier_window_new (NULL);

  g_assert_nonnull (server->host); /* crier_test_server_new_hosted (): the window's server has a thread */
  crier_window_set_server (win, CRIER_BACKEND (server->host));
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

/* A page of the window's view stack by its name ("log", "send"…), as the switcher shows it. */
GtkWidget *
crier_gui_test_page (CrierWindow *win,
                     const char  *name)
{
  AdwViewStack *stack = ADW_VIEW_STACK (crier_gui_test_child (win, CRIER_TYPE_WINDOW, "stack"));
  GtkWidget    *page = adw_view_stack_get_child_by_name (stack, name);

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

/* One of the window's models ("event-log", "connections", "channels", "sampler"), borrowed:
 * the window keeps it alive. */
gpointer
crier_gui_test_model (CrierWindow *win,
                      const char  *property)
{
  g_autoptr (GObject) model = NULL;

  g_object_get (win, property, &model, NULL);
  g_assert_nonnull (model);
  return model;
}

/* Applies what the window's models queued now instead of at their next tick. */
void
crier_gui_test_flush (CrierWindow *win)
{
  crier_event_log_flush (crier_gui_test_model (win, "event-log"));
  crier_live_list_flush (crier_gui_test_model (win, "connections"));
  crier_live_list_flush (crier_gui_test_model (win, "channels"));
}

/* The rows a page's list shows now (after its filters): the model under its "selection". */
GListModel *
crier_gui_test_shown (gpointer page,
                      GType    type)
{
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (crier_gui_test_child (page, type, "selection"));

  return gtk_single_selection_get_model (selection);
}

/* Selects row position of a page's list, as a click on it does. */
void
crier_gui_test_select (gpointer page,
                       GType    type,
                       guint    position)
{
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (crier_gui_test_child (page, type, "selection"));

  gtk_single_selection_set_selected (selection, position);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, position);
}

/* The text a label or an inscription (the event log's cells) shows, else NULL. */
const char *
crier_gui_test_widget_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_text (GTK_LABEL (widget));
  if (GTK_IS_INSCRIPTION (widget))
    return gtk_inscription_get_text (GTK_INSCRIPTION (widget));
  return NULL;
}

/* Whether a label under root shows text: what a user reads, toasts included. */
gboolean
crier_gui_test_shows_text (gpointer    root,
                           const char *text)
{
  if (g_strcmp0 (crier_gui_test_widget_text (root), text) == 0 && text != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (crier_gui_test_shows_text (child, text))
      return TRUE;
  return FALSE;
}
