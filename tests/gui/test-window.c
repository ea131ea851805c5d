/* test-window.c — the window under Xvfb: actions drive the real server and the models
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "crier-apps-page.h"
#include "crier-channels-page.h"
#include "crier-connections-page.h"
#include "crier-encryption.h"
#include "crier-gui-test-utils.h"
#include "crier-laravel-env.h"
#include "crier-log-page.h"
#include "crier-send-page.h"

#define TEST_CONFIG \
  "[app:" CRIER_TEST_APP_ID "]\nkey=" CRIER_TEST_APP_KEY "\nsecret=" CRIER_TEST_APP_SECRET "\n"
#include "crier-window.h"

/* The last refusal the Channels page's join-in forms show, "" if none. */
static const char *
join_error (CrierChannelsPage *page)
{
  return gtk_label_get_label (GTK_LABEL (crier_gui_test_child (page, CRIER_TYPE_CHANNELS_PAGE, "join_error")));
}

/* The text the log's details pane shows above the JSON: explanation and delivery trace. */
static char *
details_summary (CrierLogPage *page)
{
  g_autofree char *explanation = crier_gui_test_dup_text (page, CRIER_TYPE_LOG_PAGE, "explanation_label");
  g_autofree char *trace = crier_gui_test_dup_text (page, CRIER_TYPE_LOG_PAGE, "trace_label");

  return g_strjoin ("\n", explanation, trace, NULL);
}

static gboolean
log_has (CrierWindow     *win,
         CrierMonitorKind kind,
         const char      *channel)
{
  GListModel *log = G_LIST_MODEL (CRIER_EVENT_LOG (crier_gui_test_model (win, "event-log")));

  for (guint i = 0; i < g_list_model_get_n_items (log); i++)
    {
      g_autoptr (CrierEventItem) item = g_list_model_get_item (log, i);
      const CrierMonitorEvent *event = crier_event_item_get_event (item);

      if (event->kind == kind && g_strcmp0 (event->channel, channel) == 0)
        return TRUE;
    }
  return FALSE;
}

/* A client connects and subscribes; the views show it; the send form reaches it. */
static void
test_send_event (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow *win = crier_gui_test_open_window (server);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autoptr (JsonObject) reply G_GNUC_UNUSED = crier_test_client_subscribe (client, "orders", NULL, NULL);
  g_autoptr (JsonObject) message = NULL;
  g_autoptr (JsonObject) data = NULL;
  GtkWidget *send = crier_gui_test_page (win, "send");

  crier_test_wait_until (g_list_model_get_n_items (G_LIST_MODEL (CRIER_CONNECTION_LIST (crier_gui_test_model (win, "connections")))) == 1,
                         CRIER_TEST_TIMEOUT);
  crier_test_wait_until (crier_channel_list_find (CRIER_CHANNEL_LIST (crier_gui_test_model (win, "channels")), CRIER_TEST_APP_ID, "orders") != NULL,
                         CRIER_TEST_TIMEOUT);
  g_assert_nonnull (crier_connection_list_find (CRIER_CONNECTION_LIST (crier_gui_test_model (win, "connections")), client->socket_id));

  /* The form's defaults: channel orders, App\Events\OrderShipped, {"order_id": 42, …}. */
  g_assert_true (gtk_widget_activate_action (send, "send.event", NULL));
  message = crier_test_client_expect (client, "App\\Events\\OrderShipped", "orders");
  data = crier_test_dup_data_object (message);
  g_assert_cmpint (json_object_get_int_member (data, "order_id"), ==, 42);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (crier_gui_test_child (send, CRIER_TYPE_SEND_PAGE, "recent_model"))), ==, 1);
  crier_gui_test_flush (win);
  g_assert_true (log_has (win, CRIER_MONITOR_EVENT_PUBLISHED, "orders"));
  g_assert_cmpuint (crier_channel_item_get_events (crier_channel_list_find (CRIER_CHANNEL_LIST (crier_gui_test_model (win, "channels")),
                                                                            CRIER_TEST_APP_ID, "orders")),
                    ==, 1);

  /* Send again from the recent list: the same event once more. */
  g_assert_true (gtk_widget_activate_action (send, "send.resend", "u", 0));
  g_clear_pointer (&message, json_object_unref);
  message = crier_test_client_expect (client, "App\\Events\\OrderShipped", "orders");

  /* Ctrl+L and the log.clear action reach the same code. */
  crier_gui_test_flush (win);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (CRIER_EVENT_LOG (crier_gui_test_model (win, "event-log")))), >, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.clear-log", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (CRIER_EVENT_LOG (crier_gui_test_model (win, "event-log")))), ==, 0);
  crier_gui_test_close_window (win);
}

