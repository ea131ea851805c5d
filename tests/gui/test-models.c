/* test-models.c — the dashboard's list models, without a display
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <malloc.h>

#include "crier-channel-list.h"
#include "crier-config-writer.h"
#include "crier-connection-list.h"
#include "crier-event-batch.h"
#include "crier-event-log.h"
#include "crier-laravel-env.h"
#include "crier-notification.h"
#include "crier-stats-sampler.h"
#include "crier-test-utils.h"

/* mallinfo2 () knows nothing of AddressSanitizer's allocator. */
#if defined(__SANITIZE_ADDRESS__)
#define RUNNING_ON_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RUNNING_ON_SANITIZER 1
#endif
#endif
#ifndef RUNNING_ON_SANITIZER
#define RUNNING_ON_SANITIZER 0
#endif

#define TEST_CONFIG \
  "[app:" CRIER_TEST_APP_ID "]\nkey=" CRIER_TEST_APP_KEY "\nsecret=" CRIER_TEST_APP_SECRET "\n"

static guint n_changes;

static void
count_changes_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  n_changes++;
}

static CrierMonitorEvent *
make_event (CrierMonitorKind kind,
            const char      *socket_id,
            const char      *channel)
{
  CrierMonitorEvent *event = crier_monitor_event_new (kind);

  event->app_id = g_strdup ("app-id");
  event->socket_id = g_strdup (socket_id);
  event->channel = g_strdup (channel);
  return event;
}

static void
test_event_log_batches (void)
{
  g_autoptr (CrierEventLog) log = crier_event_log_new (100);

  g_signal_connect (log, "items-changed", G_CALLBACK (count_changes_cb), NULL);
  n_changes = 0;
  for (int i = 0; i < 5; i++)
    {
      g_autoptr (CrierMonitorEvent) event = make_event (CRIER_MONITOR_EVENT_PUBLISHED, NULL, "orders");

      crier_event_log_push (log, event);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
  crier_event_log_flush (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 5);
  g_assert_cmpuint (n_changes, ==, 1);
  crier_event_log_flush (log); /* nothing queued: no signal */
  g_assert_cmpuint (n_changes, ==, 1);
}

static void
flush_nothing (gpointer owner)
{
}

/* How long the batch waits before its next tick, from its pending timeout. The context's
 * clock may be a little behind or ahead of the moment the timeout was made, so the test
 * tells the intervals apart by the midpoints between them, not to the millisecond. */
static gint64
batch_wait_ms (CrierEventBatch *batch)
{
  GSource *source = g_main_context_find_source_by_id (NULL, batch->source_id);

  g_assert_nonnull (source);
  return (g_source_get_ready_time (source) - g_source_get_time (source)) / 1000;
}

static void
assert_batch_waits (CrierEventBatch *batch,
                    gint64           expected_ms)
{
  const gint64 intervals[] = { 50, CRIER_EVENT_BATCH_BUSY_MS, CRIER_EVENT_BATCH_FLOOD_MS };
  gint64       wait = batch_wait_ms (batch);
  gint64       nearest = intervals[0];

  for (guint i = 1; i < G_N_ELEMENTS (intervals); i++)
    if (ABS (wait - intervals[i]) < ABS (wait - nearest))
      nearest = intervals[i];
  g_assert_cmpint (nearest, ==, expected_ms);
}

static void
push_events (CrierEventBatch *batch,
             guint            n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (CrierMonitorEvent) event = make_event (CRIER_MONITOR_EVENT_PUBLISHED, NULL, "orders");

      crier_event_batch_push (batch, event);
    }
}

/* A busy tick makes the next one wait CRIER_EVENT_BATCH_BUSY_MS, a flood
 * CRIER_EVENT_BATCH_FLOOD_MS; a quiet tick brings the short interval back, so the first
 * event after a flood shows on time. */
static void
test_event_batch_flood (void)
{
  CrierEventBatch batch;
  g_autoptr (GPtrArray) taken = NULL;

  crier_event_batch_init (&batch, 50, "test batch", flush_nothing, NULL);
  push_events (&batch, 1);
  assert_batch_waits (&batch, 50);
  push_events (&batch, CRIER_EVENT_BATCH_BUSY);
  taken = crier_event_batch_take (&batch);
  g_assert_cmpuint (taken->len, ==, CRIER_EVENT_BATCH_BUSY + 1);
  g_clear_pointer (&taken, g_ptr_array_unref);

  push_events (&batch, CRIER_EVENT_BATCH_FLOOD);
  assert_batch_waits (&batch, CRIER_EVENT_BATCH_BUSY_MS);
  g_clear_pointer (&taken, g_ptr_array_unref);
  taken = crier_event_batch_take (&batch);
  g_assert_cmpuint (taken->len, ==, CRIER_EVENT_BATCH_FLOOD);

  push_events (&batch, 1);
  assert_batch_waits (&batch, CRIER_EVENT_BATCH_FLOOD_MS);
  g_clear_pointer (&taken, g_ptr_array_unref);
  taken = crier_event_batch_take (&batch);
  g_assert_cmpuint (taken->len, ==, 1);

  push_events (&batch, 1);
  assert_batch_waits (&batch, 50);
  crier_event_batch_destroy (&batch);
}

static void
test_event_log_bounded (void)
{
  g_autoptr (CrierEventLog) log = crier_event_log_new (100);
  g_autoptr (CrierEventItem) last = NULL;

  g_signal_connect (log, "items-changed", G_CALLBACK (count_changes_cb), NULL);
  for (int i = 0; i < 1000; i++)
    {
      g_autoptr (CrierMonitorEvent) event = make_event (CRIER_MONITOR_CLIENT_EVENT, NULL, "c");

      event->count = i;
      crier_event_log_push (log, event);
    }
  crier_event_log_flush (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 100);
  last = g_list_model_get_item (G_LIST_MODEL (log), 99);
  g_assert_cmpuint (crier_event_item_get_event (last)->count, ==, 999);
  n_changes = 0;
  for (int i = 0; i < 30; i++)
    {
      g_autoptr (CrierMonitorEvent) event = make_event (CRIER_MONITOR_CONNECTED, "1.1", NULL);

      crier_event_log_push (log, event);
    }
  crier_event_log_flush (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 100);
  g_assert_cmpuint (n_changes, ==, 2); /* the drop at the head, the tail appended */
  g_assert_cmpuint (crier_event_log_get_total (log), ==, 1030);
  crier_event_log_set_capacity (log, 10);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 10);
  crier_event_log_clear (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
}

static void
test_event_log_json_lines (void)
{
  g_autoptr (CrierEventLog) log = crier_event_log_new (10);
  g_autoptr (CrierMonitorEvent) event = make_event (CRIER_MONITOR_EVENT_PUBLISHED, NULL, "orders");
  g_autoptr (CrierEventItem) item = NULL;
  g_autofree char *text = NULL;
  g_autofree char *details = NULL;
  g_auto (GStrv) lines = NULL;

  event->event = g_strdup ("App\\Events\\OrderShipped");
  event->data = g_strdup ("{\"id\":1}");
  crier_event_log_push (log, event);
  crier_event_log_push (log, event);
  crier_event_log_flush (log);
  text = crier_event_log_to_json_lines (log, NULL);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[2], ==, "");
  g_assert_nonnull (strstr (lines[0], "\"kind\":\"event_published\""));
  g_assert_nonnull (strstr (lines[0], "\"channel\":\"orders\""));
  item = g_list_model_get_item (G_LIST_MODEL (log), 0);
  details = crier_event_item_dup_details (item);
  g_assert_nonnull (strstr (details, "\"id\" : 1")); /* the payload pretty-printed as an object */
  g_assert_cmpstr (crier_event_item_get_kind_name (item), ==, "event_published");
  g_assert_cmpstr (crier_event_item_get_kind_label (item), ==, "Event published");
  {
    g_autofree char *search = crier_event_item_dup_search_text (item);
    g_assert_nonnull (strstr (search, "OrderShipped"));
  }
}

