/* crier-names.h — channel and event name rules (pusher-protocol.md §5)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "crier-types.h"

G_BEGIN_DECLS

#define CRIER_SERVER_TO_USER_PREFIX "#server-to-user-"

CrierChannelType crier_channel_type_from_name (const char *name);
const char      *crier_channel_type_to_string (CrierChannelType type);
gboolean         crier_channel_name_is_valid (const char *name,
                                              unsigned    max_length,
                                              GError    **error);
gboolean         crier_socket_id_is_valid (const char *socket_id);

static inline gboolean
crier_channel_type_needs_auth (CrierChannelType type)
{
  return (type & (CRIER_CHANNEL_PRIVATE | CRIER_CHANNEL_PRESENCE)) != 0;
}

G_END_DECLS
