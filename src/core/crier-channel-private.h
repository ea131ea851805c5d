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
};

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
void          crier_channel_remove_member (CrierChannel *channel,
                                           const char   *user_id);

G_END_DECLS