static void
test_event_log_monitor (void)
{
  g_autoptr (CrierMonitor) monitor = crier_monitor_new ();
  g_autoptr (CrierEventLog) log = crier_event_log_new (10);

  crier_event_log_set_monitor (log, monitor);
  g_assert_true (crier_monitor_is_active (monitor));
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CONNECTED, "1.2", NULL));
  /* The flush timer brings it in. */
  crier_test_wait_until (g_list_model_get_n_items (G_LIST_MODEL (log)) == 1, CRIER_TEST_TIMEOUT);
  crier_event_log_set_monitor (log, NULL);
  g_assert_false (crier_monitor_is_active (monitor));
}

static void
test_connection_list_events (void)
{
  g_autoptr (CrierServerHost) server = crier_server_host_new (NULL, NULL);
  g_autoptr (CrierConnectionList) list = crier_connection_list_new (CRIER_BACKEND (server));
  CrierMonitor      *monitor = crier_server_host_get_monitor (server);
  CrierMonitorEvent *event;
  g_autoptr (CrierConnectionItem) item = NULL;

  g_signal_connect (list, "items-changed", G_CALLBACK (count_changes_cb), NULL);
  n_changes = 0;
  event = make_event (CRIER_MONITOR_CONNECTED, "1.1", NULL);
  event->remote = g_strdup ("127.0.0.1");
  event->message = g_strdup ("origin http://localhost:5173");
  crier_monitor_emit (monitor, event);
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CONNECTED, "2.2", NULL));
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CONNECTED, "3.3", NULL));
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_SUBSCRIBED, "1.1", "orders"));
  event = make_event (CRIER_MONITOR_SUBSCRIBED, "3.3", "presence-room");
  event->user_id = g_strdup ("5");
  crier_monitor_emit (monitor, event);
  crier_live_list_flush (CRIER_LIVE_LIST (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);
  g_assert_cmpuint (n_changes, ==, 1);
  g_assert_cmpstr (crier_connection_item_get_user_id (crier_connection_list_find (list, "3.3")), ==, "5");
  g_assert_null (crier_connection_item_get_user_id (crier_connection_list_find (list, "1.1")));

  event = make_event (CRIER_MONITOR_SIGNED_IN, "2.2", NULL);
  event->user_id = g_strdup ("7");
  crier_monitor_emit (monitor, event);
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_DISCONNECTED, "1.1", NULL));
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CONNECTED, "4.4", NULL));
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_DISCONNECTED, "4.4", NULL));
  n_changes = 0;
  crier_live_list_flush (CRIER_LIVE_LIST (list));
  g_assert_cmpuint (n_changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  item = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpstr (crier_connection_item_get_socket_id (item), ==, "2.2");
  g_assert_cmpstr (crier_connection_item_get_user_id (item), ==, "7");
  g_assert_null (crier_connection_list_find (list, "1.1"));
  g_assert_nonnull (crier_connection_list_find (list, "3.3"));
}

typedef struct
{
  guint position, removed, added;
} Change;

static void
record_change_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GArray     *changes)
{
  Change change = { position, removed, added };

  g_array_append_val (changes, change);
}

static void
assert_socket_ids (GListModel  *model,
                   const char **want)
{
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, g_strv_length ((char **) want));
  for (guint i = 0; want[i] != NULL; i++)
    {
      g_autoptr (CrierConnectionItem) item = g_list_model_get_item (model, i);

      g_assert_cmpstr (crier_connection_item_get_socket_id (item), ==, want[i]);
    }
}

/* CrierLiveList, shared by both live lists (tested here through the connection list): one
 * items_changed per flush with exact positions, items that came and went within one tick
 * never shown, updates in place without a signal, a new server replacing the old items. */
static void
test_live_list_positions (void)
{
  g_autoptr (CrierServerHost) server = crier_server_host_new (NULL, NULL);
  g_autoptr (CrierConnectionList) list = crier_connection_list_new (CRIER_BACKEND (server));
  CrierLiveList *live = CRIER_LIVE_LIST (list);
  CrierMonitor  *monitor = crier_server_host_get_monitor (server);
  g_autoptr (GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  Change *change;

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == CRIER_TYPE_CONNECTION_ITEM);
  g_assert_true (crier_live_list_get_server (live) == CRIER_BACKEND (server));
  g_signal_connect (list, "items-changed", G_CALLBACK (record_change_cb), changes);
  crier_live_list_flush (live); /* nothing queued: no signal */
  g_assert_cmpuint (changes->len, ==, 0);

  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CONNECTED, "1.1", NULL));
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CONNECTED, "2.2", NULL));
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CHANNEL_OCCUPIED, NULL, "orders")); /* not ours */
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CONNECTED, "3.3", NULL));
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CONNECTED, "4.4", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0); /* queued until the tick */
  crier_live_list_flush (live);
  g_assert_cmpuint (changes->len, ==, 1);
  change = &g_array_index (changes, Change, 0);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->removed, ==, 0);
  g_assert_cmpuint (change->added, ==, 4);
  assert_socket_ids (G_LIST_MODEL (list), (const char *[]){ "1.1", "2.2", "3.3", "4.4", NULL });

  /* An update in place is the item's business: no items_changed. */
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_SUBSCRIBED, "4.4", "orders"));
  crier_live_list_flush (live);
  g_assert_cmpuint (changes->len, ==, 1);

  /* Remove the second row, append two, one of which also goes: rows 1.. change once. */
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_DISCONNECTED, "3.3", NULL));
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CONNECTED, "5.5", NULL));
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_DISCONNECTED, "2.2", NULL));
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CONNECTED, "6.6", NULL));
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_DISCONNECTED, "6.6", NULL));
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_DISCONNECTED, "9.9", NULL)); /* unknown */
  crier_live_list_flush (live);
  g_assert_cmpuint (changes->len, ==, 2);
  change = &g_array_index (changes, Change, 1);
  g_assert_cmpuint (change->position, ==, 1);
  g_assert_cmpuint (change->removed, ==, 3);
  g_assert_cmpuint (change->added, ==, 2);
  assert_socket_ids (G_LIST_MODEL (list), (const char *[]){ "1.1", "4.4", "5.5", NULL });
  g_assert_null (crier_connection_list_find (list, "6.6"));
  g_assert_null (crier_connection_list_find (list, "2.2"));
  g_assert_nonnull (crier_connection_list_find (list, "5.5"));

  /* Events queued for the old server are dropped with its items. */
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CONNECTED, "7.7", NULL));
  crier_live_list_set_server (live, NULL);
  g_assert_cmpuint (changes->len, ==, 3);
  change = &g_array_index (changes, Change, 2);
  g_assert_cmpuint (change->position, ==, 0);
  g_assert_cmpuint (change->removed, ==, 3);
  g_assert_cmpuint (change->added, ==, 0);
  crier_live_list_flush (live);
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CONNECTED, "8.8", NULL)); /* not followed */
  crier_live_list_flush (live);
  g_assert_cmpuint (changes->len, ==, 3);
  g_assert_null (crier_connection_list_find (list, "7.7"));
  g_assert_false (crier_monitor_is_active (monitor));
}

