/* test-window.c — the window under Xvfb: actions drive the real server and the models
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-apps-page.h"
#include "crier-log-page.h"
#include "crier-send-page.h"
#include "crier-test-utils.h"

#define TEST_CONFIG                                                                  \
  "[app:" CRIER_TEST_APP_ID "]\nkey=" CRIER_TEST_APP_KEY "\nsecret=" CRIER_TEST_APP_SECRET "\n"
#include "crier-window.h"

static gboolean
log_has (CrierWindow     *win,
         CrierMonitorKind kind,
         const char      *channel)
{
  GListModel *log = G_LIST_MODEL (crier_window_get_event_log (win));

  for (guint i = 0; i < g_list_model_get_n_items (log); i++)
    {
      g_autoptr (CrierEventItem) item = g_list_model_get_item (log, i);
      const CrierMonitorEvent *event = crier_event_item_get_event (item);

      if (event->kind == kind && g_strcmp0 (event->channel, channel) == 0)
        return TRUE;
    }
  return FALSE;
}

static CrierWindow *
open_window (CrierTestServer *server)
{
  CrierWindow *win = crier_window_new (NULL);

  crier_window_set_server (win, server->server);
  gtk_window_present (GTK_WINDOW (win));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  return win;
}

static void
close_window (CrierWindow *win)
{
  g_object_ref (win);
  gtk_window_destroy (GTK_WINDOW (win));
  crier_test_drain ();
  g_assert_finalize_object (win);
}

/* A client connects and subscribes; the views show it; the send form reaches it. */
static void
test_send_event (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (TEST_CONFIG);
  CrierWindow *win = open_window (server);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autoptr (JsonObject) reply = crier_test_client_subscribe (client, "orders", NULL, NULL);
  g_autoptr (JsonObject) message = NULL;
  g_autoptr (JsonObject) data = NULL;
  GtkWidget *send = crier_window_get_page (win, "send");

  crier_test_wait_until (g_list_model_get_n_items (G_LIST_MODEL (crier_window_get_connections (win))) == 1,
                         CRIER_TEST_TIMEOUT);
  crier_test_wait_until (crier_channel_list_find (crier_window_get_channels (win), CRIER_TEST_APP_ID, "orders") != NULL,
                         CRIER_TEST_TIMEOUT);
  g_assert_nonnull (crier_connection_list_find (crier_window_get_connections (win), client->socket_id));

  /* The form's defaults: channel orders, App\Events\OrderShipped, {"order_id": 42, …}. */
  g_assert_true (gtk_widget_activate_action (send, "send.event", NULL));
  message = crier_test_client_expect (client, "App\\Events\\OrderShipped", "orders");
  data = crier_test_dup_data_object (message);
  g_assert_cmpint (json_object_get_int_member (data, "order_id"), ==, 42);
  g_assert_cmpuint (g_list_model_get_n_items (crier_send_page_get_recent (CRIER_SEND_PAGE (send))), ==, 1);
  crier_window_flush (win);
  g_assert_true (log_has (win, CRIER_MONITOR_EVENT_PUBLISHED, "orders"));
  g_assert_cmpuint (crier_channel_item_get_events (crier_channel_list_find (crier_window_get_channels (win),
                                                                          CRIER_TEST_APP_ID, "orders")), ==, 1);

  /* Send again from the recent list: the same event once more. */
  g_assert_true (gtk_widget_activate_action (send, "send.resend", "u", 0));
  g_clear_pointer (&message, json_object_unref);
  message = crier_test_client_expect (client, "App\\Events\\OrderShipped", "orders");

  /* Ctrl+L and the log.clear action reach the same code. */
  crier_window_flush (win);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (crier_window_get_event_log (win))), >, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.clear-log", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (crier_window_get_event_log (win))), ==, 0);
  close_window (win);
}

