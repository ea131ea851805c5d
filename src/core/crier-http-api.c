/* crier-http-api.c — the Pusher HTTP API (pusher-protocol.md §14) with request signing,
 * and the operational endpoints /up and /metrics
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-http"

#include "config.h"

#include "crier-http-api.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "crier-app-private.h"
#include "crier-cluster.h"
#include "crier-explain.h"
#include "crier-message.h"
#include "crier-metrics.h"
#include "crier-names.h"
#include "crier-request-auth.h"
#include "crier-server-private.h"
#include "crier-signature.h"

#define MAX_BATCH_EVENTS 10
#define TEXT_PLAIN       "text/plain; charset=utf-8"
#define APPLICATION_JSON "application/json"

typedef struct
{
  CrierServer       *server;
  SoupServerMessage *msg;
  const char        *method;
  const char        *path;
  GHashTable        *query;
  CrierApp          *app;
  GBytes            *body;
  guint64            id; /* set when the request publishes: its monitor events share it */
  gboolean           asked_cluster;
  GPtrArray         *cluster_result; /* the cluster's answer; NULL: this node's state */
} Request;

/* Ids of publishing requests, unique in the process (servers may run on other threads). */
static gsize last_request_id;

static void
emit_request (Request    *request,
              unsigned    status,
              const char *message)
{
  CrierMonitorEvent *event;

  if (!crier_server_monitoring (request->server))
    return;
  event = crier_monitor_event_new (CRIER_MONITOR_API_REQUEST);
  event->app_id = request->app != NULL ? g_strdup (request->app->config->id) : NULL;
  event->event = g_strdup_printf ("%s %s", request->method, request->path);
  event->code = status;
  event->message = g_strdup (message);
  event->remote = g_strdup (soup_server_message_get_remote_host (request->msg));
  event->request_id = request->id;
  crier_server_emit (request->server, event);
}

static void
respond (Request    *request,
         unsigned    status,
         const char *content_type,
         const char *body)
{
  soup_server_message_set_status (request->msg, status, NULL);
  soup_server_message_set_response (request->msg, content_type, SOUP_MEMORY_COPY, body,
                                    strlen (body));
  if (status >= 400)
    {
      crier_server_count_error (request->server, request->app);
    }
  crier_server_count_api_request (NULL, request->app);
  emit_request (request, status, status >= 400 ? body : NULL);
}

/* Errors are one precise line of plain text: Laravel shows it as "Pusher error: <body>." */
static void G_GNUC_PRINTF (3, 4)
  fail (Request    *request,
        unsigned    status,
        const char *format,
        ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  respond (request, status, TEXT_PLAIN, message);
}

static void
respond_json (Request  *request,
              JsonNode *node)
{
  g_autofree char *text = crier_json_to_string (node);

  respond (request, SOUP_STATUS_OK, APPLICATION_JSON, text);
}

/* Request signing (pusher-protocol.md §14.2): a 401 that says what was wrong. */
static gboolean
check_signature (Request *request)
{
  g_autofree char *problem = NULL;

  if (crier_request_auth_verify (request->server, request->app, request->method, request->path,
                                 request->query, request->body, &problem))
    return TRUE;
  fail (request, SOUP_STATUS_UNAUTHORIZED, "%s", problem);
  return FALSE;
}

