/* load-json.c — just enough JSON scanning to check Pusher messages on the hot path
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Not a parser: a few memmem() calls per message keep the load generator's cost per
 * delivery far below the server's, and it accepts both shapes servers relay. */

#define _GNU_SOURCE
#define G_LOG_DOMAIN "crier-load"

#include "load-json.h"

#include <string.h>

/* Finds member KEY and returns where its value starts.  It skips quotes and
 * backslashes around the name and the value, so it finds "seq" both in an object
 * (soketi relays client event data as is) and inside a JSON string holding JSON
 * (Crier and Pusher send data as a string). */
const char *
load_json_value (const char *p,
                 const char *end,
                 const char *key)
{
  size_t      klen = strlen (key);
  const char *start = p;

  while (p < end && (p = memmem (p, (size_t) (end - p), key, klen)) != NULL)
    {
      const char *q = p + klen;

      if (p > start && p[-1] == '"')
        {
          while (q < end && (*q == '\\' || *q == '"' || *q == ' '))
            q++;
          if (q < end && *q == ':')
            {
              q++;
              while (q < end && (*q == '\\' || *q == '"' || *q == ' '))
                q++;
              return q;
            }
        }
      p++;
    }
  return NULL;
}

/* Top-level string member: the closing quote must not be escaped. */
gboolean
load_json_string (const char  *p,
                  const char  *end,
                  const char  *key,
                  const char **value,
                  size_t      *len)
{
  size_t      klen = strlen (key);
  const char *start = p;

  while (p < end && (p = memmem (p, (size_t) (end - p), key, klen)) != NULL)
    {
      const char *q = p + klen;

      if (p > start && p[-1] == '"' && (p - start < 2 || p[-2] != '\\') && q + 1 < end &&
          q[0] == '"')
        {
          q++;
          while (q < end && *q == ' ')
            q++;
          if (q < end && *q == ':')
            {
              const char *v;

              q++;
              while (q < end && *q == ' ')
                q++;
              if (q >= end || *q != '"')
                return FALSE;
              v = ++q;
              while (q < end && *q != '"')
                q += *q == '\\' ? 2 : 1;
              if (q >= end)
                return FALSE;
              *value = v;
              *len = (size_t) (q - v);
              return TRUE;
            }
        }
      p++;
    }
  return FALSE;
}

/* Digits at P (a load_json_value() result, maybe NULL) as a number. */
gboolean
load_json_parse_u64 (const char *p,
                     const char *end,
                     guint64    *out)
{
  guint64     v = 0;
  const char *start = p;

  if (p == NULL)
    return FALSE;
  while (p < end && *p >= '0' && *p <= '9')
    v = v * 10 + (guint64) (*p++ - '0');
  *out = v;
  return p > start;
}

/* Whether the LEN bytes at S (not NUL-terminated) are LITERAL. */
gboolean
load_json_is (const char *s,
              size_t      len,
              const char *literal)
{
  return strlen (literal) == len && memcmp (s, literal, len) == 0;
}