static void
test_send_notification (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (TEST_CONFIG);
  CrierWindow *win = open_window (server);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autofree char *auth = crier_test_channel_auth (CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET, client->socket_id,
                                                   "private-App.Models.User.1", NULL);
  g_autoptr (JsonObject) reply = crier_test_client_subscribe (client, "private-App.Models.User.1", auth, NULL);
  g_autoptr (JsonObject) message = NULL;
  g_autoptr (JsonObject) data = NULL;
  GtkWidget *send = crier_window_get_page (win, "send");

  g_assert_true (gtk_widget_activate_action (send, "send.notification", NULL));
  message = crier_test_client_expect (client, "Illuminate\\Notifications\\Events\\BroadcastNotificationCreated",
                                      "private-App.Models.User.1");
  data = crier_test_dup_data_object (message);
  g_assert_cmpint (json_object_get_int_member (data, "invoice_id"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (data, "type"), ==, "App\\Notifications\\InvoicePaid");
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (data, "id")));
  close_window (win);
}

static void
test_presence_suggestions (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (TEST_CONFIG);
  CrierWindow *win = open_window (server);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  const char *channel_data = "{\"user_id\":\"42\",\"user_info\":{\"name\":\"Ada\"}}";
  g_autofree char *auth = crier_test_channel_auth (CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET, client->socket_id,
                                                   "presence-room", channel_data);
  g_autoptr (JsonObject) reply = crier_test_client_subscribe (client, "presence-room", auth, channel_data);
  CrierChannelItem *item = NULL;
  GListModel *users;

  crier_test_wait_until ((item = crier_channel_list_find (crier_window_get_channels (win), CRIER_TEST_APP_ID,
                                                          "presence-room")) != NULL &&
                           g_list_model_get_n_items (crier_channel_item_get_members (item)) == 1,
                         CRIER_TEST_TIMEOUT);
  users = crier_send_page_get_user_suggestions (CRIER_SEND_PAGE (crier_window_get_page (win, "send")));
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 1);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (users), 0), ==, "42");

  /* Channels → event log filter. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.filter-channel", "(ss)",
                                             CRIER_TEST_APP_ID, "presence-room"));
  crier_window_flush (win);
  {
    GListModel *filtered = crier_log_page_get_filtered (CRIER_LOG_PAGE (crier_window_get_page (win, "log")));

    crier_test_wait_until (g_list_model_get_n_items (filtered) > 0, CRIER_TEST_TIMEOUT);
    for (guint i = 0; i < g_list_model_get_n_items (filtered); i++)
      {
        g_autoptr (CrierEventItem) event = g_list_model_get_item (filtered, i);

        g_assert_cmpstr (crier_event_item_get_event (event)->channel, ==, "presence-room");
      }
  }
  close_window (win);
}

static void
test_credentials (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (TEST_CONFIG);
  CrierWindow *win = open_window (server);
  GtkWidget *apps = crier_window_get_page (win, "apps");
  g_autofree char *env = crier_apps_page_dup_env (CRIER_APPS_PAGE (apps));
  g_autofree char *expected = g_strdup_printf ("PUSHER_PORT=%u\n", server->port);
  gboolean reveal = TRUE;

  g_assert_nonnull (strstr (env, "PUSHER_APP_KEY=" CRIER_TEST_APP_KEY "\n"));
  g_assert_nonnull (strstr (env, expected));
  g_object_get (apps, "reveal-secret", &reveal, NULL);
  g_assert_false (reveal); /* hidden until revealed */
  g_assert_true (gtk_widget_activate_action (apps, "apps.reveal-secret", NULL));
  g_object_get (apps, "reveal-secret", &reveal, NULL);
  g_assert_true (reveal);
  g_assert_true (gtk_widget_activate_action (apps, "apps.broadcaster", "s", "reverb"));
  g_clear_pointer (&env, g_free);
  env = crier_apps_page_dup_env (CRIER_APPS_PAGE (apps));
  g_assert_nonnull (strstr (env, "REVERB_APP_SECRET=" CRIER_TEST_APP_SECRET "\n"));
  g_assert_true (gtk_widget_activate_action (apps, "apps.copy-env", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-page", "s", "stats"));
  close_window (win);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/window/send-event", test_send_event);
  g_test_add_func ("/window/send-notification", test_send_notification);
  g_test_add_func ("/window/presence-suggestions", test_presence_suggestions);
  g_test_add_func ("/window/credentials", test_credentials);
  return g_test_run ();
}
