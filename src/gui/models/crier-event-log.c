/* crier-event-log.c — the bounded list of everything the monitor reported
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-event-log.h"

#include <glib/gi18n.h>

#include "crier-event-batch.h"

/* Events queue as plain refs and become rows at most every 50 ms: a flood of thousands
 * per second costs two items_changed per tick, and a burst bigger than the log is cut to
 * its tail before any GObject is made. */
struct _CrierEventLog
{
  GObject         parent_instance;
  CrierMonitor   *monitor;
  GPtrArray      *items; /* of CrierEventItem, oldest first */
  CrierEventBatch batch;
  unsigned        capacity;
  guint64         total;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CrierEventLog, crier_event_log, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum
{
  PROP_0,
  PROP_CAPACITY,
  PROP_TOTAL,
  PROP_N_ITEMS,
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
  g_return_if_fail (CRIER_IS_EVENT_LOG (self));
  capacity = MAX (capacity, 1);
  if (self->capacity == capacity)
    return;
  self->capacity = capacity;
  if (self->items->len > capacity)
    {
      guint n_drop = self->items->len - capacity;

      g_ptr_array_remove_range (self->items, 0, n_drop);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, n_drop, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
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

/* Queues one event; it shows at the next flush. */
void
crier_event_log_push (CrierEventLog     *self,
                      CrierMonitorEvent *event)
{
  g_return_if_fail (CRIER_IS_EVENT_LOG (self));
  g_return_if_fail (event != NULL);

  /* Between two ticks a flood may queue more than the log keeps: drop the head in
   * chunks so the queue stays bounded and the cost amortised. */
  if (self->batch.events->len >= 2 * self->capacity)
    crier_event_batch_keep_tail (&self->batch, self->capacity);
  crier_event_batch_push (&self->batch, event);
  self->total++;
}

void
crier_event_log_flush (CrierEventLog *self)
{
  g_autoptr (GPtrArray) pending = NULL;
  guint n_new, n_drop = 0;

  g_return_if_fail (CRIER_IS_EVENT_LOG (self));

  crier_event_batch_keep_tail (&self->batch, self->capacity); /* a burst bigger than the log */
  if ((pending = crier_event_batch_take (&self->batch)) == NULL)
    return;
  n_new = pending->len;
  if (self->items->len + n_new > self->capacity)
    n_drop = self->items->len + n_new - self->capacity;
  if (n_drop > 0)
    {
      g_ptr_array_remove_range (self->items, 0, n_drop);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, n_drop, 0);
    }
  for (guint i = 0; i < n_new; i++)
    g_ptr_array_add (self->items, crier_event_item_new (g_ptr_array_index (pending, i)));
  g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - n_new, 0, n_new);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
}

void
crier_event_log_clear (CrierEventLog *self)
{
  guint n;

  g_return_if_fail (CRIER_IS_EVENT_LOG (self));
  crier_event_batch_clear (&self->batch);
  if ((n = self->items->len) == 0)
    return;
  g_ptr_array_set_size (self->items, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* JSON Lines, one monitor event per line (the --log-format=json format) of items, a
 * model of CrierEventItem (the filtered view), or of the whole log when items is NULL. */
char *
crier_event_log_to_json_lines (CrierEventLog *self,
                               GListModel    *items)
{
  GString *text = g_string_new (NULL);
  guint    n;

  g_return_val_if_fail (CRIER_IS_EVENT_LOG (self), NULL);
  if (items == NULL)
    items = G_LIST_MODEL (self);
  n = g_list_model_get_n_items (items);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (CrierEventItem) item = g_list_model_get_item (items, i);
      g_autofree char *line = crier_monitor_event_to_json (crier_event_item_get_event (item));

      g_string_append (text, line);
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

/* Appends a session exported as JSON Lines (crier_event_log_to_json_lines ()) as imported
 * rows, after what is logged now; the capacity holds as for live events. All or nothing:
 * a line that is not a monitor event fails the import with its line number. Blank lines
 * are skipped. */
gboolean
crier_event_log_import (CrierEventLog *self,
                        const char    *text,
                        guint         *n_imported,
                        GError       **error)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto (GStrv) lines = NULL;
  guint n_drop = 0, n_new;

  g_return_val_if_fail (CRIER_IS_EVENT_LOG (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (GError) line_error = NULL;
      g_autoptr (CrierMonitorEvent) event = NULL;

      g_strstrip (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      if ((event = crier_monitor_event_new_from_json (lines[i], &line_error)) == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _ ("Line %u: %s"), i + 1,
                       line_error->message);
          return FALSE;
        }
      g_ptr_array_add (items, crier_event_item_new_imported (event));
    }
  /* Live events queued before the import stay before it. */
  crier_event_log_flush (self);
  if (items->len > self->capacity)
    g_ptr_array_remove_range (items, 0, items->len - self->capacity);
  n_new = items->len;
  if (n_imported != NULL)
    *n_imported = n_new;
  if (n_new == 0)
    return TRUE;
  if (self->items->len + n_new > self->capacity)
    n_drop = self->items->len + n_new - self->capacity;
  if (n_drop > 0)
    {
      g_ptr_array_remove_range (self->items, 0, n_drop);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, n_drop, 0);
    }
  g_ptr_array_extend_and_steal (self->items, g_steal_pointer (&items));
  g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - n_new, 0, n_new);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  return TRUE;
}
