/* crier-cluster.c — a node of a Crier cluster: fan-out of frames through Redis pub/sub,
 * heartbeats and the set of live nodes (docs/architecture.md §9)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-cluster"

#include "config.h"

#include "crier-cluster.h"

#include <string.h>

#include "crier-app-private.h"
#include "crier-channel-private.h"
#include "crier-connection-private.h"
#include "crier-json.h"
#include "crier-message.h"
#include "crier-names.h"
#include "crier-redis.h"
#include "crier-server-private.h"
#include "crier-webhooks.h"

/* One pub/sub message: a header of newline-separated fields, then the frame exactly as the
 * publishing node serialised it (no field can hold a newline: node ids are hex, app ids come
 * from a key file, socket ids are digits, channel names are checked).
 *   P\n<node>\n<app>\n<except socket or empty>\n<channel>\n<frame>
 *   T\n<node>\n<app>\n<user id>\n                  (terminate_connections, pusher-protocol.md §12.3) */
#define MESSAGE_PUBLICATION 'P'
#define MESSAGE_TERMINATE   'T'

/* Cluster state (keys under the prefix P; a = P:a:APP, n = P:n:NODE):
 *   a:occ            hash channel → sockets subscribed in the whole cluster
 *   a:c:CH:users     hash user id → user_info (presence)
 *   a:c:CH:socks     hash user id → that user's sockets in the whole cluster
 *   a:vac:CH         pending channel_vacated: the token of the node that will send it
 *   a:rem:CH:USER    pending member_removed webhook, likewise
 *   n:subs, n:mem    this node's share ("APP\nCH" / "APP\nCH\nUSER" → sockets), which the
 *                    reap removes when the node dies
 * Each transition is one script, so two nodes never both see "first" or "last". */
static const char subscribe_script[] =
  "local P, node, app, ch, uid, info = unpack(ARGV)\n"
  "if redis.call('EXISTS', P .. ':node:dead:' .. node) == 1 then return {-1} end\n"
  "local a, n = P .. ':a:' .. app, P .. ':n:' .. node\n"
  "local occ = 0\n"
  "if redis.call('HINCRBY', a .. ':occ', ch, 1) == 1 and\n"
  "   redis.call('DEL', a .. ':vac:' .. ch) == 0 then occ = 1 end\n"
  "redis.call('HINCRBY', n .. ':subs', app .. '\\n' .. ch, 1)\n"
  "if uid == '' then return {occ, 0, 0} end\n"
  "local c, added, hook = a .. ':c:' .. ch, 0, 0\n"
  "if redis.call('HINCRBY', c .. ':socks', uid, 1) == 1 then\n"
  "  added = 1\n"
  "  redis.call('HSET', c .. ':users', uid, info)\n"
  "  if redis.call('DEL', a .. ':rem:' .. ch .. ':' .. uid) == 0 then hook = 1 end\n"
  "end\n"
  "redis.call('HINCRBY', n .. ':mem', app .. '\\n' .. ch .. '\\n' .. uid, 1)\n"
  "return {occ, added, hook, redis.call('HGETALL', c .. ':users')}\n";

/* A node that was declared dead (it hung) and has not noticed yet adds nothing under its
 * old id, which nobody would reap again: {-1}, and it learns at once. */

/* The mirror; a socket this node's share does not hold (the node was reaped meanwhile)
 * changes nothing. Returns {vacated, removed}. */
static const char unsubscribe_script[] =
  "local P, node, app, ch, uid, token, ttl = unpack(ARGV)\n"
  "local a, n = P .. ':a:' .. app, P .. ':n:' .. node\n"
  "local function dec (key, field)\n"
  "  local v = redis.call('HINCRBY', key, field, -1)\n"
  "  if v <= 0 then redis.call('HDEL', key, field) end\n"
  "  return v\n"
  "end\n"
  "if dec(n .. ':subs', app .. '\\n' .. ch) < 0 then return {0, 0} end\n"
  "local vac, removed = 0, 0\n"
  "if dec(a .. ':occ', ch) <= 0 then\n"
  "  vac = 1\n"
  "  redis.call('SET', a .. ':vac:' .. ch, token, 'PX', ttl)\n"
  "end\n"
  "if uid ~= '' and dec(n .. ':mem', app .. '\\n' .. ch .. '\\n' .. uid) >= 0 then\n"
  "  local c = a .. ':c:' .. ch\n"
  "  if dec(c .. ':socks', uid) <= 0 then\n"
  "    redis.call('HDEL', c .. ':users', uid)\n"
  "    redis.call('SET', a .. ':rem:' .. ch .. ':' .. uid, token, 'PX', ttl)\n"
  "    removed = 1\n"
  "  end\n"
  "end\n"
  "return {vac, removed}\n";

/* After the vacated delay: the webhook is sent only if nobody re-joined meanwhile (which
 * deleted the key) — by exactly the node whose token it holds. */
static const char confirm_script[] =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end\n"
  "return 0\n";

/* A node's share taken out of the cluster state (reap, or before a resynchronisation):
 * returns the transitions it caused, flattened as kind, app, channel, user ("V" vacated,
 * "R" member removed). Used inside the heartbeat script. */
#define UNSHARE_LUA                                                                           \
  "local function unshare (P, node, token, ttl, out)\n"                                       \
  "  local n = P .. ':n:' .. node\n"                                                          \
  "  local subs = redis.call('HGETALL', n .. ':subs')\n"                                      \
  "  for i = 1, #subs, 2 do\n"                                                                \
  "    local app, ch = string.match(subs[i], '^(.-)\\n(.*)$')\n"                              \
  "    local a = P .. ':a:' .. app\n"                                                         \
  "    if redis.call('HINCRBY', a .. ':occ', ch, -tonumber(subs[i + 1])) <= 0 then\n"         \
  "      redis.call('HDEL', a .. ':occ', ch)\n"                                               \
  "      redis.call('SET', a .. ':vac:' .. ch, token, 'PX', ttl)\n"                           \
  "      out[#out + 1] = 'V'; out[#out + 1] = app; out[#out + 1] = ch; out[#out + 1] = ''\n"  \
  "    end\n"                                                                                 \
  "  end\n"                                                                                   \
  "  local mem = redis.call('HGETALL', n .. ':mem')\n"                                        \
  "  for i = 1, #mem, 2 do\n"                                                                 \
  "    local app, ch, uid = string.match(mem[i], '^(.-)\\n(.-)\\n(.*)$')\n"                   \
  "    local a = P .. ':a:' .. app\n"                                                         \
  "    local c = a .. ':c:' .. ch\n"                                                          \
  "    if redis.call('HINCRBY', c .. ':socks', uid, -tonumber(mem[i + 1])) <= 0 then\n"       \
  "      redis.call('HDEL', c .. ':socks', uid)\n"                                            \
  "      redis.call('HDEL', c .. ':users', uid)\n"                                            \
  "      redis.call('SET', a .. ':rem:' .. ch .. ':' .. uid, token, 'PX', ttl)\n"             \
  "      out[#out + 1] = 'R'; out[#out + 1] = app; out[#out + 1] = ch; out[#out + 1] = uid\n" \
  "    end\n"                                                                                 \
  "  end\n"                                                                                   \
  "  local conns = redis.call('HGETALL', n .. ':conns')\n"                                    \
  "  for i = 1, #conns, 2 do\n"                                                               \
  "    redis.call('DECRBY', P .. ':a:' .. conns[i] .. ':conns', tonumber(conns[i + 1]))\n"    \
  "  end\n"                                                                                   \
  "  redis.call('DEL', n .. ':subs', n .. ':mem', n .. ':conns')\n"                           \
  "end\n"

static const char unshare_script[] =
  UNSHARE_LUA
  "unshare(ARGV[1], ARGV[2], ARGV[3], ARGV[4], {})\n"
  "return 1\n";

