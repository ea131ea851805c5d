/* crier-names.c — channel and event name rules (pusher-protocol.md §5)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-protocol"

#include "config.h"

#include "crier-names.h"

#include <string.h>

/* The quark name is stringified: its "-" must stay unspaced. */
/* clang-format off */
G_DEFINE_QUARK (crier-protocol-error-quark, crier_protocol_error)
/* clang-format on */

/* Longest prefixes first: the full prefixes, never soketi's unanchored "cache-" match. */
CrierChannelType
crier_channel_type_from_name (const char *name)
{
  static const struct
  {
    const char      *prefix;
    CrierChannelType type;
  } prefixes[] = {
    { "private-encrypted-cache-", CRIER_CHANNEL_PRIVATE | CRIER_CHANNEL_ENCRYPTED | CRIER_CHANNEL_CACHE },
    { "private-encrypted-", CRIER_CHANNEL_PRIVATE | CRIER_CHANNEL_ENCRYPTED },
    { "private-cache-", CRIER_CHANNEL_PRIVATE | CRIER_CHANNEL_CACHE },
    { "private-", CRIER_CHANNEL_PRIVATE },
    { "presence-cache-", CRIER_CHANNEL_PRESENCE | CRIER_CHANNEL_CACHE },
    { "presence-", CRIER_CHANNEL_PRESENCE },
    { "cache-", CRIER_CHANNEL_CACHE },
    { CRIER_SERVER_TO_USER_PREFIX, CRIER_CHANNEL_SERVER_TO_USER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (name, prefixes[i].prefix))
      return prefixes[i].type;
  return CRIER_CHANNEL_PUBLIC;
}

const char *
crier_channel_type_to_string (CrierChannelType type)
{
  if (type & CRIER_CHANNEL_SERVER_TO_USER)
    return "server-to-user";
  if (type & CRIER_CHANNEL_ENCRYPTED)
    return type & CRIER_CHANNEL_CACHE ? "encrypted-cache" : "encrypted";
  if (type & CRIER_CHANNEL_PRESENCE)
    return type & CRIER_CHANNEL_CACHE ? "presence-cache" : "presence";
  if (type & CRIER_CHANNEL_PRIVATE)
    return type & CRIER_CHANNEL_CACHE ? "private-cache" : "private";
  return type & CRIER_CHANNEL_CACHE ? "cache" : "public";
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || strchr ("-_=@,.;", c) != NULL;
}

/* `^[-a-zA-Z0-9_=@,.;]+$`, at most max_length characters; "#server-to-user-{id}" is the
 * one name with a '#' (its id follows the same character rules). */
gboolean
crier_channel_name_is_valid (const char *name,
                             unsigned    max_length,
                             GError    **error)
{
  const char *p = name;
  gsize       length;

  if (name == NULL || *name == '\0')
    {
      g_set_error (error, CRIER_PROTOCOL_ERROR, 0, "Invalid channel name ''");
      return FALSE;
    }
  length = strlen (name);
  if (length > max_length)
    {
      g_set_error (error, CRIER_PROTOCOL_ERROR, 0,
                   "Channel name too long (max %u characters)", max_length);
      return FALSE;
    }
  if (g_str_has_prefix (name, CRIER_SERVER_TO_USER_PREFIX))
    p += strlen (CRIER_SERVER_TO_USER_PREFIX);
  for (const char *c = p; *c; c++)
    if (!is_name_char (*c))
      goto invalid;
  if (*p != '\0')
    return TRUE;

invalid:
  {
    g_autofree char *shown = g_utf8_make_valid (name, MIN (length, 200));

    g_set_error (error, CRIER_PROTOCOL_ERROR, 0, "Invalid channel name '%s'", shown);
    return FALSE;
  }
}

/* `^\d+\.\d+$`, the form the SDKs insist on. */
gboolean
crier_socket_id_is_valid (const char *socket_id)
{
  const char *p = socket_id;
  gboolean    dot = FALSE;

  if (p == NULL || !g_ascii_isdigit (*p))
    return FALSE;
  for (; *p; p++)
    {
      if (*p == '.')
        {
          if (dot || !g_ascii_isdigit (p[1]))
            return FALSE;
          dot = TRUE;
        }
      else if (!g_ascii_isdigit (*p))
        return FALSE;
    }
  return dot;
}
