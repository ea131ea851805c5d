/* crier-window.c — the dashboard window: server status, live views, send forms
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-window.h"

#include <glib/gi18n.h>

#include "crier-apps-page.h"
#include "crier-channels-page.h"
#include "crier-connections-page.h"
#include "crier-log-page.h"
#include "crier-send-page.h"
#include "crier-stats-page.h"

/* The window owns the models; the application owns the server and may replace it
 * (start, restart, apps edited). The window's "server" follows the application's through
 * a binding group, and the models and pages follow the window's through bindings. */
struct _CrierWindow
{
  AdwApplicationWindow parent_instance;

  CrierApplication    *application;
  GBindingGroup       *application_bindings;
  GSignalGroup        *application_signals;
  CrierServerHost     *server;
  GSignalGroup        *server_signals;
  CrierEventLog       *log;
  CrierConnectionList *connections;
  CrierChannelList    *channels;
  CrierStatsSampler   *sampler;

  GtkSwitch            *server_switch;
  GtkLabel             *status_label;
  GtkLabel             *status_detail;
  GtkLabel             *cluster_label;
  GSignalGroup         *monitor_signals; /* the server's monitor: cluster events */
  GtkRevealer          *banner_revealer;
  GtkLabel             *banner_label;
  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *stack;
  CrierConnectionsPage *connections_page;
  CrierChannelsPage    *channels_page;
  CrierLogPage         *log_page;
  CrierStatsPage       *stats_page;
  CrierSendPage        *send_page;
  CrierAppsPage        *apps_page;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar   *switcher_bar;
  guint                 reveal_bar_id;
};

G_DEFINE_FINAL_TYPE (CrierWindow, crier_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_SERVER,
  PROP_EVENT_LOG,
  PROP_CONNECTIONS,
  PROP_CHANNELS,
  PROP_SAMPLER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_page (CrierWindow *self,
           const char  *name)
{
  if (adw_view_stack_get_child_by_name (self->stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->stack, name);
}

static void
show_toast (CrierWindow *self,
            const char  *message)
{
  AdwToast *toast;

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 3);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Applies everything the models queued, before looking something up in them (their
 * timers do it otherwise). */
static void
flush_models (CrierWindow *self)
{
  crier_event_log_flush (self->log);
  crier_live_list_flush (CRIER_LIVE_LIST (self->connections));
  crier_live_list_flush (CRIER_LIVE_LIST (self->channels));
}

/* [cluster]: which node this is, how many are alive, whether Redis answers; in the header
 * (a warning colour when Redis is lost), on the Statistics and Channels pages. Read again
 * when the server starts or stops and when the server says the cluster changed. */
static void
update_cluster (CrierWindow *self)
{
  g_autoptr (CrierClusterInfo) info = NULL;
  g_autofree char *short_id = NULL;
  g_autofree char *node = NULL;
  g_autofree char *nodes = NULL;
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;

  if (self->server != NULL && crier_server_host_is_running (self->server))
    info = crier_server_host_dup_cluster_info (self->server);
  crier_stats_page_set_cluster_info (self->stats_page, info);
  crier_channels_page_set_cluster_info (self->channels_page, info);
  gtk_widget_set_visible (GTK_WIDGET (self->cluster_label), info != NULL);
  if (info == NULL)
    return;
  short_id = g_utf8_substring (info->node_id, 0, 8);
  /* Translators: this server's id in its cluster (the first characters of it) */
  node = g_strdup_printf (_ ("Node %s…"), short_id);
  nodes = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u node", "%u nodes", info->nodes), info->nodes);
  text = g_strjoin (" · ", node, nodes, info->redis_connected ? _ ("Redis connected") : _ ("Redis lost"), NULL);
  /* Translators: node id, Redis address, the prefix of the cluster's keys in Redis */
  tooltip = g_strdup_printf (_ ("Cluster node %s · Redis at %s · key prefix “%s”"), info->node_id,
                             info->redis ? info->redis : "", info->prefix ? info->prefix : "");
  gtk_label_set_label (self->cluster_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->cluster_label), tooltip);
  if (info->redis_connected)
    gtk_widget_remove_css_class (GTK_WIDGET (self->cluster_label), "warning");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->cluster_label), "warning");
}

