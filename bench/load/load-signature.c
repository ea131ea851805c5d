/* load-signature.c — Pusher's HMAC signatures: private channel auth, HTTP API calls
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Written from pusher-protocol.md, not shared with the core's crier-signature.c, for
 * the same reason as the frame codec (load-frame.c): the load generator checks the
 * server, so it must not inherit the server's mistakes. */

#define G_LOG_DOMAIN "crier-load"

#include "load-signature.h"

#include <string.h>

static char *
sign_hex (const char *secret,
          const char *text)
{
  return g_compute_hmac_for_string (G_CHECKSUM_SHA256,
                                    (const guchar *) secret, strlen (secret),
                                    text, -1);
}

/* "auth" of a pusher:subscribe to a private channel: key:HMAC(socket_id:channel) */
char *
load_signature_channel_auth (const char *key,
                             const char *secret,
                             const char *socket_id,
                             const char *channel)
{
  g_autofree char *text = g_strdup_printf ("%s:%s", socket_id, channel);
  g_autofree char *sig = sign_hex (secret, text);

  return g_strdup_printf ("%s:%s", key, sig);
}

/* Query string of a signed HTTP API call (pusher-protocol.md 14.2); keys are
 * already in byte order. */
char *
load_signature_api_query (const char *method,
                          const char *path,
                          const char *key,
                          const char *secret,
                          gint64      timestamp,
                          const char *body)
{
  g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, body, -1);
  g_autofree char *query = g_strdup_printf ("auth_key=%s&auth_timestamp=%" G_GINT64_FORMAT
                                            "&auth_version=1.0&body_md5=%s",
                                            key, timestamp, md5);
  g_autofree char *text = g_strdup_printf ("%s\n%s\n%s", method, path, query);
  g_autofree char *sig = sign_hex (secret, text);

  return g_strdup_printf ("%s&auth_signature=%s", query, sig);
}
