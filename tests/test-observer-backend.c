/* test-observer-backend.c — CrierObserverBackend, the window's backend for a server that is
 * not Crier, here watching a Crier as it would soketi: occupied channels and their members
 * in its snapshots and stream, publishing through the HTTP API, the rest refused
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-observer-backend.h"
#include "crier-observer.h"
#include "crier-test-utils.h"

#define CONFIG                                                                                 \
  "[app:" CRIER_TEST_APP_ID "]\nkey = " CRIER_TEST_APP_KEY "\nsecret = " CRIER_TEST_APP_SECRET \
  "\nclient-events = true\n"
/* The channel list is polled every 2 s. */
#define WAIT 15

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
} Answer;

static void
answered_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Answer *answer = user_data;

  answer->ok = crier_backend_command_finish (CRIER_BACKEND (source), result, &answer->error);
  answer->done = TRUE;
}

static void
record_cb (CrierMonitor      *monitor,
           CrierMonitorEvent *event,
           GPtrArray         *events)
{
  g_ptr_array_add (events, crier_monitor_event_ref (event));
}

static CrierChannelInfo *
find_channel (GPtrArray  *channels,
              const char *name)
{
  for (guint i = 0; i < channels->len; i++)
    {
      CrierChannelInfo *info = g_ptr_array_index (channels, i);

      if (g_strcmp0 (info->name, name) == 0)
        return info;
    }
  return NULL;
}

static gboolean
has_channel (CrierBackend *backend,
             const char   *name)
{
  g_autoptr (GPtrArray) channels = crier_backend_dup_channels (backend, NULL, NULL);

  return find_channel (channels, name) != NULL;
}

static guint64
channel_events (CrierBackend *backend,
                const char   *name)
{
  g_autoptr (GPtrArray) channels = crier_backend_dup_channels (backend, CRIER_TEST_APP_ID, NULL);
  CrierChannelInfo *info = find_channel (channels, name);

  return info ? info->events : 0;
}

