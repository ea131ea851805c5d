/* crier-protocol.c — Pusher protocol 7 over one connection: connection checks, subscribe,
 * presence, client events, sign-in (pusher-protocol.md §2-12)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-protocol"

#include "config.h"

#include <string.h>

#include "crier-app-private.h"
#include "crier-channel-private.h"
#include "crier-cluster.h"
#include "crier-connection-private.h"
#include "crier-explain.h"
#include "crier-frame.h"
#include "crier-message.h"
#include "crier-monitor-endpoint.h"
#include "crier-names.h"
#include "crier-protocol-private.h"
#include "crier-server-private.h"
#include "crier-signature.h"

#define MAX_USER_ID_LENGTH 128

static void
refuse (CrierConnection *conn,
        int              code,
        const char      *message)
{
  /* pusher:error first, then the close frame with the same code: pusher-js reads either
   * (pusher-protocol.md §2.2). */
  crier_connection_send_error (conn, code, message);
  crier_connection_close (conn, code, message);
}

/* A refused operation: Pusher's error frame, the monitor (with the explanation, which
 * takes ownership), the connection stays. */
static void
reject_explained (CrierConnection *conn,
                  CrierMonitorKind kind,
                  int              code,
                  const char      *channel,
                  const char      *message,
                  char            *explanation)
{
  CrierServer *server = conn->server;

  crier_server_count_error (server, conn->app);
  crier_connection_send_error (conn, code, message);
  if (crier_server_monitoring (server))
    {
      CrierMonitorEvent *event = crier_server_event_new (server, kind, conn, channel);

      event->code = code;
      event->message = g_strdup (message);
      event->explanation = explanation;
      crier_server_emit (server, event);
    }
  else
    g_free (explanation);
}

static void
reject (CrierConnection *conn,
        CrierMonitorKind kind,
        int              code,
        const char      *channel,
        const char      *message)
{
  reject_explained (conn, kind, code, channel, message, NULL);
}

static void G_GNUC_PRINTF (5, 6)
  rejectf (CrierConnection *conn,
           CrierMonitorKind kind,
           int              code,
           const char      *channel,
           const char      *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  reject (conn, kind, code, channel, message);
}

/* A refused connection attempt the monitor shows with an explanation (owned). */
static void
emit_refused (CrierConnection *conn,
              CrierApp        *app,
              int              code,
              const char      *message,
              char            *explanation)
{
  CrierServer       *server = conn->server;
  CrierMonitorEvent *event;

  if (!crier_server_monitoring (server))
    {
      g_free (explanation);
      return;
    }
  event = crier_server_event_new (server, CRIER_MONITOR_AUTH_FAILED, conn, NULL);
  if (app != NULL)
    event->app_id = g_strdup (app->config->id);
  event->code = code;
  event->message = g_strdup (message);
  event->explanation = explanation;
  crier_server_emit (server, event);
}

static char *
explain_origin (CrierConnection *conn,
                CrierApp        *app)
{
  g_autofree char *allowed = g_strjoinv (", ", app->config->allowed_origins);

  return g_strdup_printf ("%s%s%s is not in the allowed-origins of app '%s' (%s): add it to the "
                          "app's allowed-origins, or open the page from an allowed origin.",
                          conn->origin ? "Origin '" : "A connection without an Origin header",
                          conn->origin ? conn->origin : "", conn->origin ? "'" : "",
                          app->config->id, allowed);
}

/* The path and the protocol version of the upgrade request (pusher-protocol.md §2.1);
 * returns the app key from the path, NULL when refused. */
static const char *
check_request (CrierConnection *conn,
               const char      *path,
               GHashTable      *query)
{
  const char *protocol = query != NULL ? g_hash_table_lookup (query, "protocol") : NULL;
  guint64     version = 0;

  if (!g_str_has_prefix (path, "/app/") || path[5] == '\0' || strchr (path + 5, '/') != NULL)
    {
      refuse (conn, CRIER_CODE_PATH_NOT_FOUND, "Path not found");
      return NULL;
    }
  /* Missing and unsupported protocol both get 4007, as the issue asks. */
  if (protocol == NULL || !g_ascii_string_to_unsigned (protocol, 10, 0, 99, &version, NULL) ||
      version < 4 || version > 7)
    {
      refuse (conn, CRIER_CODE_UNSUPPORTED_PROTOCOL, "Unsupported protocol version");
      return NULL;
    }
  conn->protocol = (guint8) version;
  return path + 5;
}