static void
monitor_event_cb (CrierWindow       *self,
                  CrierMonitorEvent *event)
{
  /* Node-wide ones only; those with a channel are the Channels page's counts. */
  if (event->kind == CRIER_MONITOR_CLUSTER && event->channel == NULL)
    update_cluster (self);
}

static void
update_status (CrierWindow *self)
{
  CrierServerHost *server = self->server;
  const char      *error = self->application ? crier_application_get_server_error (self->application) : NULL;
  gboolean         running = server != NULL && crier_server_host_is_running (server);

  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "running");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "stopped");
  if (running)
    {
      CrierConfig     *config = crier_server_host_get_config (server);
      g_autofree char *address = g_strdup_printf ("%s://%s:%u", crier_server_host_is_tls (server) ? "wss" : "ws",
                                                  crier_config_get_host (config),
                                                  crier_server_host_get_port (server));
      g_autofree char *tooltip = g_strdup_printf (_ ("WebSocket %s · HTTP API %s://%s:%u"), address,
                                                  crier_server_host_is_tls (server) ? "https" : "http",
                                                  crier_config_get_host (config),
                                                  crier_server_host_get_port (server));

      gtk_label_set_label (self->status_label, address);
      gtk_label_set_label (self->status_detail, _ ("Listening"));
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "running");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), tooltip);
    }
  else
    {
      gtk_label_set_label (self->status_label, _ ("Stopped"));
      gtk_label_set_label (self->status_detail, error ? _ ("Could not start") : _ ("Not listening"));
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "stopped");
    }
  gtk_label_set_label (self->banner_label, error ? error : "");
  gtk_revealer_set_reveal_child (self->banner_revealer, error != NULL && !running);
  update_cluster (self);
}

static void
toast_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  show_toast (CRIER_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
log_size_changed_cb (GSettings   *settings,
                     const char  *key,
                     CrierWindow *self)
{
  crier_event_log_set_capacity (self->log, g_settings_get_uint (settings, "log-size"));
}

static void
show_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  show_page (CRIER_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrierWindow *self = CRIER_WINDOW (widget);

  show_page (self, "log");
  crier_log_page_focus_search (self->log_page);
}

static void
clear_log_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  crier_event_log_clear (CRIER_WINDOW (widget)->log);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrierWindow *self = CRIER_WINDOW (widget);

  show_page (self, "send");
  crier_send_page_send_focused (self->send_page);
}

static void
filter_channel_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  CrierWindow *self = CRIER_WINDOW (widget);
  const char  *app_id = NULL, *channel = NULL;

  g_variant_get (parameter, "(&s&s)", &app_id, &channel);
  crier_log_page_set_filter (self->log_page, app_id, channel);
  show_page (self, "log");
}

static void
copy_env_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CrierWindow *self = CRIER_WINDOW (widget);

  gtk_widget_activate_action (GTK_WIDGET (self->apps_page), "apps.copy-env", NULL);
}

/* Stop with 4200 (pusher-js and Echo reconnect at once), then start again: the
 * application builds a fresh server from the settings (app.server-restart). */
static void
restart_server_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  gtk_widget_activate_action (widget, "app.server-restart", NULL);
}

static gboolean
close_request_cb (CrierWindow *self)
{
  GSettings *settings = self->application ? crier_application_get_settings (self->application) : NULL;

  if (settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
    }
  return FALSE;
}

