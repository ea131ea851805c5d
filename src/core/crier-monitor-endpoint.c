/* crier-monitor-endpoint.c — /monitor/{app_id}: one app as the dashboard sees it, over a
 * WebSocket on the server's own port (docs/pusher-protocol.md §21)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-monitor"

#include "config.h"

#include "crier-monitor-endpoint.h"

#include <stdarg.h>
#include <string.h>

#include "crier-app-private.h"
#include "crier-connection-private.h"
#include "crier-frame.h"
#include "crier-json.h"
#include "crier-main-context-private.h"
#include "crier-notification.h"
#include "crier-request-auth.h"
#include "crier-server-private.h"
#include "crier-types.h"

#define MONITOR_PATH "/monitor/"
/* A monitor client that reads too slowly stops getting events once this much waits for it,
 * and catches up (missed count, fresh snapshot) once its queue is back under the low mark. */
#define BACKLOG_HIGH (1024 * 1024)
#define BACKLOG_LOW  (128 * 1024)
#define CATCH_UP_MS  200
/* Signatures stay refused for twice the timestamp window: a timestamp may be 600 s ahead. */
#define REPLAY_WINDOW_S 1200
#define MAX_REMEMBERED  65536

struct _CrierMonitorClient
{
  CrierConnection *conn;
  CrierApp        *app;
  guint64          missed; /* events dropped while behind */
  gboolean         behind;
};

struct _CrierMonitorEndpoint
{
  CrierServer *server;
  GPtrArray   *clients; /* of CrierMonitorClient (owned) */
  gulong       event_handler;
  guint        catch_up_id;
  GHashTable  *used_signatures; /* signature → expiry (monotonic µs, gint64 in a pointer box) */
};

static void
free_client (CrierMonitorClient *client)
{
  g_free (client);
}

CrierMonitorEndpoint *
crier_monitor_endpoint_new (CrierServer *server)
{
  CrierMonitorEndpoint *self = g_new0 (CrierMonitorEndpoint, 1);

  self->server = server;
  self->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) free_client);
  self->used_signatures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return self;
}

void
crier_monitor_endpoint_free (CrierMonitorEndpoint *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < self->clients->len; i++)
    ((CrierMonitorClient *) g_ptr_array_index (self->clients, i))->conn->monitor_client = NULL;
  if (self->event_handler != 0)
    g_signal_handler_disconnect (self->server->monitor, self->event_handler);
  g_clear_handle_id (&self->catch_up_id, crier_source_remove);
  g_ptr_array_unref (self->clients);
  g_hash_table_unref (self->used_signatures);
  g_free (self);
}

gboolean
crier_monitor_endpoint_claims (const char *path)
{
  return g_str_has_prefix (path, MONITOR_PATH);
}

/* {"event":NAME,"data":JSON}: data is our own JSON, not a string as in Pusher's frames. */
static void
send_json (CrierConnection *conn,
           const char      *event,
           const char      *json)
{
  GString *text = g_string_new (NULL);
  g_autoptr (GBytes) frame = NULL;

  g_string_append_printf (text, "{\"event\":\"%s\",\"data\":%s}", event, json);
  frame = crier_frame_new_text_take (text);
  crier_connection_send (conn, frame);
}