/* The app of the key, if it takes this connection: enabled, origin allowed, quotas
 * (§2.2). NULL when refused. */
static CrierApp *
admit_connection (CrierConnection *conn,
                  const char      *key)
{
  CrierServer *server = conn->server;
  unsigned     server_limit = crier_config_get_max_connections (server->config);
  CrierApp    *app = crier_server_lookup_app_by_key (server, key);

  if (app == NULL)
    {
      emit_refused (conn, NULL, CRIER_CODE_APP_NOT_FOUND, "Application does not exist",
                    crier_server_monitoring (server) ? crier_explain_unknown_key (server, key)
                                                     : NULL);
      refuse (conn, CRIER_CODE_APP_NOT_FOUND, "Application does not exist");
      return NULL;
    }
  if (!app->config->enabled)
    {
      refuse (conn, CRIER_CODE_APP_DISABLED, "Application disabled");
      return NULL;
    }
  if (!crier_app_config_allows_origin (app->config, conn->origin))
    {
      emit_refused (conn, app, CRIER_CODE_UNAUTHORIZED, "Origin not allowed",
                    crier_server_monitoring (server) ? explain_origin (conn, app) : NULL);
      refuse (conn, CRIER_CODE_UNAUTHORIZED, "Origin not allowed");
      return NULL;
    }
  if (app->config->max_connections > 0 &&
      crier_app_count_connections (app) >= app->config->max_connections)
    {
      refuse (conn, CRIER_CODE_APP_OVER_QUOTA, "Application is over connection quota");
      return NULL;
    }
  if (server_limit > 0 && crier_server_count_connections (server) >= server_limit)
    {
      refuse (conn, CRIER_CODE_OVER_CAPACITY, "Over capacity");
      return NULL;
    }
  return app;
}

void
crier_protocol_open (CrierConnection *conn,
                     const char      *path,
                     GHashTable      *query)
{
  CrierServer *server = conn->server;
  g_autoptr (GBytes) frame = NULL;
  const char *key;
  CrierApp   *app;

  if (crier_monitor_endpoint_claims (path))
    {
      crier_monitor_endpoint_open (conn, path, query);
      return;
    }
  if ((key = check_request (conn, path, query)) == NULL ||
      (app = admit_connection (conn, key)) == NULL)
    return;

  conn->app = app;
  crier_server_count_connection (server, app, +1);
  if (server->cluster != NULL)
    crier_cluster_connect (server->cluster, conn); /* the app's quota, cluster-wide */
  frame = crier_message_build_connection_established (
    conn->socket_id, crier_config_get_activity_timeout (server->config));
  crier_connection_send (conn, frame);
  if (crier_server_monitoring (server))
    {
      CrierMonitorEvent *event = crier_server_event_new (server, CRIER_MONITOR_CONNECTED, conn, NULL);

      event->remote = g_strdup (conn->remote);
      if (conn->origin != NULL)
        event->message = g_strdup_printf ("origin %s", conn->origin);
      crier_server_emit (server, event);
    }
}

static CrierSubscription *
find_subscription (CrierConnection *conn,
                   const char      *channel)
{
  for (guint i = 0; conn->subscriptions && i < conn->subscriptions->len; i++)
    {
      CrierSubscription *sub = g_ptr_array_index (conn->subscriptions, i);

      if (g_str_equal (sub->channel->name, channel))
        return sub;
    }
  return NULL;
}

