/* crier-connect-dialog.c — "Connect to Server…": the address and credentials of a server to
 * watch, typed, picked from the recent ones or read from a pasted Laravel .env
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-connect-dialog.h"

#include <glib/gi18n.h>

#include "crier-env-parser.h"
#include "crier-recent-servers.h"

/* Connect hands the server to the window's win.attach, (sssssb): url, app id, key, secret,
 * encryption master key or "", accept any TLS certificate; the window does the watching. */
struct _CrierConnectDialog
{
  AdwWindow           parent_instance;
  CrierRecentServers *recent;
  GCancellable       *cancellable;        /* the keyring probe; cancelled when closed */
  GCancellable       *lookup_cancellable; /* the secret of the recent server picked last */
  gboolean            probed;

  AdwPreferencesGroup *recent_group;
  GtkListBox          *recent_list;
  AdwEntryRow         *url_row;
  AdwEntryRow         *app_id_row;
  AdwEntryRow         *key_row;
  AdwPasswordEntryRow *secret_row;
  AdwPasswordEntryRow *master_key_row;
  GtkSwitch           *insecure_switch;
  GtkLabel            *validation_label;
  GtkLabel            *keyring_label;
  GtkTextView         *env_view;
  GtkLabel            *env_status_label;
  GtkButton           *connect_button;
};

G_DEFINE_FINAL_TYPE (CrierConnectDialog, crier_connect_dialog, ADW_TYPE_WINDOW)

static char *
dup_field (gpointer row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
set_field (gpointer    row,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text ? text : "");
}

static void
show_message (GtkLabel   *label,
              const char *text)
{
  gtk_label_set_label (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

/* Pusher's encryption_master_key_base64: 32 bytes in base64. */
static gboolean
is_master_key (const char *text)
{
  g_autofree guchar *bytes = NULL;
  size_t             len = 0;

  for (const char *c = text; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '+' && *c != '/' && *c != '=')
      return FALSE;
  bytes = g_base64_decode (text, &len);
  return len == 32;
}

/* Connect is enabled once every field a connection needs is there and right; what is wrong
 * in a filled field is said under the form (an empty one only keeps Connect disabled). */
static gboolean
update_validity (CrierConnectDialog *self)
{
  g_autofree char *url_text = dup_field (self->url_row);
  g_autofree char *app_id = dup_field (self->app_id_row);
  g_autofree char *key = dup_field (self->key_row);
  g_autofree char *secret = dup_field (self->secret_row);
  g_autofree char *master_key = dup_field (self->master_key_row);
  g_autofree char *url = NULL;
  g_autoptr (GError) error = NULL;
  const char *message = NULL;
  gboolean    ok;

  if (*url_text != '\0' && (url = crier_server_url_normalize (url_text, &error)) == NULL)
    message = error->message;
  else if (*master_key != '\0' && !is_master_key (master_key))
    message = _ ("The encryption master key is 32 bytes in base64 (PUSHER_APP_ENCRYPTION_MASTER_KEY)");
  ok = url != NULL && message == NULL && *app_id != '\0' && *key != '\0' && *secret != '\0';
  show_message (self->validation_label, message);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connect.connect", ok);
  return ok;
}

static void
looked_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (CrierConnectDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *secret = NULL, *master_key = NULL;

  if (!crier_recent_servers_lookup_finish (CRIER_RECENT_SERVERS (source), result, &secret, &master_key, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->keyring_label != NULL)
        {
          g_autofree char *message = g_strdup_printf (_ ("The keyring could not be read: %s"), error->message);

          show_message (self->keyring_label, message);
        }
      return;
    }
  if (self->secret_row == NULL) /* closed meanwhile */
    return;
  if (secret == NULL)
    {
      show_message (self->keyring_label, _ ("The keyring has no secret for this server: enter it."));
      return;
    }
  set_field (self->secret_row, secret);
  set_field (self->master_key_row, master_key);
  show_message (self->keyring_label, NULL);
}

static CrierRecentServer *
find_recent (GPtrArray  *list,
             const char *url,
             const char *app_id)
{
  for (guint i = 0; i < list->len; i++)
    {
      CrierRecentServer *server = list->pdata[i];

      if (g_str_equal (server->url, url) && g_str_equal (server->app_id, app_id))
        return server;
    }
  return NULL;
}

/* connect.use (url, app id): a recent server's fields, its secret from the keyring. */
static void
use_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  CrierConnectDialog *self = CRIER_CONNECT_DIALOG (widget);
  g_autoptr (GPtrArray) list = crier_recent_servers_dup_list (self->recent);
  const char        *url, *app_id;
  CrierRecentServer *server;

  g_variant_get (parameter, "(&s&s)", &url, &app_id);
  if ((server = find_recent (list, url, app_id)) == NULL)
    return;
  set_field (self->url_row, server->url);
  set_field (self->app_id_row, server->app_id);
  set_field (self->key_row, server->key);
  set_field (self->secret_row, NULL);
  set_field (self->master_key_row, NULL);
  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->lookup_cancellable);
  self->lookup_cancellable = g_cancellable_new ();
  crier_recent_servers_lookup_async (self->recent, server->url, server->app_id, self->lookup_cancellable,
                                     looked_up_cb, g_object_ref (self));
}