static JsonObject *
parse_body (Request *request)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) error = NULL;
  gsize       length;
  const char *data = g_bytes_get_data (request->body, &length);
  JsonNode   *root;

  if (length == 0 || !crier_json_parser_load (parser, data, length, &error))
    {
      fail (request, SOUP_STATUS_BAD_REQUEST, "The request body is not valid JSON%s%s",
            error ? ": " : "", error ? error->message : "");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (request, SOUP_STATUS_BAD_REQUEST, "The request body must be a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* The channel attributes asked for with `info`, those that apply to each type (§14.10). */
static JsonObject *
channel_attributes (Request    *request,
                    const char *channel,
                    GStrv       info)
{
  g_autoptr (CrierChannelInfo) details = crier_server_dup_channel (request->server,
                                                                   request->app->config->id,
                                                                   channel);
  JsonObject *attributes = json_object_new ();
  gboolean    presence = (details->type & CRIER_CHANNEL_PRESENCE) != 0;

  if (g_strv_contains ((const char *const *) info, "user_count") && presence)
    json_object_set_int_member (attributes, "user_count", details->user_count);
  if (g_strv_contains ((const char *const *) info, "subscription_count") && !presence)
    json_object_set_int_member (attributes, "subscription_count", details->subscription_count);
  return attributes;
}

typedef struct
{
  GStrv channels;
  char *name;
  char *data;
  char *socket_id;
  GStrv info;
} Trigger;

static void
trigger_clear (Trigger *trigger)
{
  g_strfreev (trigger->channels);
  g_free (trigger->name);
  g_free (trigger->data);
  g_free (trigger->socket_id);
  g_strfreev (trigger->info);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Trigger, trigger_clear)

/* Reads one event of /events or /batch_events; returns FALSE with status and message. */
static gboolean
read_trigger (Request    *request,
              JsonObject *object,
              gboolean    batch,
              Trigger    *trigger,
              unsigned   *status,
              char      **message)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode   *channels = json_object_get_member (object, "channels");
  JsonNode   *data = json_object_get_member (object, "data");
  const char *channel = crier_json_object_get_string (object, "channel");
  const char *info;

  *status = SOUP_STATUS_BAD_REQUEST;
  trigger->name = g_strdup (crier_json_object_get_string (object, "name"));
  if (trigger->name == NULL)
    {
      *message = g_strdup ("'name' must be a string: the event name is missing");
      return FALSE;
    }
  if (data == NULL || !JSON_NODE_HOLDS_VALUE (data) ||
      json_node_get_value_type (data) != G_TYPE_STRING)
    {
      *message = g_strdup ("'data' must be a string (the event payload, usually JSON text)");
      return FALSE;
    }
  trigger->data = g_strdup (json_node_get_string (data));
  if (channels != NULL && !batch)
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (channels))
        {
          *message = g_strdup ("'channels' must be an array of channel names");
          return FALSE;
        }
      array = json_node_get_array (channels);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
            {
              *message = g_strdup ("'channels' must contain only strings");
              return FALSE;
            }
          g_strv_builder_add (builder, json_node_get_string (element));
        }
    }
  else if (channel != NULL)
    g_strv_builder_add (builder, channel);
  else if (batch && channels != NULL)
    {
      *message = g_strdup ("batch events take 'channel' (one channel), not 'channels'");
      return FALSE;
    }
  trigger->channels = g_strv_builder_end (builder);
  if (json_object_has_member (object, "socket_id"))
    {
      trigger->socket_id = g_strdup (crier_json_object_get_string (object, "socket_id"));
      if (trigger->socket_id == NULL)
        {
          *message = g_strdup ("'socket_id' must be a string");
          return FALSE;
        }
    }
  info = crier_json_object_get_string (object, "info");
  trigger->info = g_strsplit (info != NULL ? info : "", ",", -1);
  if (!crier_server_validate_publication (request->server, request->app->config->id,
                                          (const char *const *) trigger->channels,
                                          trigger->name, trigger->data, trigger->socket_id,
                                          &error))
    {
      if (g_error_matches (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_TOO_LARGE))
        *status = SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
      *message = g_strdup (error->message);
      return FALSE;
    }
  return TRUE;
}

static void
publish_trigger (Request *request,
                 Trigger *trigger)
{
  CrierPublication publication = { request->app->config->id,
                                   (const char *const *) trigger->channels, trigger->name,
                                   trigger->data, trigger->socket_id, 0 };

  if (request->id == 0)
    request->id = (guint64) g_atomic_pointer_add (&last_request_id, 1) + 1;
  publication.request_id = request->id;
  /* Validated above: nothing reaches a subscriber from a rejected request. */
  crier_server_publish_publication (request->server, &publication, NULL);
}

