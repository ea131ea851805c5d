/* crier-message.c — the Pusher JSON envelope: parsing client messages, building server frames
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-protocol"

#include "config.h"

#include "crier-message.h"

#include "crier-frame.h"

/* Returns FALSE for anything that is not a JSON object with a string "event"
 * ("Received invalid JSON", pusher-protocol.md §6.6). error says why; it is in
 * CRIER_JSON_ERROR when the text was refused before parsing (too deep, not strict JSON). */
gboolean
crier_message_parse (JsonParser   *parser,
                     const char   *text,
                     gsize         length,
                     CrierMessage *message,
                     GError      **error)
{
  JsonObject *object;
  JsonNode   *root;
  JsonNode   *node;

  *message = (CrierMessage){ 0 };
  if (!crier_json_parser_load (parser, text, (gssize) length, error))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA, "not a JSON object");
      return FALSE;
    }
  object = json_node_get_object (root);
  message->event = crier_json_object_get_string (object, "event");
  if (message->event == NULL)
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                   "no string member \"event\"");
      return FALSE;
    }
  message->root = json_node_ref (root);
  message->channel = crier_json_object_get_string (object, "channel");
  node = json_object_get_member (object, "data");
  message->data = node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
  return TRUE;
}

void
crier_message_clear (CrierMessage *message)
{
  g_clear_pointer (&message->root, json_node_unref);
  *message = (CrierMessage){ 0 };
}

/* pusher-js sends `data` as an object; other clients send a JSON string holding one.
 * Accept both (pusher-protocol.md §2.4). */
JsonObject *
crier_message_dup_data_object (CrierMessage *message)
{
  if (message->data == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (message->data))
    return json_object_ref (json_node_get_object (message->data));
  if (json_node_get_value_type (message->data) != G_TYPE_STRING)
    return NULL;
  return crier_json_parse_object (json_node_get_string (message->data), -1, NULL);
}

/* The text a client event relays as `data`: a string as it is, anything else as its
 * JSON text (pusher-protocol.md §10.4). */
char *
crier_message_dup_data_text (CrierMessage *message)
{
  if (message->data == NULL)
    return g_strdup ("null");
  if (JSON_NODE_HOLDS_VALUE (message->data) &&
      json_node_get_value_type (message->data) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (message->data));
  return crier_json_to_string (message->data);
}

static GBytes *
object_to_frame (JsonObject *object)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = json_node_init_object (json_node_alloc (), object);
  GString *text = g_string_sized_new (128);

  json_generator_set_root (generator, root);
  json_generator_to_gstring (generator, text);
  return crier_frame_new_text_take (text);
}

/* {"event":…,"data":"<string>","channel":…[,"user_id":…]}: Pusher's wire order. The data
 * string goes out byte for byte inside a JSON string (pusher-protocol.md §7.5). */
GBytes *
crier_message_build (const char *event,
                     const char *channel,
                     const char *data,
                     const char *user_id)
{
  g_autoptr (JsonObject) object = json_object_new ();

  json_object_set_string_member (object, "event", event);
  if (data != NULL)
    json_object_set_string_member (object, "data", data);
  if (channel != NULL)
    json_object_set_string_member (object, "channel", channel);
  if (user_id != NULL)
    json_object_set_string_member (object, "user_id", user_id);
  return object_to_frame (object);
}

/* pusher:error carries an object, not a string; code is null for errors without a number. */
GBytes *
crier_message_build_error (int         code,
                           const char *message)
{
  g_autoptr (JsonObject) object = json_object_new ();
  JsonObject *data = json_object_new ();

  if (code > 0)
    json_object_set_int_member (data, "code", code);
  else
    json_object_set_null_member (data, "code");
  json_object_set_string_member (data, "message", message);
  json_object_set_string_member (object, "event", "pusher:error");
  json_object_set_object_member (object, "data", data);
  return object_to_frame (object);
}

GBytes *
crier_message_build_connection_established (const char *socket_id,
                                            unsigned    activity_timeout)
{
  g_autofree char *data = NULL;

  data = g_strdup_printf ("{\"socket_id\":\"%s\",\"activity_timeout\":%u}", socket_id,
                          activity_timeout);
  return crier_message_build ("pusher:connection_established", NULL, data, NULL);
}

GBytes *
crier_message_build_signin_success (const char *user_data)
{
  g_autoptr (JsonObject) object = json_object_new ();
  JsonObject *data = json_object_new ();

  json_object_set_string_member (data, "user_data", user_data);
  json_object_set_string_member (object, "event", "pusher:signin_success");
  json_object_set_object_member (object, "data", data);
  return object_to_frame (object);
}
