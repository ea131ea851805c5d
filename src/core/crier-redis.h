/* crier-redis.h — one hiredis connection on the thread-default GMainContext: our own
 * GSource, connect and command timeouts, reconnect with back-off
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include <glib.h>
#include <hiredis/hiredis.h>

#include "crier-redis-address.h"

G_BEGIN_DECLS

typedef struct _CrierRedis CrierRedis;

/* @reply is NULL when the connection went away (or timed out) before the answer: every
 * callback must take that. */
typedef void (*CrierRedisReplyFunc) (CrierRedis *redis,
                                     redisReply *reply,
                                     gpointer    user_data);
/* Called when the connection is ready (authenticated, database selected) and when it is lost. */
typedef void (*CrierRedisStateFunc) (CrierRedis *redis,
                                     gboolean    ready,
                                     gpointer    user_data);

CrierRedis *crier_redis_new (const CrierRedisAddress *address,
                             const char              *name,
                             gboolean                 log_outages,
                             CrierRedisStateFunc      state_func,
                             gpointer                 user_data);
void        crier_redis_free (CrierRedis *redis);
void        crier_redis_start (CrierRedis *redis);
void        crier_redis_drop (CrierRedis *redis);
gboolean    crier_redis_is_ready (CrierRedis *redis);
gboolean    crier_redis_command (CrierRedis         *redis,
                                 CrierRedisReplyFunc func,
                                 gpointer            user_data,
                                 int                 argc,
                                 const char        **argv,
                                 const size_t       *lengths);
gboolean    crier_redis_subscribe (CrierRedis         *redis,
                                   const char         *channel,
                                   CrierRedisReplyFunc func,
                                   gpointer            user_data);

G_END_DECLS
