/* crier-recent-servers.c — the servers last connected to: addresses in GSettings, secrets in
 * the user's keyring
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-recent-servers.h"

#include <glib/gi18n.h>

/* The "recent-servers" key holds what is not secret (url, app id, key, label, last use);
 * the app secret and the encryption master key are keyring items of the schema below, one
 * per kind, found by url and app id. They are never written to GSettings or a file. */
struct _CrierRecentServers
{
  GObject    parent_instance;
  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (CrierRecentServers, crier_recent_servers, G_TYPE_OBJECT)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define KIND_SECRET     "secret"
#define KIND_MASTER_KEY "encryption-master-key"

static GHashTable *
attributes (const char *url,
            const char *app_id,
            const char *kind)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (table, "url", g_strdup (url));
  g_hash_table_insert (table, "app_id", g_strdup (app_id));
  if (kind != NULL)
    g_hash_table_insert (table, "kind", g_strdup (kind));
  return table;
}

static char *
label_for (const char *url,
           const char *app_id)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  /* "app-id on soketi:6001": the scheme says little in a list of one's own servers. */
  if (uri != NULL && g_uri_get_host (uri) != NULL)
    return g_strdup_printf (_ ("%s on %s:%d"), app_id, g_uri_get_host (uri), g_uri_get_port (uri));
  return g_strdup_printf (_ ("%s on %s"), app_id, url);
}

static void
cleared_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GError) error = NULL;

  if (!secret_password_clear_finish (result, &error) && error != NULL)
    g_debug ("Could not remove a forgotten server's secret from the keyring: %s", error->message);
}

