/* test-application.c — the application as it runs (g_application_run): the preferences
 * change the settings and take effect (TLS files through the file chooser portal); "start
 * the server on launch" decides the next launch; a port in use is explained in the banner
 * and recovered from; quit closes every window
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "crier-connections-page.h"
#include "crier-gui-test-utils.h"
#include "crier-log-page.h"
#include "crier-preferences-window.h"
#include "crier-window.h"

/* The app's own apps when there is no config file (crier_config_new_from_environment). */
#define ENV_APP_ID "app-id"

typedef void (*AppTestFunc) (CrierApplication *app,
                             CrierWindow      *win);

typedef struct
{
  AppTestFunc func;
  gboolean    ran;
} AppTest;

/* The application warns (g_warning) when its server cannot start: GTest makes that fatal,
 * and GLib 2.74's g_test_expect_message() does not see structured logging. This writer
 * swallows and counts the warnings a test expects and passes everything else on. */
static const char *expected_warning;
static guint       n_expected_warnings;

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL, *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
    else if (g_str_equal (fields[i].key, "MESSAGE"))
      message = fields[i].value;
  if ((level & G_LOG_LEVEL_WARNING) && expected_warning != NULL && g_strcmp0 (domain, "crier-gui") == 0 &&
      message != NULL && g_pattern_match_simple (expected_warning, message))
    {
      n_expected_warnings++;
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
reset_settings (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  g_autoptr (GSettingsSchema) schema = NULL;
  g_auto (GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
}

static gboolean
run_test_cb (gpointer user_data)
{
  GApplication *app = g_application_get_default ();
  AppTest      *test = user_data;
  CrierWindow  *win = CRIER_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));

  g_assert_nonnull (win);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 1);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_object_ref (win);
  test->func (CRIER_APPLICATION (app), win);
  test->ran = TRUE;

  /* Closing the last window ends g_application_run () (unless func quit already). */
  if (gtk_window_get_application (GTK_WINDOW (win)) != NULL)
    gtk_window_close (GTK_WINDOW (win));
  crier_test_drain ();
  g_assert_finalize_object (win);
  return G_SOURCE_REMOVE;
}

static void
activate_cb (GApplication *app,
             AppTest      *test)
{
  g_idle_add (run_test_cb, test);
}

/* Runs the application like main () does, on gui-run's private session bus; func runs
 * once the window is up. Settings (the memory backend) outlive it, like on disk. */
static void
run_app_with_args (AppTestFunc func,
                   const char *arg,
                   const char *value)
{
  CrierApplication *app = crier_application_new ();
  char             *argv[] = { (char *) "crier", (char *) arg, (char *) value, NULL };
  AppTest           test = { func, FALSE };

  g_signal_connect_after (app, "activate", G_CALLBACK (activate_cb), &test);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), arg != NULL ? 3 : 1, argv), ==, 0);
  g_assert_true (test.ran);
  crier_test_drain ();
  g_assert_finalize_object (app);
}

static void
run_app (AppTestFunc func)
{
  run_app_with_args (func, NULL, NULL);
}

static unsigned
free_port (const char *host)
{
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (host);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (inet, 0);
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, NULL);

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  local = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
}

/* Something else listening on 127.0.0.1: another Crier, soketi, laravel-websockets. */
static GSocket *
occupy_port (unsigned *port)
{
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) inet = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (inet, 0);
  g_autoptr (GSocketAddress) local = NULL;

  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  g_assert_true (g_socket_listen (socket, NULL));
  local = g_socket_get_local_address (socket, NULL);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  return g_steal_pointer (&socket);
}

static gboolean
can_connect (const char *host,
             unsigned    port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;

  /* A local connect completes in the kernel's backlog: no main loop needed. */
  connection = g_socket_client_connect_to_host (client, host, port, NULL, NULL);
  return connection != NULL;
}

static GObject *
template_child (gpointer    widget,
                GType       type,
                const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return child;
}

/* The first button under root bound to action: what a click reaches. */
static GtkWidget *
find_button (GtkWidget  *root,
             const char *action)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
click (GtkWidget  *root,
       const char *action)
{
  GtkWidget *button = find_button (root, action);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static gpointer
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window; /* the toplevel list keeps it alive */
    }
  return NULL;
}

