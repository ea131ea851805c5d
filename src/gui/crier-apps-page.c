/* crier-apps-page.c — app credentials, the Laravel .env block, add/edit/remove apps
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-apps-page.h"

#include <glib/gi18n.h>

#include "crier-app-dialog.h"
#include "crier-laravel-env.h"

struct _CrierAppsPage
{
  GtkWidget         parent_instance;
  CrierBackend     *server;
  CrierApplication *application;
  gboolean          reveal_secret;
  gboolean          docker; /* the app server runs in a container (Sail) */
  char             *broadcaster;

  AdwComboRow   *app_row;
  GtkStringList *app_model;
  AdwActionRow  *id_row;
  AdwActionRow  *key_row;
  AdwActionRow  *secret_row;
  AdwActionRow  *options_row;
  GtkTextView   *env_view;
  GtkSwitch     *docker_switch;
  GtkTextView   *echo_view;
};

G_DEFINE_FINAL_TYPE (CrierAppsPage, crier_apps_page, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SERVER,
  PROP_REVEAL_SECRET,
  PROP_BROADCASTER,
  PROP_DOCKER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static CrierAppConfig *
selected_app (CrierAppsPage *self)
{
  guint selected = adw_combo_row_get_selected (self->app_row);

  if (self->server == NULL || selected == GTK_INVALID_LIST_POSITION ||
      selected >= g_list_model_get_n_items (G_LIST_MODEL (self->app_model)))
    return NULL;
  return crier_config_find_app (crier_backend_get_config (self->server),
                                gtk_string_list_get_string (self->app_model, selected));
}

/* The .env block as copied (secret in clear) or as shown (masked like the Secret row). */
static char *
dup_env_block (CrierAppsPage *self,
               gboolean       for_display)
{
  CrierAppConfig      *app;
  CrierConfig         *config;
  unsigned             port;
  CrierLaravelEnvFlags flags = CRIER_LARAVEL_ENV_DEFAULT;

  if ((app = selected_app (self)) == NULL)
    return NULL;
  if (self->docker)
    flags |= CRIER_LARAVEL_ENV_DOCKER;
  if (for_display && !self->reveal_secret)
    flags |= CRIER_LARAVEL_ENV_MASK_SECRET;
  config = crier_backend_get_config (self->server);
  port = crier_backend_is_ready (self->server) ? crier_backend_get_port (self->server)
                                               : crier_config_get_port (config);
  return crier_laravel_env_block (app, crier_config_get_host (config), port,
                                  crier_backend_is_ready (self->server)
                                    ? crier_backend_is_tls (self->server)
                                    : crier_config_get_tls_cert (config) != NULL,
                                  self->broadcaster, flags);
}

char *
crier_apps_page_dup_env (CrierAppsPage *self)
{
  g_return_val_if_fail (CRIER_IS_APPS_PAGE (self), NULL);
  return dup_env_block (self, FALSE);
}

static void
update (CrierAppsPage *self)
{
  CrierAppConfig  *app = selected_app (self);
  g_autofree char *env = NULL;
  g_autofree char *echo = crier_laravel_echo_snippet (self->broadcaster);
  g_autofree char *options = NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "apps.edit", app != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "apps.remove",
                                 app != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->app_model)) > 1);
  if (app == NULL)
    {
      adw_action_row_set_subtitle (self->id_row, "");
      adw_action_row_set_subtitle (self->key_row, "");
      adw_action_row_set_subtitle (self->secret_row, "");
      adw_action_row_set_subtitle (self->options_row, "");
      return;
    }
  adw_action_row_set_subtitle (self->id_row, app->id);
  adw_action_row_set_subtitle (self->key_row, app->key);
  adw_action_row_set_subtitle (self->secret_row, self->reveal_secret ? app->secret : CRIER_LARAVEL_MASKED_SECRET);
  options = g_strdup_printf (_ ("client events %s · %s"), app->client_events ? _ ("on") : _ ("off"),
                             app->allowed_origins ? _ ("some origins") : _ ("any origin"));
  adw_action_row_set_subtitle (self->options_row, options);
  env = dup_env_block (self, TRUE);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->env_view), env, -1);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->echo_view), echo, -1);
}

static void
server_running_cb (CrierBackend  *server,
                   GParamSpec    *pspec,
                   CrierAppsPage *self)
{
  update (self);
}

static void
copy_text (CrierAppsPage *self,
           const char    *text,
           const char    *what)
{
  g_autofree char *message = NULL;

  if (text == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  /* Translators: %s is what was copied, e.g. “.env block” */
  message = g_strdup_printf (_ ("%s copied"), what);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrierAppsPage  *self = CRIER_APPS_PAGE (widget);
  CrierAppConfig *app = selected_app (self);
  const char     *field = g_variant_get_string (parameter, NULL);

  if (app == NULL)
    return;
  if (g_str_equal (field, "id"))
    copy_text (self, app->id, _ ("App ID"));
  else if (g_str_equal (field, "key"))
    copy_text (self, app->key, _ ("Key"));
  else if (g_str_equal (field, "secret"))
    copy_text (self, app->secret, _ ("Secret"));
}

static void
copy_env_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CrierAppsPage   *self = CRIER_APPS_PAGE (widget);
  g_autofree char *env = crier_apps_page_dup_env (self);

  copy_text (self, env, _ (".env block"));
}

