/* crier-http-client.c — what Crier's own clients of a server share
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-http-client.h"

#include <string.h>

#include "crier-signature.h"

static gboolean
accept_any_certificate_cb (SoupMessage         *msg,
                           GTlsCertificate     *certificate,
                           GTlsCertificateFlags errors,
                           gpointer             user_data)
{
  return TRUE;
}

void
crier_http_client_trust_any (SoupMessage *msg)
{
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate_cb), NULL);
}

char *
crier_http_client_dup_monitor_url (const char *base_url,
                                   const char *app_id,
                                   const char *key,
                                   const char *secret)
{
  gboolean         tls = g_str_has_prefix (base_url, "https://");
  const char      *authority = strstr (base_url, "://") != NULL ? strstr (base_url, "://") + 3 : base_url;
  g_autofree char *path = g_strdup_printf ("/monitor/%s", app_id);
  g_autoptr (GHashTable) query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *encoded = NULL;

  g_hash_table_insert (query, g_strdup ("auth_nonce"), g_uuid_string_random ());
  crier_signature_sign_api_request (query, "GET", path, key, secret, NULL);
  encoded = soup_form_encode_hash (query);
  return g_strdup_printf ("%s://%s%s?%s", tls ? "wss" : "ws", authority, path, encoded);
}
