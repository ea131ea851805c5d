/* crier-remote.c — where the terminal commands find a server and its app: options with
 * Laravel's PUSHER_* variables as defaults
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-cli"

#include "config.h"

#include "crier-remote.h"

#include <glib/gi18n.h>
#include <string.h>

#include "crier-http-client.h"

void
crier_remote_clear (CrierRemote *self)
{
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->scheme, g_free);
  g_clear_pointer (&self->app_id, g_free);
  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->secret, g_free);
}

GOptionEntry *
crier_remote_dup_entries (CrierRemote *self)
{
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &self->host,
      N_ ("Server host (default $PUSHER_HOST or 127.0.0.1)"), N_ ("HOST") },
    { "port", 'p', 0, G_OPTION_ARG_INT, &self->port,
      N_ ("Server port (default $PUSHER_PORT or 6001)"), N_ ("PORT") },
    { "scheme", 0, 0, G_OPTION_ARG_STRING, &self->scheme,
      N_ ("http or https (default $PUSHER_SCHEME or http)"), N_ ("SCHEME") },
    { "insecure", 'k', 0, G_OPTION_ARG_NONE, &self->insecure,
      N_ ("Accept a self-signed TLS certificate"), NULL },
    { "app-id", 0, 0, G_OPTION_ARG_STRING, &self->app_id,
      N_ ("App id (default $PUSHER_APP_ID or app-id)"), N_ ("ID") },
    { "key", 0, 0, G_OPTION_ARG_STRING, &self->key,
      N_ ("App key (default $PUSHER_APP_KEY or app-key)"), N_ ("KEY") },
    { "secret", 0, 0, G_OPTION_ARG_STRING, &self->secret,
      N_ ("App secret (default $PUSHER_APP_SECRET or app-secret)"), N_ ("SECRET") },
    { NULL }
  };

  self->port = -1;
  return g_memdup2 (entries, sizeof entries);
}

static char *
env_or (const char *name,
        const char *fallback)
{
  const char *value = g_getenv (name);

  return g_strdup (value != NULL && *value != '\0' ? value : fallback);
}

gboolean
crier_remote_resolve (CrierRemote *self,
                      const char  *command)
{
  if (self->host == NULL)
    self->host = env_or ("PUSHER_HOST", "127.0.0.1");
  /* Laravel's PUSHER_HOST may carry a scheme; the SDK strips it too. */
  if (g_str_has_prefix (self->host, "http://") || g_str_has_prefix (self->host, "https://"))
    {
      char *bare = g_strdup (strstr (self->host, "://") + 3);

      g_free (self->host);
      self->host = bare;
    }
  if (self->port < 0)
    {
      g_autofree char *port_text = env_or ("PUSHER_PORT", "6001");
      guint64          port;

      if (!g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, NULL))
        {
          g_printerr (_ ("%s: PUSHER_PORT “%s” is not a port number\n"), command, port_text);
          return FALSE;
        }
      self->port = (int) port;
    }
  if (self->scheme == NULL)
    self->scheme = env_or ("PUSHER_SCHEME", "http");
  if (self->app_id == NULL)
    self->app_id = env_or ("PUSHER_APP_ID", "app-id");
  if (self->key == NULL)
    self->key = env_or ("PUSHER_APP_KEY", "app-key");
  if (self->secret == NULL)
    self->secret = env_or ("PUSHER_APP_SECRET", "app-secret");
  if (!g_str_equal (self->scheme, "http") && !g_str_equal (self->scheme, "https"))
    {
      g_printerr (_ ("%s: --scheme must be http or https\n"), command);
      return FALSE;
    }
  return TRUE;
}

char *
crier_remote_url (CrierRemote *self,
                  const char  *scheme,
                  const char  *path,
                  GHashTable  *query)
{
  g_autofree char *encoded = query != NULL ? soup_form_encode_hash (query) : NULL;

  return g_strdup_printf ("%s://%s:%d%s%s%s", scheme, self->host, self->port, path,
                          encoded != NULL ? "?" : "", encoded != NULL ? encoded : "");
}

void
crier_remote_prepare (CrierRemote *self,
                      SoupMessage *msg)
{
  if (self->insecure)
    crier_http_client_trust_any (msg);
}
