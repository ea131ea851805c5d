/* crier-event-batch.h — monitor events gathered between two ticks of a list model
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "crier-monitor.h"

G_BEGIN_DECLS

typedef void (*CrierEventBatchFlushFunc) (gpointer owner);

/* Embedded in a list model: events queue as refs and the owner's flush runs once per
 * interval, so a flood costs one items_changed per tick instead of one per event.
 *
 * The busier the last tick, the longer the next: with CRIER_EVENT_BATCH_BUSY events or
 * more it comes after CRIER_EVENT_BATCH_BUSY_MS, with CRIER_EVENT_BATCH_FLOOD or more
 * after CRIER_EVENT_BATCH_FLOOD_MS. Rows passing at hundreds per second cannot be read
 * anyway, and every tick costs the window a relayout and a redraw of the rows in view, CPU
 * the server's thread may be waiting for. The first tick after a quiet spell is on time;
 * a flood (a thousand events a second) updates the view once a second until it eases
 * below a quarter of that. */
#define CRIER_EVENT_BATCH_BUSY     25
#define CRIER_EVENT_BATCH_BUSY_MS  250
#define CRIER_EVENT_BATCH_FLOOD    250
#define CRIER_EVENT_BATCH_FLOOD_MS 1000

typedef struct
{
  GPtrArray               *events; /* of CrierMonitorEvent, oldest first */
  guint                    source_id;
  guint                    interval_ms;
  guint                    last_len;    /* events the last tick carried */
  const char              *source_name; /* static */
  CrierEventBatchFlushFunc flush;
  gpointer                 owner;
} CrierEventBatch;

void       crier_event_batch_init (CrierEventBatch         *self,
                                   guint                    interval_ms,
                                   const char              *source_name,
                                   CrierEventBatchFlushFunc flush,
                                   gpointer                 owner);
void       crier_event_batch_push (CrierEventBatch   *self,
                                   CrierMonitorEvent *event);
GPtrArray *crier_event_batch_take (CrierEventBatch *self);
void       crier_event_batch_clear (CrierEventBatch *self);
void       crier_event_batch_destroy (CrierEventBatch *self);

G_END_DECLS
