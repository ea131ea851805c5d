/* test-query.c — the snapshot queries (channels, members, connections), disconnecting and
 * terminating a user, on a server with real clients (pusher-protocol.md §12.3, §14)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-names.h"
#include "crier-test-utils.h"

#define KEY    CRIER_TEST_APP_KEY
#define SECRET CRIER_TEST_APP_SECRET
#define APP    CRIER_TEST_APP_ID

/* Queries */

static void
test_query_channels (CrierTestFixture *f,
                     gconstpointer     data)
{
  const char *names[] = { "zeta", "presence-b", "alpha", "private-c", "presence-a", "mid", "beta",
                          "cache-x", "orders", "gamma" };
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) other = crier_test_client_connect (f->server, KEY);
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) presence = NULL;
  g_autoptr (GString) order = g_string_new (NULL);
  gboolean sorted = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (JsonObject) ok = NULL;

      if (g_str_has_prefix (names[i], "presence-"))
        {
          g_autofree char *channel_data = crier_test_member_data ("\"u\"", "U");

          ok = crier_test_client_subscribe_signed (client, KEY, SECRET, names[i], channel_data);
        }
      else if (g_str_has_prefix (names[i], "private-"))
        ok = crier_test_client_subscribe_signed (client, KEY, SECRET, names[i], NULL);
      else
        crier_test_client_subscribe_any (client, KEY, SECRET, names[i]);
    }
  {
    g_autoptr (JsonObject) ok G_GNUC_UNUSED = crier_test_client_subscribe (other, "orders", NULL, NULL);
  }
  /* A cached channel without subscribers is not listed: only occupied ones (§14.5). */
  crier_test_publish (f->server, "cache-empty", "e", "{}", NULL);

  all = crier_server_dup_channels (f->server->server, APP, NULL);
  g_assert_cmpuint (all->len, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < all->len; i++)
    {
      CrierChannelInfo *info = g_ptr_array_index (all, i);

      g_string_append_printf (order, "%s%s", i > 0 ? " " : "", info->name);
      if (i > 0 && strcmp (((CrierChannelInfo *) g_ptr_array_index (all, i - 1))->name, info->name) >= 0)
        sorted = FALSE;
      g_assert_cmpuint (info->type, ==, crier_channel_type_from_name (info->name));
      g_assert_cmpuint (info->subscription_count, ==, g_str_equal (info->name, "orders") ? 2 : 1);
      g_assert_cmpuint (info->user_count, ==, g_str_has_prefix (info->name, "presence-") ? 1 : 0);
    }
  /* Sorted by name, as crier_server_dup_channels () documents; reported without stopping
   * the rest of the checks. */
  if (!sorted)
    g_test_fail_printf ("crier_server_dup_channels () is documented as sorted by name, got: %s",
                        order->str);
  presence = crier_server_dup_channels (f->server->server, APP, "presence-");
  g_assert_cmpuint (presence->len, ==, 2);
  g_assert_null (crier_server_dup_channels (f->server->server, "nope", NULL));
}

