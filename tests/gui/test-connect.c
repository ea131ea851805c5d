/* test-connect.c — "Connect to Server…": the dialog, its .env paste, win.attach, the shortcut,
 * and recent servers kept in a real Secret Service (gnome-keyring-daemon on the test's bus)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>

#include "crier-connect-dialog.h"
#include "crier-connection-list.h"
#include "crier-gui-test-utils.h"
#include "crier-recent-servers.h"
#include "crier-window.h"

#define KEYRING_TIMEOUT 20 /* the daemon's first start derives the keyring's key */

/* The keyring daemon of this test run: its own data directory, on gui-run's private bus,
 * started before anything asks the bus for org.freedesktop.secrets (else the bus would
 * start one on the user's real keyrings). */
static GSubprocess *keyring_daemon;
static char        *keyring_dir;

static gboolean
secrets_owned (GDBusConnection *bus)
{
  g_autoptr (GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "NameHasOwner", g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

static void
start_keyring (void)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) bus = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *daemon = g_find_program_in_path ("gnome-keyring-daemon");
  GOutputStream   *input;

  if (daemon == NULL)
    return; /* the keyring tests skip */
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  /* Under gui-run's private runtime directory, which goes when gui-run ends, also after a
   * failed test. */
  keyring_dir = g_build_filename (g_get_user_runtime_dir (), "crier-test-keyring-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (keyring_dir));
  data_dir = g_build_filename (keyring_dir, "data", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", keyring_dir, TRUE);
  /* --unlock creates the login keyring with the password on stdin, unlocked, as the
   * default collection. */
  keyring_daemon = g_subprocess_launcher_spawn (launcher, &error, daemon, "--foreground", "--components=secrets",
                                                "--unlock", NULL);
  g_assert_no_error (error);
  input = g_subprocess_get_stdin_pipe (keyring_daemon);
  g_assert_true (g_output_stream_write_all (input, "crier-test", 10, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (input, NULL, &error));
  g_assert_no_error (error);
  crier_test_wait_until (secrets_owned (bus), KEYRING_TIMEOUT);
}

static void
stop_keyring (void)
{
  g_autoptr (GFile) dir = NULL;

  if (keyring_daemon == NULL)
    return;
  g_subprocess_send_signal (keyring_daemon, SIGTERM);
  g_subprocess_wait (keyring_daemon, NULL, NULL);
  g_clear_object (&keyring_daemon);
  /* The daemon's directory: data/keyrings/login.keyring and friends, two levels at most. */
  {
    g_autofree char *data_dir = g_build_filename (keyring_dir, "data", NULL);
    g_autofree char *keyrings = g_build_filename (data_dir, "keyrings", NULL);
    g_autoptr (GDir) listing = g_dir_open (keyrings, 0, NULL);
    const char *name;

    while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
      {
        g_autofree char *path = g_build_filename (keyrings, name, NULL);

        g_unlink (path);
      }
    g_rmdir (keyrings);
    g_rmdir (data_dir);
    g_rmdir (keyring_dir);
  }
  g_clear_pointer (&keyring_dir, g_free);
}

static gboolean
need_keyring (void)
{
  if (keyring_daemon != NULL)
    return TRUE;
  g_test_skip ("gnome-keyring-daemon is not installed (build-aux/install-deps installs it)");
  return FALSE;
}

/* A window with a test-only win.attach that records its parameter: the real one belongs to
 * the window's backend, the dialog only activates it. */
typedef struct
{
  GtkWindow *parent;
  GVariant  *attached;
  GSettings *settings;
} Fixture;

static void
attach_cb (GSimpleAction *action,
           GVariant      *parameter,
           gpointer       user_data)
{
  Fixture *f = user_data;

  g_clear_pointer (&f->attached, g_variant_unref);
  f->attached = g_variant_ref (parameter);
}

static void
fixture_open (Fixture *f)
{
  g_autoptr (GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr (GSimpleAction) attach = g_simple_action_new ("attach", G_VARIANT_TYPE ("(sssssb)"));

  f->attached = NULL;
  f->settings = g_settings_new (APP_ID);
  g_settings_reset (f->settings, "recent-servers");
  f->parent = GTK_WINDOW (gtk_window_new ());
  g_signal_connect (attach, "activate", G_CALLBACK (attach_cb), f);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (attach));
  gtk_widget_insert_action_group (GTK_WIDGET (f->parent), "win", G_ACTION_GROUP (group));
  gtk_window_present (f->parent);
}

static void
fixture_close (Fixture *f)
{
  g_object_ref (f->parent);
  gtk_window_destroy (f->parent);
  /* A Connect's remember_async holds the window (for its toast) until the keyring answers. */
  crier_test_wait_until (G_OBJECT (f->parent)->ref_count == 1, KEYRING_TIMEOUT);
  crier_test_drain ();
  g_assert_finalize_object (f->parent);
  g_clear_pointer (&f->attached, g_variant_unref);
  g_clear_object (&f->settings);
}

static CrierConnectDialog *
open_dialog (Fixture *f)
{
  CrierConnectDialog *dialog = crier_connect_dialog_new (f->parent, f->settings);

  gtk_window_present (GTK_WINDOW (dialog));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  return dialog;
}

static char *
text_of (CrierConnectDialog *dialog,
         const char         *name)
{
  return crier_gui_test_dup_text (dialog, CRIER_TYPE_CONNECT_DIALOG, name);
}

static void
assert_text (CrierConnectDialog *dialog,
             const char         *name,
             const char         *expected)
{
  g_autofree char *text = text_of (dialog, name);

  g_assert_cmpstr (text, ==, expected);
}

static gboolean
can_connect (CrierConnectDialog *dialog)
{
  GtkWidget *button = GTK_WIDGET (crier_gui_test_child (dialog, CRIER_TYPE_CONNECT_DIALOG, "connect_button"));

  return gtk_widget_get_sensitive (button);
}

static void
close_dialog (CrierConnectDialog *dialog)
{
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_destroy (GTK_WINDOW (dialog));
  /* The keyring probe holds the dialog until it is answered. */
  crier_test_wait_until (dialog == NULL, KEYRING_TIMEOUT);
}

/* The keyring item of kind (secret, encryption-master-key) for the server, or NULL. Read
 * with a search that loads secrets, not secret_password_lookup (): libsecret 0.20.5 leaks
 * the reply of every lookup that finds something (LeakSanitizer). */
static char *
lookup (const char *url,
        const char *app_id,
        const char *kind)
{
  g_autoptr (GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GError) error = NULL;
  GList *items;
  char  *found = NULL;

  g_hash_table_insert (attributes, "url", (char *) url);
  g_hash_table_insert (attributes, "app_id", (char *) app_id);
  g_hash_table_insert (attributes, "kind", (char *) kind);
  items = secret_service_search_sync (NULL, crier_recent_servers_get_schema (), attributes,
                                      SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS, NULL,
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (items), <=, 1);
  if (items != NULL)
    {
      g_autoptr (SecretValue) value = secret_item_get_secret (items->data);

      g_assert_nonnull (value);
      found = g_strdup (secret_value_get_text (value));
    }
  g_list_free_full (items, g_object_unref);
  return found;
}

#define LARAVEL_ENV                        \
  "APP_NAME=Laravel\n"                     \
  "# Broadcasting through soketi (Sail)\n" \
  "BROADCAST_DRIVER=pusher\n"              \
  "export PUSHER_APP_ID = app-id\n"        \
  "PUSHER_APP_KEY=\"app-key\"\n"           \
  "PUSHER_APP_SECRET='app-secret'\n"       \
  "PUSHER_HOST=soketi\n"                   \
  "PUSHER_PORT=6001\n"                     \
  "PUSHER_SCHEME=http\n"                   \
  "VITE_PUSHER_HOST=\"${PUSHER_HOST}\"\n"

/* A pasted .env fills the fields and says what it read and what it lacks; a text that is
 * no .env says so and changes nothing. */
static void
test_paste_env (void)
{
  Fixture             f;
  CrierConnectDialog *dialog;
  g_autofree char    *status = NULL;

  fixture_open (&f);
  dialog = open_dialog (&f);
  g_assert_false (can_connect (dialog));

  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "env_view", LARAVEL_ENV);
  assert_text (dialog, "url_row", "http://soketi:6001");
  assert_text (dialog, "app_id_row", "app-id");
  assert_text (dialog, "key_row", "app-key");
  assert_text (dialog, "secret_row", "app-secret");
  assert_text (dialog, "master_key_row", "");
  status = text_of (dialog, "env_status_label");
  g_assert_nonnull (strstr (status, "PUSHER_APP_ID, PUSHER_APP_KEY, PUSHER_APP_SECRET"));
  g_assert_nonnull (strstr (status, "PUSHER_HOST"));
  g_assert_null (strstr (status, "Missing"));
  g_assert_true (can_connect (dialog));
  g_clear_pointer (&status, g_free);

  /* Half a block: what it has is taken, the rest named. */
  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "app_id_row", "");
  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "env_view",
                           "REVERB_APP_KEY=reverb-key\nREVERB_HOST=localhost\nREVERB_PORT=8080\nREVERB_SCHEME=http\n");
  assert_text (dialog, "url_row", "http://localhost:8080");
  assert_text (dialog, "key_row", "reverb-key");
  assert_text (dialog, "app_id_row", "");
  status = text_of (dialog, "env_status_label");
  g_assert_nonnull (strstr (status, "Missing: REVERB_APP_ID, REVERB_APP_SECRET."));
  g_assert_false (can_connect (dialog));
  g_clear_pointer (&status, g_free);

  /* Not a .env at all. */
  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "env_view", "Hello, world!\n");
  status = text_of (dialog, "env_status_label");
  g_assert_nonnull (strstr (status, "No PUSHER_* or REVERB_* variable found."));
  g_assert_nonnull (strstr (status, "Line 1 is not NAME=value"));
  assert_text (dialog, "url_row", "http://localhost:8080");
  g_clear_pointer (&status, g_free);

  /* The Paste button: the clipboard's text goes into the view and is read like typed. */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (dialog)), LARAVEL_ENV);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.paste-env", NULL));
  crier_test_wait_until (can_connect (dialog), CRIER_TEST_TIMEOUT);
  assert_text (dialog, "url_row", "http://soketi:6001");
  assert_text (dialog, "env_view", LARAVEL_ENV);

  close_dialog (dialog);
  fixture_close (&f);
}