/* Opened as the main menu, Ctrl+, and the banner's "Change Port…" do: app.preferences. */
static CrierPreferencesWindow *
open_preferences (CrierApplication *app,
                  CrierWindow      *win)
{
  CrierPreferencesWindow *prefs;

  g_assert_null (find_toplevel (CRIER_TYPE_PREFERENCES_WINDOW));
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  prefs = find_toplevel (CRIER_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (prefs);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (prefs)) == GTK_WINDOW (win));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (prefs));
  return prefs;
}

static void
close_preferences (CrierPreferencesWindow *prefs)
{
  g_object_ref (prefs);
  gtk_window_close (GTK_WINDOW (prefs));
  crier_test_drain ();
  g_assert_finalize_object (prefs);
}

static GtkSpinButton *
prefs_spin (CrierPreferencesWindow *prefs,
            const char             *name)
{
  return GTK_SPIN_BUTTON (template_child (prefs, CRIER_TYPE_PREFERENCES_WINDOW, name));
}

static const char *
row_subtitle (CrierPreferencesWindow *prefs,
              const char             *name)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (template_child (prefs, CRIER_TYPE_PREFERENCES_WINDOW, name)));
}

static const char *
window_label (CrierWindow *win,
              const char  *name)
{
  return gtk_label_get_label (GTK_LABEL (template_child (win, CRIER_TYPE_WINDOW, name)));
}

static gboolean
banner_shown (CrierWindow *win)
{
  GtkRevealer *revealer = GTK_REVEALER (template_child (win, CRIER_TYPE_WINDOW, "banner_revealer"));

  return gtk_revealer_get_reveal_child (revealer) && gtk_revealer_get_child_revealed (revealer) &&
         gtk_widget_get_mapped (GTK_WIDGET (template_child (win, CRIER_TYPE_WINDOW, "banner_label")));
}

static gboolean
banner_hidden (CrierWindow *win)
{
  GtkRevealer *revealer = GTK_REVEALER (template_child (win, CRIER_TYPE_WINDOW, "banner_revealer"));

  return !gtk_revealer_get_reveal_child (revealer) && !gtk_revealer_get_child_revealed (revealer);
}

static gboolean
server_running (CrierApplication *app)
{
  CrierServerHost *server = crier_application_get_server (app);

  return server != NULL && crier_server_host_is_running (server);
}

static char *
dup_setting (GSettings  *settings,
             const char *key)
{
  return g_settings_get_string (settings, key);
}

/* The file chooser portal (org.freedesktop.portal.FileChooser), as xdg-desktop-portal
 * serves it to Flatpak apps, played by the test on gui-run's session bus: GDK_DEBUG=portals
 * makes GtkFileChooserNative use it here too. It records the request and answers with the
 * file a user would pick (or cancels when there is none). */
typedef struct
{
  GDBusConnection *connection;
  guint            owner_id;
  guint            object_id;
  gboolean         owned;
  guint            n_requests;
  char            *title;
  char            *parent_window;
  gboolean         modal;
  char            *sender; /* of the last request */
  char            *handle; /* its org.freedesktop.portal.Request */
} FakePortal;

static FakePortal portal;

static const char portal_xml[] =
  "<node><interface name='org.freedesktop.portal.FileChooser'>"
  "<method name='OpenFile'><arg type='s' name='parent_window' direction='in'/>"
  "<arg type='s' name='title' direction='in'/><arg type='a{sv}' name='options' direction='in'/>"
  "<arg type='o' name='handle' direction='out'/></method>"
  "<property name='version' type='u' access='read'/>"
  "</interface></node>";

static void
portal_method_call (GDBusConnection       *connection,
                    const char            *sender,
                    const char            *object_path,
                    const char            *interface_name,
                    const char            *method_name,
                    GVariant              *parameters,
                    GDBusMethodInvocation *invocation,
                    gpointer               user_data)
{
  g_autoptr (GVariant) options = NULL;
  g_autofree char *escaped = g_strdelimit (g_strdup (sender + 1), ".", '_');
  const char      *token = NULL;

  portal.n_requests++;
  g_clear_pointer (&portal.title, g_free);
  g_clear_pointer (&portal.parent_window, g_free);
  g_variant_get (parameters, "(ss@a{sv})", &portal.parent_window, &portal.title, &options);
  portal.modal = FALSE;
  g_variant_lookup (options, "modal", "b", &portal.modal);
  g_assert_true (g_variant_lookup (options, "handle_token", "&s", &token));
  g_free (portal.sender);
  portal.sender = g_strdup (sender);
  g_free (portal.handle);
  portal.handle = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", escaped, token);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", portal.handle));
}