static void
test_channel_list_presence (void)
{
  g_autoptr (CrierServerHost) server = crier_server_host_new (NULL, NULL);
  g_autoptr (CrierChannelList) list = crier_channel_list_new (CRIER_BACKEND (server));
  CrierMonitor      *monitor = crier_server_host_get_monitor (server);
  CrierMonitorEvent *event;
  CrierChannelItem  *item;

  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CHANNEL_OCCUPIED, "1.1", "presence-room"));
  event = make_event (CRIER_MONITOR_SUBSCRIBED, "1.1", "presence-room");
  event->count = 1;
  crier_monitor_emit (monitor, event);
  event = make_event (CRIER_MONITOR_MEMBER_ADDED, "1.1", "presence-room");
  event->user_id = g_strdup ("1");
  event->data = g_strdup ("{\"name\":\"Ada\"}");
  crier_monitor_emit (monitor, event);
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_EVENT_PUBLISHED, NULL, "presence-room"));
  crier_live_list_flush (CRIER_LIVE_LIST (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  item = crier_channel_list_find (list, "app-id", "presence-room");
  g_assert_nonnull (item);
  g_assert_cmpuint (crier_channel_item_get_subscribers (item), ==, 1);
  g_assert_cmpuint (crier_channel_item_get_events (item), ==, 1);
  g_assert_true (crier_channel_item_get_channel_type (item) & CRIER_CHANNEL_PRESENCE);
  g_assert_cmpuint (g_list_model_get_n_items (crier_channel_item_get_members (item)), ==, 1);
  {
    g_autoptr (CrierMemberItem) member = g_list_model_get_item (crier_channel_item_get_members (item), 0);

    g_assert_cmpstr (crier_member_item_get_user_info (member), ==, "{\"name\":\"Ada\"}");
  }
  event = make_event (CRIER_MONITOR_MEMBER_REMOVED, "1.1", "presence-room");
  event->user_id = g_strdup ("1");
  crier_monitor_emit (monitor, event);
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CHANNEL_VACATED, "1.1", "presence-room"));
  crier_live_list_flush (CRIER_LIVE_LIST (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
}

/* A flood to one channel updates its row once per tick, with the tick's total. */
static void
test_channel_list_one_notify_per_tick (void)
{
  g_autoptr (CrierServerHost) server = crier_server_host_new (NULL, NULL);
  g_autoptr (CrierChannelList) list = crier_channel_list_new (CRIER_BACKEND (server));
  CrierMonitor     *monitor = crier_server_host_get_monitor (server);
  CrierChannelItem *item;
  guint             n_events = 0;

  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CHANNEL_OCCUPIED, "1.1", "orders"));
  crier_live_list_flush (CRIER_LIVE_LIST (list));
  item = crier_channel_list_find (list, "app-id", "orders");
  g_assert_nonnull (item);
  g_signal_connect (item, "notify::events", G_CALLBACK (crier_test_count_notify_cb), &n_events);

  for (int i = 0; i < 300; i++)
    crier_monitor_emit (monitor, make_event (CRIER_MONITOR_EVENT_PUBLISHED, NULL, "orders"));
  g_assert_cmpuint (n_events, ==, 0); /* queued until the tick */
  crier_live_list_flush (CRIER_LIVE_LIST (list));
  g_assert_cmpuint (n_events, ==, 1);
  g_assert_cmpuint (crier_channel_item_get_events (item), ==, 300);

  /* Outside a tick a lookup holds nothing back. */
  g_assert_true (crier_channel_list_find (list, "app-id", "orders") == item);
  crier_channel_item_set_events (item, 301);
  g_assert_cmpuint (n_events, ==, 2);

  /* An item looked up and removed within one tick is let go cleanly. */
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_EVENT_PUBLISHED, NULL, "orders"));
  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CHANNEL_VACATED, "1.1", "orders"));
  g_object_ref (item);
  crier_live_list_flush (CRIER_LIVE_LIST (list));
  g_assert_cmpuint (n_events, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  crier_channel_item_set_events (item, 0); /* thawed: notifies at once */
  g_assert_cmpuint (n_events, ==, 4);
  g_object_unref (item);
}

/* Attached to a running server with a real client: the snapshot, then live updates. */
static void
test_lists_live (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  g_autoptr (CrierConnectionList) connections = NULL;
  g_autoptr (CrierChannelList) channels = NULL;
  g_autoptr (CrierTestClient) second = NULL;
  g_autoptr (JsonObject) reply G_GNUC_UNUSED = crier_test_client_subscribe (client, "orders", NULL, NULL);

  connections = crier_connection_list_new (CRIER_BACKEND (server->host));
  channels = crier_channel_list_new (CRIER_BACKEND (server->host));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (connections)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (channels)), ==, 1);
  g_assert_cmpuint (crier_channel_item_get_subscribers (crier_channel_list_find (channels, CRIER_TEST_APP_ID, "orders")), ==, 1);

  second = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  crier_test_wait_until (g_list_model_get_n_items (G_LIST_MODEL (connections)) == 2, CRIER_TEST_TIMEOUT);
  g_clear_pointer (&client, crier_test_client_free);
  crier_test_wait_until (g_list_model_get_n_items (G_LIST_MODEL (channels)) == 0, CRIER_TEST_TIMEOUT);
  crier_test_wait_until (g_list_model_get_n_items (G_LIST_MODEL (connections)) == 1, CRIER_TEST_TIMEOUT);
}

static void
test_stats_sampler (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  g_autoptr (CrierStatsSampler) sampler = crier_stats_sampler_new (CRIER_BACKEND (server->host));
  g_autoptr (CrierTestClient) client G_GNUC_UNUSED = crier_test_client_connect (server, CRIER_TEST_APP_KEY);

  crier_stats_sampler_sample (sampler);
  g_assert_cmpuint (crier_stats_sampler_get_n_samples (sampler), ==, 1);
  g_assert_cmpuint (crier_stats_sampler_get_sample (sampler, 0)->connections, ==, 1);
  for (int i = 0; i < CRIER_STATS_SAMPLER_HISTORY + 5; i++)
    crier_stats_sampler_sample (sampler);
  g_assert_cmpuint (crier_stats_sampler_get_n_samples (sampler), ==, CRIER_STATS_SAMPLER_HISTORY);
  g_assert_cmpuint (crier_stats_sampler_get_stats (sampler)->peak_connections, ==, 1);
}

static void
test_laravel_env (void)
{
  g_autoptr (CrierAppConfig) app = crier_app_config_new ("app-id", "app-key", "app-secret");
  g_autofree char *pusher = crier_laravel_env_block (app, "0.0.0.0", 6001, FALSE, "pusher", CRIER_LARAVEL_ENV_DEFAULT);
  g_autofree char *reverb = crier_laravel_env_block (app, "127.0.0.1", 8080, TRUE, "reverb", CRIER_LARAVEL_ENV_DEFAULT);
  g_autofree char *echo = crier_laravel_echo_snippet ("reverb");
  g_autofree char *sail = crier_laravel_env_block (app, "0.0.0.0", 6001, FALSE, "pusher",
                                                   CRIER_LARAVEL_ENV_DOCKER | CRIER_LARAVEL_ENV_MASK_SECRET);
  g_autofree char *sail_loopback = crier_laravel_env_block (app, "127.0.0.1", 8080, FALSE, "reverb",
                                                            CRIER_LARAVEL_ENV_DOCKER);

  g_assert_nonnull (strstr (pusher, "BROADCAST_CONNECTION=pusher\n"));
  g_assert_nonnull (strstr (pusher, "PUSHER_APP_SECRET=app-secret\n"));
  g_assert_nonnull (strstr (pusher, "PUSHER_HOST=127.0.0.1\nPUSHER_PORT=6001\nPUSHER_SCHEME=http\n"));
  g_assert_nonnull (strstr (pusher, "VITE_PUSHER_APP_CLUSTER=\"${PUSHER_APP_CLUSTER}\""));
  g_assert_nonnull (strstr (reverb, "BROADCAST_CONNECTION=reverb\n"));
  g_assert_nonnull (strstr (reverb, "REVERB_PORT=8080\nREVERB_SCHEME=https\n"));
  g_assert_null (strstr (reverb, "VITE_REVERB_APP_SECRET"));
  g_assert_nonnull (strstr (echo, "broadcaster: 'reverb'"));
  g_assert_null (strstr (pusher, "#"));

  /* Sail: PHP in the container goes through host.docker.internal, the browser to localhost;
   * the secret is masked for display. */
  g_assert_nonnull (strstr (sail, "\nPUSHER_HOST=host.docker.internal\nPUSHER_PORT=6001\n"));
  g_assert_nonnull (strstr (sail, "\nVITE_PUSHER_HOST=localhost\n"));
  g_assert_nonnull (strstr (sail, "PUSHER_APP_SECRET=" CRIER_LARAVEL_MASKED_SECRET "\n"));
  g_assert_null (strstr (sail, "app-secret"));
  g_assert_null (strstr (sail, "0.0.0.0 (Preferences")); /* listens everywhere: no warning */
  g_assert_nonnull (strstr (sail_loopback, "REVERB_HOST=\"host.docker.internal\"\n"));
  g_assert_nonnull (strstr (sail_loopback, "VITE_REVERB_HOST=localhost\n"));
  g_assert_nonnull (strstr (sail_loopback, "REVERB_APP_SECRET=app-secret\n"));
  g_assert_true (g_str_has_prefix (sail_loopback, "# Crier listens on 127.0.0.1 only"));
}

