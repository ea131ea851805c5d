/* crier-channels-page.c — the occupied channels, their presence members, and joining in:
 * client events and simulated members sent from the dashboard
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-channels-page.h"

#include <glib/gi18n.h>

struct _CrierChannelsPage
{
  GtkWidget         parent_instance;
  CrierChannelList *model;
  CrierBackend     *server;
  GSignalGroup     *members_signals; /* of the selected channel's members */

  GtkStack           *stack;
  AdwLeaflet         *leaflet;
  GtkSingleSelection *selection;
  GtkListBox         *members_box;
  GtkWidget          *join_group;
  GtkWidget          *client_data_box;
  AdwEntryRow        *client_event_row;
  AdwEntryRow        *client_user_row;
  GtkTextView        *client_data_view;
  GtkWidget          *member_group;
  GtkWidget          *member_info_box;
  AdwEntryRow        *member_id_row;
  GtkTextView        *member_info_view;
  GtkLabel           *simulated_label;
  GtkLabel           *join_error;

  /* titled "All Nodes" in a cluster */
  GtkColumnViewColumn *subscribers_column;
  GtkColumnViewColumn *members_column;
};

G_DEFINE_FINAL_TYPE (CrierChannelsPage, crier_channels_page, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SERVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_simulated (CrierChannelsPage *self)
{
  CrierChannelItem *item = gtk_single_selection_get_selected_item (self->selection);
  g_auto (GStrv) ids = item ? crier_channel_item_dup_simulated_members (item) : NULL;
  g_autofree char *list = NULL;
  g_autofree char *text = NULL;

  if (ids == NULL || ids[0] == NULL)
    {
      gtk_label_set_label (self->simulated_label, _ ("No simulated members"));
      return;
    }
  list = g_strjoinv (", ", ids);
  text = g_strdup_printf (_ ("Simulated members: %s"), list);
  gtk_label_set_label (self->simulated_label, text);
}

/* Client events go to private and presence channels, simulated members to presence ones
 * (Pusher's rules; the core checks them too). */
static void
update_state (CrierChannelsPage *self)
{
  CrierChannelItem *item = gtk_single_selection_get_selected_item (self->selection);
  gboolean          any = self->model != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0;
  CrierChannelType  type = item ? crier_channel_item_get_channel_type (item) : CRIER_CHANNEL_PUBLIC;
  gboolean          running = self->server != NULL && crier_backend_is_ready (self->server);
  CrierBackendFlags flags;
  gboolean          whisper = (type & (CRIER_CHANNEL_PRIVATE | CRIER_CHANNEL_PRESENCE)) != 0 &&
                     (type & CRIER_CHANNEL_ENCRYPTED) == 0;
  gboolean presence = (type & CRIER_CHANNEL_PRESENCE) != 0;

  gtk_stack_set_visible_child_name (self->stack, any ? "list" : "empty");
  /* With nothing left to show details of, the next one starts from the list. */
  if (!any)
    adw_leaflet_set_visible_child_name (self->leaflet, "list");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channels.show-events", item != NULL);
  flags = self->server != NULL ? crier_backend_get_flags (self->server) : 0;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channels.client-event",
                                 whisper && running && (flags & CRIER_BACKEND_CAN_SEND_CLIENT_EVENTS));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channels.add-member",
                                 presence && running && (flags & CRIER_BACKEND_CAN_SIMULATE_MEMBERS));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "channels.remove-member",
                                 presence && running && (flags & CRIER_BACKEND_CAN_SIMULATE_MEMBERS));
  gtk_widget_set_visible (self->join_group, whisper);
  gtk_widget_set_visible (self->client_data_box, whisper);
  gtk_widget_set_visible (GTK_WIDGET (self->client_user_row), presence);
  gtk_widget_set_visible (self->member_group, presence);
  gtk_widget_set_visible (self->member_info_box, presence);
  update_simulated (self);
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

/* A member of the selected presence channel: its id, whether the dashboard simulates it, and
 * its user_info. A GtkListBox, not a GtkListView: GTK 4.8 sizes a list view that propagates
 * its natural height for its first row only, hiding the other members. */
static GtkWidget *
create_member_row (gpointer item,
                   gpointer user_data)
{
  CrierMemberItem *member = item;
  const char      *user_info = crier_member_item_get_user_info (member);
  GtkWidget       *row = gtk_list_box_row_new ();
  GtkWidget       *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget       *label;

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  label = gtk_label_new (crier_member_item_get_user_id (member));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);
  if (crier_member_item_get_simulated (member))
    {
      label = gtk_label_new (_ ("simulated"));
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_add_css_class (label, "accent");
      gtk_box_append (GTK_BOX (box), label);
    }
  if (user_info != NULL)
    {
      label = gtk_label_new (user_info);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "monospace");
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (box), label);
    }
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static void
selected_cb (GtkSingleSelection *selection,
             GParamSpec         *pspec,
             CrierChannelsPage  *self)
{
  CrierChannelItem *item = gtk_single_selection_get_selected_item (selection);

  g_signal_group_set_target (self->members_signals, item ? crier_channel_item_get_members (item) : NULL);
  gtk_list_box_bind_model (self->members_box, item ? crier_channel_item_get_members (item) : NULL,
                           create_member_row, NULL, NULL);
  gtk_label_set_label (self->join_error, "");
  update_state (self);
}