/* The user picks path (NULL: cancels): the Request's Response, 0 with the chosen files,
 * 1 when cancelled. Later than the method's return, as from a person. */
static void
fake_portal_respond (const char *path)
{
  g_autofree char *uri = path ? g_filename_to_uri (path, NULL, NULL) : NULL;
  const char      *uris[] = { uri, NULL };
  GVariantDict     results;

  g_variant_dict_init (&results, NULL);
  g_variant_dict_insert_value (&results, "uris", g_variant_new_strv (uris, -1));
  g_assert_true (g_dbus_connection_emit_signal (portal.connection, portal.sender, portal.handle,
                                                "org.freedesktop.portal.Request", "Response",
                                                g_variant_new ("(u@a{sv})", path ? 0 : 1,
                                                               g_variant_dict_end (&results)),
                                                NULL));
}

static GVariant *
portal_get_property (GDBusConnection *connection,
                     const char      *sender,
                     const char      *object_path,
                     const char      *interface_name,
                     const char      *property_name,
                     GError         **error,
                     gpointer         user_data)
{
  return g_variant_new_uint32 (3);
}

static void
portal_name_acquired_cb (GDBusConnection *connection,
                         const char      *name,
                         gpointer         user_data)
{
  portal.owned = TRUE;
}

static void
fake_portal_start (void)
{
  static const GDBusInterfaceVTable vtable = { portal_method_call, portal_get_property, NULL };
  g_autoptr (GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (portal_xml, NULL);

  portal.connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_assert_nonnull (portal.connection);
  portal.object_id = g_dbus_connection_register_object (portal.connection, "/org/freedesktop/portal/desktop",
                                                        node->interfaces[0], &vtable, NULL, NULL, NULL);
  g_assert_cmpuint (portal.object_id, >, 0);
  portal.owner_id = g_bus_own_name_on_connection (portal.connection, "org.freedesktop.portal.Desktop",
                                                  G_BUS_NAME_OWNER_FLAGS_NONE, portal_name_acquired_cb, NULL,
                                                  NULL, NULL);
  crier_test_wait_until (portal.owned, CRIER_TEST_TIMEOUT);
}

static void
fake_portal_stop (void)
{
  g_clear_handle_id (&portal.owner_id, g_bus_unown_name);
  g_dbus_connection_unregister_object (portal.connection, portal.object_id);
  g_clear_object (&portal.connection);
  g_clear_pointer (&portal.title, g_free);
  g_clear_pointer (&portal.parent_window, g_free);
  g_clear_pointer (&portal.sender, g_free);
  g_clear_pointer (&portal.handle, g_free);
  portal = (FakePortal){ 0 };
}

/* The user presses the row's "Choose…" button and picks path in the file chooser. */
static void
choose_file (CrierPreferencesWindow *prefs,
             const char             *key,
             const char             *path,
             const char             *title)
{
  GSettings       *settings = crier_application_get_settings (CRIER_APPLICATION (g_application_get_default ()));
  guint            n_requests = portal.n_requests;
  g_autofree char *before = dup_setting (settings, key);
  g_autofree char *after = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.choose-file", "s", key));
  crier_test_wait_until (portal.n_requests > n_requests, 30); /* it builds the fallback dialog first */
  g_assert_cmpuint (portal.n_requests, ==, n_requests + 1);
  g_assert_cmpstr (portal.title, ==, title);
  g_assert_true (portal.modal);
  g_assert_true (g_str_has_prefix (portal.parent_window, "x11:")); /* over the preferences */
  /* While it is open, the row's button does not open a second one. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.choose-file", "s", key));
  crier_test_drain ();
  fake_portal_respond (path);
  /* Done with it, the preferences let the chooser go (its hidden fallback dialog too). */
  crier_test_wait_until (find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) == NULL, CRIER_TEST_TIMEOUT);
  after = dup_setting (settings, key);
  g_assert_cmpstr (after, ==, path ? path : before);
  g_assert_cmpuint (portal.n_requests, ==, n_requests + 1);
}

