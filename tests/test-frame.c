/* test-frame.c — the RFC 6455 codec: client frames in, server frames out
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-frame.h"

static const guint8 mask[4] = { 0x37, 0xfa, 0x21, 0x3d };

/* A masked client frame as a browser sends it. */
static GByteArray *
client_frame (guint8      first_byte,
              const void *payload,
              guint64     length,
              int         length_form) /* 0: shortest, 126 or 127: forced */
{
  GByteArray *frame = g_byte_array_new ();
  guint8      header[2] = { first_byte, 0x80 };

  if (length_form == 0)
    length_form = length < 126 ? 0 : length <= G_MAXUINT16 ? 126
                                                           : 127;
  if (length_form == 0)
    {
      header[1] |= (guint8) length;
      g_byte_array_append (frame, header, 2);
    }
  else if (length_form == 126)
    {
      guint8 extended[2] = { (guint8) (length >> 8), (guint8) length };

      header[1] |= 126;
      g_byte_array_append (frame, header, 2);
      g_byte_array_append (frame, extended, 2);
    }
  else
    {
      guint8 extended[8];

      for (int i = 0; i < 8; i++)
        extended[i] = (guint8) (length >> (56 - 8 * i));
      header[1] |= 127;
      g_byte_array_append (frame, header, 2);
      g_byte_array_append (frame, extended, 8);
    }
  g_byte_array_append (frame, mask, 4);
  if (payload != NULL)
    {
      gsize start = frame->len;

      g_byte_array_append (frame, payload, length);
      for (gsize i = 0; i < length; i++)
        frame->data[start + i] ^= mask[i & 3];
    }
  return frame;
}

typedef struct
{
  const char *name;
  guint64     length;
  int         length_form;
  gsize       header_length;
} GoodCase;

static const GoodCase good_cases[] = {
  { "empty", 0, 0, 6 },
  { "short", 5, 0, 6 },
  { "short-max", 125, 0, 6 },
  { "len16-min", 126, 126, 8 },
  { "len16", 1000, 126, 8 },
  { "len16-max", 65535, 126, 8 },
  { "len64-min", 65536, 127, 14 },
  { "len64", 200000, 127, 14 },
};

static void
test_parse_good (gconstpointer data)
{
  const GoodCase    *c = data;
  g_autofree guint8 *payload = g_malloc (c->length + 1);
  g_autoptr (GByteArray) frame = NULL;
  CrierFrameHeader header = { 0 };
  const char      *problem = NULL;

  for (guint64 i = 0; i < c->length; i++)
    payload[i] = (guint8) ('a' + i % 26);
  frame = client_frame (0x80 | CRIER_OPCODE_TEXT, payload, c->length, c->length_form);
  g_assert_cmpint (crier_frame_parse_header (frame->data, frame->len, &header, &problem), ==,
                   CRIER_FRAME_COMPLETE);
  g_assert_null (problem);
  g_assert_true (header.fin);
  g_assert_cmpuint (header.opcode, ==, CRIER_OPCODE_TEXT);
  g_assert_cmpuint (header.header_length, ==, c->header_length);
  g_assert_cmpuint (header.payload_length, ==, c->length);
  g_assert_cmpmem (header.mask, 4, mask, 4);
  /* Unmasking gives the payload back. */
  crier_frame_unmask (frame->data + header.header_length, header.payload_length, header.mask);
  g_assert_cmpmem (frame->data + header.header_length, c->length, payload, c->length);
}

/* The header alone is enough: the payload need not have arrived yet. */
static void
test_parse_header_only (void)
{
  g_autoptr (GByteArray) frame = client_frame (0x80 | CRIER_OPCODE_TEXT, NULL, 70000, 0);
  CrierFrameHeader header = { 0 };
  const char      *problem = NULL;

  g_assert_cmpint (crier_frame_parse_header (frame->data, frame->len, &header, &problem), ==,
                   CRIER_FRAME_COMPLETE);
  g_assert_cmpuint (header.payload_length, ==, 70000);
  g_assert_cmpuint (header.header_length, ==, 14);
}