/* The heartbeat, atomic: refresh this node's TTL key and its place in the node set, then
 * reap every registered node whose key has expired. SREM of a dead node is the idempotent
 * step (exactly one caller removes it, and that caller's script takes its share out in
 * the same step); a reaped node leaves a tombstone, so a node that hung past its timeout
 * learns it was declared dead (-1) and rejoins under a new id, while a Redis that merely
 * restarted (no tombstone) is re-populated (fresh = 1). Uses Redis TTLs, not node clocks.
 * ARGV: prefix, my id, timeout ms, tombstone TTL ms, token, pending TTL ms.
 * Returns {-1} or {alive, fresh, kind, app, channel, user, …}. */
static const char heartbeat_script[] =
  UNSHARE_LUA
  "local P, me, ttl, grave, token, pending = unpack(ARGV)\n"
  "local nodes, base = P .. ':nodes', P .. ':node:'\n"
  "if redis.call('EXISTS', base .. 'dead:' .. me) == 1 then return {-1} end\n"
  "local fresh = redis.call('SADD', nodes, me)\n"
  "redis.call('SET', base .. 'alive:' .. me, '1', 'PX', ttl)\n"
  "local out = {0, fresh}\n"
  "for _, id in ipairs(redis.call('SMEMBERS', nodes)) do\n"
  "  if redis.call('EXISTS', base .. 'alive:' .. id) == 1 then out[1] = out[1] + 1\n"
  "  elseif redis.call('SREM', nodes, id) == 1 then\n"
  "    redis.call('SET', base .. 'dead:' .. id, '1', 'PX', grave)\n"
  "    unshare(P, id, token, pending, out)\n"
  "  end\n"
  "end\n"
  "return out\n";

/* An app's connections in the whole cluster, for its max-connections (pusher-protocol.md
 * §2.2): one more, unless that passes the limit (-2); one less (delta -1) only if this
 * node's share holds it. A node declared dead counts nothing (-1).
 * ARGV: prefix, node, app, delta, limit (0: none). */
static const char connection_script[] =
  "local P, node, app = ARGV[1], ARGV[2], ARGV[3]\n"
  "local delta, limit = tonumber(ARGV[4]), tonumber(ARGV[5])\n"
  "if redis.call('EXISTS', P .. ':node:dead:' .. node) == 1 then return -1 end\n"
  "local key, share = P .. ':a:' .. app .. ':conns', P .. ':n:' .. node .. ':conns'\n"
  "if delta < 0 then\n"
  "  local left = redis.call('HINCRBY', share, app, -1)\n"
  "  if left <= 0 then redis.call('HDEL', share, app) end\n"
  "  if left < 0 then return 0 end\n"
  "  return redis.call('DECR', key)\n"
  "end\n"
  "local count = redis.call('INCR', key)\n"
  "if limit > 0 and count > limit then redis.call('DECR', key) return -2 end\n"
  "redis.call('HINCRBY', share, app, 1)\n"
  "return count\n";

/* What the HTTP API reads (pusher-protocol.md §14.5-14.7), the same from every node: hashes, no questions
 * to the other nodes, distinct users counted by construction.
 * ARGV: prefix, app, mode ("channels", "channel", "users"), channel name or name prefix.
 * channels/channel: {name, subscriptions, users, …}; users: {user id, …}. */
static const char query_script[] =
  "local P, app, mode, arg = unpack(ARGV)\n"
  "local a = P .. ':a:' .. app\n"
  "if mode == 'users' then return redis.call('HKEYS', a .. ':c:' .. arg .. ':users') end\n"
  "if mode == 'channel' then\n"
  "  return {arg, redis.call('HGET', a .. ':occ', arg) or '0',\n"
  "          tostring(redis.call('HLEN', a .. ':c:' .. arg .. ':users'))}\n"
  "end\n"
  "local out, all = {}, redis.call('HGETALL', a .. ':occ')\n"
  "for i = 1, #all, 2 do\n"
  "  if string.sub(all[i], 1, #arg) == arg then\n"
  "    out[#out + 1] = all[i]; out[#out + 1] = all[i + 1]\n"
  "    out[#out + 1] = tostring(redis.call('HLEN', a .. ':c:' .. all[i] .. ':users'))\n"
  "  end\n"
  "end\n"
  "return out\n";

struct _CrierCluster
{
  CrierServer         *server; /* owns us */
  CrierClusterSettings settings;
  CrierRedisAddress   *address;
  GMainContext        *context;
  CrierRedis          *commands;
  CrierRedis          *bus;
  char                *node_id;
  char                *bus_channel;
  char                *key_base; /* "<prefix>:node:" */
  char                *nodes_key;
  GSource             *heartbeat;
  unsigned             nodes; /* alive at the last heartbeat */
  gboolean             heartbeat_pending;
  char                *heartbeat_token; /* what a reap in the pending heartbeat stores */
  char                *prefix;
  gboolean             joined;        /* the node set has had us since Redis was last reachable */
  gboolean             resync;        /* Redis came back: re-apply this node's share */
  unsigned             vacated_delay; /* ms, the webhooks' delay of vacated / member_removed */
  guint64              next_token;
  GHashTable          *waits;      /* GSource* → Confirm: delays running */
  GHashTable          *counted;    /* socket ids in the cluster's connection counts */
  GHashTable          *views;      /* app id → View: what the dashboards show */
  gboolean             redis_lost; /* said so once; "back" is said once too */
};

/* One delayed webhook waiting for its confirm_script. */
typedef struct
{
  CrierCluster *cluster;
  char         *app_id;
  char         *channel;
  char         *user_id; /* member_removed; NULL: channel_vacated */
  char         *key;
  char         *token;
} Confirm;

/* A subscription whose script is on its way; the connection may be gone when it answers. */
typedef struct
{
  CrierCluster *cluster;
  char         *socket_id;
  char         *app_id;
  char         *channel;
  char         *user_id;
  char         *user_info;
  gboolean      silent; /* a resynchronisation: state only, no frames or webhooks */
} Joining;

static void emit_node_event (CrierCluster *self,
                             char         *message);
static void read_views (CrierCluster *self);
static void view_touch (CrierCluster *self,
                        const char   *app_id,
                        const char   *channel);
static void forget_views (CrierCluster *self);

static char *
new_node_id (void)
{
  return g_strdup_printf ("%08x%08x", g_random_int (), g_random_int ());
}

static void
publish (CrierCluster *self,
         GString      *message)
{
  const char *argv[] = { "PUBLISH", self->bus_channel, message->str };
  size_t      lengths[] = { strlen ("PUBLISH"), strlen (self->bus_channel), message->len };

  /* Redis unreachable: local clients were served already; the others miss it (logged once
   * by the connection). */
  crier_redis_command (self->commands, NULL, NULL, 3, argv, lengths);
}

void
crier_cluster_broadcast (CrierCluster *self,
                         const char   *app_id,
                         const char   *channel,
                         GBytes       *frame,
                         const char   *except_socket_id)
{
  GString      *message;
  gsize         size;
  gconstpointer bytes = g_bytes_get_data (frame, &size);

  g_return_if_fail (self != NULL);
  message = g_string_sized_new (size + 128);
  g_string_append_printf (message, "%c\n%s\n%s\n%s\n%s\n", MESSAGE_PUBLICATION, self->node_id,
                          app_id, except_socket_id != NULL ? except_socket_id : "", channel);
  g_string_append_len (message, bytes, (gssize) size);
  publish (self, message);
  g_string_free (message, TRUE);
}

void
crier_cluster_terminate_user (CrierCluster *self,
                              const char   *app_id,
                              const char   *user_id)
{
  GString *message;

  g_return_if_fail (self != NULL);
  message = g_string_new (NULL);
  g_string_append_printf (message, "%c\n%s\n%s\n%s\n", MESSAGE_TERMINATE, self->node_id, app_id,
                          user_id);
  publish (self, message);
  g_string_free (message, TRUE);
}

/* The next newline-terminated field of a message; NULL when there is none. */
static char *
next_field (const char **p,
            const char  *end)
{
  const char *nl = memchr (*p, '\n', end - *p);
  char       *field;

  if (nl == NULL)
    return NULL;
  field = g_strndup (*p, nl - *p);
  *p = nl + 1;
  return field;
}

