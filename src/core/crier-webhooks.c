/* crier-webhooks.c — Pusher webhooks (pusher-protocol.md §15): events from the monitor
 * stream, batched per app and URL, signed with the app secret, delivered in order with
 * retries, and journaled as each batch closes so that neither a restart nor a crash loses
 * them (at least once: only a request whose answer was lost is sent twice)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-webhooks"

#include "config.h"

#include "crier-webhooks.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "crier-json.h"
#include "crier-main-context-private.h"
#include "crier-message.h"
#include "crier-signature.h"
#include "crier-webhook-journal.h"

#define COUNT_THROTTLE_SUBSCRIBERS 100
#define COUNT_THROTTLE_MS          5000
/* At shutdown, requests in flight get this long (at most webhook-timeout) to be answered:
 * an answered one is marked done instead of being sent again after the next start. Short,
 * as a stopping server should stop: the CLI's own grace for the close handshakes follows. */
#define SHUTDOWN_WAIT_MS 1500
/* fdatasync at most once per batch window, and at least every second. */
#define SYNC_INTERVAL_MIN_MS 10
#define SYNC_INTERVAL_MAX_MS 1000

typedef struct
{
  CrierWebhookEntry *entry;         /* id, app, URL, body: what the journal keeps */
  gint64             first_attempt; /* monotonic µs, 0 before the first attempt */
  unsigned           attempts;
  unsigned           n_events;
} Batch;

/* One URL of one app: its events in generation order, one request in flight at a time
 * so that a retried batch is never overtaken by a later one. */
typedef struct
{
  CrierWebhooks      *owner;
  CrierAppConfig     *app;
  CrierWebhookConfig *config;  /* owned by app */
  JsonArray          *pending; /* events not yet in a batch */
  GQueue              batches;
  Batch              *in_flight;
  struct _Attempt    *attempt; /* the request in flight */
  guint               window_id;
  guint               retry_id;
  gboolean            sending;
  unsigned            queued; /* events in pending + batches */
} Target;

typedef struct
{
  CrierWebhooks *owner;
  char          *app_id;
  char          *key; /* app id, kind, channel[, user] */
  JsonObject    *event;
  guint          timer_id;
  guint64        sequence; /* scheduling order, kept when they are flushed at shutdown */
} Delayed;

typedef struct
{
  CrierWebhooks *owner;
  char          *app_id;
  char          *channel;
  unsigned       count;
  gint64         last_sent; /* monotonic µs */
  guint          timer_id;
} CountThrottle;

struct _CrierWebhooks
{
  GObject              parent_instance;
  CrierConfig         *config;
  CrierMonitor        *monitor;
  CrierServerStats    *stats;
  SoupSession         *session;
  CrierWebhookJournal *journal; /* NULL until crier_webhooks_load_spool () */
  GPtrArray           *targets; /* of Target */
  GHashTable          *delayed; /* key → Delayed: vacated / member_removed waiting */
  GHashTable          *counts;  /* app\nchannel → CountThrottle */
  GHashTable          *missed;  /* app\nchannel that had a cache_miss webhook since its last event */
  guint64              next_delayed;
  gulong               handler_id;
  gboolean             shut_down;
  gboolean             clustered; /* occupied/vacated/member_* come from the cluster */
};

G_DEFINE_FINAL_TYPE (CrierWebhooks, crier_webhooks, G_TYPE_OBJECT)

static void deliver_next (Target *target);
static void cancel_attempt (Target *target);

static void
batch_free (Batch *batch)
{
  crier_webhook_entry_free (batch->entry);
  g_free (batch);
}

static void
target_free (Target *target)
{
  cancel_attempt (target);
  g_clear_handle_id (&target->window_id, crier_source_remove);
  g_clear_handle_id (&target->retry_id, crier_source_remove);
  g_clear_pointer (&target->in_flight, batch_free);
  g_queue_clear_full (&target->batches, (GDestroyNotify) batch_free);
  json_array_unref (target->pending);
  crier_app_config_unref (target->app);
  g_free (target);
}

static void
delayed_free (Delayed *delayed)
{
  g_clear_handle_id (&delayed->timer_id, crier_source_remove);
  g_free (delayed->app_id);
  g_free (delayed->key);
  json_object_unref (delayed->event);
  g_free (delayed);
}

static void
count_throttle_free (CountThrottle *throttle)
{
  g_clear_handle_id (&throttle->timer_id, crier_source_remove);
  g_free (throttle->app_id);
  g_free (throttle->channel);
  g_free (throttle);
}