static void
preferences_test (CrierApplication *app,
                  CrierWindow      *win)
{
  GSettings              *settings = crier_application_get_settings (app);
  CrierEventLog          *log = CRIER_EVENT_LOG (crier_gui_test_model (win, "event-log"));
  unsigned                port = crier_server_host_get_port (crier_application_get_server (app));
  unsigned                new_port = free_port ("127.0.0.2");
  g_autofree char        *host = NULL;
  g_autofree char        *address = NULL;
  guint16                 saved_port = 0;
  CrierPreferencesWindow *prefs;
  AdwStyleManager        *style = adw_style_manager_get_default ();
  AdwComboRow            *style_row;
  GtkSwitch              *start_switch;
  const char             *channels[] = { "orders", NULL };
  guint64                 total;

  g_assert_true (server_running (app));
  prefs = open_preferences (app, win);
  /* Asked again (Ctrl+, the banner's "Change Port…"): the same window comes up. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  g_assert_true (find_toplevel (CRIER_TYPE_PREFERENCES_WINDOW) == prefs);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (app))), ==, 2);

  /* The widgets show the settings. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (template_child (prefs, CRIER_TYPE_PREFERENCES_WINDOW, "host_row"))),
                   ==, "127.0.0.1");
  g_assert_cmpuint (gtk_spin_button_get_value_as_int (prefs_spin (prefs, "port_spin")), ==, port);
  g_assert_cmpuint (gtk_spin_button_get_value_as_int (prefs_spin (prefs, "log_size_spin")), ==, 100000);
  g_assert_cmpstr (row_subtitle (prefs, "cert_row"), ==, "None: plain ws:// and http://");
  g_assert_cmpstr (row_subtitle (prefs, "key_row"), ==, "None");

  /* Event log size: the window's log is bounded by it at once. */
  gtk_spin_button_set_value (prefs_spin (prefs, "log_size_spin"), 100);
  g_assert_cmpuint (g_settings_get_uint (settings, "log-size"), ==, 100);
  g_assert_cmpuint (crier_event_log_get_capacity (log), ==, 100);
  total = crier_event_log_get_total (log);
  for (int i = 0; i < 150; i++)
    crier_backend_publish (CRIER_BACKEND (crier_application_get_server (app)), ENV_APP_ID, channels, "tick", "{}",
                           NULL, NULL, NULL, NULL);
  crier_test_wait_until ((crier_gui_test_flush (win), crier_event_log_get_total (log) >= total + 150),
                         CRIER_TEST_TIMEOUT);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 100);
  g_assert_cmpuint (crier_event_log_get_total (log), >=, 150);

  /* Address and port: saved at once, used when the server (re)starts. */
  gtk_editable_set_text (GTK_EDITABLE (template_child (prefs, CRIER_TYPE_PREFERENCES_WINDOW, "host_row")), "127.0.0.2");
  gtk_spin_button_set_value (prefs_spin (prefs, "port_spin"), new_port);
  host = g_settings_get_string (settings, "host");
  g_assert_cmpstr (host, ==, "127.0.0.2");
  g_settings_get (settings, "port", "q", &saved_port);
  g_assert_cmpuint (saved_port, ==, new_port);
  g_assert_cmpuint (crier_server_host_get_port (crier_application_get_server (app)), ==, port);
  click (GTK_WIDGET (prefs), "app.server-restart"); /* "Restart Now" */
  g_assert_true (server_running (app));
  g_assert_cmpuint (crier_server_host_get_port (crier_application_get_server (app)), ==, new_port);
  g_assert_true (can_connect ("127.0.0.2", new_port));
  g_assert_false (can_connect ("127.0.0.1", new_port)); /* bound to that address only */
  g_assert_false (can_connect ("127.0.0.1", port));     /* the old server let go */
  address = g_strdup_printf ("ws://127.0.0.2:%u", new_port);
  g_assert_cmpstr (window_label (win, "status_label"), ==, address);

  /* Style: the combo row sets the key, the key sets libadwaita's color scheme; the row
   * follows the key when it changes elsewhere. */
  style_row = ADW_COMBO_ROW (template_child (prefs, CRIER_TYPE_PREFERENCES_WINDOW, "style_row"));
  g_assert_cmpuint (adw_combo_row_get_selected (style_row), ==, 0);
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_DEFAULT);
  adw_combo_row_set_selected (style_row, 2);
  g_assert_cmpint (g_settings_get_enum (settings, "color-scheme"), ==, 2);
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));
  adw_combo_row_set_selected (style_row, 1);
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_assert_false (adw_style_manager_get_dark (style));
  g_settings_set_enum (settings, "color-scheme", 0); /* "Follow System" */
  g_assert_cmpuint (adw_combo_row_get_selected (style_row), ==, 0);
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_DEFAULT);

  /* Start on launch: saved here; the next launch is /application/start-server-setting's. */
  start_switch = GTK_SWITCH (template_child (prefs, CRIER_TYPE_PREFERENCES_WINDOW, "start_switch"));
  g_assert_true (gtk_switch_get_active (start_switch));
  gtk_switch_set_active (start_switch, FALSE);
  g_assert_false (g_settings_get_boolean (settings, "start-server"));
  close_preferences (prefs);
}