static void
rebuild_recent (CrierConnectDialog *self)
{
  g_autoptr (GPtrArray) list = crier_recent_servers_dup_list (self->recent);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);
  for (guint i = 0; i < list->len; i++)
    {
      CrierRecentServer *server = list->pdata[i];
      GtkWidget         *row = adw_action_row_new ();
      GtkWidget         *forget = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autofree char   *forget_name = g_strdup_printf (_ ("Forget %s"), server->label);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), server->label);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), server->url);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "connect.use");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "(ss)", server->url, server->app_id);
      gtk_widget_set_valign (forget, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (forget, "flat");
      gtk_widget_set_tooltip_text (forget, _ ("Forget this server and its secret"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (forget), GTK_ACCESSIBLE_PROPERTY_LABEL, forget_name, -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (forget), "connect.forget");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (forget), "(ss)", server->url, server->app_id);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), forget);
      gtk_list_box_append (self->recent_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->recent_group), list->len > 0);
}

static void
forgotten_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (CrierConnectDialog) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!crier_recent_servers_forget_finish (CRIER_RECENT_SERVERS (source), result, &error) &&
      self->keyring_label != NULL)
    {
      g_autofree char *message = g_strdup_printf (_ ("The secret could not be removed from the keyring: %s"),
                                                  error->message);

      show_message (self->keyring_label, message);
    }
}

/* connect.forget (url, app id): off the list, and its secrets out of the keyring. */
static void
forget_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrierConnectDialog *self = CRIER_CONNECT_DIALOG (widget);
  const char         *url, *app_id;

  g_variant_get (parameter, "(&s&s)", &url, &app_id);
  /* Not cancelled when the dialog closes: a forgotten secret must not stay behind. */
  crier_recent_servers_forget_async (self->recent, url, app_id, NULL, forgotten_cb, g_object_ref (self));
  rebuild_recent (self);
}

static char *
join_names (GPtrArray *names)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", (char *) names->pdata[i]);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Whatever the pasted block says fills its field; what it lacks is named, and a field it
 * does not mention keeps what was typed. */
static void
env_changed_cb (CrierConnectDialog *self)
{
  GtkTextBuffer   *buffer = gtk_text_view_get_buffer (self->env_view);
  g_autofree char *text = NULL;
  g_autoptr (CrierEnvServer) server = NULL;
  g_autoptr (GString) status = g_string_new (NULL);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (*g_strstrip (text) == '\0')
    {
      show_message (self->env_status_label, NULL);
      return;
    }
  server = crier_env_server_parse (text);
  if (server->found->len == 0)
    g_string_append (status, _ ("No PUSHER_* or REVERB_* variable found."));
  else
    {
      g_autofree char *found = join_names (server->found);

      g_string_append_printf (status, _ ("Read %s."), found);
      if (server->missing->len > 0)
        {
          g_autofree char *missing = join_names (server->missing);

          g_string_append_c (status, '\n');
          g_string_append_printf (status, _ ("Missing: %s."), missing);
        }
    }
  for (guint i = 0; i < server->problems->len; i++)
    g_string_append_printf (status, "\n%s", (char *) server->problems->pdata[i]);
  if (server->url != NULL)
    set_field (self->url_row, server->url);
  if (server->app_id != NULL)
    set_field (self->app_id_row, server->app_id);
  if (server->key != NULL)
    set_field (self->key_row, server->key);
  if (server->secret != NULL)
    set_field (self->secret_row, server->secret);
  if (server->encryption_master_key != NULL)
    set_field (self->master_key_row, server->encryption_master_key);
  show_message (self->env_status_label, status->str);
}

static void
clipboard_read_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (CrierConnectDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);

  if (self->env_view == NULL) /* closed meanwhile */
    return;
  if (text == NULL)
    {
      show_message (self->env_status_label, _ ("The clipboard holds no text."));
      return;
    }
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->env_view), text, -1);
}

static void
paste_env_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrierConnectDialog *self = CRIER_CONNECT_DIALOG (widget);

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, clipboard_read_cb, g_object_ref (self));
}

static void
remembered_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GtkWidget) parent = user_data;
  g_autoptr (GError) error = NULL;

  if (!crier_recent_servers_remember_finish (CRIER_RECENT_SERVERS (source), result, &error))
    {
      g_autofree char *message = g_strdup_printf (_ ("The secret is not remembered: %s"), error->message);

      g_debug ("%s", message);
      if (!gtk_widget_in_destruction (parent))
        gtk_widget_activate_action (parent, "win.toast", "s", message);
    }
}

/* connect.connect: the window attaches (win.attach), the server goes first in the recent
 * list and its secrets into the keyring. */
