/* crier-redis-address.c — where a cluster's Redis is: redis:// and unix:// URLs
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-cluster"

#include "config.h"

#include "crier-redis-address.h"

#include <gio/gio.h>
#include <string.h>

void
crier_redis_address_free (CrierRedisAddress *address)
{
  if (address == NULL)
    return;
  g_free (address->host);
  g_free (address->path);
  g_free (address->password);
  g_free (address);
}

static gboolean
parse_db (const char *text,
          unsigned   *db,
          GError    **error)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, 65535, &value, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a database number", text);
      return FALSE;
    }
  *db = (unsigned) value;
  return TRUE;
}

/* unix:///PATH[?db=N&password=P]: the query is the only place a socket URL has for them. */
static CrierRedisAddress *
parse_unix (const char *url,
            GError    **error)
{
  g_autoptr (CrierRedisAddress) address = g_new0 (CrierRedisAddress, 1);
  const char *rest = url + strlen ("unix://");
  const char *query = strchr (rest, '?');
  g_auto (GStrv) params = NULL;

  address->path = g_uri_unescape_segment (rest, query, NULL);
  if (address->path == NULL || address->path[0] != '/')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s”: a unix:// URL needs an absolute socket path (unix:///run/redis.sock)",
                   url);
      return NULL;
    }
  params = query != NULL ? g_strsplit (query + 1, "&", -1) : NULL;
  for (guint i = 0; params != NULL && params[i] != NULL; i++)
    {
      if (g_str_has_prefix (params[i], "db="))
        {
          if (!parse_db (params[i] + 3, &address->db, error))
            return NULL;
        }
      else if (g_str_has_prefix (params[i], "password="))
        address->password = g_uri_unescape_string (params[i] + 9, NULL);
      else if (*params[i] != '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "“%s”: unknown parameter (expected db= or password=)", params[i]);
          return NULL;
        }
    }
  return g_steal_pointer (&address);
}

/* Returns: (transfer full) (nullable): the address, or NULL with @error set. */
CrierRedisAddress *
crier_redis_address_parse (const char *url,
                           GError    **error)
{
  g_autoptr (CrierRedisAddress) address = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) local_error = NULL;
  const char *path;
  const char *password;

  g_return_val_if_fail (url != NULL, NULL);

  if (g_str_has_prefix (url, "unix://"))
    return parse_unix (url, error);
  if (!g_str_has_prefix (url, "redis://"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a redis://HOST:PORT/DB or unix:///PATH URL", url);
      return NULL;
    }
  uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD, &local_error);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a redis://HOST:PORT/DB URL", url);
      return NULL;
    }
  address = g_new0 (CrierRedisAddress, 1);
  address->host = g_strdup (g_uri_get_host (uri));
  address->port = g_uri_get_port (uri) > 0 ? (unsigned) g_uri_get_port (uri) : 6379;
  password = g_uri_get_password (uri);
  if (password != NULL && *password != '\0')
    address->password = g_strdup (password);
  path = g_uri_get_path (uri);
  if (path != NULL && path[0] == '/' && path[1] != '\0' &&
      !parse_db (path + 1, &address->db, error))
    return NULL;
  return g_steal_pointer (&address);
}

/* For log lines: where, never the password. */
char *
crier_redis_address_describe (const CrierRedisAddress *address)
{
  if (address->path != NULL)
    return g_strdup_printf ("unix://%s", address->path);
  if (strchr (address->host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", address->host, address->port);
  return g_strdup_printf ("%s:%u", address->host, address->port);
}

/* Keys and channel names are built from it: keep it plain. */
gboolean
crier_redis_prefix_is_valid (const char *prefix)
{
  gsize length = prefix != NULL ? strlen (prefix) : 0;

  if (length == 0 || length > 64)
    return FALSE;
  for (const char *p = prefix; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_.:", *p) == NULL)
      return FALSE;
  return TRUE;
}