static void
add_stats (JsonBuilder            *builder,
           const CrierServerStats *stats)
{
  const struct
  {
    const char *name;
    guint64     value;
  } counters[] = {
    { "connections", stats->connections },
    { "peak_connections", stats->peak_connections },
    { "connections_total", stats->connections_total },
    { "messages_in", stats->messages_in },
    { "messages_out", stats->messages_out },
    { "events_published", stats->events_published },
    { "client_events", stats->client_events },
    { "errors", stats->errors },
    { "api_requests", stats->api_requests },
    { "webhooks_delivered", stats->webhooks_delivered },
    { "webhook_failures", stats->webhook_failures },
    { "webhooks_dropped", stats->webhooks_dropped },
    { "webhooks_queued", stats->webhooks_queued },
  };

  json_builder_set_member_name (builder, "stats");
  json_builder_begin_object (builder);
  for (guint i = 0; i < G_N_ELEMENTS (counters); i++)
    {
      json_builder_set_member_name (builder, counters[i].name);
      json_builder_add_int_value (builder, (gint64) counters[i].value);
    }
  json_builder_end_object (builder);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
add_connections (JsonBuilder *builder,
                 CrierServer *server,
                 const char  *app_id)
{
  g_autoptr (GPtrArray) connections = crier_server_dup_connections (server, app_id);

  json_builder_set_member_name (builder, "connections");
  json_builder_begin_array (builder);
  for (guint i = 0; i < connections->len; i++)
    {
      CrierConnectionInfo *info = g_ptr_array_index (connections, i);

      json_builder_begin_object (builder);
      add_string (builder, "socket_id", info->socket_id);
      add_string (builder, "remote", info->remote);
      add_string (builder, "origin", info->origin);
      add_string (builder, "user_id", info->user_id);
      json_builder_set_member_name (builder, "connected_at");
      json_builder_add_int_value (builder, info->connected_at / 1000);
      json_builder_set_member_name (builder, "channels");
      json_builder_begin_array (builder);
      for (guint j = 0; info->channels != NULL && info->channels[j] != NULL; j++)
        json_builder_add_string_value (builder, info->channels[j]);
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "messages_in");
      json_builder_add_int_value (builder, (gint64) info->messages_in);
      json_builder_set_member_name (builder, "messages_out");
      json_builder_add_int_value (builder, (gint64) info->messages_out);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_members (JsonBuilder *builder,
             CrierServer *server,
             const char  *app_id,
             const char  *channel)
{
  g_autoptr (GPtrArray) members = crier_server_dup_cluster_members (server, app_id, channel);

  json_builder_set_member_name (builder, "members");
  json_builder_begin_array (builder);
  for (guint i = 0; members != NULL && i < members->len; i++)
    {
      CrierMemberInfo *member = g_ptr_array_index (members, i);
      g_autoptr (JsonNode) info = member->user_info ? json_from_string (member->user_info, NULL) : NULL;

      json_builder_begin_object (builder);
      add_string (builder, "user_id", member->user_id);
      if (info != NULL)
        {
          json_builder_set_member_name (builder, "user_info");
          json_builder_add_value (builder, g_steal_pointer (&info));
        }
      if (member->simulated)
        {
          json_builder_set_member_name (builder, "simulated");
          json_builder_add_boolean_value (builder, TRUE);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_channels (JsonBuilder *builder,
              CrierServer *server,
              const char  *app_id)
{
  g_autoptr (GPtrArray) channels = crier_server_dup_cluster_channels (server, app_id, NULL);

  json_builder_set_member_name (builder, "channels");
  json_builder_begin_array (builder);
  for (guint i = 0; channels != NULL && i < channels->len; i++)
    {
      CrierChannelInfo *info = g_ptr_array_index (channels, i);

      json_builder_begin_object (builder);
      add_string (builder, "name", info->name);
      json_builder_set_member_name (builder, "subscription_count");
      json_builder_add_int_value (builder, info->subscription_count);
      json_builder_set_member_name (builder, "events");
      json_builder_add_int_value (builder, (gint64) info->events);
      if (info->type & CRIER_CHANNEL_PRESENCE)
        {
          json_builder_set_member_name (builder, "user_count");
          json_builder_add_int_value (builder, info->user_count);
          add_members (builder, server, app_id, info->name);
        }
      if (info->has_cache)
        {
          add_string (builder, "cached_data", info->cached_data);
          json_builder_set_member_name (builder, "cache_ttl");
          json_builder_add_int_value (builder, info->cache_ttl);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* Everything the dashboard shows of one app, as it is now. */
static void
send_snapshot (CrierMonitorClient *client)
{
  CrierServer *server = client->conn->server;
  const char  *app_id = client->app->config->id;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  CrierServerStats stats;
  g_autoptr (CrierClusterInfo) cluster = crier_server_dup_cluster_info (server);

  json_builder_begin_object (builder);
  add_string (builder, "app_id", app_id);
  add_string (builder, "version", PACKAGE_VERSION);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, crier_server_get_port (server));
  json_builder_set_member_name (builder, "tls");
  json_builder_add_boolean_value (builder, crier_server_is_tls (server));
  if (cluster != NULL)
    {
      /* The same object as a cluster event's details (crier-server-query.c). */
      json_builder_set_member_name (builder, "cluster");
      crier_cluster_info_build_json (cluster, builder);
    }
  stats = crier_app_get_stats (client->app);
  add_stats (builder, &stats);
  add_connections (builder, server, app_id);
  add_channels (builder, server, app_id);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = crier_json_to_string (root);
  send_json (client->conn, "crier:snapshot", text);
}

static gboolean
catch_up_cb (gpointer user_data)
{
  CrierMonitorEndpoint *self = user_data;
  gboolean              still_behind = FALSE;

  for (guint i = 0; i < self->clients->len; i++)
    {
      CrierMonitorClient *client = g_ptr_array_index (self->clients, i);
      g_autofree char    *missed = NULL;

      if (!client->behind)
        continue;
      if (client->conn->out_bytes > BACKLOG_LOW)
        {
          still_behind = TRUE;
          continue;
        }
      missed = g_strdup_printf ("{\"count\":%" G_GUINT64_FORMAT "}", client->missed);
      send_json (client->conn, "crier:missed", missed);
      client->behind = FALSE;
      client->missed = 0;
      send_snapshot (client);
    }
  if (still_behind)
    return G_SOURCE_CONTINUE;
  self->catch_up_id = 0;
  return G_SOURCE_REMOVE;
}

/* One serialisation per event, shared by every client of its app. */
static void
monitor_event_cb (CrierMonitor         *monitor,
                  CrierMonitorEvent    *event,
                  CrierMonitorEndpoint *self)
{
  g_autoptr (GBytes) frame = NULL;

  /* Server-wide events are no app's business, except the node's place in its cluster,
   * which every app's dashboard shows. */
  if (event->app_id == NULL && event->kind != CRIER_MONITOR_CLUSTER)
    return;
  for (guint i = 0; i < self->clients->len; i++)
    {
      CrierMonitorClient *client = g_ptr_array_index (self->clients, i);

      if (event->app_id != NULL && !g_str_equal (client->app->config->id, event->app_id))
        continue;
      if (client->behind || client->conn->out_bytes > BACKLOG_HIGH)
        {
          client->behind = TRUE;
          client->missed++;
          if (self->catch_up_id == 0)
            self->catch_up_id = crier_timeout_add (CATCH_UP_MS, catch_up_cb, self);
          continue;
        }
      if (frame == NULL)
        {
          g_autofree char *json = crier_monitor_event_to_json (event);
          GString         *text = g_string_new (NULL);

          g_string_append_printf (text, "{\"event\":\"crier:monitor\",\"data\":%s}", json);
          frame = crier_frame_new_text_take (text);
        }
      crier_connection_send (client->conn, frame);
    }
}

static CrierMonitorEndpoint *
ensure_endpoint (CrierServer *server)
{
  if (server->monitor_endpoint == NULL)
    server->monitor_endpoint = crier_monitor_endpoint_new (server);
  return server->monitor_endpoint;
}

static void
refuse (CrierConnection *conn,
        guint16          code,
        const char      *message)
{
  crier_connection_send_error (conn, code, message);
  crier_connection_close (conn, code, message);
}

/* A signature opens one monitor connection: a copy seen again within the window is a
 * replay (clients add a random auth_nonce, so two logins in one second still differ). */
static gboolean
remember_signature (CrierMonitorEndpoint *self,
                    const char           *signature)
{
  gint64         now = g_get_monotonic_time ();
  GHashTableIter iter;
  gint64        *expiry;

  if (g_hash_table_size (self->used_signatures) >= MAX_REMEMBERED / 2)
    {
      g_hash_table_iter_init (&iter, self->used_signatures);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &expiry))
        if (*expiry <= now)
          g_hash_table_iter_remove (&iter);
    }
  if (g_hash_table_contains (self->used_signatures, signature) ||
      g_hash_table_size (self->used_signatures) >= MAX_REMEMBERED)
    return FALSE;
  expiry = g_new (gint64, 1);
  *expiry = now + (gint64) REPLAY_WINDOW_S * G_USEC_PER_SEC;
  g_hash_table_insert (self->used_signatures, g_strdup (signature), expiry);
  return TRUE;
}

void
crier_monitor_endpoint_open (CrierConnection *conn,
                             const char      *path,
                             GHashTable      *query)
{
  CrierServer *server = conn->server;
  const char  *app_id = path + strlen (MONITOR_PATH);
  CrierApp    *app = crier_server_lookup_app (server, app_id);
  g_autoptr (GHashTable) empty = NULL;
  g_autofree char      *problem = NULL;
  CrierMonitorEndpoint *self;
  CrierMonitorClient   *client;

  if (app == NULL)
    {
      g_autofree char *message = g_strdup_printf ("Unknown app '%s': the monitor path is "
                                                  "/monitor/{app_id}",
                                                  app_id);

      refuse (conn, CRIER_CODE_APP_NOT_FOUND, message);
      return;
    }
  if (query == NULL)
    query = empty = g_hash_table_new (g_str_hash, g_str_equal);
  if (!crier_request_auth_verify (server, app, "GET", path, query, NULL, &problem))
    {
      refuse (conn, CRIER_CODE_UNAUTHORIZED, problem);
      return;
    }
  self = ensure_endpoint (server);
  if (!remember_signature (self, g_hash_table_lookup (query, "auth_signature")))
    {
      refuse (conn, CRIER_CODE_UNAUTHORIZED,
              "Replayed signature: each monitor connection must be signed afresh (add a random "
              "auth_nonce to the signed query)");
      return;
    }
  client = g_new0 (CrierMonitorClient, 1);
  client->conn = conn;
  client->app = app;
  conn->monitor_client = client;
  g_ptr_array_add (self->clients, client);
  if (self->event_handler == 0)
    self->event_handler = g_signal_connect (server->monitor, "event", G_CALLBACK (monitor_event_cb), self);
  send_snapshot (client);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
           ? json_node_get_string (node)
           : NULL;
}

/* A string member the command cannot go without; FALSE and error naming it if absent. */
static gboolean
require (JsonObject *command,
         GError    **error,
         ...)
{
  va_list     names;
  const char *name;
  gboolean    complete = TRUE;

  va_start (names, error);
  while (complete && (name = va_arg (names, const char *)) != NULL)
    if (member_string (command, name) == NULL)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s needs \"%s\" (a string)",
                     member_string (command, "command"), name);
        complete = FALSE;
      }
  va_end (names);
  return complete;
}

/* "data" as the text to publish: a string as it is, anything else as its JSON. */
static char *
member_text (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return crier_json_to_string (node);
}

static GStrv
member_channels (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "channels");
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  const char *channel = member_string (object, "channel");

  if (channel != NULL)
    g_strv_builder_add (builder, channel);
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
    }
  return g_strv_builder_end (builder);
}

/* @receivers: what crier_server_publish_counted () says, for the result. */
static gboolean
run_publish (CrierMonitorClient *client,
             JsonObject         *command,
             gint64             *receivers,
             GError            **error)
{
  g_auto (GStrv) channels = member_channels (command);
  g_autofree char *data = member_text (command, "data");
  const char      *event = member_string (command, "name");

  return crier_server_publish_counted (client->conn->server, client->app->config->id,
                                       (const char *const *) channels, event ? event : "",
                                       data ? data : "{}", member_string (command, "socket_id"),
                                       receivers, error);
}

static gboolean
run_notify (CrierMonitorClient *client,
            JsonObject         *command,
            GError            **error)
{
  const char      *user_id = member_string (command, "user_id");
  g_autofree char *data_in = member_text (command, "data");
  g_autofree char *data = NULL;
  g_autofree char *channel = NULL;
  const char      *channels[2] = { NULL, NULL };

  if (!require (command, error, "user_id", "type", NULL))
    return FALSE;
  data = crier_notification_build_data (data_in ? data_in : "{}", member_string (command, "type"), NULL, error);
  if (data == NULL)
    return FALSE;
  channels[0] = channel = crier_notification_channel (member_string (command, "model"), user_id);
  return crier_server_publish (client->conn->server, client->app->config->id, channels,
                               CRIER_NOTIFICATION_EVENT, data, NULL, error);
}

static gboolean
run_disconnect (CrierMonitorClient *client,
                JsonObject         *command,
                GError            **error)
{
  const char      *socket_id = member_string (command, "socket_id");
  CrierConnection *target = socket_id ? crier_server_lookup_connection (client->conn->server, socket_id) : NULL;

  /* Another app's sockets are as unknown to this monitor as sockets that never were. */
  if (target == NULL || target->app != client->app ||
      !crier_server_disconnect (client->conn->server, socket_id, CRIER_CODE_RECONNECT,
                                "Disconnected from the monitor"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No open connection %s in app '%s'",
                   socket_id ? socket_id : "(none)", client->app->config->id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
run_command (CrierMonitorClient *client,
             const char         *name,
             JsonObject         *command,
             gint64             *receivers,
             GError            **error)
{
  CrierServer     *server = client->conn->server;
  const char      *app_id = client->app->config->id;
  g_autofree char *data = member_text (command, "data");
  g_autofree char *user_info = member_text (command, "user_info");

  if (g_str_equal (name, "publish"))
    return run_publish (client, command, receivers, error);
  if (g_str_equal (name, "notify"))
    return run_notify (client, command, error);
  if (g_str_equal (name, "disconnect"))
    return run_disconnect (client, command, error);
  if (g_str_equal (name, "add_member"))
    return require (command, error, "channel", "user_id", NULL) &&
           crier_server_add_simulated_member (server, app_id, member_string (command, "channel"),
                                              member_string (command, "user_id"), user_info, error);
  if (g_str_equal (name, "remove_member"))
    return require (command, error, "channel", "user_id", NULL) &&
           crier_server_remove_simulated_member (server, app_id, member_string (command, "channel"),
                                                 member_string (command, "user_id"), error);
  if (g_str_equal (name, "client_event"))
    return require (command, error, "channel", "event", NULL) &&
           crier_server_send_client_event (server, app_id, member_string (command, "channel"),
                                           member_string (command, "event"), data ? data : "{}",
                                           member_string (command, "user_id"), error);
  if (g_str_equal (name, "snapshot"))
    {
      send_snapshot (client);
      return TRUE;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "Unknown command '%s': publish, notify, disconnect, add_member, remove_member, "
               "client_event or snapshot",
               name);
  return FALSE;
}

/* @receivers: a publication's deliveries, or -1: none said (another command, a cluster). */
static void
send_result (CrierMonitorClient *client,
             const char         *id,
             gint64              receivers,
             const GError       *error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  add_string (builder, "id", id);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, error == NULL);
  if (error != NULL)
    add_string (builder, "error", error->message);
  else if (receivers >= 0)
    {
      json_builder_set_member_name (builder, "receivers");
      json_builder_add_int_value (builder, receivers);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = crier_json_to_string (root);
  send_json (client->conn, "crier:result", text);
}

/* {"event":"crier:command","data":{"id":…,"command":NAME,…}} → crier:result with that id. */
void
crier_monitor_endpoint_handle_text (CrierConnection *conn,
                                    const char      *text,
                                    gsize            length)
{
  CrierMonitorClient *client = conn->monitor_client;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) message = crier_json_parse_object (text, length, &error);
  JsonNode   *data = message ? json_object_get_member (message, "data") : NULL;
  const char *event = message ? member_string (message, "event") : NULL;
  JsonObject *command;
  const char *name;
  gint64      receivers = -1;

  if (message == NULL)
    {
      send_result (client, NULL, -1, error);
      return;
    }
  if (g_strcmp0 (event, "pusher:ping") == 0)
    {
      send_json (conn, "pusher:pong", "{}");
      return;
    }
  if (g_strcmp0 (event, "crier:command") != 0 || data == NULL || !JSON_NODE_HOLDS_OBJECT (data))
    {
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "Expected {\"event\":\"crier:command\",\"data\":{\"command\":…}}");
      send_result (client, NULL, -1, error);
      return;
    }
  command = json_node_get_object (data);
  name = member_string (command, "command");
  run_command (client, name ? name : "", command, &receivers, &error);
  send_result (client, member_string (command, "id"), receivers, error);
}

void
crier_monitor_endpoint_detach (CrierConnection *conn)
{
  CrierMonitorEndpoint *self = conn->server->monitor_endpoint;
  CrierMonitorClient   *client = conn->monitor_client;

  conn->monitor_client = NULL;
  if (self == NULL || client == NULL)
    return;
  g_ptr_array_remove_fast (self->clients, client);
  /* Nobody watching: the server stops building monitor events it would throw away. */
  if (self->clients->len == 0 && self->event_handler != 0)
    {
      g_signal_handler_disconnect (conn->server->monitor, self->event_handler);
      self->event_handler = 0;
    }
}
