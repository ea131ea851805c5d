/* load-frame.c — RFC 6455 client side: the upgrade handshake and frames
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * crier-load parses frames itself instead of linking the core's crier-frame.c: it is
 * an independent oracle.  A bug in a shared codec would sit on both ends of every
 * benchmark connection and hide itself (a wrong length written and read back the
 * same way looks fine), and soketi's frames go through this code too.  Only the
 * opcode names come from the core's crier-frame.h, so both speak of the same
 * CRIER_OPCODE_TEXT; nothing of the core is linked. */

#define _GNU_SOURCE
#define G_LOG_DOMAIN "crier-load"

#include "load-frame.h"

#include <string.h>

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* RFC 6455 5.2: first byte FIN, RSV1-3, opcode; second byte MASK and a 7-bit
 * length, where 126 and 127 announce a 16-bit or 64-bit length after it. */
#define FIN_BIT          0x80
#define RSV_BITS         0x70
#define OPCODE_BITS      0x0f
#define MASK_BIT         0x80
#define LENGTH_BITS      0x7f
#define LENGTH_16        126
#define LENGTH_64        127
#define MAX_FRAME_HEADER 14 /* 2 + 8 bytes of length + 4 of mask */

/* Sec-WebSocket-Accept the server must answer to KEY (RFC 6455 4.2.2) */
void
load_frame_accept_for_key (const char *key,
                           char        accept[32])
{
  g_autoptr (GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8           digest[20];
  gsize            digest_len = sizeof digest;
  g_autofree char *b64 = NULL;

  g_checksum_update (sha1, (const guchar *) key, -1);
  g_checksum_update (sha1, (const guchar *) WS_GUID, -1);
  g_checksum_get_digest (sha1, digest, &digest_len);
  b64 = g_base64_encode (digest, digest_len);
  g_strlcpy (accept, b64, 32);
}

/* The upgrade request as pusher-js sends it, up to the Sec-WebSocket-Key's value: built
 * once per run, not once per connection. Not a format with a %s for the key: a '%' in
 * the app key would then be read as a directive. */
char *
load_frame_upgrade_head (const char *app_key,
                         const char *host,
                         int         port)
{
  return g_strdup_printf ("GET /app/%s?protocol=7&client=js&version=8.6.0&flash=false HTTP/1.1\r\n"
                          "Host: %s:%d\r\n"
                          "Upgrade: websocket\r\n"
                          "Connection: Upgrade\r\n"
                          "Sec-WebSocket-Key: ",
                          app_key, host, port);
}

/* One connection's upgrade request: HEAD from load_frame_upgrade_head (), then KEY. */
char *
load_frame_upgrade_request (const char *head,
                            const char *key)
{
  return g_strconcat (head, key, "\r\nSec-WebSocket-Version: 13\r\n\r\n", NULL);
}

/* Checks the server's answer to the upgrade request.  COMPLETE and INVALID set
 * HEAD_LEN to the bytes of the response header; INVALID, and INCOMPLETE when the
 * header will never fit, set PROBLEM. */
LoadFrameStatus
load_frame_parse_upgrade (const guint8 *data,
                          size_t        len,
                          const char   *accept,
                          size_t       *head_len,
                          char        **problem)
{
  const char      *end = memmem (data, len, "\r\n\r\n", 4);
  g_autofree char *head = NULL;
  const char      *found;

  if (end == NULL)
    {
      if (len > LOAD_FRAME_MAX_HEADER)
        *problem = g_strdup ("upgrade response header too large");
      return LOAD_FRAME_INCOMPLETE;
    }
  *head_len = (size_t) (end - (const char *) data) + 4;
  head = g_ascii_strdown ((const char *) data, (gssize) *head_len);
  if (!g_str_has_prefix (head, "http/1.1 101"))
    {
      *problem = g_strdup_printf ("upgrade refused: %.*s", (int) MIN (len, 300), (const char *) data);
      return LOAD_FRAME_INVALID;
    }
  /* the header values were lowered too: compare the raw bytes at the same offset */
  found = strstr (head, "\r\nsec-websocket-accept:");
  if (found != NULL)
    {
      const char *v = (const char *) data + (found - head) + 23;

      while (*v == ' ')
        v++;
      if (strncmp (v, accept, strlen (accept)) != 0)
        found = NULL;
    }
  if (found == NULL)
    {
      *problem = g_strdup_printf ("bad Sec-WebSocket-Accept: %.*s", (int) *head_len,
                                  (const char *) data);
      return LOAD_FRAME_INVALID;
    }
  return LOAD_FRAME_COMPLETE;
}

/* Reads the frame at DATA.  INVALID means a payload over LOAD_FRAME_MAX_MESSAGE
 * (FRAME->length says how much); it is refused before all of it arrived. */
LoadFrameStatus
load_frame_parse (guint8    *data,
                  size_t     len,
                  LoadFrame *frame)
{
  guint8  b0, b1;
  guint64 plen;
  size_t  hlen = 2;

  if (len < 2)
    return LOAD_FRAME_INCOMPLETE;
  b0 = data[0];
  b1 = data[1];
  plen = b1 & LENGTH_BITS;
  if (plen == LENGTH_16)
    {
      if (len < 4)
        return LOAD_FRAME_INCOMPLETE;
      plen = (guint64) data[2] << 8 | data[3];
      hlen = 4;
    }
  else if (plen == LENGTH_64)
    {
      if (len < 10)
        return LOAD_FRAME_INCOMPLETE;
      plen = 0;
      for (int i = 0; i < 8; i++)
        plen = plen << 8 | data[2 + i];
      hlen = 10;
    }
  if (b1 & MASK_BIT)
    hlen += 4;
  frame->length = plen;
  if (plen > LOAD_FRAME_MAX_MESSAGE)
    return LOAD_FRAME_INVALID;
  if (len < hlen + plen)
    return LOAD_FRAME_INCOMPLETE;

  frame->fin = (b0 & FIN_BIT) != 0;
  frame->rsv = b0 & RSV_BITS;
  frame->opcode = b0 & OPCODE_BITS;
  frame->masked = (b1 & MASK_BIT) != 0;
  frame->payload = data + hlen;
  frame->size = hlen + (size_t) plen;
  if (frame->masked)
    {
      const guint8 *mask = frame->payload - 4;

      for (size_t i = 0; i < plen; i++)
        frame->payload[i] ^= mask[i & 3];
    }
  return LOAD_FRAME_COMPLETE;
}

/* Appends one final client frame to OUT, masked with MASK_KEY as clients must. */
void
load_frame_append (LoadBuffer *out,
                   CrierOpcode opcode,
                   const void *payload,
                   size_t      len,
                   guint32     mask_key)
{
  guint8       *frame, *mask;
  const guint8 *src = payload;
  size_t        h = 0;

  frame = load_buffer_extend (out, len + MAX_FRAME_HEADER);
  frame[h++] = FIN_BIT | opcode;
  if (len < LENGTH_16)
    frame[h++] = MASK_BIT | (guint8) len;
  else if (len < 65536)
    {
      frame[h++] = MASK_BIT | LENGTH_16;
      frame[h++] = (guint8) (len >> 8);
      frame[h++] = (guint8) len;
    }
  else
    {
      frame[h++] = MASK_BIT | LENGTH_64;
      for (int i = 7; i >= 0; i--)
        frame[h++] = (guint8) ((guint64) len >> (8 * i));
    }
  mask = frame + h;
  memcpy (mask, &mask_key, 4);
  h += 4;
  for (size_t i = 0; i < len; i++)
    frame[h + i] = src[i] ^ mask[i & 3];
  out->len -= MAX_FRAME_HEADER - h;
}