static void
handle_events (Request *request)
{
  g_autoptr (JsonObject) body = parse_body (request);
  g_autoptr (JsonObject) reply = json_object_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *message = NULL;
  g_auto (Trigger) trigger = { 0 };
  unsigned status;

  if (body == NULL)
    return;
  if (!read_trigger (request, body, FALSE, &trigger, &status, &message))
    return respond (request, status, TEXT_PLAIN, message);
  publish_trigger (request, &trigger);
  if (trigger.info[0] != NULL)
    {
      JsonObject *channels = json_object_new ();

      for (guint i = 0; trigger.channels[i]; i++)
        json_object_set_object_member (channels, trigger.channels[i],
                                       channel_attributes (request, trigger.channels[i],
                                                           trigger.info));
      json_object_set_object_member (reply, "channels", channels);
    }
  node = json_node_init_object (json_node_alloc (), reply);
  respond_json (request, node);
}

static void
handle_batch_events (Request *request)
{
  g_autoptr (JsonObject) body = parse_body (request);
  g_autoptr (JsonObject) reply = json_object_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GArray) triggers = NULL;
  JsonNode  *batch_node;
  JsonArray *batch;
  gboolean   any_info = FALSE;
  guint      n;

  if (body == NULL)
    return;
  batch_node = json_object_get_member (body, "batch");
  if (batch_node == NULL || !JSON_NODE_HOLDS_ARRAY (batch_node))
    return fail (request, SOUP_STATUS_BAD_REQUEST, "'batch' must be an array of events");
  batch = json_node_get_array (batch_node);
  n = json_array_get_length (batch);
  if (n > MAX_BATCH_EVENTS)
    return fail (request, SOUP_STATUS_BAD_REQUEST,
                 "Cannot batch-send more than %d events at once (got %u)", MAX_BATCH_EVENTS, n);
  triggers = g_array_sized_new (FALSE, TRUE, sizeof (Trigger), n);
  g_array_set_clear_func (triggers, (GDestroyNotify) trigger_clear);
  g_array_set_size (triggers, n);
  /* Validate the whole batch first: one bad event and nothing is delivered. */
  for (guint i = 0; i < n; i++)
    {
      JsonNode        *element = json_array_get_element (batch, i);
      g_autofree char *message = NULL;
      unsigned         status;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return fail (request, SOUP_STATUS_BAD_REQUEST, "batch[%u] must be an object", i);
      if (!read_trigger (request, json_node_get_object (element), TRUE,
                         &g_array_index (triggers, Trigger, i), &status, &message))
        return fail (request, status, "batch[%u]: %s", i, message);
      any_info |= g_array_index (triggers, Trigger, i).info[0] != NULL;
    }
  for (guint i = 0; i < n; i++)
    publish_trigger (request, &g_array_index (triggers, Trigger, i));
  if (any_info)
    {
      JsonArray *attributes = json_array_new ();

      for (guint i = 0; i < n; i++)
        {
          Trigger *trigger = &g_array_index (triggers, Trigger, i);

          json_array_add_object_element (attributes,
                                         channel_attributes (request, trigger->channels[0],
                                                             trigger->info));
        }
      json_object_set_array_member (reply, "batch", attributes);
    }
  node = json_node_init_object (json_node_alloc (), reply);
  respond_json (request, node);
}

static int
compare_infos (gconstpointer a,
               gconstpointer b)
{
  return strcmp ((*(CrierChannelInfo *const *) a)->name, (*(CrierChannelInfo *const *) b)->name);
}