/* Connect stays disabled until the form is complete and right, and says what is wrong. */
static void
test_validation (void)
{
  Fixture             f;
  CrierConnectDialog *dialog;
  GtkWidget          *message;

  fixture_open (&f);
  dialog = open_dialog (&f);
  message = GTK_WIDGET (crier_gui_test_child (dialog, CRIER_TYPE_CONNECT_DIALOG, "validation_label"));
  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "url_row", "ftp://example.com");
  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "app_id_row", "1");
  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "key_row", "k");
  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "secret_row", "s");
  g_assert_false (can_connect (dialog));
  g_assert_true (gtk_widget_get_visible (message));
  assert_text (dialog, "validation_label", "“ftp://example.com” is not a ws, wss, http or https address");

  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "url_row", "localhost");
  g_assert_true (can_connect (dialog));
  g_assert_false (gtk_widget_get_visible (message));

  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "master_key_row", "too-short");
  g_assert_false (can_connect (dialog));
  g_assert_true (gtk_widget_get_visible (message));
  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "master_key_row",
                           "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=");
  g_assert_true (can_connect (dialog));

  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "secret_row", "   ");
  g_assert_false (can_connect (dialog));
  g_signal_emit_by_name (crier_gui_test_child (dialog, CRIER_TYPE_CONNECT_DIALOG, "secret_row"), "entry-activated");
  g_assert_null (f.attached);
  /* Activated anyway (a stale button, a script): nothing is attached. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.connect", NULL);
  g_assert_null (f.attached);

  /* Enter in a field of a complete form connects, and the dialog closes. */
  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "secret_row", "s");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_signal_emit_by_name (crier_gui_test_child (dialog, CRIER_TYPE_CONNECT_DIALOG, "key_row"), "entry-activated");
  g_assert_nonnull (f.attached);
  crier_test_wait_until (dialog == NULL, KEYRING_TIMEOUT);
  fixture_close (&f);
}

