/* crier-log-columns.c — the event log's cells, made and filled in C
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-log-columns.h"

#include <glib/gi18n.h>

#include "crier-event-item.h"

/* Why not cell templates: while the log follows a flood, every row in view shows a new event
 * several times a second. A GtkBuilderListItemFactory builds each new row from XML, and its
 * bindings read every text through a GValue; a GtkLabel asks for a new size with each new
 * text, so the whole view is measured again. Here a row is made in a few calls, a bind sets
 * the texts straight from the item, and GtkInscription, whose size does not depend on its
 * text, only redraws (bench/README.md, "The window against headless"). The columns have
 * fixed widths, so the inscriptions' own widths do not matter. */

static GtkWidget *
inscription_new (GtkInscriptionOverflow overflow,
                 const char            *first_class,
                 ...)
{
  GtkWidget  *inscription = gtk_inscription_new (NULL);
  const char *css_class = first_class;
  va_list     args;

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (inscription), overflow);
  gtk_inscription_set_xalign (GTK_INSCRIPTION (inscription), 0);
  va_start (args, first_class);
  for (; css_class != NULL; css_class = va_arg (args, const char *))
    gtk_widget_add_css_class (inscription, css_class);
  va_end (args);
  return inscription;
}

static GtkWidget *
kind_cell_new (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = inscription_new (GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END, NULL);
  GtkWidget *imported = gtk_image_new_from_icon_name ("document-open-symbolic");

  gtk_widget_set_hexpand (label, TRUE);
  /* hidden before the tooltip is set: a tooltip on a visible widget asks the display where
   * the pointer is, a round trip for every row made */
  gtk_widget_set_visible (imported, FALSE);
  gtk_widget_set_tooltip_text (imported, _ ("Imported from a file"));
  gtk_widget_add_css_class (imported, "imported");
  gtk_widget_add_css_class (imported, "dim-label");
  gtk_accessible_update_property (GTK_ACCESSIBLE (imported), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Imported"), -1);
  gtk_box_append (GTK_BOX (box), gtk_image_new ());
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), imported);
  return box;
}

static GtkWidget *
event_cell_new (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_box_append (GTK_BOX (box), inscription_new (GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END, NULL));
  gtk_box_append (GTK_BOX (box), inscription_new (GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END, "caption",
                                                  "dim-label", "explanation", NULL));
  return box;
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  GtkWidget *child = NULL;

  switch ((CrierLogColumn) GPOINTER_TO_INT (user_data))
    {
    case CRIER_LOG_COLUMN_TIME:
      child = inscription_new (GTK_INSCRIPTION_OVERFLOW_CLIP, "numeric", "dim-label", NULL);
      break;
    case CRIER_LOG_COLUMN_KIND:
      child = kind_cell_new ();
      break;
    case CRIER_LOG_COLUMN_APP:
      child = inscription_new (GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END, NULL);
      break;
    case CRIER_LOG_COLUMN_CHANNEL:
      child = inscription_new (GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_MIDDLE, NULL);
      break;
    case CRIER_LOG_COLUMN_EVENT:
      child = event_cell_new ();
      break;
    case CRIER_LOG_COLUMN_PAYLOAD:
      child = inscription_new (GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END, "monospace", "dim-label", NULL);
      break;
    case CRIER_LOG_N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
  gtk_list_item_set_child (list_item, child);
}

static void
bind_kind (GtkWidget      *box,
           CrierEventItem *item)
{
  GtkWidget *icon = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_next_sibling (icon);
  GtkWidget *imported = gtk_widget_get_next_sibling (label);

  gtk_widget_set_css_classes (box, (const char **) crier_event_item_get_css_classes (item));
  gtk_image_set_from_icon_name (GTK_IMAGE (icon), crier_monitor_kind_get_icon_name (crier_event_item_get_kind (item)));
  gtk_inscription_set_text (GTK_INSCRIPTION (label), crier_event_item_get_kind_label (item));
  gtk_widget_set_visible (imported, crier_event_item_get_imported (item));
}

static void
bind_event (GtkWidget      *box,
            CrierEventItem *item)
{
  GtkWidget  *summary = gtk_widget_get_first_child (box);
  GtkWidget  *subtitle = gtk_widget_get_next_sibling (summary);
  const char *subtitle_text = crier_event_item_get_subtitle (item);

  gtk_inscription_set_text (GTK_INSCRIPTION (summary), crier_event_item_get_summary (item));
  gtk_inscription_set_text (GTK_INSCRIPTION (subtitle), subtitle_text);
  gtk_widget_set_visible (subtitle, *subtitle_text != '\0');
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         gpointer                  user_data)
{
  CrierEventItem          *item = gtk_list_item_get_item (list_item);
  GtkWidget               *child = gtk_list_item_get_child (list_item);
  const CrierMonitorEvent *event;

  if (item == NULL || child == NULL)
    return;
  event = crier_event_item_get_event (item);
  switch ((CrierLogColumn) GPOINTER_TO_INT (user_data))
    {
    case CRIER_LOG_COLUMN_TIME:
      gtk_inscription_set_text (GTK_INSCRIPTION (child), crier_event_item_get_time_text (item));
      break;
    case CRIER_LOG_COLUMN_KIND:
      bind_kind (child, item);
      break;
    case CRIER_LOG_COLUMN_APP:
      gtk_inscription_set_text (GTK_INSCRIPTION (child), event->app_id);
      break;
    case CRIER_LOG_COLUMN_CHANNEL:
      gtk_inscription_set_text (GTK_INSCRIPTION (child), event->channel);
      break;
    case CRIER_LOG_COLUMN_EVENT:
      bind_event (child, item);
      break;
    case CRIER_LOG_COLUMN_PAYLOAD:
      gtk_inscription_set_text (GTK_INSCRIPTION (child), crier_event_item_get_preview (item));
      break;
    case CRIER_LOG_N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

GtkListItemFactory *
crier_log_column_factory_new (CrierLogColumn column)
{
  GtkListItemFactory *factory;

  g_return_val_if_fail (column < CRIER_LOG_N_COLUMNS, NULL);
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GINT_TO_POINTER (column));
  return factory;
}