static void
test_notification_data (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *data = crier_notification_build_data ("{\"invoice_id\":7,\"id\":1}",
                                                         "App\\Notifications\\InvoicePaid", &id, &error);
  g_autofree char *expected = NULL;
  g_autofree char *channel = crier_notification_channel (NULL, "1");

  g_assert_no_error (error);
  g_assert_true (g_uuid_string_is_valid (id));
  /* A data key named id keeps its place but gets the notification's id (array_merge). */
  expected = g_strdup_printf ("{\"invoice_id\":7,\"id\":\"%s\",\"type\":\"App\\\\Notifications\\\\InvoicePaid\"}", id);
  g_assert_cmpstr (data, ==, expected);
  g_assert_cmpstr (channel, ==, "private-App.Models.User.1");
  g_assert_null (crier_notification_build_data ("[1]", "X", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_config_writer (void)
{
  const char *existing = "# my settings\n[server]\nport=7000\n\n[app:old]\nkey=old-key\nsecret=old-secret\n";
  g_autoptr (GPtrArray) apps = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_app_config_unref);
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  CrierAppConfig  *app;

  g_ptr_array_add (apps, crier_app_config_new ("new", "new-key", "new-secret"));
  ((CrierAppConfig *) apps->pdata[0])->client_events = FALSE;
  text = crier_config_write_apps (existing, apps, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "# my settings"));
  g_assert_null (strstr (text, "[app:old]"));
  g_assert_true (crier_config_load_data (config, text, "written", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (crier_config_get_port (config), ==, 7000);
  g_assert_cmpuint (crier_config_get_apps (config)->len, ==, 1);
  app = crier_config_find_app (config, "new");
  g_assert_nonnull (app);
  g_assert_cmpstr (app->secret, ==, "new-secret");
  g_assert_false (app->client_events);
  g_ptr_array_set_size (apps, 0);
  g_assert_null (crier_config_write_apps (existing, apps, &error));
  g_assert_error (error, CRIER_CONFIG_ERROR, CRIER_CONFIG_ERROR_INVALID);
}

static CrierMonitorEvent *
make_published (const char *details,
                unsigned    count,
                const char *explanation)
{
  CrierMonitorEvent *event = make_event (CRIER_MONITOR_EVENT_PUBLISHED, "1.2", "orders");

  event->event = g_strdup ("App\\Events\\OrderShipped");
  event->data = g_strdup ("{\"id\":1}");
  event->count = count;
  /* as the server counts it: the trace names a socket it left out */
  event->excluded = strstr (details, "\"excluded\":\"") != NULL;
  event->details = g_strdup (details);
  event->explanation = g_strdup (explanation);
  return event;
}

/* The delivery trace of a broadcast in words: receivers, the excluded socket, the listen. */
static void
test_event_item_delivery (void)
{
  g_autoptr (CrierMonitorEvent) event = make_published (
    "{\"delivered\":[\"1.1\",\"1.3\"],\"delivered_count\":2,\"excluded\":\"1.2\","
    "\"listen\":\".listen('.App\\\\Events\\\\OrderShipped', callback)\"}",
    2, NULL);
  g_autoptr (CrierEventItem) item = crier_event_item_new (event);
  g_autoptr (CrierMonitorEvent) missed = make_published (
    "{\"delivered\":[],\"delivered_count\":0,\"excluded\":null,\"listen\":\".listen('OrderShipped', callback)\"}",
    0, "no subscriber on 'orders'; 'order' has 2");
  g_autoptr (CrierEventItem) missed_item = crier_event_item_new (missed);
  g_autofree char *trace = crier_event_item_dup_trace (item);
  g_autofree char *missed_trace = crier_event_item_dup_trace (missed_item);
  gboolean         has_subtitle = FALSE;

  g_assert_cmpstr (crier_event_item_get_delivery (item), ==, "delivered to 2, excluded 1");
  g_assert_cmpstr (crier_event_item_get_subtitle (item), ==, "delivered to 2, excluded 1");
  g_assert_nonnull (strstr (trace, "Received by:\n  1.1\n  1.3\n"));
  g_assert_nonnull (strstr (trace, "Excluded by socket_id (toOthers()): 1.2\n"));
  g_assert_nonnull (strstr (trace, "Echo hears it with: .listen('.App\\Events\\OrderShipped', callback)"));
  g_assert_true (crier_event_item_is_replayable (item));

  g_assert_cmpstr (crier_event_item_get_delivery (missed_item), ==, "delivered to 0, excluded 0");
  g_assert_cmpstr (crier_event_item_get_subtitle (missed_item), ==,
                   "delivered to 0, excluded 0 — no subscriber on 'orders'; 'order' has 2");
  g_assert_null (strstr (missed_trace, "Received by"));
  g_assert_null (strstr (missed_trace, "Excluded"));
  g_object_get (missed_item, "has-subtitle", &has_subtitle, NULL);
  g_assert_true (has_subtitle);
}

/* An auth failure's row and search carry the core's explanation. */
static void
test_event_item_explanation (void)
{
  g_autoptr (CrierMonitorEvent) event = make_event (CRIER_MONITOR_AUTH_FAILED, "1.2", "private-a");
  g_autoptr (CrierEventItem) item = NULL;
  g_autoptr (CrierMonitorEvent) connected = make_event (CRIER_MONITOR_CONNECTED, "1.2", NULL);
  g_autoptr (CrierEventItem) plain = crier_event_item_new (connected);
  g_autofree char *explanation = NULL;

  event->explanation = g_strdup ("Wrong secret: the signature was made with the secret of app 'b'");
  item = crier_event_item_new (event);
  g_assert_cmpstr (crier_event_item_get_subtitle (item), ==, event->explanation);
  g_assert_null (crier_event_item_get_delivery (item));
  g_assert_null (crier_event_item_dup_trace (item));
  {
    g_autofree char *search = crier_event_item_dup_search_text (item);
    g_assert_nonnull (strstr (search, "Wrong secret"));
  }
  g_assert_false (crier_event_item_is_replayable (item));
  g_object_get (item, "explanation", &explanation, NULL);
  g_assert_cmpstr (explanation, ==, event->explanation);
  g_assert_cmpstr (crier_event_item_get_subtitle (plain), ==, "");
}

/* Export, then import into another log: the same events, marked imported. */
static void
test_event_log_import (void)
{
  g_autoptr (CrierEventLog) log = crier_event_log_new (100);
  g_autoptr (CrierEventLog) other = crier_event_log_new (3);
  g_autoptr (CrierMonitorEvent) published = make_published (
    "{\"delivered\":[\"1.1\"],\"delivered_count\":1,\"excluded\":null,\"listen\":\"x\"}", 1, NULL);
  g_autoptr (CrierMonitorEvent) failed = make_event (CRIER_MONITOR_AUTH_FAILED, "1.2", "private-a");
  g_autoptr (CrierMonitorEvent) live = make_event (CRIER_MONITOR_CONNECTED, "9.9", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  guint            n = 0;

  failed->explanation = g_strdup ("The key and the secret are swapped");
  failed->code = 4009;
  published->time = 1700000000123456;
  crier_event_log_push (log, published);
  crier_event_log_push (log, failed);
  crier_event_log_flush (log);
  text = crier_event_log_to_json_lines (log, NULL);

  crier_event_log_push (other, live);
  g_assert_true (crier_event_log_import (other, text, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (other)), ==, 3);
  {
    g_autoptr (CrierEventItem) first = g_list_model_get_item (G_LIST_MODEL (other), 0);
    g_autoptr (CrierEventItem) second = g_list_model_get_item (G_LIST_MODEL (other), 1);
    g_autoptr (CrierEventItem) third = g_list_model_get_item (G_LIST_MODEL (other), 2);
    const CrierMonitorEvent *e = crier_event_item_get_event (second);
    const CrierMonitorEvent *f = crier_event_item_get_event (third);

    g_assert_false (crier_event_item_get_imported (first)); /* the live one stays first */
    g_assert_true (crier_event_item_get_imported (second));
    g_assert_cmpint (e->kind, ==, CRIER_MONITOR_EVENT_PUBLISHED);
    g_assert_cmpint (e->time, ==, 1700000000123456);
    g_assert_cmpstr (e->channel, ==, "orders");
    g_assert_cmpstr (e->event, ==, "App\\Events\\OrderShipped");
    g_assert_cmpstr (e->data, ==, "{\"id\":1}");
    g_assert_cmpstr (e->socket_id, ==, "1.2");
    g_assert_cmpstr (crier_event_item_get_delivery (second), ==, "delivered to 1, excluded 0");
    g_assert_true (crier_event_item_is_replayable (second));
    g_assert_cmpint (f->kind, ==, CRIER_MONITOR_AUTH_FAILED);
    g_assert_cmpint (f->code, ==, 4009);
    g_assert_cmpstr (f->explanation, ==, "The key and the secret are swapped");
  }
  /* The capacity holds; a bad line fails the whole import with its number. */
  g_assert_true (crier_event_log_import (other, text, &n, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (other)), ==, 3);
  g_assert_false (crier_event_log_import (other, "{\"kind\":\"connected\"}\n\n{\"kind\":\"nope\"}\n", &n, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, "Line 3: unknown event kind “nope”");
  g_clear_error (&error);
  g_assert_false (crier_event_log_import (other, "not json\n", &n, &error));
  g_assert_nonnull (strstr (error->message, "Line 1: "));
}

/* A connection keeps its latest auth failures, bounded. */
static void
test_connection_auth_failures (void)
{
  g_autoptr (CrierServerHost) server = crier_server_host_new (NULL, NULL);
  g_autoptr (CrierConnectionList) list = crier_connection_list_new (CRIER_BACKEND (server));
  CrierMonitor        *monitor = crier_server_host_get_monitor (server);
  CrierConnectionItem *item;
  GListModel          *failures;

  crier_monitor_emit (monitor, make_event (CRIER_MONITOR_CONNECTED, "1.1", NULL));
  for (int i = 0; i < 12; i++)
    {
      CrierMonitorEvent *failed = make_event (CRIER_MONITOR_AUTH_FAILED, "1.1", "private-a");

      failed->explanation = g_strdup_printf ("failure %d", i);
      crier_monitor_emit (monitor, failed);
    }
  crier_live_list_flush (CRIER_LIVE_LIST (list));
  item = crier_connection_list_find (list, "1.1");
  g_assert_nonnull (item);
  failures = crier_connection_item_get_auth_failures (item);
  g_assert_cmpuint (g_list_model_get_n_items (failures), ==, 10);
  {
    g_autoptr (CrierEventItem) last = g_list_model_get_item (failures, 9);

    g_assert_cmpstr (crier_event_item_get_explanation (last), ==, "failure 11");
  }
}

static guint
count_replayable (CrierEventLog *log)
{
  guint n = 0;

  crier_event_log_flush (log);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (log)); i++)
    {
      g_autoptr (CrierEventItem) logged = g_list_model_get_item (G_LIST_MODEL (log), i);

      n += crier_event_item_is_replayable (logged);
    }
  return n;
}

/* Waits for the answer of a command posted with crier_test_store_result. */
static gboolean
finish_command (CrierServerHost *host,
                GAsyncResult   **result,
                GError         **error)
{
  gboolean ok;

  crier_test_wait_until (*result != NULL, CRIER_TEST_TIMEOUT);
  ok = crier_backend_command_finish (CRIER_BACKEND (host), *result, error);
  g_clear_object (result);
  return ok;
}

/* Members the dashboard added are marked; replay sends broadcasts and client events again. */
static void
test_simulated_and_replay (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  g_autoptr (CrierChannelList) channels = crier_channel_list_new (CRIER_BACKEND (server->host));
  g_autoptr (CrierEventLog) log = crier_event_log_new (100);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  const char               *channel_data = "{\"user_id\":\"1\"}";
  g_autoptr (JsonObject) ok G_GNUC_UNUSED = crier_test_client_subscribe_signed (client, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET,
                                                                                "presence-room", channel_data);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) simulated = NULL;
  CrierChannelItem *item = NULL;
  const char       *channels_list[] = { "presence-room", NULL };
  GAsyncResult     *result = NULL;

  crier_event_log_set_monitor (log, crier_server_host_get_monitor (server->host));
  crier_backend_add_simulated_member (CRIER_BACKEND (server->host), CRIER_TEST_APP_ID, "presence-room", "bot",
                                      "{\"name\":\"Bot\"}", NULL, crier_test_store_result, &result);
  g_assert_true (finish_command (server->host, &result, &error));
  crier_test_wait_until ((crier_live_list_flush (CRIER_LIVE_LIST (channels)),
                          (item = crier_channel_list_find (channels, CRIER_TEST_APP_ID, "presence-room")) != NULL &&
                            g_list_model_get_n_items (crier_channel_item_get_members (item)) == 2),
                         CRIER_TEST_TIMEOUT);
  simulated = crier_channel_item_dup_simulated_members (item);
  g_assert_cmpstrv (simulated, ((const char *[]){ "bot", NULL }));
  {
    /* A list opened later learns the mark from the server's snapshot, not from the event. */
    g_autoptr (CrierChannelList) later = crier_channel_list_new (CRIER_BACKEND (server->host));
    CrierChannelItem *snapshot = crier_channel_list_find (later, CRIER_TEST_APP_ID, "presence-room");
    g_auto (GStrv) marked = NULL;

    g_assert_nonnull (snapshot);
    marked = crier_channel_item_dup_simulated_members (snapshot);
    g_assert_cmpstrv (marked, ((const char *[]){ "bot", NULL }));
  }
  {
    g_autoptr (JsonObject) added G_GNUC_UNUSED = crier_test_client_expect (client, "pusher_internal:member_added", "presence-room");
  }

  crier_backend_publish (CRIER_BACKEND (server->host), CRIER_TEST_APP_ID, channels_list, "tick", "{\"n\":1}",
                         NULL, NULL, crier_test_store_result, &result);
  g_assert_true (finish_command (server->host, &result, &error));
  crier_backend_send_client_event (CRIER_BACKEND (server->host), CRIER_TEST_APP_ID, "presence-room",
                                   "client-typing", "{\"t\":1}", "bot", NULL,
                                   crier_test_store_result, &result);
  g_assert_true (finish_command (server->host, &result, &error));
  {
    g_autoptr (JsonObject) tick   G_GNUC_UNUSED = crier_test_client_expect (client, "tick", "presence-room");
    g_autoptr (JsonObject) typing G_GNUC_UNUSED = crier_test_client_expect (client, "client-typing", "presence-room");
  }
  /* The log learns of both from the server's thread, in a batch. */
  crier_test_wait_until (count_replayable (log) == 2, CRIER_TEST_TIMEOUT);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (log)); i++)
    {
      g_autoptr (CrierEventItem) logged = g_list_model_get_item (G_LIST_MODEL (log), i);

      if (crier_event_item_is_replayable (logged))
        {
          g_assert_true (crier_event_item_replay (logged, CRIER_BACKEND (server->host), crier_test_store_result,
                                                  &result, &error));
          g_assert_true (finish_command (server->host, &result, &error));
        }
      g_assert_no_error (error);
    }
  {
    g_autoptr (JsonObject) tick = crier_test_client_expect (client, "tick", "presence-room");
    g_autoptr (JsonObject) typing = crier_test_client_expect (client, "client-typing", "presence-room");

    g_assert_cmpstr (json_object_get_string_member (tick, "data"), ==, "{\"n\":1}");
    g_assert_cmpstr (json_object_get_string_member (typing, "data"), ==, "{\"t\":1}");
    g_assert_cmpstr (json_object_get_string_member (typing, "user_id"), ==, "bot");
  }
}

