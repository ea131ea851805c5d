/* load-delivery.c — which subscriber got which message: exactly once, in order
 * SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "crier-load"

#include "load-delivery.h"

void
load_delivery_init (LoadDelivery *d,
                    guint64       total,
                    unsigned      first_receiver,
                    unsigned      n_receivers,
                    gboolean      ordered)
{
  d->ordered = ordered;
  d->total = total;
  d->first_receiver = first_receiver;
  d->n_receivers = n_receivers;
  d->receivers = g_new0 (LoadReceiver, n_receivers);
  d->delivered = g_new0 (guint32, MAX (total, 1));
  for (unsigned i = 0; i < n_receivers; i++)
    d->receivers[i].seen = g_new0 (guint32, total / 32 + 1);
}

void
load_delivery_clear (LoadDelivery *d)
{
  for (unsigned i = 0; d->receivers != NULL && i < d->n_receivers; i++)
    g_free (d->receivers[i].seen);
  g_clear_pointer (&d->receivers, g_free);
  g_clear_pointer (&d->delivered, g_free);
}

/* Whether connection CONN_INDEX is to get message SEQ at all. */
gboolean
load_delivery_expects (const LoadDelivery *d,
                       unsigned            conn_index,
                       guint64             seq)
{
  /* below first_receiver the unsigned difference wraps to a large number */
  return seq < d->total && conn_index - d->first_receiver < d->n_receivers;
}

static void
advance_complete (LoadDelivery *d,
                  gint64        now)
{
  while (d->complete < d->total && d->delivered[d->complete] == d->n_receivers)
    d->complete++;
  if (d->complete == d->total && d->t_complete == 0)
    d->t_complete = now;
}

/* Records that connection CONN_INDEX got SEQ (load_delivery_expects() said it
 * should); FALSE for a duplicate, which is not counted as a delivery. */
gboolean
load_delivery_record (LoadDelivery *d,
                      LoadVerdict  *v,
                      unsigned      conn_index,
                      guint64       seq,
                      gint64        now)
{
  LoadReceiver *r = &d->receivers[conn_index - d->first_receiver];

  if (r->seen[seq / 32] & (1u << (seq % 32)))
    {
      v->duplicates++;
      load_verdict_report (v, "subscriber %u got seq %" G_GUINT64_FORMAT " twice", conn_index, seq);
      return FALSE;
    }
  r->seen[seq / 32] |= 1u << (seq % 32);
  if (d->ordered && seq != r->expected)
    {
      v->out_of_order++;
      load_verdict_report (v, "subscriber %u got seq %" G_GUINT64_FORMAT ", expected %" G_GUINT64_FORMAT,
                           conn_index, seq, r->expected);
    }
  r->expected = seq + 1;
  r->received++;
  if (++d->delivered[seq] == d->n_receivers)
    advance_complete (d, now);
  return TRUE;
}

/* Deliveries that never happened, over all receivers. */
guint64
load_delivery_lost (const LoadDelivery *d)
{
  guint64 lost = 0;

  for (unsigned i = 0; i < d->n_receivers; i++)
    lost += d->total - MIN (d->receivers[i].received, d->total);
  return lost;
}