#define MASTER_KEY "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

/* Typed as plaintext, sent sealed with the app's master key to a private-encrypted-
 * channel; an app without a key refuses instead of sending plaintext. */
static void
test_send_encrypted (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (
    TEST_CONFIG "encryption-master-key=" MASTER_KEY "\n[app:plain]\nkey=plain-key\nsecret=plain-secret\n");
  CrierWindow *win = crier_gui_test_open_window (server);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autoptr (JsonObject) reply G_GNUC_UNUSED = crier_test_client_subscribe_signed (client, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET,
                                                                                   "private-encrypted-orders", NULL);
  g_autoptr (JsonObject) message = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *plain = NULL;
  GtkWidget       *send = crier_gui_test_page (win, "send");
  GListModel      *recent = G_LIST_MODEL (crier_gui_test_child (send, CRIER_TYPE_SEND_PAGE, "recent_model"));

  crier_send_page_load_event (CRIER_SEND_PAGE (send), CRIER_TEST_APP_ID, "private-encrypted-orders",
                              "OrderPaid", "{\"secret\":\"café\"}");
  g_assert_true (gtk_widget_activate_action (send, "send.event", NULL));
  message = crier_test_client_expect (client, "OrderPaid", "private-encrypted-orders");
  g_assert_null (strstr (json_object_get_string_member (message, "data"), "caf"));
  plain = crier_encryption_open (MASTER_KEY, "private-encrypted-orders",
                                 json_object_get_string_member (message, "data"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plain, ==, "{\"secret\":\"café\"}");
  g_assert_cmpuint (g_list_model_get_n_items (recent), ==, 1);

  crier_send_page_load_event (CRIER_SEND_PAGE (send), "plain", "private-encrypted-orders", "OrderPaid", "{}");
  g_assert_true (gtk_widget_activate_action (send, "send.event", NULL));
  crier_gui_test_flush (win);
  g_assert_cmpuint (g_list_model_get_n_items (recent), ==, 1); /* refused, not sent */
  crier_gui_test_close_window (win);
}

static void
test_send_notification (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow *win = crier_gui_test_open_window (server);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autoptr (JsonObject) reply G_GNUC_UNUSED = crier_test_client_subscribe_signed (client, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET,
                                                                                   "private-App.Models.User.1", NULL);
  g_autoptr (JsonObject) message = NULL;
  g_autoptr (JsonObject) data = NULL;
  GtkWidget *send = crier_gui_test_page (win, "send");

  g_assert_true (gtk_widget_activate_action (send, "send.notification", NULL));
  message = crier_test_client_expect (client, "Illuminate\\Notifications\\Events\\BroadcastNotificationCreated",
                                      "private-App.Models.User.1");
  data = crier_test_dup_data_object (message);
  g_assert_cmpint (json_object_get_int_member (data, "invoice_id"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (data, "type"), ==, "App\\Notifications\\InvoicePaid");
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (data, "id")));
  crier_test_wait_until (crier_gui_test_shows_text (win, "Notification sent to user 1"), CRIER_TEST_TIMEOUT);
  crier_gui_test_close_window (win);
}

/* A send that reaches nobody says so, and why, instead of "sent". */
static void
test_send_to_nobody (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow *win = crier_gui_test_open_window (server);
  GtkWidget   *send = crier_gui_test_page (win, "send");

  crier_gui_test_set_text (send, CRIER_TYPE_SEND_PAGE, "user_row", "99");
  g_assert_true (gtk_widget_activate_action (send, "send.notification", NULL));
  crier_test_wait_until (crier_gui_test_shows_text (win, "Nobody is subscribed to private-App.Models.User.99 — is Echo listening?"),
                         CRIER_TEST_TIMEOUT);
  g_assert_false (crier_gui_test_shows_text (win, "Notification sent to user 99"));

  crier_gui_test_set_text (send, CRIER_TYPE_SEND_PAGE, "channels_row", "orders");
  g_assert_true (gtk_widget_activate_action (send, "send.event", NULL));
  crier_test_wait_until (crier_gui_test_shows_text (win, "“App\\Events\\OrderShipped” reached nobody: nobody is subscribed to orders"),
                         CRIER_TEST_TIMEOUT);
  crier_gui_test_close_window (win);
}