static void
handle_channels (Request *request)
{
  const char *prefix = g_hash_table_lookup (request->query, "filter_by_prefix");
  const char *info_text = g_hash_table_lookup (request->query, "info");
  g_auto (GStrv) info = g_strsplit (info_text != NULL ? info_text : "", ",", -1);
  g_autoptr (GPtrArray) channels = NULL;
  g_autoptr (JsonObject) reply = json_object_new ();
  g_autoptr (JsonNode) node = NULL;
  JsonObject *map = json_object_new ();

  for (guint i = 0; info[i]; i++)
    if (!g_str_equal (info[i], "user_count") && !g_str_equal (info[i], "subscription_count"))
      {
        json_object_unref (map);
        return fail (request, SOUP_STATUS_BAD_REQUEST,
                     "Unknown info attribute '%s' (use user_count or subscription_count)", info[i]);
      }
  if (g_strv_contains ((const char *const *) info, "user_count") &&
      (prefix == NULL || !g_str_has_prefix (prefix, "presence-")))
    {
      json_object_unref (map);
      return fail (request, SOUP_STATUS_BAD_REQUEST,
                   "Request must be limited to presence channels in order to fetch user_count "
                   "(add filter_by_prefix=presence-)");
    }
  if (request->cluster_result != NULL)
    {
      channels = g_ptr_array_ref (request->cluster_result);
      g_ptr_array_sort (channels, compare_infos);
    }
  else
    channels = crier_server_dup_channels (request->server, request->app->config->id, prefix);
  for (guint i = 0; i < channels->len; i++)
    {
      CrierChannelInfo *channel = g_ptr_array_index (channels, i);
      JsonObject       *attributes = json_object_new ();

      if (g_strv_contains ((const char *const *) info, "user_count"))
        json_object_set_int_member (attributes, "user_count", channel->user_count);
      if (g_strv_contains ((const char *const *) info, "subscription_count") &&
          !(channel->type & CRIER_CHANNEL_PRESENCE))
        json_object_set_int_member (attributes, "subscription_count", channel->subscription_count);
      json_object_set_object_member (map, channel->name, attributes);
    }
  json_object_set_object_member (reply, "channels", map);
  node = json_node_init_object (json_node_alloc (), reply);
  respond_json (request, node);
}

static void
handle_channel (Request    *request,
                const char *name)
{
  const char *info_text = g_hash_table_lookup (request->query, "info");
  g_auto (GStrv) info = g_strsplit (info_text != NULL ? info_text : "", ",", -1);
  g_autoptr (CrierChannelInfo) channel = NULL;
  g_autoptr (JsonObject) reply = json_object_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) error = NULL;
  CrierChannelType type;

  if (!crier_channel_name_is_valid (name, request->app->config->max_channel_name_length, &error))
    return fail (request, SOUP_STATUS_BAD_REQUEST, "%s", error->message);
  type = crier_channel_type_from_name (name);
  for (guint i = 0; info[i]; i++)
    {
      gboolean applies;

      if (g_str_equal (info[i], "user_count"))
        applies = (type & CRIER_CHANNEL_PRESENCE) != 0;
      else if (g_str_equal (info[i], "subscription_count"))
        applies = (type & CRIER_CHANNEL_PRESENCE) == 0;
      else if (g_str_equal (info[i], "cache"))
        applies = (type & CRIER_CHANNEL_CACHE) != 0;
      else
        return fail (request, SOUP_STATUS_BAD_REQUEST,
                     "Unknown info attribute '%s' (use user_count, subscription_count or cache)",
                     info[i]);
      if (!applies)
        return fail (request, SOUP_STATUS_BAD_REQUEST,
                     "The info attribute '%s' does not apply to the %s channel '%s'", info[i],
                     crier_channel_type_to_string (type), name);
    }
  channel = crier_server_dup_channel (request->server, request->app->config->id, name);
  /* A cluster's counts; the cache stays this node's. */
  if (request->cluster_result != NULL && request->cluster_result->len == 1)
    {
      CrierChannelInfo *cluster = g_ptr_array_index (request->cluster_result, 0);

      channel->subscription_count = cluster->subscription_count;
      channel->user_count = cluster->user_count;
    }
  json_object_set_boolean_member (reply, "occupied", channel->subscription_count > 0);
  if (g_strv_contains ((const char *const *) info, "user_count"))
    json_object_set_int_member (reply, "user_count", channel->user_count);
  if (g_strv_contains ((const char *const *) info, "subscription_count"))
    json_object_set_int_member (reply, "subscription_count", channel->subscription_count);
  if (g_strv_contains ((const char *const *) info, "cache"))
    {
      if (channel->has_cache)
        {
          JsonObject *cache = json_object_new ();

          json_object_set_string_member (cache, "data", channel->cached_data);
          json_object_set_int_member (cache, "ttl", channel->cache_ttl);
          json_object_set_object_member (reply, "cache", cache);
        }
      else
        json_object_set_null_member (reply, "cache");
    }
  node = json_node_init_object (json_node_alloc (), reply);
  respond_json (request, node);
}

