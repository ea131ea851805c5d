/* crier-redis.c — one hiredis connection on the thread-default GMainContext: our own
 * GSource, connect and command timeouts, reconnect with back-off
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-cluster"

#include "config.h"

#include "crier-redis.h"

#include <hiredis/async.h>

#define CONNECT_TIMEOUT_MS 3000
#define COMMAND_TIMEOUT_MS 5000
#define RETRY_INITIAL_MS   100
#define RETRY_MAX_MS       5000

/* Not Debian's adapters/glib.h: in hiredis 0.14 its dispatch reads and then writes on a
 * context the read may have freed (a refused connect, a write error). Here the cleanup hook
 * forgets the context, and dispatch stops touching it (docs/architecture.md §9). */
typedef struct
{
  GSource            source;
  gpointer           tag;
  GIOCondition       events;
  redisAsyncContext *ac;
} RedisSource;

struct _CrierRedis
{
  CrierRedisAddress  *address;
  char               *name;
  char               *where;
  GMainContext       *context;
  redisAsyncContext  *ac;
  gboolean            ready;
  gboolean            stopping;
  gboolean            log_outages;
  gboolean            outage_logged;
  CrierRedisStateFunc state_func;
  gpointer            state_data;
  CrierRedisReplyFunc message_func; /* the subscription's messages */
  gpointer            message_data;
  char               *channel; /* subscribed to it, again after each reconnect */
  GSource            *connect_timer;
  GSource            *retry_timer;
  GSource            *watchdog;
  unsigned            retry_ms;
  unsigned            pending;       /* commands sent, not answered */
  gint64              last_progress; /* monotonic µs of the last answer or the first pending */
};

typedef struct
{
  CrierRedis         *redis;
  CrierRedisReplyFunc func;
  gpointer            user_data;
} Pending;

static void schedule_retry (CrierRedis *self);