static gboolean
has_member (CrierBackend *backend,
            const char   *channel,
            const char   *user_id)
{
  g_autoptr (GPtrArray) members = crier_backend_dup_members (backend, CRIER_TEST_APP_ID, channel);

  for (guint i = 0; i < members->len; i++)
    if (g_strcmp0 (((CrierMemberInfo *) g_ptr_array_index (members, i))->user_id, user_id) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
streamed (GPtrArray       *events,
          CrierMonitorKind kind,
          const char      *user_id)
{
  for (guint i = 0; i < events->len; i++)
    {
      CrierMonitorEvent *event = g_ptr_array_index (events, i);

      if (event->kind == kind && g_strcmp0 (event->user_id, user_id) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_observes (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autofree char *base = crier_test_server_url (server, "http", "");
  g_autoptr (CrierObserverBackend) observer = crier_observer_backend_new (base, CRIER_TEST_APP_ID, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET, NULL, FALSE);
  CrierBackend *backend = CRIER_BACKEND (observer);
  g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_monitor_event_unref);
  g_autoptr (CrierTestClient) ada = NULL;
  g_autofree char *ada_data = crier_test_member_data ("\"7\"", "Ada");
  g_autoptr (JsonObject) joined = NULL;
  g_autoptr (JsonObject) message = NULL;
  g_autoptr (GPtrArray) connections = NULL;
  CrierServerStats stats;
  const char      *channels[] = { "presence-room", NULL };
  Answer           answer = { 0 };
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (CrierServer) again = NULL;
  g_autoptr (CrierTestClient) bob = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (crier_backend_get_state (backend), ==, CRIER_BACKEND_STATE_STOPPED);
  g_assert_cmpint (crier_backend_get_flags (backend), ==, CRIER_BACKEND_CAN_PUBLISH);
  g_assert_cmpuint (crier_config_get_apps (crier_backend_get_config (backend))->len, ==, 1);
  g_signal_connect (crier_backend_get_monitor (backend), "event", G_CALLBACK (record_cb), events);
  crier_observer_backend_start (observer);
  g_assert_cmpint (crier_backend_get_state (backend), ==, CRIER_BACKEND_STATE_OBSERVING);
  g_assert_true (crier_backend_is_ready (backend));

  /* Ada is on presence-room before the observer finds it: she is told as a member once the
   * observer joins, from subscription_succeeded (no member_added announces her). */
  ada = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  joined = crier_test_client_subscribe_signed (ada, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET, "presence-room", ada_data);
  crier_test_wait_until (has_channel (backend, "presence-room"), WAIT);
  crier_test_wait_until (has_member (backend, "presence-room", "7"), WAIT);
  g_assert_true (streamed (events, CRIER_MONITOR_MEMBER_ADDED, "7"));
  g_assert_false (has_member (backend, "presence-room", CRIER_OBSERVER_USER_ID));
  g_assert_false (has_channel (backend, "presence-other"));
  message = crier_test_client_expect (ada, "pusher_internal:member_added", "presence-room"); /* the observer */
  g_clear_pointer (&message, json_object_unref);

  /* It cannot see connections, nor act as the server. */
  connections = crier_backend_dup_connections (backend, NULL);
  g_assert_cmpuint (connections->len, ==, 0);
  crier_backend_disconnect (backend, ada->socket_id, 4200, "x", NULL, answered_cb, &answer);
  crier_test_wait_until (answer.done, CRIER_TEST_TIMEOUT);
  g_assert_error (answer.error, CRIER_BACKEND_ERROR, CRIER_BACKEND_ERROR_NOT_SUPPORTED);
  g_clear_error (&answer.error);

  /* Publishing goes through the HTTP API: Ada gets it, the observer sees it go by. */
  answer = (Answer){ 0 };
  crier_backend_publish (backend, CRIER_TEST_APP_ID, channels, "OrderShipped", "{\"id\":1}", NULL, NULL, answered_cb, &answer);
  crier_test_wait_until (answer.done, CRIER_TEST_TIMEOUT);
  g_assert_no_error (answer.error);
  g_assert_true (answer.ok);
  message = crier_test_client_expect (ada, "OrderShipped", "presence-room");
  crier_test_wait_until (channel_events (backend, "presence-room") == 1, CRIER_TEST_TIMEOUT);
  crier_backend_get_stats (backend, &stats);
  g_assert_cmpuint (stats.events_published, ==, 1);

  /* A refusal of the HTTP API comes back as one. */
  answer = (Answer){ 0 };
  {
    const char *bad[] = { "no spaces allowed", NULL };

    crier_backend_publish (backend, CRIER_TEST_APP_ID, bad, "e", "{}", NULL, NULL, answered_cb, &answer);
  }
  crier_test_wait_until (answer.done, CRIER_TEST_TIMEOUT);
  g_assert_error (answer.error, CRIER_BACKEND_ERROR, CRIER_BACKEND_ERROR_REFUSED);
  g_clear_error (&answer.error);

  /* Ada leaves: nobody but the observer, so the channel is vacated. */
  crier_test_client_sendf (ada, "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"presence-room\"}}");
  crier_test_wait_until (!has_channel (backend, "presence-room"), WAIT);

  /* The server goes away: said as the problem; back (a new one on the same port), the
   * observer lists and joins again and the problem is over. */
  g_assert_null (crier_backend_get_problem (backend));
  crier_server_stop (server->server, 4200, "test");
  crier_test_wait_until (crier_backend_get_problem (backend) != NULL, WAIT);
  g_assert_true (crier_backend_is_ready (backend)); /* still observing, retrying */
  g_assert_true (crier_config_load_data (config, CONFIG, "test.conf", &error));
  crier_config_set_host (config, "127.0.0.1");
  crier_config_set_port (config, server->port);
  again = crier_server_new (config);
  g_assert_true (crier_server_start (again, &error));
  g_assert_no_error (error);
  bob = crier_test_client_connect (server, CRIER_TEST_APP_KEY); /* the same port */
  g_clear_pointer (&joined, json_object_unref);
  joined = crier_test_client_subscribe (bob, "orders", NULL, NULL);
  crier_test_wait_until (has_channel (backend, "orders") && crier_backend_get_problem (backend) == NULL, WAIT);
  crier_server_stop (again, 4200, "test");

  crier_observer_backend_stop (observer);
  g_assert_cmpint (crier_backend_get_state (backend), ==, CRIER_BACKEND_STATE_STOPPED);
  g_signal_handlers_disconnect_by_data (crier_backend_get_monitor (backend), events);
  crier_test_drain ();
}

typedef struct
{
  const char *base_url;
  const char *address;
  unsigned    port;
} AddressCase;

static const AddressCase address_cases[] = {
  { "http://staging:6001", "ws://staging:6001", 6001 },
  { "https://ws.example.com", "wss://ws.example.com:443", 443 },
  { "http://127.0.0.1:8080/", "ws://127.0.0.1:8080", 8080 },
  { "http://localhost", "ws://localhost:80", 80 },
};

/* What the header shows of a server given by its HTTP base URL. */
static void
test_address (gconstpointer data)
{
  const AddressCase *c = data;
  g_autofree char   *address = crier_backend_dup_ws_address (c->base_url);

  g_assert_cmpstr (address, ==, c->address);
  g_assert_cmpuint (crier_backend_port_from_url (c->base_url), ==, c->port);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/observer-backend/observes", test_observes);
  for (guint i = 0; i < G_N_ELEMENTS (address_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/observer-backend/address/%u", i);

      g_test_add_data_func (path, &address_cases[i], test_address);
    }
  return g_test_run ();
}