static const CrierWebhookSettings *
settings (CrierWebhooks *self)
{
  return crier_config_get_webhook_settings (self->config);
}

static void
emit (CrierWebhooks   *self,
      CrierMonitorKind kind,
      Target          *target,
      Batch           *batch,
      int              code,
      char            *message)
{
  CrierMonitorEvent *event;

  if (!crier_monitor_is_active (self->monitor))
    {
      g_free (message);
      return;
    }
  event = crier_monitor_event_new (kind);
  event->app_id = g_strdup (target->app->id);
  event->event = g_strdup (target->config->url);
  event->data = batch != NULL ? g_strdup (batch->entry->body) : NULL;
  event->count = batch != NULL ? batch->n_events : 0;
  event->code = code;
  event->message = message;
  crier_monitor_emit (self->monitor, event);
}

static gboolean
target_wants (Target     *target,
              const char *name)
{
  GStrv types = target->config->event_types;

  /* subscription_count is opt-in, as on Pusher: only when listed. */
  if (types == NULL || types[0] == NULL)
    return !g_str_equal (name, "subscription_count");
  return g_strv_contains ((const char *const *) types, name);
}

static void
close_batch (Target *target)
{
  CrierWebhooks *self = target->owner;
  g_autoptr (JsonObject) body = json_object_new ();
  g_autoptr (JsonNode) node = NULL;
  Batch   *batch;
  unsigned n = json_array_get_length (target->pending);
  gint64   created_ms = g_get_real_time () / 1000;

  g_clear_handle_id (&target->window_id, crier_source_remove);
  if (n == 0)
    return;
  batch = g_new0 (Batch, 1);
  batch->n_events = n;
  json_object_set_int_member (body, "time_ms", created_ms);
  json_object_set_array_member (body, "events", g_steal_pointer (&target->pending));
  target->pending = json_array_new ();
  node = json_node_init_object (json_node_alloc (), body);
  batch->entry = crier_webhook_entry_new (target->app->id, target->config->url, created_ms,
                                          crier_json_to_string (node));
  /* Written at the end of this main loop iteration: a crash loses only the open window. */
  if (self->journal != NULL)
    crier_webhook_journal_append (self->journal, batch->entry);
  g_queue_push_tail (&target->batches, batch);
  deliver_next (target);
}

static gboolean
window_over_cb (gpointer user_data)
{
  Target *target = user_data;

  target->window_id = 0;
  close_batch (target);
  return G_SOURCE_REMOVE;
}

static void
enqueue_event (Target     *target,
               JsonObject *event)
{
  CrierWebhooks *self = target->owner;
  unsigned       limit = settings (self)->queue_limit;

  if (target->queued >= limit)
    {
      /* Bounded: say so rather than grow without limit. */
      self->stats->webhooks_dropped++;
      emit (self, CRIER_MONITOR_WEBHOOK_DROPPED, target, NULL, 0,
            g_strdup_printf ("queue full (%u events waiting): dropped a %s event", limit,
                             json_object_get_string_member (event, "name")));
      return;
    }
  target->queued++;
  self->stats->webhooks_queued++;
  json_array_add_object_element (target->pending, json_object_ref (event));
  if (settings (self)->batch_window == 0)
    close_batch (target);
  else if (target->window_id == 0)
    target->window_id = crier_timeout_add (settings (self)->batch_window, window_over_cb, target);
}

static void
dispatch_event (CrierWebhooks *self,
                const char    *app_id,
                JsonObject    *event)
{
  const char *name = json_object_get_string_member (event, "name");

  for (guint i = 0; i < self->targets->len; i++)
    {
      Target *target = g_ptr_array_index (self->targets, i);

      if (g_str_equal (target->app->id, app_id) && target_wants (target, name))
        enqueue_event (target, event);
    }
}

/* Every request without an outcome, in order per target (pending first, then queued). */
static GPtrArray *
collect_live (CrierWebhooks *self)
{
  GPtrArray *live = g_ptr_array_new ();

  for (guint i = 0; i < self->targets->len; i++)
    {
      Target *target = g_ptr_array_index (self->targets, i);

      if (target->in_flight != NULL)
        g_ptr_array_add (live, target->in_flight->entry);
      for (GList *l = target->batches.head; l != NULL; l = l->next)
        g_ptr_array_add (live, ((Batch *) l->data)->entry);
    }
  return live;
}

