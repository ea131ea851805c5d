/* fuzz-pusher.c — libFuzzer target: Pusher protocol messages from two clients of one app
 * (pusher:subscribe, presence, client events, sign-in, cache channels …)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-fuzz"

#include "config.h"

#include <string.h>

#include "fuzz-common.h"

/* The input is lines, one text message each: lines starting with '>' come from the second
 * client (protocol 5), the others from the first (protocol 7). JSON text never holds a
 * raw newline, so no message is lost to the split. "auth":"SIGN" gets a real signature. */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char  *text = (const char *) data;
  const char  *end = text + size;
  CrierServer *server = fuzz_server_new ();
  FuzzClient  *first = fuzz_client_new (server, "/app/" FUZZ_APP_KEY, "7");
  FuzzClient  *second = fuzz_client_new (server, "/app/" FUZZ_APP_KEY, "5");

  while (text < end)
    {
      const char      *newline = memchr (text, '\n', end - text);
      const char      *line_end = newline != NULL ? newline : end;
      FuzzClient      *client = first;
      g_autofree char *signed_text = NULL;

      if (text < line_end && *text == '>')
        {
          client = second;
          text++;
        }
      signed_text = fuzz_sign_client_message (fuzz_client_get_socket_id (client), text,
                                              line_end - text);
      if (signed_text != NULL)
        fuzz_client_send_text (client, signed_text, strlen (signed_text));
      else
        fuzz_client_send_text (client, text, line_end - text);
      text = newline != NULL ? newline + 1 : end;
    }
  fuzz_server_free (server);
  return 0;
}
