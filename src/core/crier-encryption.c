/* crier-encryption.c — end-to-end encrypted channels as pusher-js decrypts them: the key is
 * SHA-256 (channel name ‖ master key), the data NaCl secretbox with a random 24-byte nonce
 * (docs/pusher-protocol.md §8.3)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-server"

#include "config.h"

#include "crier-encryption.h"

#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

#include "crier-json.h"

#define MASTER_KEY_BYTES 32

/* The quark name is stringified: its "-" must stay unspaced. */
/* clang-format off */
G_DEFINE_QUARK (crier-encryption-error-quark, crier_encryption_error)
/* clang-format on */

static gboolean
ensure_sodium (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, CRIER_ENCRYPTION_ERROR, CRIER_ENCRYPTION_ERROR_BAD_KEY,
                           "libsodium could not be initialised");
      return FALSE;
    }
  return TRUE;
}

/* Returns: (transfer full): the channel's 32-byte secretbox key. */
GBytes *
crier_encryption_derive_key (const char *master_key_base64,
                             const char *channel,
                             GError    **error)
{
  g_autofree guchar *master = NULL;
  g_autoptr (GChecksum) checksum = NULL;
  guint8 digest[32];
  gsize  master_length = 0, digest_length = sizeof digest;

  g_return_val_if_fail (channel != NULL, NULL);

  if (master_key_base64 != NULL)
    master = g_base64_decode (master_key_base64, &master_length);
  if (master_length != MASTER_KEY_BYTES)
    {
      g_set_error (error, CRIER_ENCRYPTION_ERROR, CRIER_ENCRYPTION_ERROR_BAD_KEY,
                   "The encryption master key must be the base64 of 32 bytes (it decodes to %zu)",
                   master_length);
      return NULL;
    }
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *) channel, strlen (channel));
  g_checksum_update (checksum, master, master_length);
  g_checksum_get_digest (checksum, digest, &digest_length);
  sodium_memzero (master, master_length);
  return g_bytes_new (digest, digest_length);
}

/* The shared_secret an auth endpoint returns for the channel. */
char *
crier_encryption_dup_shared_secret (const char *master_key_base64,
                                    const char *channel,
                                    GError    **error)
{
  g_autoptr (GBytes) key = crier_encryption_derive_key (master_key_base64, channel, error);

  if (key == NULL)
    return NULL;
  return g_base64_encode (g_bytes_get_data (key, NULL), g_bytes_get_size (key));
}

/* Returns: (transfer full): the data string to publish, {"nonce":…,"ciphertext":…}. */
char *
crier_encryption_seal (const char *master_key_base64,
                       const char *channel,
                       const char *plaintext,
                       GError    **error)
{
  g_autoptr (GBytes) key = NULL;
  g_autofree guchar *sealed = NULL;
  g_autofree char   *nonce64 = NULL;
  g_autofree char   *sealed64 = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  guchar nonce[crypto_secretbox_NONCEBYTES];
  size_t length;

  g_return_val_if_fail (plaintext != NULL, NULL);

  if (!ensure_sodium (error) ||
      (key = crier_encryption_derive_key (master_key_base64, channel, error)) == NULL)
    return NULL;
  length = strlen (plaintext);
  sealed = g_malloc (length + crypto_secretbox_MACBYTES);
  randombytes_buf (nonce, sizeof nonce);
  crypto_secretbox_easy (sealed, (const guchar *) plaintext, length, nonce,
                         g_bytes_get_data (key, NULL));
  nonce64 = g_base64_encode (nonce, sizeof nonce);
  sealed64 = g_base64_encode (sealed, length + crypto_secretbox_MACBYTES);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "nonce");
  json_builder_add_string_value (builder, nonce64);
  json_builder_set_member_name (builder, "ciphertext");
  json_builder_add_string_value (builder, sealed64);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* The base64 string member name of object, decoded; FALSE when it is not a string. */
static gboolean
read_base64_member (JsonObject *object,
                    const char *name,
                    guchar    **out,
                    gsize      *length)
{
  const char *text = crier_json_object_get_string (object, name);

  if (text == NULL)
    return FALSE;
  *out = g_base64_decode (text, length);
  return TRUE;
}

/* Returns: (transfer full): the plaintext of a payload sealed for the channel. */
char *
crier_encryption_open (const char *master_key_base64,
                       const char *channel,
                       const char *payload,
                       GError    **error)
{
  g_autoptr (GBytes) key = NULL;
  g_autoptr (JsonObject) object = NULL;
  g_autofree guchar *nonce = NULL;
  g_autofree guchar *sealed = NULL;
  g_autofree char   *plain = NULL;
  gsize              nonce_length = 0, sealed_length = 0;

  g_return_val_if_fail (payload != NULL, NULL);

  if (!ensure_sodium (error) ||
      (key = crier_encryption_derive_key (master_key_base64, channel, error)) == NULL)
    return NULL;
  if ((object = crier_json_parse_object (payload, -1, NULL)) == NULL ||
      !read_base64_member (object, "nonce", &nonce, &nonce_length) ||
      !read_base64_member (object, "ciphertext", &sealed, &sealed_length) ||
      nonce_length != crypto_secretbox_NONCEBYTES || sealed_length < crypto_secretbox_MACBYTES)
    {
      g_set_error_literal (error, CRIER_ENCRYPTION_ERROR, CRIER_ENCRYPTION_ERROR_BAD_PAYLOAD,
                           "Not an encrypted payload: expected {\"nonce\":\"<base64 of 24 bytes>\","
                           "\"ciphertext\":\"<base64>\"}");
      return NULL;
    }
  plain = g_malloc (sealed_length - crypto_secretbox_MACBYTES + 1);
  if (crypto_secretbox_open_easy ((guchar *) plain, sealed, sealed_length, nonce,
                                  g_bytes_get_data (key, NULL)) != 0)
    {
      g_set_error_literal (error, CRIER_ENCRYPTION_ERROR, CRIER_ENCRYPTION_ERROR_FORGED,
                           "The payload does not decrypt with this channel's key "
                           "(another master key, or another channel)");
      return NULL;
    }
  plain[sealed_length - crypto_secretbox_MACBYTES] = '\0';
  return g_steal_pointer (&plain);
}