static void
test_parse_non_final (void)
{
  g_autoptr (GByteArray) first = client_frame (CRIER_OPCODE_TEXT, "ab", 2, 0);
  g_autoptr (GByteArray) next = client_frame (0x80 | CRIER_OPCODE_CONTINUATION, "cd", 2, 0);
  CrierFrameHeader header = { 0 };
  const char      *problem = NULL;

  g_assert_cmpint (crier_frame_parse_header (first->data, first->len, &header, &problem), ==,
                   CRIER_FRAME_COMPLETE);
  g_assert_false (header.fin);
  g_assert_cmpuint (header.opcode, ==, CRIER_OPCODE_TEXT);
  g_assert_cmpint (crier_frame_parse_header (next->data, next->len, &header, &problem), ==,
                   CRIER_FRAME_COMPLETE);
  g_assert_true (header.fin);
  g_assert_cmpuint (header.opcode, ==, CRIER_OPCODE_CONTINUATION);
}

static void
test_parse_control (void)
{
  const guint8 opcodes[] = { CRIER_OPCODE_CLOSE, CRIER_OPCODE_PING, CRIER_OPCODE_PONG };

  for (guint i = 0; i < G_N_ELEMENTS (opcodes); i++)
    {
      g_autofree guint8 *payload = g_malloc0 (125);
      g_autoptr (GByteArray) frame = client_frame (0x80 | opcodes[i], payload, 125, 0);
      CrierFrameHeader header = { 0 };
      const char      *problem = NULL;

      g_assert_cmpint (crier_frame_parse_header (frame->data, frame->len, &header, &problem), ==,
                       CRIER_FRAME_COMPLETE);
      g_assert_cmpuint (header.opcode, ==, opcodes[i]);
      g_assert_cmpuint (header.payload_length, ==, 125);
    }
}

typedef struct
{
  const char *name;
  guint64     length;
} IncompleteCase;

static const IncompleteCase incomplete_cases[] = {
  { "short", 5 },
  { "len16", 300 },
  { "len64", 70000 },
};

/* Every cut of the header before its last byte asks for more, never misparses. */
static void
test_incomplete (gconstpointer data)
{
  const IncompleteCase *c = data;
  g_autoptr (GByteArray) frame = client_frame (0x80 | CRIER_OPCODE_TEXT, NULL, c->length, 0);

  for (gsize cut = 0; cut < frame->len; cut++)
    {
      CrierFrameHeader header = { 0 };
      const char      *problem = NULL;
      /* An exact-size copy, so ASan sees any read past the cut. */
      g_autofree guint8 *copy = g_memdup2 (frame->data, MAX (cut, 1));

      g_assert_cmpint (crier_frame_parse_header (cut > 0 ? copy : frame->data, cut, &header,
                                                 &problem),
                       ==, CRIER_FRAME_INCOMPLETE);
      g_assert_null (problem);
    }
}

typedef struct
{
  const char *name;
  guint8      bytes[14];
  gsize       length;
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "unmasked", { 0x81, 0x05, 'h', 'e', 'l', 'l', 'o' }, 7 },
  { "rsv1", { 0xc1, 0x80, 0, 0, 0, 0 }, 6 },
  { "rsv2", { 0xa1, 0x80, 0, 0, 0, 0 }, 6 },
  { "rsv3", { 0x91, 0x80, 0, 0, 0, 0 }, 6 },
  { "opcode-3", { 0x83, 0x80, 0, 0, 0, 0 }, 6 },
  { "opcode-7", { 0x87, 0x80, 0, 0, 0, 0 }, 6 },
  { "opcode-b", { 0x8b, 0x80, 0, 0, 0, 0 }, 6 },
  { "opcode-f", { 0x8f, 0x80, 0, 0, 0, 0 }, 6 },
  { "fragmented-ping", { 0x09, 0x80, 0, 0, 0, 0 }, 6 },
  { "fragmented-close", { 0x08, 0x80, 0, 0, 0, 0 }, 6 },
  { "ping-126", { 0x89, 0x80 | 126, 0x00, 126, 0, 0, 0, 0 }, 8 },
  { "close-len16", { 0x88, 0x80 | 126, 0x01, 0x00, 0, 0, 0, 0 }, 8 },
  { "pong-len64", { 0x8a, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0, 0, 0, 0 }, 14 },
  { "len64-top-bit", { 0x81, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0 }, 14 },
  { "len64-all-ones", { 0x82, 0x80 | 127, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0 }, 14 },
};

