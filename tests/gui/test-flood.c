/* test-flood.c — thousands of events a second for seconds: the window keeps answering and
 * the event log stays bounded
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-test-utils.h"

#define TEST_CONFIG                                                                  \
  "[app:" CRIER_TEST_APP_ID "]\nkey=" CRIER_TEST_APP_KEY "\nsecret=" CRIER_TEST_APP_SECRET "\n"
#include "crier-window.h"

#define FLOOD_SECONDS 4
#define BURST         100 /* publications per 10 ms tick: 10 000 a second */
#define LOG_CAPACITY  2000

typedef struct
{
  CrierServer *server;
  gint64       end;
  guint64      published;
  gint64       last_tick;
  gint64       worst_gap; /* µs between two runs of a 5 ms timer: how long the loop was busy */
  gboolean     done;
  gboolean     heartbeat_stopped;
} Flood;

static gboolean
publish_cb (gpointer user_data)
{
  Flood *flood = user_data;
  const char *channels[] = { "flood", NULL };

  if (g_get_monotonic_time () > flood->end)
    {
      flood->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  for (int i = 0; i < BURST; i++)
    {
      g_autofree char *data = g_strdup_printf ("{\"n\":%" G_GUINT64_FORMAT ",\"pad\":\"%0200d\"}", flood->published, 0);

      g_assert_true (crier_server_publish (flood->server, CRIER_TEST_APP_ID, channels, "App\\Events\\Flood", data,
                                           NULL, NULL));
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

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return strtol (line + strlen ("VmRSS:"), NULL, 10);
}

static void
test_flood (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (TEST_CONFIG);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autoptr (JsonObject) reply = crier_test_client_subscribe (client, "flood-watch", NULL, NULL);
  CrierWindow *win = crier_window_new (NULL);
  CrierEventLog *log = crier_window_get_event_log (win);
  Flood flood = { server->server };
  long rss_before, rss_middle, rss_after;

  /* The fixture records every event; here only the window may keep them. */
  g_signal_handlers_disconnect_by_data (crier_server_get_monitor (server->server), server);
  crier_event_log_set_capacity (log, LOG_CAPACITY);
  crier_window_set_server (win, server->server);
  gtk_window_present (GTK_WINDOW (win));
  crier_window_show_page (win, "log");
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  rss_before = rss_kib ();

  flood.end = g_get_monotonic_time () + FLOOD_SECONDS * G_USEC_PER_SEC;
  g_timeout_add (10, publish_cb, &flood);
  g_timeout_add (5, heartbeat_cb, &flood);
  crier_test_wait_until (flood.published > BURST * 100 || flood.done, 30);
  rss_middle = rss_kib ();
  crier_test_wait_until (flood.done, 60);
  crier_test_wait_until (flood.last_tick == 0 || heartbeat_done (&flood), CRIER_TEST_TIMEOUT);
  crier_test_drain ();
  crier_window_flush (win);
  rss_after = rss_kib ();

  g_test_message ("published %" G_GUINT64_FORMAT " events in %d s; worst main-loop stall %.0f ms; "
                  "RSS %ld → %ld → %ld KiB",
                  flood.published, FLOOD_SECONDS, flood.worst_gap / 1000.0, rss_before, rss_middle, rss_after);
  g_assert_cmpuint (flood.published, >=, 1000 * FLOOD_SECONDS);
  /* Bounded: the log keeps its capacity whatever came in. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), <=, LOG_CAPACITY);
  g_assert_cmpuint (crier_event_log_get_total (log), >=, flood.published);
  /* Responsive: the loop never stalled for a whole second (a frame is 16 ms; this bound
   * only catches a UI that rebuilds per event, not a slow machine). */
  g_assert_cmpint (flood.worst_gap, <, G_USEC_PER_SEC);
  /* Memory: the second half of the flood adds no more than noise. */
  g_assert_cmpint (rss_after - rss_middle, <, 64 * 1024);

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