static void
emit_simple (CrierServer     *server,
             CrierMonitorKind kind,
             CrierConnection *conn,
             CrierChannel    *channel,
             const char      *user_id,
             const char      *data,
             unsigned         count)
{
  CrierMonitorEvent *event;

  if (!crier_server_monitoring (server))
    return;
  event = crier_server_event_new (server, kind, conn, channel->name);
  g_free (event->app_id); /* the channel's app, also when conn has already left it */
  event->app_id = g_strdup (channel->app->config->id);
  event->user_id = g_strdup (user_id);
  event->data = g_strdup (data);
  event->count = count;
  crier_server_emit (server, event);
}

/* pusher_internal:subscription_count, when the app counts subscriptions (§7.8). */
static void
announce_subscription_count (CrierServer  *server,
                             CrierChannel *channel)
{
  g_autofree char *data = NULL;
  g_autoptr (GBytes) frame = NULL;
  unsigned count = crier_channel_count_subscribers (channel);

  if (!channel->app->config->subscription_count || (channel->type & CRIER_CHANNEL_PRESENCE) ||
      count == 0)
    return;
  data = g_strdup_printf ("{\"subscription_count\":%u}", count);
  frame = crier_message_build ("pusher_internal:subscription_count", channel->name, data, NULL);
  crier_channel_deliver (channel, frame, NULL);
}

/* The mirror of add_subscription (): member_removed after the user's last socket (§9.2),
 * vacated after the last subscriber. */
static void
remove_subscription (CrierConnection   *conn,
                     CrierSubscription *sub)
{
  CrierServer     *server = conn->server;
  CrierChannel    *channel = sub->channel;
  CrierApp        *app = channel->app;
  g_autofree char *info = NULL;
  gboolean         clustered;

  crier_channel_remove_subscriber (channel, conn);
  emit_simple (server, CRIER_MONITOR_UNSUBSCRIBED, conn, channel, sub->user_id, NULL,
               crier_channel_count_subscribers (channel));
  /* In a cluster, member_removed follows the user's last socket anywhere (Redis decides). */
  clustered = server->cluster != NULL &&
              crier_cluster_unsubscribe (server->cluster, app->config->id, channel->name,
                                         sub->user_id);
  if (sub->user_id != NULL &&
      (clustered ? crier_channel_forget_member (channel, sub->user_id, &info)
                 : crier_channel_leave_member (channel, sub->user_id, FALSE, &info)))
    emit_simple (server, CRIER_MONITOR_MEMBER_REMOVED, conn, channel, sub->user_id, info,
                 crier_channel_count_members (channel));
  if (crier_channel_count_subscribers (channel) == 0)
    emit_simple (server, CRIER_MONITOR_CHANNEL_VACATED, conn, channel, NULL, NULL, 0);
  else
    announce_subscription_count (server, channel);
  crier_subscription_free (sub);
  crier_app_release_channel (app, channel);
}

/* Everything a connection holds in its app, released when it closes. */
void
crier_protocol_detach (CrierConnection *conn)
{
  CrierServer *server = conn->server;

  if (conn->monitor_client != NULL)
    crier_monitor_endpoint_detach (conn);
  if (conn->app == NULL)
    return;
  while (conn->subscriptions != NULL && conn->subscriptions->len > 0)
    remove_subscription (conn, g_ptr_array_steal_index_fast (conn->subscriptions,
                                                             conn->subscriptions->len - 1));
  if (server->cluster != NULL)
    crier_cluster_disconnect (server->cluster, conn);
  crier_app_remove_user (conn->app, conn);
  crier_app_remember_socket (conn->app, conn->socket_id);
  crier_server_count_connection (server, conn->app, -1);
  if (crier_server_monitoring (server))
    {
      CrierMonitorEvent *event = crier_server_event_new (server, CRIER_MONITOR_DISCONNECTED,
                                                         conn, NULL);

      event->user_id = g_strdup (conn->user_id);
      event->remote = g_strdup (conn->remote);
      crier_server_emit (server, event);
    }
  conn->app = NULL;
}