static void
test_presence_suggestions (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow *win = crier_gui_test_open_window (server);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  const char                  *channel_data = "{\"user_id\":\"42\",\"user_info\":{\"name\":\"Ada\"}}";
  g_autoptr (JsonObject) reply G_GNUC_UNUSED = crier_test_client_subscribe_signed (client, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET,
                                                                                   "presence-room", channel_data);
  CrierChannelItem            *item = NULL;
  GtkWidget                   *send = crier_gui_test_page (win, "send");
  GtkMenuButton               *users_button = GTK_MENU_BUTTON (crier_gui_test_child (send, CRIER_TYPE_SEND_PAGE, "users_button"));
  GListModel                  *users = G_LIST_MODEL (crier_gui_test_child (send, CRIER_TYPE_SEND_PAGE, "user_suggestions"));

  crier_test_wait_until ((item = crier_channel_list_find (CRIER_CHANNEL_LIST (crier_gui_test_model (win, "channels")), CRIER_TEST_APP_ID,
                                                          "presence-room")) != NULL &&
                           g_list_model_get_n_items (crier_channel_item_get_members (item)) == 1,
                         CRIER_TEST_TIMEOUT);
  /* Opening the Users menu lists who can be notified now. */
  crier_gui_test_show_page (win, "send");
  gtk_menu_button_popup (users_button);
  g_assert_cmpuint (g_list_model_get_n_items (users), ==, 1);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (users), 0), ==, "42");
  gtk_menu_button_popdown (users_button);

  /* Channels → event log filter. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.filter-channel", "(ss)",
                                             CRIER_TEST_APP_ID, "presence-room"));
  crier_gui_test_flush (win);
  {
    GListModel *filtered = crier_gui_test_shown (crier_gui_test_page (win, "log"), CRIER_TYPE_LOG_PAGE);

    crier_test_wait_until (g_list_model_get_n_items (filtered) > 0, CRIER_TEST_TIMEOUT);
    for (guint i = 0; i < g_list_model_get_n_items (filtered); i++)
      {
        g_autoptr (CrierEventItem) event = g_list_model_get_item (filtered, i);

        g_assert_cmpstr (crier_event_item_get_event (event)->channel, ==, "presence-room");
      }
  }
  crier_gui_test_close_window (win);
}

static void
test_credentials (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow     *win = crier_gui_test_open_window (server);
  GtkWidget       *apps = crier_gui_test_page (win, "apps");
  g_autofree char *env = crier_gui_test_dup_text (apps, CRIER_TYPE_APPS_PAGE, "env_view");
  g_autofree char *expected = g_strdup_printf ("PUSHER_PORT=%u\n", server->port);
  g_autofree char *copied = NULL;
  gboolean         reveal = TRUE;

  g_assert_nonnull (strstr (env, "PUSHER_APP_KEY=" CRIER_TEST_APP_KEY "\n"));
  g_assert_nonnull (strstr (env, expected));
  g_object_get (apps, "reveal-secret", &reveal, NULL);
  g_assert_false (reveal); /* hidden until revealed, in the row and in the .env block alike */
  g_assert_null (strstr (env, CRIER_TEST_APP_SECRET));
  g_assert_nonnull (strstr (env, "PUSHER_APP_SECRET=" CRIER_LARAVEL_MASKED_SECRET "\n"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (crier_gui_test_child (apps, CRIER_TYPE_APPS_PAGE, "secret_row"))),
                   ==, CRIER_LARAVEL_MASKED_SECRET);
  /* What Copy puts on the clipboard is the real thing. */
  copied = crier_apps_page_dup_env (CRIER_APPS_PAGE (apps));
  g_assert_nonnull (strstr (copied, "PUSHER_APP_SECRET=" CRIER_TEST_APP_SECRET "\n"));
  g_assert_true (gtk_widget_activate_action (apps, "apps.reveal-secret", NULL));
  g_object_get (apps, "reveal-secret", &reveal, NULL);
  g_assert_true (reveal);
  g_assert_true (gtk_widget_activate_action (apps, "apps.broadcaster", "s", "reverb"));
  g_clear_pointer (&env, g_free);
  env = crier_gui_test_dup_text (apps, CRIER_TYPE_APPS_PAGE, "env_view");
  g_assert_nonnull (strstr (env, "REVERB_APP_SECRET=" CRIER_TEST_APP_SECRET "\n"));

  /* Laravel Sail: the switch gives PHP host.docker.internal and the browser localhost. */
  g_assert_true (gtk_widget_activate_action (apps, "apps.docker", NULL));
  g_clear_pointer (&env, g_free);
  env = crier_gui_test_dup_text (apps, CRIER_TYPE_APPS_PAGE, "env_view");
  g_assert_nonnull (strstr (env, "REVERB_HOST=\"host.docker.internal\"\n"));
  g_assert_nonnull (strstr (env, "VITE_REVERB_HOST=localhost\n"));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (crier_gui_test_child (apps, CRIER_TYPE_APPS_PAGE, "docker_switch"))));
  g_assert_true (gtk_widget_activate_action (apps, "apps.copy-env", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-page", "s", "stats"));
  crier_gui_test_close_window (win);
}

static CrierEventItem *
find_logged (CrierWindow     *win,
             CrierMonitorKind kind,
             const char      *channel,
             guint           *position)
{
  GListModel *filtered = crier_gui_test_shown (crier_gui_test_page (win, "log"), CRIER_TYPE_LOG_PAGE);

  for (guint i = g_list_model_get_n_items (filtered); i-- > 0;)
    {
      g_autoptr (CrierEventItem) item = g_list_model_get_item (filtered, i);
      const CrierMonitorEvent *event = crier_event_item_get_event (item);

      if (event->kind == kind && g_strcmp0 (event->channel, channel) == 0)
        {
          if (position != NULL)
            *position = i;
          return item;
        }
    }
  return NULL;
}

static gboolean
has_logged (CrierWindow     *win,
            CrierMonitorKind kind,
            const char      *channel)
{
  crier_gui_test_flush (win);
  return find_logged (win, kind, channel, NULL) != NULL;
}

static GtkWidget *
find_with_class (GtkWidget  *widget,
                 const char *css_class)
{
  if (gtk_widget_has_css_class (widget, css_class))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_with_class (child, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Whether a label reading text is on screen under widget: mapped, and what a click at its
 * centre would hit (a row clipped away by a scrolled window is not). */
static gboolean
shows_label (GtkWidget  *top,
             GtkWidget  *widget,
             const char *text)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  if (g_strcmp0 (crier_gui_test_widget_text (widget), text) == 0)
    {
      graphene_point_t centre = GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0,
                                                     gtk_widget_get_height (widget) / 2.0);
      graphene_point_t at;
      GtkWidget       *picked;

      if (!gtk_widget_compute_point (widget, top, &centre, &at))
        return FALSE;
      picked = gtk_widget_pick (top, at.x, at.y, GTK_PICK_DEFAULT);
      return picked == widget || (picked != NULL && gtk_widget_is_ancestor (picked, widget));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_label (top, child, text))
      return TRUE;
  return FALSE;
}

/* Join in from the Channels page: a simulated member comes and goes, a client event arrives. */
static void
test_join_in (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow *win = crier_gui_test_open_window (server);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  const char                  *channel_data = "{\"user_id\":\"1\"}";
  g_autoptr (JsonObject) reply G_GNUC_UNUSED = crier_test_client_subscribe_signed (client, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET,
                                                                                   "presence-room", channel_data);
  CrierChannelsPage           *page = CRIER_CHANNELS_PAGE (crier_gui_test_page (win, "channels"));
  CrierChannelItem            *item = NULL;
  g_auto (GStrv) simulated = NULL;

  crier_gui_test_show_page (win, "channels");
  crier_test_wait_until ((crier_gui_test_flush (win),
                          crier_channels_page_select_channel (page, CRIER_TEST_APP_ID, "presence-room")),
                         CRIER_TEST_TIMEOUT);
  crier_gui_test_set_text (page, CRIER_TYPE_CHANNELS_PAGE, "member_id_row", "bot");
  crier_gui_test_set_text (page, CRIER_TYPE_CHANNELS_PAGE, "member_info_view", "{\"name\":\"Bot\"}");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "channels.add-member", NULL));
  g_assert_cmpstr (join_error (page), ==, "");
  {
    g_autoptr (JsonObject) added = crier_test_client_expect (client, "pusher_internal:member_added", "presence-room");
    g_autoptr (JsonObject) data = crier_test_dup_data_object (added);

    g_assert_cmpstr (json_object_get_string_member (data, "user_id"), ==, "bot");
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (data, "user_info"), "name"), ==, "Bot");
  }
  crier_test_wait_until ((crier_gui_test_flush (win),
                          (item = crier_channel_list_find (CRIER_CHANNEL_LIST (crier_gui_test_model (win, "channels")), CRIER_TEST_APP_ID,
                                                           "presence-room")) != NULL &&
                            g_list_model_get_n_items (crier_channel_item_get_members (item)) == 2),
                         CRIER_TEST_TIMEOUT);
  simulated = crier_channel_item_dup_simulated_members (item);
  g_assert_cmpstrv (simulated, ((const char *[]){ "bot", NULL }));
  {
    /* Every member is on screen, not only the first row of the list. */
    GtkWidget *members = find_with_class (GTK_WIDGET (page), "members");

    g_assert_nonnull (members);
    crier_test_wait_until (shows_label (GTK_WIDGET (win), members, "1") &&
                             shows_label (GTK_WIDGET (win), members, "bot"),
                           CRIER_TEST_TIMEOUT);
  }

  /* A second add of the same user is refused, in words under the form. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "channels.add-member", NULL));
  /* The server's answer comes back from its thread. */
  crier_test_wait_until (strstr (join_error (page), "already a member") != NULL, CRIER_TEST_TIMEOUT);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "channels.remove-member", "s", ""));
  {
    g_autoptr (JsonObject) removed = crier_test_client_expect (client, "pusher_internal:member_removed", "presence-room");
    g_autoptr (JsonObject) data = crier_test_dup_data_object (removed);

    g_assert_cmpstr (json_object_get_string_member (data, "user_id"), ==, "bot");
  }
  /* Only simulated members can be removed. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "channels.remove-member", "s", "1"));
  crier_test_wait_until (strstr (join_error (page), "No simulated member") != NULL, CRIER_TEST_TIMEOUT);

  crier_channels_page_fill_client_event (page, "client-typing", "{\"name\":\"Crier\"}", "bot");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "channels.client-event", NULL));
  {
    g_autoptr (JsonObject) whisper = crier_test_client_expect (client, "client-typing", "presence-room");

    g_assert_cmpstr (json_object_get_string_member (whisper, "data"), ==, "{\"name\":\"Crier\"}");
    g_assert_cmpstr (json_object_get_string_member (whisper, "user_id"), ==, "bot");
  }
  crier_channels_page_fill_client_event (page, "typing", "{}", NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "channels.client-event", NULL));
  crier_test_wait_until (strstr (join_error (page), "client-") != NULL, CRIER_TEST_TIMEOUT);
  crier_gui_test_close_window (win);
}

/* Disconnect one connection: it is closed with 4200, the other stays (restarting the
 * server is the application's: /application/restart-server). */