/* Connect activates win.attach with exactly (url, app id, key, secret, master key, insecure)
 * and closes; the server is remembered, its secret never in GSettings. */
static void
test_attach (void)
{
  Fixture             f;
  CrierConnectDialog *dialog;
  g_autoptr (GSettingsSchema) schema = NULL;
  g_auto (GStrv) keys = NULL;
  g_autoptr (GVariant) recent = NULL;
  const char *url, *app_id, *key, *label;
  gint64      last_used;

  if (!need_keyring ())
    return;
  fixture_open (&f);
  dialog = open_dialog (&f);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "url_row", " wss://ws.example.com ");
  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "app_id_row", "app-id");
  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "key_row", "app-key");
  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "secret_row", "the-app-secret");
  gtk_switch_set_active (GTK_SWITCH (crier_gui_test_child (dialog, CRIER_TYPE_CONNECT_DIALOG, "insecure_switch")),
                         TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.connect", NULL));
  g_assert_nonnull (f.attached);
  g_assert_cmpstr (g_variant_get_type_string (f.attached), ==, "(sssssb)");
  {
    g_autofree char *printed = g_variant_print (f.attached, FALSE);

    g_assert_cmpstr (printed, ==, "('https://ws.example.com:443', 'app-id', 'app-key', 'the-app-secret', '', true)");
  }
  crier_test_wait_until (dialog == NULL, KEYRING_TIMEOUT);

  recent = g_settings_get_value (f.settings, "recent-servers");
  g_assert_cmpuint (g_variant_n_children (recent), ==, 1);
  g_variant_get_child (recent, 0, "(&s&s&s&sx)", &url, &app_id, &key, &label, &last_used);
  g_assert_cmpstr (url, ==, "https://ws.example.com:443");
  g_assert_cmpstr (app_id, ==, "app-id");
  g_assert_cmpstr (key, ==, "app-key");
  g_assert_cmpint (last_used, >, 0);
  /* No key of the schema holds the secret. */
  g_object_get (f.settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr (GVariant) value = g_settings_get_value (f.settings, keys[i]);
      g_autofree char *printed = g_variant_print (value, FALSE);

      g_assert_null (strstr (printed, "the-app-secret"));
    }
  /* The keyring has it, once remember_async is through. */
  {
    g_autofree char   *secret = NULL;
    CrierTestDeadline *deadline = crier_test_deadline_new (KEYRING_TIMEOUT);

    while ((secret = lookup ("https://ws.example.com:443", "app-id", "secret")) == NULL)
      g_assert_true (crier_test_deadline_iterate (deadline));
    crier_test_deadline_free (deadline);
    g_assert_cmpstr (secret, ==, "the-app-secret");
  }
  secret_password_clear_sync (crier_recent_servers_get_schema (), NULL, NULL, "app_id", "app-id", NULL);
  fixture_close (&f);
}