/* Failures count in the Events tab's badge until the Events page is shown. */
static void
see_failures (CrierWindow *self)
{
  if (self->stack != NULL && self->log != NULL &&
      adw_view_stack_get_visible_child (self->stack) == GTK_WIDGET (self->log_page))
    crier_event_log_mark_seen (self->log);
}

static gboolean
count_to_attention (GBinding     *binding,
                    const GValue *from,
                    GValue       *to,
                    gpointer      user_data)
{
  g_value_set_boolean (to, g_value_get_uint (from) > 0);
  return TRUE;
}

/* "application" is not a construct property: it arrives after constructed (). */
static void
application_cb (CrierWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  if (CRIER_IS_APPLICATION (app) && self->application == NULL)
    {
      GSettings *settings = crier_application_get_settings (CRIER_APPLICATION (app));

      self->application = CRIER_APPLICATION (app);
      g_binding_group_set_source (self->application_bindings, app);
      g_signal_group_set_target (self->application_signals, app);
      g_signal_connect_object (settings, "changed::log-size", G_CALLBACK (log_size_changed_cb), self, 0);
      log_size_changed_cb (settings, "log-size", self);
      gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (settings, "window-width"),
                                   g_settings_get_int (settings, "window-height"));
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      g_settings_bind (settings, "autoscroll", self->log_page, "autoscroll", G_SETTINGS_BIND_DEFAULT);
      crier_apps_page_set_application (self->apps_page, self->application);
    }
  update_status (self);
}

static void
crier_window_constructed (GObject *object)
{
  CrierWindow *self = CRIER_WINDOW (object);

  G_OBJECT_CLASS (crier_window_parent_class)->constructed (object);
  g_signal_connect (self, "notify::application", G_CALLBACK (application_cb), NULL);
  application_cb (self);
}

/* The bottom switcher bar shows when the header has no room for the switcher. The title
 * finds that out while it is being allocated; revealing the bar right then, in the middle
 * of the layout, makes GTK 4.8 allocate the bar's box at -1 px (a warning). One main-loop
 * turn later the bar is laid out like any other change. */
static gboolean
reveal_switcher_bar_cb (gpointer data)
{
  CrierWindow *self = data;

  self->reveal_bar_id = 0;
  adw_view_switcher_bar_set_reveal (self->switcher_bar,
                                    adw_view_switcher_title_get_title_visible (self->switcher_title));
  return G_SOURCE_REMOVE;
}

static void
title_visible_cb (CrierWindow *self)
{
  if (self->reveal_bar_id == 0)
    self->reveal_bar_id = g_idle_add (reveal_switcher_bar_cb, self);
}

static void
crier_window_dispose (GObject *object)
{
  CrierWindow *self = CRIER_WINDOW (object);

  g_clear_handle_id (&self->reveal_bar_id, g_source_remove);

  if (self->application_bindings != NULL)
    g_binding_group_set_source (self->application_bindings, NULL);
  if (self->application_signals != NULL)
    g_signal_group_set_target (self->application_signals, NULL);
  g_clear_object (&self->application_bindings);
  g_clear_object (&self->application_signals);
  /* Every follower lets the server go before the templates are torn down. */
  if (self->log != NULL)
    crier_window_set_server (self, NULL);
  g_clear_object (&self->server_signals);
  g_clear_object (&self->monitor_signals);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRIER_TYPE_WINDOW);
  g_clear_object (&self->log);
  g_clear_object (&self->connections);
  g_clear_object (&self->channels);
  g_clear_object (&self->sampler);
  G_OBJECT_CLASS (crier_window_parent_class)->dispose (object);
}

static void
crier_window_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  CrierWindow *self = CRIER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    case PROP_EVENT_LOG:
      g_value_set_object (value, self->log);
      break;
    case PROP_CONNECTIONS:
      g_value_set_object (value, self->connections);
      break;
    case PROP_CHANNELS:
      g_value_set_object (value, self->channels);
      break;
    case PROP_SAMPLER:
      g_value_set_object (value, self->sampler);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_window_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  CrierWindow *self = CRIER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      crier_window_set_server (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* win.edit-event, "Edit and Send…" of the event selected in the log: a broadcast opens in
 * the send form, a client event in the Channels page's join-in form (its channel selected
 * when it is still occupied). */