static void
bus_message_cb (CrierRedis *redis,
                redisReply *reply,
                gpointer    user_data)
{
  CrierCluster    *self = user_data;
  const char      *p, *end;
  g_autofree char *kind = NULL;
  g_autofree char *node = NULL;
  g_autofree char *app_id = NULL;
  g_autofree char *third = NULL;

  if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
      reply->element[0]->type != REDIS_REPLY_STRING ||
      strcmp (reply->element[0]->str, "message") != 0 ||
      reply->element[2]->type != REDIS_REPLY_STRING)
    return; /* the subscribe confirmation, or a lost connection */
  p = reply->element[2]->str;
  end = p + reply->element[2]->len;
  if ((kind = next_field (&p, end)) == NULL || strlen (kind) != 1 ||
      (node = next_field (&p, end)) == NULL || (app_id = next_field (&p, end)) == NULL ||
      (third = next_field (&p, end)) == NULL)
    {
      g_debug ("ignoring a malformed message on %s", self->bus_channel);
      return;
    }
  /* The origin delivered locally already: its own echo is dropped (exactly once). */
  if (g_str_equal (node, self->node_id))
    return;
  if (kind[0] == MESSAGE_PUBLICATION)
    {
      g_autofree char *channel = next_field (&p, end);
      g_autoptr (GBytes) frame = NULL;

      if (channel == NULL)
        return;
      frame = g_bytes_new (p, end - p);
      crier_server_deliver_frame (self->server, app_id, channel, frame,
                                  *third != '\0' ? third : NULL);
    }
  else if (kind[0] == MESSAGE_TERMINATE)
    crier_server_terminate_local_user (self->server, app_id, third);
}

static void heartbeat_now (CrierCluster *self);

static char *
new_token (CrierCluster *self)
{
  return g_strdup_printf ("%s.%" G_GUINT64_FORMAT, self->node_id, ++self->next_token);
}

static char *
pending_ttl (CrierCluster *self)
{
  /* Outlives the delay by far: the key must still be there when the delay ends. */
  return g_strdup_printf ("%u", self->vacated_delay + 60000);
}

static void
report (CrierCluster    *self,
        const char      *app_id,
        CrierMonitorKind kind,
        const char      *channel,
        const char      *user_id)
{
  if (self->server->webhooks != NULL)
    crier_webhooks_report (self->server->webhooks, app_id, kind, channel, user_id);
}

static void
confirm_free (Confirm *confirm)
{
  g_free (confirm->app_id);
  g_free (confirm->channel);
  g_free (confirm->user_id);
  g_free (confirm->key);
  g_free (confirm->token);
  g_free (confirm);
}

static void
confirm_cb (CrierRedis *redis,
            redisReply *reply,
            gpointer    user_data)
{
  Confirm *confirm = user_data;

  if (reply != NULL && reply->type == REDIS_REPLY_INTEGER && reply->integer == 1)
    report (confirm->cluster, confirm->app_id,
            confirm->user_id != NULL ? CRIER_MONITOR_MEMBER_REMOVED : CRIER_MONITOR_CHANNEL_VACATED,
            confirm->channel, confirm->user_id);
  confirm_free (confirm);
}

static gboolean
delay_over_cb (gpointer data)
{
  Confirm      *confirm = data;
  CrierCluster *self = confirm->cluster;
  const char   *argv[] = { "EVAL", confirm_script, "1", confirm->key, confirm->token };
  GSource      *source = g_main_current_source ();

  g_hash_table_steal (self->waits, source);
  g_source_unref (source);
  if (!crier_redis_command (self->commands, confirm_cb, confirm, G_N_ELEMENTS (argv), argv, NULL))
    confirm_free (confirm);
  return G_SOURCE_REMOVE;
}

/* channel_vacated (user_id NULL) or member_removed after the delay, if still due then. */
static void
wait_to_confirm (CrierCluster *self,
                 const char   *app_id,
                 const char   *channel,
                 const char   *user_id,
                 const char   *token)
{
  Confirm *confirm;
  GSource *source;

  if (self->server->webhooks == NULL)
    return;
  confirm = g_new0 (Confirm, 1);
  confirm->cluster = self;
  confirm->app_id = g_strdup (app_id);
  confirm->channel = g_strdup (channel);
  confirm->user_id = g_strdup (user_id);
  if (user_id != NULL)
    confirm->key = g_strdup_printf ("%s:a:%s:rem:%s:%s", self->prefix, app_id, channel, user_id);
  else
    confirm->key = g_strdup_printf ("%s:a:%s:vac:%s", self->prefix, app_id, channel);
  confirm->token = g_strdup (token);
  source = g_timeout_source_new (self->vacated_delay);
  g_source_set_callback (source, delay_over_cb, confirm, NULL);
  g_source_attach (source, self->context);
  g_hash_table_insert (self->waits, source, confirm);
}

/* A user's last socket in the cluster left: member_removed to every node's subscribers
 * (frames at once), the webhook after the delay. */
static void
member_left (CrierCluster *self,
             const char   *app_id,
             const char   *channel_name,
             const char   *user_id,
             const char   *token)
{
  g_autoptr (GBytes) frame = crier_channel_build_member_removed (channel_name, user_id);
  CrierApp     *app = crier_server_lookup_app (self->server, app_id);
  CrierChannel *channel = app != NULL ? crier_app_lookup_channel (app, channel_name) : NULL;

  if (channel != NULL)
    crier_channel_deliver (channel, frame, NULL);
  crier_cluster_broadcast (self, app_id, channel_name, frame, NULL);
  wait_to_confirm (self, app_id, channel_name, user_id, token);
}

static void resynchronise (CrierCluster *self);

static void
heartbeat_cb (CrierRedis *redis,
              redisReply *reply,
              gpointer    user_data)
{
  CrierCluster    *self = user_data;
  g_autofree char *token = g_steal_pointer (&self->heartbeat_token);
  unsigned         previous;
  gboolean         was_joined;

  self->heartbeat_pending = FALSE;
  if (reply == NULL)
    return;
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1 ||
      reply->element[0]->type != REDIS_REPLY_INTEGER ||
      (reply->element[0]->integer >= 0 &&
       (reply->elements < 2 || reply->element[1]->type != REDIS_REPLY_INTEGER)))
    {
      g_debug ("unexpected heartbeat reply (type %d)", reply->type);
      return;
    }
  if (reply->element[0]->integer < 0)
    {
      /* We hung past node-timeout and the others have removed us: our clients' state is
       * gone from the cluster. They reconnect (4200) and find a new node. */
      g_autofree char *old = g_steal_pointer (&self->node_id);

      self->node_id = new_node_id ();
      g_message ("this node (%s) was declared dead by the cluster; closing its clients with "
                 "4200 and rejoining as %s",
                 old, self->node_id);
      emit_node_event (self, g_strdup_printf ("this node (%s) was declared dead by the cluster; "
                                              "rejoining as %s",
                                              old, self->node_id));
      crier_server_close_all (self->server, CRIER_CODE_RECONNECT,
                              "Node rejoined the cluster: reconnect");
      /* The closing clients are not re-applied under the new id: the reap removed them. */
      self->joined = FALSE;
      self->resync = FALSE;
      heartbeat_now (self);
      return;
    }
  previous = self->nodes;
  was_joined = self->joined;
  self->nodes = (unsigned) reply->element[0]->integer;
  /* Not in the node set although we were: Redis lost its data (a restart). */
  if (reply->element[1]->integer == 1 && self->joined)
    self->resync = TRUE;
  self->joined = TRUE;
  if (self->resync)
    resynchronise (self);
  if (reply->elements > 2)
    {
      g_message ("the cluster lost a node that stopped sending heartbeats: its members and "
                 "channels are removed");
      emit_node_event (self, g_strdup_printf ("a node stopped sending heartbeats and was "
                                              "removed; %u alive",
                                              self->nodes));
    }
  else if (!was_joined)
    emit_node_event (self, g_strdup_printf ("joined the cluster as node %s; %u alive",
                                            self->node_id, self->nodes));
  else if (previous != self->nodes)
    emit_node_event (self, g_strdup_printf ("%u nodes alive (were %u)", self->nodes, previous));
  read_views (self);
  for (size_t i = 2; i + 3 < reply->elements; i += 4)
    {
      redisReply **e = reply->element + i;

      if (e[0]->type != REDIS_REPLY_STRING || e[1]->type != REDIS_REPLY_STRING ||
          e[2]->type != REDIS_REPLY_STRING || e[3]->type != REDIS_REPLY_STRING)
        continue;
      if (e[0]->str[0] == 'V')
        wait_to_confirm (self, e[1]->str, e[2]->str, NULL, token);
      else
        member_left (self, e[1]->str, e[2]->str, e[3]->str, token);
    }
}