static void
handle_users (Request    *request,
              const char *name)
{
  g_autoptr (GPtrArray) members = NULL;
  g_autoptr (JsonObject) reply = json_object_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) error = NULL;
  JsonArray *users = json_array_new ();

  if (!crier_channel_name_is_valid (name, request->app->config->max_channel_name_length, &error))
    {
      json_array_unref (users);
      return fail (request, SOUP_STATUS_BAD_REQUEST, "%s", error->message);
    }
  if (!(crier_channel_type_from_name (name) & CRIER_CHANNEL_PRESENCE))
    {
      json_array_unref (users);
      return fail (request, SOUP_STATUS_BAD_REQUEST,
                   "Users can only be listed for presence channels, and '%s' is not one", name);
    }
  if (request->cluster_result != NULL)
    members = g_ptr_array_ref (request->cluster_result);
  else
    members = crier_server_dup_members (request->server, request->app->config->id, name);
  for (guint i = 0; i < members->len; i++)
    {
      CrierMemberInfo *member = g_ptr_array_index (members, i);
      JsonObject      *user = json_object_new ();

      json_object_set_string_member (user, "id", member->user_id);
      json_array_add_object_element (users, user);
    }
  json_object_set_array_member (reply, "users", users);
  node = json_node_init_object (json_node_alloc (), reply);
  respond_json (request, node);
}

static void
handle_terminate (Request    *request,
                  const char *user_id)
{
  crier_server_terminate_user (request->server, request->app->config->id, user_id);
  respond (request, SOUP_STATUS_OK, APPLICATION_JSON, "{}");
}

static void
handle_connections (Request *request)
{
  g_autofree char *body = g_strdup_printf ("{\"connections\":%u}", crier_app_count_connections (request->app));

  respond (request, SOUP_STATUS_OK, APPLICATION_JSON, body);
}

static void handle_app (Request *request);

static void
cluster_answered_cb (GPtrArray *result,
                     gpointer   user_data)
{
  Request *request = user_data;

  request->cluster_result = result; /* NULL: Redis failed, this node answers */
  handle_app (request);
  soup_server_message_unpause (request->msg);
  g_clear_pointer (&request->cluster_result, g_ptr_array_unref);
  g_object_unref (request->msg);
  g_hash_table_unref (request->query);
  g_bytes_unref (request->body);
  g_free ((char *) request->path);
  g_free (request);
}

/* In a cluster, the channel queries read Redis: the request waits for its answer. FALSE:
 * no cluster, or Redis unreachable (this node answers alone). */
static gboolean
ask_cluster (Request              *request,
             CrierClusterQueryKind kind,
             const char           *arg)
{
  Request *copy;

  if (request->server->cluster == NULL || request->asked_cluster)
    return FALSE;
  copy = g_memdup2 (request, sizeof *request);
  copy->asked_cluster = TRUE;
  if (!crier_cluster_query (request->server->cluster, request->app->config->id, kind, arg,
                            cluster_answered_cb, copy))
    {
      g_free (copy);
      return FALSE;
    }
  copy->msg = g_object_ref (request->msg);
  copy->query = g_hash_table_ref (request->query);
  copy->body = g_bytes_ref (request->body);
  copy->path = g_strdup (request->path);
  soup_server_message_pause (request->msg);
  return TRUE;
}

