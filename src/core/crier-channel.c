/* crier-channel.c — one channel of an app: subscribers, presence members, cached event
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-server"

#include "config.h"

#include "crier-app-private.h"
#include "crier-channel-private.h"
#include "crier-message.h"
#include "crier-names.h"

static void
member_free (CrierMember *member)
{
  g_free (member->user_id);
  g_free (member->user_info);
  g_free (member);
}

CrierChannel *
crier_channel_new (CrierApp   *app,
                   const char *name)
{
  CrierChannel *channel = g_new0 (CrierChannel, 1);

  channel->name = g_strdup (name);
  channel->type = crier_channel_type_from_name (name);
  channel->app = app;
  channel->subscribers = g_hash_table_new (NULL, NULL);
  if (channel->type & CRIER_CHANNEL_PRESENCE)
    channel->members = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                              (GDestroyNotify) member_free);
  return channel;
}

void
crier_channel_free (CrierChannel *channel)
{
  g_hash_table_unref (channel->subscribers);
  g_clear_pointer (&channel->members, g_hash_table_unref);
  g_free (channel->name);
  g_free (channel->cached_event);
  g_free (channel->cached_data);
  g_free (channel->trace_ids);
  g_free (channel);
}

/* Returns how many connections the frame was handed to. */
unsigned
crier_channel_deliver (CrierChannel    *channel,
                       GBytes          *frame,
                       CrierConnection *except)
{
  GHashTableIter iter;
  gpointer       conn;
  unsigned       count = 0;

  g_hash_table_iter_init (&iter, channel->subscribers);
  while (g_hash_table_iter_next (&iter, &conn, NULL))
    if (conn != except)
      {
        crier_connection_send (conn, frame);
        count++;
      }
  return count;
}

/* A channel without subscribers is kept only while its cached event lives. */
gboolean
crier_channel_is_idle (CrierChannel *channel,
                       gint64        now)
{
  if (g_hash_table_size (channel->subscribers) > 0)
    return FALSE;
  if (channel->members != NULL && g_hash_table_size (channel->members) > 0)
    return FALSE; /* simulated members from the dashboard */
  return channel->cached_event == NULL || now >= channel->cache_expires;
}

/* {"presence":{"ids":[…],"hash":{id:user_info},"count":n}} (pusher-protocol.md §7.3) */
char *
crier_channel_dup_presence_data (CrierChannel *channel)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  GHashTableIter iter;
  CrierMember   *member;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "presence");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ids");
  json_builder_begin_array (builder);
  g_hash_table_iter_init (&iter, channel->members);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &member))
    json_builder_add_string_value (builder, member->user_id);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "hash");
  json_builder_begin_object (builder);
  g_hash_table_iter_init (&iter, channel->members);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &member))
    {
      json_builder_set_member_name (builder, member->user_id);
      if (member->user_info != NULL &&
          crier_json_parser_load (parser, member->user_info, -1, NULL))
        json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
      else
        json_builder_add_null_value (builder);
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, g_hash_table_size (channel->members));
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return crier_json_to_string (root);
}

/* pusher_internal:member_added {user_id, user_info} to every subscriber but except. */
/* pusher_internal:member_added {user_id, user_info} (§9.2), also for a cluster's other nodes. */
GBytes *
crier_channel_build_member_added (const char *channel,
                                  const char *user_id,
                                  const char *user_info)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *data = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user_id");
  json_builder_add_string_value (builder, user_id);
  if (user_info != NULL && crier_json_parser_load (parser, user_info, -1, NULL))
    {
      json_builder_set_member_name (builder, "user_info");
      json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  data = crier_json_to_string (root);
  return crier_message_build ("pusher_internal:member_added", channel, data, NULL);
}

/* pusher_internal:member_removed {user_id} (§9.2). */
GBytes *
crier_channel_build_member_removed (const char *channel,
                                    const char *user_id)
{
  g_autoptr (JsonObject) object = json_object_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *data = NULL;

  json_object_set_string_member (object, "user_id", user_id);
  node = json_node_init_object (json_node_alloc (), object);
  data = crier_json_to_string (node);
  return crier_message_build ("pusher_internal:member_removed", channel, data, NULL);
}

void
crier_channel_announce_member (CrierChannel    *channel,
                               CrierMember     *member,
                               CrierConnection *except)
{
  g_autoptr (GBytes) frame = crier_channel_build_member_added (channel->name, member->user_id,
                                                               member->user_info);

  crier_channel_deliver (channel, frame, except);
}

/* Drops the member and, unless a cluster decides it, sends pusher_internal:member_removed
 * {user_id} to the rest. */
static void
remove_member (CrierChannel *channel,
               const char   *user_id,
               gboolean      announce)
{
  g_autoptr (GBytes) frame = NULL;

  if (announce)
    frame = crier_channel_build_member_removed (channel->name, user_id);
  g_hash_table_remove (channel->members, user_id);
  if (frame != NULL)
    crier_channel_deliver (channel, frame, NULL);
}