static void
test_invalid (gconstpointer data)
{
  const InvalidCase *c = data;
  CrierFrameHeader   header = { 0 };
  const char        *problem = NULL;

  g_assert_cmpint (crier_frame_parse_header (c->bytes, c->length, &header, &problem), ==,
                   CRIER_FRAME_INVALID);
  g_assert_nonnull (problem);
}

/* A violation is reported as soon as the bytes that show it have arrived. */
static void
test_invalid_early (void)
{
  const guint8     unmasked[] = { 0x81, 0x05 };
  const guint8     top_bit[] = { 0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0 };
  CrierFrameHeader header = { 0 };
  const char      *problem = NULL;

  g_assert_cmpint (crier_frame_parse_header (unmasked, sizeof unmasked, &header, &problem), ==,
                   CRIER_FRAME_INVALID);
  problem = NULL;
  g_assert_cmpint (crier_frame_parse_header (top_bit, sizeof top_bit, &header, &problem), ==,
                   CRIER_FRAME_INVALID);
}

typedef struct
{
  const char *name;
  gsize       length;
  gsize       header_length;
  guint8      header[10];
} BuildCase;

static const BuildCase build_cases[] = {
  { "0", 0, 2, { 0x81, 0 } },
  { "125", 125, 2, { 0x81, 125 } },
  { "126", 126, 4, { 0x81, 126, 0x00, 126 } },
  { "65535", 65535, 4, { 0x81, 126, 0xff, 0xff } },
  { "65536", 65536, 10, { 0x81, 127, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00 } },
};

static void
test_build (gconstpointer data)
{
  const BuildCase   *c = data;
  g_autofree guint8 *payload = g_malloc (MAX (c->length, 1));
  g_autoptr (GBytes) frame = NULL;
  const guint8 *bytes;
  gsize         size;

  for (gsize i = 0; i < c->length; i++)
    payload[i] = (guint8) i;
  frame = crier_frame_new (CRIER_OPCODE_TEXT, payload, c->length);
  bytes = g_bytes_get_data (frame, &size);
  g_assert_cmpuint (size, ==, c->header_length + c->length);
  /* Server frames: FIN set, never masked. */
  g_assert_cmpmem (bytes, c->header_length, c->header, c->header_length);
  g_assert_cmpmem (bytes + c->header_length, c->length, payload, c->length);
}

static void
test_build_opcodes (void)
{
  g_autoptr (GBytes) ping = crier_frame_new (CRIER_OPCODE_PING, NULL, 0);
  g_autoptr (GBytes) pong = crier_frame_new (CRIER_OPCODE_PONG, "x", 1);
  g_autoptr (GBytes) binary = crier_frame_new (CRIER_OPCODE_BINARY, "\0\1", 2);
  const guint8 ping_bytes[] = { 0x89, 0x00 };
  const guint8 pong_bytes[] = { 0x8a, 0x01, 'x' };
  const guint8 binary_bytes[] = { 0x82, 0x02, 0x00, 0x01 };

  g_assert_cmpmem (g_bytes_get_data (ping, NULL), g_bytes_get_size (ping), ping_bytes, sizeof ping_bytes);
  g_assert_cmpmem (g_bytes_get_data (pong, NULL), g_bytes_get_size (pong), pong_bytes, sizeof pong_bytes);
  g_assert_cmpmem (g_bytes_get_data (binary, NULL), g_bytes_get_size (binary), binary_bytes,
                   sizeof binary_bytes);
}

static const gsize take_lengths[] = { 0, 125, 126, 65535, 65536 };

/* The zero-copy text path writes the same bytes as crier_frame_new. */
static void
test_text_take (gconstpointer data)
{
  gsize    length = *(const gsize *) data;
  GString *text = g_string_sized_new (length);
  g_autoptr (GBytes) expected = NULL;
  g_autoptr (GBytes) taken = NULL;

  for (gsize i = 0; i < length; i++)
    g_string_append_c (text, (char) ('a' + i % 26));
  expected = crier_frame_new (CRIER_OPCODE_TEXT, text->str, text->len);
  taken = crier_frame_new_text_take (text);
  g_assert_true (g_bytes_equal (expected, taken));
}