/* ---- Event log: retention, folding, the drop notice, the badge counter, memory (h-log) ---- */

/* An ordinary broadcast as the server logs it: delivered to one socket, with its trace. */
static CrierMonitorEvent *
make_ordinary (guint   n,
               guint64 request_id)
{
  CrierMonitorEvent *event = make_event (CRIER_MONITOR_EVENT_PUBLISHED, NULL, "orders");

  event->event = g_strdup ("App\\Events\\OrderShipped");
  event->data = g_strdup_printf ("{\"order\":{\"id\":%u,\"status\":\"shipped\"}}", n);
  event->details = g_strdup ("{\"delivered\":[\"123.456\"],\"delivered_count\":1,\"excluded\":null,"
                             "\"listen\":\".listen('.App\\\\Events\\\\OrderShipped')\"}");
  event->message = g_strdup ("delivered to 1");
  event->count = 1;
  event->request_id = request_id;
  return event;
}

static CrierMonitorEvent *
make_request (guint64     request_id,
              unsigned    status,
              const char *what)
{
  CrierMonitorEvent *event = crier_monitor_event_new (CRIER_MONITOR_API_REQUEST);

  event->app_id = g_strdup ("app-id");
  event->event = g_strdup (what);
  event->code = status;
  event->remote = g_strdup ("127.0.0.1");
  event->request_id = request_id;
  return event;
}