CrierSubscription *
crier_channel_add_subscriber (CrierChannel    *channel,
                              CrierConnection *conn,
                              char            *user_id)
{
  CrierSubscription *sub = g_new0 (CrierSubscription, 1);

  sub->channel = channel;
  sub->user_id = user_id;
  g_hash_table_insert (channel->subscribers, conn, sub);
  g_clear_pointer (&channel->trace_ids, g_free);
  return sub;
}

void
crier_channel_remove_subscriber (CrierChannel    *channel,
                                 CrierConnection *conn)
{
  if (g_hash_table_remove (channel->subscribers, conn))
    g_clear_pointer (&channel->trace_ids, g_free);
}

void
crier_subscription_free (CrierSubscription *sub)
{
  g_free (sub->user_id);
  g_free (sub);
}

/* One more socket (or, simulated, the dashboard) as user_id; the member is created with
 * user_info when it is the first. member->sockets == 1 afterwards means it just joined. */
CrierMember *
crier_channel_add_member (CrierChannel *channel,
                          const char   *user_id,
                          const char   *user_info,
                          gboolean      simulated)
{
  CrierMember *member = g_hash_table_lookup (channel->members, user_id);

  if (member == NULL)
    {
      member = g_new0 (CrierMember, 1);
      member->user_id = g_strdup (user_id);
      member->user_info = g_strdup (user_info);
      g_hash_table_insert (channel->members, member->user_id, member);
    }
  member->sockets++;
  member->simulated |= simulated;
  return member;
}

/* One socket (or, simulated, the dashboard's simulated presence) leaves user_id. The last
 * one out removes the member, sends member_removed (§9.2) and returns TRUE with the
 * member's user_info in removed_info (owned, nullable). FALSE: the member stays, or there
 * was no such member (or no simulated one). */
static gboolean
leave_member (CrierChannel *channel,
              const char   *user_id,
              gboolean      simulated,
              gboolean      announce,
              char        **removed_info)
{
  CrierMember *member = crier_channel_lookup_member (channel, user_id);

  *removed_info = NULL;
  if (member == NULL || (simulated && !member->simulated))
    return FALSE;
  if (simulated)
    member->simulated = FALSE;
  if (--member->sockets > 0)
    return FALSE;
  *removed_info = g_steal_pointer (&member->user_info);
  remove_member (channel, user_id, announce);
  return TRUE;
}

gboolean
crier_channel_leave_member (CrierChannel *channel,
                            const char   *user_id,
                            gboolean      simulated,
                            char        **removed_info)
{
  return leave_member (channel, user_id, simulated, TRUE, removed_info);
}

/* The same without member_removed: in a cluster, the user's last socket anywhere decides
 * it (crier-cluster.c), not the last on this node. */
gboolean
crier_channel_forget_member (CrierChannel *channel,
                             const char   *user_id,
                             char        **removed_info)
{
  return leave_member (channel, user_id, FALSE, FALSE, removed_info);
}

/* Returns: (transfer full) (element-type CrierMemberInfo): the distinct users of a
 * presence channel, empty for other channels. */
GPtrArray *
crier_channel_dup_member_infos (CrierChannel *channel)
{
  GPtrArray     *result = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_member_info_free);
  GHashTableIter iter;
  CrierMember   *member;

  if (channel->members == NULL)
    return result;
  g_hash_table_iter_init (&iter, channel->members);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &member))
    {
      CrierMemberInfo *info = g_new0 (CrierMemberInfo, 1);

      info->user_id = g_strdup (member->user_id);
      info->user_info = g_strdup (member->user_info);
      info->simulated = member->simulated;
      g_ptr_array_add (result, info);
    }
  return result;
}

/* Cache channels keep their last event whether or not anyone listens (§11); each
 * publication restarts the TTL (seconds). */
void
crier_channel_set_cache (CrierChannel *channel,
                         const char   *event,
                         const char   *data,
                         unsigned      ttl)
{
  g_free (channel->cached_event);
  g_free (channel->cached_data);
  channel->cached_event = g_strdup (event);
  channel->cached_data = g_strdup (data);
  channel->cache_expires = g_get_monotonic_time () + (gint64) ttl * G_USEC_PER_SEC;
}

/* Returns: (transfer full): a snapshot for the HTTP API and the dashboard. */
CrierChannelInfo *
crier_channel_dup_info (CrierChannel *channel)
{
  CrierChannelInfo *info = g_new0 (CrierChannelInfo, 1);
  gint64            now = g_get_monotonic_time ();

  info->name = g_strdup (channel->name);
  info->type = channel->type;
  info->subscription_count = crier_channel_count_subscribers (channel);
  info->user_count = crier_channel_count_members (channel);
  info->events = channel->events;
  if (channel->cached_event != NULL && now < channel->cache_expires)
    {
      info->has_cache = TRUE;
      info->cached_data = g_strdup (channel->cached_data);
      info->cache_ttl = (unsigned) ((channel->cache_expires - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
    }
  return info;
}