static void
test_disconnect (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow *win = crier_gui_test_open_window (server);
  g_autoptr (CrierTestClient) first = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autoptr (CrierTestClient) second = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  GtkWidget  *connections = crier_gui_test_page (win, "connections");
  GListModel *list = G_LIST_MODEL (CRIER_CONNECTION_LIST (crier_gui_test_model (win, "connections")));

  crier_test_wait_until ((crier_gui_test_flush (win), g_list_model_get_n_items (list) == 2), CRIER_TEST_TIMEOUT);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (CrierConnectionItem) item = g_list_model_get_item (list, i);

      if (g_strcmp0 (crier_connection_item_get_socket_id (item), first->socket_id) == 0)
        crier_gui_test_select (connections, CRIER_TYPE_CONNECTIONS_PAGE, i);
    }
  g_assert_true (gtk_widget_activate_action (connections, "connections.disconnect", NULL));
  crier_test_client_wait_closed (first);
  g_assert_cmpuint (first->close_code, ==, 4200);
  g_assert_false (second->closed);
  crier_gui_test_close_window (win);
}

/* An auth failure's explanation: on its log row, in the details pane, on its connection. */
static void
test_auth_failure (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow *win = crier_gui_test_open_window (server);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  /* Signed with the key as the secret: the classic swapped .env. */
  g_autofree char     *auth = crier_test_channel_auth (CRIER_TEST_APP_KEY, CRIER_TEST_APP_KEY, client->socket_id,
                                                       "private-orders", NULL);
  CrierLogPage        *log_page = CRIER_LOG_PAGE (crier_gui_test_page (win, "log"));
  CrierEventItem      *item;
  CrierConnectionItem *connection;
  g_autofree char     *summary = NULL;
  guint                position = 0;

  crier_test_client_send_subscribe (client, "private-orders", auth, NULL);
  crier_test_wait_until (has_logged (win, CRIER_MONITOR_AUTH_FAILED, "private-orders"), CRIER_TEST_TIMEOUT);
  item = find_logged (win, CRIER_MONITOR_AUTH_FAILED, "private-orders", &position);
  g_assert_nonnull (strstr (crier_event_item_get_subtitle (item), "The key and the secret are swapped"));
  crier_gui_test_select (log_page, CRIER_TYPE_LOG_PAGE, position);
  summary = details_summary (log_page);
  g_assert_nonnull (strstr (summary, "The key and the secret are swapped"));

  connection = crier_connection_list_find (CRIER_CONNECTION_LIST (crier_gui_test_model (win, "connections")), client->socket_id);
  g_assert_nonnull (connection);
  g_assert_cmpuint (g_list_model_get_n_items (crier_connection_item_get_auth_failures (connection)), ==, 1);
  crier_gui_test_close_window (win);
}