/* Reads presence identity from channel_data (§8.4): user_id as a string or a number. */
static gboolean
parse_channel_data (const char *channel_data,
                    unsigned    max_user_info,
                    char      **user_id,
                    char      **user_info,
                    char      **problem)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) object = crier_json_parse_object (channel_data, -1, &error);
  JsonNode *id;
  JsonNode *info;

  if (object == NULL)
    {
      *problem = g_error_matches (error, CRIER_JSON_ERROR, CRIER_JSON_ERROR_TOO_DEEP)
                   ? g_strdup_printf ("Invalid channel_data: %s", error->message)
                   : g_strdup ("Invalid channel_data: not a JSON object");
      return FALSE;
    }
  id = json_object_get_member (object, "user_id");
  if (id != NULL && JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_STRING &&
      *json_node_get_string (id) != '\0')
    *user_id = g_strdup (json_node_get_string (id));
  else if (id != NULL && JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_INT64)
    *user_id = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (id));
  else
    {
      *problem = g_strdup ("Invalid channel_data: user_id must be a non-empty string or a number");
      return FALSE;
    }
  if (strlen (*user_id) > MAX_USER_ID_LENGTH)
    {
      *problem = g_strdup_printf ("Invalid channel_data: user_id is longer than %d characters",
                                  MAX_USER_ID_LENGTH);
      g_clear_pointer (user_id, g_free);
      return FALSE;
    }
  info = json_object_get_member (object, "user_info");
  if (info != NULL && !JSON_NODE_HOLDS_NULL (info))
    {
      *user_info = crier_json_to_string (info);
      if (strlen (*user_info) > max_user_info)
        {
          *problem = g_strdup_printf ("user_info exceeds %u bytes", max_user_info);
          g_clear_pointer (user_id, g_free);
          g_clear_pointer (user_info, g_free);
          return FALSE;
        }
    }
  return TRUE;
}

static void
send_subscription_succeeded (CrierConnection *conn,
                             CrierChannel    *channel)
{
  g_autofree char *data = NULL;
  g_autoptr (GBytes) frame = NULL;

  if (channel->type & CRIER_CHANNEL_PRESENCE)
    data = crier_channel_dup_presence_data (channel);
  frame = crier_message_build ("pusher_internal:subscription_succeeded", channel->name,
                               data != NULL ? data : "{}", NULL);
  crier_connection_send (conn, frame);
}

/* Who may subscribe (pusher-protocol.md §6-8): a #server-to-user- channel only its signed-in
 * user, private and presence channels with a valid auth signature. For presence, the member
 * identity goes to user_id and user_info (owned). FALSE: refused, the client was told. */
static gboolean
authorize_subscription (CrierConnection *conn,
                        const char      *name,
                        CrierChannelType type,
                        JsonObject      *data,
                        char           **user_id,
                        char           **user_info)
{
  CrierAppConfig  *config = conn->app->config;
  const char      *auth = crier_json_object_get_string (data, "auth");
  const char      *channel_data = crier_json_object_get_string (data, "channel_data");
  g_autofree char *to_sign = NULL;
  g_autofree char *problem = NULL;

  if (type & CRIER_CHANNEL_SERVER_TO_USER)
    {
      const char *id = name + strlen (CRIER_SERVER_TO_USER_PREFIX);

      if (conn->user_id != NULL && g_str_equal (conn->user_id, id))
        return TRUE;
      rejectf (conn, CRIER_MONITOR_AUTH_FAILED, 0, name,
               "Cannot subscribe to %s: the connection is not signed in as user '%s'", name, id);
      return FALSE;
    }
  if (!crier_channel_type_needs_auth (type))
    return TRUE;

  if (auth == NULL || *auth == '\0')
    {
      g_autofree char *required = g_strdup_printf ("Auth info required to subscribe to %s", name);

      reject_explained (conn, CRIER_MONITOR_AUTH_FAILED, 0, name, required,
                        crier_explain_channel_auth (conn, name, channel_data, auth));
      return FALSE;
    }
  if (!(type & CRIER_CHANNEL_PRESENCE))
    channel_data = NULL; /* only a presence signature covers it */
  else if (channel_data == NULL && conn->user_id == NULL)
    {
      reject (conn, CRIER_MONITOR_AUTH_FAILED, 0, name,
              "Presence channel subscription requires channel_data or a signed-in user");
      return FALSE;
    }
  if (channel_data != NULL)
    to_sign = g_strconcat (conn->socket_id, ":", name, ":", channel_data, NULL);
  else
    to_sign = g_strconcat (conn->socket_id, ":", name, NULL);
  if (!crier_signature_check_auth (auth, config->key, config->secret, to_sign, &problem))
    {
      reject_explained (conn, CRIER_MONITOR_AUTH_FAILED, 0, name, problem,
                        crier_server_monitoring (conn->server)
                          ? crier_explain_channel_auth (conn, name, channel_data, auth)
                          : NULL);
      return FALSE;
    }
  if (!(type & CRIER_CHANNEL_PRESENCE))
    return TRUE;
  if (channel_data == NULL)
    {
      /* Signed in: the member is the sign-in user (§12.1). */
      *user_id = g_strdup (conn->user_id);
      *user_info = g_strdup (conn->user_info);
      return TRUE;
    }
  if (!parse_channel_data (channel_data, config->max_user_info_size, user_id, user_info,
                           &problem))
    {
      reject (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, name, problem);
      return FALSE;
    }
  return TRUE;
}