static void
test_query_channel (CrierTestFixture *f,
                    gconstpointer     data)
{
  g_autoptr (CrierTestClient) a = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) b = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) c = crier_test_client_connect (f->server, KEY);
  g_autofree char            *one = crier_test_member_data ("\"1\"", "One");
  g_autoptr (JsonObject) ok_a G_GNUC_UNUSED = crier_test_client_subscribe_signed (
    a, KEY, SECRET, "presence-q", one);
  g_autoptr (JsonObject) ok_b G_GNUC_UNUSED = crier_test_client_subscribe_signed (
    b, KEY, SECRET, "presence-q", one);
  g_autoptr (JsonObject) ok_c = NULL;
  g_autoptr (CrierChannelInfo) presence = NULL;
  g_autoptr (CrierChannelInfo) empty = NULL;
  g_autoptr (CrierChannelInfo) cache = NULL;

  {
    g_autofree char *two = crier_test_member_data ("\"2\"", "Two");

    ok_c = crier_test_client_subscribe_signed (c, KEY, SECRET, "presence-q", two);
  }
  presence = crier_server_dup_channel (f->server->server, APP, "presence-q");
  g_assert_nonnull (presence);
  g_assert_cmpstr (presence->name, ==, "presence-q");
  g_assert_cmpuint (presence->type, ==, CRIER_CHANNEL_PRESENCE);
  g_assert_cmpuint (presence->subscription_count, ==, 3);
  g_assert_cmpuint (presence->user_count, ==, 2);
  g_assert_false (presence->has_cache);

  empty = crier_server_dup_channel (f->server->server, APP, "nobody-here");
  g_assert_nonnull (empty);
  g_assert_cmpuint (empty->subscription_count, ==, 0);
  g_assert_cmpuint (empty->user_count, ==, 0);

  crier_test_publish (f->server, "cache-q", "e", "{\"v\":1}", NULL);
  cache = crier_server_dup_channel (f->server->server, APP, "cache-q");
  g_assert_true (cache->has_cache);
  g_assert_cmpstr (cache->cached_data, ==, "{\"v\":1}");
  g_assert_cmpuint (cache->cache_ttl, >, 0);
  g_assert_cmpuint (cache->cache_ttl, <=, 1800);
  g_assert_cmpuint (cache->subscription_count, ==, 0);
  g_assert_null (crier_server_dup_channel (f->server->server, "nope", "x"));
}

static void
test_query_members (CrierTestFixture *f,
                    gconstpointer     data)
{
  g_autoptr (CrierTestClient) a = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) b = crier_test_client_connect (f->server, KEY);
  g_autofree char            *one = crier_test_member_data ("\"1\"", "One");
  g_autoptr (JsonObject) ok_a G_GNUC_UNUSED = crier_test_client_subscribe_signed (
    a, KEY, SECRET, "presence-m", one);
  g_autoptr (JsonObject) ok_b = NULL;
  g_autoptr (JsonObject) presence_b = NULL;
  g_autoptr (GPtrArray) members = NULL;
  g_autoptr (GPtrArray) none = NULL;
  JsonObject *hash;

  /* A member without user_info shows as null in the hash (§7.3). */
  ok_b = crier_test_client_subscribe_signed (b, KEY, SECRET, "presence-m", "{\"user_id\":\"2\"}");
  presence_b = crier_test_dup_data_object (ok_b);
  hash = json_object_get_object_member (json_object_get_object_member (presence_b, "presence"), "hash");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (hash, "2")));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (hash, "1")));

  members = crier_server_dup_members (f->server->server, APP, "presence-m");
  g_assert_cmpuint (members->len, ==, 2);
  for (guint i = 0; i < members->len; i++)
    {
      CrierMemberInfo *member = g_ptr_array_index (members, i);

      if (g_str_equal (member->user_id, "1"))
        g_assert_cmpstr (member->user_info, ==, "{\"name\":\"One\"}");
      else
        {
          g_assert_cmpstr (member->user_id, ==, "2");
          g_assert_null (member->user_info);
        }
    }
  {
    /* Without a sign-in, a connection is known by the member it joined as. */
    g_autoptr (GPtrArray) connections = crier_server_dup_connections (f->server->server, APP);

    g_assert_cmpuint (connections->len, ==, 2);
    for (guint i = 0; i < connections->len; i++)
      {
        CrierConnectionInfo *info = g_ptr_array_index (connections, i);

        g_assert_cmpstr (info->user_id, ==, g_str_equal (info->socket_id, a->socket_id) ? "1" : "2");
      }
  }
  none = crier_server_dup_members (f->server->server, APP, "presence-nobody");
  g_assert_nonnull (none);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_null (crier_server_dup_members (f->server->server, "nope", "presence-m"));
}

