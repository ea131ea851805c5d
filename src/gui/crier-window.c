/* crier-window.c — the dashboard window: server status, live views, send forms
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-window.h"

#include <glib/gi18n.h>

#include "crier-apps-page.h"
#include "crier-channels-page.h"
#include "crier-connect-dialog.h"
#include "crier-connections-page.h"
#include "crier-env-parser.h"
#include "crier-log-page.h"
#include "crier-observer-backend.h"
#include "crier-remote-server.h"
#include "crier-send-page.h"
#include "crier-stats-page.h"

/* The window owns the models; the application owns the embedded server and may replace
 * it (start, restart, apps edited). The window's "embedded" follows the application's
 * server through a binding group. "server" is the backend shown: the embedded one, or
 * one attached with win.attach (another Crier, or a foreign server observed); the models
 * and pages follow it through bindings, so swapping it refills them all. */
/* What win.attach was given: if that server is not a Crier, the window observes it with them. */
typedef struct
{
  char    *base_url;
  char    *app_id;
  char    *key;
  char    *secret;
  char    *master_key;
  gboolean insecure;
} Credentials;

static void
credentials_free (Credentials *credentials)
{
  g_free (credentials->base_url);
  g_free (credentials->app_id);
  g_free (credentials->key);
  g_free (credentials->secret);
  g_free (credentials->master_key);
  g_free (credentials);
}

struct _CrierWindow
{
  AdwApplicationWindow parent_instance;

  CrierApplication    *application;
  GBindingGroup       *application_bindings;
  GSignalGroup        *application_signals;
  CrierBackend        *server;   /* shown */
  CrierBackend        *embedded; /* the application's, or the one given */
  CrierBackend        *attached; /* a remote or observed server, while shown */
  Credentials         *attached_credentials;
  GSignalGroup        *server_signals;
  GSignalGroup        *host_signals; /* the shown server when it is a CrierServerHost */
  CrierEventLog       *log;
  CrierConnectionList *connections;
  CrierChannelList    *channels;
  CrierStatsSampler   *sampler;

  GtkSwitch            *server_switch;
  GtkButton            *embedded_button;
  GtkButton            *banner_embedded_button;
  GtkButton            *change_port_button;
  GtkButton            *retry_button;
  GtkButton            *restart_button;
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
  PROP_EMBEDDED,
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

static const char *
state_text (CrierBackendState state)
{
  switch (state)
    {
    case CRIER_BACKEND_STATE_CONNECTING:
      return _ ("Connecting…");
    case CRIER_BACKEND_STATE_CONNECTED:
      return _ ("Connected");
    case CRIER_BACKEND_STATE_RECONNECTING:
      return _ ("Reconnecting…");
    case CRIER_BACKEND_STATE_REFUSED:
      return _ ("Refused");
    case CRIER_BACKEND_STATE_NOT_CRIER:
      return _ ("Not a Crier server");
    case CRIER_BACKEND_STATE_OBSERVING:
      return _ ("Observing as a client");
    case CRIER_BACKEND_STATE_RUNNING:
      return _ ("Listening");
    case CRIER_BACKEND_STATE_STOPPED:
    default:
      return _ ("Not listening");
    }
}

/* Another server: where it is, its state, and its problem (a refusal, a dropped
 * connection, what an observer could not see) in the banner. */
static void
update_attached_status (CrierWindow *self)
{
  CrierBackend     *server = self->attached;
  CrierBackendState state = crier_backend_get_state (server);
  const char       *problem = crier_backend_get_problem (server);
  g_autofree char  *address = crier_backend_dup_address (server);
  GPtrArray        *apps = crier_config_get_apps (crier_backend_get_config (server));
  CrierAppConfig   *app = apps->len > 0 ? g_ptr_array_index (apps, 0) : NULL;
  g_autofree char  *label = g_strdup_printf (_ ("%s · app %s"), address, app ? app->id : "");
  gboolean          ready = crier_backend_is_ready (server);

  gtk_label_set_label (self->status_label, label);
  gtk_label_set_label (self->status_detail, state_text (state));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), label);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), ready ? "running" : "stopped");
  /* An observed server: what the window cannot show is said, not left empty. */
  if (problem == NULL && state == CRIER_BACKEND_STATE_OBSERVING)
    problem = _ ("Not a Crier server: watched as one of its clients. Its connections and statistics are not "
                 "visible; occupied channels are found every 2 seconds, then their members and events show.");
  gtk_label_set_label (self->banner_label, problem ? problem : "");
  gtk_revealer_set_reveal_child (self->banner_revealer, problem != NULL && state != CRIER_BACKEND_STATE_CONNECTED);
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

  if (self->server != NULL)
    info = crier_backend_dup_cluster_info (self->server);
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
  CrierBackend *server = self->server;
  const char   *error = self->application ? crier_application_get_server_error (self->application) : NULL;
  gboolean      running = server != NULL && crier_backend_is_ready (server);
  gboolean      attached = self->attached != NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "running");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "stopped");
  /* Starting, stopping and restarting are the embedded server's only. */
  gtk_widget_set_visible (GTK_WIDGET (self->server_switch), !attached);
  gtk_widget_set_visible (GTK_WIDGET (self->restart_button), !attached);
  gtk_widget_set_visible (GTK_WIDGET (self->embedded_button), attached);
  gtk_widget_set_visible (GTK_WIDGET (self->banner_embedded_button), attached);
  gtk_widget_set_visible (GTK_WIDGET (self->change_port_button), !attached);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), !attached);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-embedded", attached);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.restart-server", !attached);
  if (attached)
    {
      update_attached_status (self);
      update_cluster (self);
      return;
    }
  if (running)
    {
      CrierConfig     *config = crier_backend_get_config (server);
      g_autofree char *address = g_strdup_printf ("%s://%s:%u", crier_backend_is_tls (server) ? "wss" : "ws",
                                                  crier_config_get_host (config),
                                                  crier_backend_get_port (server));
      g_autofree char *tooltip = g_strdup_printf (_ ("WebSocket %s · HTTP API %s://%s:%u"), address,
                                                  crier_backend_is_tls (server) ? "https" : "http",
                                                  crier_config_get_host (config),
                                                  crier_backend_get_port (server));

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

/* Makes backend the one shown: every model and page follows "server" and takes its
 * snapshot; the log starts afresh when another server replaces the one it showed. */
static void
show_backend (CrierWindow  *self,
              CrierBackend *backend)
{
  gboolean other_server = self->server != NULL && backend != NULL &&
                          (self->server == self->attached || backend == self->attached);

  if (!g_set_object (&self->server, backend))
    {
      update_status (self);
      return;
    }
  g_signal_group_set_target (self->server_signals, backend);
  g_signal_group_set_target (self->host_signals, CRIER_IS_SERVER_HOST (backend) ? backend : NULL);
  g_signal_group_set_target (self->monitor_signals, backend ? crier_backend_get_monitor (backend) : NULL);
  if (other_server)
    crier_event_log_clear (self->log);
  crier_event_log_set_monitor (self->log, backend ? crier_backend_get_monitor (backend) : NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER]);
  update_status (self);
}