static GtkShortcut *
find_shortcut (GtkWidget  *widget,
               const char *accelerator)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr (GtkShortcutTrigger) wanted = gtk_shortcut_trigger_parse_string (accelerator);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), wanted))
            return shortcut;
        }
    }
  return NULL;
}

static CrierConnectDialog *
find_dialog (GtkWindow *parent)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* (transfer none) */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (CRIER_IS_CONNECT_DIALOG (toplevel) && gtk_window_get_transient_for (GTK_WINDOW (toplevel)) == parent)
        return CRIER_CONNECT_DIALOG (toplevel);
    }
  return NULL;
}

/* Ctrl+Shift+O on the window opens the dialog over it (win.connect-to-server, the menu's). */
static void
test_shortcut (void)
{
  CrierWindow        *win = crier_window_new (NULL);
  GtkShortcut        *shortcut;
  CrierConnectDialog *dialog;

  gtk_window_present (GTK_WINDOW (win));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_assert_null (find_dialog (GTK_WINDOW (win)));
  shortcut = find_shortcut (GTK_WIDGET (win), "<Control><Shift>o");
  g_assert_nonnull (shortcut);
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), GTK_SHORTCUT_ACTION_EXCLUSIVE,
                                               GTK_WIDGET (win), gtk_shortcut_get_arguments (shortcut)));
  dialog = find_dialog (GTK_WINDOW (win));
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  close_dialog (dialog);
  crier_gui_test_close_window (win);
}

static void
stored_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (crier_recent_servers_remember_finish (CRIER_RECENT_SERVERS (source), result, &error));
  g_assert_no_error (error);
  (*(int *) user_data)++;
}

