/* crier-env-parser.c — the server a Laravel .env block points at, and the address typed for one
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-env-parser.h"

#include <glib/gi18n.h>

/* Crier's, soketi's and `crier tail`'s port: an address typed without scheme nor port is
 * most likely one of them on a developer's machine. */
#define BARE_HOST_PORT 6001

static gboolean
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '.';
}

static const char *
skip_blanks (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* ${NAME} at p (p points at '$'): appends the value of a variable defined above (phpdotenv
 * reads the block top-down; an unknown one is empty) and returns the end, or NULL when p is
 * not a reference. */
static const char *
expand_reference (const char *p,
                  GHashTable *vars,
                  GString    *out)
{
  const char      *end;
  g_autofree char *name = NULL;
  const char      *value;

  if (p[1] != '{' || !is_name_start (p[2]))
    return NULL;
  for (end = p + 2; is_name_char (*end); end++)
    ;
  if (*end != '}')
    return NULL;
  name = g_strndup (p + 2, end - (p + 2));
  value = g_hash_table_lookup (vars, name);
  if (value != NULL)
    g_string_append (out, value);
  return end + 1;
}

/* A double-quoted value from just after its opening quote: escapes and ${NAME}, newlines
 * included (a quoted value may span lines). Returns after the closing quote, or NULL. */
static const char *
read_double_quoted (const char *p,
                    GHashTable *vars,
                    GString    *out,
                    unsigned   *line)
{
  for (; *p != '\0'; p++)
    {
      const char *after;

      if (*p == '"')
        return p + 1;
      if (*p == '\n')
        (*line)++;
      if (*p == '\\' && p[1] != '\0')
        {
          p++;
          switch (*p)
            {
            case 'n':
              g_string_append_c (out, '\n');
              break;
            case 't':
              g_string_append_c (out, '\t');
              break;
            case '"':
            case '\\':
            case '$':
              g_string_append_c (out, *p);
              break;
            default:
              g_string_append_c (out, '\\');
              g_string_append_c (out, *p);
            }
          continue;
        }
      if (*p == '$' && (after = expand_reference (p, vars, out)) != NULL)
        {
          p = after - 1;
          continue;
        }
      g_string_append_c (out, *p);
    }
  return NULL;
}

/* An unquoted value up to the end of the line: a " #" starts a comment, ${NAME} expands. */
static const char *
read_unquoted (const char *p,
               GHashTable *vars,
               GString    *out)
{
  while (*p != '\0' && *p != '\n' && *p != '\r')
    {
      const char *after;

      if (*p == '#' && (out->len == 0 || out->str[out->len - 1] == ' ' || out->str[out->len - 1] == '\t'))
        {
          while (*p != '\0' && *p != '\n')
            p++;
          break;
        }
      if (*p == '$' && (after = expand_reference (p, vars, out)) != NULL)
        {
          p = after;
          continue;
        }
      g_string_append_c (out, *p++);
    }
  while (out->len > 0 && (out->str[out->len - 1] == ' ' || out->str[out->len - 1] == '\t'))
    g_string_truncate (out, out->len - 1);
  return p;
}

static const char *
skip_line (const char *p)
{
  while (*p != '\0' && *p != '\n')
    p++;
  return p;
}

/* NAME=value lines as Laravel's phpdotenv reads them: blank lines and # comments, an
 * optional "export ", blanks around '=', values in double quotes (escapes, ${NAME}, several
 * lines), single quotes (as written) or none (up to a " #" comment, ${NAME}). A line that
 * is none of these is skipped with a translated note in problems (when not NULL).
 *
 * Returns: (transfer full): name → value. */
GHashTable *
crier_env_parse (const char *text,
                 GPtrArray  *problems)
{
  g_autoptr (GHashTable) vars = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *p = text ? text : "";
  unsigned    line = 1;

  while (*p != '\0')
    {
      const char      *start;
      g_autofree char *name = NULL;
      g_autoptr (GString) value = NULL;
      unsigned first_line = line;

      p = skip_blanks (p);
      if (*p == '\n' || *p == '\r' || *p == '#' || *p == '\0')
        goto next_line;
      if (g_str_has_prefix (p, "export") && (p[6] == ' ' || p[6] == '\t'))
        p = skip_blanks (p + 6);
      if (!is_name_start (*p))
        {
          if (problems != NULL)
            g_ptr_array_add (problems, g_strdup_printf (_ ("Line %u is not NAME=value"), line));
          goto next_line;
        }
      for (start = p; is_name_char (*p); p++)
        ;
      name = g_strndup (start, p - start);
      p = skip_blanks (p);
      if (*p != '=')
        {
          if (problems != NULL)
            g_ptr_array_add (problems, g_strdup_printf (_ ("Line %u is not NAME=value"), line));
          goto next_line;
        }
      p = skip_blanks (p + 1);
      value = g_string_new (NULL);
      if (*p == '"')
        {
          const char *end = read_double_quoted (p + 1, vars, value, &line);

          if (end == NULL)
            {
              if (problems != NULL)
                g_ptr_array_add (problems, g_strdup_printf (_ ("Line %u: the quote is not closed"), first_line));
              break;
            }
          p = end;
        }
      else if (*p == '\'')
        {
          const char *end = strchr (p + 1, '\'');

          if (end == NULL)
            {
              if (problems != NULL)
                g_ptr_array_add (problems, g_strdup_printf (_ ("Line %u: the quote is not closed"), first_line));
              break;
            }
          for (const char *c = p + 1; c < end; c++)
            if (*c == '\n')
              line++;
          g_string_append_len (value, p + 1, end - (p + 1));
          p = end + 1;
        }
      else
        p = read_unquoted (p, vars, value);
      g_hash_table_replace (vars, g_steal_pointer (&name), g_string_free (g_steal_pointer (&value), FALSE));

    next_line:
      p = skip_line (p);
      if (*p == '\n')
        {
          p++;
          line++;
        }
    }
  return g_steal_pointer (&vars);
}

static gboolean
parse_port (const char *text,
            unsigned   *port)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &value, NULL))
    return FALSE;
  *port = value;
  return TRUE;
}

