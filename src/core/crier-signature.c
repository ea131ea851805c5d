/* crier-signature.c — HMAC-SHA256 signatures of channel auth, sign-in and the HTTP API
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-protocol"

#include "config.h"

#include "crier-signature.h"

#include <string.h>

/* Lowercase hex HMAC-SHA256 of data, keyed with the raw bytes of the secret. */
char *
crier_signature_compute (const char *secret,
                         const char *data,
                         gssize      length)
{
  return g_compute_hmac_for_data (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret),
                                  (const guchar *) data, length < 0 ? strlen (data) : (gsize) length);
}

/* Constant time in the length of expected: a peer must not learn how many leading
 * characters of a forged signature were right. */
gboolean
crier_signature_equal (const char *expected,
                       const char *given)
{
  gsize expected_length = strlen (expected);
  gsize given_length = strlen (given);
  unsigned char diff = expected_length != given_length;

  for (gsize i = 0; i < expected_length; i++)
    diff |= (unsigned char) expected[i] ^ (unsigned char) (i < given_length ? given[i] : 0);
  return diff == 0;
}

/* Checks "<app_key>:<signature>" as Pusher does and, on failure, sets *message to
 * Pusher's own wording (pusher-protocol.md §8.1). */
gboolean
crier_signature_check_auth (const char *auth,
                            const char *app_key,
                            const char *secret,
                            const char *string_to_sign,
                            char      **message)
{
  g_autofree char *expected = NULL;
  g_autofree char *key = NULL;
  const char *colon;

  colon = auth != NULL ? strchr (auth, ':') : NULL;
  if (colon == NULL || colon == auth || colon[1] == '\0')
    {
      *message = g_strdup ("Invalid auth: expected the form '<app key>:<signature>'");
      return FALSE;
    }
  key = g_strndup (auth, colon - auth);
  if (!g_str_equal (key, app_key))
    {
      *message = g_strdup_printf ("Invalid key in subscription auth data: '%s'", key);
      return FALSE;
    }
  expected = crier_signature_compute (secret, string_to_sign, -1);
  if (!crier_signature_equal (expected, colon + 1))
    {
      *message = g_strdup_printf ("Invalid signature: Expected HMAC SHA256 hex digest of %s, but got %s",
                                  string_to_sign, colon + 1);
      return FALSE;
    }
  return TRUE;
}