static void
settings_changed_cb (CrierRecentServers *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
crier_recent_servers_dispose (GObject *object)
{
  CrierRecentServers *self = CRIER_RECENT_SERVERS (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (crier_recent_servers_parent_class)->dispose (object);
}

static void
crier_recent_servers_class_init (CrierRecentServersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crier_recent_servers_dispose;
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 0);
}

static void
crier_recent_servers_init (CrierRecentServers *self)
{
}

void
crier_recent_server_free (CrierRecentServer *server)
{
  if (server == NULL)
    return;
  g_free (server->url);
  g_free (server->app_id);
  g_free (server->key);
  g_free (server->label);
  g_free (server);
}

/* Keyring items: "url" and "app_id" of the server, "kind" secret or encryption-master-key. */
const SecretSchema *
crier_recent_servers_get_schema (void)
{
  static const SecretSchema schema = {
    "dev.crier.Crier.Server",
    SECRET_SCHEMA_NONE,
    {
      { "url", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "app_id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

CrierRecentServers *
crier_recent_servers_new (GSettings *settings)
{
  CrierRecentServers *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  self = g_object_new (CRIER_TYPE_RECENT_SERVERS, NULL);
  self->settings = g_object_ref (settings);
  g_signal_connect_object (settings, "changed::recent-servers", G_CALLBACK (settings_changed_cb), self,
                           G_CONNECT_SWAPPED);
  return self;
}

/* Returns: (transfer full) (element-type CrierRecentServer): newest first. */
GPtrArray *
crier_recent_servers_dup_list (CrierRecentServers *self)
{
  g_autoptr (GVariant) value = NULL;
  GPtrArray   *list = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_recent_server_free);
  GVariantIter iter;
  const char  *url, *app_id, *key, *label;
  gint64       last_used;

  g_return_val_if_fail (CRIER_IS_RECENT_SERVERS (self), list);
  value = g_settings_get_value (self->settings, "recent-servers");
  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "(&s&s&s&sx)", &url, &app_id, &key, &label, &last_used))
    {
      CrierRecentServer *server = g_new0 (CrierRecentServer, 1);

      server->url = g_strdup (url);
      server->app_id = g_strdup (app_id);
      server->key = g_strdup (key);
      server->label = g_strdup (label);
      server->last_used = last_used;
      g_ptr_array_add (list, server);
    }
  return list;
}

/* A server's keyring entry on its way: what remember stores, what a lookup finds. */
typedef struct
{
  char *url;
  char *app_id;
  char *secret;
  char *master_key;
} SecretsData;

static void
secrets_data_free (SecretsData *data)
{
  g_free (data->url);
  g_free (data->app_id);
  g_free (data->secret);
  g_free (data->master_key);
  g_free (data);
}

static void
remember_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  SecretsData *data = g_task_get_task_data (task);

  /* Clearing a master key that was never stored is no failure (FALSE without an error). */
  if (data->master_key != NULL ? !secret_password_store_finish (result, &error)
                               : !secret_password_clear_finish (result, &error) && error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
secret_stored_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  SecretsData *data = g_task_get_task_data (task);
  g_autoptr (GHashTable) master_attributes = attributes (data->url, data->app_id, KIND_MASTER_KEY);

  if (!secret_password_store_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->master_key != NULL)
    {
      g_autofree char *label = g_strdup_printf (_ ("Crier: encryption master key of app %s on %s"), data->app_id,
                                                data->url);

      secret_password_storev (crier_recent_servers_get_schema (), master_attributes, SECRET_COLLECTION_DEFAULT,
                              label, data->master_key, g_task_get_cancellable (task), remember_done_cb,
                              g_object_ref (task));
    }
  else
    secret_password_clearv (crier_recent_servers_get_schema (), master_attributes, g_task_get_cancellable (task),
                            remember_done_cb, g_object_ref (task));
}

/* Puts the server first in the list (at most CRIER_RECENT_SERVERS_MAX; the keyring items of
 * one pushed off go too) at once, then keeps secret and encryption_master_key (NULL or "":
 * none) in the keyring. An error says the keyring could not keep them; the list has the
 * server anyway. */
void
crier_recent_servers_remember_async (CrierRecentServers *self,
                                     const char         *url,
                                     const char         *app_id,
                                     const char         *key,
                                     const char         *secret,
                                     const char         *encryption_master_key,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autofree char *label = NULL;
  GVariantBuilder  builder;
  SecretsData     *data;
  guint            kept = 1;

  g_return_if_fail (CRIER_IS_RECENT_SERVERS (self));
  g_return_if_fail (url != NULL && app_id != NULL && key != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crier_recent_servers_remember_async);
  list = crier_recent_servers_dup_list (self);
  label = label_for (url, app_id);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssssx)"));
  g_variant_builder_add (&builder, "(ssssx)", url, app_id, key, label, g_get_real_time () / G_USEC_PER_SEC);
  for (guint i = 0; i < list->len; i++)
    {
      CrierRecentServer *server = list->pdata[i];

      if (g_str_equal (server->url, url) && g_str_equal (server->app_id, app_id))
        continue;
      if (kept++ < CRIER_RECENT_SERVERS_MAX)
        g_variant_builder_add (&builder, "(ssssx)", server->url, server->app_id, server->key, server->label,
                               server->last_used);
      else
        {
          g_autoptr (GHashTable) dropped = attributes (server->url, server->app_id, NULL);

          secret_password_clearv (crier_recent_servers_get_schema (), dropped, NULL, cleared_cb, NULL);
        }
    }
  g_settings_set_value (self->settings, "recent-servers", g_variant_builder_end (&builder));

  data = g_new0 (SecretsData, 1);
  data->url = g_strdup (url);
  data->app_id = g_strdup (app_id);
  data->secret = g_strdup (secret);
  data->master_key = encryption_master_key && *encryption_master_key ? g_strdup (encryption_master_key) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) secrets_data_free);
  if (secret != NULL && *secret != '\0')
    {
      g_autoptr (GHashTable) secret_attributes = attributes (url, app_id, KIND_SECRET);
      g_autofree char *item_label = g_strdup_printf (_ ("Crier: secret of app %s on %s"), app_id, url);

      secret_password_storev (crier_recent_servers_get_schema (), secret_attributes, SECRET_COLLECTION_DEFAULT,
                              item_label, secret, cancellable, secret_stored_cb, g_steal_pointer (&task));
    }
  else
    {
      g_autoptr (GHashTable) all = attributes (url, app_id, NULL);

      g_clear_pointer (&data->master_key, g_free);
      secret_password_clearv (crier_recent_servers_get_schema (), all, cancellable, remember_done_cb,
                              g_steal_pointer (&task));
    }
}

