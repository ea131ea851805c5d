/* crier-event-log.c — the bounded list of everything the monitor reported
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-event-log.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "crier-event-batch.h"
#include "crier-json.h"

/* Events queue as plain refs and become rows at most every 50 ms: a flood of thousands
 * per second costs two items_changed per tick.
 *
 * What it keeps (retention by importance): failures (crier_monitor_event_is_failure ():
 * errors, auth failures, refused API requests, broadcasts that reached nobody) have a
 * budget of half the capacity that ordinary rows never evict. When the log is full, the
 * oldest rows go first among the ordinary rows and the failures beyond that budget (the
 * oldest failures), so a flood of ordinary events leaves every earlier failure in place
 * while failures fill less than half the log, and a flood of failures still leaves the
 * log full of the newest rows. Every event that goes counts in "dropped".
 *
 * Folding: an HTTP API request that published (its api_request event carries the
 * request_id of the event_published it caused) is not a row of its own: each row it
 * published keeps it (crier_event_item_get_request ()), the details pane shows it. */
struct _CrierEventLog
{
  GObject         parent_instance;
  CrierMonitor   *monitor;
  GPtrArray      *items; /* of CrierEventItem, oldest first */
  CrierEventBatch batch;
  unsigned        capacity;
  unsigned        n_failures; /* rows of items that are failures */
  unsigned        unseen_failures;
  unsigned        notified_unseen; /* what notify::unseen-failures last told */
  guint64         total;
  guint64         dropped;
};

/* The publications of one request come right before its api_request event; a few other
 * rows between them are tolerated, the search stops after this many in a row. */