static gboolean
log_has_imported (CrierWindow *win)
{
  GListModel *log = G_LIST_MODEL (CRIER_EVENT_LOG (crier_gui_test_model (win, "event-log")));
  guint       n = g_list_model_get_n_items (log);
  g_autoptr (CrierEventItem) last = n ? g_list_model_get_item (log, n - 1) : NULL;

  return last != NULL && crier_event_item_get_imported (last);
}

/* The delivery trace in the details pane; replay as it was, edit first; export and import. */
static void
test_replay_and_import (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow *win = crier_gui_test_open_window (server);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autoptr (JsonObject) reply G_GNUC_UNUSED = crier_test_client_subscribe (client, "orders", NULL, NULL);
  GtkWidget                   *send = crier_gui_test_page (win, "send");
  CrierLogPage                *log_page = CRIER_LOG_PAGE (crier_gui_test_page (win, "log"));
  g_autofree char             *summary = NULL;
  g_autofree char             *path = NULL;
  g_autofree char             *text = NULL;
  g_autofree char             *data = NULL;
  g_autofree char             *channels = NULL;
  g_autofree char             *event = NULL;
  guint                        position = 0;
  int                          fd;

  g_assert_true (gtk_widget_activate_action (send, "send.event", NULL));
  {
    g_autoptr (JsonObject) message G_GNUC_UNUSED = crier_test_client_expect (client, "App\\Events\\OrderShipped", "orders");
  }
  crier_test_wait_until (has_logged (win, CRIER_MONITOR_EVENT_PUBLISHED, "orders"), CRIER_TEST_TIMEOUT);
  find_logged (win, CRIER_MONITOR_EVENT_PUBLISHED, "orders", &position);
  crier_gui_test_select (log_page, CRIER_TYPE_LOG_PAGE, position);
  summary = details_summary (log_page);
  g_assert_nonnull (strstr (summary, "delivered to 1, excluded 0"));
  g_assert_nonnull (strstr (summary, client->socket_id));
  g_assert_nonnull (strstr (summary, "Echo hears it with: .listen('OrderShipped', callback)"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (log_page), "log.replay", NULL));
  {
    g_autoptr (JsonObject) message G_GNUC_UNUSED = crier_test_client_expect (client, "App\\Events\\OrderShipped", "orders");
  }
  crier_test_wait_until (crier_gui_test_shows_text (win, "“App\\Events\\OrderShipped” sent again"), CRIER_TEST_TIMEOUT);

  /* Sent again to an empty channel: the toast says it reached nobody, as the Send page's. */
  crier_test_client_send (client, "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"orders\"}}");
  crier_test_client_sync (client);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (log_page), "log.replay", NULL));
  crier_test_wait_until (crier_gui_test_shows_text (win, "“App\\Events\\OrderShipped” reached nobody: nobody is subscribed to orders"),
                         CRIER_TEST_TIMEOUT);
  {
    g_autoptr (JsonObject) again G_GNUC_UNUSED = crier_test_client_subscribe (client, "orders", NULL, NULL);
  }

  /* Edit first: the send form holds the event, nothing is sent. */
  crier_send_page_load_event (CRIER_SEND_PAGE (send), NULL, "", "", "{}");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (log_page), "log.edit", NULL));
  channels = crier_gui_test_dup_text (send, CRIER_TYPE_SEND_PAGE, "channels_row");
  event = crier_gui_test_dup_text (send, CRIER_TYPE_SEND_PAGE, "event_row");
  data = crier_gui_test_dup_text (send, CRIER_TYPE_SEND_PAGE, "event_data_view");
  g_assert_cmpstr (channels, ==, "orders");
  g_assert_cmpstr (event, ==, "App\\Events\\OrderShipped");
  g_assert_nonnull (strstr (data, "\"order_id\""));
  crier_test_client_sync (client);
  crier_test_client_assert_no_message (client);

  /* Export, clear, import: the session is back, marked imported, and can be replayed. */
  crier_gui_test_flush (win);
  text = crier_event_log_to_json_lines (CRIER_EVENT_LOG (crier_gui_test_model (win, "event-log")), NULL);
  fd = g_file_open_tmp ("crier-import-XXXXXX.jsonl", &path, NULL);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.clear-log", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (log_page), "log.import-file", "s", path));
  crier_test_wait_until (log_has_imported (win), CRIER_TEST_TIMEOUT);
  {
    CrierEventItem *imported = find_logged (win, CRIER_MONITOR_EVENT_PUBLISHED, "orders", &position);

    g_assert_true (crier_event_item_get_imported (imported));
    crier_gui_test_select (log_page, CRIER_TYPE_LOG_PAGE, position);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (log_page), "log.replay", NULL));
  }
  {
    g_autoptr (JsonObject) message G_GNUC_UNUSED = crier_test_client_expect (client, "App\\Events\\OrderShipped", "orders");
  }
  g_unlink (path);
  crier_gui_test_close_window (win);
}

