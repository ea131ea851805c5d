/* crier-event-batch.c — monitor events gathered between two ticks of a list model
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-event-batch.h"

static gboolean
tick_cb (gpointer user_data)
{
  CrierEventBatch *self = user_data;

  self->source_id = 0;
  self->flush (self->owner);
  return G_SOURCE_REMOVE;
}

void
crier_event_batch_init (CrierEventBatch         *self,
                        guint                    interval_ms,
                        const char              *source_name,
                        CrierEventBatchFlushFunc flush,
                        gpointer                 owner)
{
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_monitor_event_unref);
  self->source_id = 0;
  self->interval_ms = interval_ms;
  self->last_len = 0;
  self->source_name = source_name;
  self->flush = flush;
  self->owner = owner;
}

/* Queues a ref of event; the owner's flush runs at the next tick. */
void
crier_event_batch_push (CrierEventBatch   *self,
                        CrierMonitorEvent *event)
{
  g_ptr_array_add (self->events, crier_monitor_event_ref (event));
  if (self->source_id == 0)
    {
      guint interval = self->interval_ms;

      if (self->last_len >= CRIER_EVENT_BATCH_FLOOD)
        interval = MAX (interval, CRIER_EVENT_BATCH_FLOOD_MS);
      else if (self->last_len >= CRIER_EVENT_BATCH_BUSY)
        interval = MAX (interval, CRIER_EVENT_BATCH_BUSY_MS);

      self->source_id = g_timeout_add (interval, tick_cb, self);
      g_source_set_name_by_id (self->source_id, self->source_name);
    }
}

/* The queued events (the caller owns them), or NULL when there are none; the pending
 * tick is cancelled either way, so a flush called directly does not run twice. */
GPtrArray *
crier_event_batch_take (CrierEventBatch *self)
{
  GPtrArray *events;

  g_clear_handle_id (&self->source_id, g_source_remove);
  self->last_len = self->events->len;
  if (self->events->len == 0)
    return NULL;
  events = g_steal_pointer (&self->events);
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_monitor_event_unref);
  return events;
}

void
crier_event_batch_clear (CrierEventBatch *self)
{
  g_clear_handle_id (&self->source_id, g_source_remove);
  g_ptr_array_set_size (self->events, 0);
}

/* Cancels the tick and frees the queue: call from the owner's dispose or finalize. */
void
crier_event_batch_destroy (CrierEventBatch *self)
{
  g_clear_handle_id (&self->source_id, g_source_remove);
  g_clear_pointer (&self->events, g_ptr_array_unref);
}