static void
show_events_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrierChannelsPage *self = CRIER_CHANNELS_PAGE (widget);
  CrierChannelItem  *item = gtk_single_selection_get_selected_item (self->selection);

  if (item != NULL)
    gtk_widget_activate_action (widget, "win.filter-channel", "(ss)",
                                crier_channel_item_get_app_id (item),
                                crier_channel_item_get_name (item));
}

/* Shows the outcome: a toast when it worked, the core's reason under the form if not. */
static void
report (CrierChannelsPage *self,
        GError            *error,
        const char        *success)
{
  if (error != NULL)
    {
      gtk_label_set_label (self->join_error, error->message);
      return;
    }
  gtk_label_set_label (self->join_error, "");
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", success);
}

typedef struct
{
  CrierChannelsPage *page;
  char              *success;
} Pending;

/* The server's answer to a command, on this thread: report it on the page (kept until then). */
static void
command_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr (GError) error = NULL;

  crier_backend_command_finish (CRIER_BACKEND (source), result, &error);
  report (pending->page, error, pending->success);
  g_object_unref (pending->page);
  g_free (pending->success);
  g_free (pending);
}

/* Takes success. */
static Pending *
pending_new (CrierChannelsPage *self,
             char              *success)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->page = g_object_ref (self);
  pending->success = success;
  return pending;
}

static void
client_event_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrierChannelsPage *self = CRIER_CHANNELS_PAGE (widget);
  CrierChannelItem  *item = gtk_single_selection_get_selected_item (self->selection);
  const char        *event = gtk_editable_get_text (GTK_EDITABLE (self->client_event_row));
  const char        *user_id = gtk_editable_get_text (GTK_EDITABLE (self->client_user_row));
  g_autofree char   *data = NULL;
  g_autofree char   *message = NULL;

  if (item == NULL || self->server == NULL)
    return;
  g_object_get (gtk_text_view_get_buffer (self->client_data_view), "text", &data, NULL);
  g_strstrip (data);
  message = g_strdup_printf (_ ("“%s” sent to %s"), event, crier_channel_item_get_name (item));
  crier_backend_send_client_event (self->server, crier_channel_item_get_app_id (item),
                                   crier_channel_item_get_name (item), event,
                                   *data ? data : "{}", *user_id ? user_id : NULL, NULL,
                                   command_done_cb, pending_new (self, g_steal_pointer (&message)));
}

static void
add_member_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CrierChannelsPage *self = CRIER_CHANNELS_PAGE (widget);
  CrierChannelItem  *item = gtk_single_selection_get_selected_item (self->selection);
  const char        *user_id = gtk_editable_get_text (GTK_EDITABLE (self->member_id_row));
  g_autofree char   *info = NULL;
  g_autofree char   *message = NULL;

  if (item == NULL || self->server == NULL)
    return;
  g_object_get (gtk_text_view_get_buffer (self->member_info_view), "text", &info, NULL);
  g_strstrip (info);
  message = g_strdup_printf (_ ("%s joined %s"), user_id, crier_channel_item_get_name (item));
  crier_backend_add_simulated_member (self->server, crier_channel_item_get_app_id (item),
                                      crier_channel_item_get_name (item), user_id,
                                      *info ? info : NULL, NULL, command_done_cb,
                                      pending_new (self, g_steal_pointer (&message)));
}

/* The parameter names the member; empty: the one in the Member User ID field. */
static void
remove_member_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrierChannelsPage *self = CRIER_CHANNELS_PAGE (widget);
  CrierChannelItem  *item = gtk_single_selection_get_selected_item (self->selection);
  const char        *user_id = g_variant_get_string (parameter, NULL);
  g_autofree char   *message = NULL;

  if (item == NULL || self->server == NULL)
    return;
  if (*user_id == '\0')
    user_id = gtk_editable_get_text (GTK_EDITABLE (self->member_id_row));
  message = g_strdup_printf (_ ("%s left %s"), user_id, crier_channel_item_get_name (item));
  crier_backend_remove_simulated_member (self->server, crier_channel_item_get_app_id (item),
                                         crier_channel_item_get_name (item), user_id, NULL,
                                         command_done_cb,
                                         pending_new (self, g_steal_pointer (&message)));
}

/* Side by side, the details are already there and activating a row goes on to its events;
 * folded, the details are what the tap asks for. */
static void
activate_cb (GtkColumnView     *view,
             guint              position,
             CrierChannelsPage *self)
{
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "details");
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "channels.show-events", NULL);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  adw_leaflet_set_visible_child_name (CRIER_CHANNELS_PAGE (widget)->leaflet, "list");
}