static void
test_query_connections (CrierTestFixture *f,
                        gconstpointer     data)
{
  g_autoptr (CrierTestClient) a = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) b G_GNUC_UNUSED = crier_test_client_connect (f->server, "members-key");
  g_autoptr (JsonObject) ok     G_GNUC_UNUSED = crier_test_client_subscribe (a, "orders", NULL, NULL);
  g_autoptr (JsonObject) ok2    G_GNUC_UNUSED = crier_test_client_subscribe (a, "audit", NULL, NULL);
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) mine = NULL;
  CrierConnectionInfo *info;

  crier_test_client_sign_in (a, "{\"id\":\"u1\"}");
  all = crier_server_dup_connections (f->server->server, NULL);
  g_assert_cmpuint (all->len, ==, 2);
  mine = crier_server_dup_connections (f->server->server, APP);
  g_assert_cmpuint (mine->len, ==, 1);
  info = g_ptr_array_index (mine, 0);
  g_assert_cmpstr (info->socket_id, ==, a->socket_id);
  g_assert_cmpstr (info->app_id, ==, APP);
  g_assert_cmpstr (info->user_id, ==, "u1");
  g_assert_true (g_str_has_prefix (info->remote, "127.0.0.1:"));
  g_assert_cmpuint (g_strv_length (info->channels), ==, 2);
  g_assert_true (g_strv_contains ((const char *const *) info->channels, "orders"));
  g_assert_true (g_strv_contains ((const char *const *) info->channels, "audit"));
  g_assert_cmpuint (info->messages_in, >=, 3);
  g_assert_cmpuint (info->messages_out, >=, 4);
  g_assert_cmpint (info->connected_at, >, 0);
}

static void
test_query_disconnect (CrierTestFixture *f,
                       gconstpointer     data)
{
  g_autoptr (CrierTestClient) a = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) b = crier_test_client_connect (f->server, KEY);

  g_assert_true (crier_server_disconnect (f->server->server, a->socket_id, 4100, "Over capacity"));
  crier_test_client_wait_closed (a);
  g_assert_cmpuint (a->close_code, ==, 4100);
  g_assert_cmpstr (a->close_reason, ==, "Over capacity");
  g_assert_false (crier_server_disconnect (f->server->server, "1.1", 4100, "x"));
  /* Already closing or closed: nothing to do. */
  g_assert_false (crier_server_disconnect (f->server->server, a->socket_id, 4100, "again"));
  crier_test_client_sync (b);
}

static void
test_query_terminate_user (CrierTestFixture *f,
                           gconstpointer     data)
{
  g_autoptr (CrierTestClient) tab1 = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) tab2 = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) other = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) presence_only = crier_test_client_connect (f->server, KEY);
  g_autofree char          *channel_data = crier_test_member_data ("\"u1\"", "Presence");
  g_autoptr (JsonObject) ok G_GNUC_UNUSED = crier_test_client_subscribe_signed (
    presence_only, KEY, SECRET, "presence-t", channel_data);
  g_autofree char *message1 = NULL;
  g_autofree char *message2 = NULL;

  crier_test_client_sign_in (tab1, "{\"id\":\"u1\"}");
  crier_test_client_sign_in (tab2, "{\"id\":\"u1\"}");
  crier_test_client_sign_in (other, "{\"id\":\"u2\"}");
  g_assert_cmpuint (crier_server_terminate_user (f->server->server, APP, "u1"), ==, 2);
  message1 = crier_test_client_expect_error (tab1, 4009);
  message2 = crier_test_client_expect_error (tab2, 4009);
  crier_test_client_wait_closed (tab1);
  crier_test_client_wait_closed (tab2);
  g_assert_cmpuint (tab1->close_code, ==, 4009);
  g_assert_cmpuint (tab2->close_code, ==, 4009);
  /* Only signed-in connections of that user (§12.3). */
  crier_test_client_sync (other);
  crier_test_client_sync (presence_only);
  g_assert_cmpuint (crier_server_terminate_user (f->server->server, APP, "nobody"), ==, 0);
  g_assert_cmpuint (crier_server_terminate_user (f->server->server, "nope", "u2"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  CRIER_TEST_ADD ("/server/query/channels", test_query_channels, NULL);
  CRIER_TEST_ADD ("/server/query/channel", test_query_channel, NULL);
  CRIER_TEST_ADD ("/server/query/members", test_query_members, NULL);
  CRIER_TEST_ADD ("/server/query/connections", test_query_connections, NULL);
  CRIER_TEST_ADD ("/server/query/disconnect", test_query_disconnect, NULL);
  CRIER_TEST_ADD ("/server/query/terminate-user", test_query_terminate_user, NULL);

  return g_test_run ();
}