/* /apps/{id}/… : route, method, app, signature, then the endpoint. */
static void
handle_app (Request *request)
{
  g_auto (GStrv) segments = g_strsplit (request->path + 1, "/", -1);
  guint            n = g_strv_length (segments);
  g_autofree char *app_id = g_uri_unescape_string (segments[1], NULL);
  g_autofree char *name = NULL;
  const char      *want = NULL;
  enum
  {
    EVENTS,
    BATCH,
    CHANNELS,
    CHANNEL,
    USERS,
    TERMINATE,
    CONNECTIONS
  } route;

  if (n == 3 && g_str_equal (segments[2], "events"))
    route = EVENTS, want = "POST";
  else if (n == 3 && g_str_equal (segments[2], "batch_events"))
    route = BATCH, want = "POST";
  else if (n == 3 && g_str_equal (segments[2], "channels"))
    route = CHANNELS, want = "GET";
  else if (n == 3 && g_str_equal (segments[2], "connections"))
    route = CONNECTIONS, want = "GET";
  else if (n == 4 && g_str_equal (segments[2], "channels"))
    route = CHANNEL, want = "GET";
  else if (n == 5 && g_str_equal (segments[2], "channels") && g_str_equal (segments[4], "users"))
    route = USERS, want = "GET";
  else if (n == 5 && g_str_equal (segments[2], "users") &&
           g_str_equal (segments[4], "terminate_connections"))
    route = TERMINATE, want = "POST";
  else
    return fail (request, SOUP_STATUS_NOT_FOUND, "Not found: %s", request->path);
  if (!g_str_equal (request->method, want))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (request->msg),
                                    "Allow", want);
      return fail (request, SOUP_STATUS_METHOD_NOT_ALLOWED, "%s %s is not allowed: use %s",
                   request->method, request->path, want);
    }
  if (app_id == NULL ||
      (request->app = crier_server_lookup_app (request->server, app_id)) == NULL)
    return fail (request, SOUP_STATUS_NOT_FOUND, "Unknown app id '%s'", app_id ? app_id : "");
  if (!check_signature (request))
    return;

  if (n >= 4)
    name = g_uri_unescape_string (segments[3], NULL);
  if (n >= 4 && name == NULL)
    return fail (request, SOUP_STATUS_BAD_REQUEST, "Malformed percent-encoding in the path");
  if ((route == CHANNELS &&
       ask_cluster (request, CRIER_CLUSTER_QUERY_CHANNELS,
                    g_hash_table_lookup (request->query, "filter_by_prefix"))) ||
      (route == CHANNEL && ask_cluster (request, CRIER_CLUSTER_QUERY_CHANNEL, name)) ||
      (route == USERS && ask_cluster (request, CRIER_CLUSTER_QUERY_USERS, name)))
    return;
  switch (route)
    {
    case EVENTS:
      return handle_events (request);
    case BATCH:
      return handle_batch_events (request);
    case CHANNELS:
      return handle_channels (request);
    case CHANNEL:
      return handle_channel (request, name);
    case USERS:
      return handle_users (request, name);
    case TERMINATE:
      return handle_terminate (request, name);
    case CONNECTIONS:
      return handle_connections (request);
    default:
      g_assert_not_reached (); /* route is one of these, set above */
    }
}

void
crier_http_api_handle (CrierServer       *server,
                       SoupServerMessage *msg,
                       const char        *path,
                       GHashTable        *query)
{
  g_autoptr (GHashTable) empty = NULL;
  g_autoptr (GBytes) body = NULL;
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  Request          request = { server, msg, soup_server_message_get_method (msg), path, query };

  if (request.query == NULL)
    request.query = empty = g_hash_table_new (g_str_hash, g_str_equal);
  body = soup_message_body_flatten (request_body);
  request.body = body;
  crier_server_count_api_request (server, NULL);

  if (g_str_equal (path, "/up") || g_str_equal (path, "/"))
    return respond (&request, SOUP_STATUS_OK, APPLICATION_JSON, "{\"health\":\"OK\"}");
  if (g_str_equal (path, "/metrics") &&
      (crier_config_get_metrics_port (server->config) == 0 ||
       soup_server_message_get_local_address (msg) == NULL ||
       g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (soup_server_message_get_local_address (msg))) ==
         crier_config_get_metrics_port (server->config)))
    {
      g_autofree char *metrics = crier_metrics_render (server);

      return respond (&request, SOUP_STATUS_OK, "text/plain; version=0.0.4; charset=utf-8",
                      metrics);
    }
  if (g_str_has_prefix (path, "/apps/") && strlen (path) > strlen ("/apps/"))
    return handle_app (&request);
  fail (&request, SOUP_STATUS_NOT_FOUND, "Not found: %s", path);
}