#define FOLD_LOOKBACK 32

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CrierEventLog, crier_event_log, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum
{
  PROP_0,
  PROP_CAPACITY,
  PROP_TOTAL,
  PROP_N_ITEMS,
  PROP_DROPPED,
  PROP_UNSEEN_FAILURES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
get_item_type (GListModel *model)
{
  return CRIER_TYPE_EVENT_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return CRIER_EVENT_LOG (model)->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  CrierEventLog *self = CRIER_EVENT_LOG (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* Shortens rows (items, freed by g_object_unref) to len when the rows past it were
 * released already or moved: without unreffing them again. */
static void
truncate_released (GPtrArray *rows,
                   guint      len)
{
  g_ptr_array_set_free_func (rows, NULL);
  g_ptr_array_set_size (rows, len);
  g_ptr_array_set_free_func (rows, g_object_unref);
}

/* Cuts a queue of monitor events to the newest n_ordinary ordinary ones and the newest
 * n_failures failures, in order; returns how many went. */
static guint
trim_events (GPtrArray *events,
             guint      n_ordinary,
             guint      n_failures)
{
  guint kept_ordinary = 0, kept_failures = 0, w, n = events->len;
  g_autoptr (GPtrArray) gone = NULL;

  if (n <= MIN (n_ordinary, n_failures))
    return 0;
  /* Newest first, marking what goes with NULL... */
  gone = g_ptr_array_new ();
  for (guint i = n; i-- > 0;)
    {
      CrierMonitorEvent *event = g_ptr_array_index (events, i);
      gboolean           keep = crier_monitor_event_is_failure (event)
                                  ? kept_failures++ < n_failures
                                  : kept_ordinary++ < n_ordinary;

      if (!keep)
        {
          g_ptr_array_add (gone, event);
          events->pdata[i] = NULL;
        }
    }
  if (gone->len == 0)
    return 0;
  /* ...then the kept ones closed up, oldest first. */
  w = 0;
  for (guint i = 0; i < n; i++)
    if (events->pdata[i] != NULL)
      events->pdata[w++] = events->pdata[i];
  for (guint i = w; i < n; i++)
    events->pdata[i] = g_ptr_array_index (gone, i - w); /* set_size below unrefs them */
  g_ptr_array_set_size (events, w);
  return n - w;
}

/* Folds each api_request row of rows that published into the rows it published (in rows,
 * or at the end of the log when in_log: the api_request may come a tick after them), and
 * takes it out of rows. Ids are unique in one process only: an imported row never folds
 * into a live one nor the other way round. */
static void
fold_requests (CrierEventLog *self,
               GPtrArray     *rows,
               gboolean       in_log)
{
  guint n_old = in_log ? self->items->len : 0, w = 0;

  for (guint k = 0; k < rows->len; k++)
    {
      CrierEventItem          *row = g_ptr_array_index (rows, k);
      const CrierMonitorEvent *request = crier_event_item_get_event (row);
      gboolean                 folded = FALSE;
      guint                    misses = 0;

      if (request->kind == CRIER_MONITOR_API_REQUEST && request->request_id != 0)
        /* Back through the rows kept so far (rows[0, w)), then the log's. */
        for (guint j = w + n_old; j-- > 0 && misses < FOLD_LOOKBACK;)
          {
            CrierEventItem          *other = j >= n_old ? g_ptr_array_index (rows, j - n_old)
                                                        : g_ptr_array_index (self->items, j);
            const CrierMonitorEvent *e = crier_event_item_get_event (other);

            if (e->kind == CRIER_MONITOR_EVENT_PUBLISHED && e->request_id == request->request_id &&
                crier_event_item_get_request (other) == NULL &&
                crier_event_item_get_imported (other) == crier_event_item_get_imported (row))
              {
                crier_event_item_set_request (other, (CrierMonitorEvent *) request);
                folded = TRUE;
                misses = 0;
              }
            else
              misses++;
          }
      if (folded)
        g_object_unref (row);
      else
        rows->pdata[w++] = row;
    }
  truncate_released (rows, w);
}

/* Appends rows (taking them) and evicts down to the capacity by the retention rule at the
 * top of this file: at most two items_changed, the evicted span near the head, then the
 * tail. Rows of rows the rule evicts at once never show. */
static void
add_rows (CrierEventLog *self,
          GPtrArray     *rows)
{
  g_autoptr (GPtrArray) fresh = rows;
  guint n_old = self->items->len, total = n_old + fresh->len;
  guint budget = self->capacity / 2, n_fresh_failures = 0, n_all_failures, over;
  guint excess, removed = 0, seen_failures = 0, first = G_MAXUINT, w = 0, r, n_new;

  for (guint i = 0; i < fresh->len; i++)
    n_fresh_failures += crier_event_item_is_failure (g_ptr_array_index (fresh, i));
  if (total > self->capacity)
    {
      g_autoptr (GPtrArray) gone = g_ptr_array_new ();

      excess = total - self->capacity;
      n_all_failures = self->n_failures + n_fresh_failures;
      over = n_all_failures > budget ? n_all_failures - budget : 0;
      /* Oldest first: ordinary rows, and failures while more than the budget remain. */
      for (r = 0; r < n_old && removed < excess; r++)
        {
          CrierEventItem *item = g_ptr_array_index (self->items, r);
          gboolean        failure = crier_event_item_is_failure (item);

          if (!failure || seen_failures++ < over)
            {
              if (first == G_MAXUINT)
                first = w = r;
              g_ptr_array_add (gone, item);
              removed++;
              self->n_failures -= failure;
            }
          else if (first != G_MAXUINT)
            self->items->pdata[w++] = item;
        }
      if (first != G_MAXUINT)
        {
          memmove (self->items->pdata + w, self->items->pdata + r,
                   (n_old - r) * sizeof (gpointer));
          for (guint i = 0; i < gone->len; i++) /* g_ptr_array_set_size unrefs them */
            self->items->pdata[n_old - gone->len + i] = g_ptr_array_index (gone, i);
          g_ptr_array_set_size (self->items, n_old - gone->len);
          g_list_model_items_changed (G_LIST_MODEL (self), first, r - first, w - first);
        }
      /* What is still over goes from the new rows, by the same rule. */
      w = 0;
      for (r = 0; r < fresh->len; r++)
        {
          CrierEventItem *item = g_ptr_array_index (fresh, r);
          gboolean        failure = crier_event_item_is_failure (item);

          if (removed < excess && (!failure || seen_failures++ < over))
            {
              removed++;
              n_fresh_failures -= failure;
              g_object_unref (item);
            }
          else
            fresh->pdata[w++] = item;
        }
      truncate_released (fresh, w);
      self->dropped += removed;
    }
  if ((n_new = fresh->len) == 0)
    return;
  self->n_failures += n_fresh_failures;
  g_ptr_array_extend_and_steal (self->items, g_steal_pointer (&fresh));
  g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - n_new, 0, n_new);
}

static void
monitor_event_cb (CrierMonitor      *monitor,
                  CrierMonitorEvent *event,
                  CrierEventLog     *self)
{
  crier_event_log_push (self, event);
}

static void
crier_event_log_dispose (GObject *object)
{
  CrierEventLog *self = CRIER_EVENT_LOG (object);

  crier_event_log_set_monitor (self, NULL);
  crier_event_batch_clear (&self->batch);
  G_OBJECT_CLASS (crier_event_log_parent_class)->dispose (object);
}

static void
crier_event_log_finalize (GObject *object)
{
  CrierEventLog *self = CRIER_EVENT_LOG (object);

  g_ptr_array_unref (self->items);
  crier_event_batch_destroy (&self->batch);
  G_OBJECT_CLASS (crier_event_log_parent_class)->finalize (object);
}

static void
crier_event_log_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CrierEventLog *self = CRIER_EVENT_LOG (object);

  switch (prop_id)
    {
    case PROP_CAPACITY:
      g_value_set_uint (value, self->capacity);
      break;
    case PROP_TOTAL:
      g_value_set_uint64 (value, self->total);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;
    case PROP_DROPPED:
      g_value_set_uint64 (value, self->dropped);
      break;
    case PROP_UNSEEN_FAILURES:
      g_value_set_uint (value, self->unseen_failures);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_event_log_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CrierEventLog *self = CRIER_EVENT_LOG (object);

  switch (prop_id)
    {
    case PROP_CAPACITY:
      crier_event_log_set_capacity (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_event_log_class_init (CrierEventLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crier_event_log_dispose;
  object_class->finalize = crier_event_log_finalize;
  object_class->get_property = crier_event_log_get_property;
  object_class->set_property = crier_event_log_set_property;

  properties[PROP_CAPACITY] =
    g_param_spec_uint ("capacity", NULL, NULL, 1, G_MAXUINT, CRIER_EVENT_LOG_DEFAULT_CAPACITY,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOTAL] = g_param_spec_uint64 ("total", NULL, NULL, 0, G_MAXUINT64, 0,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                  G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                  G_PARAM_STATIC_STRINGS);
  /* Events the log no longer holds (evicted rows, or a burst cut before it became rows). */
  properties[PROP_DROPPED] = g_param_spec_uint64 ("dropped", NULL, NULL, 0, G_MAXUINT64, 0,
                                                  G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                    G_PARAM_STATIC_STRINGS);
  /* Failures that came in live since crier_event_log_mark_seen (): the Events tab's badge. */
  properties[PROP_UNSEEN_FAILURES] =
    g_param_spec_uint ("unseen-failures", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crier_event_log_init (CrierEventLog *self)
{
  self->capacity = CRIER_EVENT_LOG_DEFAULT_CAPACITY;
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  crier_event_batch_init (&self->batch, CRIER_EVENT_LOG_FLUSH_MS, "[crier] event log flush",
                          (CrierEventBatchFlushFunc) crier_event_log_flush, self);
}

CrierEventLog *
crier_event_log_new (unsigned capacity)
{
  return g_object_new (CRIER_TYPE_EVENT_LOG, "capacity", MAX (capacity, 1), NULL);
}

/* Follows one server's monitor; NULL stops listening. Rows already logged stay. */
void
crier_event_log_set_monitor (CrierEventLog *self,
                             CrierMonitor  *monitor)
{
  g_return_if_fail (CRIER_IS_EVENT_LOG (self));
  g_return_if_fail (monitor == NULL || CRIER_IS_MONITOR (monitor));

  if (self->monitor == monitor)
    return;
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_func (self->monitor, monitor_event_cb, self);
  g_set_object (&self->monitor, monitor);
  if (monitor != NULL)
    g_signal_connect (monitor, "event", G_CALLBACK (monitor_event_cb), self);
}

unsigned
crier_event_log_get_capacity (CrierEventLog *self)
{
  g_return_val_if_fail (CRIER_IS_EVENT_LOG (self), 0);
  return self->capacity;
}

void
crier_event_log_set_capacity (CrierEventLog *self,
                              unsigned       capacity)
{
  g_autoptr (GPtrArray) none = NULL;
  guint64 dropped;

  g_return_if_fail (CRIER_IS_EVENT_LOG (self));
  capacity = MAX (capacity, 1);
  if (self->capacity == capacity)
    return;
  self->capacity = capacity;
  dropped = self->dropped;
  none = g_ptr_array_new_with_free_func (g_object_unref);
  add_rows (self, g_steal_pointer (&none));
  if (self->dropped != dropped)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DROPPED]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPACITY]);
}

/* Events seen since the log was made, kept or not. */
guint64
crier_event_log_get_total (CrierEventLog *self)
{
  g_return_val_if_fail (CRIER_IS_EVENT_LOG (self), 0);
  return self->total;
}

/* n events that never reached the log (the server's queue to the window overflowed) count
 * as dropped too: the notice tells of every gap. */
void
crier_event_log_count_dropped (CrierEventLog *self,
                               guint64        n)
{
  g_return_if_fail (CRIER_IS_EVENT_LOG (self));
  if (n == 0)
    return;
  self->dropped += n;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DROPPED]);
}

/* Events seen but no longer in the log ("N older events were dropped"). */
guint64
crier_event_log_get_dropped (CrierEventLog *self)
{
  g_return_val_if_fail (CRIER_IS_EVENT_LOG (self), 0);
  return self->dropped;
}

unsigned
crier_event_log_get_unseen_failures (CrierEventLog *self)
{
  g_return_val_if_fail (CRIER_IS_EVENT_LOG (self), 0);
  return self->unseen_failures;
}

/* The user has seen the failures logged so far (the Events page is shown). */
void
crier_event_log_mark_seen (CrierEventLog *self)
{
  g_return_if_fail (CRIER_IS_EVENT_LOG (self));
  if (self->unseen_failures == 0)
    return;
  self->unseen_failures = self->notified_unseen = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNSEEN_FAILURES]);
}

