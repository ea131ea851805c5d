/* crier-message.h — the Pusher JSON envelope: parsing client messages, building server frames
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "crier-json.h"
#include "crier-types.h"

G_BEGIN_DECLS

typedef struct
{
  JsonNode   *root; /* owns everything below */
  const char *event;
  const char *channel; /* nullable */
  JsonNode   *data;    /* nullable, borrowed from root */
} CrierMessage;

gboolean    crier_message_parse (JsonParser   *parser,
                                 const char   *text,
                                 gsize         length,
                                 CrierMessage *message,
                                 GError      **error);
void        crier_message_clear (CrierMessage *message);
JsonObject *crier_message_dup_data_object (CrierMessage *message);
char       *crier_message_dup_data_text (CrierMessage *message);

GBytes *crier_message_build (const char *event,
                             const char *channel,
                             const char *data,
                             const char *user_id);
GBytes *crier_message_build_error (int         code,
                                   const char *message);
GBytes *crier_message_build_connection_established (const char *socket_id,
                                                    unsigned    activity_timeout);
GBytes *crier_message_build_signin_success (const char *user_data);

G_END_DECLS