static gboolean
compact_journal (CrierWebhooks *self,
                 GError       **error)
{
  g_autoptr (GPtrArray) live = collect_live (self);

  return crier_webhook_journal_compact (self->journal, live, error);
}

static void
finish_batch (Target             *target,
              CrierWebhookOutcome outcome)
{
  CrierWebhooks *self = target->owner;
  Batch         *batch = g_steal_pointer (&target->in_flight);
  g_autoptr (GError) error = NULL;

  target->queued -= batch->n_events;
  self->stats->webhooks_queued -= batch->n_events;
  if (self->journal != NULL)
    crier_webhook_journal_finish (self->journal, batch->entry, outcome);
  batch_free (batch);
  /* The file would otherwise grow by every request ever sent. */
  if (self->journal != NULL && crier_webhook_journal_wants_compaction (self->journal) &&
      !compact_journal (self, &error))
    g_warning ("webhook journal: %s", error->message);
}

static unsigned
backoff_ms (CrierWebhooks *self,
            unsigned       attempts)
{
  const CrierWebhookSettings *s = settings (self);
  double                      delay = s->retry_initial;

  for (unsigned i = 1; i < attempts && delay < s->retry_max; i++)
    delay *= 2;
  delay = MIN (delay, (double) s->retry_max);
  /* ±20 % jitter so that many failing webhooks do not retry in lockstep. */
  return (unsigned) (delay * g_random_double_range (0.8, 1.2));
}

static gboolean
retry_cb (gpointer user_data)
{
  Target *target = user_data;

  target->retry_id = 0;
  deliver_next (target);
  return G_SOURCE_REMOVE;
}

typedef struct _Attempt
{
  Target       *target; /* not to be touched once the request was cancelled by shutdown */
  SoupMessage  *msg;
  GCancellable *cancellable;
  guint         timeout_id;
  gboolean      timed_out;
} Attempt;

/* webhook-timeout in milliseconds (SoupSession's own timeout counts whole seconds). */
static gboolean
attempt_timeout_cb (gpointer user_data)
{
  Attempt *attempt = user_data;

  attempt->timeout_id = 0;
  attempt->timed_out = TRUE;
  g_cancellable_cancel (attempt->cancellable);
  return G_SOURCE_REMOVE;
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Attempt *attempt = user_data;
  g_autoptr (SoupMessage) msg = attempt->msg;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                                &error);
  Target        *target = attempt->target;
  gboolean       timed_out = attempt->timed_out;
  CrierWebhooks *self;
  Batch         *batch;
  unsigned       status;
  char          *why;

  g_clear_handle_id (&attempt->timeout_id, crier_source_remove);
  g_clear_object (&attempt->cancellable);
  g_free (attempt);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !timed_out)
    return; /* the shutdown stopped waiting: the batch stays in the journal */
  target->sending = FALSE;
  target->attempt = NULL;
  self = target->owner;
  batch = target->in_flight;
  status = reply != NULL ? soup_message_get_status (msg) : 0;
  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      self->stats->webhooks_delivered++;
      emit (self, CRIER_MONITOR_WEBHOOK_DELIVERED, target, batch, status,
            g_strdup_printf ("attempt %u", batch->attempts));
      finish_batch (target, CRIER_WEBHOOK_DELIVERED);
      deliver_next (target);
      return;
    }

  self->stats->webhook_failures++;
  if (timed_out)
    why = g_strdup_printf ("timed out after %u ms", settings (self)->timeout);
  else
    why = reply == NULL ? g_strdup (error->message) : g_strdup_printf ("answered %u", status);
  if (self->shut_down)
    {
      /* Failed while the shutdown waited for it: the next start retries it. */
      emit (self, CRIER_MONITOR_WEBHOOK_FAILED, target, batch, status,
            g_strdup_printf ("attempt %u %s; kept for the next start", batch->attempts, why));
      g_free (why);
      return;
    }
  if ((g_get_monotonic_time () - batch->first_attempt) / 1000 >= settings (self)->retry_for)
    {
      self->stats->webhooks_dropped += batch->n_events;
      emit (self, CRIER_MONITOR_WEBHOOK_FAILED, target, batch, status,
            g_strdup_printf ("attempt %u %s; giving up after %.1f s of retries", batch->attempts,
                             why, settings (self)->retry_for / 1000.0));
      g_free (why);
      finish_batch (target, CRIER_WEBHOOK_GIVEN_UP);
      deliver_next (target);
      return;
    }
  {
    unsigned delay = backoff_ms (self, batch->attempts);

    emit (self, CRIER_MONITOR_WEBHOOK_FAILED, target, batch, status,
          g_strdup_printf ("attempt %u %s; retrying in %.1f s", batch->attempts, why,
                           delay / 1000.0));
    g_free (why);
    target->retry_id = crier_timeout_add (delay, retry_cb, target);
  }
}