static gboolean
has_no_items (const char *url,
              const char *app_id)
{
  g_autofree char *secret = lookup (url, app_id, "secret");
  g_autofree char *master_key = lookup (url, app_id, "encryption-master-key");

  return secret == NULL && master_key == NULL;
}

static gboolean
shows_recent (CrierConnectDialog *dialog,
              guint               n)
{
  GtkWidget *list = GTK_WIDGET (crier_gui_test_child (dialog, CRIER_TYPE_CONNECT_DIALOG, "recent_list"));
  guint      count = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    count++;
  return count == n;
}

#define MASTER_KEY "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY="

/* Through gnome-keyring-daemon: a remembered server's secret and master key are in the
 * keyring (not in GSettings); picking it in the dialog fills them back in; forgetting it
 * takes the keyring items away; the eleventh server pushes the oldest out, items too. */
static void
test_keyring (void)
{
  Fixture             f;
  CrierConnectDialog *dialog;
  g_autoptr (CrierRecentServers) recent = NULL;
  g_autoptr (GPtrArray) list = NULL;
  int done = 0;

  if (!need_keyring ())
    return;
  fixture_open (&f);
  recent = crier_recent_servers_new (f.settings);
  crier_recent_servers_remember_async (recent, "http://127.0.0.1:6001", "app-id", "app-key", "s3cret", MASTER_KEY,
                                       NULL, stored_cb, &done);
  crier_test_wait_until (done == 1, KEYRING_TIMEOUT);
  {
    g_autofree char *secret = lookup ("http://127.0.0.1:6001", "app-id", "secret");
    g_autofree char *master_key = lookup ("http://127.0.0.1:6001", "app-id", "encryption-master-key");
    g_autoptr (GVariant) value = g_settings_get_value (f.settings, "recent-servers");
    g_autofree char *printed = g_variant_print (value, FALSE);

    g_assert_cmpstr (secret, ==, "s3cret");
    g_assert_cmpstr (master_key, ==, MASTER_KEY);
    g_assert_null (strstr (printed, "s3cret"));
    g_assert_null (strstr (printed, MASTER_KEY));
  }

  /* Picked in the dialog: the fields, then the secrets from the keyring. */
  dialog = open_dialog (&f);
  g_assert_true (shows_recent (dialog, 1));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.use", "(ss)", "http://127.0.0.1:6001",
                                             "app-id"));
  assert_text (dialog, "url_row", "http://127.0.0.1:6001");
  assert_text (dialog, "key_row", "app-key");
  crier_test_wait_until (can_connect (dialog), KEYRING_TIMEOUT);
  assert_text (dialog, "secret_row", "s3cret");
  assert_text (dialog, "master_key_row", MASTER_KEY);

  /* Forgotten: off the list and out of the keyring. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.forget", "(ss)", "http://127.0.0.1:6001",
                                             "app-id"));
  g_assert_true (shows_recent (dialog, 0));
  crier_test_wait_until (has_no_items ("http://127.0.0.1:6001", "app-id"), KEYRING_TIMEOUT);
  list = crier_recent_servers_dup_list (recent);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  close_dialog (dialog);

  /* A server without a remembered secret: picking it says so. */
  done = 0;
  crier_recent_servers_remember_async (recent, "http://nosecret:6001", "app-id", "app-key", "", NULL, NULL, stored_cb,
                                       &done);
  crier_test_wait_until (done == 1, KEYRING_TIMEOUT);
  dialog = open_dialog (&f);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.use", "(ss)", "http://nosecret:6001",
                                             "app-id"));
  {
    GtkWidget *label = GTK_WIDGET (crier_gui_test_child (dialog, CRIER_TYPE_CONNECT_DIALOG, "keyring_label"));

    crier_test_wait_until (gtk_widget_get_visible (label), KEYRING_TIMEOUT);
    assert_text (dialog, "keyring_label", "The keyring has no secret for this server: enter it.");
  }
  close_dialog (dialog);
  g_settings_reset (f.settings, "recent-servers");

  /* Eleven servers: the first one is pushed out, its keyring item with it. */
  done = 0;
  for (int i = 0; i <= CRIER_RECENT_SERVERS_MAX; i++)
    {
      g_autofree char *url = g_strdup_printf ("http://server-%d:6001", i);

      crier_recent_servers_remember_async (recent, url, "app-id", "app-key", "s3cret", NULL, NULL, stored_cb, &done);
      crier_test_wait_until (done == i + 1, KEYRING_TIMEOUT);
    }
  list = crier_recent_servers_dup_list (recent);
  g_assert_cmpuint (list->len, ==, CRIER_RECENT_SERVERS_MAX);
  g_assert_cmpstr (((CrierRecentServer *) list->pdata[0])->url, ==, "http://server-10:6001");
  g_assert_cmpstr (((CrierRecentServer *) list->pdata[CRIER_RECENT_SERVERS_MAX - 1])->url, ==, "http://server-1:6001");
  crier_test_wait_until (has_no_items ("http://server-0:6001", "app-id"), KEYRING_TIMEOUT);
  {
    g_autofree char *kept = lookup ("http://server-1:6001", "app-id", "secret");

    g_assert_cmpstr (kept, ==, "s3cret");
  }
  secret_password_clear_sync (crier_recent_servers_get_schema (), NULL, NULL, "app_id", "app-id", NULL);
  fixture_close (&f);
}