/* A new member needs room: max-presence-members per channel (§9.1). */
static gboolean
admit_member (CrierConnection *conn,
              const char      *name,
              const char      *user_id)
{
  unsigned      limit = conn->app->config->max_presence_members;
  CrierChannel *channel = crier_app_lookup_channel (conn->app, name);

  if (channel == NULL || crier_channel_lookup_member (channel, user_id) != NULL ||
      crier_channel_count_members (channel) < limit)
    return TRUE;
  rejectf (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, name, "Presence channel %s is full (%u members)",
           name, limit);
  return FALSE;
}

/* The bookkeeping of a granted subscription: channel, subscription, presence member, and
 * what the change causes (occupied, subscription_succeeded, member_added). A cluster
 * runs its subscribe transition here (crier-server-private.h). */
static CrierSubscription *
add_subscription (CrierConnection *conn,
                  const char      *name,
                  char            *user_id,
                  const char      *user_info)
{
  CrierServer       *server = conn->server;
  CrierChannel      *channel = crier_app_ensure_channel (conn->app, name);
  gboolean           occupied = crier_channel_count_subscribers (channel) == 0;
  CrierSubscription *sub = crier_channel_add_subscriber (channel, conn, user_id);
  CrierMember       *member;

  if (conn->subscriptions == NULL)
    conn->subscriptions = g_ptr_array_new ();
  g_ptr_array_add (conn->subscriptions, sub);
  if (crier_channel_type_needs_auth (channel->type))
    conn->authorized = TRUE;

  if (occupied)
    emit_simple (server, CRIER_MONITOR_CHANNEL_OCCUPIED, conn, channel, NULL, NULL, 1);
  if (sub->user_id == NULL)
    {
      send_subscription_succeeded (conn, channel);
      if (server->cluster != NULL)
        crier_cluster_subscribe (server->cluster, conn, name, NULL, NULL);
      return sub;
    }
  member = crier_channel_add_member (channel, sub->user_id, user_info, FALSE);
  /* In a cluster, subscription_succeeded (with everyone's members) and member_added come
   * with Redis's answer (crier-cluster.c); without Redis, as on a single node. */
  if (server->cluster != NULL &&
      crier_cluster_subscribe (server->cluster, conn, name, sub->user_id, user_info))
    {
      if (member->sockets == 1)
        emit_simple (server, CRIER_MONITOR_MEMBER_ADDED, conn, channel, member->user_id,
                     member->user_info, crier_channel_count_members (channel));
      return sub;
    }
  send_subscription_succeeded (conn, channel);
  /* member_added only for a user's first socket, never to the member itself (§9.2). */
  if (member->sockets == 1)
    {
      crier_channel_announce_member (channel, member, conn);
      emit_simple (server, CRIER_MONITOR_MEMBER_ADDED, conn, channel, member->user_id,
                   member->user_info, crier_channel_count_members (channel));
    }
  return sub;
}

