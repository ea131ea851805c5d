/* crier-channel-private.h — one channel of an app: subscriptions, presence members, the cached event
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include "crier-connection-private.h"

G_BEGIN_DECLS

typedef struct
{
  CrierChannel *channel;
  char         *user_id; /* presence channels: the member this socket joined as */
} CrierSubscription;

typedef struct
{
  char    *user_id;
  char    *user_info; /* JSON text or NULL */
  unsigned sockets;   /* connections as this user, plus one if simulated */
  gboolean simulated; /* added from the dashboard, no connection behind it */
} CrierMember;

struct _CrierChannel
{
  char            *name;
  CrierChannelType type;
  CrierApp        *app;
  GHashTable      *subscribers; /* CrierConnection* → CrierSubscription* */
  GHashTable      *members;     /* presence: user id → CrierMember */
  char            *cached_event;
  char            *cached_data;
  gint64           cache_expires; /* monotonic µs */
  guint64          events;
  char            *trace_ids; /* the delivery trace's "delivered" (crier-server-publish.c),
                               * dropped when a subscriber comes or goes */
};

/* Socket ids a delivery trace lists at most (the count says how many there were). */
#define CRIER_CHANNEL_TRACE_LIMIT 100

/* The subscription's user_id is the presence member it joined as, owned. */
CrierSubscription *crier_channel_add_subscriber (CrierChannel    *channel,
                                                 CrierConnection *conn,
                                                 char            *user_id);
void               crier_channel_remove_subscriber (CrierChannel    *channel,
                                                    CrierConnection *conn);
void               crier_subscription_free (CrierSubscription *sub);

static inline gboolean
crier_channel_has_subscriber (CrierChannel    *channel,
                              CrierConnection *conn)
{
  return g_hash_table_contains (channel->subscribers, conn);
}

static inline unsigned
crier_channel_count_subscribers (CrierChannel *channel)
{
  return g_hash_table_size (channel->subscribers);
}

/* Presence channels only (members is NULL on the others). */
static inline unsigned
crier_channel_count_members (CrierChannel *channel)
{
  return channel->members != NULL ? g_hash_table_size (channel->members) : 0;
}

static inline CrierMember *
crier_channel_lookup_member (CrierChannel *channel,
                             const char   *user_id)
{
  return channel->members != NULL ? g_hash_table_lookup (channel->members, user_id) : NULL;
}

/* CrierConnection* → CrierSubscription* (borrowed), to read. */
static inline void
crier_channel_iter_subscribers (CrierChannel   *channel,
                                GHashTableIter *iter)
{
  g_hash_table_iter_init (iter, channel->subscribers);
}

/* One more event delivered on the channel (publication or client event). */
static inline void
crier_channel_count_event (CrierChannel *channel)
{
  channel->events++;
}

/* The cached event, if it has not expired (§11): FALSE when there is none. */
static inline gboolean
crier_channel_peek_cache (CrierChannel *channel,
                          gint64        now,
                          const char  **event,
                          const char  **data)
{
  if (channel->cached_event == NULL || now >= channel->cache_expires)
    return FALSE;
  *event = channel->cached_event;
  *data = channel->cached_data;
  return TRUE;
}

void              crier_channel_set_cache (CrierChannel *channel,
                                           const char   *event,
                                           const char   *data,
                                           unsigned      ttl);
CrierChannelInfo *crier_channel_dup_info (CrierChannel *channel);
GPtrArray        *crier_channel_dup_member_infos (CrierChannel *channel);
CrierMember      *crier_channel_add_member (CrierChannel *channel,
                                            const char   *user_id,
                                            const char   *user_info,
                                            gboolean      simulated);
gboolean          crier_channel_leave_member (CrierChannel *channel,
                                              const char   *user_id,
                                              gboolean      simulated,
                                              char        **removed_info);

CrierChannel *crier_channel_new (CrierApp   *app,
                                 const char *name);
void          crier_channel_free (CrierChannel *channel);
unsigned      crier_channel_deliver (CrierChannel    *channel,
                                     GBytes          *frame,
                                     CrierConnection *except);
gboolean      crier_channel_is_idle (CrierChannel *channel,
                                     gint64        now);
char         *crier_channel_dup_presence_data (CrierChannel *channel);
void          crier_channel_announce_member (CrierChannel    *channel,
                                             CrierMember     *member,
                                             CrierConnection *except);
GBytes       *crier_channel_build_member_added (const char *channel,
                                                const char *user_id,
                                                const char *user_info);
GBytes       *crier_channel_build_member_removed (const char *channel,
                                                  const char *user_id);
gboolean      crier_channel_forget_member (CrierChannel *channel,
                                           const char   *user_id,
                                           char        **removed_info);

G_END_DECLS