static void
stop_backend (CrierBackend *backend)
{
  if (CRIER_IS_REMOTE_SERVER (backend))
    crier_remote_server_stop (CRIER_REMOTE_SERVER (backend));
  else if (CRIER_IS_OBSERVER_BACKEND (backend))
    crier_observer_backend_stop (CRIER_OBSERVER_BACKEND (backend));
}

static void attached_state_cb (CrierBackend *backend,
                               GParamSpec   *pspec,
                               CrierWindow  *self);

static void
detach (CrierWindow *self)
{
  g_autoptr (CrierBackend) attached = g_steal_pointer (&self->attached);

  if (attached == NULL)
    return;
  /* Not by data alone: the signal group's handlers have the window as data too. */
  g_signal_handlers_disconnect_by_func (attached, attached_state_cb, self);
  stop_backend (attached);
}

/* The header follows the attached server's state and problem. No monitor endpoint:
 * soketi, Reverb or Pusher; the window watches it as a client instead, with the same
 * credentials. */
static void
attached_state_cb (CrierBackend *backend,
                   GParamSpec   *pspec,
                   CrierWindow  *self)
{
  Credentials *credentials = self->attached_credentials;

  if (backend == self->attached && credentials != NULL &&
      crier_backend_get_state (backend) == CRIER_BACKEND_STATE_NOT_CRIER)
    {
      g_autoptr (CrierObserverBackend) observer = crier_observer_backend_new (credentials->base_url, credentials->app_id, credentials->key, credentials->secret, credentials->master_key, credentials->insecure);

      detach (self);
      self->attached = g_object_ref (CRIER_BACKEND (observer));
      g_signal_connect (observer, "notify::problem", G_CALLBACK (attached_state_cb), self);
      crier_observer_backend_start (observer);
      show_backend (self, self->attached);
      return;
    }
  update_status (self);
}

/* win.attach (url, app id, key, secret, encryption master key or "", insecure TLS): shows
 * that server instead of the embedded one. */
