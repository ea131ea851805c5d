/* crier-encryption.h — end-to-end encrypted channels: the per-channel key and NaCl secretbox
 * (docs/pusher-protocol.md §8.3)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CRIER_ENCRYPTION_ERROR (crier_encryption_error_quark ())
GQuark crier_encryption_error_quark (void);

typedef enum
{
  CRIER_ENCRYPTION_ERROR_BAD_KEY,     /* the master key is not base64 of 32 bytes */
  CRIER_ENCRYPTION_ERROR_BAD_PAYLOAD, /* not {"nonce":…,"ciphertext":…} of the right sizes */
  CRIER_ENCRYPTION_ERROR_FORGED,      /* the ciphertext does not open with this key */
} CrierEncryptionError;

GBytes *crier_encryption_derive_key (const char *master_key_base64,
                                     const char *channel,
                                     GError    **error);
char   *crier_encryption_dup_shared_secret (const char *master_key_base64,
                                            const char *channel,
                                            GError    **error);
char   *crier_encryption_seal (const char *master_key_base64,
                               const char *channel,
                               const char *plaintext,
                               GError    **error);
char   *crier_encryption_open (const char *master_key_base64,
                               const char *channel,
                               const char *payload,
                               GError    **error);

G_END_DECLS