/* What the user typed as the server's address (ws://, wss://, http://, https:// or a bare
 * host[:port]) as the http(s)://host:port the window attaches to: ws is http and wss is
 * https on the same port, a missing port is the scheme's (80, 443), a bare host is plain
 * http on BARE_HOST_PORT. A path or query (a pusher-js URL pasted whole) is dropped.
 *
 * Returns: (transfer full) (nullable): the address, or NULL with a translated error. */
char *
crier_server_url_normalize (const char *text,
                            GError    **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text ? text : ""));
  g_autofree char *with_scheme = NULL;
  g_autoptr (GUri) uri = NULL;
  const char *scheme, *host;
  gboolean    tls;
  int         port;

  if (*trimmed == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Enter the server’s address"));
      return NULL;
    }
  with_scheme = strstr (trimmed, "://") ? g_strdup (trimmed) : g_strconcat ("crier://", trimmed, NULL);
  uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, NULL);
  host = uri ? g_uri_get_host (uri) : NULL;
  if (host == NULL || *host == '\0' || strpbrk (host, " \t/") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("“%s” is not a server address (host, host:port or a ws, wss, http or https URL)"), trimmed);
      return NULL;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "crier") == 0)
    tls = FALSE;
  else if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "ws") == 0)
    tls = FALSE;
  else if (g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0)
    tls = TRUE;
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("“%s” is not a ws, wss, http or https address"), trimmed);
      return NULL;
    }
  port = g_uri_get_port (uri);
  if (port == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("Port 0 is not a server’s port"));
      return NULL;
    }
  if (port < 0)
    port = g_ascii_strcasecmp (scheme, "crier") == 0 ? BARE_HOST_PORT : tls ? 443
                                                                            : 80;
  /* GUri gives an IPv6 literal without its brackets. */
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("%s://[%s]:%d", tls ? "https" : "http", host, port);
  return g_strdup_printf ("%s://%s:%d", tls ? "https" : "http", host, port);
}

static const char *
lookup_set (GHashTable *vars,
            const char *name)
{
  const char *value = g_hash_table_lookup (vars, name);

  return value != NULL && *value != '\0' ? value : NULL;
}

/* name's value when set and not empty; recorded in found or, when wanted, in missing. */
static const char *
take (CrierEnvServer *server,
      GHashTable     *vars,
      const char     *name,
      gboolean        wanted)
{
  const char *value = lookup_set (vars, name);

  if (value != NULL)
    g_ptr_array_add (server->found, g_strdup (name));
  else if (wanted)
    g_ptr_array_add (server->missing, g_strdup (name));
  return value;
}

