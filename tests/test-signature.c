/* test-signature.c — HMAC signatures against Pusher's test vectors (pusher-protocol.md §8, §18)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-signature.h"
#include "crier-test-utils.h"

#define KEY    "278d425bdf160c739803"
#define SECRET "7ad3773142a6692b25b8"

typedef struct
{
  const char *name;
  const char *string_to_sign;
  const char *signature;
} Vector;

/* pusher-protocol.md §18, all with app 3, key and secret above, socket 1234.1234. */
static const Vector vectors[] = {
  { "private", "1234.1234:private-foobar",
    "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4" },
  { "encrypted", "1234.1234:private-encrypted-foobar",
    "e6a18892d037c5d5e76a2265df4f086ffc38631605530dfd214aa5bff495f533" },
  { "presence-numeric-id",
    "1234.1234:presence-foobar:{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Channels\"}}",
    "31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80" },
  { "presence-string-id",
    "1234.1234:presence-foobar:{\"user_id\":\"10\",\"user_info\":{\"name\":\"Mr. Channels\"}}",
    "4c6d8fc42a207ba96a0779844171b0bb819d96ffceef9609f5cce596ab17a800" },
  { "presence-docs-printed",
    "1234.1234:presence-foobar:{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Pusher\"}}",
    "afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c" },
  { "sign-in", "1234.1234::user::{\"id\":\"12345\"}",
    "4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba" },
  { "api-trigger",
    "POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&"
    "auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f",
    "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c" },
  { "api-channels",
    "GET\n/apps/3/channels\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&"
    "auth_version=1.0&filter_by_prefix=presence-&info=user_count",
    "16819168891cb5dfd72b5c7a5d3d602605b26c6ba1930033b5e2eeeb65010291" },
  { "api-terminate",
    "POST\n/apps/3/users/42/terminate_connections\nauth_key=278d425bdf160c739803&"
    "auth_timestamp=1353088179&auth_version=1.0&body_md5=99914b932bd37a50b983c5e7c90ae93b",
    "2829710742ff5f799010258297d09016e2366257e3e954039eeda349073a2bcf" },
  { "webhook",
    "{\"time_ms\":1327078148132,\"events\":[{\"name\":\"channel_occupied\",\"channel\":\"test-channel\"}]}",
    "5dd6562a9f744b72a688bcdfea41c14c2c56d12c44c99e32c08face4cc1e8aeb" },
};

static void
test_vector (gconstpointer data)
{
  const Vector    *v = data;
  g_autofree char *computed = crier_signature_compute (SECRET, v->string_to_sign, -1);
  g_autofree char *with_length = NULL;
  g_autofree char *auth = g_strconcat (KEY, ":", v->signature, NULL);
  g_autofree char *message = NULL;

  g_assert_cmpstr (computed, ==, v->signature);
  /* An explicit length gives the same result as a NUL-terminated string. */
  with_length = crier_signature_compute (SECRET, v->string_to_sign, strlen (v->string_to_sign));
  g_assert_cmpstr (with_length, ==, v->signature);
  /* And the auth string an app server would return is accepted. */
  g_assert_true (crier_signature_check_auth (auth, KEY, SECRET, v->string_to_sign, &message));
  g_assert_null (message);
}

/* The body MD5 values the API vectors use (§18). */
static void
test_md5 (void)
{
  const char      *body = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}";
  g_autofree char *empty = g_compute_checksum_for_string (G_CHECKSUM_MD5, "", 0);
  g_autofree char *braces = g_compute_checksum_for_string (G_CHECKSUM_MD5, "{}", -1);
  g_autofree char *trigger = g_compute_checksum_for_string (G_CHECKSUM_MD5, body, -1);

  g_assert_cmpstr (empty, ==, "d41d8cd98f00b204e9800998ecf8427e");
  g_assert_cmpstr (braces, ==, "99914b932bd37a50b983c5e7c90ae93b");
  g_assert_cmpstr (trigger, ==, "ec365a775a4cd0599faeb73354201b6f");
}

/* Only the first length bytes are signed. */
static void
test_compute_length (void)
{
  g_autofree char *prefix = crier_signature_compute (SECRET, "1234.1234:private-foobarXXXX", 24);

  g_assert_cmpstr (prefix, ==, "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4");
}

typedef struct
{
  const char *name;
  const char *auth;
  const char *message;
} AuthCase;

#define TO_SIGN "1234.1234:private-foobar"

