/* test-server.c — a real CrierServer as a whole: stopping it with clients connected, and
 * the monitor stream of everything that happens in it
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-test-utils.h"

#define KEY    CRIER_TEST_APP_KEY
#define SECRET CRIER_TEST_APP_SECRET
#define APP    CRIER_TEST_APP_ID

/* Shutdown */

static void
test_stop (CrierTestFixture *f,
           gconstpointer     data)
{
  g_autoptr (CrierTestClient) a = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) b = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) c = crier_test_client_connect (f->server, "members-key");
  g_autoptr (JsonObject) ok G_GNUC_UNUSED = crier_test_client_subscribe (a, "orders", NULL, NULL);
  CrierMonitorEvent        *event;

  crier_server_stop (f->server->server, 4200, "Generic reconnect immediately");
  g_assert_false (crier_server_is_running (f->server->server));
  crier_test_client_wait_closed (a);
  crier_test_client_wait_closed (b);
  crier_test_client_wait_closed (c);
  g_assert_cmpuint (a->close_code, ==, 4200);
  g_assert_cmpuint (b->close_code, ==, 4200);
  g_assert_cmpuint (c->close_code, ==, 4200);
  g_assert_cmpstr (a->close_reason, ==, "Generic reconnect immediately");
  crier_test_wait_until (!crier_server_has_connections (f->server->server), CRIER_TEST_TIMEOUT);
  event = crier_test_server_find_event (f->server, CRIER_MONITOR_SERVER_STOPPED, NULL, 0);
  g_assert_nonnull (event);
  g_assert_cmpint (event->code, ==, 4200);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_DISCONNECTED, NULL), ==, 3);
  g_assert_cmpuint (crier_server_count_connections (f->server->server), ==, 0);
  /* Stopping twice is harmless. */
  crier_server_stop (f->server->server, 4200, "again");
}

/* Monitor */

static CrierMonitorEvent *
expect_event (CrierTestFixture *f,
              CrierMonitorKind  kind,
              const char       *channel,
              guint            *from)
{
  CrierMonitorEvent *event = NULL;

  for (guint i = *from; i < f->server->events->len; i++)
    {
      CrierMonitorEvent *candidate = g_ptr_array_index (f->server->events, i);

      if (candidate->kind == kind && (channel == NULL || g_strcmp0 (candidate->channel, channel) == 0))
        {
          event = candidate;
          *from = i + 1;
          break;
        }
    }
  if (event == NULL)
    {
      g_autofree char *problem = g_strdup_printf ("no %s event%s%s after #%u",
                                                  crier_monitor_kind_to_string (kind),
                                                  channel ? " for " : "", channel ? channel : "", *from);

      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, problem);
    }
  return event;
}

