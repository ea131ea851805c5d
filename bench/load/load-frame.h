/* load-frame.h — RFC 6455 client side: the upgrade handshake and frames
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "crier-frame.h" /* CrierOpcode only: see load-frame.c for why no more */
#include "load-buffer.h"

G_BEGIN_DECLS

#define LOAD_FRAME_MAX_MESSAGE (16 * 1024 * 1024)
#define LOAD_FRAME_MAX_HEADER  (64 * 1024) /* of the HTTP upgrade response */

typedef enum
{
  LOAD_FRAME_COMPLETE,
  LOAD_FRAME_INCOMPLETE, /* need more bytes */
  LOAD_FRAME_INVALID,    /* the connection cannot go on */
} LoadFrameStatus;

/* One server frame, as it arrived.  A masked one was unmasked in place. */
typedef struct
{
  gboolean fin;
  guint8   opcode; /* a CrierOpcode, or anything else a broken server sent */
  guint8   rsv;    /* the RSV1-3 bits: 0 without extensions */
  gboolean masked; /* servers must not mask (RFC 6455 5.1) */
  guint8  *payload;
  guint64  length;
  size_t   size; /* of the whole frame, header included */
} LoadFrame;

void            load_frame_accept_for_key (const char *key,
                                           char        accept[32]);
char           *load_frame_upgrade_head (const char *app_key,
                                         const char *host,
                                         int         port);
char           *load_frame_upgrade_request (const char *head,
                                            const char *key);
LoadFrameStatus load_frame_parse_upgrade (const guint8 *data,
                                          size_t        len,
                                          const char   *accept,
                                          size_t       *head_len,
                                          char        **problem);
LoadFrameStatus load_frame_parse (guint8    *data,
                                  size_t     len,
                                  LoadFrame *frame);
void            load_frame_append (LoadBuffer *out,
                                   CrierOpcode opcode,
                                   const void *payload,
                                   size_t      len,
                                   guint32     mask_key);

G_END_DECLS
