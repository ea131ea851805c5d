/* crier-json.c — JSON from peers and files: a depth-bounded pre-scan in front of json-glib
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-protocol"

#include "config.h"

#include "crier-json.h"

#include <string.h>

/* The quark name is stringified: its "-" must stay unspaced. */
/* clang-format off */
G_DEFINE_QUARK (crier-json-error-quark, crier_json_error)
/* clang-format on */

static gboolean
invalid (GError    **error,
         const char *what)
{
  g_set_error (error, CRIER_JSON_ERROR, CRIER_JSON_ERROR_INVALID, "not valid JSON: %s", what);
  return FALSE;
}

/* The value of four hex digits, or -1. */
static int
hex4 (const char *p)
{
  int value = 0;

  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value << 4 | digit;
    }
  return value;
}

/* *p is just past the opening quote; leaves it just past the closing one (or at end: the
 * parser reports an unterminated string). Only strict JSON escapes pass, because json-glib
 * 1.6 reads others its own way: "\u12" takes the character after the digits with it (so
 * a quote there does not end the string for json-glib), and a surrogate escape takes the
 * next two characters, whatever they are. Where the parser's idea of where a string ends
 * differs from ours, brackets we take for text are structure to it. A malformed surrogate
 * pair is also where json-glib 1.6 leaks the string it was building. */
static gboolean
skip_string (const char **p,
             const char  *end,
             GError     **error)
{
  const char *s = *p;

  while (s < end)
    {
      char c = *s++;
      int  unit, low;

      if (c == '"')
        break;
      if (c == '\0')
        return invalid (error, "a NUL byte");
      if (c != '\\' || s == end)
        continue;
      switch (*s++)
        {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
          break;
        case 'u':
          if (end - s < 4 || (unit = hex4 (s)) < 0)
            return invalid (error, "\\u needs four hex digits");
          s += 4;
          if (unit >= 0xdc00 && unit <= 0xdfff)
            return invalid (error, "a low surrogate escape without a high one before it");
          if (unit >= 0xd800 && unit <= 0xdbff)
            {
              if (end - s < 6 || s[0] != '\\' || s[1] != 'u' || (low = hex4 (s + 2)) < 0xdc00 ||
                  low > 0xdfff)
                return invalid (error, "a high surrogate escape without a low one after it");
              s += 6;
            }
          break;
        default:
          return invalid (error, "an unknown escape in a string");
        }
    }
  *p = s;
  return TRUE;
}

static gboolean
is_json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Linear, allocation-free: it runs on every client message. Counts the arrays and objects
 * open at each point and fails beyond max_depth. Brackets are only counted where
 * json-glib 1.6 sees structure: outside strings, which need strict escapes (skip_string)
 * and double quotes, since json-glib also reads 'single-quoted' strings and treats "/ … /"
 * as a comment. Neither is JSON, so both are refused here rather than modelled. Text after
 * the first value ("{}{}", "1{}") is refused too: json-glib 1.6 leaks the tree it built
 * when it meets it. Other mistakes (a stray comma, an unclosed bracket) are left for the
 * parser to report. */
gboolean
crier_json_check_depth (const char *text,
                        gssize      length,
                        unsigned    max_depth,
                        GError    **error)
{
  const char *p = text;
  const char *end;
  unsigned    depth = 0;
  gboolean    in_scalar = FALSE; /* a top-level number or literal being read */
  gboolean    done = FALSE;      /* the top-level value is complete */

  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  end = text + (length < 0 ? strlen (text) : (gsize) length);
  while (p < end)
    {
      char c = *p++;

      if (depth == 0)
        {
          if (is_json_space (c))
            {
              done |= in_scalar;
              in_scalar = FALSE;
              continue;
            }
          if (done || (in_scalar && (c == '[' || c == '{' || c == '"' || c == ']' || c == '}')))
            return invalid (error, "text after the JSON value");
        }
      switch (c)
        {
        case '[':
        case '{':
          if (++depth > max_depth)
            {
              g_set_error (error, CRIER_JSON_ERROR, CRIER_JSON_ERROR_TOO_DEEP,
                           "arrays and objects nested deeper than %u levels", max_depth);
              return FALSE;
            }
          break;
        case ']':
        case '}':
          if (depth == 0)
            return invalid (error, "a closing bracket without an opening one");
          if (--depth == 0)
            done = TRUE;
          break;
        case '"':
          if (!skip_string (&p, end, error))
            return FALSE;
          done |= depth == 0;
          break;
        case '\'':
          return invalid (error, "a single-quoted string");
        case '/':
          return invalid (error, "a comment");
        case '\0':
          return invalid (error, "a NUL byte");
        default:
          in_scalar |= depth == 0;
          break;
        }
    }
  return TRUE;
}

/* json_parser_load_from_data () behind the pre-scan: the one way JSON from a peer or a
 * file is parsed. */
gboolean
crier_json_parser_load (JsonParser *parser,
                        const char *text,
                        gssize      length,
                        GError    **error)
{
  g_return_val_if_fail (JSON_IS_PARSER (parser), FALSE);

  if (!crier_json_check_depth (text, length, CRIER_JSON_MAX_DEPTH, error) ||
      !json_parser_load_from_data (parser, text, length, error))
    return FALSE;
  /* json-glib takes blank text for a document without a value: callers want one. */
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA, "no JSON value");
      return FALSE;
    }
  return TRUE;
}

/* Returns: (transfer full) (nullable): the root, NULL with error set on failure (json-glib
 * accepts an empty text, with no root). */
JsonNode *
crier_json_parse (const char *text,
                  gssize      length,
                  GError    **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!crier_json_parser_load (parser, text, length, error))
    return NULL;
  if ((root = json_parser_steal_root (parser)) == NULL)
    g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA, "no JSON value");
  return root;
}

/* Returns: (transfer full) (nullable): the object a text holds, NULL with error set for
 * anything else. */
JsonObject *
crier_json_parse_object (const char *text,
                         gssize      length,
                         GError    **error)
{
  g_autoptr (JsonNode) root = crier_json_parse (text, length, error);

  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA, "not a JSON object");
      return NULL;
    }
  return json_node_dup_object (root);
}

const char *
crier_json_object_get_string (JsonObject *object,
                              const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

char *
crier_json_to_string (JsonNode *node)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}