static void
test_preferences (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);

  reset_settings ();
  g_settings_set_value (settings, "port", g_variant_new_uint16 (free_port ("127.0.0.1")));
  run_app (preferences_test);
  reset_settings ();
}

static void
tls_files_test (CrierApplication *app,
                CrierWindow      *win)
{
  GSettings              *settings = crier_application_get_settings (app);
  g_autofree char        *cert = g_canonicalize_filename ("../data/tls-cert.pem", g_test_get_dir (G_TEST_DIST));
  g_autofree char        *key = g_canonicalize_filename ("../data/tls-key.pem", g_test_get_dir (G_TEST_DIST));
  g_autofree char        *value = NULL;
  CrierPreferencesWindow *prefs = open_preferences (app, win);

  g_assert_false (crier_server_host_is_tls (crier_application_get_server (app)));
  g_assert_cmpstr (row_subtitle (prefs, "key_row"), ==, "None");
  /* TLS: chosen in the file chooser, shown in the rows, wss:// after a restart; cleared. */
  fake_portal_start ();
  choose_file (prefs, "tls-cert", NULL, "TLS Certificate"); /* cancelled: nothing changes */
  g_assert_cmpstr (row_subtitle (prefs, "cert_row"), ==, "None: plain ws:// and http://");
  choose_file (prefs, "tls-cert", cert, "TLS Certificate");
  choose_file (prefs, "tls-key", key, "TLS Private Key");
  fake_portal_stop ();
  g_assert_cmpstr ((value = dup_setting (settings, "tls-cert")), ==, cert);
  g_clear_pointer (&value, g_free);
  g_assert_cmpstr ((value = dup_setting (settings, "tls-key")), ==, key);
  g_clear_pointer (&value, g_free);
  g_assert_cmpstr (row_subtitle (prefs, "cert_row"), ==, cert);
  g_assert_cmpstr (row_subtitle (prefs, "key_row"), ==, key);
  click (GTK_WIDGET (prefs), "app.server-restart");
  g_assert_true (server_running (app));
  g_assert_true (crier_server_host_is_tls (crier_application_get_server (app)));
  g_assert_true (g_str_has_prefix (window_label (win, "status_label"), "wss://127.0.0.1:"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.clear-file", "s", "tls-cert"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.clear-file", "s", "tls-key"));
  g_assert_cmpstr ((value = dup_setting (settings, "tls-cert")), ==, "");
  g_clear_pointer (&value, g_free);
  g_assert_cmpstr (row_subtitle (prefs, "cert_row"), ==, "None: plain ws:// and http://");
  click (GTK_WIDGET (prefs), "app.server-restart");
  g_assert_false (crier_server_host_is_tls (crier_application_get_server (app)));

  close_preferences (prefs);
}

/* The certificate and key rows: a file chooser (GtkFileChooserNative, through the portal
 * here) for each, wss:// after a restart, cleared again. In a subprocess without
 * LeakSanitizer: GTK 4.8.3's file chooser leaks on its own whatever the caller does (its
 * GtkPathBar never unrefs the GFileInfo of gtk_path_bar_get_info_callback (), its portal
 * response_cb () never frees the response's a{sv} nor its "uris" array, and the hidden
 * fallback dialog's places sidebar makes libcloudproviders leak its paths, GFiles and
 * GErrors), and none of those allocations has a frame LSan could name. Everything else
 * of the preferences is leak-checked in /application/preferences. */