static const AuthCase bad_auth_cases[] = {
  { "wrong-key", "0000000000000000000:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4",
    "Invalid key in subscription auth data: '0000000000000000000'" },
  /* The key part is compared exactly, so a key prefix is not enough. */
  { "key-prefix", "278d425bdf:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4",
    "Invalid key in subscription auth data: '278d425bdf'" },
  { "no-colon", "278d425bdf160c73980358df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4",
    "Invalid auth: expected the form '<app key>:<signature>'" },
  { "empty", "", "Invalid auth: expected the form '<app key>:<signature>'" },
  { "empty-key", ":58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4",
    "Invalid auth: expected the form '<app key>:<signature>'" },
  { "empty-signature", KEY ":", "Invalid auth: expected the form '<app key>:<signature>'" },
  /* Pusher's own wording: echoes what should have been signed, never the secret (§8.1). */
  { "wrong-signature", KEY ":52aabdb73de6d1f04c8729e585eae54b71f40a2e9d2bfb1eaa695bd480682d7b",
    "Invalid signature: Expected HMAC SHA256 hex digest of 1234.1234:private-foobar, but got "
    "52aabdb73de6d1f04c8729e585eae54b71f40a2e9d2bfb1eaa695bd480682d7b" },
  { "short-signature", KEY ":58df8b0c",
    "Invalid signature: Expected HMAC SHA256 hex digest of 1234.1234:private-foobar, but got 58df8b0c" },
  { "long-signature", KEY ":58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a400",
    "Invalid signature: Expected HMAC SHA256 hex digest of 1234.1234:private-foobar, but got "
    "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a400" },
  /* Hex case matters: the SDKs emit lowercase and every server compares exactly. */
  { "uppercase-signature", KEY ":58DF8B0C36D6982B82C3ECF6B4662E34FE8C25BBA48F5369F135BF843651C3A4",
    "Invalid signature: Expected HMAC SHA256 hex digest of 1234.1234:private-foobar, but got "
    "58DF8B0C36D6982B82C3ECF6B4662E34FE8C25BBA48F5369F135BF843651C3A4" },
  /* Split at the first colon: the rest, colons included, is the signature. */
  { "extra-colon", KEY ":58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4:x",
    "Invalid signature: Expected HMAC SHA256 hex digest of 1234.1234:private-foobar, but got "
    "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4:x" },
};

static void
test_bad_auth (gconstpointer data)
{
  const AuthCase  *c = data;
  g_autofree char *message = NULL;

  g_assert_false (crier_signature_check_auth (c->auth, KEY, SECRET, TO_SIGN, &message));
  g_assert_cmpstr (message, ==, c->message);
}

static void
test_null_auth (void)
{
  g_autofree char *message = NULL;

  g_assert_false (crier_signature_check_auth (NULL, KEY, SECRET, TO_SIGN, &message));
  g_assert_cmpstr (message, ==, "Invalid auth: expected the form '<app key>:<signature>'");
}

typedef struct
{
  const char *name;
  const char *expected;
  const char *given;
  gboolean    equal;
} EqualCase;

static const EqualCase equal_cases[] = {
  { "same", "abcdef", "abcdef", TRUE },
  { "empty", "", "", TRUE },
  { "differs-last", "abcdef", "abcdeg", FALSE },
  { "differs-first", "abcdef", "bbcdef", FALSE },
  { "given-shorter", "abcdef", "abcde", FALSE },
  { "given-longer", "abcdef", "abcdefa", FALSE },
  { "given-empty", "abcdef", "", FALSE },
  { "expected-empty", "", "a", FALSE },
  /* A longer given string whose extra byte would XOR to zero against a NUL. */
  { "given-prefix-then-nul-like", "abc", "abc\x01", FALSE },
  { "case", "abcdef", "ABCDEF", FALSE },
};

static void
test_equal (gconstpointer data)
{
  const EqualCase *c = data;

  g_assert_cmpint (crier_signature_equal (c->expected, c->given), ==, c->equal);
}

typedef struct
{
  const char *name;
  const char *text;
  gboolean    valid;
  gint64      seconds;
} TimestampCase;

static const TimestampCase timestamp_cases[] = {
  { "now-ish", "1700000000", TRUE, 1700000000 },
  { "zero", "0", TRUE, 0 },
  { "negative", "-5", TRUE, -5 },
  { "int64-min", "-9223372036854775808", TRUE, G_MININT64 },
  { "int64-max", "9223372036854775807", TRUE, G_MAXINT64 },
  /* strtoll clamps these to the limits; they are not timestamps. */
  { "above-int64", "9223372036854775808", FALSE, 0 },
  { "below-int64", "-9223372036854775809", FALSE, 0 },
  { "huge", "99999999999999999999999999999999999999", FALSE, 0 },
  { "empty", "", FALSE, 0 },
  { "letters", "abc", FALSE, 0 },
  { "trailing", "1700000000x", FALSE, 0 },
  { "leading-space", " 1700000000", FALSE, 0 },
  { "fraction", "1700000000.5", FALSE, 0 },
};