/* Shutdown, once it stopped waiting: the callback will see G_IO_ERROR_CANCELLED and leave
 * the target alone. */
static void
cancel_attempt (Target *target)
{
  Attempt *attempt = g_steal_pointer (&target->attempt);

  if (attempt == NULL)
    return;
  g_clear_handle_id (&attempt->timeout_id, crier_source_remove);
  g_cancellable_cancel (attempt->cancellable);
}

/* Exactly as Pusher sends them: JSON body, X-Pusher-Key, X-Pusher-Signature = HMAC-SHA256
 * of the body with the app secret (§15.1). One request in flight per target. */
static void
deliver_next (Target *target)
{
  CrierWebhooks *self = target->owner;
  g_autoptr (GBytes) body = NULL;
  g_autofree char    *signature = NULL;
  SoupMessageHeaders *headers;
  Attempt            *attempt;
  Batch              *batch;

  if (self->shut_down || target->retry_id != 0 || target->sending)
    return;
  if (target->in_flight == NULL)
    target->in_flight = g_queue_pop_head (&target->batches);
  if ((batch = target->in_flight) == NULL)
    return;
  attempt = g_new0 (Attempt, 1);
  attempt->target = target;
  attempt->msg = soup_message_new ("POST", target->config->url);
  batch->attempts++;
  if (batch->first_attempt == 0)
    batch->first_attempt = g_get_monotonic_time ();
  headers = soup_message_get_request_headers (attempt->msg);
  signature = crier_signature_compute (target->app->secret, batch->entry->body, -1);
  soup_message_headers_replace (headers, "X-Pusher-Key", target->app->key);
  soup_message_headers_replace (headers, "X-Pusher-Signature", signature);
  soup_message_headers_replace (headers, "Accept", "application/json");
  for (guint i = 0; target->config->headers && target->config->headers[i]; i++)
    {
      g_auto (GStrv) parts = g_strsplit (target->config->headers[i], ":", 2);

      soup_message_headers_replace (headers, g_strstrip (parts[0]), g_strstrip (parts[1]));
    }
  body = g_bytes_new (batch->entry->body, strlen (batch->entry->body));
  /* Exactly "application/json": the Node SDK's webhook check compares it whole. */
  soup_message_set_request_body_from_bytes (attempt->msg, "application/json", body);
  target->sending = TRUE;
  target->attempt = attempt;
  attempt->cancellable = g_cancellable_new ();
  attempt->timeout_id = crier_timeout_add (settings (self)->timeout, attempt_timeout_cb, attempt);
  soup_session_send_and_read_async (self->session, attempt->msg, G_PRIORITY_DEFAULT,
                                    attempt->cancellable, sent_cb, attempt);
}

static JsonObject *
event_object (const char *name,
              const char *channel)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "name", name);
  json_object_set_string_member (object, "channel", channel);
  return object;
}

static gboolean
delayed_fire_cb (gpointer user_data)
{
  Delayed       *delayed = user_data;
  CrierWebhooks *self = delayed->owner;

  delayed->timer_id = 0;
  dispatch_event (self, delayed->app_id, delayed->event);
  g_hash_table_remove (self->delayed, delayed->key);
  return G_SOURCE_REMOVE;
}

/* channel_vacated and member_removed wait (Pusher: up to 3 s), so that a page reload sends
 * neither them nor the channel_occupied/member_added that would follow (§15.3). */
static void
dispatch_later (CrierWebhooks *self,
                const char    *app_id,
                char          *key,
                JsonObject    *event)
{
  Delayed *delayed;

  if (settings (self)->vacated_delay == 0)
    {
      dispatch_event (self, app_id, event);
      json_object_unref (event);
      g_free (key);
      return;
    }
  delayed = g_new0 (Delayed, 1);
  delayed->owner = self;
  delayed->app_id = g_strdup (app_id);
  delayed->key = key;
  delayed->event = event;
  delayed->sequence = self->next_delayed++;
  delayed->timer_id = crier_timeout_add (settings (self)->vacated_delay, delayed_fire_cb, delayed);
  g_hash_table_replace (self->delayed, delayed->key, delayed);
}