static void
test_tls_files (void)
{
  g_autoptr (GSettings) settings = NULL;

  if (!g_test_subprocess ())
    {
      g_autofree char *saved = g_strdup (g_getenv ("ASAN_OPTIONS"));
      g_autofree char *options = g_strconcat (saved ? saved : "", ":detect_leaks=0", NULL);

      g_setenv ("ASAN_OPTIONS", options, TRUE); /* read by the subprocess at its start */
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
      if (saved != NULL)
        g_setenv ("ASAN_OPTIONS", saved, TRUE);
      else
        g_unsetenv ("ASAN_OPTIONS");
      g_test_trap_assert_passed ();
      return;
    }
  settings = g_settings_new (APP_ID);
  reset_settings ();
  g_settings_set_value (settings, "port", g_variant_new_uint16 (free_port ("127.0.0.1")));
  run_app (tls_files_test);
}

static unsigned                port_to_check;
static CrierPreferencesWindow *left_open;

static void
start_and_turn_off_test (CrierApplication *app,
                         CrierWindow      *win)
{
  g_assert_true (server_running (app));
  g_assert_cmpstr (window_label (win, "status_detail"), ==, "Listening");
  g_assert_true (can_connect ("127.0.0.1", port_to_check));
  left_open = open_preferences (app, win);
  gtk_switch_set_active (GTK_SWITCH (template_child (left_open, CRIER_TYPE_PREFERENCES_WINDOW, "start_switch")),
                         FALSE);
  /* Left open: closing the dashboard takes it along, and the application ends. */
  g_object_add_weak_pointer (G_OBJECT (left_open), (gpointer *) &left_open);
}

static const char *
empty_page_text (CrierWindow *win,
                 const char  *page,
                 GType        type)
{
  return adw_status_page_get_description (ADW_STATUS_PAGE (template_child (crier_gui_test_page (win, page), type, "empty_page")));
}

static void
stays_stopped_test (CrierApplication *app,
                    CrierWindow      *win)
{
  GtkSwitch *server_switch = GTK_SWITCH (template_child (win, CRIER_TYPE_WINDOW, "server_switch"));

  /* The apps are there, nothing listens, and that is no error. */
  g_assert_nonnull (crier_application_get_server (app));
  g_assert_false (server_running (app));
  g_assert_false (gtk_switch_get_active (server_switch));
  g_assert_cmpstr (window_label (win, "status_label"), ==, "Stopped");
  g_assert_cmpstr (window_label (win, "status_detail"), ==, "Not listening");
  g_assert_true (banner_hidden (win));
  g_assert_false (can_connect ("127.0.0.1", port_to_check));
  /* The empty pages say to start it, not to point an app at a server that is not there. */
  g_assert_true (g_str_has_prefix (empty_page_text (win, "connections", CRIER_TYPE_CONNECTIONS_PAGE), "The server is stopped"));
  g_assert_true (g_str_has_prefix (empty_page_text (win, "log", CRIER_TYPE_LOG_PAGE), "The server is stopped"));

  /* The header's switch starts it. */
  gtk_switch_set_active (server_switch, TRUE);
  crier_test_wait_until (server_running (app), CRIER_TEST_TIMEOUT);
  g_assert_true (can_connect ("127.0.0.1", port_to_check));
  crier_test_wait_until (g_str_has_prefix (empty_page_text (win, "connections", CRIER_TYPE_CONNECTIONS_PAGE), "Point your Laravel app here"),
                         CRIER_TEST_TIMEOUT);
  g_assert_true (g_str_has_prefix (empty_page_text (win, "log", CRIER_TYPE_LOG_PAGE), "Connections, subscriptions"));
}

/* "Start Server on Launch", switched off in the preferences, holds for the next launch. */
static void
test_start_server_setting (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);

  reset_settings ();
  port_to_check = free_port ("127.0.0.1");
  g_settings_set_value (settings, "port", g_variant_new_uint16 (port_to_check));
  run_app (start_and_turn_off_test);
  g_assert_null (left_open);
  g_assert_false (g_settings_get_boolean (settings, "start-server"));
  run_app (stays_stopped_test);
  reset_settings ();
}

static void
quit_test (CrierApplication *app,
           CrierWindow      *win)
{
  left_open = open_preferences (app, win);
  g_object_add_weak_pointer (G_OBJECT (left_open), (gpointer *) &left_open);
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL); /* Ctrl+Q */
  crier_test_drain ();
  g_assert_null (left_open);
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
}

/* app.quit with the preferences open: every window closes (the preferences with the
 * dashboard, while quit walks the windows), the application ends. */
