/* test-encryption.c — the per-channel key and NaCl secretbox of encrypted channels
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>

#include "crier-encryption.h"

/* base64 of the ASCII master key 0123456789abcdef0123456789abcdef, the vector of
 * docs/pusher-protocol.md §8.3 */
#define MASTER_KEY "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
#define OTHER_KEY  "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static void
test_shared_secret (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *secret = crier_encryption_dup_shared_secret (MASTER_KEY, "private-encrypted-foobar",
                                                                &error);

  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "/fXNISfW5oYPsxk0w2Unhmf4ryxyOUewExp5ih8r70k=");
}

static void
test_bad_master_key (void)
{
  static const char *const keys[] = { NULL, "", "c2hvcnQ=", "not base64 at all!!", MASTER_KEY "AAAA" };

  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *sealed = crier_encryption_seal (keys[i], "private-encrypted-x", "{}", &error);

      g_assert_null (sealed);
      g_assert_error (error, CRIER_ENCRYPTION_ERROR, CRIER_ENCRYPTION_ERROR_BAD_KEY);
    }
}

static void
test_round_trip (void)
{
  const char *plain = "{\"message\":\"Grüße\",\"n\":[1,2,3]}";
  g_autoptr (GError) error = NULL;
  g_autofree char *sealed = crier_encryption_seal (MASTER_KEY, "private-encrypted-orders", plain, &error);
  g_autofree char *again = crier_encryption_seal (MASTER_KEY, "private-encrypted-orders", plain, NULL);
  g_autofree char *opened = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *object;

  g_assert_no_error (error);
  /* the data pusher-js expects: an object with exactly a nonce and a ciphertext */
  node = json_from_string (sealed, &error);
  g_assert_no_error (error);
  object = json_node_get_object (node);
  g_assert_cmpuint (json_object_get_size (object), ==, 2);
  g_assert_nonnull (json_object_get_string_member (object, "nonce"));
  g_assert_nonnull (json_object_get_string_member (object, "ciphertext"));
  g_assert_null (strstr (sealed, "Gr")); /* no plaintext in the clear */
  g_assert_cmpstr (sealed, !=, again);   /* a fresh nonce each time */

  opened = crier_encryption_open (MASTER_KEY, "private-encrypted-orders", sealed, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (opened, ==, plain);
}

static void
test_wrong_key_or_channel (void)
{
  g_autofree char *sealed = crier_encryption_seal (MASTER_KEY, "private-encrypted-a", "{}", NULL);
  g_autoptr (GError) channel_error = NULL;
  g_autoptr (GError) key_error = NULL;
  g_autofree char *by_channel = crier_encryption_open (MASTER_KEY, "private-encrypted-b", sealed,
                                                       &channel_error);
  g_autofree char *by_key = crier_encryption_open (OTHER_KEY, "private-encrypted-a", sealed, &key_error);

  g_assert_null (by_channel);
  g_assert_error (channel_error, CRIER_ENCRYPTION_ERROR, CRIER_ENCRYPTION_ERROR_FORGED);
  g_assert_null (by_key);
  g_assert_error (key_error, CRIER_ENCRYPTION_ERROR, CRIER_ENCRYPTION_ERROR_FORGED);
}

static void
test_bad_payloads (gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *opened = crier_encryption_open (MASTER_KEY, "private-encrypted-a", data, &error);

  g_assert_null (opened);
  g_assert_error (error, CRIER_ENCRYPTION_ERROR, CRIER_ENCRYPTION_ERROR_BAD_PAYLOAD);
}

static const char *const bad_payloads[] = {
  "",
  "not json",
  "{\"message\":\"plain\"}",
  "{\"nonce\":\"AAAA\",\"ciphertext\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", /* short nonce */
  "{\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"ciphertext\":\"AAAA\"}",         /* no MAC */
  "{\"nonce\":1,\"ciphertext\":2}",
  "{\"nonce\":{\"a\":{}},\"ciphertext\":\"\"}",
  "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/encryption/shared-secret", test_shared_secret);
  g_test_add_func ("/core/encryption/bad-master-key", test_bad_master_key);
  g_test_add_func ("/core/encryption/round-trip", test_round_trip);
  g_test_add_func ("/core/encryption/wrong-key-or-channel", test_wrong_key_or_channel);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_payloads); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/encryption/bad-payload/%zu", i);
      g_test_add_data_func (path, bad_payloads[i], test_bad_payloads);
    }
  return g_test_run ();
}
