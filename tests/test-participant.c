/* test-participant.c — the dashboard joins in: simulated presence members, client events
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-test-utils.h"

#define CONFIG "[app:p]\nkey=p-key\nsecret=p-secret\n"

static CrierTestClient *
join (CrierTestServer *server,
      const char      *channel,
      const char      *user_id)
{
  CrierTestClient          *client = crier_test_client_connect (server, "p-key");
  g_autofree char          *data = g_strdup_printf ("{\"user_id\":\"%s\"}", user_id);
  g_autoptr (JsonObject) ok G_GNUC_UNUSED = crier_test_client_subscribe_signed (client, "p-key", "p-secret", channel, data);

  return client;
}

static void
test_simulated_member (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autoptr (CrierTestClient) client = join (server, "presence-room", "1");
  g_autoptr (CrierTestClient) late = NULL;
  g_autoptr (JsonObject) added = NULL;
  g_autoptr (JsonObject) data = NULL;
  g_autoptr (JsonObject) removed = NULL;
  g_autoptr (GPtrArray) members = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (crier_server_add_simulated_member (server->server, "p", "presence-room", "bot",
                                                    "{\"name\":\"Bot\"}", &error));
  g_assert_no_error (error);
  added = crier_test_client_expect (client, "pusher_internal:member_added", "presence-room");
  data = crier_test_dup_data_object (added);
  g_assert_cmpstr (json_object_get_string_member (data, "user_id"), ==, "bot");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (data, "user_info"), "name"), ==, "Bot");
  members = crier_server_dup_members (server->server, "p", "presence-room");
  g_assert_cmpuint (members->len, ==, 2);
  for (guint i = 0; i < members->len; i++)
    {
      CrierMemberInfo *member = g_ptr_array_index (members, i);

      g_assert_cmpint (member->simulated, ==, g_str_equal (member->user_id, "bot"));
    }

  /* A later subscriber sees the simulated member in its list. */
  late = crier_test_client_connect (server, "p-key");
  {
    g_autofree char *auth = crier_test_channel_auth ("p-key", "p-secret", late->socket_id,
                                                     "presence-room", "{\"user_id\":\"2\"}");
    g_autoptr (JsonObject) ok = crier_test_client_subscribe (late, "presence-room", auth,
                                                             "{\"user_id\":\"2\"}");
    g_autoptr (JsonObject) list = crier_test_dup_data_object (ok);

    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (list, "presence"), "count"), ==, 3);
  }

  g_assert_false (crier_server_add_simulated_member (server->server, "p", "presence-room", "bot",
                                                     NULL, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (crier_server_remove_simulated_member (server->server, "p", "presence-room", "bot",
                                                       &error));
  g_assert_no_error (error);
  {
    g_autoptr (JsonObject) joined G_GNUC_UNUSED = crier_test_client_expect (client, "pusher_internal:member_added",
                                                                            "presence-room");
  }
  removed = crier_test_client_expect (client, "pusher_internal:member_removed", "presence-room");
  g_clear_pointer (&data, json_object_unref);
  data = crier_test_dup_data_object (removed);
  g_assert_cmpstr (json_object_get_string_member (data, "user_id"), ==, "bot");
  g_assert_cmpuint (crier_test_server_count_events (server, CRIER_MONITOR_MEMBER_REMOVED, "presence-room"), ==, 1);

  g_assert_false (crier_server_remove_simulated_member (server->server, "p", "presence-room", "1",
                                                        &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (crier_server_add_simulated_member (server->server, "p", "private-x", "bot",
                                                     NULL, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID);
}

static void
test_simulated_member_without_subscribers (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autoptr (CrierTestClient) client = NULL;
  g_autoptr (GError) error = NULL;

  /* The member is there before anyone subscribes, and survives the server's sweep. */
  g_assert_true (crier_server_add_simulated_member (server->server, "p", "presence-lobby", "bot",
                                                    NULL, &error));
  client = join (server, "presence-lobby", "7");
  {
    g_autoptr (GPtrArray) members = crier_server_dup_members (server->server, "p", "presence-lobby");

    g_assert_cmpuint (members->len, ==, 2);
  }
}

static void
test_client_event (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autoptr (CrierTestClient) client = join (server, "presence-room", "1");
  g_autoptr (JsonObject) whisper = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (crier_server_send_client_event (server->server, "p", "presence-room",
                                                 "client-typing", "{\"name\":\"Crier\"}", "bot",
                                                 &error));
  g_assert_no_error (error);
  whisper = crier_test_client_expect (client, "client-typing", "presence-room");
  g_assert_cmpstr (json_object_get_string_member (whisper, "data"), ==, "{\"name\":\"Crier\"}");
  g_assert_cmpstr (json_object_get_string_member (whisper, "user_id"), ==, "bot");

  g_assert_false (crier_server_send_client_event (server->server, "p", "public", "client-x", "{}",
                                                  NULL, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (crier_server_send_client_event (server->server, "p", "private-a", "typing", "{}",
                                                  NULL, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/participant/simulated-member", test_simulated_member);
  g_test_add_func ("/participant/simulated-member-alone", test_simulated_member_without_subscribers);
  g_test_add_func ("/participant/client-event", test_client_event);
  return g_test_run ();
}