/* Without a Secret Service (CRIER_TEST_NO_KEYRING: a bus of our own that can start none),
 * the dialog says the secret will not be remembered and connects all the same; the server
 * is listed, its secret nowhere. */
static void
test_no_keyring (void)
{
  Fixture             f;
  CrierConnectDialog *dialog;
  GtkWidget          *label;
  g_autoptr (GVariant) recent = NULL;
  g_autofree char *printed = NULL;

  fixture_open (&f);
  dialog = open_dialog (&f);
  label = GTK_WIDGET (crier_gui_test_child (dialog, CRIER_TYPE_CONNECT_DIALOG, "keyring_label"));
  crier_test_wait_until (gtk_widget_get_visible (label), KEYRING_TIMEOUT);
  assert_text (dialog, "keyring_label",
               "No keyring (Secret Service) answers: you can connect, but the secret will not be remembered.");
  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "env_view", LARAVEL_ENV);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.connect", NULL));
  g_assert_nonnull (f.attached);
  printed = g_variant_print (f.attached, FALSE);
  g_assert_cmpstr (printed, ==, "('http://soketi:6001', 'app-id', 'app-key', 'app-secret', '', false)");
  recent = g_settings_get_value (f.settings, "recent-servers");
  g_assert_cmpuint (g_variant_n_children (recent), ==, 1);
  g_clear_pointer (&printed, g_free);
  printed = g_variant_print (recent, FALSE);
  g_assert_null (strstr (printed, "app-secret"));
  fixture_close (&f);
}

/* A session bus with no service directory: nothing answers org.freedesktop.secrets and
 * nothing can be started for it. Ended with the test (gui-run ends what it started). */
static void
use_bus_without_services (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_runtime_dir (), "crier-test-bus-XXXXXX", NULL);
  g_autofree char *config = NULL, *contents = NULL, *address = NULL;
  g_autoptr (GSubprocess) bus = NULL;
  g_autoptr (GDataInputStream) output = NULL;

  g_assert_nonnull (g_mkdtemp (dir));
  config = g_build_filename (dir, "bus.conf", NULL);
  contents = g_strdup_printf ("<busconfig><type>session</type><listen>unix:dir=%s</listen>"
                              "<auth>EXTERNAL</auth><policy context=\"default\"><allow user=\"*\"/>"
                              "<allow send_destination=\"*\"/><allow receive_sender=\"*\"/>"
                              "<allow own=\"*\"/></policy></busconfig>",
                              dir);
  g_assert_true (g_file_set_contents (config, contents, -1, &error));
  bus = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, "dbus-daemon", "--nofork", "--print-address=1",
                          "--config-file", config, NULL);
  g_assert_no_error (error);
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bus));
  address = g_data_input_stream_read_line (output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
}

/* The dialog opened from the window (Ctrl+Shift+O's action), a Laravel .env pasted that
 * names a second Crier, Connect: the window shows that server, live (a client of it
 * appears on the Connections page), and its secret went to the keyring. */
static gboolean
keyring_has (const char *url,
             const char *app_id)
{
  g_autofree char *secret = lookup (url, app_id, "secret");

  return secret != NULL;
}