/* ---- Event log: the Events tab's badge, the drop notice (h-log) ---- */

static guint
badge_number (AdwViewStackPage *page)
{
  return adw_view_stack_page_get_badge_number (page);
}

static guint
count_logged (CrierWindow     *win,
              CrierMonitorKind kind,
              const char      *channel)
{
  GListModel *log = G_LIST_MODEL (CRIER_EVENT_LOG (crier_gui_test_model (win, "event-log")));
  guint       n = 0;

  crier_gui_test_flush (win);
  for (guint i = 0; i < g_list_model_get_n_items (log); i++)
    {
      g_autoptr (CrierEventItem) item = g_list_model_get_item (log, i);
      const CrierMonitorEvent *event = crier_event_item_get_event (item);

      n += event->kind == kind && g_strcmp0 (event->channel, channel) == 0;
    }
  return n;
}

static gboolean
badge_is (CrierWindow      *win,
          AdwViewStackPage *page,
          guint             n)
{
  crier_gui_test_flush (win);
  return badge_number (page) == n && adw_view_stack_page_get_needs_attention (page) == (n > 0);
}

/* An auth failure and a broadcast that reached nobody raise the badge while another page
 * shows; showing the Events page clears it, and failures that come while it shows are
 * seen at once. Ordinary events never count. */