static void
emit_subscribed (CrierConnection   *conn,
                 CrierSubscription *sub)
{
  CrierServer       *server = conn->server;
  CrierChannel      *channel = sub->channel;
  CrierMonitorEvent *event;

  if (!crier_server_monitoring (server))
    return;
  event = crier_server_event_new (server, CRIER_MONITOR_SUBSCRIBED, conn, channel->name);
  event->user_id = g_strdup (sub->user_id);
  event->count = crier_channel_count_subscribers (channel);
  /* A subscription to a channel nobody publishes on, next to one that has events. */
  if (crier_app_count_events (conn->app, channel->name) == 0 &&
      !(channel->type & CRIER_CHANNEL_SERVER_TO_USER))
    event->explanation = crier_explain_near_miss (conn->app, channel->name, TRUE);
  crier_server_emit (server, event);
}

/* Cache channels answer a subscription with the last event or pusher:cache_miss (§11). */
static void
replay_cache (CrierConnection *conn,
              CrierChannel    *channel)
{
  g_autoptr (GBytes) frame = NULL;
  const char *event;
  const char *cached;

  if (!(channel->type & CRIER_CHANNEL_CACHE))
    return;
  if (crier_channel_peek_cache (channel, g_get_monotonic_time (), &event, &cached))
    frame = crier_message_build (event, channel->name, cached, NULL);
  else
    {
      frame = crier_message_build ("pusher:cache_miss", channel->name, NULL, NULL);
      emit_simple (conn->server, CRIER_MONITOR_CACHE_MISS, conn, channel, NULL, NULL, 0);
    }
  crier_connection_send (conn, frame);
}

static void
handle_subscribe (CrierConnection *conn,
                  CrierMessage    *message)
{
  g_autoptr (JsonObject) data = crier_message_dup_data_object (message);
  g_autoptr (GError) error = NULL;
  g_autofree char   *user_id = NULL;
  g_autofree char   *user_info = NULL;
  const char        *name = crier_json_object_get_string (data, "channel");
  CrierChannel      *channel;
  CrierSubscription *sub;

  if (name == NULL)
    return reject (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, NULL,
                   "Invalid subscription: data.channel must be a string");
  if (!crier_channel_name_is_valid (name, conn->app->config->max_channel_name_length, &error))
    return reject (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, NULL, error->message);
  if ((channel = crier_app_lookup_channel (conn->app, name)) != NULL &&
      crier_channel_has_subscriber (channel, conn))
    return send_subscription_succeeded (conn, channel); /* idempotent (§6.1) */

  if (!authorize_subscription (conn, name, crier_channel_type_from_name (name), data, &user_id,
                               &user_info))
    return;
  if (user_id != NULL && !admit_member (conn, name, user_id))
    return;
  sub = add_subscription (conn, name, g_steal_pointer (&user_id), user_info);
  emit_subscribed (conn, sub);
  replay_cache (conn, sub->channel);
  announce_subscription_count (conn->server, sub->channel);
}

static void
handle_unsubscribe (CrierConnection *conn,
                    CrierMessage    *message)
{
  g_autoptr (JsonObject) data = crier_message_dup_data_object (message);
  const char        *name = crier_json_object_get_string (data, "channel");
  CrierSubscription *sub;

  if (name == NULL)
    return reject (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, NULL,
                   "Invalid unsubscribe: data.channel must be a string");
  /* Not subscribed: ignored silently (§6.2). */
  if ((sub = find_subscription (conn, name)) == NULL)
    return;
  g_ptr_array_remove_fast (conn->subscriptions, sub);
  remove_subscription (conn, sub);
}