static void
heartbeat_now (CrierCluster *self)
{
  g_autofree char *timeout = g_strdup_printf ("%u", self->settings.node_timeout);
  g_autofree char *tombstone = g_strdup_printf ("%u", MAX (self->settings.node_timeout * 10,
                                                           3600000u));
  g_autofree char *ttl = pending_ttl (self);
  g_autofree char *token = new_token (self);
  const char      *argv[] = { "EVAL", heartbeat_script, "0", self->prefix, self->node_id,
                              timeout, tombstone, token, ttl };

  if (self->heartbeat_pending)
    return;
  if (crier_redis_command (self->commands, heartbeat_cb, self, G_N_ELEMENTS (argv), argv, NULL))
    {
      self->heartbeat_pending = TRUE;
      g_free (self->heartbeat_token);
      self->heartbeat_token = g_steal_pointer (&token);
    }
}

static gboolean
heartbeat_timer_cb (gpointer data)
{
  heartbeat_now (data);
  return G_SOURCE_CONTINUE;
}

static void
commands_state_cb (CrierRedis *redis,
                   gboolean    ready,
                   gpointer    user_data)
{
  CrierCluster *self = user_data;

  self->heartbeat_pending = FALSE;
  /* Back after an outage: what changed meanwhile never reached Redis. */
  if (!ready && self->joined)
    self->resync = TRUE;
  if (!ready && !self->redis_lost)
    {
      g_autofree char *where = crier_redis_address_describe (self->address);

      self->redis_lost = TRUE;
      forget_views (self);
      emit_node_event (self, g_strdup_printf ("Redis at %s is unreachable: serving this node's "
                                              "clients only",
                                              where));
    }
  else if (ready && self->redis_lost)
    {
      g_autofree char *where = crier_redis_address_describe (self->address);

      self->redis_lost = FALSE;
      emit_node_event (self, g_strdup_printf ("Redis at %s is back", where));
    }
  if (ready)
    heartbeat_now (self); /* (re)joins at once, and resynchronises if needed */
}

static void
joining_free (Joining *joining)
{
  g_free (joining->socket_id);
  g_free (joining->app_id);
  g_free (joining->channel);
  g_free (joining->user_id);
  g_free (joining->user_info);
  g_free (joining);
}

/* {"presence": {"ids", "hash", "count"}} from the script's HGETALL of user → info (pusher-protocol.md §9.1). */
static char *
presence_data (redisReply *members)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "presence");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ids");
  json_builder_begin_array (builder);
  for (size_t i = 0; i + 1 < members->elements; i += 2)
    json_builder_add_string_value (builder, members->element[i]->str);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "hash");
  json_builder_begin_object (builder);
  for (size_t i = 0; i + 1 < members->elements; i += 2)
    {
      redisReply *info = members->element[i + 1];

      json_builder_set_member_name (builder, members->element[i]->str);
      if (info->len > 0 && crier_json_parser_load (parser, info->str, -1, NULL))
        json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
      else
        json_builder_add_null_value (builder);
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, (gint64) (members->elements / 2));
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return crier_json_to_string (root);
}

static gboolean
is_string_array (redisReply *reply)
{
  if (reply->type != REDIS_REPLY_ARRAY)
    return FALSE;
  for (size_t i = 0; i < reply->elements; i++)
    if (reply->element[i]->type != REDIS_REPLY_STRING)
      return FALSE;
  return TRUE;
}

static void
subscribed_cb (CrierRedis *redis,
               redisReply *reply,
               gpointer    user_data)
{
  Joining         *joining = user_data;
  CrierCluster    *self = joining->cluster;
  CrierServer     *server = self->server;
  CrierConnection *conn = NULL;
  CrierApp        *app = crier_server_lookup_app (server, joining->app_id);
  CrierChannel    *channel = app != NULL ? crier_app_lookup_channel (app, joining->channel) : NULL;
  g_autofree char *data = NULL;
  gboolean         valid;

  valid = reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements >= 3 &&
          reply->element[0]->type == REDIS_REPLY_INTEGER &&
          reply->element[1]->type == REDIS_REPLY_INTEGER &&
          reply->element[2]->type == REDIS_REPLY_INTEGER &&
          (joining->user_id == NULL ||
           (reply->elements == 4 && is_string_array (reply->element[3])));
  if (reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements == 1 &&
      reply->element[0]->type == REDIS_REPLY_INTEGER && reply->element[0]->integer == -1)
    {
      heartbeat_now (self); /* declared dead: it answers -1, and we rejoin */
      joining_free (joining);
      return;
    }
  if (reply != NULL && !valid)
    g_debug ("unexpected reply to the subscribe script (type %d)", reply->type);
  if (channel != NULL)
    conn = crier_server_lookup_connection (server, joining->socket_id);
  if (conn != NULL && !crier_channel_has_subscriber (channel, conn))
    conn = NULL; /* gone, or left again: its unsubscribe script follows this one */

  if (joining->user_id != NULL && conn != NULL && !joining->silent)
    {
      g_autoptr (GBytes) frame = NULL;

      /* The cluster's member list; without Redis, this node's. */
      data = valid ? presence_data (reply->element[3]) : crier_channel_dup_presence_data (channel);
      frame = crier_message_build ("pusher_internal:subscription_succeeded", joining->channel,
                                   data, NULL);
      crier_connection_send (conn, frame);
    }
  if (!valid || joining->silent)
    goto out;
  if (reply->element[0]->integer == 1)
    report (self, joining->app_id, CRIER_MONITOR_CHANNEL_OCCUPIED, joining->channel, NULL);
  if (reply->element[1]->integer == 1)
    {
      /* member_added only for the user's first socket in the cluster (pusher-protocol.md §9.2). */
      g_autoptr (GBytes) frame = crier_channel_build_member_added (joining->channel,
                                                                   joining->user_id,
                                                                   joining->user_info);

      if (channel != NULL)
        crier_channel_deliver (channel, frame, conn);
      crier_cluster_broadcast (self, joining->app_id, joining->channel, frame,
                               joining->socket_id);
      if (reply->element[2]->integer == 1)
        report (self, joining->app_id, CRIER_MONITOR_MEMBER_ADDED, joining->channel,
                joining->user_id);
    }
out:
  joining_free (joining);
}

static gboolean
run_subscribe (CrierCluster *self,
               const char   *socket_id,
               const char   *app_id,
               const char   *channel,
               const char   *user_id,
               const char   *user_info,
               gboolean      silent)
{
  Joining    *joining = g_new0 (Joining, 1);
  const char *argv[] = { "EVAL", subscribe_script, "0", self->prefix, self->node_id, app_id,
                         channel, user_id != NULL ? user_id : "",
                         user_info != NULL ? user_info : "" };

  joining->cluster = self;
  joining->socket_id = g_strdup (socket_id);
  joining->app_id = g_strdup (app_id);
  joining->channel = g_strdup (channel);
  joining->user_id = g_strdup (user_id);
  joining->user_info = g_strdup (user_info);
  joining->silent = silent;
  if (!crier_redis_command (self->commands, subscribed_cb, joining, G_N_ELEMENTS (argv), argv,
                            NULL))
    {
      joining_free (joining);
      return FALSE;
    }
  return TRUE;
}

