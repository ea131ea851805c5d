/* crier-frame.c — RFC 6455 frame codec: client frames in, server frames out
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-protocol"

#include "config.h"

#include "crier-frame.h"

#include <string.h>

CrierFrameStatus
crier_frame_parse_header (const guint8     *data,
                          gsize             length,
                          CrierFrameHeader *header,
                          const char      **problem)
{
  guint64 payload_length;
  gsize   offset = 2;
  guint8  opcode;

  if (length < 2)
    return CRIER_FRAME_INCOMPLETE;

  opcode = data[0] & 0x0F;
  header->fin = (data[0] & 0x80) != 0;
  header->opcode = opcode;
  /* No extension is negotiated, so every RSV bit must be clear. */
  if ((data[0] & 0x70) != 0)
    {
      *problem = "reserved bits set";
      return CRIER_FRAME_INVALID;
    }
  if ((opcode > CRIER_OPCODE_BINARY && opcode < CRIER_OPCODE_CLOSE) || opcode > CRIER_OPCODE_PONG)
    {
      *problem = "unknown opcode";
      return CRIER_FRAME_INVALID;
    }
  if ((data[1] & 0x80) == 0)
    {
      *problem = "client frames must be masked";
      return CRIER_FRAME_INVALID;
    }

  payload_length = data[1] & 0x7F;
  if (payload_length == 126)
    {
      if (length < 4)
        return CRIER_FRAME_INCOMPLETE;
      payload_length = ((guint64) data[2] << 8) | data[3];
      offset = 4;
    }
  else if (payload_length == 127)
    {
      if (length < 10)
        return CRIER_FRAME_INCOMPLETE;
      payload_length = 0;
      for (int i = 0; i < 8; i++)
        payload_length = (payload_length << 8) | data[2 + i];
      if (payload_length >> 63)
        {
          *problem = "payload length out of range";
          return CRIER_FRAME_INVALID;
        }
      offset = 10;
    }
  if (opcode >= CRIER_OPCODE_CLOSE && (!header->fin || payload_length > 125))
    {
      *problem = "control frames must be final and at most 125 bytes";
      return CRIER_FRAME_INVALID;
    }
  if (length < offset + 4)
    return CRIER_FRAME_INCOMPLETE;
  memcpy (header->mask, data + offset, 4);
  header->header_length = offset + 4;
  header->payload_length = payload_length;
  return CRIER_FRAME_COMPLETE;
}

void
crier_frame_unmask (guint8      *payload,
                    gsize        length,
                    const guint8 mask[4])
{
  for (gsize i = 0; i < length; i++)
    payload[i] ^= mask[i & 3];
}

static gsize
write_header (guint8     *out,
              CrierOpcode opcode,
              gsize       length)
{
  out[0] = 0x80 | opcode;
  if (length < 126)
    {
      out[1] = (guint8) length;
      return 2;
    }
  if (length <= G_MAXUINT16)
    {
      out[1] = 126;
      out[2] = (guint8) (length >> 8);
      out[3] = (guint8) length;
      return 4;
    }
  out[1] = 127;
  for (int i = 0; i < 8; i++)
    out[2 + i] = (guint8) ((guint64) length >> (56 - 8 * i));
  return 10;
}

/* A complete, unmasked server frame: the bytes that go to every receiver unchanged. */
GBytes *
crier_frame_new (CrierOpcode opcode,
                 const void *payload,
                 gsize       length)
{
  guint8 *frame = g_malloc (length + 10);
  gsize   header_length = write_header (frame, opcode, length);

  if (length > 0)
    memcpy (frame + header_length, payload, length);
  return g_bytes_new_take (frame, header_length + length);
}

/* Turns a text message into a frame without copying it twice: the header goes into room
 * left in front of the text. */
GBytes *
crier_frame_new_text_take (GString *text)
{
  guint8 header[10];
  gsize  length = text->len;
  gsize  header_length = write_header (header, CRIER_OPCODE_TEXT, length);

  g_string_prepend_len (text, (const char *) header, header_length);
  return g_string_free_to_bytes (text);
}

GBytes *
crier_frame_new_close (guint16     code,
                       const char *reason)
{
  guint8 payload[125];
  gsize  reason_length = 0;

  payload[0] = (guint8) (code >> 8);
  payload[1] = (guint8) code;
  if (reason != NULL)
    {
      /* At most 123 bytes of valid UTF-8, cut on a character boundary. */
      g_autofree char *valid = g_utf8_make_valid (reason, -1);

      reason_length = strlen (valid);
      if (reason_length > 123)
        {
          reason_length = 123;
          while (reason_length > 0 && ((guchar) valid[reason_length] & 0xC0) == 0x80)
            reason_length--;
        }
      memcpy (payload + 2, valid, reason_length);
    }
  return crier_frame_new (CRIER_OPCODE_CLOSE, payload, 2 + reason_length);
}