static void
copy_echo_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrierAppsPage   *self = CRIER_APPS_PAGE (widget);
  g_autofree char *echo = crier_laravel_echo_snippet (self->broadcaster);

  copy_text (self, echo, _ ("Echo snippet"));
}

/* Every app of the running config, with replacement instead of the app called
 * original_id (NULL: replacement is added; replacement NULL: original_id is removed). */
static GPtrArray *
dup_apps_with (CrierAppsPage  *self,
               const char     *original_id,
               CrierAppConfig *replacement)
{
  GPtrArray *apps = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_app_config_unref);
  GPtrArray *current = crier_config_get_apps (crier_backend_get_config (self->server));
  gboolean   replaced = FALSE;

  for (guint i = 0; i < current->len; i++)
    {
      CrierAppConfig *app = g_ptr_array_index (current, i);

      if (original_id != NULL && g_str_equal (app->id, original_id))
        {
          if (replacement != NULL)
            g_ptr_array_add (apps, crier_app_config_ref (replacement));
          replaced = TRUE;
        }
      else
        g_ptr_array_add (apps, crier_app_config_ref (app));
    }
  if (!replaced && replacement != NULL)
    g_ptr_array_add (apps, crier_app_config_ref (replacement));
  return apps;
}

static void
save (CrierAppsPage *self,
      GPtrArray     *apps)
{
  g_autoptr (GError) error = NULL;

  if (self->application == NULL)
    return;
  if (!crier_application_save_apps (self->application, apps, &error))
    {
      g_autofree char *message = g_strdup_printf (_ ("Could not save the apps: %s"), error->message);

      gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", _ ("Apps saved; the server restarts with them"));
}

static void
app_dialog_response_cb (CrierAppDialog *dialog,
                        const char     *response,
                        CrierAppsPage  *self)
{
  g_autoptr (CrierAppConfig) app = NULL;
  g_autoptr (GPtrArray) apps = NULL;

  if (!g_str_equal (response, "save") || self->server == NULL)
    return;
  app = crier_app_dialog_dup_app (dialog);
  apps = dup_apps_with (self, crier_app_dialog_get_original_id (dialog), app);
  save (self, apps);
}

static void
open_dialog (CrierAppsPage  *self,
             CrierAppConfig *app)
{
  GtkRoot        *root = gtk_widget_get_root (GTK_WIDGET (self));
  CrierAppDialog *dialog = crier_app_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, app);

  g_signal_connect_object (dialog, "response", G_CALLBACK (app_dialog_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  open_dialog (CRIER_APPS_PAGE (widget), NULL);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrierAppsPage  *self = CRIER_APPS_PAGE (widget);
  CrierAppConfig *app = selected_app (self);

  if (app != NULL)
    open_dialog (self, app);
}

static void
remove_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    CrierAppsPage    *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "app-id");
  g_autoptr (GPtrArray) apps = NULL;

  if (!g_str_equal (response, "remove") || self->server == NULL)
    return;
  apps = dup_apps_with (self, id, NULL);
  save (self, apps);
}

static void
remove_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrierAppsPage  *self = CRIER_APPS_PAGE (widget);
  CrierAppConfig *app = selected_app (self);
  GtkRoot        *root = gtk_widget_get_root (widget);
  GtkWidget      *dialog;

  if (app == NULL)
    return;
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _ ("Remove App?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _ ("Clients using the key “%s” will no longer be able to connect."),
                                  app->key);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"),
                                    "remove", _ ("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "app-id", g_strdup (app->id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
selected_cb (AdwComboRow   *row,
             GParamSpec    *pspec,
             CrierAppsPage *self)
{
  update (self);
}

static void
crier_apps_page_dispose (GObject *object)
{
  CrierAppsPage *self = CRIER_APPS_PAGE (object);

  if (self->server != NULL)
    g_signal_handlers_disconnect_by_data (self->server, self);
  g_clear_object (&self->server);
  g_clear_weak_pointer (&self->application);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRIER_TYPE_APPS_PAGE);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (crier_apps_page_parent_class)->dispose (object);
}

static void
crier_apps_page_finalize (GObject *object)
{
  CrierAppsPage *self = CRIER_APPS_PAGE (object);

  g_free (self->broadcaster);
  G_OBJECT_CLASS (crier_apps_page_parent_class)->finalize (object);
}