static void
edit_event_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CrierWindow             *self = CRIER_WINDOW (widget);
  CrierEventItem          *item = crier_log_page_get_selected (self->log_page);
  const CrierMonitorEvent *event;

  if (item == NULL)
    return;
  event = crier_event_item_get_event (item);
  if (event->kind == CRIER_MONITOR_CLIENT_EVENT)
    {
      flush_models (self);
      if (!crier_channels_page_select_channel (self->channels_page, event->app_id, event->channel))
        {
          g_autofree char *message = g_strdup_printf (_ ("Nobody is subscribed to %s now"), event->channel);

          show_toast (self, message);
        }
      crier_channels_page_fill_client_event (self->channels_page, event->event, event->data,
                                             event->user_id);
      show_page (self, "channels");
      return;
    }
  crier_send_page_load_event (self->send_page, event->app_id, event->channel, event->event, event->data);
  show_page (self, "send");
}

static void
crier_window_class_init (CrierWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = crier_window_constructed;
  object_class->dispose = crier_window_dispose;
  object_class->get_property = crier_window_get_property;
  object_class->set_property = crier_window_set_property;

  properties[PROP_SERVER] = g_param_spec_object ("server", NULL, NULL, CRIER_TYPE_SERVER_HOST,
                                                 G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                   G_PARAM_STATIC_STRINGS);
  /* The window's models, for whoever reads the window from outside (the tests among them). */
  properties[PROP_EVENT_LOG] = g_param_spec_object ("event-log", NULL, NULL, CRIER_TYPE_EVENT_LOG,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTIONS] = g_param_spec_object ("connections", NULL, NULL,
                                                      CRIER_TYPE_CONNECTION_LIST,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CHANNELS] = g_param_spec_object ("channels", NULL, NULL, CRIER_TYPE_CHANNEL_LIST,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SAMPLER] = g_param_spec_object ("sampler", NULL, NULL, CRIER_TYPE_STATS_SAMPLER,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CRIER_TYPE_CONNECTIONS_PAGE);
  g_type_ensure (CRIER_TYPE_CHANNELS_PAGE);
  g_type_ensure (CRIER_TYPE_LOG_PAGE);
  g_type_ensure (CRIER_TYPE_STATS_PAGE);
  g_type_ensure (CRIER_TYPE_SEND_PAGE);
  g_type_ensure (CRIER_TYPE_APPS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/dev/crier/Crier/ui/crier-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, server_switch);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, status_detail);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, cluster_label);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, banner_revealer);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, banner_label);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, switcher_bar);
  gtk_widget_class_bind_template_callback (widget_class, title_visible_cb);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, connections_page);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, channels_page);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, log_page);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, stats_page);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, send_page);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, apps_page);

  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.toast", "s", toast_action);
  gtk_widget_class_install_action (widget_class, "win.edit-event", NULL, edit_event_action);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "win.clear-log", NULL, clear_log_action);
  gtk_widget_class_install_action (widget_class, "win.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "win.filter-channel", "(ss)", filter_channel_action);
  gtk_widget_class_install_action (widget_class, "win.copy-env", NULL, copy_env_action);
  gtk_widget_class_install_action (widget_class, "win.restart-server", NULL, restart_server_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.restart-server", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.clear-log", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "win.send", NULL);
  {
    static const char *pages[] = { "connections", "channels", "log", "stats", "send", "apps" };

    for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
      gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK, "win.show-page",
                                           "s", pages[i]);
  }
}

