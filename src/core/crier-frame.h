/* crier-frame.h — RFC 6455 frame codec: client frames in, server frames out
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "crier-types.h"

G_BEGIN_DECLS

typedef enum
{
  CRIER_OPCODE_CONTINUATION = 0x0,
  CRIER_OPCODE_TEXT = 0x1,
  CRIER_OPCODE_BINARY = 0x2,
  CRIER_OPCODE_CLOSE = 0x8,
  CRIER_OPCODE_PING = 0x9,
  CRIER_OPCODE_PONG = 0xA,
} CrierOpcode;

typedef enum
{
  CRIER_FRAME_COMPLETE,   /* header parsed */
  CRIER_FRAME_INCOMPLETE, /* need more bytes for the header */
  CRIER_FRAME_INVALID,    /* protocol violation: close with 1002 */
} CrierFrameStatus;

typedef struct
{
  gboolean fin;
  guint8   opcode;
  guint8   mask[4];
  gsize    header_length;
  guint64  payload_length;
} CrierFrameHeader;

/* WebSocket close codes we send ourselves. */
#define CRIER_CLOSE_NORMAL         1000
#define CRIER_CLOSE_PROTOCOL_ERROR 1002
#define CRIER_CLOSE_UNSUPPORTED    1003
#define CRIER_CLOSE_BAD_DATA       1007
#define CRIER_CLOSE_TOO_BIG        1009

CrierFrameStatus crier_frame_parse_header (const guint8     *data,
                                           gsize             length,
                                           CrierFrameHeader *header,
                                           const char      **problem);
void             crier_frame_unmask (guint8      *payload,
                                     gsize        length,
                                     const guint8 mask[4]);
GBytes          *crier_frame_new (CrierOpcode opcode,
                                  const void *payload,
                                  gsize       length);
GBytes          *crier_frame_new_text_take (GString *text);
GBytes          *crier_frame_new_close (guint16     code,
                                        const char *reason);

G_END_DECLS
