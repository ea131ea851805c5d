/* crier-connections-page.c — the open connections, with details and disconnect
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-connections-page.h"

#include <glib/gi18n.h>

#include "crier-event-item.h"

struct _CrierConnectionsPage
{
  GtkWidget            parent_instance;
  CrierConnectionList *model;
  CrierBackend        *server;

  GtkStack           *stack;
  AdwLeaflet         *leaflet;
  GtkSingleSelection *selection;
  AdwStatusPage      *empty_page;
  AdwStatusPage      *hidden_page;
};

G_DEFINE_FINAL_TYPE (CrierConnectionsPage, crier_connections_page, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SERVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_state (CrierConnectionsPage *self)
{
  gboolean any = self->model != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0;
  /* An observed server tells a client nothing of its connections: said, not an empty list. */
  gboolean hidden = self->server != NULL &&
                    !(crier_backend_get_flags (self->server) & CRIER_BACKEND_CAN_LIST_CONNECTIONS);

  gtk_stack_set_visible_child_name (self->stack, hidden ? "hidden" : any ? "list"
                                                                         : "empty");
  /* With nothing left to show details of, the next one starts from the list. */
  if (!any)
    adw_leaflet_set_visible_child_name (self->leaflet, "list");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connections.disconnect",
                                 gtk_single_selection_get_selected_item (self->selection) != NULL);
}

static void
items_changed_cb (GListModel           *model,
                  guint                 position,
                  guint                 removed,
                  guint                 added,
                  CrierConnectionsPage *self)
{
  update_state (self);
}

static void
selected_cb (GtkSingleSelection   *selection,
             GParamSpec           *pspec,
             CrierConnectionsPage *self)
{
  update_state (self);
}

/* Folded, the list alone is on screen: a tap on a row opens its details. */
static void
activate_cb (GtkColumnView        *view,
             guint                 position,
             CrierConnectionsPage *self)
{
  gtk_single_selection_set_selected (self->selection, position);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "details");
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  adw_leaflet_set_visible_child_name (CRIER_CONNECTIONS_PAGE (widget)->leaflet, "list");
}

/* Closed with 4200 ("reconnect"): a client that should stay away is better terminated
 * through its user. */
static void
disconnect_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CrierConnectionsPage *self = CRIER_CONNECTIONS_PAGE (widget);
  CrierConnectionItem  *item = gtk_single_selection_get_selected_item (self->selection);

  if (item == NULL || self->server == NULL)
    return;
  /* One that left meanwhile is gone anyway: no answer needed. */
  crier_backend_disconnect (self->server, crier_connection_item_get_socket_id (item),
                            CRIER_CODE_RECONNECT, "Disconnected from the Crier dashboard",
                            NULL, NULL, NULL);
}

/* The empty page tells what to do next: start the server, or point an app at it; for a
 * server elsewhere, only whether it is reached. */
static void
update_empty_page (CrierConnectionsPage *self)
{
  gboolean running = self->server != NULL && crier_backend_is_ready (self->server);
  gboolean embedded = self->server == NULL || (crier_backend_get_flags (self->server) & CRIER_BACKEND_CAN_START_STOP);

  if (!embedded)
    adw_status_page_set_description (self->empty_page,
                                     running ? _ ("Nobody is connected to this server now.")
                                             : _ ("Not connected to this server: the header bar says why."));
  else
    adw_status_page_set_description (
      self->empty_page,
      running ? _ ("Point your Laravel app here: copy the .env block, run “npm run dev” and open a page that uses Echo.")
              : _ ("The server is stopped: start it with the switch in the header bar, then point your Laravel app here."));
  update_state (self);
}

static void
crier_connections_page_dispose (GObject *object)
{
  CrierConnectionsPage *self = CRIER_CONNECTIONS_PAGE (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRIER_TYPE_CONNECTIONS_PAGE);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->model);
  if (self->server != NULL)
    g_signal_handlers_disconnect_by_func (self->server, update_empty_page, self);
  g_clear_object (&self->server);
  G_OBJECT_CLASS (crier_connections_page_parent_class)->dispose (object);
}

static void
crier_connections_page_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  CrierConnectionsPage *self = CRIER_CONNECTIONS_PAGE (object);

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
crier_connections_page_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  CrierConnectionsPage *self = CRIER_CONNECTIONS_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      crier_connections_page_set_server (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_connections_page_class_init (CrierConnectionsPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crier_connections_page_dispose;
  object_class->get_property = crier_connections_page_get_property;
  object_class->set_property = crier_connections_page_set_property;
  g_type_ensure (CRIER_TYPE_CONNECTION_ITEM);
  g_type_ensure (CRIER_TYPE_EVENT_ITEM);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/crier/Crier/ui/crier-connections-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrierConnectionsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectionsPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectionsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectionsPage, hidden_page);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectionsPage, selection);
  gtk_widget_class_bind_template_callback (widget_class, activate_cb);
  gtk_widget_class_install_action (widget_class, "connections.disconnect", NULL, disconnect_action);
  gtk_widget_class_install_action (widget_class, "connections.back", NULL, back_action);

  properties[PROP_SERVER] = g_param_spec_object ("server", NULL, NULL, CRIER_TYPE_BACKEND,
                                                 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crier_connections_page_init (CrierConnectionsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self->selection, "notify::selected-item", G_CALLBACK (selected_cb), self);
  update_state (self);
}

void
crier_connections_page_set_model (CrierConnectionsPage *self,
                                  CrierConnectionList  *model)
{
  g_return_if_fail (CRIER_IS_CONNECTIONS_PAGE (self));
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
crier_connections_page_set_server (CrierConnectionsPage *self,
                                   CrierBackend         *server)
{
  g_return_if_fail (CRIER_IS_CONNECTIONS_PAGE (self));
  if (self->server != NULL)
    g_signal_handlers_disconnect_by_func (self->server, update_empty_page, self);
  g_set_object (&self->server, server);
  if (server != NULL)
    g_signal_connect_swapped (server, "notify::state", G_CALLBACK (update_empty_page), self);
  update_empty_page (self);
}
