/* crier-cluster.c — a node of a Crier cluster: fan-out of frames through Redis pub/sub,
 * heartbeats and the set of live nodes (docs/architecture.md §7)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-cluster"

#include "config.h"

#include "crier-cluster.h"

#include <string.h>

#include "crier-redis.h"
#include "crier-server-private.h"

/* One pub/sub message: a header of newline-separated fields, then the frame exactly as the
 * publishing node serialised it (no field can hold a newline: node ids are hex, app ids come
 * from a key file, socket ids are digits, channel names are checked).
 *   P\n<node>\n<app>\n<except socket or empty>\n<channel>\n<frame>
 *   T\n<node>\n<app>\n<user id>\n                  (terminate_connections, §12.3) */
#define MESSAGE_PUBLICATION 'P'
#define MESSAGE_TERMINATE   'T'

/* The heartbeat, atomic: refresh this node's TTL key and its place in the node set, then
 * forget every registered node whose key has expired. SREM of a dead node is the idempotent
 * reap step (exactly one caller removes it); a reaped node leaves a tombstone, so a node
 * that hung past its timeout learns it was declared dead (-1) and rejoins under a new id,
 * while a Redis that merely restarted (no tombstone) is re-populated. Keys are passed in
 * KEYS where their names are fixed; per-node keys are built from ARGV[1].
 * KEYS[1] node set; ARGV: key base, my id, timeout ms, tombstone TTL ms.
 * Returns {alive, reaped id…} or {-1}. */
static const char heartbeat_script[] =
  "local nodes, base, me, ttl = KEYS[1], ARGV[1], ARGV[2], ARGV[3]\n"
  "if redis.call('EXISTS', base .. 'dead:' .. me) == 1 then return {-1} end\n"
  "redis.call('SADD', nodes, me)\n"
  "redis.call('SET', base .. 'alive:' .. me, '1', 'PX', ttl)\n"
  "local out = {0}\n"
  "for _, id in ipairs(redis.call('SMEMBERS', nodes)) do\n"
  "  if redis.call('EXISTS', base .. 'alive:' .. id) == 1 then out[1] = out[1] + 1\n"
  "  elseif redis.call('SREM', nodes, id) == 1 then\n"
  "    redis.call('SET', base .. 'dead:' .. id, '1', 'PX', ARGV[4])\n"
  "    out[#out + 1] = id\n"
  "  end\n"
  "end\n"
  "return out\n";

struct _CrierCluster
{
  CrierServer       *server; /* owns us */
  CrierClusterSettings settings;
  CrierRedisAddress *address;
  GMainContext      *context;
  CrierRedis        *commands;
  CrierRedis        *bus;
  char              *node_id;
  char              *bus_channel;
  char              *key_base; /* "<prefix>:node:" */
  char              *nodes_key;
  GSource           *heartbeat;
  unsigned           nodes; /* alive at the last heartbeat */
  gboolean           heartbeat_pending;
};

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

static void
heartbeat_cb (CrierRedis *redis,
              redisReply *reply,
              gpointer    user_data)
{
  CrierCluster *self = user_data;

  self->heartbeat_pending = FALSE;
  if (reply == NULL)
    return;
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 1 ||
      reply->element[0]->type != REDIS_REPLY_INTEGER)
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
      crier_server_close_all (self->server, CRIER_CODE_RECONNECT,
                              "Node rejoined the cluster: reconnect");
      heartbeat_now (self);
      return;
    }
  self->nodes = (unsigned) reply->element[0]->integer;
  for (size_t i = 1; i < reply->elements; i++)
    if (reply->element[i]->type == REDIS_REPLY_STRING)
      g_message ("cluster node %s stopped sending heartbeats: removed", reply->element[i]->str);
}

static void
heartbeat_now (CrierCluster *self)
{
  g_autofree char *timeout = g_strdup_printf ("%u", self->settings.node_timeout);
  g_autofree char *tombstone = g_strdup_printf ("%u", MAX (self->settings.node_timeout * 10,
                                                            3600000u));
  const char      *argv[] = { "EVAL", heartbeat_script, "1", self->nodes_key, self->key_base,
                              self->node_id, timeout, tombstone };

  if (self->heartbeat_pending)
    return;
  if (crier_redis_command (self->commands, heartbeat_cb, self, G_N_ELEMENTS (argv), argv, NULL))
    self->heartbeat_pending = TRUE;
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
  if (ready)
    heartbeat_now (self); /* (re)joins at once: after a Redis restart this resynchronises */
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

/* A clean stop leaves the node set at once rather than after node-timeout; the server's
 * loop still runs (closing handshakes) and sends it. */
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
      const char      *srem[] = { "SREM", self->nodes_key, self->node_id };

      crier_redis_command (self->commands, NULL, NULL, 2, del, NULL);
      crier_redis_command (self->commands, NULL, NULL, 3, srem, NULL);
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
  g_clear_pointer (&self->bus, crier_redis_free);
  g_clear_pointer (&self->commands, crier_redis_free);
  crier_redis_address_free (self->address);
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
