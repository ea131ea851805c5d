/* crier-server-publish.c — the one path every publication takes: validation, counting,
 * local delivery to channels, users and caches
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-server"

#include "config.h"

#include <string.h>

#include "crier-app-private.h"
#include "crier-channel-private.h"
#include "crier-cluster.h"
#include "crier-connection-private.h"
#include "crier-explain.h"
#include "crier-message.h"
#include "crier-names.h"
#include "crier-server-private.h"

#define MAX_CHANNELS_PER_PUBLICATION 100

/* The checks of POST /apps/{id}/events (pusher-protocol.md §14.3), shared by every
 * publisher so the dashboard cannot send what the API would refuse. */
gboolean
crier_server_validate_publication (CrierServer       *self,
                                   const char        *app_id,
                                   const char *const *channels,
                                   const char        *event,
                                   const char        *data,
                                   const char        *except_socket_id,
                                   GError           **error)
{
  CrierApp *app;
  guint     n_channels = channels != NULL ? g_strv_length ((GStrv) channels) : 0;
  gboolean  encrypted = FALSE;

  g_return_val_if_fail (CRIER_IS_SERVER (self), FALSE);

  app = crier_server_lookup_app (self, app_id);
  if (app == NULL)
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_UNKNOWN_APP,
                   "Unknown app id '%s'", app_id ? app_id : "");
      return FALSE;
    }
  if (event == NULL || *event == '\0')
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID,
                   "The event name is missing");
      return FALSE;
    }
  if (strlen (event) > app->config->max_event_name_length)
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID,
                   "The event name is longer than %u characters",
                   app->config->max_event_name_length);
      return FALSE;
    }
  if (g_str_has_prefix (event, "pusher:") || g_str_has_prefix (event, "pusher_internal:"))
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID,
                   "Event names starting with 'pusher:' or 'pusher_internal:' are reserved");
      return FALSE;
    }
  if (data == NULL)
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID,
                   "The event data is missing");
      return FALSE;
    }
  if (strlen (data) > app->config->max_message_size)
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_TOO_LARGE,
                   "The data content of this event exceeds the allowed maximum (%u bytes).",
                   app->config->max_message_size);
      return FALSE;
    }
  if (n_channels == 0)
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID,
                   "No channel given: set 'channel' or 'channels'");
      return FALSE;
    }
  if (n_channels > MAX_CHANNELS_PER_PUBLICATION)
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID,
                   "Can't trigger a message to more than %d channels (got %u)",
                   MAX_CHANNELS_PER_PUBLICATION, n_channels);
      return FALSE;
    }
  for (guint i = 0; i < n_channels; i++)
    {
      g_autoptr (GError) name_error = NULL;

      if (!crier_channel_name_is_valid (channels[i], app->config->max_channel_name_length,
                                        &name_error))
        {
          g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID, "%s",
                       name_error->message);
          return FALSE;
        }
      encrypted |= (crier_channel_type_from_name (channels[i]) & CRIER_CHANNEL_ENCRYPTED) != 0;
    }
  if (encrypted && n_channels > 1)
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID,
                   "An event for an encrypted channel must go to that channel alone "
                   "(each encrypted channel has its own key)");
      return FALSE;
    }
  if (except_socket_id != NULL && !crier_socket_id_is_valid (except_socket_id))
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID,
                   "Invalid socket id '%s': expected two numbers joined by a dot",
                   except_socket_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
crier_server_publish (CrierServer       *self,
                      const char        *app_id,
                      const char *const *channels,
                      const char        *event,
                      const char        *data,
                      const char        *except_socket_id,
                      GError           **error)
{
  return crier_server_publish_counted (self, app_id, channels, event, data, except_socket_id, NULL,
                                       error);
}

static gboolean
publish (CrierServer            *self,
         const CrierPublication *publication,
         gint64                 *receivers,
         GError                **error)
{
  unsigned delivered;

  if (!crier_server_validate_publication (self, publication->app_id, publication->channels,
                                          publication->event, publication->data,
                                          publication->except_socket_id, error))
    return FALSE;
  crier_server_count_publication (self, crier_server_lookup_app (self, publication->app_id));
  delivered = crier_server_deliver (self, publication); /* a cluster broker goes here (server-private.h) */
  /* The other nodes deliver on their own: what they reached is not known here, so no
   * number at all rather than a lower bound a front end would read as "nobody". */
  if (receivers != NULL)
    *receivers = self->cluster != NULL ? -1 : (gint64) delivered;
  return TRUE;
}

gboolean
crier_server_publish_counted (CrierServer       *self,
                              const char        *app_id,
                              const char *const *channels,
                              const char        *event,
                              const char        *data,
                              const char        *except_socket_id,
                              gint64            *receivers,
                              GError           **error)
{
  CrierPublication publication = { app_id, channels, event, data, except_socket_id, 0 };

  g_return_val_if_fail (CRIER_IS_SERVER (self), FALSE);
  return publish (self, &publication, receivers, error);
}