/* Failures of every family, the flood must not evict them. */
static GPtrArray *
make_failures (void)
{
  GPtrArray         *failures = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_monitor_event_unref);
  CrierMonitorEvent *event;

  for (guint i = 0; i < 3; i++)
    {
      event = make_event (CRIER_MONITOR_AUTH_FAILED, "1.1", "private-orders");
      event->code = 4009;
      event->count = i; /* tells them apart */
      g_ptr_array_add (failures, event);
      event = make_ordinary (0, 0);
      event->count = 0; /* reached nobody */
      event->explanation = g_strdup ("no subscriber on 'orders'");
      g_ptr_array_add (failures, event);
    }
  g_ptr_array_add (failures, make_event (CRIER_MONITOR_PROTOCOL_ERROR, "1.1", NULL));
  g_ptr_array_add (failures, make_event (CRIER_MONITOR_WEBHOOK_FAILED, NULL, NULL));
  g_ptr_array_add (failures, make_request (0, 401, "POST /apps/app-id/events"));
  return failures;
}

static guint
count_failure_rows (GListModel *log)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (log); i++)
    {
      g_autoptr (CrierEventItem) item = g_list_model_get_item (log, i);

      n += crier_event_item_is_failure (item);
    }
  return n;
}

/* Pushes n ordinary broadcasts, flushing every per_tick as the timer would; returns the
 * largest number of items_changed one flush emitted. */
static guint
flood (CrierEventLog *log,
       guint          first,
       guint          n,
       guint          per_tick)
{
  guint most = 0;

  for (guint i = first; i < first + n; i++)
    {
      g_autoptr (CrierMonitorEvent) event = make_ordinary (i, 0);

      crier_event_log_push (log, event);
      if ((i + 1 - first) % per_tick == 0 || i + 1 == first + n)
        {
          n_changes = 0;
          crier_event_log_flush (log);
          most = MAX (most, n_changes);
        }
    }
  return most;
}

/* 200 000 ordinary events after a few failures: the log is full of the newest events and
 * still holds every failure; failures past their budget (half the log) go oldest first. */
static void
test_event_log_retention (void)
{
  g_autoptr (CrierEventLog) log = crier_event_log_new (CRIER_EVENT_LOG_DEFAULT_CAPACITY);
  g_autoptr (GPtrArray) failures = make_failures ();
  guint capacity = crier_event_log_get_capacity (log);
  guint most;

  g_assert_cmpuint (capacity, >=, 100000);
  g_signal_connect (log, "items-changed", G_CALLBACK (count_changes_cb), NULL);
  /* Failures between ordinary events, as they come. */
  for (guint i = 0; i < failures->len; i++)
    {
      g_autoptr (CrierMonitorEvent) before = make_ordinary (i, 0);

      crier_event_log_push (log, before);
      crier_event_log_push (log, g_ptr_array_index (failures, i));
    }
  crier_event_log_flush (log);
  most = flood (log, 1000, 200000, 2000);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, capacity);
  g_assert_cmpuint (most, <=, 2); /* still batched: the evicted span, the new tail */
  g_assert_cmpuint (crier_event_log_get_total (log), ==, 2 * failures->len + 200000);
  g_assert_cmpuint (crier_event_log_get_dropped (log), ==, 2 * failures->len + 200000 - capacity);
  /* Every failure, in order, at the head; then the newest ordinary events. */
  g_assert_cmpuint (count_failure_rows (G_LIST_MODEL (log)), ==, failures->len);
  for (guint i = 0; i < failures->len; i++)
    {
      g_autoptr (CrierEventItem) item = g_list_model_get_item (G_LIST_MODEL (log), i);

      g_assert_true (crier_event_item_get_event (item) == g_ptr_array_index (failures, i));
    }
  {
    g_autoptr (CrierEventItem) next = g_list_model_get_item (G_LIST_MODEL (log), failures->len);
    g_autoptr (CrierEventItem) last = g_list_model_get_item (G_LIST_MODEL (log), capacity - 1);
    g_autofree char *first_kept = g_strdup_printf ("{\"order\":{\"id\":%u,", 1000 + 200000 - (capacity - failures->len));

    g_assert_true (g_str_has_prefix (crier_event_item_get_event (next)->data, first_kept));
    g_assert_true (g_str_has_prefix (crier_event_item_get_event (last)->data, "{\"order\":{\"id\":200999,"));
  }

  /* Failures one past the budget (half the log): the log stays full, the oldest failure
   * goes, and only it. */
  for (guint i = 0; i < capacity / 2 - failures->len + 1; i++)
    {
      g_autoptr (CrierMonitorEvent) unheard = make_ordinary (i, 0);

      unheard->count = 0;
      crier_event_log_push (log, unheard);
      if (i % 5000 == 0)
        crier_event_log_flush (log);
    }
  crier_event_log_flush (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, capacity);
  {
    g_autoptr (CrierEventItem) head = g_list_model_get_item (G_LIST_MODEL (log), 0);

    g_assert_false (crier_event_item_get_event (head) == g_ptr_array_index (failures, 0));
    g_assert_true (crier_event_item_get_event (head) == g_ptr_array_index (failures, 1));
  }

  /* Shrinking keeps failures too. */
  crier_event_log_set_capacity (log, 1000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1000);
  g_assert_cmpuint (count_failure_rows (G_LIST_MODEL (log)), ==, 1000);
}

