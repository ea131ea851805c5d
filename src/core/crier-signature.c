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

/* For signatures, keys and secrets. Constant time in the length of expected: a peer must
 * not learn how many leading characters of a forged signature (or a guessed secret) were
 * right. GLib has no such comparison; g_str_equal stops at the first difference. */
gboolean
crier_signature_equal (const char *expected,
                       const char *given)
{
  gsize         expected_length = strlen (expected);
  gsize         given_length = strlen (given);
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
  const char      *colon;

  colon = auth != NULL ? strchr (auth, ':') : NULL;
  if (colon == NULL || colon == auth || colon[1] == '\0')
    {
      *message = g_strdup ("Invalid auth: expected the form '<app key>:<signature>'");
      return FALSE;
    }
  key = g_strndup (auth, colon - auth);
  if (!crier_signature_equal (app_key, key))
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

/* auth_timestamp (§14.2): decimal Unix seconds. FALSE for anything else, a number beyond
 * gint64 included (strtoll would clamp it to G_MAXINT64 and call it valid). */
gboolean
crier_signature_parse_timestamp (const char *text,
                                 gint64     *seconds)
{
  gint64 value = 0;

  g_return_val_if_fail (seconds != NULL, FALSE);

  *seconds = 0;
  if (text == NULL || !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64,
                                                 &value, NULL))
    return FALSE;
  *seconds = value;
  return TRUE;
}

/* |a - b| for any two gint64, as an unsigned number: a - b itself overflows for a
 * timestamp of G_MININT64 (undefined behaviour, which UBSan reports). In unsigned
 * arithmetic the larger minus the smaller is exact, since their distance fits 64 bits. */
guint64
crier_signature_timestamp_distance (gint64 a,
                                    gint64 b)
{
  return a >= b ? (guint64) a - (guint64) b : (guint64) b - (guint64) a;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* METHOD\nPATH\nthe query's key=value pairs, keys lowercased, sorted, auth_signature left
 * out, values not escaped (pusher-protocol.md §14.2). */
char *
crier_signature_api_string (const char *method,
                            const char *path,
                            GHashTable *query)
{
  g_autoptr (GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  GString       *text = g_string_new (NULL);
  GHashTableIter iter;
  const char    *key;
  const char    *value;

  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, (gpointer *) &value))
    {
      g_autofree char *lower = g_ascii_strdown (key, -1);

      if (!g_str_equal (lower, "auth_signature"))
        g_ptr_array_add (pairs, g_strconcat (lower, "=", value, NULL));
    }
  g_ptr_array_sort (pairs, compare_strings);
  g_string_append_printf (text, "%s\n%s\n", method, path);
  for (guint i = 0; i < pairs->len; i++)
    {
      if (i > 0)
        g_string_append_c (text, '&');
      g_string_append (text, g_ptr_array_index (pairs, i));
    }
  return g_string_free (text, FALSE);
}

/* Adds auth_key, auth_timestamp, auth_version, body_md5 (for a body) and auth_signature
 * to query, as the Pusher SDKs do. */
void
crier_signature_sign_api_request (GHashTable *query,
                                  const char *method,
                                  const char *path,
                                  const char *key,
                                  const char *secret,
                                  GBytes     *body)
{
  g_autofree char *to_sign = NULL;

  g_hash_table_replace (query, g_strdup ("auth_key"), g_strdup (key));
  g_hash_table_replace (query, g_strdup ("auth_timestamp"),
                        g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC));
  g_hash_table_replace (query, g_strdup ("auth_version"), g_strdup ("1.0"));
  if (body != NULL && g_bytes_get_size (body) > 0)
    g_hash_table_replace (query, g_strdup ("body_md5"),
                          g_compute_checksum_for_bytes (G_CHECKSUM_MD5, body));
  to_sign = crier_signature_api_string (method, path, query);
  g_hash_table_replace (query, g_strdup ("auth_signature"),
                        crier_signature_compute (secret, to_sign, -1));
}