/* A subscription was added on this node (the socket is in the channel already, so a
 * member_added from another node cannot fall into a gap). FALSE: Redis is not reachable,
 * the caller does what a single node does. For presence, subscription_succeeded is sent
 * when the script answers, with the cluster's members. */
gboolean
crier_cluster_subscribe (CrierCluster    *self,
                         CrierConnection *conn,
                         const char      *channel,
                         const char      *user_id,
                         const char      *user_info)
{
  g_return_val_if_fail (self != NULL, FALSE);
  if (!crier_redis_is_ready (self->commands) || self->resync)
    return FALSE;
  if (!run_subscribe (self, conn->socket_id, conn->app->config->id, channel, user_id, user_info,
                      FALSE))
    return FALSE;
  view_touch (self, conn->app->config->id, channel);
  return TRUE;
}

typedef struct
{
  CrierCluster *cluster;
  char         *app_id;
  char         *channel;
  char         *user_id;
  char         *token;
} Leaving;

static void
leaving_free (Leaving *leaving)
{
  g_free (leaving->app_id);
  g_free (leaving->channel);
  g_free (leaving->user_id);
  g_free (leaving->token);
  g_free (leaving);
}

static void
unsubscribed_cb (CrierRedis *redis,
                 redisReply *reply,
                 gpointer    user_data)
{
  Leaving      *leaving = user_data;
  CrierCluster *self = leaving->cluster;

  if (reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
      reply->element[0]->type == REDIS_REPLY_INTEGER &&
      reply->element[1]->type == REDIS_REPLY_INTEGER)
    {
      if (reply->element[1]->integer == 1)
        member_left (self, leaving->app_id, leaving->channel, leaving->user_id, leaving->token);
      if (reply->element[0]->integer == 1)
        wait_to_confirm (self, leaving->app_id, leaving->channel, NULL, leaving->token);
    }
  leaving_free (leaving);
}

/* A subscription left this node. FALSE: Redis is not reachable (the caller announces the
 * member's removal as a single node would). */
gboolean
crier_cluster_unsubscribe (CrierCluster *self,
                           const char   *app_id,
                           const char   *channel,
                           const char   *user_id)
{
  Leaving         *leaving;
  g_autofree char *ttl = NULL;
  const char      *argv[10];

  g_return_val_if_fail (self != NULL, FALSE);
  if (!crier_redis_is_ready (self->commands) || self->resync)
    return FALSE;
  leaving = g_new0 (Leaving, 1);
  leaving->cluster = self;
  leaving->app_id = g_strdup (app_id);
  leaving->channel = g_strdup (channel);
  leaving->user_id = g_strdup (user_id);
  leaving->token = new_token (self);
  ttl = pending_ttl (self);
  argv[0] = "EVAL";
  argv[1] = unsubscribe_script;
  argv[2] = "0";
  argv[3] = self->prefix;
  argv[4] = self->node_id;
  argv[5] = app_id;
  argv[6] = channel;
  argv[7] = user_id != NULL ? user_id : "";
  argv[8] = leaving->token;
  argv[9] = ttl;
  if (!crier_redis_command (self->commands, unsubscribed_cb, leaving, 10, argv, NULL))
    {
      leaving_free (leaving);
      return FALSE;
    }
  view_touch (self, app_id, channel);
  return TRUE;
}

typedef struct
{
  CrierCluster *cluster;
  char         *socket_id;
} Counting;

static void
counted_cb (CrierRedis *redis,
            redisReply *reply,
            gpointer    user_data)
{
  Counting        *counting = user_data;
  CrierCluster    *self = counting->cluster;
  CrierConnection *conn;

  if (reply != NULL && reply->type == REDIS_REPLY_INTEGER && reply->integer == -2)
    {
      g_hash_table_remove (self->counted, counting->socket_id);
      conn = crier_server_lookup_connection (self->server, counting->socket_id);
      if (conn != NULL && crier_connection_is_open (conn))
        {
          /* The other nodes' connections fill the app's quota: refused as a single node
           * refuses, only after connection_established. */
          crier_connection_send_error (conn, CRIER_CODE_APP_OVER_QUOTA,
                                       "Application is over connection quota");
          crier_connection_close (conn, CRIER_CODE_APP_OVER_QUOTA,
                                  "Application is over connection quota");
        }
    }
  else if (reply != NULL && reply->type == REDIS_REPLY_INTEGER && reply->integer == -1)
    {
      g_hash_table_remove (self->counted, counting->socket_id);
      heartbeat_now (self);
    }
  g_free (counting->socket_id);
  g_free (counting);
}

static void
count_connection (CrierCluster *self,
                  const char   *app_id,
                  const char   *socket_id,
                  int           delta,
                  unsigned      limit)
{
  g_autofree char *change = g_strdup_printf ("%d", delta);
  g_autofree char *max = g_strdup_printf ("%u", limit);
  const char      *argv[] = { "EVAL", connection_script, "0", self->prefix, self->node_id,
                              app_id, change, max };
  Counting        *counting = g_new0 (Counting, 1);

  counting->cluster = self;
  counting->socket_id = g_strdup (socket_id);
  if (!crier_redis_command (self->commands, counted_cb, counting, G_N_ELEMENTS (argv), argv,
                            NULL))
    {
      g_free (counting->socket_id);
      g_free (counting);
      return;
    }
  if (delta > 0)
    g_hash_table_add (self->counted, g_strdup (socket_id));
}

/* A connection was admitted on this node: counted for its app's max-connections across
 * the cluster (closed with 4004 when the others fill the quota). */
void
crier_cluster_connect (CrierCluster    *self,
                       CrierConnection *conn)
{
  g_return_if_fail (self != NULL);
  if (!crier_redis_is_ready (self->commands) || self->resync)
    return;
  count_connection (self, conn->app->config->id, conn->socket_id, +1,
                    conn->app->config->max_connections);
}

void
crier_cluster_disconnect (CrierCluster    *self,
                          CrierConnection *conn)
{
  g_return_if_fail (self != NULL);
  if (!g_hash_table_remove (self->counted, conn->socket_id))
    return;
  if (crier_redis_is_ready (self->commands) && !self->resync)
    count_connection (self, conn->app->config->id, conn->socket_id, -1, 0);
}

/* Redis came back (restarted, or unreachable while subscriptions changed): take this
 * node's share out and put what it holds now back in, silently. */
static void
resynchronise (CrierCluster *self)
{
  g_autofree char *ttl = pending_ttl (self);
  g_autofree char *token = new_token (self);
  const char      *argv[] = { "EVAL", unshare_script, "0", self->prefix, self->node_id, token,
                              ttl };
  GHashTableIter   iter;
  CrierConnection *conn;

  if (!crier_redis_command (self->commands, NULL, NULL, G_N_ELEMENTS (argv), argv, NULL))
    return;
  self->resync = FALSE;
  g_hash_table_remove_all (self->counted);
  g_hash_table_iter_init (&iter, self->server->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &conn))
    if (conn->app != NULL && crier_connection_is_open (conn))
      count_connection (self, conn->app->config->id, conn->socket_id, +1, 0);
  g_hash_table_iter_init (&iter, self->server->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &conn))
    for (guint i = 0; conn->app != NULL && conn->subscriptions != NULL &&
                      i < conn->subscriptions->len;
         i++)
      {
        CrierSubscription *sub = g_ptr_array_index (conn->subscriptions, i);
        CrierMember       *member = sub->user_id != NULL ? crier_channel_lookup_member (sub->channel,
                                                                                        sub->user_id)
                                                         : NULL;

        run_subscribe (self, conn->socket_id, conn->app->config->id, sub->channel->name,
                       sub->user_id, member != NULL ? member->user_info : NULL, TRUE);
      }
  g_message ("resynchronised this node's subscriptions with Redis");
}

