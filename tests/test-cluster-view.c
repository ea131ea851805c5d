/* test-cluster-view.c — what the dashboards see of a cluster (issue 14 item 5): the node's
 * state (CrierClusterInfo, its JSON), the cluster-wide channels and members of the view
 * read from Redis, the "cluster" monitor events, Redis lost and back
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-test-utils.h"

#define APP_CONFIG                                                                             \
  "[app:" CRIER_TEST_APP_ID "]\nkey = " CRIER_TEST_APP_KEY "\nsecret = " CRIER_TEST_APP_SECRET \
  "\n"

static char *
cluster_config (CrierTestRedis *redis)
{
  return g_strdup_printf (APP_CONFIG "[cluster]\nredis = %s\nprefix = view\n"
                                     "heartbeat-interval = 100\nnode-timeout = 5000\n",
                          redis->url);
}

static void
test_info_json (void)
{
  CrierClusterInfo info = { "00ff00ff00ff00ff", 3, TRUE, "unix:///run/r.sock", "eu" };
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (CrierClusterInfo) back = NULL;
  g_autoptr (CrierClusterInfo) odd = NULL;
  g_autoptr (JsonObject) no_id = crier_test_parse_object ("{\"nodes\":2}");
  g_autoptr (JsonObject) wrong = crier_test_parse_object ("{\"node_id\":\"a\",\"nodes\":\"3\","
                                                          "\"redis_connected\":\"yes\",\"redis\":[1]}");
  g_autoptr (CrierMonitorEvent) event = crier_monitor_event_new (CRIER_MONITOR_CLUSTER);
  g_autoptr (CrierMonitorEvent) read = NULL;
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  g_autoptr (JsonObject) object = NULL;
  g_autoptr (JsonObject) logged = NULL;

  crier_cluster_info_build_json (&info, builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  object = crier_test_parse_object (text);
  g_assert_cmpstr (json_object_get_string_member (object, "node_id"), ==, "00ff00ff00ff00ff");
  g_assert_cmpint (json_object_get_int_member (object, "nodes"), ==, 3);
  g_assert_true (json_object_get_boolean_member (object, "redis_connected"));
  g_assert_cmpstr (json_object_get_string_member (object, "redis"), ==, "unix:///run/r.sock");
  g_assert_cmpstr (json_object_get_string_member (object, "prefix"), ==, "eu");
  back = crier_cluster_info_new_from_json (object);
  g_assert_nonnull (back);
  g_assert_cmpstr (back->node_id, ==, info.node_id);
  g_assert_cmpuint (back->nodes, ==, 3);
  g_assert_true (back->redis_connected);
  g_assert_cmpstr (back->redis, ==, info.redis);
  g_assert_cmpstr (back->prefix, ==, info.prefix);

  /* Input from another server: no id, no info; members of another type read as absent. */
  g_assert_null (crier_cluster_info_new_from_json (no_id));
  g_assert_null (crier_cluster_info_new_from_json (NULL));
  odd = crier_cluster_info_new_from_json (wrong);
  g_assert_nonnull (odd);
  g_assert_cmpuint (odd->nodes, ==, 0);
  g_assert_false (odd->redis_connected);
  g_assert_null (odd->redis);

  /* A cluster event carries the same object as its details: --log-format=json's line and
   * the monitor stream, read back as it was. */
  event->message = g_strdup ("3 nodes alive (were 2)");
  event->count = 3;
  event->details = g_strdup (text);
  line = crier_monitor_event_to_json (event);
  logged = crier_test_parse_object (line);
  g_assert_cmpstr (json_object_get_string_member (logged, "kind"), ==, "cluster");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (logged, "details"), "node_id"),
                   ==, "00ff00ff00ff00ff");
  read = crier_monitor_event_new_from_json (line, NULL);
  g_assert_nonnull (read);
  g_assert_cmpint (read->kind, ==, CRIER_MONITOR_CLUSTER);
  g_assert_cmpuint (read->count, ==, 3);
  g_assert_cmpstr (read->message, ==, event->message);
}

static gboolean
is_connected (CrierServer *server,
              unsigned     nodes)
{
  g_autoptr (CrierClusterInfo) info = crier_server_dup_cluster_info (server);

  return info != NULL && info->redis_connected && info->nodes == nodes;
}

static gboolean
is_lost (CrierServer *server)
{
  g_autoptr (CrierClusterInfo) info = crier_server_dup_cluster_info (server);

  return info != NULL && !info->redis_connected && info->nodes == 0;
}

/* The channel's cluster-wide subscriptions in @server's view (0: not listed). */
static unsigned
cluster_count (CrierServer *server,
               const char  *channel,
               unsigned    *users)
{
  g_autoptr (GPtrArray) channels = crier_server_dup_cluster_channels (server, CRIER_TEST_APP_ID, NULL);

  for (guint i = 0; channels != NULL && i < channels->len; i++)
    {
      CrierChannelInfo *info = g_ptr_array_index (channels, i);

      if (g_str_equal (info->name, channel))
        {
          if (users != NULL)
            *users = info->user_count;
          return info->subscription_count;
        }
    }
  return 0;
}