static void
test_events_badge (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow *win = crier_gui_test_open_window (server);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autofree char                  *auth = crier_test_channel_auth (CRIER_TEST_APP_KEY, CRIER_TEST_APP_KEY, client->socket_id,
                                                                    "private-orders", NULL);
  g_autoptr (JsonObject) subscribed G_GNUC_UNUSED = crier_test_client_subscribe (client, "orders", NULL, NULL);
  GtkWidget                        *log_page = crier_gui_test_page (win, "log");
  AdwViewStack                     *stack = ADW_VIEW_STACK (gtk_widget_get_ancestor (log_page, ADW_TYPE_VIEW_STACK));
  AdwViewStackPage                 *page = adw_view_stack_get_page (stack, log_page);

  crier_gui_test_show_page (win, "connections");
  crier_test_publish (server, "orders", "App\\Events\\Heard", "{}", NULL);
  crier_test_client_send_subscribe (client, "private-orders", auth, NULL);
  crier_test_publish (server, "nobody-listens", "App\\Events\\Lost", "{}", NULL);
  crier_test_wait_until (badge_is (win, page, 2), CRIER_TEST_TIMEOUT);

  crier_gui_test_show_page (win, "log");
  g_assert_true (badge_is (win, page, 0));
  crier_test_publish (server, "nobody-listens", "App\\Events\\Lost", "{}", NULL);
  crier_test_wait_until (count_logged (win, CRIER_MONITOR_EVENT_PUBLISHED, "nobody-listens") == 2,
                         CRIER_TEST_TIMEOUT);
  g_assert_true (badge_is (win, page, 0));

  crier_gui_test_show_page (win, "send");
  crier_test_publish (server, "nobody-listens", "App\\Events\\Lost", "{}", NULL);
  crier_test_wait_until (badge_is (win, page, 1), CRIER_TEST_TIMEOUT);
  crier_gui_test_close_window (win);
}

