/* fuzz-frame.c — libFuzzer target: bytes from a WebSocket client, as the server reads them
 * after the handshake (frame header parser, reassembly, control frames, close handshake)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-fuzz"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "crier-frame.h"
#include "fuzz-common.h"

/* What crier_frame_parse_header () promises its caller, checked on the raw input. */
static void
check_header (const guint8 *data,
              gsize         size)
{
  CrierFrameHeader header = { 0 };
  const char      *problem = NULL;

  switch (crier_frame_parse_header (data, size, &header, &problem))
    {
    case CRIER_FRAME_COMPLETE:
      g_assert_true (header.header_length == 6 || header.header_length == 8 ||
                     header.header_length == 14);
      g_assert_cmpuint (header.header_length, <=, size);
      g_assert_cmpuint (header.payload_length >> 63, ==, 0);
      if (header.opcode >= CRIER_OPCODE_CLOSE)
        g_assert_true (header.fin && header.payload_length <= 125);
      break;
    case CRIER_FRAME_INVALID:
      g_assert_nonnull (problem);
      break;
    case CRIER_FRAME_INCOMPLETE:
      g_assert_cmpuint (size, <, 14);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* A close frame with any reason stays a valid control frame: at most 125 bytes of
 * payload, the reason valid UTF-8 (RFC 6455, sections 5.5 and 5.5.1). */
static void
check_close (const guint8 *data,
             gsize         size)
{
  g_autofree char *reason = NULL;
  g_autoptr (GBytes) frame = NULL;
  const guint8 *bytes;
  gsize         length;

  if (size < 2)
    return;
  reason = g_strndup ((const char *) data + 2, size - 2);
  frame = crier_frame_new_close ((guint16) (data[0] << 8 | data[1]), reason);
  bytes = g_bytes_get_data (frame, &length);
  g_assert_cmpuint (length, >=, 4);
  g_assert_cmpuint (bytes[0], ==, 0x88);
  g_assert_cmpuint (bytes[1], <=, 125);
  g_assert_cmpuint (length, ==, 2 + (gsize) bytes[1]);
  g_assert_true (g_utf8_validate_len ((const char *) bytes + 4, length - 4, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  CrierServer *server;
  FuzzClient  *client;

  check_header (data, size);
  check_close (data, size);

  server = fuzz_server_new ();
  client = fuzz_client_new (server, "/app/" FUZZ_APP_KEY, "7");
  fuzz_client_write (client, data, size);
  fuzz_server_free (server);
  return 0;
}