static void
test_quit (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);

  reset_settings ();
  g_settings_set_value (settings, "port", g_variant_new_uint16 (free_port ("127.0.0.1")));
  run_app (quit_test);
}

/* The header's Restart (win.restart-server, Ctrl+Shift+R) is the application's restart: a
 * fresh server from the settings, on the same port; the window and its pages follow it. */
static void
restart_server_test (CrierApplication *app,
                     CrierWindow      *win)
{
  g_autoptr (CrierServerHost) before = g_object_ref (crier_application_get_server (app));
  unsigned         port = crier_server_host_get_port (before);
  CrierServerHost *after;

  g_assert_true (crier_window_get_server (win) == CRIER_BACKEND (before));
  g_assert_true (server_running (app));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.restart-server", NULL));
  crier_test_wait_until (server_running (app), CRIER_TEST_TIMEOUT);
  after = crier_application_get_server (app);
  g_assert_true (after != before);
  g_assert_false (crier_server_host_is_running (before));
  g_assert_cmpuint (crier_server_host_get_port (after), ==, port);
  g_assert_true (crier_window_get_server (win) == CRIER_BACKEND (after));
  g_assert_true (crier_live_list_get_server (CRIER_LIVE_LIST (crier_gui_test_model (win, "connections"))) == CRIER_BACKEND (after));
  g_assert_true (can_connect ("127.0.0.1", port));
}

static void
test_restart_server (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);

  reset_settings ();
  g_settings_set_value (settings, "port", g_variant_new_uint16 (free_port ("127.0.0.1")));
  run_app (restart_server_test);
  reset_settings ();
}

static GSocket *occupier;
static unsigned occupied_port;

static void
assert_banner_names_port (CrierApplication *app,
                          CrierWindow      *win,
                          unsigned          port)
{
  g_autofree char *expected = g_strdup_printf ("Port %u on 127.0.0.1 is already in use", port);
  gboolean         port_in_use = FALSE;

  crier_test_wait_until (banner_shown (win), CRIER_TEST_TIMEOUT);
  g_assert_nonnull (strstr (window_label (win, "banner_label"), expected));
  g_object_get (app, "port-in-use", &port_in_use, NULL);
  g_assert_true (port_in_use);
  g_assert_false (server_running (app));
  g_assert_cmpstr (window_label (win, "status_label"), ==, "Stopped");
  g_assert_cmpstr (window_label (win, "status_detail"), ==, "Could not start");
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (template_child (win, CRIER_TYPE_WINDOW, "server_switch"))));
}

static void
assert_listening (CrierApplication *app,
                  CrierWindow      *win,
                  unsigned          port)
{
  gboolean port_in_use = TRUE;

  g_assert_true (server_running (app));
  g_assert_cmpuint (crier_server_host_get_port (crier_application_get_server (app)), ==, port);
  crier_test_wait_until (banner_hidden (win), CRIER_TEST_TIMEOUT);
  g_object_get (app, "port-in-use", &port_in_use, NULL);
  g_assert_false (port_in_use);
  g_assert_cmpstr (window_label (win, "status_detail"), ==, "Listening");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (template_child (win, CRIER_TYPE_WINDOW, "server_switch"))));
}

static void
port_in_use_test (CrierApplication *app,
                  CrierWindow      *win)
{
  GtkWidget              *banner = GTK_WIDGET (template_child (win, CRIER_TYPE_WINDOW, "banner_revealer"));
  unsigned                other_port = free_port ("127.0.0.1");
  CrierPreferencesWindow *prefs;

  /* At launch: the server could not start, the window says why and stays usable. */
  g_assert_cmpuint (n_expected_warnings, ==, 1);
  assert_banner_names_port (app, win, occupied_port);
  g_assert_nonnull (crier_gui_test_page (win, "apps"));

  /* Retry while the port is still taken: the same explanation, nothing breaks. */
  click (banner, "app.server-restart");
  g_assert_cmpuint (n_expected_warnings, ==, 2);
  assert_banner_names_port (app, win, occupied_port);

  /* "Change Port…": the preferences; another port and Restart Now. */
  click (banner, "app.preferences");
  prefs = find_toplevel (CRIER_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (prefs);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (prefs));
  gtk_spin_button_set_value (prefs_spin (prefs, "port_spin"), other_port);
  click (GTK_WIDGET (prefs), "app.server-restart");
  assert_listening (app, win, other_port);
  g_assert_true (can_connect ("127.0.0.1", other_port));

  /* Back to the taken port: the banner again (the server was stopped to move). */
  gtk_spin_button_set_value (prefs_spin (prefs, "port_spin"), occupied_port);
  click (GTK_WIDGET (prefs), "app.server-restart");
  g_assert_cmpuint (n_expected_warnings, ==, 3);
  assert_banner_names_port (app, win, occupied_port);
  close_preferences (prefs);

  /* The other program quits: Retry listens on that port, the banner goes. */
  g_socket_close (occupier, NULL);
  g_clear_object (&occupier);
  click (banner, "app.server-restart");
  assert_listening (app, win, occupied_port);
  g_assert_true (can_connect ("127.0.0.1", occupied_port));
  g_assert_cmpuint (n_expected_warnings, ==, 3);
}

