/* load-buffer.c — growable byte buffers for socket input and output
 * SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "crier-load"

#include "load-buffer.h"

#include <string.h>

/* Makes room for N more bytes at the end and returns where they go. */
guint8 *
load_buffer_extend (LoadBuffer *b,
                    size_t      n)
{
  guint8 *p;

  if (b->len + n > b->cap)
    {
      size_t cap = MAX (b->cap * 2, 256);

      while (cap < b->len + n)
        cap *= 2;
      b->data = g_realloc (b->data, cap);
      b->cap = cap;
    }
  p = b->data + b->len;
  b->len += n;
  return p;
}

void
load_buffer_append (LoadBuffer *b,
                    const void *data,
                    size_t      n)
{
  memcpy (load_buffer_extend (b, n), data, n);
}

void
load_buffer_clear (LoadBuffer *b)
{
  g_clear_pointer (&b->data, g_free);
  b->len = b->pos = b->cap = 0;
}