static void
attach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrierWindow     *self = CRIER_WINDOW (widget);
  const char      *url, *app_id, *key, *secret, *master_key;
  gboolean         insecure;
  g_autofree char *base_url = NULL;
  g_autoptr (CrierRemoteServer) remote = NULL;
  g_autoptr (GError) error = NULL;
  Credentials *credentials;

  g_variant_get (parameter, "(&s&s&s&s&sb)", &url, &app_id, &key, &secret, &master_key, &insecure);
  if (*app_id == '\0' || *key == '\0' || *secret == '\0')
    {
      show_toast (self, _ ("A server address, app id, key and secret are all needed"));
      return;
    }
  /* ws(s):// as a client writes it, or http(s):// as the HTTP API's: the base URL of both */
  if ((base_url = crier_server_url_normalize (url, &error)) == NULL)
    {
      show_toast (self, error->message);
      return;
    }
  detach (self);
  remote = crier_remote_server_new (base_url, app_id, key, secret, insecure);
  g_clear_pointer (&self->attached_credentials, credentials_free);
  credentials = self->attached_credentials = g_new0 (Credentials, 1);
  credentials->base_url = g_strdup (base_url);
  credentials->app_id = g_strdup (app_id);
  credentials->key = g_strdup (key);
  credentials->secret = g_strdup (secret);
  credentials->master_key = *master_key != '\0' ? g_strdup (master_key) : NULL;
  credentials->insecure = insecure;
  self->attached = g_object_ref (CRIER_BACKEND (remote));
  /* State (which the signal group follows too) and problem. */
  g_signal_connect (remote, "notify", G_CALLBACK (attached_state_cb), self);
  crier_remote_server_start (remote);
  show_backend (self, self->attached);
}

static void
show_embedded_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrierWindow *self = CRIER_WINDOW (widget);

  if (self->attached == NULL)
    return;
  show_backend (self, self->embedded);
  detach (self);
  update_status (self);
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

/* "Connect to Server…": the dialog hands what it gathered to win.attach. */
static void
connect_to_server_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  CrierWindow *self = CRIER_WINDOW (widget);
  GSettings   *settings = self->application ? crier_application_get_settings (self->application) : NULL;

  gtk_window_present (GTK_WINDOW (crier_connect_dialog_new (GTK_WINDOW (self), settings)));
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
  detach (self);
  g_clear_pointer (&self->attached_credentials, credentials_free);
  if (self->log != NULL)
    {
      crier_window_set_server (self, NULL);
      show_backend (self, NULL);
    }
  g_clear_object (&self->server_signals);
  g_clear_object (&self->host_signals);
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
    case PROP_EMBEDDED:
      g_value_set_object (value, self->embedded);
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
    case PROP_EMBEDDED:
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

  /* The backend shown. */
  properties[PROP_SERVER] = g_param_spec_object ("server", NULL, NULL, CRIER_TYPE_BACKEND,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                   G_PARAM_STATIC_STRINGS);
  /* The one win.show-embedded goes back to: the application's server. */
  properties[PROP_EMBEDDED] = g_param_spec_object ("embedded", NULL, NULL, CRIER_TYPE_BACKEND,
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
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, embedded_button);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, banner_embedded_button);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, change_port_button);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, CrierWindow, restart_button);
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
  gtk_widget_class_install_action (widget_class, "win.attach", "(sssssb)", attach_action);
  gtk_widget_class_install_action (widget_class, "win.show-embedded", NULL, show_embedded_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.restart-server", NULL);
  gtk_widget_class_install_action (widget_class, "win.connect-to-server", NULL, connect_to_server_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.connect-to-server", NULL);
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
                             G_OBJECT (self->send_page) };

    for (guint i = 0; i < G_N_ELEMENTS (followers); i++)
      g_object_bind_property (self, "server", followers[i], "server", G_BINDING_DEFAULT);
    /* The apps and their credentials are the embedded server's configuration. */
    g_object_bind_property (self, "embedded", self->apps_page, "server", G_BINDING_DEFAULT);
  }
  /* GObject: "notify" is not looked up through an interface's prerequisite. */
  self->server_signals = g_signal_group_new (G_TYPE_OBJECT);
  g_signal_group_connect_swapped (self->server_signals, "notify::state",
                                  G_CALLBACK (update_status), self);
  self->host_signals = g_signal_group_new (CRIER_TYPE_SERVER_HOST);
  g_signal_group_connect_swapped (self->host_signals, "dropped", G_CALLBACK (crier_event_log_count_dropped),
                                  self->log);
  self->monitor_signals = g_signal_group_new (CRIER_TYPE_MONITOR);
  g_signal_group_connect_swapped (self->monitor_signals, "event", G_CALLBACK (monitor_event_cb), self);
  self->application_bindings = g_binding_group_new ();
  g_binding_group_bind (self->application_bindings, "server", self, "embedded", G_BINDING_SYNC_CREATE);
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

/* The backend shown: the embedded server, or one attached with win.attach. */
CrierBackend *
crier_window_get_server (CrierWindow *self)
{
  g_return_val_if_fail (CRIER_IS_WINDOW (self), NULL);
  return self->server;
}

/* The embedded server (without an application, whatever server the window is given):
 * shown at once unless another server is attached, then on win.show-embedded. */
void
crier_window_set_server (CrierWindow  *self,
                         CrierBackend *server)
{
  g_return_if_fail (CRIER_IS_WINDOW (self));
  g_return_if_fail (server == NULL || CRIER_IS_BACKEND (server));

  if (!g_set_object (&self->embedded, server))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMBEDDED]);
  if (self->attached == NULL)
    show_backend (self, server);
  else
    update_status (self);
}
