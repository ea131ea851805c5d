/* load-histogram.c — latency histograms of fixed size for millions of samples
 * SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "crier-load"

#include "load-histogram.h"

unsigned
load_histogram_index (guint64 v)
{
  int shift;

  if (v < 2 * LOAD_HISTOGRAM_SUB)
    return (unsigned) v;
  shift = 63 - __builtin_clzll (v) - LOAD_HISTOGRAM_SUB_BITS;
  return (unsigned) (shift * LOAD_HISTOGRAM_SUB + (v >> shift));
}

double
load_histogram_bucket_value (unsigned index)
{
  unsigned shift, mantissa;

  if (index < 2 * LOAD_HISTOGRAM_SUB)
    return index;
  shift = index / LOAD_HISTOGRAM_SUB - 1;
  mantissa = index - shift * LOAD_HISTOGRAM_SUB;
  /* middle of the bucket */
  return ((double) mantissa + 0.5) * (double) (G_GUINT64_CONSTANT (1) << shift);
}

void
load_histogram_add (LoadHistogram *h,
                    gint64         v)
{
  guint64 u = v < 0 ? 0 : (guint64) v;

  h->counts[load_histogram_index (u)]++;
  h->total++;
  if (u > h->max)
    h->max = u;
}

double
load_histogram_percentile (const LoadHistogram *h,
                           double               p)
{
  guint64 rank, seen = 0;

  if (h->total == 0)
    return 0;
  rank = (guint64) (p * (double) h->total);
  if (rank < 1)
    rank = 1;
  for (unsigned i = 0; i < LOAD_HISTOGRAM_BUCKETS; i++)
    {
      seen += h->counts[i];
      if (seen >= rank)
        return MIN (load_histogram_bucket_value (i), (double) h->max);
    }
  return (double) h->max;
}
