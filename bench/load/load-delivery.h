/* load-delivery.h — which subscriber got which message: exactly once, in order
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "load-verdict.h"

G_BEGIN_DECLS

typedef struct
{
  guint64  expected; /* the next seq when in order */
  guint64  received;
  guint32 *seen; /* a bit per seq */
} LoadReceiver;

/* Messages seq 0 .. total-1 to connections first_receiver .. +n_receivers. */
typedef struct
{
  gboolean      ordered;
  guint64       total;
  unsigned      first_receiver;
  unsigned      n_receivers;
  LoadReceiver *receivers;
  guint32      *delivered; /* receivers that got each seq */
  guint64       complete;  /* seq 0 .. complete-1 reached every receiver */
  gint64        t_complete;
} LoadDelivery;

void     load_delivery_init (LoadDelivery *d,
                             guint64       total,
                             unsigned      first_receiver,
                             unsigned      n_receivers,
                             gboolean      ordered);
void     load_delivery_clear (LoadDelivery *d);
gboolean load_delivery_expects (const LoadDelivery *d,
                                unsigned            conn_index,
                                guint64             seq);
gboolean load_delivery_record (LoadDelivery *d,
                               LoadVerdict  *v,
                               unsigned      conn_index,
                               guint64       seq,
                               gint64        now);
guint64  load_delivery_lost (const LoadDelivery *d);

G_END_DECLS