static void
crier_apps_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CrierAppsPage *self = CRIER_APPS_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    case PROP_REVEAL_SECRET:
      g_value_set_boolean (value, self->reveal_secret);
      break;
    case PROP_BROADCASTER:
      g_value_set_string (value, self->broadcaster);
      break;
    case PROP_DOCKER:
      g_value_set_boolean (value, self->docker);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_apps_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CrierAppsPage *self = CRIER_APPS_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      crier_apps_page_set_server (self, g_value_get_object (value));
      break;
    case PROP_REVEAL_SECRET:
      self->reveal_secret = g_value_get_boolean (value);
      break;
    case PROP_DOCKER:
      self->docker = g_value_get_boolean (value);
      break;
    case PROP_BROADCASTER:
      g_free (self->broadcaster);
      self->broadcaster = g_strcmp0 (g_value_get_string (value), "reverb") == 0 ? g_strdup ("reverb")
                                                                                : g_strdup ("pusher");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_object_notify_by_pspec (object, pspec);
  update (self);
}

static void
crier_apps_page_class_init (CrierAppsPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crier_apps_page_dispose;
  object_class->finalize = crier_apps_page_finalize;
  object_class->get_property = crier_apps_page_get_property;
  object_class->set_property = crier_apps_page_set_property;

  properties[PROP_REVEAL_SECRET] = g_param_spec_boolean ("reveal-secret", NULL, NULL, FALSE,
                                                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                           G_PARAM_STATIC_STRINGS);
  properties[PROP_BROADCASTER] = g_param_spec_string ("broadcaster", NULL, NULL, "pusher",
                                                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                        G_PARAM_STATIC_STRINGS);
  properties[PROP_DOCKER] = g_param_spec_boolean ("docker", NULL, NULL, FALSE,
                                                  G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                    G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER] = g_param_spec_object ("server", NULL, NULL, CRIER_TYPE_BACKEND,
                                                 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/crier/Crier/ui/crier-apps-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrierAppsPage, app_row);
  gtk_widget_class_bind_template_child (widget_class, CrierAppsPage, app_model);
  gtk_widget_class_bind_template_child (widget_class, CrierAppsPage, id_row);
  gtk_widget_class_bind_template_child (widget_class, CrierAppsPage, key_row);
  gtk_widget_class_bind_template_child (widget_class, CrierAppsPage, secret_row);
  gtk_widget_class_bind_template_child (widget_class, CrierAppsPage, options_row);
  gtk_widget_class_bind_template_child (widget_class, CrierAppsPage, env_view);
  gtk_widget_class_bind_template_child (widget_class, CrierAppsPage, docker_switch);
  gtk_widget_class_bind_template_child (widget_class, CrierAppsPage, echo_view);

  gtk_widget_class_install_action (widget_class, "apps.copy", "s", copy_action);
  gtk_widget_class_install_action (widget_class, "apps.copy-env", NULL, copy_env_action);
  gtk_widget_class_install_action (widget_class, "apps.copy-echo", NULL, copy_echo_action);
  gtk_widget_class_install_action (widget_class, "apps.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "apps.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "apps.remove", NULL, remove_action);
  gtk_widget_class_install_property_action (widget_class, "apps.reveal-secret", "reveal-secret");
  gtk_widget_class_install_property_action (widget_class, "apps.broadcaster", "broadcaster");
  gtk_widget_class_install_property_action (widget_class, "apps.docker", "docker");
}

static void
crier_apps_page_init (CrierAppsPage *self)
{
  g_autoptr (GtkExpression) expression = NULL;

  self->broadcaster = g_strdup ("pusher");
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The row takes its own reference (transfer none); ours goes at the end of the scope. */
  expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
  adw_combo_row_set_expression (self->app_row, expression);
  g_signal_connect (self->app_row, "notify::selected", G_CALLBACK (selected_cb), self);
  update (self);
}

void
crier_apps_page_set_server (CrierAppsPage *self,
                            CrierBackend  *server)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) ids = NULL;
  g_autofree char *keep = NULL;
  GPtrArray       *apps;

  g_return_if_fail (CRIER_IS_APPS_PAGE (self));
  if (self->server == server)
    return;
  keep = selected_app (self) ? g_strdup (selected_app (self)->id) : NULL;
  if (self->server != NULL)
    g_signal_handlers_disconnect_by_data (self->server, self);
  g_set_object (&self->server, server);
  if (server == NULL)
    return;
  g_signal_connect (server, "notify::state", G_CALLBACK (server_running_cb), self);
  apps = crier_config_get_apps (crier_backend_get_config (server));
  for (guint i = 0; i < apps->len; i++)
    g_strv_builder_add (builder, ((CrierAppConfig *) g_ptr_array_index (apps, i))->id);
  ids = g_strv_builder_end (builder);
  gtk_string_list_splice (self->app_model, 0, g_list_model_get_n_items (G_LIST_MODEL (self->app_model)),
                          (const char *const *) ids);
  for (guint i = 0; ids[i]; i++)
    if (g_strcmp0 (ids[i], keep) == 0)
      adw_combo_row_set_selected (self->app_row, i);
  update (self);
}

void
crier_apps_page_set_application (CrierAppsPage    *self,
                                 CrierApplication *application)
{
  g_return_if_fail (CRIER_IS_APPS_PAGE (self));
  g_set_weak_pointer (&self->application, application);
}