static gboolean
window_shows_connection (CrierWindow *win,
                         const char  *socket_id)
{
  crier_gui_test_flush (win);
  return crier_connection_list_find (CRIER_CONNECTION_LIST (crier_gui_test_model (win, "connections")), socket_id) != NULL;
}

#define WINDOW_CONFIG \
  "[app:" CRIER_TEST_APP_ID "]\nkey=" CRIER_TEST_APP_KEY "\nsecret=" CRIER_TEST_APP_SECRET "\n"
#define REMOTE_CONFIG "[app:remote-id]\nkey=remote-key\nsecret=remote-secret\n"

static void
test_window_connects (void)
{
  g_autoptr (CrierTestServer) embedded = NULL;
  g_autoptr (CrierTestServer) remote = NULL;
  g_autoptr (CrierTestClient) client = NULL;
  g_autofree char    *env = NULL;
  g_autofree char    *url = NULL;
  g_autofree char    *secret = NULL;
  CrierConnectDialog *dialog;
  CrierWindow        *win;
  CrierBackend       *shown;

  if (!need_keyring ())
    return;
  embedded = crier_test_server_new_hosted (WINDOW_CONFIG);
  remote = crier_test_server_new (REMOTE_CONFIG);
  win = crier_gui_test_open_window (embedded);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.connect-to-server", NULL));
  crier_test_wait_until ((dialog = find_dialog (GTK_WINDOW (win))) != NULL, CRIER_TEST_TIMEOUT);
  env = g_strdup_printf ("BROADCAST_CONNECTION=pusher\nPUSHER_APP_ID=remote-id\nPUSHER_APP_KEY=remote-key\n"
                         "PUSHER_APP_SECRET=remote-secret\nPUSHER_HOST=127.0.0.1\nPUSHER_PORT=%u\n"
                         "PUSHER_SCHEME=http\n",
                         remote->port);
  crier_gui_test_set_text (dialog, CRIER_TYPE_CONNECT_DIALOG, "env_view", env);
  crier_test_wait_until (can_connect (dialog), CRIER_TEST_TIMEOUT);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.connect", NULL));

  shown = crier_window_get_server (win);
  g_assert_true (shown != CRIER_BACKEND (embedded->host));
  crier_test_wait_until (crier_backend_get_state (crier_window_get_server (win)) == CRIER_BACKEND_STATE_CONNECTED,
                         CRIER_TEST_TIMEOUT);
  client = crier_test_client_connect (remote, "remote-key");
  crier_test_wait_until (window_shows_connection (win, client->socket_id), CRIER_TEST_TIMEOUT);

  url = g_strdup_printf ("http://127.0.0.1:%u", remote->port);
  crier_test_wait_until (keyring_has (url, "remote-id"), KEYRING_TIMEOUT);
  secret = lookup (url, "remote-id", "secret");
  g_assert_cmpstr (secret, ==, "remote-secret");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-embedded", NULL));
  g_assert_true (crier_window_get_server (win) == CRIER_BACKEND (embedded->host));
  /* Connect's remember_async holds the window (for its toast) until the keyring has
   * answered every step, the master key's too: the window goes once it let go. */
  g_object_add_weak_pointer (G_OBJECT (win), (gpointer *) &win);
  gtk_window_destroy (GTK_WINDOW (win));
  crier_test_wait_until (win == NULL, KEYRING_TIMEOUT);
}

int
main (int    argc,
      char **argv)
{
  int status;

  if (g_getenv ("CRIER_TEST_NO_KEYRING") != NULL)
    {
      use_bus_without_services ();
      gtk_test_init (&argc, &argv, NULL);
      adw_init ();
      g_test_add_func ("/connect/no-keyring", test_no_keyring);
      return g_test_run ();
    }
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  start_keyring ();
  g_test_add_func ("/connect/paste-env", test_paste_env);
  g_test_add_func ("/connect/window-connects", test_window_connects);
  g_test_add_func ("/connect/validation", test_validation);
  g_test_add_func ("/connect/attach", test_attach);
  g_test_add_func ("/connect/shortcut", test_shortcut);
  g_test_add_func ("/connect/keyring", test_keyring);
  status = g_test_run ();
  stop_keyring ();
  return status;
}
