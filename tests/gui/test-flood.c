/* test-flood.c — thousands of events in bursts as fast as the window lets them in: the event
 * log stays bounded, rows arrive in batches (not one update per event), the window answers
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-gui-test-utils.h"

#define TEST_CONFIG \
  "[app:" CRIER_TEST_APP_ID "]\nkey=" CRIER_TEST_APP_KEY "\nsecret=" CRIER_TEST_APP_SECRET "\n"
#include "crier-window.h"

/* A fixed amount, not a fixed time: how fast it goes in depends on the machine (and is 2-3
 * times slower under AddressSanitizer), what the window must do with it does not. Speed
 * lives in bench/; the time taken and the worst stall are only reported. */
#ifdef __SANITIZE_ADDRESS__
/* LeakSanitizer's slow unwinder (tests/gui/meson.build) makes each allocation ~20 times
 * dearer: a smaller flood, still twice what the log keeps. */
#define FLOOD_EVENTS 4000
#else
#define FLOOD_EVENTS 10000
#endif
#define BURST        200 /* publications per 10 ms tick: 20 000 a second if the loop keeps up */
#define LOG_CAPACITY 2000

typedef struct
{
  CrierServerHost *server;
  guint64          published;
  guint            ticks;
  gint64           last_tick;
  gint64           worst_gap; /* µs between two runs of a 5 ms timer: how long the loop was busy */
  gboolean         done;
  gboolean         heartbeat_stopped;
} Flood;

static gboolean
publish_cb (gpointer user_data)
{
  Flood      *flood = user_data;
  const char *channels[] = { "flood", NULL };

  if (flood->published >= FLOOD_EVENTS)
    {
      flood->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  flood->ticks++;
  for (int i = 0; i < BURST; i++)
    {
      g_autofree char *data = g_strdup_printf ("{\"n\":%" G_GUINT64_FORMAT ",\"pad\":\"%0200d\"}", flood->published, 0);

      /* Posted to the server's thread; every one is counted by the log below. */
      crier_backend_publish (CRIER_BACKEND (flood->server), CRIER_TEST_APP_ID, channels, "App\\Events\\Flood", data,
                             NULL, NULL, NULL, NULL);
      flood->published++;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
heartbeat_cb (gpointer user_data)
{
  Flood *flood = user_data;
  gint64 now = g_get_monotonic_time ();

  if (flood->last_tick > 0)
    flood->worst_gap = MAX (flood->worst_gap, now - flood->last_tick);
  flood->last_tick = now;
  if (flood->done)
    {
      flood->heartbeat_stopped = TRUE;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
heartbeat_done (Flood *flood)
{
  return flood->heartbeat_stopped;
}

static void
log_changed_cb (GListModel *log,
                guint       position,
                guint       removed,
                guint       added,
                guint      *n_changes)
{
  (*n_changes)++;
}

static gboolean
auth_failure_logged (CrierEventLog *log)
{
  crier_event_log_flush (log);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (log)); i++)
    {
      g_autoptr (CrierEventItem) item = g_list_model_get_item (G_LIST_MODEL (log), i);

      if (crier_event_item_get_kind (item) == CRIER_MONITOR_AUTH_FAILED)
        return TRUE;
    }
  return FALSE;
}

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char      *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return strtol (line + strlen ("VmRSS:"), NULL, 10);
}

static void
test_flood (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autoptr (JsonObject) reply G_GNUC_UNUSED = crier_test_client_subscribe (client, "flood-watch", NULL, NULL);
  CrierWindow                 *win = crier_window_new (NULL);
  CrierEventLog               *log = CRIER_EVENT_LOG (crier_gui_test_model (win, "event-log"));
  Flood                        flood = { server->host };
  guint                        n_changes = 0;
  gint64                       start;
  long                         rss_before, rss_middle, rss_after;

  /* A listener, so the flood is ordinary deliveries, the case the log must not let evict
   * earlier failures (h-log). */
  g_autoptr (CrierTestClient) listener = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autoptr (JsonObject) listening G_GNUC_UNUSED = crier_test_client_subscribe (listener, "flood", NULL, NULL);
  g_autofree char                 *auth = crier_test_channel_auth (CRIER_TEST_APP_KEY, CRIER_TEST_APP_KEY, client->socket_id,
                                                                   "private-orders", NULL);

  /* The fixture records every event; here only the window may keep them. */
  g_signal_handlers_disconnect_by_data (crier_server_host_get_monitor (server->host), server);
  crier_event_log_set_capacity (log, LOG_CAPACITY);
  crier_window_set_server (win, CRIER_BACKEND (server->host));
  gtk_window_present (GTK_WINDOW (win));
  crier_gui_test_show_page (win, "log");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  /* A failure before the flood: it must still be there after. */
  crier_test_client_send_subscribe (client, "private-orders", auth, NULL);
  crier_test_wait_until (auth_failure_logged (log), CRIER_TEST_TIMEOUT);
  rss_before = rss_kib ();
  g_signal_connect (log, "items-changed", G_CALLBACK (log_changed_cb), &n_changes);

  start = g_get_monotonic_time ();
  g_timeout_add (10, publish_cb, &flood);
  g_timeout_add (5, heartbeat_cb, &flood);
  crier_test_wait_until (flood.published >= FLOOD_EVENTS / 2, 120);
  rss_middle = rss_kib ();
  crier_test_wait_until (flood.done, 120);
  crier_test_wait_until (flood.last_tick == 0 || heartbeat_done (&flood), CRIER_TEST_TIMEOUT);
  /* The last events cross from the server's thread in the next batches. */
  crier_test_wait_until ((crier_gui_test_flush (win), crier_event_log_get_total (log) >= flood.published),
                         CRIER_TEST_TIMEOUT);
  rss_after = rss_kib ();
  g_signal_handlers_disconnect_by_func (log, log_changed_cb, &n_changes);

  g_test_message ("published %" G_GUINT64_FORMAT " events in %u ticks, %.1f s; %u log updates; "
                  "worst main-loop stall %.0f ms; RSS %ld → %ld → %ld KiB",
                  flood.published, flood.ticks, (g_get_monotonic_time () - start) / 1e6, n_changes,
                  flood.worst_gap / 1000.0, rss_before, rss_middle, rss_after);
  g_assert_cmpuint (flood.published, ==, FLOOD_EVENTS);
  /* Bounded: the log keeps its capacity whatever came in, and is full. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, LOG_CAPACITY);
  g_assert_cmpuint (crier_event_log_get_total (log), >=, flood.published);
  /* Retention: the auth failure outlived a flood five times the log; the log says how
   * many events it let go. */
  g_assert_true (auth_failure_logged (log));
  g_assert_cmpuint (crier_event_log_get_dropped (log), ==,
                    crier_event_log_get_total (log) - LOG_CAPACITY);
  /* Batched: at most two items_changed per flush, and no flush without a burst before it;
   * a log that updated per event would emit FLOOD_EVENTS of them. */
  g_assert_cmpuint (n_changes, <=, 2 * flood.ticks + 2);
  /* Memory: the second half of the flood adds no more than noise. Not under ASan: its
   * quarantine keeps up to 256 MB of freed memory, and RSS grows with it. */
#ifndef __SANITIZE_ADDRESS__
  g_assert_cmpint (rss_after - rss_middle, <, 64 * 1024);
#endif

  /* Still answering: a client event round trip goes through. */
  crier_test_client_sync (client);
  g_object_ref (win);
  gtk_window_destroy (GTK_WINDOW (win));
  crier_test_drain ();
  g_assert_finalize_object (win);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/window/flood", test_flood);
  return g_test_run ();
}