static gboolean
has_member (CrierServer *server,
            const char  *channel,
            const char  *user_id)
{
  g_autoptr (GPtrArray) members = crier_server_dup_cluster_members (server, CRIER_TEST_APP_ID, channel);

  for (guint i = 0; members != NULL && i < members->len; i++)
    if (g_str_equal (((CrierMemberInfo *) g_ptr_array_index (members, i))->user_id, user_id))
      return TRUE;
  return FALSE;
}

/* A recorded cluster event of @channel (NULL: the node's own) with count, after @from. */
static CrierMonitorEvent *
find_cluster_event (CrierTestServer *server,
                    const char      *channel,
                    const char      *message_part,
                    int              count, /* -1: any */
                    guint            from)
{
  for (guint i = from; i < server->events->len; i++)
    {
      CrierMonitorEvent *event = g_ptr_array_index (server->events, i);

      if (event->kind == CRIER_MONITOR_CLUSTER && g_strcmp0 (event->channel, channel) == 0 &&
          (count < 0 || event->count == (unsigned) count) &&
          (message_part == NULL || (event->message && strstr (event->message, message_part))))
        return event;
    }
  return NULL;
}

static guint
count_cluster_events (CrierTestServer *server,
                      const char      *message_part)
{
  guint n = 0;

  for (guint i = 0; i < server->events->len; i++)
    {
      CrierMonitorEvent *event = g_ptr_array_index (server->events, i);

      if (event->kind == CRIER_MONITOR_CLUSTER && event->channel == NULL && event->message &&
          strstr (event->message, message_part))
        n++;
    }
  return n;
}

/* A node with no subscriber of its own lists another node's channels and members with the
 * cluster's counts; the HTTP API's single-node fallback stays this node's. */
static void
test_two_nodes (void)
{
  g_autoptr (CrierTestRedis) redis = crier_test_redis_new ();
  g_autofree char *config = NULL;
  g_autoptr (CrierTestServer) a = NULL;
  g_autoptr (CrierTestServer) b = NULL;
  g_autoptr (CrierTestClient) reader = NULL;
  g_autoptr (CrierTestClient) ada = NULL;
  g_autofree char *ada_data = crier_test_member_data ("\"7\"", "Ada");
  g_autoptr (JsonObject) joined = NULL;
  g_autoptr (JsonObject) ada_joined = NULL;
  g_autoptr (GPtrArray) local = NULL;
  g_autoptr (GPtrArray) members = NULL;
  g_autoptr (CrierClusterInfo) info = NULL;
  unsigned users = 0;
  guint    mark;

  if (redis == NULL)
    {
      g_test_skip ("redis-server not found");
      return;
    }
  crier_test_redis_start (redis);
  config = cluster_config (redis);
  a = crier_test_server_new (config);
  b = crier_test_server_new (config);
  crier_test_wait_until (is_connected (a->server, 2) && is_connected (b->server, 2), CRIER_TEST_TIMEOUT);
  info = crier_server_dup_cluster_info (a->server);
  g_assert_cmpstr (info->node_id, ==, crier_server_get_node_id (a->server));
  g_assert_cmpstr (info->node_id, !=, crier_server_get_node_id (b->server));
  g_assert_cmpstr (info->redis, ==, redis->url);
  g_assert_cmpstr (info->prefix, ==, "view");
  /* Joining is said once, with the node's state in the details. */
  crier_test_wait_until (find_cluster_event (a, NULL, "joined the cluster", -1, 0) != NULL, CRIER_TEST_TIMEOUT);
  g_assert_cmpuint (count_cluster_events (a, "joined the cluster"), ==, 1);
  g_assert_nonnull (strstr (find_cluster_event (a, NULL, "joined the cluster", -1, 0)->details,
                            crier_server_get_node_id (a->server)));

  mark = a->events->len;
  reader = crier_test_client_connect (b, CRIER_TEST_APP_KEY);
  joined = crier_test_client_subscribe (reader, "room", NULL, NULL);
  ada = crier_test_client_connect (b, CRIER_TEST_APP_KEY);
  ada_joined = crier_test_client_subscribe_signed (ada, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET, "presence-lobby",
                                                   ada_data);
  crier_test_wait_until (cluster_count (a->server, "room", NULL) == 1, CRIER_TEST_TIMEOUT);
  crier_test_wait_until (find_cluster_event (a, "room", NULL, 1, mark) != NULL, CRIER_TEST_TIMEOUT);
  crier_test_wait_until (has_member (a->server, "presence-lobby", "7"), CRIER_TEST_TIMEOUT);
  g_assert_cmpuint (cluster_count (a->server, "presence-lobby", &users), ==, 1);
  g_assert_cmpuint (users, ==, 1);
  members = crier_server_dup_cluster_members (a->server, CRIER_TEST_APP_ID, "presence-lobby");
  g_assert_cmpuint (members->len, ==, 1);
  g_assert_nonnull (strstr (((CrierMemberInfo *) g_ptr_array_index (members, 0))->user_info, "Ada"));
  local = crier_server_dup_channels (a->server, CRIER_TEST_APP_ID, NULL);
  g_assert_cmpuint (local->len, ==, 0);

  /* The last subscriber anywhere left: gone from the view, said with count 0. */
  mark = a->events->len;
  crier_test_client_free (g_steal_pointer (&reader));
  crier_test_wait_until (find_cluster_event (a, "room", NULL, 0, mark) != NULL, CRIER_TEST_TIMEOUT);
  g_assert_cmpuint (cluster_count (a->server, "room", NULL), ==, 0);
  g_assert_cmpuint (cluster_count (a->server, "presence-lobby", NULL), ==, 1);
}

