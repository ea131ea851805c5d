/* load-json.h — just enough JSON scanning to check Pusher messages on the hot path
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *load_json_value (const char *p,
                             const char *end,
                             const char *key);
gboolean    load_json_string (const char  *p,
                              const char  *end,
                              const char  *key,
                              const char **value,
                              size_t      *len);
gboolean    load_json_parse_u64 (const char *p,
                                 const char *end,
                                 guint64    *out);
gboolean    load_json_is (const char *s,
                          size_t      len,
                          const char *literal);

G_END_DECLS