static void
handle_signin (CrierConnection *conn,
               CrierMessage    *message)
{
  CrierServer    *server = conn->server;
  CrierAppConfig *config = conn->app->config;
  g_autoptr (JsonObject) data = crier_message_dup_data_object (message);
  g_autoptr (JsonObject) user = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *to_sign = NULL;
  g_autofree char *problem = NULL;
  g_autoptr (GBytes) frame = NULL;
  const char *auth = crier_json_object_get_string (data, "auth");
  const char *user_data = crier_json_object_get_string (data, "user_data");
  JsonNode   *info;
  const char *id;

  if (auth == NULL || user_data == NULL)
    return reject (conn, CRIER_MONITOR_AUTH_FAILED, CRIER_CODE_UNAUTHORIZED, NULL,
                   "Connection is unauthorized: pusher:signin needs auth and user_data strings");
  to_sign = g_strconcat (conn->socket_id, "::user::", user_data, NULL);
  if (!crier_signature_check_auth (auth, config->key, config->secret, to_sign, &problem))
    {
      g_autofree char *reason = g_strdup_printf ("Connection is unauthorized: %s", problem);

      return reject_explained (conn, CRIER_MONITOR_AUTH_FAILED, CRIER_CODE_UNAUTHORIZED, NULL,
                               reason,
                               crier_server_monitoring (server)
                                 ? crier_explain_signin (conn, user_data, auth)
                                 : NULL);
    }
  if ((user = crier_json_parse_object (user_data, -1, &error)) == NULL)
    return rejectf (conn, CRIER_MONITOR_AUTH_FAILED, CRIER_CODE_UNAUTHORIZED, NULL,
                    "Connection is unauthorized: user_data is not a JSON object%s%s",
                    g_error_matches (error, CRIER_JSON_ERROR, CRIER_JSON_ERROR_TOO_DEEP) ? ": " : "",
                    g_error_matches (error, CRIER_JSON_ERROR, CRIER_JSON_ERROR_TOO_DEEP)
                      ? error->message
                      : "");
  /* A number is refused, not coerced: pusher-js drops such a sign-in itself (§6.4). */
  id = crier_json_object_get_string (user, "id");
  if (id == NULL || *id == '\0')
    return reject (conn, CRIER_MONITOR_AUTH_FAILED, CRIER_CODE_UNAUTHORIZED, NULL,
                   "Connection is unauthorized: user_data.id must be a non-empty string");
  if (strlen (id) > MAX_USER_ID_LENGTH)
    return rejectf (conn, CRIER_MONITOR_AUTH_FAILED, CRIER_CODE_UNAUTHORIZED, NULL,
                    "Connection is unauthorized: user_data.id is longer than %d characters",
                    MAX_USER_ID_LENGTH);
  if (conn->user_id != NULL && !g_str_equal (conn->user_id, id))
    return rejectf (conn, CRIER_MONITOR_AUTH_FAILED, CRIER_CODE_UNAUTHORIZED, NULL,
                    "Connection is unauthorized: already signed in as user '%s'", conn->user_id);

  if (conn->user_id == NULL)
    {
      conn->user_id = g_strdup (id);
      crier_app_add_user (conn->app, conn);
    }
  g_clear_pointer (&conn->user_info, g_free);
  info = json_object_get_member (user, "user_info");
  if (info != NULL && !JSON_NODE_HOLDS_NULL (info))
    conn->user_info = crier_json_to_string (info);
  conn->authorized = TRUE;
  frame = crier_message_build_signin_success (user_data);
  crier_connection_send (conn, frame);
  if (crier_server_monitoring (server))
    {
      CrierMonitorEvent *event = crier_server_event_new (server, CRIER_MONITOR_SIGNED_IN, conn, NULL);

      event->user_id = g_strdup (id);
      event->data = g_strdup (user_data);
      crier_server_emit (server, event);
    }
}