static gboolean
app_wants (CrierWebhooks *self,
           const char    *app_id,
           const char    *name)
{
  for (guint i = 0; i < self->targets->len; i++)
    {
      Target *target = g_ptr_array_index (self->targets, i);

      if (g_str_equal (target->app->id, app_id) && target_wants (target, name))
        return TRUE;
    }
  return FALSE;
}

static void
send_count (CountThrottle *throttle)
{
  g_autoptr (JsonObject) event = event_object ("subscription_count", throttle->channel);

  json_object_set_int_member (event, "subscription_count", throttle->count);
  throttle->last_sent = g_get_monotonic_time ();
  dispatch_event (throttle->owner, throttle->app_id, event);
}

static gboolean
count_timer_cb (gpointer user_data)
{
  CountThrottle *throttle = user_data;

  throttle->timer_id = 0;
  send_count (throttle);
  return G_SOURCE_REMOVE;
}

/* At most one subscription_count every 5 s on channels with ≥ 100 subscribers, the
 * latest count winning (§15.4). */
static void
count_changed (CrierWebhooks *self,
               const char    *app_id,
               const char    *channel,
               unsigned       count)
{
  g_autofree char *key = g_strconcat (app_id, "\n", channel, NULL);
  CountThrottle   *throttle = g_hash_table_lookup (self->counts, key);
  gint64           now = g_get_monotonic_time ();

  if (throttle == NULL)
    {
      throttle = g_new0 (CountThrottle, 1);
      throttle->owner = self;
      throttle->app_id = g_strdup (app_id);
      throttle->channel = g_strdup (channel);
      g_hash_table_insert (self->counts, g_steal_pointer (&key), throttle);
    }
  throttle->count = count;
  if (throttle->timer_id != 0)
    return;
  if (count >= COUNT_THROTTLE_SUBSCRIBERS &&
      now - throttle->last_sent < COUNT_THROTTLE_MS * (gint64) 1000)
    {
      throttle->timer_id = crier_timeout_add (COUNT_THROTTLE_MS - (now - throttle->last_sent) / 1000,
                                              count_timer_cb, throttle);
      return;
    }
  send_count (throttle);
}

static void
monitor_event_cb (CrierMonitor      *monitor,
                  CrierMonitorEvent *event,
                  CrierWebhooks     *self)
{
  const char *app_id = event->app_id;
  const char *channel = event->channel;
  g_autoptr (JsonObject) object = NULL;
  g_autofree char *key = NULL;

  /* Internal #server-to-user channels are nobody's webhook business. */
  if (app_id == NULL || channel == NULL || channel[0] == '#' || self->shut_down)
    return;
  /* A cluster node's own occupancy is not the cluster's: crier_webhooks_report () has it. */
  if (self->clustered &&
      (event->kind == CRIER_MONITOR_CHANNEL_OCCUPIED ||
       event->kind == CRIER_MONITOR_CHANNEL_VACATED || event->kind == CRIER_MONITOR_MEMBER_ADDED ||
       event->kind == CRIER_MONITOR_MEMBER_REMOVED))
    return;
  switch (event->kind)
    {
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
      key = g_strconcat (app_id, "\nvacated\n", channel, NULL);
      if (g_hash_table_remove (self->delayed, key))
        return; /* re-occupied within the delay: neither vacated nor occupied */
      object = event_object ("channel_occupied", channel);
      break;
    case CRIER_MONITOR_CHANNEL_VACATED:
      dispatch_later (self, app_id, g_strconcat (app_id, "\nvacated\n", channel, NULL),
                      event_object ("channel_vacated", channel));
      return;
    case CRIER_MONITOR_MEMBER_ADDED:
      key = g_strconcat (app_id, "\nremoved\n", channel, "\n", event->user_id, NULL);
      if (g_hash_table_remove (self->delayed, key))
        return;
      object = event_object ("member_added", channel);
      json_object_set_string_member (object, "user_id", event->user_id);
      break;
    case CRIER_MONITOR_MEMBER_REMOVED:
      {
        JsonObject *removed = event_object ("member_removed", channel);

        json_object_set_string_member (removed, "user_id", event->user_id);
        dispatch_later (self, app_id,
                        g_strconcat (app_id, "\nremoved\n", channel, "\n", event->user_id, NULL),
                        removed);
        return;
      }
    case CRIER_MONITOR_CLIENT_EVENT:
      object = event_object ("client_event", channel);
      json_object_set_string_member (object, "event", event->event);
      json_object_set_string_member (object, "data", event->data);
      json_object_set_string_member (object, "socket_id", event->socket_id);
      if (event->user_id != NULL)
        json_object_set_string_member (object, "user_id", event->user_id);
      break;
    case CRIER_MONITOR_CACHE_MISS:
      /* One cache_miss per empty channel, however many clients subscribe (§11). */
      if (!g_hash_table_add (self->missed, g_strconcat (app_id, "\n", channel, NULL)))
        return;
      object = event_object ("cache_miss", channel);
      break;
    case CRIER_MONITOR_EVENT_PUBLISHED:
      key = g_strconcat (app_id, "\n", channel, NULL);
      g_hash_table_remove (self->missed, key);
      return;
    case CRIER_MONITOR_SUBSCRIBED:
    case CRIER_MONITOR_UNSUBSCRIBED:
      if (g_str_has_prefix (channel, "presence-") || !app_wants (self, app_id, "subscription_count"))
        return;
      count_changed (self, app_id, channel, event->count);
      return;
    /* Nothing a webhook reports. */
    case CRIER_MONITOR_CONNECTED:
    case CRIER_MONITOR_DISCONNECTED:
    case CRIER_MONITOR_SIGNED_IN:
    case CRIER_MONITOR_AUTH_FAILED:
    case CRIER_MONITOR_PROTOCOL_ERROR:
    case CRIER_MONITOR_API_REQUEST:
    case CRIER_MONITOR_SERVER_STARTED:
    case CRIER_MONITOR_SERVER_STOPPED:
    case CRIER_MONITOR_WEBHOOK_DELIVERED:
    case CRIER_MONITOR_WEBHOOK_FAILED:
    case CRIER_MONITOR_WEBHOOK_DROPPED:
    case CRIER_MONITOR_CLUSTER:
    case CRIER_MONITOR_N_KINDS:
    default:
      return;
    }
  dispatch_event (self, app_id, object);
}

