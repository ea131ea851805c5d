/* crier-application.c — the dashboard: one window, one embedded server, the settings
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-application.h"

#include <glib/gi18n.h>

#include "crier-config-writer.h"
#include "crier-preferences-window.h"
#include "crier-server-options.h"
#include "crier-thread-priority.h"
#include "crier-window.h"

#define RETIRE_GRACE_MS 3000

/* The server is replaced, not reconfigured, when it starts: apps are fixed for the life
 * of a CrierServer, and a fresh one (on a thread of its own, CrierServerHost) takes the
 * current settings. A stopped server stays
 * alive a little longer so its clients get a clean close (4200, reconnect). */
struct _CrierApplication
{
  AdwApplication   parent_instance;
  GSettings       *settings;
  CrierServerHost *server;
  char            *server_error;
  gboolean         port_in_use;
  /* the command line (GApplication parses into it); it wins over the settings */
  CrierServerOptions options;
  char              *config_path; /* --config (canonical) or the user's crier.conf */
  gboolean           explicit_config;
  /* The user set a port in the preferences (Change Port…) after --port or --config chose
   * one: from then on this run listens where the preferences say. */
  gboolean port_chosen;
};

G_DEFINE_FINAL_TYPE (CrierApplication, crier_application, ADW_TYPE_APPLICATION)

enum
{
  PROP_0,
  PROP_SERVER,
  PROP_SERVER_ERROR,
  PROP_PORT_IN_USE,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
retire_cb (gpointer user_data)
{
  g_object_unref (user_data);
  return G_SOURCE_REMOVE;
}

static void
server_running_cb (CrierServerHost  *server,
                   GParamSpec       *pspec,
                   CrierApplication *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "server-running");

  g_simple_action_set_state (G_SIMPLE_ACTION (action),
                             g_variant_new_boolean (crier_server_host_is_running (server)));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
set_server_error (CrierApplication *self,
                  const char       *message,
                  gboolean          port_in_use)
{
  g_free (self->server_error);
  self->server_error = g_strdup (message);
  self->port_in_use = port_in_use;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_ERROR]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT_IN_USE]);
}

/* Where apps added in the window are saved when no --config was given. */
static char *
dup_user_config_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "crier", "crier.conf", NULL);
}

static CrierConfig *
build_config (CrierApplication *self,
              GError          **error)
{
  g_autoptr (CrierConfig) config = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;

  if (self->explicit_config || g_file_test (self->config_path, G_FILE_TEST_EXISTS))
    {
      config = crier_config_new ();
      if (!crier_config_load_file (config, self->config_path, error))
        return NULL;
    }
  else
    config = crier_config_new_from_environment ();
  /* --config decides host, port and TLS unless an option says otherwise; without it the
   * preferences do. */
  if (!self->explicit_config)
    {
      g_autofree char *host = g_settings_get_string (self->settings, "host");
      guint16          port;

      g_settings_get (self->settings, "port", "q", &port);
      crier_config_set_host (config, host);
      crier_config_set_port (config, port);
      cert = g_settings_get_string (self->settings, "tls-cert");
      key = g_settings_get_string (self->settings, "tls-key");
      crier_config_set_tls (config, *cert ? cert : NULL, *key ? key : NULL);
    }
  /* Checked in handle_local_options already; this cannot fail any more. */
  if (!crier_server_options_apply (&self->options, config, error))
    return NULL;
  if (self->port_chosen)
    {
      guint16 port;

      g_settings_get (self->settings, "port", "q", &port);
      crier_config_set_port (config, port);
    }
  return g_steal_pointer (&config);
}

/* Two configs built alike: the window keeps one to show (apps, keys), the server's thread
 * takes the other; the window never touches the server's after this. */
static CrierServerHost *
new_host (CrierApplication *self,
          CrierConfig      *config,
          GError          **error)
{
  g_autoptr (CrierConfig) server_config = build_config (self, error);

  if (server_config == NULL)
    return NULL;
  crier_config_set_port (server_config, crier_config_get_port (config));
  return crier_server_host_new (config, server_config);
}