static gboolean
has_request (CrierEventItem *item,
             const char     *what)
{
  const CrierMonitorEvent *request = crier_event_item_get_request (item);

  return request != NULL && g_strcmp0 (request->event, what) == 0;
}

/* A request that published is folded into the rows it published; queries, refusals and
 * requests whose publications were dropped stay rows; export and import fold again. */
static void
test_event_log_folding (void)
{
  g_autoptr (CrierEventLog) log = crier_event_log_new (100);
  g_autoptr (CrierEventLog) other = crier_event_log_new (100);
  g_autoptr (GError) error = NULL;
  g_autofree char   *text = NULL;
  g_autofree char   *details = NULL;
  g_autofree char   *search = NULL;
  guint              n = 0;
  CrierMonitorEvent *events[] = {
    make_ordinary (1, 41),
    make_ordinary (2, 41),
    make_request (41, 200, "POST /apps/app-id/events"),
    make_request (0, 200, "GET /apps/app-id/channels"),
    make_request (0, 401, "POST /apps/app-id/events"),
    make_ordinary (3, 42),
    make_event (CRIER_MONITOR_CONNECTED, "1.9", NULL),
    make_request (42, 200, "POST /apps/app-id/batch_events"),
  };

  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    crier_event_log_push (log, events[i]);
  crier_event_log_flush (log);
  {
    g_autoptr (CrierMonitorEvent) late = make_request (42, 200, "POST /apps/app-id/events");

    late->request_id = 43;
    crier_event_log_push (log, late); /* publications not logged: stays a row */
  }
  {
    /* A publication in one tick, its api_request in the next. */
    g_autoptr (CrierMonitorEvent) republished = make_ordinary (4, 44);
    g_autoptr (CrierMonitorEvent) request = make_request (44, 200, "POST /apps/app-id/events");

    crier_event_log_push (log, republished);
    crier_event_log_flush (log);
    crier_event_log_push (log, request);
    crier_event_log_flush (log);
  }
  /* published, published, GET, 401, published(42), connected, api_request 43, published(44) */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 8);
  {
    g_autoptr (CrierEventItem) first = g_list_model_get_item (G_LIST_MODEL (log), 0);
    g_autoptr (CrierEventItem) second = g_list_model_get_item (G_LIST_MODEL (log), 1);
    g_autoptr (CrierEventItem) query = g_list_model_get_item (G_LIST_MODEL (log), 2);
    g_autoptr (CrierEventItem) refused = g_list_model_get_item (G_LIST_MODEL (log), 3);
    g_autoptr (CrierEventItem) batch = g_list_model_get_item (G_LIST_MODEL (log), 4);
    g_autoptr (CrierEventItem) orphan = g_list_model_get_item (G_LIST_MODEL (log), 6);
    g_autoptr (CrierEventItem) later = g_list_model_get_item (G_LIST_MODEL (log), 7);

    g_assert_true (has_request (first, "POST /apps/app-id/events"));
    g_assert_true (crier_event_item_get_request (first) == crier_event_item_get_request (second));
    g_assert_cmpint (crier_event_item_get_kind (query), ==, CRIER_MONITOR_API_REQUEST);
    g_assert_null (crier_event_item_get_request (query));
    g_assert_cmpint (crier_event_item_get_event (refused)->code, ==, 401);
    g_assert_true (has_request (batch, "POST /apps/app-id/batch_events"));
    g_assert_cmpint (crier_event_item_get_kind (orphan), ==, CRIER_MONITOR_API_REQUEST);
    g_assert_true (has_request (later, "POST /apps/app-id/events"));
    /* The request in the row's details, and found by the filter. */
    details = crier_event_item_dup_details (first);
    g_assert_nonnull (strstr (details, "\"request\" : {"));
    g_assert_nonnull (strstr (details, "\"event\" : \"POST /apps/app-id/events\""));
    g_assert_nonnull (strstr (details, "\"remote\" : \"127.0.0.1\""));
    g_assert_nonnull (strstr (details, "\"code\" : 200"));
    search = crier_event_item_dup_search_text (later);
    g_assert_nonnull (strstr (search, "POST /apps/app-id/events"));
  }
  /* Exported with the request after its last row, imported folded again. */
  text = crier_event_log_to_json_lines (log, NULL);
  g_assert_nonnull (strstr (text, "\"request_id\":41"));
  g_assert_true (crier_event_log_import (other, text, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 8);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (other)), ==, 8);
  {
    g_autoptr (CrierEventItem) first = g_list_model_get_item (G_LIST_MODEL (other), 0);
    g_autoptr (CrierEventItem) second = g_list_model_get_item (G_LIST_MODEL (other), 1);

    g_assert_true (has_request (first, "POST /apps/app-id/events"));
    g_assert_true (crier_event_item_get_request (first) == crier_event_item_get_request (second));
  }
  /* Ids are unique in one process: an imported request never folds into a live row. */
  {
    g_autoptr (CrierMonitorEvent) waiting = make_ordinary (5, 50);
    g_autoptr (CrierEventItem) live = NULL;
    g_autofree char *line = NULL;
    g_autoptr (CrierMonitorEvent) foreign = make_request (50, 200, "POST /apps/app-id/events");

    crier_event_log_push (log, waiting);
    crier_event_log_flush (log);
    line = crier_monitor_event_to_json (foreign);
    g_assert_true (crier_event_log_import (log, line, &n, &error));
    g_assert_cmpuint (n, ==, 1);
    live = g_list_model_get_item (G_LIST_MODEL (log), 8);
    g_assert_true (crier_event_item_get_event (live) == waiting);
    g_assert_null (crier_event_item_get_request (live));
  }
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    crier_monitor_event_unref (events[i]);
}

