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

/* The variable names of the Laravel skeleton and of reverb:install
 * (laravel-broadcasting.md §2.4); broadcaster is "pusher" or "reverb". */
char *
crier_laravel_env_block (const CrierAppConfig *app,
                         const char           *host,
                         unsigned              port,
                         gboolean              tls,
                         const char           *broadcaster)
{
  g_autofree char *public_host = crier_laravel_public_host (host);
  const char      *scheme = tls ? "https" : "http";

  g_return_val_if_fail (app != NULL, NULL);
  if (g_strcmp0 (broadcaster, "reverb") == 0)
    return g_strdup_printf ("BROADCAST_CONNECTION=reverb\n"
                            "\n"
                            "REVERB_APP_ID=%s\n"
                            "REVERB_APP_KEY=%s\n"
                            "REVERB_APP_SECRET=%s\n"
                            "REVERB_HOST=\"%s\"\n"
                            "REVERB_PORT=%u\n"
                            "REVERB_SCHEME=%s\n"
                            "\n"
                            "VITE_REVERB_APP_KEY=\"${REVERB_APP_KEY}\"\n"
                            "VITE_REVERB_HOST=\"${REVERB_HOST}\"\n"
                            "VITE_REVERB_PORT=\"${REVERB_PORT}\"\n"
                            "VITE_REVERB_SCHEME=\"${REVERB_SCHEME}\"\n",
                            app->id, app->key, app->secret, public_host, port, scheme);
  return g_strdup_printf ("BROADCAST_DRIVER=pusher\n"
                          "BROADCAST_CONNECTION=pusher\n"
                          "\n"
                          "PUSHER_APP_ID=%s\n"
                          "PUSHER_APP_KEY=%s\n"
                          "PUSHER_APP_SECRET=%s\n"
                          "PUSHER_HOST=%s\n"
                          "PUSHER_PORT=%u\n"
                          "PUSHER_SCHEME=%s\n"
                          "PUSHER_APP_CLUSTER=mt1\n"
                          "\n"
                          "VITE_PUSHER_APP_KEY=\"${PUSHER_APP_KEY}\"\n"
                          "VITE_PUSHER_HOST=\"${PUSHER_HOST}\"\n"
                          "VITE_PUSHER_PORT=\"${PUSHER_PORT}\"\n"
                          "VITE_PUSHER_SCHEME=\"${PUSHER_SCHEME}\"\n"
                          "VITE_PUSHER_APP_CLUSTER=\"${PUSHER_APP_CLUSTER}\"\n",
                          app->id, app->key, app->secret, public_host, port, scheme);
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