/* Queues one event; it shows at the next flush. */
void
crier_event_log_push (CrierEventLog     *self,
                      CrierMonitorEvent *event)
{
  g_return_if_fail (CRIER_IS_EVENT_LOG (self));
  g_return_if_fail (event != NULL);

  /* Between two ticks a flood may queue more than the log keeps: cut the queue in chunks
   * so it stays bounded and the cost amortised, failures kept first. */
  if (self->batch.events->len >= 3 * self->capacity)
    self->dropped += trim_events (self->batch.events, self->capacity, self->capacity);
  crier_event_batch_push (&self->batch, event);
  self->total++;
  if (crier_monitor_event_is_failure (event))
    self->unseen_failures++;
}

void
crier_event_log_flush (CrierEventLog *self)
{
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  guint64 dropped;

  g_return_if_fail (CRIER_IS_EVENT_LOG (self));

  dropped = self->dropped;
  if ((pending = crier_event_batch_take (&self->batch)) != NULL)
    {
      /* A burst bigger than the log: no row for what the log would drop at once. */
      self->dropped += trim_events (pending, self->capacity, self->capacity);
      rows = g_ptr_array_new_full (pending->len, g_object_unref);
      for (guint i = 0; i < pending->len; i++)
        g_ptr_array_add (rows, crier_event_item_new (g_ptr_array_index (pending, i)));
      fold_requests (self, rows, TRUE);
      add_rows (self, g_steal_pointer (&rows));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
    }
  if (self->dropped != dropped)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DROPPED]);
  /* Counted as they came (push), told once per tick. */
  if (self->unseen_failures != self->notified_unseen)
    {
      self->notified_unseen = self->unseen_failures;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNSEEN_FAILURES]);
    }
}