static void
crier_webhooks_dispose (GObject *object)
{
  CrierWebhooks *self = CRIER_WEBHOOKS (object);

  if (self->handler_id != 0)
    g_clear_signal_handler (&self->handler_id, self->monitor);
  g_clear_pointer (&self->delayed, g_hash_table_unref);
  g_clear_pointer (&self->counts, g_hash_table_unref);
  g_clear_pointer (&self->missed, g_hash_table_unref);
  g_clear_pointer (&self->targets, g_ptr_array_unref);
  g_clear_object (&self->journal);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->monitor);
  g_clear_object (&self->config);
  G_OBJECT_CLASS (crier_webhooks_parent_class)->dispose (object);
}

static void
crier_webhooks_class_init (CrierWebhooksClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = crier_webhooks_dispose;
}

static void
crier_webhooks_init (CrierWebhooks *self)
{
  self->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) target_free);
  self->delayed = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) delayed_free);
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) count_throttle_free);
  self->missed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

CrierWebhooks *
crier_webhooks_new (CrierConfig      *config,
                    CrierMonitor     *monitor,
                    CrierServerStats *stats)
{
  CrierWebhooks *self = g_object_new (CRIER_TYPE_WEBHOOKS, NULL);
  GPtrArray     *apps = crier_config_get_apps (config);

  self->config = g_object_ref (config);
  self->monitor = g_object_ref (monitor);
  self->stats = stats;
  self->session = soup_session_new_with_options ("user-agent", "crier/" PACKAGE_VERSION " webhooks",
                                                 "max-conns-per-host", 4, NULL);
  for (guint i = 0; i < apps->len; i++)
    {
      CrierAppConfig *app = g_ptr_array_index (apps, i);

      for (guint j = 0; j < app->webhooks->len; j++)
        {
          Target *target = g_new0 (Target, 1);

          target->owner = self;
          target->app = crier_app_config_ref (app);
          target->config = g_ptr_array_index (app->webhooks, j);
          target->pending = json_array_new ();
          g_queue_init (&target->batches);
          g_ptr_array_add (self->targets, target);
        }
    }
  self->handler_id = g_signal_connect (monitor, "event", G_CALLBACK (monitor_event_cb), self);
  return self;
}

char *
crier_webhooks_dup_spool_path (CrierWebhooks *self)
{
  const char *path = settings (self)->spool_path;

  if (path != NULL && *path != '\0')
    return g_strdup (path);
  return g_build_filename (g_get_user_data_dir (), "crier", "webhooks-spool.jsonl", NULL);
}