/* crier_server_publish () with the HTTP API's request id, which the event_published
 * monitor events carry so a front end can show the request with what it published. */
gboolean
crier_server_publish_publication (CrierServer            *self,
                                  const CrierPublication *publication,
                                  GError                **error)
{
  return publish (self, publication, NULL, error);
}

static unsigned
deliver_to_user (CrierServer     *self,
                 CrierApp        *app,
                 const char      *channel,
                 GBytes          *frame,
                 CrierConnection *except)
{
  GPtrArray *sockets = crier_app_lookup_user (app, channel + strlen (CRIER_SERVER_TO_USER_PREFIX));
  unsigned   count = 0;

  for (guint i = 0; sockets != NULL && i < sockets->len; i++)
    if (g_ptr_array_index (sockets, i) != except)
      {
        crier_connection_send (g_ptr_array_index (sockets, i), frame);
        count++;
      }
  return count;
}

/* The socket ids of up to CRIER_CHANNEL_TRACE_LIMIT of conns, but except, as a JSON array. */
static char *
dup_trace_ids (GPtrArray       *conns,
               CrierConnection *except)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  unsigned listed = 0;

  json_builder_begin_array (builder);
  for (guint i = 0; conns != NULL && i < conns->len && listed < CRIER_CHANNEL_TRACE_LIMIT; i++)
    {
      CrierConnection *conn = g_ptr_array_index (conns, i);

      if (conn != except)
        json_builder_add_string_value (builder, conn->socket_id), listed++;
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return crier_json_to_string (root);
}

/* The channel's subscribers but excluded (one of them, or NULL). Without excluded, the list
 * is the channel's own: a burst to one channel builds it once, until a subscriber comes or
 * goes. */
static char *
dup_channel_trace_ids (CrierChannel    *channel,
                       CrierConnection *excluded)
{
  g_autoptr (GPtrArray) conns = NULL;
  GHashTableIter   iter;
  CrierConnection *conn;

  if (excluded == NULL && channel->trace_ids != NULL)
    return g_strdup (channel->trace_ids);
  /* one more than the limit, so that the limit is listed with excluded left out */
  conns = g_ptr_array_sized_new (MIN (crier_channel_count_subscribers (channel), CRIER_CHANNEL_TRACE_LIMIT + 1));
  crier_channel_iter_subscribers (channel, &iter);
  while (conns->len <= CRIER_CHANNEL_TRACE_LIMIT && g_hash_table_iter_next (&iter, (gpointer *) &conn, NULL))
    g_ptr_array_add (conns, conn);
  if (excluded != NULL)
    return dup_trace_ids (conns, excluded);
  channel->trace_ids = dup_trace_ids (conns, NULL);
  return g_strdup (channel->trace_ids);
}

/* The delivery trace: who received it, who was excluded by socket_id (Laravel's
 * toOthers()), and when nobody did, the near miss and the Echo call that would hear it. */
static void
emit_published (CrierServer            *self,
                CrierApp               *app,
                const CrierPublication *publication,
                const char             *name,
                CrierChannel           *channel,
                CrierConnection        *except,
                unsigned                count)
{
  CrierMonitorEvent *event = crier_monitor_event_new (CRIER_MONITOR_EVENT_PUBLISHED);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *listen = crier_explain_listen (publication->event);
  g_autofree char *delivered = NULL;
  g_autofree char *rest = NULL;
  gboolean         excluded = FALSE;

  if (crier_channel_type_from_name (name) & CRIER_CHANNEL_SERVER_TO_USER)
    {
      GPtrArray *sockets = crier_app_lookup_user (app, name + strlen (CRIER_SERVER_TO_USER_PREFIX));

      excluded = except != NULL && sockets != NULL && g_ptr_array_find (sockets, except, NULL);
      delivered = dup_trace_ids (sockets, except);
    }
  else if (channel != NULL)
    {
      excluded = except != NULL && crier_channel_has_subscriber (channel, except);
      delivered = dup_channel_trace_ids (channel, excluded ? except : NULL);
    }
  else
    delivered = g_strdup ("[]");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "delivered_count");
  json_builder_add_int_value (builder, count);
  json_builder_set_member_name (builder, "excluded");
  if (excluded)
    json_builder_add_string_value (builder, except->socket_id);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "listen");
  json_builder_add_string_value (builder, listen);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  rest = crier_json_to_string (root);

  event->app_id = g_strdup (publication->app_id);
  event->channel = g_strdup (name);
  event->event = g_strdup (publication->event);
  event->data = g_strdup (publication->data);
  event->socket_id = g_strdup (publication->except_socket_id);
  event->count = count;
  event->excluded = excluded ? 1 : 0;
  event->request_id = publication->request_id;
  /* {"delivered":[…], then the rest's members: both texts are json-glib's */
  event->details = g_strconcat ("{\"delivered\":", delivered, ",", rest + 1, NULL);
  event->message = g_strdup_printf ("delivered to %u%s", count, excluded ? ", excluded 1" : "");
  if (count == 0)
    {
      g_autofree char *near = crier_explain_near_miss (app, name, FALSE);

      if (excluded)
        event->explanation = g_strdup_printf ("the only subscriber of '%s', %s, was excluded by "
                                              "socket_id (toOthers())",
                                              name, except->socket_id);
      else if (near != NULL)
        event->explanation = g_strdup_printf ("%s; Echo hears this event with %s", near, listen);
      else
        event->explanation = g_strdup_printf ("no subscriber on '%s'; Echo hears this event "
                                              "with %s",
                                              name, listen);
    }
  crier_server_emit (self, event);
}

