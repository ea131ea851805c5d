/* crier-preferences-window.c — server address, TLS, log size, start-up, style
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-preferences-window.h"

#include <glib/gi18n.h>

struct _CrierPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;
  GSettings            *settings;
  GtkFileChooserNative *chooser;

  AdwEntryRow   *host_row;
  AdwActionRow  *port_row;
  GtkSpinButton *port_spin;
  GtkSwitch     *start_switch;
  AdwActionRow  *cert_row;
  AdwActionRow  *key_row;
  GtkSpinButton *log_size_spin;
  AdwComboRow   *style_row;
};

G_DEFINE_FINAL_TYPE (CrierPreferencesWindow, crier_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
update_files (CrierPreferencesWindow *self)
{
  g_autofree char *cert = g_settings_get_string (self->settings, "tls-cert");
  g_autofree char *key = g_settings_get_string (self->settings, "tls-key");

  adw_action_row_set_subtitle (self->cert_row, *cert ? cert : _ ("None: plain ws:// and http://"));
  adw_action_row_set_subtitle (self->key_row, *key ? key : _ ("None"));
}

/* The port in use beside the one set here: --port, --config or a free port (0) may differ. */
static void
update_port (CrierPreferencesWindow *self)
{
  GtkApplication  *app = gtk_window_get_application (GTK_WINDOW (self));
  CrierServerHost *server = CRIER_IS_APPLICATION (app) ? crier_application_get_server (CRIER_APPLICATION (app)) : NULL;
  const char      *origin = CRIER_IS_APPLICATION (app) ? crier_application_get_port_origin (CRIER_APPLICATION (app)) : NULL;
  gboolean         running = server != NULL && crier_server_host_is_running (server);
  unsigned         port = 0;
  guint16          wanted;
  g_autofree char *subtitle = NULL;

  g_settings_get (self->settings, "port", "q", &wanted);
  if (server != NULL)
    port = running ? crier_server_host_get_port (server)
                   : crier_config_get_port (crier_server_host_get_config (server));
  if (origin != NULL && running)
    /* Translators: the second %s is a command line option, --port or --config. */
    subtitle = g_strdup_printf (_ ("Listening on %u, set by %s; a port set here replaces it"), port, origin);
  else if (origin != NULL)
    subtitle = g_strdup_printf (_ ("Port %u comes from %s; a port set here replaces it"), port, origin);
  else if (running && port != wanted)
    subtitle = g_strdup_printf (_ ("0 picks a free port; listening on %u now"), port);
  else
    subtitle = g_strdup (_ ("0 picks a free port"));
  adw_action_row_set_subtitle (self->port_row, subtitle);
}

static void
settings_changed_cb (GSettings              *settings,
                     const char             *key,
                     CrierPreferencesWindow *self)
{
  if (g_str_equal (key, "tls-cert") || g_str_equal (key, "tls-key"))
    update_files (self);
  else if (g_str_equal (key, "port"))
    update_port (self);
  else if (g_str_equal (key, "color-scheme"))
    adw_combo_row_set_selected (self->style_row, g_settings_get_enum (settings, "color-scheme"));
}

static void
style_selected_cb (AdwComboRow            *row,
                   GParamSpec             *pspec,
                   CrierPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (row);

  if (selected <= 2 && (int) selected != g_settings_get_enum (self->settings, "color-scheme"))
    g_settings_set_enum (self->settings, "color-scheme", (int) selected);
}

static void
chooser_response_cb (GtkNativeDialog        *dialog,
                     int                     response,
                     CrierPreferencesWindow *self)
{
  const char *key = g_object_get_data (G_OBJECT (dialog), "key");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        g_settings_set_string (self->settings, key, path);
    }
  g_clear_object (&self->chooser);
}

static void
choose_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrierPreferencesWindow *self = CRIER_PREFERENCES_WINDOW (widget);
  const char             *key = g_variant_get_string (parameter, NULL);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (g_str_equal (key, "tls-cert") ? _ ("TLS Certificate")
                                                                             : _ ("TLS Private Key"),
                                               GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _ ("_Select"), NULL);
  g_object_set_data_full (G_OBJECT (self->chooser), "key", g_strdup (key), g_free);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
clear_file_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CrierPreferencesWindow *self = CRIER_PREFERENCES_WINDOW (widget);

  g_settings_set_string (self->settings, g_variant_get_string (parameter, NULL), "");
}

static void
crier_preferences_window_dispose (GObject *object)
{
  CrierPreferencesWindow *self = CRIER_PREFERENCES_WINDOW (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  /* Leaving its application (parent dispose) must not update a half-disposed window. */
  g_signal_handlers_disconnect_by_func (self, update_port, NULL);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (crier_preferences_window_parent_class)->dispose (object);
}

static void
crier_preferences_window_class_init (CrierPreferencesWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crier_preferences_window_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/dev/crier/Crier/ui/crier-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CrierPreferencesWindow, host_row);
  gtk_widget_class_bind_template_child (widget_class, CrierPreferencesWindow, port_row);
  gtk_widget_class_bind_template_child (widget_class, CrierPreferencesWindow, port_spin);
  gtk_widget_class_bind_template_child (widget_class, CrierPreferencesWindow, start_switch);
  gtk_widget_class_bind_template_child (widget_class, CrierPreferencesWindow, cert_row);
  gtk_widget_class_bind_template_child (widget_class, CrierPreferencesWindow, key_row);
  gtk_widget_class_bind_template_child (widget_class, CrierPreferencesWindow, log_size_spin);
  gtk_widget_class_bind_template_child (widget_class, CrierPreferencesWindow, style_row);
  gtk_widget_class_install_action (widget_class, "prefs.choose-file", "s", choose_file_action);
  gtk_widget_class_install_action (widget_class, "prefs.clear-file", "s", clear_file_action);
}

static void
crier_preferences_window_init (CrierPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CrierPreferencesWindow *
crier_preferences_window_new (CrierApplication *application)
{
  CrierPreferencesWindow *self = g_object_new (CRIER_TYPE_PREFERENCES_WINDOW, NULL);

  self->settings = g_object_ref (crier_application_get_settings (application));
  g_settings_bind (self->settings, "host", self->host_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "port", self->port_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "start-server", self->start_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "log-size", self->log_size_spin, "value", G_SETTINGS_BIND_DEFAULT);
  adw_combo_row_set_selected (self->style_row, g_settings_get_enum (self->settings, "color-scheme"));
  g_signal_connect (self->style_row, "notify::selected", G_CALLBACK (style_selected_cb), self);
  g_signal_connect (self->settings, "changed", G_CALLBACK (settings_changed_cb), self);
  update_files (self);
  /* The application is set after construction; it says when its server starts or moves. */
  g_signal_connect (self, "notify::application", G_CALLBACK (update_port), NULL);
  g_signal_connect_object (application, "notify::server", G_CALLBACK (update_port), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (application, "notify::running", G_CALLBACK (update_port), self, G_CONNECT_SWAPPED);
  update_port (self);
  return self;
}