static void
assert_close_frame (GBytes     *frame,
                    guint16     code,
                    const char *reason)
{
  gsize         size;
  const guint8 *bytes = g_bytes_get_data (frame, &size);
  gsize         reason_length = reason != NULL ? strlen (reason) : 0;

  g_assert_cmpuint (size, ==, 2 + 2 + reason_length);
  g_assert_cmpuint (bytes[0], ==, 0x88);
  g_assert_cmpuint (bytes[1], ==, 2 + reason_length);
  g_assert_cmpuint ((bytes[2] << 8) | bytes[3], ==, code);
  g_assert_cmpmem (bytes + 4, reason_length, reason, reason_length);
}

static void
test_close_short (void)
{
  g_autoptr (GBytes) frame = crier_frame_new_close (4001, "Application does not exist");
  g_autoptr (GBytes) bare = crier_frame_new_close (1000, NULL);
  g_autoptr (GBytes) empty = crier_frame_new_close (4200, "");

  assert_close_frame (frame, 4001, "Application does not exist");
  assert_close_frame (bare, 1000, NULL);
  assert_close_frame (empty, 4200, NULL);
}

typedef struct
{
  const char *name;
  const char *unit; /* repeated */
  guint       times;
  gsize       kept; /* bytes of reason in the frame */
} CloseCase;

/* A close frame holds 2 bytes of code and at most 123 bytes of UTF-8 (§2.2). */
static const CloseCase close_cases[] = {
  { "ascii-123", "a", 123, 123 },
  { "ascii-124", "a", 124, 123 },
  { "ascii-300", "a", 300, 123 },
  { "two-byte", "\xc3\xa9", 100, 122 },            /* é: 61 fit, the 62nd would end at 124 */
  { "three-byte-exact", "\xe2\x82\xac", 41, 123 }, /* €: 41 × 3 = 123 */
  { "three-byte", "\xe2\x82\xac", 60, 123 },
  { "four-byte", "\xf0\x9f\x98\x80", 40, 120 }, /* 😀: 30 × 4 = 120, 31 × 4 = 124 */
};

static void
test_close_truncate (gconstpointer data)
{
  const CloseCase *c = data;
  g_autoptr (GString) reason = g_string_new (NULL);
  g_autoptr (GBytes) frame = NULL;
  const guint8 *bytes;
  gsize         size;

  for (guint i = 0; i < c->times; i++)
    g_string_append (reason, c->unit);
  frame = crier_frame_new_close (4009, reason->str);
  bytes = g_bytes_get_data (frame, &size);
  g_assert_cmpuint (size, <=, 2 + 125);
  g_assert_cmpuint (bytes[1], ==, 2 + c->kept);
  g_assert_cmpuint (size, ==, 2 + 2 + c->kept);
  g_assert_true (g_utf8_validate ((const char *) bytes + 4, c->kept, NULL));
  g_assert_cmpmem (bytes + 4, c->kept, reason->str, c->kept);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (good_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/frame/parse/%s", good_cases[i].name);

      g_test_add_data_func (path, &good_cases[i], test_parse_good);
    }
  g_test_add_func ("/core/frame/parse/header-only", test_parse_header_only);
  g_test_add_func ("/core/frame/parse/non-final", test_parse_non_final);
  g_test_add_func ("/core/frame/parse/control", test_parse_control);
  for (guint i = 0; i < G_N_ELEMENTS (incomplete_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/frame/incomplete/%s",
                                               incomplete_cases[i].name);

      g_test_add_data_func (path, &incomplete_cases[i], test_incomplete);
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/frame/invalid/%s", invalid_cases[i].name);

      g_test_add_data_func (path, &invalid_cases[i], test_invalid);
    }
  g_test_add_func ("/core/frame/invalid/early", test_invalid_early);
  for (guint i = 0; i < G_N_ELEMENTS (build_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/frame/build/%s", build_cases[i].name);

      g_test_add_data_func (path, &build_cases[i], test_build);
    }
  g_test_add_func ("/core/frame/build/opcodes", test_build_opcodes);
  for (guint i = 0; i < G_N_ELEMENTS (take_lengths); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/frame/build/text-take-%" G_GSIZE_FORMAT,
                                               take_lengths[i]);

      g_test_add_data_func (path, &take_lengths[i], test_text_take);
    }
  g_test_add_func ("/core/frame/close/short", test_close_short);
  for (guint i = 0; i < G_N_ELEMENTS (close_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/frame/close/%s", close_cases[i].name);

      g_test_add_data_func (path, &close_cases[i], test_close_truncate);
    }

  return g_test_run ();
}