static gboolean
has_any (GHashTable *vars,
         const char *prefix)
{
  static const char *suffixes[] = { "_APP_ID", "_APP_KEY", "_APP_SECRET" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (prefix, suffixes[i], NULL);

      if (lookup_set (vars, name) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* The set Laravel broadcasts through: BROADCAST_CONNECTION (Laravel 11) or
 * BROADCAST_DRIVER when it names one, else whichever set has credentials, PUSHER first. */
static const char *
choose_prefix (GHashTable *vars)
{
  const char *connection = lookup_set (vars, "BROADCAST_CONNECTION");

  if (connection == NULL)
    connection = lookup_set (vars, "BROADCAST_DRIVER");
  if (g_strcmp0 (connection, "reverb") == 0)
    return "REVERB";
  if (g_strcmp0 (connection, "pusher") == 0)
    return "PUSHER";
  if (!has_any (vars, "PUSHER") && has_any (vars, "REVERB"))
    return "REVERB";
  return "PUSHER";
}

static char *
var_name (const char *prefix,
          const char *suffix)
{
  return g_strconcat (prefix, suffix, NULL);
}

/* The address from HOST, PORT and SCHEME as Laravel's config/broadcasting.php combines them
 * (scheme https and port 443 unless said; a host may carry its scheme); Pusher itself
 * (api-CLUSTER.pusher.com) when the host is empty and a cluster is set. */
static void
build_url (CrierEnvServer *server,
           GHashTable     *vars)
{
  const char      *prefix = server->prefix;
  g_autofree char *host_name = var_name (prefix, "_HOST");
  g_autofree char *port_name = var_name (prefix, "_PORT");
  g_autofree char *scheme_name = var_name (prefix, "_SCHEME");
  const char      *cluster = NULL;
  const char      *host, *port_text, *scheme;
  g_autofree char *pusher_host = NULL;
  g_autofree char *address = NULL, *host_scheme = NULL, *with_scheme = NULL;
  const char      *separator;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) error = NULL;
  unsigned port = 0;

  if (g_str_equal (prefix, "PUSHER"))
    cluster = take (server, vars, "PUSHER_APP_CLUSTER", FALSE);
  host = take (server, vars, host_name, cluster == NULL);
  port_text = take (server, vars, port_name, FALSE);
  scheme = take (server, vars, scheme_name, FALSE);
  if (host == NULL && cluster != NULL)
    host = pusher_host = g_strdup_printf ("api-%s.pusher.com", cluster);
  if (host == NULL)
    return;
  if (port_text != NULL && !parse_port (port_text, &port))
    {
      g_ptr_array_add (server->problems, g_strdup_printf (_ ("%s “%s” is not a port number"), port_name, port_text));
      return;
    }
  /* PUSHER_HOST=https://example.com:8443 carries a scheme (and a port) of its own: the
   * SDK takes them unless SCHEME and PORT say otherwise. */
  if ((separator = strstr (host, "://")) != NULL)
    {
      host_scheme = g_strndup (host, separator - host);
      host = separator + 3;
    }
  if (scheme == NULL)
    scheme = host_scheme ? host_scheme : "https";
  with_scheme = g_strdup_printf ("%s://%s", scheme, host);
  uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    {
      g_ptr_array_add (server->problems, g_strdup_printf (_ ("%s “%s” is not a host name"), host_name, host));
      return;
    }
  if (port == 0)
    port = g_uri_get_port (uri) > 0 ? (unsigned) g_uri_get_port (uri) : g_ascii_strcasecmp (scheme, "https") == 0 ? 443
                                                                                                                  : 80;
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    {
      g_ptr_array_add (server->problems, g_strdup_printf (_ ("%s “%s” is neither http nor https"), scheme_name, scheme));
      return;
    }
  address = g_strdup_printf (strchr (g_uri_get_host (uri), ':') ? "%s://[%s]:%u" : "%s://%s:%u", scheme,
                             g_uri_get_host (uri), port);
  server->url = crier_server_url_normalize (address, &error);
  if (server->url == NULL)
    g_ptr_array_add (server->problems, g_strdup_printf ("%s: %s", host_name, error->message));
}

/* The server a Laravel .env block points at (see crier_env_parse () for the forms read):
 * PUSHER_* or REVERB_* (choose_prefix ()), with PUSHER_APP_ENCRYPTION_MASTER_KEY. Never
 * fails: what is not there is in missing, what is wrong in problems. */
CrierEnvServer *
crier_env_server_parse (const char *text)
{
  CrierEnvServer *server = g_new0 (CrierEnvServer, 1);
  g_autoptr (GHashTable) vars = NULL;
  g_autofree char *id_name = NULL, *key_name = NULL, *secret_name = NULL;

  server->found = g_ptr_array_new_with_free_func (g_free);
  server->missing = g_ptr_array_new_with_free_func (g_free);
  server->problems = g_ptr_array_new_with_free_func (g_free);
  vars = crier_env_parse (text, server->problems);
  server->prefix = g_strdup (choose_prefix (vars));
  id_name = var_name (server->prefix, "_APP_ID");
  key_name = var_name (server->prefix, "_APP_KEY");
  secret_name = var_name (server->prefix, "_APP_SECRET");
  server->app_id = g_strdup (take (server, vars, id_name, TRUE));
  server->key = g_strdup (take (server, vars, key_name, TRUE));
  server->secret = g_strdup (take (server, vars, secret_name, TRUE));
  build_url (server, vars);
  server->encryption_master_key = g_strdup (take (server, vars, "PUSHER_APP_ENCRYPTION_MASTER_KEY", FALSE));
  return server;
}

void
crier_env_server_free (CrierEnvServer *server)
{
  if (server == NULL)
    return;
  g_free (server->url);
  g_free (server->app_id);
  g_free (server->key);
  g_free (server->secret);
  g_free (server->encryption_master_key);
  g_free (server->prefix);
  g_ptr_array_unref (server->found);
  g_ptr_array_unref (server->missing);
  g_ptr_array_unref (server->problems);
  g_free (server);
}