static gboolean
redis_source_dispatch (GSource    *source,
                       GSourceFunc callback,
                       gpointer    user_data)
{
  RedisSource *rs = (RedisSource *) source;
  GIOCondition revents = g_source_query_unix_fd (source, rs->tag);

  if (rs->ac != NULL && (revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
    redisAsyncHandleRead (rs->ac);
  if (rs->ac != NULL && (revents & G_IO_OUT))
    redisAsyncHandleWrite (rs->ac);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs redis_source_funcs = {
  .dispatch = redis_source_dispatch,
};

static void
update_events (RedisSource *rs,
               GIOCondition add,
               GIOCondition remove)
{
  GIOCondition events = (rs->events | add) & ~remove;

  /* hiredis asks for reading again after every write: GLib wakes its context up on each
   * change, so only a real one goes through. */
  if (events == rs->events)
    return;
  rs->events = events;
  if (rs->tag != NULL)
    g_source_modify_unix_fd (&rs->source, rs->tag, rs->events);
}

static void
add_read_cb (void *data)
{
  update_events (data, G_IO_IN, 0);
}

static void
del_read_cb (void *data)
{
  update_events (data, 0, G_IO_IN);
}

static void
add_write_cb (void *data)
{
  update_events (data, G_IO_OUT, 0);
}

static void
del_write_cb (void *data)
{
  update_events (data, 0, G_IO_OUT);
}

/* hiredis frees the context: forget it, and leave the main loop. */
static void
cleanup_cb (void *data)
{
  RedisSource *rs = data;

  rs->ac = NULL;
  if (rs->tag != NULL)
    g_source_remove_unix_fd (&rs->source, rs->tag);
  rs->tag = NULL;
  g_source_destroy (&rs->source);
}

static GSource *
attach_timer (CrierRedis *self,
              unsigned    ms,
              GSourceFunc func)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

static void
clear_timer (GSource **timer)
{
  if (*timer == NULL)
    return;
  g_source_destroy (*timer);
  g_clear_pointer (timer, g_source_unref);
}

static void
note_outage (CrierRedis *self,
             const char *why)
{
  if (!self->log_outages || self->outage_logged || self->stopping)
    return;
  self->outage_logged = TRUE;
  g_warning ("Redis at %s: %s; serving local clients only, retrying", self->where, why);
}

static void
lose (CrierRedis *self,
      const char *why)
{
  gboolean was_ready = self->ready;

  self->ac = NULL;
  self->ready = FALSE;
  self->pending = 0;
  clear_timer (&self->connect_timer);
  clear_timer (&self->watchdog);
  note_outage (self, why);
  if (self->stopping)
    return;
  schedule_retry (self);
  if (was_ready && self->state_func != NULL)
    self->state_func (self, FALSE, self->state_data);
}

static void
pending_cb (redisAsyncContext *ac,
            void              *reply,
            void              *privdata)
{
  Pending    *pending = privdata;
  CrierRedis *self = pending->redis;

  if (reply != NULL)
    {
      self->last_progress = g_get_monotonic_time ();
      if (self->pending > 0)
        self->pending--;
    }
  if (pending->func != NULL)
    pending->func (self, reply, pending->user_data);
  g_free (pending);
}

static gboolean
send_argv (CrierRedis         *self,
           CrierRedisReplyFunc func,
           gpointer            user_data,
           int                 argc,
           const char        **argv,
           const size_t       *lengths)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->redis = self;
  pending->func = func;
  pending->user_data = user_data;
  if (redisAsyncCommandArgv (self->ac, pending_cb, pending, argc, argv, lengths) != REDIS_OK)
    {
      g_free (pending);
      return FALSE;
    }
  if (self->pending++ == 0)
    self->last_progress = g_get_monotonic_time ();
  return TRUE;
}

/* A command unanswered this long: the server hangs (or is not Redis). Drop and retry. */
static gboolean
watchdog_cb (gpointer data)
{
  CrierRedis *self = data;

  if (self->ac != NULL && self->pending > 0 &&
      g_get_monotonic_time () - self->last_progress > COMMAND_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND)
    {
      self->outage_logged = FALSE; /* a new kind of outage */
      note_outage (self, "a command got no answer in time");
      crier_redis_drop (self);
    }
  return G_SOURCE_CONTINUE;
}

static void
message_cb (redisAsyncContext *ac,
            void              *reply,
            void              *privdata)
{
  CrierRedis *self = privdata;

  if (self->message_func != NULL)
    self->message_func (self, reply, self->message_data);
}

static void
refuse_handshake (CrierRedis *self,
                  redisReply *reply)
{
  /* Wrong password, no such database, or not Redis: say which, once, and retry. */
  g_autofree char *why = g_strdup_printf ("refused the handshake: %.*s",
                                          (int) MIN (reply->len, 200), reply->str);

  note_outage (self, why);
  crier_redis_drop (self);
}

static void
check_cb (CrierRedis *self,
          redisReply *reply,
          gpointer    user_data)
{
  if (reply != NULL && reply->type == REDIS_REPLY_ERROR)
    refuse_handshake (self, reply);
}

static void
ready_cb (CrierRedis *self,
          redisReply *reply,
          gpointer    user_data)
{
  if (reply == NULL)
    return;
  if (reply->type == REDIS_REPLY_ERROR)
    return refuse_handshake (self, reply);
  if (self->ac == NULL || (self->ac->c.flags & REDIS_FREEING))
    return; /* the password was refused */
  self->ready = TRUE;
  self->retry_ms = RETRY_INITIAL_MS;
  if (self->outage_logged)
    g_message ("Redis at %s is back", self->where);
  self->outage_logged = FALSE;
  if (self->channel != NULL)
    {
      const char *argv[] = { "SUBSCRIBE", self->channel };

      redisAsyncCommandArgv (self->ac, message_cb, self, 2, argv, NULL);
    }
  if (self->state_func != NULL)
    self->state_func (self, TRUE, self->state_data);
}

static void
connect_cb (const redisAsyncContext *ac,
            int                      status)
{
  CrierRedis *self = ac->data;
  char        db[16];

  clear_timer (&self->connect_timer);
  if (status != REDIS_OK)
    {
      g_autofree char *why = g_strdup_printf ("cannot connect (%s)", ac->errstr);

      lose (self, why); /* hiredis frees the context after this, without disconnect_cb */
      return;
    }
  if (self->address->host != NULL)
    redisEnableKeepAlive ((redisContext *) &ac->c);
  if (self->address->password != NULL)
    {
      const char *argv[] = { "AUTH", self->address->password };

      send_argv (self, check_cb, NULL, 2, argv, NULL);
    }
  /* The last handshake step says "ready": SELECT also proves the peer speaks Redis. */
  g_snprintf (db, sizeof db, "%u", self->address->db);
  {
    const char *argv[] = { "SELECT", db };

    send_argv (self, ready_cb, NULL, 2, argv, NULL);
  }
  self->watchdog = attach_timer (self, 500, watchdog_cb);
}

static void
disconnect_cb (const redisAsyncContext *ac,
               int                      status)
{
  CrierRedis *self = ac->data;

  lose (self, status == REDIS_OK ? "the connection was closed" : ac->errstr);
}

static gboolean
connect_timeout_cb (gpointer data)
{
  CrierRedis        *self = data;
  redisAsyncContext *ac = self->ac;

  g_clear_pointer (&self->connect_timer, g_source_unref);
  /* Not connected: freeing calls no disconnect_cb, so lose () here. */
  self->ac = NULL;
  if (ac != NULL)
    redisAsyncFree (ac);
  lose (self, "the connection timed out");
  return G_SOURCE_REMOVE;
}

static void
connect_now (CrierRedis *self)
{
  redisAsyncContext *ac;
  RedisSource       *rs;

  if (self->address->path != NULL)
    ac = redisAsyncConnectUnix (self->address->path);
  else
    ac = redisAsyncConnect (self->address->host, (int) self->address->port);
  if (ac == NULL || ac->err)
    {
      g_autofree char *why = g_strdup_printf ("cannot connect (%s)",
                                              ac != NULL ? ac->errstr : "out of memory");

      if (ac != NULL)
        redisAsyncFree (ac);
      lose (self, why);
      return;
    }
  rs = (RedisSource *) g_source_new (&redis_source_funcs, sizeof (RedisSource));
  g_source_set_name (&rs->source, "crier-redis");
  /* A source that may not recurse has its fd taken out of the poll set and put back around
   * each dispatch, two more wake-ups of the context per reply; nothing here runs a nested
   * loop. */
  g_source_set_can_recurse (&rs->source, TRUE);
  rs->ac = ac;
  rs->tag = g_source_add_unix_fd (&rs->source, ac->c.fd, 0);
  ac->data = self;
  ac->ev.data = rs;
  ac->ev.addRead = add_read_cb;
  ac->ev.delRead = del_read_cb;
  ac->ev.addWrite = add_write_cb;
  ac->ev.delWrite = del_write_cb;
  ac->ev.cleanup = cleanup_cb;
  g_source_attach (&rs->source, self->context);
  g_source_unref (&rs->source); /* the context holds it until cleanup_cb destroys it */
  redisAsyncSetConnectCallback (ac, connect_cb);
  redisAsyncSetDisconnectCallback (ac, disconnect_cb);
  self->ac = ac;
  /* A non-blocking connect completes when the socket is writable. */
  update_events (rs, G_IO_OUT, 0);
  self->connect_timer = attach_timer (self, CONNECT_TIMEOUT_MS, connect_timeout_cb);
}

static gboolean
retry_cb (gpointer data)
{
  CrierRedis *self = data;

  g_clear_pointer (&self->retry_timer, g_source_unref);
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (CrierRedis *self)
{
  if (self->retry_timer != NULL || self->stopping)
    return;
  self->retry_timer = attach_timer (self, self->retry_ms, retry_cb);
  self->retry_ms = MIN (self->retry_ms * 2, RETRY_MAX_MS);
}

/* @name says which connection in debug lines; only one of a node's connections should log
 * outages (@log_outages), so an outage is one line. */
CrierRedis *
crier_redis_new (const CrierRedisAddress *address,
                 const char              *name,
                 gboolean                 log_outages,
                 CrierRedisStateFunc      state_func,
                 gpointer                 user_data)
{
  CrierRedis *self = g_new0 (CrierRedis, 1);

  self->address = g_new0 (CrierRedisAddress, 1);
  self->address->host = g_strdup (address->host);
  self->address->port = address->port;
  self->address->path = g_strdup (address->path);
  self->address->password = g_strdup (address->password);
  self->address->db = address->db;
  self->name = g_strdup (name);
  self->where = crier_redis_address_describe (address);
  self->context = g_main_context_ref_thread_default ();
  self->log_outages = log_outages;
  self->state_func = state_func;
  self->state_data = user_data;
  self->retry_ms = RETRY_INITIAL_MS;
  return self;
}

void
crier_redis_start (CrierRedis *self)
{
  g_return_if_fail (self != NULL);
  if (self->ac == NULL && self->retry_timer == NULL)
    connect_now (self);
}

/* Close the connection now (pending callbacks get NULL) and reconnect after the back-off. */
void
crier_redis_drop (CrierRedis *self)
{
  g_return_if_fail (self != NULL);
  if (self->ac != NULL)
    {
      redisAsyncContext *ac = self->ac;

      if (!(ac->c.flags & REDIS_CONNECTED))
        {
          self->ac = NULL;
          redisAsyncFree (ac);
          lose (self, "dropped");
        }
      else
        redisAsyncFree (ac); /* disconnect_cb, now or when the current callback returns */
    }
}

void
crier_redis_free (CrierRedis *self)
{
  if (self == NULL)
    return;
  self->stopping = TRUE;
  clear_timer (&self->retry_timer);
  clear_timer (&self->connect_timer);
  clear_timer (&self->watchdog);
  if (self->ac != NULL)
    {
      redisAsyncContext *ac = self->ac;

      redisAsyncFree (ac);
      self->ac = NULL;
    }
  crier_redis_address_free (self->address);
  g_main_context_unref (self->context);
  g_free (self->channel);
  g_free (self->name);
  g_free (self->where);
  g_free (self);
}

gboolean
crier_redis_is_ready (CrierRedis *self)
{
  return self != NULL && self->ready && self->ac != NULL;
}

/* FALSE when not ready: then @func is never called. Arguments are binary-safe (@lengths
 * nullable for C strings). */
gboolean
crier_redis_command (CrierRedis         *self,
                     CrierRedisReplyFunc func,
                     gpointer            user_data,
                     int                 argc,
                     const char        **argv,
                     const size_t       *lengths)
{
  g_return_val_if_fail (self != NULL, FALSE);
  if (!crier_redis_is_ready (self))
    return FALSE;
  return send_argv (self, func, user_data, argc, argv, lengths);
}

/* One channel per connection, subscribed again whenever the connection is ready. Messages
 * reach @func as Redis sends them (["message", channel, payload]); NULL when it is lost. */
gboolean
crier_redis_subscribe (CrierRedis         *self,
                       const char         *channel,
                       CrierRedisReplyFunc func,
                       gpointer            user_data)
{
  g_return_val_if_fail (self != NULL && self->channel == NULL, FALSE);
  self->channel = g_strdup (channel);
  self->message_func = func;
  self->message_data = user_data;
  return TRUE;
}