static void
replace_server (CrierApplication *self,
                CrierServerHost  *server)
{
  if (self->server != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->server, self);
      if (crier_server_host_is_running (self->server))
        crier_server_host_stop (self->server, CRIER_CODE_RECONNECT, "Server restarted from the dashboard");
      g_timeout_add (RETIRE_GRACE_MS, retire_cb, g_steal_pointer (&self->server));
    }
  self->server = server ? g_object_ref (server) : NULL;
  if (server != NULL)
    g_signal_connect (server, "notify::running", G_CALLBACK (server_running_cb), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER]);
}

/* Starts a fresh server with the current settings. A failure (port in use, bad TLS
 * files, bad config) is shown in the window, never fatal. */
gboolean
crier_application_start_server (CrierApplication *self)
{
  g_autoptr (CrierConfig) config = NULL;
  g_autoptr (CrierServerHost) server = NULL;
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (CRIER_IS_APPLICATION (self), FALSE);

  if ((config = build_config (self, &error)) == NULL)
    {
      set_server_error (self, error->message, FALSE);
      return FALSE;
    }
  /* The old server lets go of the port before the new one binds it; a port the kernel
   * chose (0) stays, so that clients reconnect to the same address. */
  if (self->server != NULL && crier_server_host_is_running (self->server))
    {
      if (crier_config_get_port (config) == 0)
        crier_config_set_port (config, crier_server_host_get_port (self->server));
      crier_server_host_stop (self->server, CRIER_CODE_RECONNECT, "Server restarted from the dashboard");
    }
  if ((server = new_host (self, config, &error)) == NULL)
    {
      set_server_error (self, error->message, FALSE);
      return FALSE;
    }
  replace_server (self, server);
  if (!crier_server_host_start (server, &error))
    {
      gboolean in_use = g_error_matches (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_ADDRESS_IN_USE);
      /* The core gives the code; the window words its own way out. */
      g_autofree char *message = in_use ? g_strdup_printf (_ ("Port %u on %s is already in use (by another Crier, soketi or laravel-websockets?). Change the port, or stop the other server and retry."),
                                                           crier_config_get_port (config), crier_config_get_host (config))
                                        : g_strdup (error->message);

      g_warning ("%s", error->message);
      set_server_error (self, message, in_use);
      server_running_cb (server, NULL, self);
      return FALSE;
    }
  g_debug ("server listening on port %u", crier_server_host_get_port (server));
  set_server_error (self, NULL, FALSE);
  server_running_cb (server, NULL, self);
  return TRUE;
}

/* Stop with 4200 and start again (the header's Restart button): Echo reconnects. */
gboolean
crier_application_restart_server (CrierApplication *self)
{
  g_return_val_if_fail (CRIER_IS_APPLICATION (self), FALSE);
  return crier_application_start_server (self);
}

void
crier_application_stop_server (CrierApplication *self)
{
  g_return_if_fail (CRIER_IS_APPLICATION (self));
  if (self->server != NULL && crier_server_host_is_running (self->server))
    crier_server_host_stop (self->server, CRIER_CODE_RECONNECT, "Server stopped from the dashboard");
}

/* A server that does not listen yet: the window shows its apps, start listens. */
static void
prepare_stopped_server (CrierApplication *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CrierConfig) config = build_config (self, &error);
  g_autoptr (CrierServerHost) server = NULL;

  if (config == NULL)
    {
      set_server_error (self, error->message, FALSE);
      return;
    }
  if ((server = new_host (self, config, &error)) == NULL)
    {
      set_server_error (self, error->message, FALSE);
      return;
    }
  replace_server (self, server);
  server_running_cb (server, NULL, self);
}

static void
save_apps_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (CrierApplication) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_warning ("cannot save the apps: %s", error->message);
      set_server_error (self, error->message, FALSE);
      return;
    }
  /* Apps are fixed for the life of a server: a new one takes the saved file. */
  if (self->server == NULL || crier_server_host_is_running (self->server))
    crier_application_start_server (self);
  else
    prepare_stopped_server (self);
}

