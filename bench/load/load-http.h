/* load-http.h — HTTP/1.1 client side: signed API requests out, responses in
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LOAD_HTTP_MAX_HEADER (64 * 1024)

typedef enum
{
  LOAD_HTTP_COMPLETE,
  LOAD_HTTP_INCOMPLETE, /* need more bytes */
  LOAD_HTTP_INVALID,    /* the connection cannot go on */
} LoadHttpStatus;

typedef struct
{
  int      status;
  GString *body;        /* owned by the caller once COMPLETE */
  gboolean close_after; /* Connection: close */
  size_t   size;        /* of the whole response, header included */
} LoadHttpResponse;

char          *load_http_post_request (const char *path,
                                       const char *query,
                                       const char *host,
                                       int         port,
                                       const char *body);
LoadHttpStatus load_http_parse_response (const guint8     *data,
                                         size_t            len,
                                         LoadHttpResponse *response,
                                         char            **problem);

G_END_DECLS