static void
test_port_in_use (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);

  reset_settings ();
  occupier = occupy_port (&occupied_port);
  g_settings_set_value (settings, "port", g_variant_new_uint16 (occupied_port));
  expected_warning = "port * is already in use*";
  n_expected_warnings = 0;
  run_app (port_in_use_test);
  expected_warning = NULL;
  g_clear_object (&occupier);
  reset_settings ();
}

/* crier --port N, N taken: "Change Port…" must still move the server (the command line
 * decided the port until the user set one), and the preferences say which port is used. */
static void
port_from_command_line_test (CrierApplication *app,
                             CrierWindow      *win)
{
  GtkWidget              *banner = GTK_WIDGET (template_child (win, CRIER_TYPE_WINDOW, "banner_revealer"));
  unsigned                other_port = free_port ("127.0.0.1");
  CrierPreferencesWindow *prefs;
  g_autofree char        *from_option = g_strdup_printf ("Port %u comes from --port; a port set here replaces it",
                                                         occupied_port);

  assert_banner_names_port (app, win, occupied_port);
  click (banner, "app.preferences");
  prefs = find_toplevel (CRIER_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (prefs);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (prefs));
  g_assert_cmpstr (row_subtitle (prefs, "port_row"), ==, from_option);

  gtk_spin_button_set_value (prefs_spin (prefs, "port_spin"), other_port);
  click (GTK_WIDGET (prefs), "app.server-restart");
  assert_listening (app, win, other_port);
  g_assert_cmpstr (row_subtitle (prefs, "port_row"), ==, "0 picks a free port");
  g_assert_cmpuint (n_expected_warnings, ==, 1);
  close_preferences (prefs);
}

static void
test_port_from_command_line (void)
{
  g_autofree char *port = NULL;

  reset_settings ();
  occupier = occupy_port (&occupied_port);
  port = g_strdup_printf ("%u", occupied_port);
  expected_warning = "port * is already in use*";
  n_expected_warnings = 0;
  run_app_with_args (port_from_command_line_test, "--port", port);
  expected_warning = NULL;
  g_clear_object (&occupier);
  reset_settings ();
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *config_home = g_dir_make_tmp ("crier-test-app-XXXXXX", NULL);
  g_autofree char *gdk_debug = NULL;
  int              status;

  /* Nothing of the user's: no crier.conf is read, none written. */
  g_assert_nonnull (config_home);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  /* GtkFileChooserNative asks the file chooser portal (the test's, see FakePortal). */
  gdk_debug = g_strconcat (g_getenv ("GDK_DEBUG") ? g_getenv ("GDK_DEBUG") : "", ",portals", NULL);
  if (strstr (g_getenv ("GDK_DEBUG") ? g_getenv ("GDK_DEBUG") : "", "portals") == NULL)
    g_setenv ("GDK_DEBUG", gdk_debug, TRUE); /* not twice (subprocesses): GDK 4.8 then ignores it */
  g_log_set_writer_func (log_writer, NULL, NULL);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/application/preferences", test_preferences);
  g_test_add_func ("/application/tls-files", test_tls_files);
  g_test_add_func ("/application/start-server-setting", test_start_server_setting);
  g_test_add_func ("/application/port-in-use", test_port_in_use);
  g_test_add_func ("/application/port-from-command-line", test_port_from_command_line);
  g_test_add_func ("/application/quit", test_quit);
  g_test_add_func ("/application/restart-server", test_restart_server);
  status = g_test_run ();
  g_rmdir (config_home);
  return status;
}