/* Writes apps into the config file (comments and other sections kept) and restarts the
 * server with them; the file is written asynchronously. */
gboolean
crier_application_save_apps (CrierApplication *self,
                             GPtrArray        *apps,
                             GError          **error)
{
  g_autofree char *existing = NULL;
  g_autofree char *text = NULL;
  g_autofree char *dir = NULL;
  g_autoptr (GFile) file = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (CrierConfig) check = crier_config_new ();

  g_return_val_if_fail (CRIER_IS_APPLICATION (self), FALSE);

  /* A small local file read at a user's click; the write is asynchronous. */
  g_file_get_contents (self->config_path, &existing, NULL, NULL);
  if ((text = crier_config_write_apps (existing, apps, error)) == NULL)
    return FALSE;
  if (!crier_config_load_data (check, text, self->config_path, error))
    return FALSE;
  dir = g_path_get_dirname (self->config_path);
  g_mkdir_with_parents (dir, 0700);
  file = g_file_new_for_path (self->config_path);
  bytes = g_bytes_new (text, strlen (text));
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL,
                                       save_apps_cb, g_object_ref (self));
  return TRUE;
}

static void
server_running_action (GSimpleAction *action,
                       GVariant      *state,
                       gpointer       user_data)
{
  CrierApplication *self = user_data;

  if (g_variant_get_boolean (state))
    crier_application_start_server (self);
  else
    crier_application_stop_server (self);
}

static void
server_restart_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  crier_application_restart_server (user_data);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  CrierApplication *self = user_data;
  /* Closing a window takes it out of the application's list (and the preferences go
   * with the dashboard): walk a copy that keeps each window alive. */
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  for (GList *l = windows; l != NULL; l = l->next)
    g_object_ref (l->data);
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free_full (windows, g_object_unref);
  g_application_quit (G_APPLICATION (self));
}

/* The application's most recently focused window of type, or NULL. */
static GtkWindow *
find_window (CrierApplication *self,
             GType             type)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type))
      return l->data;
  return NULL;
}

/* A port typed into the preferences is the user's latest word: it beats --port and the
 * port of --config for the rest of this run (the next restart listens there). */
static void
port_changed_cb (CrierApplication *self)
{
  if (self->options.port != NULL || self->explicit_config)
    self->port_chosen = TRUE;
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  CrierApplication       *self = user_data;
  GtkWindow              *parent = find_window (self, CRIER_TYPE_WINDOW);
  CrierPreferencesWindow *prefs = NULL;

  /* One preferences window (the menu, Ctrl+, and the banner's "Change Port…" all ask). */
  if ((prefs = (CrierPreferencesWindow *) find_window (self, CRIER_TYPE_PREFERENCES_WINDOW)) != NULL)
    {
      gtk_window_present (GTK_WINDOW (prefs));
      return;
    }
  prefs = crier_preferences_window_new (self);
  /* Without the application its buttons cannot reach app.* (Restart Now stayed
   * insensitive); with it, it must not outlive the window it belongs to. */
  gtk_window_set_application (GTK_WINDOW (prefs), GTK_APPLICATION (self));
  gtk_window_set_transient_for (GTK_WINDOW (prefs), parent);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (prefs), TRUE);
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  CrierApplication *self = user_data;
  GtkWindow        *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char       *developers[] = { _ ("The Crier developers"), NULL };

  /* The URLs are the metainfo's (data/dev.crier.Crier.metainfo.xml.in). */
  adw_show_about_window (parent,
                         "application-name", "Crier",
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", _ ("The Crier developers"),
                         "developers", developers,
                         "comments", _ ("A Pusher-compatible WebSocket server with a live debug dashboard"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "website", "https://github.com/crier-dev/crier",
                         "issue-url", "https://github.com/crier-dev/crier/issues",
                         /* Translators: your name and e-mail address, one translator a line:
                          * the About window lists them under Translated by */
                         "translator-credits", _ ("translator-credits"),
                         NULL);
}