/* Local delivery: one frame per channel, the same bytes to every subscriber. Returns how
 * many frames went out on this node. */
unsigned
crier_server_deliver (CrierServer            *self,
                      const CrierPublication *publication)
{
  CrierApp        *app = crier_server_lookup_app (self, publication->app_id);
  CrierConnection *except = NULL;
  unsigned         total = 0;

  g_return_val_if_fail (CRIER_IS_SERVER (self), 0);
  if (app == NULL)
    return 0;
  if (publication->except_socket_id != NULL)
    except = crier_server_lookup_connection (self, publication->except_socket_id);

  for (guint i = 0; publication->channels[i] != NULL; i++)
    {
      const char      *name = publication->channels[i];
      CrierChannelType type = crier_channel_type_from_name (name);
      CrierChannel    *channel = crier_app_lookup_channel (app, name);
      g_autoptr (GBytes) frame = NULL;
      unsigned count = 0;

      if (type & CRIER_CHANNEL_CACHE)
        {
          /* Cached whether or not anyone listens (§11); a publish restarts the TTL. */
          channel = crier_app_ensure_channel (app, name);
          crier_channel_set_cache (channel, publication->event, publication->data,
                                   app->config->cache_ttl);
        }
      if (type & CRIER_CHANNEL_SERVER_TO_USER)
        {
          frame = crier_message_build (publication->event, name, publication->data, NULL);
          count = deliver_to_user (self, app, name, frame, except);
        }
      else if (channel != NULL && crier_channel_count_subscribers (channel) > 0)
        {
          frame = crier_message_build (publication->event, name, publication->data, NULL);
          count = crier_channel_deliver (channel, frame, except);
        }
      /* The same bytes to the other nodes; socket_id exclusion travels with them. */
      if (self->cluster != NULL)
        {
          if (frame == NULL)
            frame = crier_message_build (publication->event, name, publication->data, NULL);
          crier_cluster_broadcast (self->cluster, publication->app_id, name, frame,
                                   publication->except_socket_id);
        }
      if (channel != NULL)
        crier_channel_count_event (channel);
      crier_app_count_event (app, name);
      if (crier_server_monitoring (self))
        emit_published (self, app, publication, name, channel, except, count);
      total += count;
    }
  return total;
}

/* A frame from another node of the cluster: this node's subscribers of @channel (or the
 * user's sockets), except @except_socket_id. Cache channels keep their last event on the
 * node that published it. */
void
crier_server_deliver_frame (CrierServer *self,
                            const char  *app_id,
                            const char  *channel_name,
                            GBytes      *frame,
                            const char  *except_socket_id)
{
  CrierApp        *app = crier_server_lookup_app (self, app_id);
  CrierConnection *except = NULL;
  CrierChannel    *channel;

  if (app == NULL || !crier_channel_name_is_valid (channel_name, G_MAXUINT, NULL))
    return;
  if (except_socket_id != NULL)
    except = crier_server_lookup_connection (self, except_socket_id);
  /* A cache channel's last event is every node's, for the subscribers that come later
   * (§11): read back from the frame, the one place it travels. */
  if (crier_channel_type_from_name (channel_name) & CRIER_CHANNEL_CACHE)
    {
      gsize         size;
      const guint8 *bytes = g_bytes_get_data (frame, &size);
      gsize         header = 2;
      CrierMessage  message;

      /* The frame is already a WebSocket text frame (RFC 6455, section 5.2, unmasked): skip its
       * header, 2 bytes plus the extended length. */
      if (size >= 2 && (bytes[1] & 0x7f) == 126)
        header = 4;
      else if (size >= 2 && (bytes[1] & 0x7f) == 127)
        header = 10;
      if (size > header &&
          crier_message_parse (self->parser, (const char *) bytes + header, size - header,
                               &message, NULL))
        {
          g_autofree char *data = crier_message_dup_data_text (&message);

          crier_channel_set_cache (crier_app_ensure_channel (app, channel_name), message.event,
                                   data, app->config->cache_ttl);
          crier_message_clear (&message);
        }
    }
  if (crier_channel_type_from_name (channel_name) & CRIER_CHANNEL_SERVER_TO_USER)
    deliver_to_user (self, app, channel_name, frame, except);
  else if ((channel = crier_app_lookup_channel (app, channel_name)) != NULL)
    {
      crier_channel_deliver (channel, frame, except);
      crier_channel_count_event (channel);
    }
}