static void
crier_channels_page_dispose (GObject *object)
{
  CrierChannelsPage *self = CRIER_CHANNELS_PAGE (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->server != NULL)
    g_signal_handlers_disconnect_by_data (self->server, self);
  if (self->members_signals != NULL)
    g_signal_group_set_target (self->members_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRIER_TYPE_CHANNELS_PAGE);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->model);
  g_clear_object (&self->server);
  g_clear_object (&self->members_signals);
  G_OBJECT_CLASS (crier_channels_page_parent_class)->dispose (object);
}

static void
crier_channels_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CrierChannelsPage *self = CRIER_CHANNELS_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_channels_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  CrierChannelsPage *self = CRIER_CHANNELS_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      crier_channels_page_set_server (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_channels_page_class_init (CrierChannelsPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crier_channels_page_dispose;
  object_class->get_property = crier_channels_page_get_property;
  object_class->set_property = crier_channels_page_set_property;
  g_type_ensure (CRIER_TYPE_CHANNEL_ITEM);
  g_type_ensure (CRIER_TYPE_MEMBER_ITEM);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/crier/Crier/ui/crier-channels-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, selection);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, members_box);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, join_group);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, client_data_box);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, client_event_row);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, client_user_row);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, client_data_view);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, member_group);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, member_info_box);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, member_id_row);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, member_info_view);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, simulated_label);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, join_error);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, subscribers_column);
  gtk_widget_class_bind_template_child (widget_class, CrierChannelsPage, members_column);
  gtk_widget_class_bind_template_callback (widget_class, activate_cb);
  gtk_widget_class_install_action (widget_class, "channels.show-events", NULL, show_events_action);
  gtk_widget_class_install_action (widget_class, "channels.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "channels.client-event", NULL, client_event_action);
  gtk_widget_class_install_action (widget_class, "channels.add-member", NULL, add_member_action);
  gtk_widget_class_install_action (widget_class, "channels.remove-member", "s", remove_member_action);

  properties[PROP_SERVER] = g_param_spec_object ("server", NULL, NULL, CRIER_TYPE_BACKEND,
                                                 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crier_channels_page_init (CrierChannelsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->client_data_view), "{\"name\": \"Crier\"}", -1);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->member_info_view), "{\"name\": \"Crier Bot\"}", -1);
  self->members_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->members_signals, "items-changed", G_CALLBACK (update_simulated), self);
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

static void
server_running_cb (CrierBackend      *server,
                   GParamSpec        *pspec,
                   CrierChannelsPage *self)
{
  update_state (self);
}

/* The server the join-in actions go to. */
void
crier_channels_page_set_server (CrierChannelsPage *self,
                                CrierBackend      *server)
{
  g_return_if_fail (CRIER_IS_CHANNELS_PAGE (self));
  if (self->server == server)
    return;
  if (self->server != NULL)
    g_signal_handlers_disconnect_by_data (self->server, self);
  g_set_object (&self->server, server);
  if (server != NULL)
    g_signal_connect (server, "notify::state", G_CALLBACK (server_running_cb), self);
  update_state (self);
}

/* Selects the channel app_id/name if it is listed; FALSE if not. */
gboolean
crier_channels_page_select_channel (CrierChannelsPage *self,
                                    const char        *app_id,
                                    const char        *name)
{
  guint n;

  g_return_val_if_fail (CRIER_IS_CHANNELS_PAGE (self), FALSE);
  n = self->model ? g_list_model_get_n_items (G_LIST_MODEL (self->model)) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (CrierChannelItem) item = g_list_model_get_item (G_LIST_MODEL (self->model), i);

      if (g_strcmp0 (crier_channel_item_get_app_id (item), app_id) == 0 &&
          g_strcmp0 (crier_channel_item_get_name (item), name) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

/* Fills the client event form (replay: "Edit and Send…" of a logged client event, tests). */
void
crier_channels_page_fill_client_event (CrierChannelsPage *self,
                                       const char        *event,
                                       const char        *data,
                                       const char        *user_id)
{
  g_return_if_fail (CRIER_IS_CHANNELS_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->client_event_row), event ? event : "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->client_data_view), data ? data : "{}", -1);
  gtk_editable_set_text (GTK_EDITABLE (self->client_user_row), user_id ? user_id : "");
}

/* In a cluster the list counts every node's subscribers and members (the model follows
 * the server's cluster events); the column titles say so. */
void
crier_channels_page_set_cluster_info (CrierChannelsPage      *self,
                                      const CrierClusterInfo *info)
{
  g_return_if_fail (CRIER_IS_CHANNELS_PAGE (self));
  /* Translators: column titles; "all nodes" are the servers of a cluster */
  gtk_column_view_column_set_title (self->subscribers_column,
                                    info != NULL ? _ ("Subscribers (All Nodes)") : _ ("Subscribers"));
  gtk_column_view_column_set_title (self->members_column,
                                    info != NULL ? _ ("Members (All Nodes)") : _ ("Members"));
}