/* Client events: every rule of pusher-protocol.md §10.1, in that order. */
static void
handle_client_event (CrierConnection *conn,
                     CrierMessage    *message)
{
  CrierServer     *server = conn->server;
  CrierAppConfig  *config = conn->app->config;
  const char      *name = message->channel;
  g_autofree char *data = NULL;
  g_autoptr (GBytes) frame = NULL;
  CrierSubscription *sub;
  CrierChannelType   type;
  unsigned           count;

  if (!config->client_events)
    return reject (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, name,
                   "To send client events, you must enable this feature in the Settings page of your dashboard.");
  if (name == NULL)
    return reject (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, NULL,
                   "Client event rejected - a channel is required");
  type = crier_channel_type_from_name (name);
  if (!crier_channel_type_needs_auth (type))
    return reject (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, name,
                   "Client event rejected - only supported on private and presence channels");
  if (type & CRIER_CHANNEL_ENCRYPTED)
    return reject (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, name,
                   "Client events are not supported on encrypted channels");
  if ((sub = find_subscription (conn, name)) == NULL)
    return rejectf (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, name,
                    "Client event rejected - not subscribed to channel %s", name);
  if (config->client_events_per_second > 0)
    {
      gint64 second = g_get_monotonic_time () / G_USEC_PER_SEC;

      if (second != conn->rate_window)
        {
          conn->rate_window = second;
          conn->rate_count = 0;
        }
      if (++conn->rate_count > config->client_events_per_second)
        return reject (conn, CRIER_MONITOR_PROTOCOL_ERROR, CRIER_CODE_RATE_LIMIT, name,
                       "Client event rejected due to rate limit");
    }
  if (strlen (message->event) > config->max_event_name_length)
    return rejectf (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, name,
                    "Client event rejected - event name longer than %u characters",
                    config->max_event_name_length);
  data = crier_message_dup_data_text (message);
  if (strlen (data) > config->max_message_size)
    return rejectf (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, name,
                    "Client event data exceeds the allowed maximum (%u bytes)",
                    config->max_message_size);

  /* user_id comes from the subscription, never from the payload (§10.3). */
  frame = crier_message_build (message->event, name, data, sub->user_id);
  count = crier_channel_deliver (sub->channel, frame, conn);
  /* Never echoed: the sender is on this node, the others cannot match its socket. */
  if (server->cluster != NULL)
    crier_cluster_broadcast (server->cluster, config->id, name, frame, conn->socket_id);
  crier_channel_count_event (sub->channel);
  crier_app_count_event (conn->app, name);
  crier_server_count_client_event (server, conn->app);
  if (crier_server_monitoring (server))
    {
      CrierMonitorEvent *event = crier_server_event_new (server, CRIER_MONITOR_CLIENT_EVENT, conn, name);

      event->event = g_strdup (message->event);
      event->data = g_steal_pointer (&data);
      event->user_id = g_strdup (sub->user_id);
      event->count = count;
      crier_server_emit (server, event);
    }
}

void
crier_protocol_handle_text (CrierConnection *conn,
                            const char      *text,
                            gsize            length)
{
  g_autoptr (GError) error = NULL;
  CrierMessage message;
  const char  *event;

  if (conn->monitor_client != NULL)
    {
      crier_monitor_endpoint_handle_text (conn, text, length);
      return;
    }
  if (conn->app == NULL)
    return;
  if (!crier_message_parse (conn->server->parser, text, length, &message, &error))
    {
      /* Nested too deep to parse: say so, the text itself may be well-formed. */
      if (g_error_matches (error, CRIER_JSON_ERROR, CRIER_JSON_ERROR_TOO_DEEP))
        return rejectf (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, NULL,
                        "Received invalid JSON: %s", error->message);
      return reject (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, NULL, "Received invalid JSON");
    }

  event = message.event;
  if (g_str_equal (event, "pusher:ping"))
    {
      g_autoptr (GBytes) frame = crier_message_build ("pusher:pong", NULL, "{}", NULL);

      crier_connection_send (conn, frame);
    }
  else if (g_str_equal (event, "pusher:pong"))
    ; /* activity only, already noted */
  else if (g_str_equal (event, "pusher:subscribe"))
    handle_subscribe (conn, &message);
  else if (g_str_equal (event, "pusher:unsubscribe"))
    handle_unsubscribe (conn, &message);
  else if (g_str_equal (event, "pusher:signin"))
    handle_signin (conn, &message);
  else if (g_str_has_prefix (event, "client-"))
    handle_client_event (conn, &message);
  else if (g_str_has_prefix (event, "pusher:") || g_str_has_prefix (event, "pusher_internal:"))
    rejectf (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, message.channel, "Unsupported event '%s'",
             event);
  else
    reject (conn, CRIER_MONITOR_PROTOCOL_ERROR, 0, message.channel,
            "Client event rejected - client events must be prefixed by 'client-'");
  crier_message_clear (&message);
}
