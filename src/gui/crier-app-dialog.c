/* crier-app-dialog.c — add or edit one app's credentials
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-app-dialog.h"

#include <glib/gi18n.h>

struct _CrierAppDialog
{
  AdwMessageDialog parent_instance;
  CrierAppConfig  *original; /* NULL: a new app */

  AdwEntryRow *id_row;
  AdwEntryRow *key_row;
  AdwEntryRow *secret_row;
  GtkSwitch   *client_events_switch;
};

G_DEFINE_FINAL_TYPE (CrierAppDialog, crier_app_dialog, ADW_TYPE_MESSAGE_DIALOG)

static char *
random_token (void)
{
  GString *token = g_string_new (NULL);

  for (int i = 0; i < 20; i++)
    g_string_append_printf (token, "%x", g_random_int_range (0, 16));
  return g_string_free (token, FALSE);
}

static void
changed_cb (CrierAppDialog *self)
{
  gboolean ok = *gtk_editable_get_text (GTK_EDITABLE (self->id_row)) != '\0' &&
                *gtk_editable_get_text (GTK_EDITABLE (self->key_row)) != '\0' &&
                *gtk_editable_get_text (GTK_EDITABLE (self->secret_row)) != '\0';

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "save", ok);
}

static void
crier_app_dialog_dispose (GObject *object)
{
  CrierAppDialog *self = CRIER_APP_DIALOG (object);

  g_clear_pointer (&self->original, crier_app_config_unref);
  G_OBJECT_CLASS (crier_app_dialog_parent_class)->dispose (object);
}

static void
crier_app_dialog_class_init (CrierAppDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crier_app_dialog_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/crier/Crier/ui/crier-app-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CrierAppDialog, id_row);
  gtk_widget_class_bind_template_child (widget_class, CrierAppDialog, key_row);
  gtk_widget_class_bind_template_child (widget_class, CrierAppDialog, secret_row);
  gtk_widget_class_bind_template_child (widget_class, CrierAppDialog, client_events_switch);
}

static void
crier_app_dialog_init (CrierAppDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->id_row, "changed", G_CALLBACK (changed_cb), self);
  g_signal_connect_swapped (self->key_row, "changed", G_CALLBACK (changed_cb), self);
  g_signal_connect_swapped (self->secret_row, "changed", G_CALLBACK (changed_cb), self);
}

/* app: the app to edit, or NULL for a new one with random key and secret. */
CrierAppDialog *
crier_app_dialog_new (GtkWindow            *parent,
                      const CrierAppConfig *app)
{
  CrierAppDialog *self = g_object_new (CRIER_TYPE_APP_DIALOG, "transient-for", parent, "modal", TRUE, NULL);

  if (app != NULL)
    {
      self->original = crier_app_config_ref ((CrierAppConfig *) app);
      adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _ ("Edit App"));
      gtk_editable_set_text (GTK_EDITABLE (self->id_row), app->id);
      gtk_editable_set_text (GTK_EDITABLE (self->key_row), app->key);
      gtk_editable_set_text (GTK_EDITABLE (self->secret_row), app->secret);
      gtk_switch_set_active (self->client_events_switch, app->client_events);
    }
  else
    {
      g_autofree char *id = g_strdup_printf ("app-%u", g_random_int_range (1000, 10000));
      g_autofree char *key = random_token ();
      g_autofree char *secret = random_token ();

      adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _ ("New App"));
      gtk_editable_set_text (GTK_EDITABLE (self->id_row), id);
      gtk_editable_set_text (GTK_EDITABLE (self->key_row), key);
      gtk_editable_set_text (GTK_EDITABLE (self->secret_row), secret);
      gtk_switch_set_active (self->client_events_switch, TRUE);
    }
  return self;
}

/* The app as entered; other settings are kept from the original. */
CrierAppConfig *
crier_app_dialog_dup_app (CrierAppDialog *self)
{
  g_autofree char *id = NULL, *key = NULL, *secret = NULL;
  CrierAppConfig  *app;

  g_return_val_if_fail (CRIER_IS_APP_DIALOG (self), NULL);
  id = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->id_row))));
  key = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->key_row))));
  secret = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->secret_row))));
  app = crier_app_config_new (id, key, secret);
  if (self->original != NULL)
    {
      const CrierAppConfig *o = self->original;

      app->enabled = o->enabled;
      app->user_authentication = o->user_authentication;
      app->user_authentication_timeout = o->user_authentication_timeout;
      app->max_connections = o->max_connections;
      app->client_events_per_second = o->client_events_per_second;
      app->max_message_size = o->max_message_size;
      app->subscription_count = o->subscription_count;
      app->allowed_origins = g_strdupv (o->allowed_origins);
      app->encryption_master_key = g_strdup (o->encryption_master_key);
    }
  app->client_events = gtk_switch_get_active (self->client_events_switch);
  return app;
}

const char *
crier_app_dialog_get_original_id (CrierAppDialog *self)
{
  g_return_val_if_fail (CRIER_IS_APP_DIALOG (self), NULL);
  return self->original ? self->original->id : NULL;
}
