/* fuzz-monitor.c — libFuzzer target: the monitor endpoint's commands (publish, notify,
 * disconnect, simulated members, client events, snapshot) from a signed monitor client while
 * a Pusher client sits in a presence channel
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-fuzz"

#include "config.h"

#include <string.h>

#include "crier-signature.h"
#include "fuzz-common.h"

/* Each line is one text message of the monitor client. */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static guint64 nonce;
  const char    *text = (const char *) data;
  const char    *end = text + size;
  CrierServer   *server = fuzz_server_new ();
  FuzzClient    *member = fuzz_client_new (server, "/app/" FUZZ_APP_KEY, "7");
  g_autoptr (GHashTable) query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *join = NULL;
  g_autofree char *signed_join = NULL;
  FuzzClient      *monitor;

  join = g_strdup ("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"presence-room\",\"auth\":\"SIGN\","
                   "\"channel_data\":\"{\\\"user_id\\\":\\\"7\\\"}\"}}");
  signed_join = fuzz_sign_client_message (fuzz_client_get_socket_id (member), join, strlen (join));
  fuzz_client_send_text (member, signed_join ? signed_join : join, strlen (signed_join ? signed_join : join));
  /* Signed afresh each run: a signature opens one monitor connection. */
  g_hash_table_insert (query, g_strdup ("auth_nonce"), g_strdup_printf ("%" G_GUINT64_FORMAT, ++nonce));
  crier_signature_sign_api_request (query, "GET", "/monitor/" FUZZ_APP_ID, FUZZ_APP_KEY, FUZZ_APP_SECRET, NULL);
  monitor = fuzz_client_new_with_query (server, "/monitor/" FUZZ_APP_ID, query);
  while (text < end)
    {
      const char *newline = memchr (text, '\n', end - text);
      const char *line_end = newline != NULL ? newline : end;

      fuzz_client_send_text (monitor, text, line_end - text);
      text = newline != NULL ? newline + 1 : end;
    }
  fuzz_server_free (server);
  return 0;
}
