/* crier-channels-page.c — the occupied channels and their presence members
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-app"

#include "config.h"

#include "crier-channels-page.h"

struct _CrierChannelsPage
{
  GtkWidget           parent_instance;
  CrierChannelList   *model;

  GtkStack           *stack;
  GtkSingleSelection *selection;
};

G_DEFINE_FINAL_TYPE (CrierChannelsPage, crier_channels_page, GTK_TYPE_WIDGET)

static void
update_state (CrierChannelsPage *self)
{
  gboolean any = self->model != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0;

  gtk_stack_set_visible_child_name (self->stack, any ? "list" : "empty");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channels.show-events",
                                 gtk_single_selection_get_selected_item (self->selection) != NULL);
}

static void
items_changed_cb (GListModel        *model,
                  guint              position,
                  guint              removed,
                  guint              added,
                  CrierChannelsPage *self)
{
  update_state (self);
}

static void
selected_cb (GtkSingleSelection *selection,
             GParamSpec         *pspec,
             CrierChannelsPage  *self)
{
  update_state (self);
}

static void
show_events_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrierChannelsPage *self = CRIER_CHANNELS_PAGE (widget);
  CrierChannelItem *item = gtk_single_selection_get_selected_item (self->selection);

  if (item != NULL)
    gtk_widget_activate_action (widget, "win.filter-channel", "(ss)",
                                crier_channel_item_get_app_id (item),
                                crier_channel_item_get_name (item));
}

static void
activate_cb (GtkColumnView     *view,
             guint              position,
             CrierChannelsPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "channels.show-events", NULL);
}

static void
crier_channels_page_dispose (GObject *object)
{
  CrierChannelsPage *self = CRIER_CHANNELS_PAGE (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRIER_TYPE_CHANNELS_PAGE);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->model);
  G_OBJECT_CLASS (crier_channels_page_parent_class)->dispose (object);
}

static void
crier_channels_page_class_init (CrierChannelsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crier_channels_page_dispose;
  g_type_ensure (CRIER_TYPE_CHANNEL_ITEM);
  g_type_ensure (CRIER_TYPE_MEMBER_ITEM);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/crier/Crier/ui/crier-channels-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, selection);
  gtk_widget_class_bind_template_callback (widget_class, activate_cb);
  gtk_widget_class_install_action (widget_class, "channels.show-events", NULL, show_events_action);
}

static void
crier_channels_page_init (CrierChannelsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->selection, "notify::selected-item", G_CALLBACK (selected_cb), self);
  update_state (self);
}

void
crier_channels_page_set_model (CrierChannelsPage *self,
                               CrierChannelList  *model)
{
  g_return_if_fail (CRIER_IS_CHANNELS_PAGE (self));
  if (self->model == model)
    return;
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_set_object (&self->model, model);
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (model));
  if (model != NULL)
    g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), self);
  update_state (self);
}

void
crier_channels_page_select (CrierChannelsPage *self,
                            guint              position)
{
  g_return_if_fail (CRIER_IS_CHANNELS_PAGE (self));
  gtk_single_selection_set_selected (self->selection, position);
}