typedef struct
{
  CrierClusterQueryFunc func;
  gpointer              user_data;
  gboolean              users;
} Query;

static void
query_cb (CrierRedis *redis,
          redisReply *reply,
          gpointer    user_data)
{
  Query     *query = user_data;
  GPtrArray *result = NULL;

  if (reply != NULL && is_string_array (reply) && query->users)
    {
      result = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_member_info_free);
      for (size_t i = 0; i < reply->elements; i++)
        {
          CrierMemberInfo *member = g_new0 (CrierMemberInfo, 1);

          member->user_id = g_strdup (reply->element[i]->str);
          g_ptr_array_add (result, member);
        }
    }
  else if (reply != NULL && is_string_array (reply) && reply->elements % 3 == 0)
    {
      result = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_channel_info_free);
      for (size_t i = 0; i < reply->elements; i += 3)
        {
          CrierChannelInfo *info = g_new0 (CrierChannelInfo, 1);

          info->name = g_strdup (reply->element[i]->str);
          info->type = crier_channel_type_from_name (info->name);
          info->subscription_count = (unsigned) g_ascii_strtoull (reply->element[i + 1]->str,
                                                                  NULL, 10);
          info->user_count = (unsigned) g_ascii_strtoull (reply->element[i + 2]->str, NULL, 10);
          g_ptr_array_add (result, info);
        }
    }
  else if (reply != NULL)
    g_debug ("unexpected reply to the query script (type %d)", reply->type);
  query->func (result, query->user_data);
  g_free (query);
}

/* The cluster's channels (whose name starts with @prefix), one channel, or (@users) the
 * user ids of a presence channel; @func gets NULL when Redis could not answer. FALSE: Redis
 * is not reachable now, @func is not called. */
gboolean
crier_cluster_query (CrierCluster         *self,
                     const char           *app_id,
                     CrierClusterQueryKind kind,
                     const char           *arg,
                     CrierClusterQueryFunc func,
                     gpointer              user_data)
{
  static const char *const modes[] = { "channels", "channel", "users" };
  Query                   *query;
  const char              *argv[] = { "EVAL", query_script, "0", self->prefix, app_id,
                                      modes[kind], arg != NULL ? arg : "" };

  g_return_val_if_fail (self != NULL, FALSE);
  if (!crier_redis_is_ready (self->commands) || self->resync)
    return FALSE;
  query = g_new0 (Query, 1);
  query->func = func;
  query->user_data = user_data;
  query->users = kind == CRIER_CLUSTER_QUERY_USERS;
  if (!crier_redis_command (self->commands, query_cb, query, G_N_ELEMENTS (argv), argv, NULL))
    {
      g_free (query);
      return FALSE;
    }
  return TRUE;
}

/* --- What the dashboards show: node events and the cluster-wide channels ------------ */

/* Read with one script per app: every occupied channel with its sockets and distinct users
 * in the whole cluster, and a presence channel's members (id → user_info). Bounded on both
 * counts: a dashboard lists a few thousand channels at most.
 * ARGV: prefix, app, most channels, most members per channel.
 * Returns {{name, sockets, users, {id, info, …}}, …}. */
static const char view_script[] =
  "local P, app = ARGV[1], ARGV[2]\n"
  "local max_channels, max_members = tonumber(ARGV[3]), tonumber(ARGV[4])\n"
  "local a = P .. ':a:' .. app\n"
  "local out, all = {}, redis.call('HGETALL', a .. ':occ')\n"
  "for i = 1, math.min(#all, 2 * max_channels), 2 do\n"
  "  local users, members = 0, {}\n"
  "  if string.sub(all[i], 1, 9) == 'presence-' then\n"
  "    local u = redis.call('HGETALL', a .. ':c:' .. all[i] .. ':users')\n"
  "    users = #u / 2\n"
  "    for j = 1, math.min(#u, 2 * max_members) do members[j] = u[j] end\n"
  "  end\n"
  "  out[#out + 1] = {all[i], all[i + 1], tostring(users), members}\n"
  "end\n"
  "return out\n";

#define VIEW_MAX_CHANNELS 5000
#define VIEW_MAX_MEMBERS  1000
/* After a local change, the view is read again this much later: one read for a burst. */
#define VIEW_DELAY_MS 100

/* One channel as the cluster has it. */
typedef struct
{
  unsigned   subscriptions;
  unsigned   users;
  GPtrArray *members; /* CrierMemberInfo; NULL unless presence */
} ViewChannel;

/* One app's channels as last read from Redis. */
typedef struct
{
  CrierCluster *cluster;
  char         *app_id;
  GHashTable   *channels; /* name → ViewChannel; NULL until the first read */
  GHashTable   *touched;  /* names changed on this node since the last read */
  gboolean      reading;  /* a read is on its way */
  gboolean      again;    /* changed meanwhile: read once more after it */
  GSource      *delay;
} View;

static void
view_channel_free (ViewChannel *channel)
{
  g_clear_pointer (&channel->members, g_ptr_array_unref);
  g_free (channel);
}

static void
view_free (View *view)
{
  if (view->delay != NULL)
    g_source_destroy (view->delay);
  g_clear_pointer (&view->delay, g_source_unref);
  g_clear_pointer (&view->channels, g_hash_table_unref);
  g_hash_table_unref (view->touched);
  g_free (view->app_id);
  g_free (view);
}

/* Returns: (transfer full): the node as the front ends show it. */
CrierClusterInfo *
crier_cluster_dup_info (CrierCluster *self)
{
  CrierClusterInfo *info;

  g_return_val_if_fail (self != NULL, NULL);
  info = g_new0 (CrierClusterInfo, 1);
  info->node_id = g_strdup (self->node_id);
  info->nodes = crier_cluster_count_nodes (self);
  info->redis_connected = crier_cluster_is_redis_connected (self);
  info->redis = crier_redis_address_describe (self->address);
  info->prefix = g_strdup (self->prefix);
  return info;
}

static char *
info_json (CrierCluster *self)
{
  g_autoptr (CrierClusterInfo) info = crier_cluster_dup_info (self);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  crier_cluster_info_build_json (info, builder);
  root = json_builder_get_root (builder);
  return crier_json_to_string (root);
}

/* A change of the node's place in the cluster (nodes, Redis): one event per change, with
 * the node's state in its details, as the snapshot's "cluster" object. */
static void
emit_node_event (CrierCluster *self,
                 char         *message) /* (transfer full) */
{
  CrierMonitorEvent *event;

  if (!crier_monitor_is_active (self->server->monitor))
    {
      g_free (message);
      return;
    }
  event = crier_monitor_event_new (CRIER_MONITOR_CLUSTER);
  event->message = message;
  event->count = crier_cluster_count_nodes (self);
  event->details = info_json (self);
  crier_monitor_emit (self->server->monitor, event);
}

/* A channel's cluster-wide counts changed: the dashboards' lists follow (count: sockets in
 * the cluster; 0 when the last one left). */
static void
emit_channel_event (CrierCluster *self,
                    const char   *app_id,
                    const char   *channel,
                    unsigned      subscriptions,
                    unsigned      users)
{
  CrierMonitorEvent *event = crier_monitor_event_new (CRIER_MONITOR_CLUSTER);

  event->app_id = g_strdup (app_id);
  event->channel = g_strdup (channel);
  event->count = subscriptions;
  event->message = g_strdup_printf ("in the cluster: %u subscriptions, %u users", subscriptions,
                                    users);
  event->details = g_strdup_printf ("{\"subscription_count\":%u,\"user_count\":%u}", subscriptions,
                                    users);
  crier_monitor_emit (self->server->monitor, event);
}

static unsigned
local_subscriptions (CrierCluster *self,
                     const char   *app_id,
                     const char   *name)
{
  CrierApp     *app = crier_server_lookup_app (self->server, app_id);
  CrierChannel *channel = app != NULL ? crier_app_lookup_channel (app, name) : NULL;

  return channel != NULL ? crier_channel_count_subscribers (channel) : 0;
}

