/* crier-laravel-env.c — the .env block and Echo snippet that point Laravel at Crier
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-laravel-env.h"

/* A server listening on every interface is reached on the loopback one. */
char *
crier_laravel_public_host (const char *listen_host)
{
  if (listen_host == NULL || *listen_host == '\0' || g_str_equal (listen_host, "0.0.0.0") ||
      g_str_equal (listen_host, "::"))
    return g_strdup ("127.0.0.1");
  return g_strdup (listen_host);
}

/* A container reaches a server listening on the loopback interface only through its own
 * loopback, which is not the host's: Crier has to listen on every interface. */
static gboolean
listens_on_loopback_only (const char *host)
{
  return host == NULL || g_str_equal (host, "127.0.0.1") || g_str_equal (host, "localhost") ||
         g_str_equal (host, "::1");
}

/* The variable names of the Laravel skeleton and of reverb:install
 * (laravel-broadcasting.md §2.4); broadcaster is "pusher" or "reverb". With
 * CRIER_LARAVEL_ENV_DOCKER the app server (PHP, in the container) and the browser (Vite's
 * VITE_* variables, on the host) are given different hosts. */
char *
crier_laravel_env_block (const CrierAppConfig *app,
                         const char           *host,
                         unsigned              port,
                         gboolean              tls,
                         const char           *broadcaster,
                         CrierLaravelEnvFlags  flags)
{
  gboolean         docker = (flags & CRIER_LARAVEL_ENV_DOCKER) != 0;
  g_autofree char *public_host = crier_laravel_public_host (host);
  const char      *server_host = docker ? "host.docker.internal" : public_host;
  const char      *secret = (flags & CRIER_LARAVEL_ENV_MASK_SECRET) ? CRIER_LARAVEL_MASKED_SECRET : app->secret;
  const char      *scheme = tls ? "https" : "http";
  const char      *prefix;
  GString         *block;

  g_return_val_if_fail (app != NULL, NULL);
  block = g_string_new (NULL);
  if (docker && listens_on_loopback_only (host))
    g_string_append (block, "# Crier listens on 127.0.0.1 only, which containers cannot reach: set its\n"
                            "# Host to 0.0.0.0 (Preferences, or crier --host 0.0.0.0).\n");
  if (docker)
    g_string_append (block, "# Laravel Sail's compose file maps host.docker.internal to the host\n"
                            "# (extra_hosts: host.docker.internal:host-gateway).\n");
  if (g_strcmp0 (broadcaster, "reverb") == 0)
    {
      prefix = "REVERB";
      g_string_append (block, "BROADCAST_CONNECTION=reverb\n\n");
    }
  else
    {
      prefix = "PUSHER";
      g_string_append (block, "BROADCAST_DRIVER=pusher\nBROADCAST_CONNECTION=pusher\n\n");
    }
  g_string_append_printf (block,
                          "%1$s_APP_ID=%2$s\n"
                          "%1$s_APP_KEY=%3$s\n"
                          "%1$s_APP_SECRET=%4$s\n",
                          prefix, app->id, app->key, secret);
  /* Reverb's installer quotes the host, the Pusher skeleton does not. */
  if (g_str_equal (prefix, "REVERB"))
    g_string_append_printf (block, "REVERB_HOST=\"%s\"\n", server_host);
  else
    g_string_append_printf (block, "PUSHER_HOST=%s\n", server_host);
  g_string_append_printf (block, "%1$s_PORT=%2$u\n%1$s_SCHEME=%3$s\n", prefix, port, scheme);
  if (g_str_equal (prefix, "PUSHER"))
    g_string_append (block, "PUSHER_APP_CLUSTER=mt1\n");
  g_string_append_printf (block, "\nVITE_%1$s_APP_KEY=\"${%1$s_APP_KEY}\"\n", prefix);
  if (docker)
    g_string_append_printf (block, "VITE_%s_HOST=localhost\n", prefix);
  else
    g_string_append_printf (block, "VITE_%1$s_HOST=\"${%1$s_HOST}\"\n", prefix);
  g_string_append_printf (block,
                          "VITE_%1$s_PORT=\"${%1$s_PORT}\"\n"
                          "VITE_%1$s_SCHEME=\"${%1$s_SCHEME}\"\n",
                          prefix);
  if (g_str_equal (prefix, "PUSHER"))
    g_string_append (block, "VITE_PUSHER_APP_CLUSTER=\"${PUSHER_APP_CLUSTER}\"\n");
  return g_string_free (block, FALSE);
}

/* forceTLS follows the scheme: Laravel 11's stub hard-codes true, which breaks ws://
 * (laravel-broadcasting.md §3.1). */
char *
crier_laravel_echo_snippet (const char *broadcaster)
{
  if (g_strcmp0 (broadcaster, "reverb") == 0)
    return g_strdup ("import Echo from 'laravel-echo';\n"
                     "import Pusher from 'pusher-js';\n"
                     "window.Pusher = Pusher;\n"
                     "\n"
                     "window.Echo = new Echo({\n"
                     "    broadcaster: 'reverb',\n"
                     "    key: import.meta.env.VITE_REVERB_APP_KEY,\n"
                     "    wsHost: import.meta.env.VITE_REVERB_HOST,\n"
                     "    wsPort: import.meta.env.VITE_REVERB_PORT ?? 80,\n"
                     "    wssPort: import.meta.env.VITE_REVERB_PORT ?? 443,\n"
                     "    forceTLS: (import.meta.env.VITE_REVERB_SCHEME ?? 'https') === 'https',\n"
                     "    enabledTransports: ['ws', 'wss'],\n"
                     "});\n");
  return g_strdup ("import Echo from 'laravel-echo';\n"
                   "import Pusher from 'pusher-js';\n"
                   "window.Pusher = Pusher;\n"
                   "\n"
                   "window.Echo = new Echo({\n"
                   "    broadcaster: 'pusher',\n"
                   "    key: import.meta.env.VITE_PUSHER_APP_KEY,\n"
                   "    cluster: import.meta.env.VITE_PUSHER_APP_CLUSTER ?? 'mt1',\n"
                   "    wsHost: import.meta.env.VITE_PUSHER_HOST,\n"
                   "    wsPort: import.meta.env.VITE_PUSHER_PORT ?? 80,\n"
                   "    wssPort: import.meta.env.VITE_PUSHER_PORT ?? 443,\n"
                   "    forceTLS: (import.meta.env.VITE_PUSHER_SCHEME ?? 'https') === 'https',\n"
                   "    enabledTransports: ['ws', 'wss'],\n"
                   "});\n");
}