gboolean
crier_recent_servers_remember_finish (CrierRecentServers *self,
                                      GAsyncResult       *result,
                                      GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
searched_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  SecretsData *data = g_task_get_task_data (task);
  GList       *items = secret_service_search_finish (NULL, result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr (GHashTable) item_attributes = secret_item_get_attributes (l->data);
      g_autoptr (SecretValue) value = secret_item_get_secret (l->data);
      const char *kind = g_hash_table_lookup (item_attributes, "kind");
      const char *text = value ? secret_value_get_text (value) : NULL;

      if (text == NULL)
        continue;
      if (g_strcmp0 (kind, KIND_SECRET) == 0 && data->secret == NULL)
        data->secret = g_strdup (text);
      else if (g_strcmp0 (kind, KIND_MASTER_KEY) == 0 && data->master_key == NULL)
        data->master_key = g_strdup (text);
    }
  g_list_free_full (items, g_object_unref);
  g_task_return_boolean (task, TRUE);
}

/* The server's secret and encryption master key from the keyring; each NULL when it has
 * none (not remembered, or forgotten with Seahorse). One search that loads the secrets
 * rather than secret_password_lookup (): besides taking one round trip for both, libsecret
 * 0.20.5 (Debian 12) leaks the reply of every lookup that finds something. */
void
crier_recent_servers_lookup_async (CrierRecentServers *self,
                                   const char         *url,
                                   const char         *app_id,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  GTask       *task;
  SecretsData *data;
  g_autoptr (GHashTable) server_attributes = attributes (url, app_id, NULL);

  g_return_if_fail (CRIER_IS_RECENT_SERVERS (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crier_recent_servers_lookup_async);
  data = g_new0 (SecretsData, 1);
  data->url = g_strdup (url);
  data->app_id = g_strdup (app_id);
  g_task_set_task_data (task, data, (GDestroyNotify) secrets_data_free);
  secret_service_search (NULL, crier_recent_servers_get_schema (), server_attributes,
                         SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS, cancellable, searched_cb,
                         task);
}

gboolean
crier_recent_servers_lookup_finish (CrierRecentServers *self,
                                    GAsyncResult       *result,
                                    char              **secret,
                                    char              **encryption_master_key,
                                    GError            **error)
{
  SecretsData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  data = g_task_get_task_data (G_TASK (result));
  if (secret != NULL)
    *secret = g_steal_pointer (&data->secret);
  if (encryption_master_key != NULL)
    *encryption_master_key = g_steal_pointer (&data->master_key);
  return TRUE;
}

static void
forgotten_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  /* FALSE without an error: the keyring had nothing of it (never remembered). */
  if (!secret_password_clear_finish (result, &error) && error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Takes the server off the list at once, then its secrets out of the keyring. */
void
crier_recent_servers_forget_async (CrierRecentServers *self,
                                   const char         *url,
                                   const char         *app_id,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GHashTable) all = attributes (url, app_id, NULL);
  GVariantBuilder builder;
  GTask          *task;

  g_return_if_fail (CRIER_IS_RECENT_SERVERS (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crier_recent_servers_forget_async);
  list = crier_recent_servers_dup_list (self);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssssx)"));
  for (guint i = 0; i < list->len; i++)
    {
      CrierRecentServer *server = list->pdata[i];

      if (!g_str_equal (server->url, url) || !g_str_equal (server->app_id, app_id))
        g_variant_builder_add (&builder, "(ssssx)", server->url, server->app_id, server->key, server->label,
                               server->last_used);
    }
  g_settings_set_value (self->settings, "recent-servers", g_variant_builder_end (&builder));
  secret_password_clearv (crier_recent_servers_get_schema (), all, cancellable, forgotten_cb, task);
}

gboolean
crier_recent_servers_forget_finish (CrierRecentServers *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
probed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *nothing = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Whether a Secret Service answers (the bus starts one if it can): a search that matches
 * nothing, so that no keyring is unlocked nor prompted for. */
void
crier_recent_servers_probe_async (CrierRecentServers *self,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autoptr (GHashTable) none = attributes ("", "", "probe");
  GTask *task;

  g_return_if_fail (CRIER_IS_RECENT_SERVERS (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crier_recent_servers_probe_async);
  secret_password_lookupv (crier_recent_servers_get_schema (), none, cancellable, probed_cb, task);
}

gboolean
crier_recent_servers_probe_finish (CrierRecentServers *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