void
crier_event_log_clear (CrierEventLog *self)
{
  guint n;

  g_return_if_fail (CRIER_IS_EVENT_LOG (self));
  crier_event_batch_clear (&self->batch);
  crier_event_log_mark_seen (self);
  if (self->dropped != 0)
    {
      self->dropped = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DROPPED]);
    }
  self->n_failures = 0;
  if ((n = self->items->len) == 0)
    return;
  g_ptr_array_set_size (self->items, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* JSON Lines, one monitor event per line (the --log-format=json format) of items, a
 * model of CrierEventItem (the filtered view), or of the whole log when items is NULL.
 * A request folded into rows follows the last of them, so an import folds it again; when
 * the log dropped events, a first line says how many: {"dropped":N}. */
char *
crier_event_log_to_json_lines (CrierEventLog *self,
                               GListModel    *items)
{
  g_autoptr (CrierEventItem) next = NULL;
  GString *text = g_string_new (NULL);
  guint    n;

  g_return_val_if_fail (CRIER_IS_EVENT_LOG (self), NULL);
  if (items == NULL)
    items = G_LIST_MODEL (self);
  if (self->dropped > 0)
    g_string_append_printf (text, "{\"dropped\":%" G_GUINT64_FORMAT "}\n", self->dropped);
  n = g_list_model_get_n_items (items);
  next = n > 0 ? g_list_model_get_item (items, 0) : NULL;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (CrierEventItem) item = g_steal_pointer (&next);
      g_autofree char         *line = crier_monitor_event_to_json (crier_event_item_get_event (item));
      const CrierMonitorEvent *request = crier_event_item_get_request (item);

      g_string_append (text, line);
      g_string_append_c (text, '\n');
      next = i + 1 < n ? g_list_model_get_item (items, i + 1) : NULL;
      if (request != NULL && (next == NULL || crier_event_item_get_request (next) != request))
        {
          g_autofree char *request_line = crier_monitor_event_to_json (request);

          g_string_append (text, request_line);
          g_string_append_c (text, '\n');
        }
    }
  return g_string_free (text, FALSE);
}