static Target *
find_target (CrierWebhooks *self,
             const char    *app_id,
             const char    *url)
{
  for (guint i = 0; i < self->targets->len; i++)
    {
      Target *target = g_ptr_array_index (self->targets, i);

      if (g_strcmp0 (target->app->id, app_id) == 0 && g_strcmp0 (target->config->url, url) == 0)
        return target;
    }
  return NULL;
}

static unsigned
count_events (const char *body)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonNode *events;

  if (!crier_json_parser_load (parser, body, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;
  events = json_object_get_member (json_node_get_object (root), "events");
  if (events == NULL || !JSON_NODE_HOLDS_ARRAY (events))
    return 0;
  return json_array_get_length (json_node_get_array (events));
}

/* Opens the journal (webhook-spool): requests left without an answer by the last run, be it
 * stopped or crashed, go first, in their order; then the file is rewritten with only those.
 * A file there that is not a journal stops the start rather than being overwritten. */
gboolean
crier_webhooks_load_spool (CrierWebhooks *self,
                           GError       **error)
{
  g_autofree char *path = crier_webhooks_dup_spool_path (self);
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GError) local_error = NULL;
  unsigned restored = 0;
  unsigned orphaned = 0;

  g_return_val_if_fail (CRIER_IS_WEBHOOKS (self), FALSE);
  g_return_val_if_fail (self->journal == NULL, FALSE);
  self->journal = crier_webhook_journal_open (path,
                                              CLAMP (settings (self)->batch_window,
                                                     SYNC_INTERVAL_MIN_MS, SYNC_INTERVAL_MAX_MS),
                                              &pending, error);
  if (self->journal == NULL)
    return FALSE;
  for (guint i = 0; i < pending->len; i++)
    {
      CrierWebhookEntry *entry = g_ptr_array_index (pending, i);
      Target            *target = find_target (self, entry->app_id, entry->url);
      Batch             *batch;

      if (target == NULL)
        {
          orphaned++;
          continue;
        }
      batch = g_new0 (Batch, 1);
      batch->entry = g_steal_pointer (&g_ptr_array_index (pending, i));
      batch->n_events = count_events (entry->body);
      target->queued += batch->n_events;
      self->stats->webhooks_queued += batch->n_events;
      g_queue_push_tail (&target->batches, batch);
      restored++;
    }
  if (orphaned > 0)
    g_warning ("%s: %u undelivered webhook request(s) for a URL no longer configured were dropped",
               path, orphaned);
  if (!compact_journal (self, &local_error))
    g_warning ("webhook journal: %s; undelivered webhooks are kept in memory until the shutdown "
               "writes them",
               local_error->message);
  if (restored > 0)
    g_message ("%u undelivered webhook request(s) restored from %s", restored, path);
  for (guint i = 0; i < self->targets->len; i++)
    deliver_next (g_ptr_array_index (self->targets, i));
  return TRUE;
}

static int
compare_delayed (gconstpointer a,
                 gconstpointer b)
{
  const Delayed *x = *(const Delayed *const *) a;
  const Delayed *y = *(const Delayed *const *) b;

  return x->sequence < y->sequence ? -1 : x->sequence > y->sequence;
}

static unsigned
count_in_flight (CrierWebhooks *self)
{
  unsigned n = 0;

  for (guint i = 0; i < self->targets->len; i++)
    n += ((Target *) g_ptr_array_index (self->targets, i))->attempt != NULL;
  return n;
}

static gboolean
wait_over_cb (gpointer user_data)
{
  gboolean *over = user_data;

  *over = TRUE;
  return G_SOURCE_REMOVE;
}

/* A request in flight at shutdown is given a short while: answered 2xx, it is marked done
 * and never sent again; without an answer it stays in the journal and is sent again after
 * the next start (the one duplicate at-least-once delivery allows: its answer was lost).
 * The main context is iterated here because the caller stops synchronously. */
static void
wait_for_answers (CrierWebhooks *self)
{
  unsigned      n = count_in_flight (self);
  unsigned      wait_ms = MIN (settings (self)->timeout, SHUTDOWN_WAIT_MS);
  gboolean      over = FALSE;
  GMainContext *context = g_main_context_get_thread_default ();
  g_autoptr (GSource) timer = NULL;

  if (n == 0)
    return;
  g_message ("waiting up to %.1f s for the answers to %u webhook request(s) in flight",
             wait_ms / 1000.0, n);
  /* The server's own context: the window will run the server in a thread of its own. */
  timer = g_timeout_source_new (wait_ms);
  g_source_set_callback (timer, wait_over_cb, &over, NULL);
  g_source_attach (timer, context);
  while (!over && count_in_flight (self) > 0)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timer);
}