/* Redis lost: said once, the view falls back to this node; back: said once, counted again. */
static void
test_redis_lost (void)
{
  g_autoptr (CrierTestRedis) redis = crier_test_redis_new ();
  g_autofree char *config = NULL;
  g_autoptr (CrierTestServer) a = NULL;
  g_autoptr (CrierTestClient) reader = NULL;
  g_autoptr (JsonObject) joined = NULL;
  CrierMonitorEvent *lost;
  guint              back;

  if (redis == NULL)
    {
      g_test_skip ("redis-server not found");
      return;
    }
  crier_test_redis_start (redis);
  config = cluster_config (redis);
  a = crier_test_server_new (config);
  crier_test_wait_until (is_connected (a->server, 1), CRIER_TEST_TIMEOUT);
  reader = crier_test_client_connect (a, CRIER_TEST_APP_KEY);
  joined = crier_test_client_subscribe (reader, "room", NULL, NULL);
  crier_test_wait_until (find_cluster_event (a, "room", NULL, 1, 0) != NULL, CRIER_TEST_TIMEOUT);

  crier_test_redis_stop (redis);
  crier_test_wait_until (is_lost (a->server), CRIER_TEST_TIMEOUT);
  crier_test_wait_until ((lost = find_cluster_event (a, NULL, "unreachable", 0, 0)) != NULL, CRIER_TEST_TIMEOUT);
  g_assert_nonnull (strstr (lost->details, "\"redis_connected\":false"));
  /* This node's own subscriber still counts. */
  g_assert_cmpuint (cluster_count (a->server, "room", NULL), ==, 1);

  back = a->events->len;
  crier_test_redis_start (redis);
  /* The node retries with back-off (up to 5 s between attempts). */
  crier_test_wait_until (is_connected (a->server, 1), 15);
  crier_test_wait_until (find_cluster_event (a, NULL, "is back", -1, 0) != NULL, CRIER_TEST_TIMEOUT);
  /* Resynchronised: the view reads the subscription back from Redis, and says so. */
  crier_test_wait_until (find_cluster_event (a, "room", NULL, 1, back) != NULL, CRIER_TEST_TIMEOUT);
  g_assert_cmpuint (cluster_count (a->server, "room", NULL), ==, 1);
  g_assert_cmpuint (count_cluster_events (a, "unreachable"), ==, 1);
  g_assert_cmpuint (count_cluster_events (a, "is back"), ==, 1);
}

/* Without [cluster]: no info, no events, the dashboards' view is the node's own. */
static void
test_no_cluster (void)
{
  g_autoptr (CrierTestServer) a = crier_test_server_new (APP_CONFIG);
  g_autoptr (CrierTestClient) reader = crier_test_client_connect (a, CRIER_TEST_APP_KEY);
  g_autoptr (JsonObject) joined = crier_test_client_subscribe (reader, "room", NULL, NULL);

  g_assert_null (crier_server_dup_cluster_info (a->server));
  g_assert_cmpuint (cluster_count (a->server, "room", NULL), ==, 1);
  g_assert_null (find_cluster_event (a, NULL, NULL, -1, 0));
  g_assert_null (find_cluster_event (a, "room", NULL, -1, 0));
}

/* The cluster area's own log lines (Redis lost, back) are what the redis-lost test causes:
 * not printed, and not fatal as GTest makes warnings. */
static GLogWriterOutput
quiet_cluster_writer (GLogLevelFlags   level,
                      const GLogField *fields,
                      gsize            n_fields,
                      gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN") && fields[i].length == -1 &&
        g_str_equal (fields[i].value, "crier-cluster"))
      return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (quiet_cluster_writer, NULL, NULL);
  g_test_add_func ("/cluster-view/info-json", test_info_json);
  g_test_add_func ("/cluster-view/no-cluster", test_no_cluster);
  g_test_add_func ("/cluster-view/two-nodes", test_two_nodes);
  g_test_add_func ("/cluster-view/redis-lost", test_redis_lost);
  return g_test_run ();
}