/* app.attach (sssssb): the dashboard window's win.attach, for whoever reaches the
 * application and not a window (gapplication action, D-Bus: a launcher, the e2e test). */
static void
attach_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  GtkWindow *window = find_window (CRIER_APPLICATION (user_data), CRIER_TYPE_WINDOW);

  if (window != NULL)
    gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.attach", parameter);
}

static const GActionEntry app_actions[] = {
  { "server-running", NULL, NULL, "false", server_running_action },
  { "server-restart", server_restart_action },
  { "preferences", preferences_action },
  { "about", about_action },
  { "quit", quit_action },
  { "attach", attach_action, "(sssssb)" },
};

static void
color_scheme_changed_cb (GSettings        *settings,
                         const char       *key,
                         CrierApplication *self)
{
  static const AdwColorScheme schemes[] = { ADW_COLOR_SCHEME_DEFAULT, ADW_COLOR_SCHEME_FORCE_LIGHT,
                                            ADW_COLOR_SCHEME_FORCE_DARK };
  int                         scheme = g_settings_get_enum (settings, "color-scheme");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      schemes[CLAMP (scheme, 0, 2)]);
}

static int
crier_application_handle_local_options (GApplication *app,
                                        GVariantDict *options)
{
  CrierApplication      *self = CRIER_APPLICATION (app);
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autoptr (GError) error = NULL;

  /* g_settings_new () aborts on a missing schema: say what to do instead. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_printerr (_ ("crier: the settings schema %s is not installed; run “meson devenv -C BUILDDIR crier”, set GSETTINGS_SCHEMA_DIR, or install Crier\n"),
                  APP_ID);
      return 1;
    }

  /* The server options were parsed into self->options (their entries have arg_data), so
   * @options does not hold them; bad values are refused as crier --server refuses them. */
  if (!crier_server_options_check (&self->options, &error))
    {
      g_printerr ("crier: %s\n", error->message);
      return 2;
    }
  if (self->options.config_path != NULL)
    {
      self->explicit_config = TRUE;
      self->config_path = g_canonicalize_filename (self->options.config_path, NULL);
    }

  /* A running Crier only raises its window: say so rather than drop the options unseen. */
  if (!crier_server_options_is_empty (&self->options))
    {
      if (!g_application_register (app, NULL, &error))
        {
          g_printerr ("crier: %s\n", error->message);
          return 1;
        }
      if (g_application_get_is_remote (app))
        g_printerr (_ ("crier: Crier is already running; its window is raised and keeps its server. "
                       "Quit it first to start with other options, or change them in its Preferences.\n"));
    }
  return -1; /* go on: register, then activate here or in the running instance */
}

static void
crier_application_startup (GApplication *app)
{
  CrierApplication  *self = CRIER_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (crier_application_parent_class)->startup (app);
  /* Drawing yields the CPU to the server the window shows; the server's threads keep the
   * process's priority (crier-thread-priority.c). */
  crier_thread_priority_lower_current (CRIER_THREAD_PRIORITY_FRONT_END_NICE);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  self->settings = g_settings_new (APP_ID);
  g_signal_connect (self->settings, "changed::color-scheme", G_CALLBACK (color_scheme_changed_cb), self);
  g_signal_connect_object (self->settings, "changed::port", G_CALLBACK (port_changed_cb), self, G_CONNECT_SWAPPED);
  color_scheme_changed_cb (self->settings, "color-scheme", self);
  if (self->config_path == NULL)
    self->config_path = dup_user_config_path ();
  if (g_settings_get_boolean (self->settings, "start-server") || self->explicit_config ||
      self->options.port != NULL)
    crier_application_start_server (self);
  else
    prepare_stopped_server (self);
}

static void
crier_application_activate (GApplication *app)
{
  CrierApplication *self = CRIER_APPLICATION (app);
  GtkWindow        *window = find_window (self, CRIER_TYPE_WINDOW);

  /* A second `crier` lands here in the first one: raise its window (the dashboard, not
   * the preferences, which are an application window too). */
  if (window == NULL)
    window = GTK_WINDOW (crier_window_new (self));
  gtk_window_present (window);
}