static gboolean
same_members (GPtrArray *a,
              GPtrArray *b)
{
  if (a == NULL || b == NULL || a->len != b->len)
    return a == b;
  for (guint i = 0; i < a->len; i++)
    {
      CrierMemberInfo *x = g_ptr_array_index (a, i), *y = g_ptr_array_index (b, i);

      if (!g_str_equal (x->user_id, y->user_id) || g_strcmp0 (x->user_info, y->user_info) != 0)
        return FALSE;
    }
  return TRUE;
}

static int
compare_members (gconstpointer a,
                 gconstpointer b)
{
  return strcmp ((*(CrierMemberInfo *const *) a)->user_id, (*(CrierMemberInfo *const *) b)->user_id);
}

static void read_view (View *view);

/* The new picture replaces the old; what differs (or changed here meanwhile, which the
 * local monitor events showed with this node's counts) is announced. */
static void
view_read_cb (CrierRedis *redis,
              redisReply *reply,
              gpointer    user_data)
{
  View         *view = user_data;
  CrierCluster *self = view->cluster;
  g_autoptr (GHashTable) old = NULL;
  g_autoptr (GHashTable) touched = NULL;
  gboolean       active;
  GHashTableIter iter;
  const char    *name;
  ViewChannel   *channel;

  view->reading = FALSE;
  /* Lost on the way (or the node is being freed): the next read says it. */
  if (reply == NULL)
    return;
  if (reply->type != REDIS_REPLY_ARRAY)
    {
      g_debug ("unexpected reply to the view script (type %d)", reply->type);
      return;
    }
  active = crier_monitor_is_active (self->server->monitor);
  old = g_steal_pointer (&view->channels);
  touched = g_steal_pointer (&view->touched);
  view->touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  view->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) view_channel_free);
  for (size_t i = 0; i < reply->elements; i++)
    {
      redisReply  *e = reply->element[i];
      ViewChannel *previous;

      if (e->type != REDIS_REPLY_ARRAY || e->elements != 4 || e->element[0]->type != REDIS_REPLY_STRING ||
          e->element[1]->type != REDIS_REPLY_STRING || e->element[2]->type != REDIS_REPLY_STRING ||
          !is_string_array (e->element[3]))
        continue;
      channel = g_new0 (ViewChannel, 1);
      channel->subscriptions = (unsigned) g_ascii_strtoull (e->element[1]->str, NULL, 10);
      channel->users = (unsigned) g_ascii_strtoull (e->element[2]->str, NULL, 10);
      if (crier_channel_type_from_name (e->element[0]->str) & CRIER_CHANNEL_PRESENCE)
        {
          channel->members = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_member_info_free);
          for (size_t j = 0; j + 1 < e->element[3]->elements; j += 2)
            {
              CrierMemberInfo *member = g_new0 (CrierMemberInfo, 1);

              member->user_id = g_strdup (e->element[3]->element[j]->str);
              member->user_info = e->element[3]->element[j + 1]->len > 0
                                    ? g_strdup (e->element[3]->element[j + 1]->str)
                                    : NULL;
              g_ptr_array_add (channel->members, member);
            }
          /* Redis's hash order changes with the hash: compared and shown by id. */
          g_ptr_array_sort (channel->members, compare_members);
        }
      if (channel->subscriptions == 0)
        {
          view_channel_free (channel);
          continue;
        }
      previous = old != NULL ? g_hash_table_lookup (old, e->element[0]->str) : NULL;
      if (active && (previous == NULL || previous->subscriptions != channel->subscriptions ||
                     previous->users != channel->users ||
                     !same_members (previous->members, channel->members) ||
                     g_hash_table_contains (touched, e->element[0]->str)))
        emit_channel_event (self, view->app_id, e->element[0]->str, channel->subscriptions,
                            channel->users);
      g_hash_table_replace (view->channels, g_strdup (e->element[0]->str), channel);
    }
  /* Gone from the whole cluster. */
  if (old != NULL && active)
    {
      g_hash_table_iter_init (&iter, old);
      while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
        if (!g_hash_table_contains (view->channels, name))
          emit_channel_event (self, view->app_id, name, 0, 0);
    }
  if (view->again)
    {
      view->again = FALSE;
      read_view (view);
    }
}

static void
read_view (View *view)
{
  CrierCluster    *self = view->cluster;
  g_autofree char *max_channels = g_strdup_printf ("%u", VIEW_MAX_CHANNELS);
  g_autofree char *max_members = g_strdup_printf ("%u", VIEW_MAX_MEMBERS);
  const char      *argv[] = { "EVAL", view_script, "0", self->prefix, view->app_id, max_channels,
                              max_members };

  if (view->reading)
    {
      view->again = TRUE;
      return;
    }
  if (crier_redis_command (self->commands, view_read_cb, view, G_N_ELEMENTS (argv), argv, NULL))
    view->reading = TRUE;
}

static View *
ensure_view (CrierCluster *self,
             const char   *app_id)
{
  View *view = g_hash_table_lookup (self->views, app_id);

  if (view == NULL)
    {
      view = g_new0 (View, 1);
      view->cluster = self;
      view->app_id = g_strdup (app_id);
      view->touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (self->views, view->app_id, view);
    }
  return view;
}

/* On each heartbeat: the other nodes' changes show up within one interval. Only while
 * somebody watches (the window, a monitor client, --verbose): a plain node reads nothing. */
static void
read_views (CrierCluster *self)
{
  GPtrArray *apps;

  if (!crier_monitor_is_active (self->server->monitor) || !crier_redis_is_ready (self->commands))
    return;
  apps = crier_config_get_apps (crier_server_get_config (self->server));
  for (guint i = 0; i < apps->len; i++)
    read_view (ensure_view (self, ((CrierAppConfig *) g_ptr_array_index (apps, i))->id));
}

static gboolean
view_delay_cb (gpointer data)
{
  View *view = data;

  g_clear_pointer (&view->delay, g_source_unref);
  read_view (view);
  return G_SOURCE_REMOVE;
}

/* A subscription changed on this node: the view is read again shortly (its script was
 * sent before the read, on the same connection, so the read sees it). */
static void
view_touch (CrierCluster *self,
            const char   *app_id,
            const char   *channel)
{
  View *view;

  if (!crier_monitor_is_active (self->server->monitor))
    return;
  view = ensure_view (self, app_id);
  g_hash_table_add (view->touched, g_strdup (channel));
  if (view->delay != NULL)
    return;
  view->delay = g_timeout_source_new (VIEW_DELAY_MS);
  g_source_set_callback (view->delay, view_delay_cb, view, NULL);
  g_source_attach (view->delay, self->context);
}

/* Redis is gone: what the dashboards show falls back to this node's own channels. */
static void
forget_views (CrierCluster *self)
{
  GHashTableIter iter;
  View          *view;

  g_hash_table_iter_init (&iter, self->views);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &view))
    {
      g_autoptr (GHashTable) old = g_steal_pointer (&view->channels);
      GHashTableIter channels;
      const char    *name;
      ViewChannel   *channel;

      if (old == NULL || !crier_monitor_is_active (self->server->monitor))
        continue;
      g_hash_table_iter_init (&channels, old);
      while (g_hash_table_iter_next (&channels, (gpointer *) &name, (gpointer *) &channel))
        {
          unsigned local = local_subscriptions (self, view->app_id, name);

          emit_channel_event (self, view->app_id, name, local, 0);
        }
    }
}

static int
compare_infos (gconstpointer a,
               gconstpointer b)
{
  return strcmp ((*(CrierChannelInfo *const *) a)->name, (*(CrierChannelInfo *const *) b)->name);
}

/* Returns: (transfer full) (nullable): the app's channels whose name starts with @prefix
 * with their cluster-wide counts, this node's own details (events, cache) where it has the
 * channel; NULL when there is no view yet (Redis not read, or unreachable). */
