/* load-http.c — HTTP/1.1 client side: signed API requests out, responses in
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Only what the HTTP API sends back: a status line, Content-Length or chunked
 * bodies without trailers, and Connection: close (soketi closes after every call). */

#define _GNU_SOURCE
#define G_LOG_DOMAIN "crier-load"

#include "load-http.h"

#include <stdio.h>
#include <string.h>

char *
load_http_post_request (const char *path,
                        const char *query,
                        const char *host,
                        int         port,
                        const char *body)
{
  return g_strdup_printf ("POST %s?%s HTTP/1.1\r\n"
                          "Host: %s:%d\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Length: %zu\r\n"
                          "\r\n"
                          "%s",
                          path, query, host, port, strlen (body), body);
}

/* Returns the length of a complete chunked body at P, or 0 if more is needed. */
static size_t
chunked_body (const char *p,
              const char *end,
              GString    *body)
{
  const char *start = p;

  for (;;)
    {
      const char *eol = memmem (p, (size_t) (end - p), "\r\n", 2);
      guint64     size;

      if (eol == NULL)
        return 0;
      size = g_ascii_strtoull (p, NULL, 16);
      p = eol + 2;
      if (size == 0)
        {
          /* no trailers expected: the last chunk is followed by an empty line */
          const char *last = memmem (p, (size_t) (end - p), "\r\n", 2);

          return last != NULL ? (size_t) (last + 2 - start) : 0;
        }
      if ((guint64) (end - p) < size + 2)
        return 0;
      g_string_append_len (body, p, (gssize) size);
      p += size + 2;
    }
}

/* Reads the response at DATA.  INVALID, and INCOMPLETE when the header will
 * never fit, set PROBLEM. */
LoadHttpStatus
load_http_parse_response (const guint8     *data,
                          size_t            len,
                          LoadHttpResponse *response,
                          char            **problem)
{
  const char      *p = (const char *) data;
  const char      *end = p + len;
  const char      *head_end = memmem (p, len, "\r\n\r\n", 4);
  g_autofree char *head = NULL;
  g_autoptr (GString) body = NULL;
  size_t      head_len, total;
  const char *h;
  int         status = 0;

  if (head_end == NULL)
    {
      if (len > LOAD_HTTP_MAX_HEADER)
        *problem = g_strdup ("response header too large");
      return LOAD_HTTP_INCOMPLETE;
    }
  head_len = (size_t) (head_end - p) + 4;
  head = g_ascii_strdown (p, (gssize) head_len);
  if (sscanf (head, "http/1.%*d %d", &status) != 1)
    {
      *problem = g_strdup_printf ("bad response: %.*s", (int) MIN (head_len, 200), p);
      return LOAD_HTTP_INVALID;
    }
  body = g_string_new (NULL);
  if ((h = strstr (head, "\r\ncontent-length:")) != NULL)
    {
      guint64 clen = g_ascii_strtoull (h + 17, NULL, 10);

      if ((guint64) (end - p) < head_len + clen)
        return LOAD_HTTP_INCOMPLETE;
      g_string_append_len (body, p + head_len, (gssize) clen);
      total = head_len + (size_t) clen;
    }
  else if ((h = strstr (head, "\r\ntransfer-encoding:")) != NULL &&
           strstr (h, "chunked") != NULL)
    {
      size_t n = chunked_body (p + head_len, end, body);

      if (n == 0)
        return LOAD_HTTP_INCOMPLETE;
      total = head_len + n;
    }
  else
    {
      *problem = g_strdup_printf ("response without a length: %.*s", (int) MIN (head_len, 200), p);
      return LOAD_HTTP_INVALID;
    }
  response->status = status;
  response->body = g_steal_pointer (&body);
  response->close_after = strstr (head, "\r\nconnection: close") != NULL;
  response->size = total;
  return LOAD_HTTP_COMPLETE;
}
