/* load-histogram.h — latency histograms of fixed size for millions of samples
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Log-linear buckets, 64 per power of two: about 1.5 % resolution from 1 ns to
 * centuries in 4096 counters, so millions of samples cost no memory. */
#define LOAD_HISTOGRAM_SUB_BITS 6
#define LOAD_HISTOGRAM_SUB      (1 << LOAD_HISTOGRAM_SUB_BITS)
#define LOAD_HISTOGRAM_BUCKETS  (64 * LOAD_HISTOGRAM_SUB)

typedef struct
{
  guint64 counts[LOAD_HISTOGRAM_BUCKETS];
  guint64 total;
  guint64 max;
} LoadHistogram;

unsigned load_histogram_index (guint64 v);
double   load_histogram_bucket_value (unsigned index);
void     load_histogram_add (LoadHistogram *h,
                             gint64         v);
double   load_histogram_percentile (const LoadHistogram *h,
                                    double               p);

G_END_DECLS