static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CrierConnectDialog *self = CRIER_CONNECT_DIALOG (widget);
  GtkWindow          *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  g_autofree char    *url_text = dup_field (self->url_row);
  g_autofree char    *app_id = dup_field (self->app_id_row);
  g_autofree char    *key = dup_field (self->key_row);
  g_autofree char    *secret = dup_field (self->secret_row);
  g_autofree char    *master_key = dup_field (self->master_key_row);
  g_autofree char    *url = NULL;

  if (!update_validity (self))
    return;
  url = crier_server_url_normalize (url_text, NULL);
  if (parent == NULL ||
      !gtk_widget_activate_action (GTK_WIDGET (parent), "win.attach", "(sssssb)", url, app_id, key, secret,
                                   master_key, gtk_switch_get_active (self->insecure_switch)))
    {
      show_message (self->validation_label, _ ("This window cannot show another server."));
      return;
    }
  crier_recent_servers_remember_async (self->recent, url, app_id, key, secret, master_key, NULL, remembered_cb,
                                       g_object_ref (parent));
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Enter in any field connects once the form is complete (connect.connect is disabled until
 * then, so Enter in a half-filled form does nothing). */
static void
entry_activated_cb (CrierConnectDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "connect.connect", NULL);
}

static void
probed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (CrierConnectDialog) self = user_data;
  g_autoptr (GError) error = NULL;

  if (crier_recent_servers_probe_finish (CRIER_RECENT_SERVERS (source), result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->keyring_label == NULL)
    return;
  g_debug ("No Secret Service: %s", error->message);
  show_message (self->keyring_label,
                _ ("No keyring (Secret Service) answers: you can connect, but the secret will not be remembered."));
}

/* The keyring is asked when the dialog shows, not when it is built: building one (the
 * accessibility test does) starts no keyring daemon. */
static void
crier_connect_dialog_map (GtkWidget *widget)
{
  CrierConnectDialog *self = CRIER_CONNECT_DIALOG (widget);

  GTK_WIDGET_CLASS (crier_connect_dialog_parent_class)->map (widget);
  if (!self->probed)
    {
      self->probed = TRUE;
      crier_recent_servers_probe_async (self->recent, self->cancellable, probed_cb, g_object_ref (self));
    }
}

static void
crier_connect_dialog_dispose (GObject *object)
{
  CrierConnectDialog *self = CRIER_CONNECT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->lookup_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->lookup_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRIER_TYPE_CONNECT_DIALOG);
  g_clear_object (&self->recent);
  G_OBJECT_CLASS (crier_connect_dialog_parent_class)->dispose (object);
}

static void
crier_connect_dialog_class_init (CrierConnectDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crier_connect_dialog_dispose;
  widget_class->map = crier_connect_dialog_map;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/crier/Crier/ui/crier-connect-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CrierConnectDialog, recent_group);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectDialog, recent_list);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectDialog, url_row);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectDialog, app_id_row);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectDialog, key_row);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectDialog, secret_row);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectDialog, master_key_row);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectDialog, insecure_switch);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectDialog, validation_label);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectDialog, keyring_label);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectDialog, env_view);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectDialog, env_status_label);
  gtk_widget_class_bind_template_child (widget_class, CrierConnectDialog, connect_button);

  gtk_widget_class_install_action (widget_class, "connect.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "connect.paste-env", NULL, paste_env_action);
  gtk_widget_class_install_action (widget_class, "connect.use", "(ss)", use_action);
  gtk_widget_class_install_action (widget_class, "connect.forget", "(ss)", forget_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
crier_connect_dialog_init (CrierConnectDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  {
    gpointer rows[] = { self->url_row, self->app_id_row, self->key_row, self->secret_row, self->master_key_row };

    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      {
        g_signal_connect_object (rows[i], "changed", G_CALLBACK (update_validity), self, G_CONNECT_SWAPPED);
        g_signal_connect_object (rows[i], "entry-activated", G_CALLBACK (entry_activated_cb), self,
                                 G_CONNECT_SWAPPED);
      }
  }
  g_signal_connect_object (gtk_text_view_get_buffer (self->env_view), "changed", G_CALLBACK (env_changed_cb), self,
                           G_CONNECT_SWAPPED);
  update_validity (self);
}

/* settings: the application's (NULL: the schema's own, for a window without one). */
CrierConnectDialog *
crier_connect_dialog_new (GtkWindow *parent,
                          GSettings *settings)
{
  CrierConnectDialog *self;
  g_autoptr (GSettings) own = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);
  if (settings == NULL)
    settings = own = g_settings_new (APP_ID);
  self = g_object_new (CRIER_TYPE_CONNECT_DIALOG, "transient-for", parent, "destroy-with-parent", TRUE, NULL);
  self->recent = crier_recent_servers_new (settings);
  g_signal_connect_object (self->recent, "changed", G_CALLBACK (rebuild_recent), self, G_CONNECT_SWAPPED);
  rebuild_recent (self);
  return self;
}