/* A log that let events go says how many under the list. */
static void
test_events_dropped (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow     *win = crier_gui_test_open_window (server);
  CrierEventLog   *log = CRIER_EVENT_LOG (crier_gui_test_model (win, "event-log"));
  GtkWidget       *log_page = crier_gui_test_page (win, "log");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  crier_event_log_set_capacity (log, 100);
  crier_gui_test_show_page (win, "log");
  crier_gui_test_flush (win);
  before = crier_gui_test_dup_text (log_page, CRIER_TYPE_LOG_PAGE, "count_label");
  g_assert_null (strstr (before, "dropped"));
  for (guint i = 0; i < 150; i++)
    crier_test_publish (server, "orders", "App\\Events\\Tick", "{}", NULL);
  crier_test_wait_until (crier_event_log_get_dropped (log) > 0 &&
                           count_logged (win, CRIER_MONITOR_EVENT_PUBLISHED, "orders") == 100,
                         CRIER_TEST_TIMEOUT);
  after = crier_gui_test_dup_text (log_page, CRIER_TYPE_LOG_PAGE, "count_label");
  g_assert_cmpuint (crier_event_log_get_dropped (log), ==, crier_event_log_get_total (log) - 100);
  {
    g_autofree char *notice = g_strdup_printf ("%" G_GUINT64_FORMAT " older events were dropped",
                                               crier_event_log_get_dropped (log));

    g_assert_nonnull (strstr (after, notice));
  }
  crier_gui_test_close_window (win);
}

/* Events the server's queue to the window let go count in the same notice. */
static void
test_events_dropped_in_transit (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow      *win = crier_gui_test_open_window (server);
  CrierEventLog    *log = CRIER_EVENT_LOG (crier_gui_test_model (win, "event-log"));
  const char *const channels[] = { "orders", NULL };

  crier_server_host_set_queue_limit (server->host, 10);
  /* No main-loop turn meanwhile: the window takes nothing while the server queues 300. */
  for (guint i = 0; i < 300; i++)
    crier_backend_publish (CRIER_BACKEND (server->host), CRIER_TEST_APP_ID, channels, "App\\Events\\Tick", "{}", NULL, NULL,
                           NULL, NULL);
  crier_test_wait_until (crier_server_host_get_dropped (server->host) > 0 &&
                           crier_event_log_get_dropped (log) >= crier_server_host_get_dropped (server->host),
                         CRIER_TEST_TIMEOUT);
  crier_gui_test_close_window (win);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/window/send-event", test_send_event);
  g_test_add_func ("/window/send-encrypted", test_send_encrypted);
  g_test_add_func ("/window/send-notification", test_send_notification);
  g_test_add_func ("/window/send-to-nobody", test_send_to_nobody);
  g_test_add_func ("/window/presence-suggestions", test_presence_suggestions);
  g_test_add_func ("/window/credentials", test_credentials);
  g_test_add_func ("/window/join-in", test_join_in);
  g_test_add_func ("/window/disconnect", test_disconnect);
  g_test_add_func ("/window/auth-failure", test_auth_failure);
  g_test_add_func ("/window/replay-and-import", test_replay_and_import);
  g_test_add_func ("/window/events-badge", test_events_badge);
  g_test_add_func ("/window/events-dropped", test_events_dropped);
  g_test_add_func ("/window/events-dropped-in-transit", test_events_dropped_in_transit);
  return g_test_run ();
}