static void
crier_application_shutdown (GApplication *app)
{
  CrierApplication *self = CRIER_APPLICATION (app);

  crier_application_stop_server (self);
  G_APPLICATION_CLASS (crier_application_parent_class)->shutdown (app);
}

static void
crier_application_dispose (GObject *object)
{
  CrierApplication *self = CRIER_APPLICATION (object);

  if (self->server != NULL)
    g_signal_handlers_disconnect_by_data (self->server, self);
  g_clear_object (&self->server);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (crier_application_parent_class)->dispose (object);
}

static void
crier_application_finalize (GObject *object)
{
  CrierApplication *self = CRIER_APPLICATION (object);

  g_free (self->server_error);
  g_free (self->config_path);
  crier_server_options_clear (&self->options);
  G_OBJECT_CLASS (crier_application_parent_class)->finalize (object);
}

static void
crier_application_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CrierApplication *self = CRIER_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    case PROP_SERVER_ERROR:
      g_value_set_string (value, self->server_error);
      break;
    case PROP_PORT_IN_USE:
      g_value_set_boolean (value, self->port_in_use);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->server != NULL && crier_server_host_is_running (self->server));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_application_class_init (CrierApplicationClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  GParamFlags        flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = crier_application_dispose;
  object_class->finalize = crier_application_finalize;
  object_class->get_property = crier_application_get_property;
  app_class->handle_local_options = crier_application_handle_local_options;
  app_class->startup = crier_application_startup;
  app_class->activate = crier_application_activate;
  app_class->shutdown = crier_application_shutdown;

  properties[PROP_SERVER] = g_param_spec_object ("server", NULL, NULL, CRIER_TYPE_SERVER_HOST, flags);
  properties[PROP_SERVER_ERROR] = g_param_spec_string ("server-error", NULL, NULL, NULL, flags);
  properties[PROP_PORT_IN_USE] = g_param_spec_boolean ("port-in-use", NULL, NULL, FALSE, flags);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crier_application_init (CrierApplication *self)
{
  /* The table crier --server uses; GApplication copies it and parses into self->options. */
  g_autofree GOptionEntry *entries = crier_server_options_dup_entries (&self->options);

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _ ("A Pusher-compatible WebSocket server with a live debug dashboard."));
  /* --server and send never reach the GApplication: main.c hands them to the terminal front end. */
  g_application_set_option_context_description (G_APPLICATION (self),
                                                _ ("“crier --server” runs the server without a window; “crier --server --help” lists its options.\n"
                                                   "“crier send --help” shows how to fire test events and notifications from the terminal."));
}

CrierApplication *
crier_application_new (void)
{
  return g_object_new (CRIER_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/dev/crier/Crier",
                       NULL);
}

GSettings *
crier_application_get_settings (CrierApplication *self)
{
  g_return_val_if_fail (CRIER_IS_APPLICATION (self), NULL);
  return self->settings;
}

CrierServerHost *
crier_application_get_server (CrierApplication *self)
{
  g_return_val_if_fail (CRIER_IS_APPLICATION (self), NULL);
  return self->server;
}

const char *
crier_application_get_server_error (CrierApplication *self)
{
  g_return_val_if_fail (CRIER_IS_APPLICATION (self), NULL);
  return self->server_error;
}

const char *
crier_application_get_config_path (CrierApplication *self)
{
  g_return_val_if_fail (CRIER_IS_APPLICATION (self), NULL);
  return self->config_path;
}

/* Returns: (nullable) (transfer none): what decides the port instead of the preferences
 * ("--port", "--config"), or NULL when the preferences do. */
const char *
crier_application_get_port_origin (CrierApplication *self)
{
  g_return_val_if_fail (CRIER_IS_APPLICATION (self), NULL);
  if (self->port_chosen)
    return NULL;
  if (self->options.port != NULL)
    return "--port";
  if (self->explicit_config)
    return "--config";
  return NULL;
}