static void
test_monitor_stream (CrierTestFixture *f,
                     gconstpointer     data)
{
  g_autoptr (CrierTestClient) ann = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) bob = crier_test_client_connect (f->server, KEY);
  g_autofree char              *ann_data = crier_test_member_data ("\"1\"", "Ann");
  g_autofree char              *bob_data = crier_test_member_data ("\"2\"", "Bob");
  g_autoptr (JsonObject) ann_ok G_GNUC_UNUSED = crier_test_client_subscribe_signed (
    ann, KEY, SECRET, "presence-room", ann_data);
  g_autoptr (JsonObject) bob_ok G_GNUC_UNUSED = crier_test_client_subscribe_signed (
    bob, KEY, SECRET, "presence-room", bob_data);
  g_autoptr (JsonObject) added G_GNUC_UNUSED = crier_test_client_expect (ann, "pusher_internal:member_added", NULL);
  g_autoptr (JsonObject) published = NULL;
  g_autoptr (JsonObject) relayed = NULL;
  g_autofree char   *error = NULL;
  g_autofree char   *auth_error = NULL;
  g_autofree char   *ann_socket = g_strdup (ann->socket_id);
  CrierMonitorEvent *event;
  guint              from = 0;

  crier_test_publish (f->server, "presence-room", "news", "{\"n\":1}", NULL);
  published = crier_test_client_expect (ann, "news", "presence-room");
  g_clear_pointer (&published, json_object_unref);
  published = crier_test_client_expect (bob, "news", "presence-room");
  crier_test_client_send (ann, "{\"event\":\"client-hi\",\"data\":{\"x\":1},\"channel\":\"presence-room\"}");
  relayed = crier_test_client_expect (bob, "client-hi", "presence-room");
  crier_test_client_send_subscribe (ann, "private-x", KEY ":00", NULL);
  auth_error = crier_test_client_expect_error (ann, 0);
  crier_test_client_send (ann, "nonsense");
  error = crier_test_client_expect_error (ann, 0);
  crier_test_client_send (ann, "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"presence-room\"}}");
  crier_test_client_sync (ann);
  g_clear_pointer (&ann, crier_test_client_free);
  crier_test_wait_until (crier_test_server_count_events (f->server, CRIER_MONITOR_DISCONNECTED, NULL) == 1,
                         CRIER_TEST_TIMEOUT);
  g_clear_pointer (&bob, crier_test_client_free);
  crier_test_wait_until (crier_test_server_count_events (f->server, CRIER_MONITOR_CHANNEL_VACATED, NULL) == 1,
                         CRIER_TEST_TIMEOUT);

  event = expect_event (f, CRIER_MONITOR_CONNECTED, NULL, &from);
  g_assert_cmpstr (event->socket_id, ==, ann_socket);
  g_assert_cmpstr (event->app_id, ==, APP);
  g_assert_nonnull (event->remote);

  event = expect_event (f, CRIER_MONITOR_CHANNEL_OCCUPIED, "presence-room", &from);
  g_assert_cmpstr (event->app_id, ==, APP);
  g_assert_cmpstr (event->socket_id, ==, ann_socket);
  event = expect_event (f, CRIER_MONITOR_MEMBER_ADDED, "presence-room", &from);
  g_assert_cmpstr (event->user_id, ==, "1");
  g_assert_cmpstr (event->data, ==, "{\"name\":\"Ann\"}");
  g_assert_cmpuint (event->count, ==, 1);
  event = expect_event (f, CRIER_MONITOR_SUBSCRIBED, "presence-room", &from);
  g_assert_cmpstr (event->socket_id, ==, ann_socket);
  g_assert_cmpstr (event->user_id, ==, "1");
  g_assert_cmpuint (event->count, ==, 1);
  event = expect_event (f, CRIER_MONITOR_MEMBER_ADDED, "presence-room", &from);
  g_assert_cmpstr (event->user_id, ==, "2");
  g_assert_cmpuint (event->count, ==, 2);
  event = expect_event (f, CRIER_MONITOR_SUBSCRIBED, "presence-room", &from);
  g_assert_cmpuint (event->count, ==, 2);
  g_assert_cmpuint (crier_test_server_count_events (f->server, CRIER_MONITOR_CHANNEL_OCCUPIED, NULL), ==, 1);

  event = expect_event (f, CRIER_MONITOR_EVENT_PUBLISHED, "presence-room", &from);
  g_assert_cmpstr (event->app_id, ==, APP);
  g_assert_cmpstr (event->event, ==, "news");
  g_assert_cmpstr (event->data, ==, "{\"n\":1}");
  g_assert_cmpuint (event->count, ==, 2);

  event = expect_event (f, CRIER_MONITOR_CLIENT_EVENT, "presence-room", &from);
  g_assert_cmpstr (event->socket_id, ==, ann_socket);
  g_assert_cmpstr (event->event, ==, "client-hi");
  g_assert_cmpstr (event->data, ==, "{\"x\":1}");
  g_assert_cmpstr (event->user_id, ==, "1");
  g_assert_cmpuint (event->count, ==, 1);

  event = expect_event (f, CRIER_MONITOR_AUTH_FAILED, "private-x", &from);
  g_assert_cmpstr (event->socket_id, ==, ann_socket);
  g_assert_cmpstr (event->message, ==, auth_error);

  event = expect_event (f, CRIER_MONITOR_PROTOCOL_ERROR, NULL, &from);
  g_assert_cmpstr (event->message, ==, "Received invalid JSON");
  g_assert_cmpstr (event->socket_id, ==, ann_socket);

  event = expect_event (f, CRIER_MONITOR_UNSUBSCRIBED, "presence-room", &from);
  g_assert_cmpstr (event->socket_id, ==, ann_socket);
  g_assert_cmpuint (event->count, ==, 1);
  event = expect_event (f, CRIER_MONITOR_MEMBER_REMOVED, "presence-room", &from);
  g_assert_cmpstr (event->user_id, ==, "1");
  event = expect_event (f, CRIER_MONITOR_DISCONNECTED, NULL, &from);
  g_assert_cmpstr (event->socket_id, ==, ann_socket);
  event = expect_event (f, CRIER_MONITOR_CHANNEL_VACATED, "presence-room", &from);
  g_assert_cmpstr (event->app_id, ==, APP);
  event = expect_event (f, CRIER_MONITOR_DISCONNECTED, NULL, &from);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  CRIER_TEST_ADD ("/server/stop", test_stop, NULL);
  CRIER_TEST_ADD ("/server/monitor/stream", test_monitor_stream, NULL);

  return g_test_run ();
}
