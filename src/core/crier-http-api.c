/* crier-http-api.c — the Pusher HTTP API and the operational endpoints
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-http"

#include "config.h"

#include "crier-http-api.h"

#include <string.h>

static void
respond (SoupServerMessage *msg,
         unsigned           status,
         const char        *content_type,
         const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, body, strlen (body));
}

void
crier_http_api_handle (CrierServer       *server,
                       SoupServerMessage *msg,
                       const char        *path,
                       GHashTable        *query)
{
  if (g_str_equal (path, "/up"))
    return respond (msg, SOUP_STATUS_OK, "application/json", "{\"health\":\"OK\"}");
  respond (msg, SOUP_STATUS_NOT_FOUND, "text/plain; charset=utf-8", "Not found");
}
