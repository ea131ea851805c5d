/* load-buffer.h — growable byte buffers for socket input and output
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint8 *data;
  size_t  len; /* bytes held */
  size_t  pos; /* output: bytes already written to the socket */
  size_t  cap;
} LoadBuffer;

guint8 *load_buffer_extend (LoadBuffer *b,
                            size_t      n);
void    load_buffer_append (LoadBuffer *b,
                            const void *data,
                            size_t      n);
void    load_buffer_clear (LoadBuffer *b);

G_END_DECLS
