/* crier-json.h — JSON from peers and files: a depth-bounded pre-scan in front of json-glib
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "crier-types.h"

G_BEGIN_DECLS

/* json-glib's parser, its node release and its generator recurse once per level, so a
 * deep enough text overflows the stack. Pusher and Laravel payloads nest a few levels. */
#define CRIER_JSON_MAX_DEPTH 128

#define CRIER_JSON_ERROR (crier_json_error_quark ())

typedef enum
{
  CRIER_JSON_ERROR_TOO_DEEP, /* more than the allowed nesting of arrays and objects */
  CRIER_JSON_ERROR_INVALID,  /* a character or escape that strict JSON does not have */
} CrierJsonError;

GQuark crier_json_error_quark (void);

gboolean    crier_json_check_depth (const char *text,
                                    gssize      length,
                                    unsigned    max_depth,
                                    GError    **error);
gboolean    crier_json_parser_load (JsonParser *parser,
                                    const char *text,
                                    gssize      length,
                                    GError    **error);
JsonNode   *crier_json_parse (const char *text,
                              gssize      length,
                              GError    **error);
JsonObject *crier_json_parse_object (const char *text,
                                     gssize      length,
                                     GError    **error);

const char *crier_json_object_get_string (JsonObject *object,
                                          const char *member);
char       *crier_json_to_string (JsonNode *node);

G_END_DECLS