/* On shutdown: delayed events and open batches are closed and journaled, requests in flight
 * get a short while to be answered, and the journal is rewritten with what is left. The file
 * stays: it is the journal of the next start, and never removed. */
/* In a cluster, Redis decides channel_occupied, channel_vacated, member_added and
 * member_removed once for all nodes, and the delay of the last two has passed already
 * (crier-cluster.c): this node only sends what it is told. */
void
crier_webhooks_set_clustered (CrierWebhooks *self)
{
  g_return_if_fail (CRIER_IS_WEBHOOKS (self));
  self->clustered = TRUE;
}

void
crier_webhooks_report (CrierWebhooks   *self,
                       const char      *app_id,
                       CrierMonitorKind kind,
                       const char      *channel,
                       const char      *user_id)
{
  g_autoptr (JsonObject) object = NULL;

  g_return_if_fail (CRIER_IS_WEBHOOKS (self));
  if (self->shut_down || channel[0] == '#')
    return;
  switch ((int) kind)
    {
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
      object = event_object ("channel_occupied", channel);
      break;
    case CRIER_MONITOR_CHANNEL_VACATED:
      object = event_object ("channel_vacated", channel);
      break;
    case CRIER_MONITOR_MEMBER_ADDED:
      object = event_object ("member_added", channel);
      json_object_set_string_member (object, "user_id", user_id);
      break;
    case CRIER_MONITOR_MEMBER_REMOVED:
      object = event_object ("member_removed", channel);
      json_object_set_string_member (object, "user_id", user_id);
      break;
    default:
      g_return_if_reached ();
    }
  dispatch_event (self, app_id, object);
}

void
crier_webhooks_shutdown (CrierWebhooks *self)
{
  g_autoptr (GError) error = NULL;
  GHashTableIter iter;
  Delayed       *delayed;
  unsigned       left = 0;

  g_return_if_fail (CRIER_IS_WEBHOOKS (self));
  if (self->shut_down)
    return;
  g_clear_signal_handler (&self->handler_id, self->monitor);
  {
    g_autoptr (GPtrArray) pending = g_ptr_array_new ();

    g_hash_table_iter_init (&iter, self->delayed);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &delayed))
      g_ptr_array_add (pending, delayed);
    g_ptr_array_sort (pending, compare_delayed);
    for (guint i = 0; i < pending->len; i++)
      {
        delayed = g_ptr_array_index (pending, i);
        dispatch_event (self, delayed->app_id, delayed->event);
      }
  }
  g_hash_table_remove_all (self->delayed);
  g_hash_table_remove_all (self->counts);
  self->shut_down = TRUE;
  for (guint i = 0; i < self->targets->len; i++)
    {
      Target *target = g_ptr_array_index (self->targets, i);

      close_batch (target);
      g_clear_handle_id (&target->retry_id, crier_source_remove);
    }
  g_object_ref (self);
  wait_for_answers (self);
  for (guint i = 0; i < self->targets->len; i++)
    {
      Target *target = g_ptr_array_index (self->targets, i);

      cancel_attempt (target);
      left += (target->in_flight != NULL) + target->batches.length;
    }
  if (self->journal != NULL)
    {
      if (!compact_journal (self, &error))
        {
          g_warning ("undelivered webhooks could not be written to the journal: %s",
                     error->message);
          g_clear_error (&error);
          if (!crier_webhook_journal_sync (self->journal, &error))
            g_warning ("webhook journal: %s", error->message);
        }
      else if (left > 0)
        g_message ("%u undelivered webhook request(s) kept in %s; they are sent after the next "
                   "start",
                   left, crier_webhook_journal_get_path (self->journal));
    }
  /* Let go of the journal (and its lock) now, not when the last callback drops its reference
   * to us: a restart right after this stop opens it again. */
  g_clear_object (&self->journal);
  g_object_unref (self);
}

unsigned
crier_webhooks_count_queued (CrierWebhooks *self)
{
  unsigned queued = 0;

  g_return_val_if_fail (CRIER_IS_WEBHOOKS (self), 0);
  for (guint i = 0; i < self->targets->len; i++)
    queued += ((Target *) g_ptr_array_index (self->targets, i))->queued;
  return queued;
}