GPtrArray *
crier_cluster_dup_channels (CrierCluster *self,
                            const char   *app_id,
                            const char   *prefix)
{
  View          *view;
  GPtrArray     *result;
  GHashTableIter iter;
  const char    *name;
  ViewChannel   *channel;
  CrierApp      *app;

  g_return_val_if_fail (self != NULL, NULL);
  app = crier_server_lookup_app (self->server, app_id);
  view = g_hash_table_lookup (self->views, app_id);
  if (app == NULL || view == NULL || view->channels == NULL || !crier_redis_is_ready (self->commands))
    return NULL;
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_channel_info_free);
  g_hash_table_iter_init (&iter, view->channels);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, (gpointer *) &channel))
    {
      CrierChannel     *local = crier_app_lookup_channel (app, name);
      CrierChannelInfo *info;

      if (prefix != NULL && !g_str_has_prefix (name, prefix))
        continue;
      if (local != NULL)
        info = crier_channel_dup_info (local);
      else
        {
          info = g_new0 (CrierChannelInfo, 1);
          info->name = g_strdup (name);
          info->type = crier_channel_type_from_name (name);
        }
      info->subscription_count = MAX (channel->subscriptions, info->subscription_count);
      info->user_count = MAX (channel->users, info->user_count);
      g_ptr_array_add (result, info);
    }
  /* Subscribed here after the last read: this node's counts until the next one. */
  crier_app_iter_channels (app, &iter);
  {
    CrierChannel *local;

    while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &local))
      if (crier_channel_count_subscribers (local) > 0 && !g_hash_table_contains (view->channels, local->name) &&
          (prefix == NULL || g_str_has_prefix (local->name, prefix)))
        g_ptr_array_add (result, crier_channel_dup_info (local));
  }
  g_ptr_array_sort (result, compare_infos);
  return result;
}

/* Returns: (transfer full) (nullable): a presence channel's members in the whole cluster
 * (and this node's simulated ones); NULL when the view does not have the channel. */
GPtrArray *
crier_cluster_dup_members (CrierCluster *self,
                           const char   *app_id,
                           const char   *name)
{
  View         *view;
  ViewChannel  *channel;
  CrierApp     *app;
  CrierChannel *local;
  GPtrArray    *result;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (self != NULL, NULL);
  app = crier_server_lookup_app (self->server, app_id);
  local = app != NULL ? crier_app_lookup_channel (app, name) : NULL;
  view = g_hash_table_lookup (self->views, app_id);
  if (view == NULL || view->channels == NULL || !crier_redis_is_ready (self->commands) ||
      (channel = g_hash_table_lookup (view->channels, name)) == NULL || channel->members == NULL)
    return NULL;
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_member_info_free);
  for (guint i = 0; i < channel->members->len; i++)
    {
      CrierMemberInfo *member = g_ptr_array_index (channel->members, i);
      CrierMemberInfo *copy = g_new0 (CrierMemberInfo, 1);

      copy->user_id = g_strdup (member->user_id);
      copy->user_info = g_strdup (member->user_info);
      g_hash_table_add (seen, copy->user_id);
      g_ptr_array_add (result, copy);
    }
  if (local != NULL)
    {
      g_autoptr (GPtrArray) mine = crier_channel_dup_member_infos (local);

      for (guint i = 0; i < mine->len; i++)
        {
          CrierMemberInfo *member = g_ptr_array_index (mine, i);

          if (!g_hash_table_contains (seen, member->user_id))
            {
              CrierMemberInfo *copy = g_new0 (CrierMemberInfo, 1);

              copy->user_id = g_strdup (member->user_id);
              copy->user_info = g_strdup (member->user_info);
              copy->simulated = member->simulated;
              g_ptr_array_add (result, copy);
            }
        }
    }
  return result;
}

CrierCluster *
crier_cluster_new (CrierServer                *server,
                   const CrierClusterSettings *settings,
                   GError                    **error)
{
  CrierCluster      *self;
  CrierRedisAddress *address;

  g_return_val_if_fail (settings->redis != NULL, NULL);
  if ((address = crier_redis_address_parse (settings->redis, error)) == NULL)
    return NULL;
  self = g_new0 (CrierCluster, 1);
  self->server = server;
  self->settings = *settings;
  self->settings.redis = NULL;
  self->settings.prefix = NULL;
  self->prefix = g_strdup (settings->prefix);
  self->vacated_delay = crier_config_get_webhook_settings (crier_server_get_config (server))
                          ->vacated_delay;
  self->waits = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) confirm_free);
  self->counted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->views = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) view_free);
  self->address = address;
  self->context = g_main_context_ref_thread_default ();
  self->node_id = new_node_id ();
  self->bus_channel = g_strdup_printf ("%s:bus", settings->prefix);
  self->key_base = g_strdup_printf ("%s:node:", settings->prefix);
  self->nodes_key = g_strdup_printf ("%s:nodes", settings->prefix);
  self->commands = crier_redis_new (address, "commands", TRUE, commands_state_cb, self);
  self->bus = crier_redis_new (address, "bus", FALSE, NULL, self);
  crier_redis_subscribe (self->bus, self->bus_channel, bus_message_cb, self);
  return self;
}

void
crier_cluster_start (CrierCluster *self)
{
  g_return_if_fail (self != NULL);
  crier_redis_start (self->commands);
  crier_redis_start (self->bus);
  if (self->heartbeat == NULL)
    {
      self->heartbeat = g_timeout_source_new (self->settings.heartbeat_interval);
      g_source_set_callback (self->heartbeat, heartbeat_timer_cb, self, NULL);
      g_source_attach (self->heartbeat, self->context);
    }
}

/* A clean stop: the heartbeat key goes at once, so the next heartbeat of any other node
 * reaps this node (its members and channels leave with their frames and webhooks, exactly
 * once) instead of after node-timeout. The node stays in the set until then: a share it
 * took out itself while its clients still close would race their own unsubscribes. */
void
crier_cluster_leave (CrierCluster *self)
{
  g_return_if_fail (self != NULL);
  if (self->heartbeat != NULL)
    g_source_destroy (self->heartbeat);
  g_clear_pointer (&self->heartbeat, g_source_unref);
  if (crier_redis_is_ready (self->commands))
    {
      g_autofree char *alive = g_strconcat (self->key_base, "alive:", self->node_id, NULL);
      const char      *del[] = { "DEL", alive };

      crier_redis_command (self->commands, NULL, NULL, 2, del, NULL);
    }
}

void
crier_cluster_free (CrierCluster *self)
{
  if (self == NULL)
    return;
  if (self->heartbeat != NULL)
    g_source_destroy (self->heartbeat);
  g_clear_pointer (&self->heartbeat, g_source_unref);
  {
    GHashTableIter iter;
    GSource       *source;

    g_hash_table_iter_init (&iter, self->waits);
    while (g_hash_table_iter_next (&iter, (gpointer *) &source, NULL))
      {
        g_source_destroy (source);
        g_source_unref (source);
      }
    g_hash_table_unref (self->waits);
  }
  g_clear_pointer (&self->bus, crier_redis_free);
  g_clear_pointer (&self->commands, crier_redis_free);
  /* After the connections: freeing them answers the reads on their way (with NULL). */
  g_hash_table_unref (self->views);
  crier_redis_address_free (self->address);
  g_hash_table_unref (self->counted);
  g_free (self->prefix);
  g_free (self->heartbeat_token);
  g_main_context_unref (self->context);
  g_free (self->node_id);
  g_free (self->bus_channel);
  g_free (self->key_base);
  g_free (self->nodes_key);
  g_free (self);
}

const char *
crier_cluster_get_node_id (CrierCluster *self)
{
  return self != NULL ? self->node_id : NULL;
}

unsigned
crier_cluster_count_nodes (CrierCluster *self)
{
  return self != NULL && crier_redis_is_ready (self->commands) ? self->nodes : 0;
}

gboolean
crier_cluster_is_redis_connected (CrierCluster *self)
{
  return self != NULL && crier_redis_is_ready (self->commands) && crier_redis_is_ready (self->bus);
}