static void
test_timestamp (gconstpointer data)
{
  const TimestampCase *c = data;
  gint64               seconds = 42;

  g_assert_cmpint (crier_signature_parse_timestamp (c->text, &seconds), ==, c->valid);
  g_assert_cmpint (seconds, ==, c->seconds);
}

typedef struct
{
  gint64  a;
  gint64  b;
  guint64 distance;
} DistanceCase;

/* Exact for every pair, including those whose signed difference overflows. */
static const DistanceCase distance_cases[] = {
  { 0, 0, 0 },
  { 1700000000, 1700000600, 600 },
  { 1700000600, 1700000000, 600 },
  { 1700000000, G_MININT64, G_GUINT64_CONSTANT (9223372038554775808) },
  { G_MININT64, 1700000000, G_GUINT64_CONSTANT (9223372038554775808) },
  { 1700000000, G_MAXINT64, G_GUINT64_CONSTANT (9223372035154775807) },
  { -1700000000, G_MAXINT64, G_GUINT64_CONSTANT (9223372038554775807) },
  { G_MININT64, G_MAXINT64, G_MAXUINT64 },
  { G_MAXINT64, G_MININT64, G_MAXUINT64 },
  { G_MININT64, G_MININT64, 0 },
};

static void
test_timestamp_distance (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (distance_cases); i++)
    {
      const DistanceCase *c = &distance_cases[i];

      g_assert_cmpuint (crier_signature_timestamp_distance (c->a, c->b), ==, c->distance);
    }
}

/* The HTTP API with the extreme auth_timestamp values a client can send: 401 with
 * Pusher's wording, no signed overflow on the way (UBSan in the sanitizer build). The
 * timestamp is checked before the signature, so the signature need not be right. */
static void
test_api_extreme_timestamps (void)
{
  static const char *const timestamps[] = {
    "-9223372036854775808",
    "9223372036854775807",
    "-9223372036854775807",
    "9223372036854775808",
    "-99999999999999999999999999",
    "253402300800",
    "-62135596801",
  };
  g_autoptr (CrierTestServer) server = crier_test_server_new (
    "[app:3]\nkey = " CRIER_TEST_APP_KEY "\nsecret = " CRIER_TEST_APP_SECRET "\n");

  for (guint i = 0; i < G_N_ELEMENTS (timestamps); i++)
    {
      g_autofree char *target = g_strdup_printf (
        "/apps/3/channels?auth_key=%s&auth_timestamp=%s&auth_version=1.0&auth_signature=00",
        CRIER_TEST_APP_KEY, timestamps[i]);
      g_autoptr (CrierTestResponse) response = crier_test_http (server, "GET", target, NULL);

      g_test_message ("%s: %u %s", timestamps[i], response->status, response->body);
      g_assert_cmpuint (response->status, ==, 401);
      g_assert_true (g_str_has_prefix (response->body, "Timestamp expired: Given timestamp ("));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/signature/vector/%s", vectors[i].name);

      g_test_add_data_func (path, &vectors[i], test_vector);
    }
  g_test_add_func ("/core/signature/md5", test_md5);
  g_test_add_func ("/core/signature/compute-length", test_compute_length);
  for (guint i = 0; i < G_N_ELEMENTS (bad_auth_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/signature/check-auth/%s",
                                               bad_auth_cases[i].name);

      g_test_add_data_func (path, &bad_auth_cases[i], test_bad_auth);
    }
  g_test_add_func ("/core/signature/check-auth/null", test_null_auth);
  for (guint i = 0; i < G_N_ELEMENTS (equal_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/signature/equal/%s", equal_cases[i].name);

      g_test_add_data_func (path, &equal_cases[i], test_equal);
    }
  for (guint i = 0; i < G_N_ELEMENTS (timestamp_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/signature/timestamp/%s",
                                               timestamp_cases[i].name);

      g_test_add_data_func (path, &timestamp_cases[i], test_timestamp);
    }
  g_test_add_func ("/core/signature/timestamp-distance", test_timestamp_distance);
  g_test_add_func ("/core/signature/api/extreme-timestamps", test_api_extreme_timestamps);

  return g_test_run ();
}
