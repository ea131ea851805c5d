/* crier-server-participant.c — the dashboard joins in: client events sent as the server,
 * simulated presence members (issue 6)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-server"

#include "config.h"

#include <string.h>

#include "crier-app-private.h"
#include "crier-channel-private.h"
#include "crier-message.h"
#include "crier-names.h"
#include "crier-server-private.h"

static CrierApp *
find_app (CrierServer *self,
          const char  *app_id,
          GError     **error)
{
  CrierApp *app = crier_server_lookup_app (self, app_id);

  if (app == NULL)
    g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_UNKNOWN_APP, "Unknown app id '%s'",
                 app_id ? app_id : "");
  return app;
}

static CrierChannel *
presence_channel (CrierServer *self,
                  const char  *app_id,
                  const char  *channel,
                  GError     **error)
{
  g_autoptr (GError) name_error = NULL;
  CrierApp *app = find_app (self, app_id, error);

  if (app == NULL)
    return NULL;
  if (!crier_channel_name_is_valid (channel, app->config->max_channel_name_length, &name_error))
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID, "%s", name_error->message);
      return NULL;
    }
  if (!(crier_channel_type_from_name (channel) & CRIER_CHANNEL_PRESENCE))
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID,
                   "'%s' is not a presence channel", channel);
      return NULL;
    }
  return crier_app_ensure_channel (app, channel);
}

static void
emit_member (CrierServer     *self,
             CrierMonitorKind kind,
             CrierChannel    *channel,
             const char      *user_id,
             const char      *user_info)
{
  CrierMonitorEvent *event;

  if (!crier_server_monitoring (self))
    return;
  event = crier_monitor_event_new (kind);
  event->app_id = g_strdup (channel->app->config->id);
  event->channel = g_strdup (channel->name);
  event->user_id = g_strdup (user_id);
  event->data = g_strdup (user_info);
  event->count = crier_channel_count_members (channel);
  event->message = g_strdup ("simulated member");
  crier_server_emit (self, event);
}

/* A member without a connection: subscribers see pusher_internal:member_added, Echo's
 * joining() fires, and the member is in every later subscription_succeeded. */
gboolean
crier_server_add_simulated_member (CrierServer *self,
                                   const char  *app_id,
                                   const char  *channel_name,
                                   const char  *user_id,
                                   const char  *user_info,
                                   GError     **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  CrierChannel *channel;
  CrierMember  *member;

  g_return_val_if_fail (CRIER_IS_SERVER (self), FALSE);
  if (user_id == NULL || *user_id == '\0')
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID, "The user id is empty");
      return FALSE;
    }
  if (user_info != NULL && *user_info != '\0' &&
      !crier_json_parser_load (parser, user_info, -1, error))
    return FALSE;
  if ((channel = presence_channel (self, app_id, channel_name, error)) == NULL)
    return FALSE;
  if (crier_channel_lookup_member (channel, user_id) != NULL)
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID,
                   "User '%s' is already a member of %s", user_id, channel_name);
      return FALSE;
    }
  member = crier_channel_add_member (channel, user_id,
                                     user_info != NULL && *user_info != '\0' ? user_info : NULL,
                                     TRUE);
  crier_channel_announce_member (channel, member, NULL);
  emit_member (self, CRIER_MONITOR_MEMBER_ADDED, channel, user_id, member->user_info);
  return TRUE;
}

gboolean
crier_server_remove_simulated_member (CrierServer *self,
                                      const char  *app_id,
                                      const char  *channel_name,
                                      const char  *user_id,
                                      GError     **error)
{
  g_autofree char *info = NULL;
  CrierChannel    *channel;
  CrierMember     *member;

  g_return_val_if_fail (CRIER_IS_SERVER (self), FALSE);
  if ((channel = presence_channel (self, app_id, channel_name, error)) == NULL)
    return FALSE;
  member = crier_channel_lookup_member (channel, user_id);
  if (member == NULL || !member->simulated)
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID,
                   "No simulated member '%s' in %s", user_id, channel_name);
      crier_app_release_channel (channel->app, channel);
      return FALSE;
    }
  if (crier_channel_leave_member (channel, user_id, TRUE, &info))
    emit_member (self, CRIER_MONITOR_MEMBER_REMOVED, channel, user_id, info);
  crier_app_release_channel (channel->app, channel);
  return TRUE;
}

/* A client event from the dashboard, relayed like one from a connection (to every
 * subscriber; user_id on presence channels when given). */
gboolean
crier_server_send_client_event (CrierServer *self,
                                const char  *app_id,
                                const char  *channel_name,
                                const char  *event_name,
                                const char  *data,
                                const char  *user_id,
                                GError     **error)
{
  g_autoptr (GBytes) frame = NULL;
  CrierChannelType type;
  CrierChannel    *channel;
  CrierApp        *app;
  unsigned         count = 0;

  g_return_val_if_fail (CRIER_IS_SERVER (self), FALSE);
  if ((app = find_app (self, app_id, error)) == NULL)
    return FALSE;
  type = crier_channel_type_from_name (channel_name);
  if (!crier_channel_type_needs_auth (type) || (type & CRIER_CHANNEL_ENCRYPTED))
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID,
                   "Client events go to private and presence channels only, not to '%s'",
                   channel_name);
      return FALSE;
    }
  if (event_name == NULL || !g_str_has_prefix (event_name, "client-"))
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID,
                   "Client event names start with 'client-'");
      return FALSE;
    }
  if (data == NULL || strlen (data) > app->config->max_message_size)
    {
      g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_TOO_LARGE,
                   "Client event data exceeds the allowed maximum (%u bytes)",
                   app->config->max_message_size);
      return FALSE;
    }
  if ((type & CRIER_CHANNEL_PRESENCE) == 0)
    user_id = NULL;
  channel = crier_app_lookup_channel (app, channel_name);
  if (channel != NULL)
    {
      frame = crier_message_build (event_name, channel_name, data, user_id);
      count = crier_channel_deliver (channel, frame, NULL);
      crier_channel_count_event (channel);
    }
  crier_app_count_event (app, channel_name);
  if (crier_server_monitoring (self))
    {
      CrierMonitorEvent *event = crier_monitor_event_new (CRIER_MONITOR_CLIENT_EVENT);

      event->app_id = g_strdup (app_id);
      event->channel = g_strdup (channel_name);
      event->event = g_strdup (event_name);
      event->data = g_strdup (data);
      event->user_id = g_strdup (user_id);
      event->count = count;
      event->message = g_strdup ("sent from the dashboard");
      crier_server_emit (self, event);
    }
  return TRUE;
}
