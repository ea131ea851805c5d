/* crier-notification.c — the payload of Laravel's BroadcastNotificationCreated
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-server"

#include "config.h"

#include "crier-notification.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "crier-json.h"

/* data (a JSON object) plus a fresh UUID v4 `id` and the class name as `type`, in that
 * order, as PHP's array_merge gives (laravel-broadcasting.md §10.1). id: (out) (optional). */
char *
crier_notification_build_data (const char *data,
                               const char *type,
                               char      **id,
                               GError    **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *uuid = g_uuid_string_random ();
  JsonObject      *object;

  g_return_val_if_fail (type != NULL, NULL);
  if (!crier_json_parser_load (parser, data && *data ? data : "{}", -1, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the notification data must be a JSON object");
      return NULL;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  json_object_set_string_member (object, "id", uuid);
  json_object_set_string_member (object, "type", type);
  json_generator_set_root (generator, json_parser_get_root (parser));
  if (id != NULL)
    *id = g_steal_pointer (&uuid);
  return json_generator_to_data (generator, NULL);
}

/* private-App.Models.User.1: the default channel of a notifiable (§10.1). */
char *
crier_notification_channel (const char *model,
                            const char *user_id)
{
  return g_strdup_printf ("private-%s.%s", model ? model : CRIER_NOTIFICATION_MODEL, user_id);
}
