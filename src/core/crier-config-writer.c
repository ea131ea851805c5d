/* crier-config-writer.c — writes the apps of a config back as key-file text
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-config"

#include "config.h"

#include "crier-config-writer.h"

#include <string.h>

static void
set_list (GKeyFile   *file,
          const char *group,
          const char *key,
          GStrv       values)
{
  if (values == NULL)
    g_key_file_set_string (file, group, key, "*");
  else
    g_key_file_set_string_list (file, group, key, (const char *const *) values,
                                g_strv_length (values));
}

/* Returns the key file existing (a config file's text, or NULL for a new one) with its
 * [app:…] sections replaced by apps (of CrierAppConfig); comments, [server] and
 * [webhook:…] sections are kept. The text loads back with crier_config_load_data (). */
char *
crier_config_write_apps (const char *existing,
                         GPtrArray  *apps,
                         GError    **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GError) local_error = NULL;
  g_auto (GStrv) groups = NULL;

  g_return_val_if_fail (apps != NULL, NULL);
  g_key_file_set_list_separator (file, ';');
  if (existing != NULL &&
      !g_key_file_load_from_data (file, existing, (gsize) -1,
                                  G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS,
                                  &local_error))
    {
      /* GKeyFile quotes the offending line, which may hold a carriage return. */
      g_autofree char *line = crier_config_dup_one_line (local_error->message);

      g_set_error_literal (error, local_error->domain, local_error->code, line);
      return NULL;
    }
  if (apps->len == 0)
    {
      g_set_error (error, CRIER_CONFIG_ERROR, CRIER_CONFIG_ERROR_INVALID,
                   "a configuration needs at least one app");
      return NULL;
    }
  /* A set of the ids, not a scan of apps per section: linear in the number of apps. */
  for (guint i = 0; i < apps->len; i++)
    {
      CrierAppConfig *app = g_ptr_array_index (apps, i);

      if (app->id != NULL)
        g_hash_table_add (ids, app->id);
    }
  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i]; i++)
    if (g_str_has_prefix (groups[i], "app:") &&
        !g_hash_table_contains (ids, groups[i] + strlen ("app:")))
      g_key_file_remove_group (file, groups[i], NULL);
  for (guint i = 0; i < apps->len; i++)
    {
      CrierAppConfig  *app = g_ptr_array_index (apps, i);
      g_autofree char *group = g_strconcat ("app:", app->id, NULL);

      if (app->id == NULL || *app->id == '\0' || app->key == NULL || *app->key == '\0' ||
          app->secret == NULL || *app->secret == '\0')
        {
          g_set_error (error, CRIER_CONFIG_ERROR, CRIER_CONFIG_ERROR_INVALID,
                       "every app needs an id, a key and a secret");
          return NULL;
        }
      g_key_file_set_string (file, group, "key", app->key);
      g_key_file_set_string (file, group, "secret", app->secret);
      g_key_file_set_boolean (file, group, "enabled", app->enabled);
      g_key_file_set_boolean (file, group, "client-events", app->client_events);
      g_key_file_set_boolean (file, group, "user-authentication", app->user_authentication);
      g_key_file_set_boolean (file, group, "subscription-count", app->subscription_count);
      g_key_file_set_integer (file, group, "max-connections", (int) app->max_connections);
      g_key_file_set_integer (file, group, "client-events-per-second",
                              (int) app->client_events_per_second);
      g_key_file_set_integer (file, group, "max-message-size", (int) app->max_message_size);
      set_list (file, group, "allowed-origins", app->allowed_origins);
      if (app->encryption_master_key != NULL)
        g_key_file_set_string (file, group, "encryption-master-key", app->encryption_master_key);
    }
  return g_key_file_to_data (file, NULL, error);
}