static void
crier_window_init (CrierWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->log = crier_event_log_new (CRIER_EVENT_LOG_DEFAULT_CAPACITY);
  self->connections = crier_connection_list_new (NULL);
  self->channels = crier_channel_list_new (NULL);
  self->sampler = crier_stats_sampler_new (NULL);
  {
    GObject *followers[] = { G_OBJECT (self->connections), G_OBJECT (self->channels),
                             G_OBJECT (self->sampler), G_OBJECT (self->log_page),
                             G_OBJECT (self->channels_page), G_OBJECT (self->connections_page),
                             G_OBJECT (self->send_page), G_OBJECT (self->apps_page) };

    for (guint i = 0; i < G_N_ELEMENTS (followers); i++)
      g_object_bind_property (self, "server", followers[i], "server", G_BINDING_DEFAULT);
  }
  self->server_signals = g_signal_group_new (CRIER_TYPE_SERVER_HOST);
  g_signal_group_connect_swapped (self->server_signals, "dropped", G_CALLBACK (crier_event_log_count_dropped),
                                  self->log);
  g_signal_group_connect_swapped (self->server_signals, "notify::running",
                                  G_CALLBACK (update_status), self);
  self->monitor_signals = g_signal_group_new (CRIER_TYPE_MONITOR);
  g_signal_group_connect_swapped (self->monitor_signals, "event", G_CALLBACK (monitor_event_cb), self);
  self->application_bindings = g_binding_group_new ();
  g_binding_group_bind (self->application_bindings, "server", self, "server", G_BINDING_SYNC_CREATE);
  self->application_signals = g_signal_group_new (CRIER_TYPE_APPLICATION);
  g_signal_group_connect_swapped (self->application_signals, "notify::server-error",
                                  G_CALLBACK (update_status), self);
  crier_log_page_set_log (self->log_page, self->log);
  {
    AdwViewStackPage *page = adw_view_stack_get_page (self->stack, GTK_WIDGET (self->log_page));

    g_object_bind_property (self->log, "unseen-failures", page, "badge-number", G_BINDING_SYNC_CREATE);
    g_object_bind_property_full (self->log, "unseen-failures", page, "needs-attention",
                                 G_BINDING_SYNC_CREATE, count_to_attention, NULL, NULL, NULL);
    g_signal_connect_object (self->stack, "notify::visible-child", G_CALLBACK (see_failures), self,
                             G_CONNECT_SWAPPED);
    g_signal_connect_object (self->log, "notify::unseen-failures", G_CALLBACK (see_failures), self,
                             G_CONNECT_SWAPPED);
  }
  crier_connections_page_set_model (self->connections_page, self->connections);
  crier_channels_page_set_model (self->channels_page, self->channels);
  crier_stats_page_set_sampler (self->stats_page, self->sampler);
  crier_send_page_set_models (self->send_page, self->connections, self->channels);
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
  if (g_str_has_suffix (APP_ID, ".Devel"))
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

/* Without an application the window shows whatever server it is given ("server"). */
CrierWindow *
crier_window_new (CrierApplication *application)
{
  return g_object_new (CRIER_TYPE_WINDOW, "application", application, NULL);
}

CrierServerHost *
crier_window_get_server (CrierWindow *self)
{
  g_return_val_if_fail (CRIER_IS_WINDOW (self), NULL);
  return self->server;
}

void
crier_window_set_server (CrierWindow     *self,
                         CrierServerHost *server)
{
  g_return_if_fail (CRIER_IS_WINDOW (self));
  g_return_if_fail (server == NULL || CRIER_IS_SERVER_HOST (server));

  if (!g_set_object (&self->server, server))
    return;
  g_signal_group_set_target (self->server_signals, server);
  g_signal_group_set_target (self->monitor_signals, server ? crier_server_host_get_monitor (server) : NULL);
  crier_event_log_set_monitor (self->log, server ? crier_server_host_get_monitor (server) : NULL);
  /* The models and pages follow through their bindings to "server". */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER]);
  update_status (self);
}