/* The real server links them: one row per HTTP trigger (one per channel), the request in it. */
static void
test_event_log_folding_server (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (TEST_CONFIG);
  g_autoptr (CrierEventLog) log = crier_event_log_new (100);
  const char      *body = "{\"name\":\"OrderShipped\",\"channels\":[\"orders\",\"audit\"],\"data\":\"{}\"}";
  g_autofree char *query = crier_test_sign_query ("POST", "/apps/" CRIER_TEST_APP_ID "/events", CRIER_TEST_APP_KEY,
                                                  CRIER_TEST_APP_SECRET, body, g_get_real_time () / G_USEC_PER_SEC, NULL);
  g_autofree char *target = g_strconcat ("/apps/" CRIER_TEST_APP_ID "/events?", query, NULL);
  g_autofree char *get_query = crier_test_sign_query ("GET", "/apps/" CRIER_TEST_APP_ID "/channels", CRIER_TEST_APP_KEY,
                                                      CRIER_TEST_APP_SECRET, NULL, g_get_real_time () / G_USEC_PER_SEC, NULL);
  g_autofree char *get_target = g_strconcat ("/apps/" CRIER_TEST_APP_ID "/channels?", get_query, NULL);
  guint            n_published = 0, n_requests = 0;

  crier_event_log_set_monitor (log, crier_server_get_monitor (server->server));
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (CrierTestResponse) response = crier_test_http (server, "POST", target, body);

      g_assert_cmpuint (response->status, ==, 200);
    }
  {
    g_autoptr (CrierTestResponse) response = crier_test_http (server, "GET", get_target, NULL);

    g_assert_cmpuint (response->status, ==, 200);
  }
  crier_event_log_flush (log);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (log)); i++)
    {
      g_autoptr (CrierEventItem) item = g_list_model_get_item (G_LIST_MODEL (log), i);

      if (crier_event_item_get_kind (item) == CRIER_MONITOR_EVENT_PUBLISHED)
        {
          const CrierMonitorEvent *request = crier_event_item_get_request (item);

          n_published++;
          g_assert_nonnull (request);
          g_assert_cmpstr (request->event, ==, "POST /apps/" CRIER_TEST_APP_ID "/events");
          g_assert_cmpint (request->code, ==, 200);
          g_assert_nonnull (request->remote);
          g_assert_cmpuint (request->request_id, ==, crier_event_item_get_event (item)->request_id);
        }
      else if (crier_event_item_get_kind (item) == CRIER_MONITOR_API_REQUEST)
        {
          n_requests++;
          g_assert_cmpstr (crier_event_item_get_event (item)->event, ==, "GET /apps/" CRIER_TEST_APP_ID "/channels");
        }
    }
  g_assert_cmpuint (n_published, ==, 4); /* two triggers, two channels each */
  g_assert_cmpuint (n_requests, ==, 1);  /* the query alone */
  {
    /* Two triggers, two requests: rows 0-1 share one, rows 2-3 the other. */
    g_autoptr (CrierEventItem) a = g_list_model_get_item (G_LIST_MODEL (log), 0);
    g_autoptr (CrierEventItem) b = g_list_model_get_item (G_LIST_MODEL (log), 2);

    g_assert_true (crier_event_item_get_request (a) != crier_event_item_get_request (b));
  }
}

/* Dropped events are counted, said in the export and read back by the import. */
static void
test_event_log_dropped (void)
{
  g_autoptr (CrierEventLog) log = crier_event_log_new (100);
  g_autoptr (CrierEventLog) other = crier_event_log_new (1000);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  guint            n = 0;

  flood (log, 0, 150, 150);
  g_assert_cmpuint (crier_event_log_get_dropped (log), ==, 50);
  text = crier_event_log_to_json_lines (log, NULL);
  g_assert_true (g_str_has_prefix (text, "{\"dropped\":50}\n{\"time\":"));
  g_assert_true (crier_event_log_import (other, text, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 100);
  g_assert_cmpuint (crier_event_log_get_dropped (other), ==, 50);
  crier_event_log_clear (log);
  g_assert_cmpuint (crier_event_log_get_dropped (log), ==, 0);
}

/* Live failures count until seen, told once per tick; imported ones are not news. */
static void
test_event_log_unseen_failures (void)
{
  g_autoptr (CrierEventLog) log = crier_event_log_new (100);
  g_autoptr (GPtrArray) failures = make_failures ();
  g_autofree char *text = NULL;
  guint            n_notify = 0, unseen = 0;

  g_signal_connect (log, "notify::unseen-failures", G_CALLBACK (crier_test_count_notify_cb), &n_notify);
  flood (log, 0, 10, 10);
  g_assert_cmpuint (crier_event_log_get_unseen_failures (log), ==, 0);
  for (guint i = 0; i < failures->len; i++)
    crier_event_log_push (log, g_ptr_array_index (failures, i));
  flood (log, 10, 10, 10);
  g_object_get (log, "unseen-failures", &unseen, NULL);
  g_assert_cmpuint (unseen, ==, failures->len);
  g_assert_cmpuint (n_notify, ==, 1);
  crier_event_log_mark_seen (log);
  g_assert_cmpuint (crier_event_log_get_unseen_failures (log), ==, 0);
  g_assert_cmpuint (n_notify, ==, 2);
  text = crier_event_log_to_json_lines (log, NULL);
  g_assert_true (crier_event_log_import (log, text, NULL, NULL));
  g_assert_cmpuint (crier_event_log_get_unseen_failures (log), ==, 0);
}

/* Memory per row: 100 000 typical rows (broadcasts with their trace, half of them with
 * their API request folded in) measured with mallinfo2 (). */
static void
test_event_log_memory (void)
{
  g_autoptr (CrierEventLog) log = NULL;
  struct mallinfo2 before, after;
  GTypeQuery       query;
  double           per_row;

  if (RUNNING_ON_SANITIZER)
    {
      g_test_skip ("the sanitizer's allocator does not report to mallinfo2 ()");
      return;
    }
  before = mallinfo2 ();
  log = crier_event_log_new (CRIER_EVENT_LOG_DEFAULT_CAPACITY);
  for (guint i = 0; i < CRIER_EVENT_LOG_DEFAULT_CAPACITY; i++)
    {
      g_autoptr (CrierMonitorEvent) event = make_ordinary (i, i % 2 ? i : 0);

      crier_event_log_push (log, event);
      if (i % 2)
        {
          g_autoptr (CrierMonitorEvent) request = make_request (i, 200, "POST /apps/app-id/events");

          crier_event_log_push (log, request);
        }
      if (i % 5000 == 0)
        crier_event_log_flush (log);
    }
  crier_event_log_flush (log);
  after = mallinfo2 ();
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, CRIER_EVENT_LOG_DEFAULT_CAPACITY);
  per_row = (double) (after.uordblks - before.uordblks) / CRIER_EVENT_LOG_DEFAULT_CAPACITY;
  g_type_query (CRIER_TYPE_EVENT_ITEM, &query);
  g_test_message ("event log: %u rows in %.1f MiB: %.0f bytes per row (row object %u bytes)",
                  CRIER_EVENT_LOG_DEFAULT_CAPACITY, (after.uordblks - before.uordblks) / 1048576.0, per_row,
                  query.instance_size);
  /* Generous: the rows measured here take about half of it. */
  g_assert_cmpfloat (per_row, <, 1536);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/models/event-log/batches", test_event_log_batches);
  g_test_add_func ("/models/event-log/bounded", test_event_log_bounded);
  g_test_add_func ("/models/event-batch/flood", test_event_batch_flood);
  g_test_add_func ("/models/event-log/json-lines", test_event_log_json_lines);
  g_test_add_func ("/models/event-log/monitor", test_event_log_monitor);
  g_test_add_func ("/models/event-log/import", test_event_log_import);
  g_test_add_func ("/models/event-item/delivery", test_event_item_delivery);
  g_test_add_func ("/models/event-item/explanation", test_event_item_explanation);
  g_test_add_func ("/models/connection-list/auth-failures", test_connection_auth_failures);
  g_test_add_func ("/models/participant/simulated-and-replay", test_simulated_and_replay);
  g_test_add_func ("/models/live-list/positions", test_live_list_positions);
  g_test_add_func ("/models/connection-list/events", test_connection_list_events);
  g_test_add_func ("/models/channel-list/presence", test_channel_list_presence);
  g_test_add_func ("/models/channel-list/one-notify-per-tick", test_channel_list_one_notify_per_tick);
  g_test_add_func ("/models/lists/live", test_lists_live);
  g_test_add_func ("/models/stats-sampler", test_stats_sampler);
  g_test_add_func ("/models/laravel-env", test_laravel_env);
  g_test_add_func ("/models/notification-data", test_notification_data);
  g_test_add_func ("/models/config-writer", test_config_writer);
  g_test_add_func ("/models/event-log/retention", test_event_log_retention);
  g_test_add_func ("/models/event-log/folding", test_event_log_folding);
  g_test_add_func ("/models/event-log/folding-server", test_event_log_folding_server);
  g_test_add_func ("/models/event-log/dropped", test_event_log_dropped);
  g_test_add_func ("/models/event-log/unseen-failures", test_event_log_unseen_failures);
  g_test_add_func ("/models/event-log/memory", test_event_log_memory);
  return g_test_run ();
}