/* The notice line of crier_event_log_to_json_lines (): {"dropped":N}, no kind. */
static gboolean
read_dropped_line (const char *line,
                   guint64    *dropped)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonNode   *node;

  if (!crier_json_parser_load (parser, line, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  object = json_node_get_object (json_parser_get_root (parser));
  node = json_object_get_member (object, "dropped");
  if (node == NULL || json_object_has_member (object, "kind") || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < 0)
    return FALSE;
  *dropped = (guint64) json_node_get_int (node);
  return TRUE;
}

/* Appends a session exported as JSON Lines (crier_event_log_to_json_lines ()) as imported
 * rows, after what is logged now; the capacity holds as for live events, and so do
 * retention and folding. All or nothing: a line that is not a monitor event fails the
 * import with its line number. Blank lines are skipped. */
gboolean
crier_event_log_import (CrierEventLog *self,
                        const char    *text,
                        guint         *n_imported,
                        GError       **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto (GStrv) lines = NULL;
  guint64 dropped = 0, before;

  g_return_val_if_fail (CRIER_IS_EVENT_LOG (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (GError) line_error = NULL;
      g_autoptr (CrierMonitorEvent) event = NULL;
      guint64 line_dropped;

      g_strstrip (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      if (read_dropped_line (lines[i], &line_dropped))
        {
          dropped += line_dropped;
          continue;
        }
      if ((event = crier_monitor_event_new_from_json (lines[i], &line_error)) == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _ ("Line %u: %s"), i + 1,
                       line_error->message);
          return FALSE;
        }
      g_ptr_array_add (rows, crier_event_item_new_imported (event));
    }
  /* Live events queued before the import stay before it. */
  crier_event_log_flush (self);
  fold_requests (self, rows, FALSE);
  if (n_imported != NULL)
    *n_imported = rows->len;
  before = self->dropped;
  self->dropped += dropped;
  if (rows->len > 0)
    {
      add_rows (self, g_steal_pointer (&rows));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  if (self->dropped != before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DROPPED]);
  return TRUE;
}
