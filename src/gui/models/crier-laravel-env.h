/* crier-laravel-env.h — the .env block and Echo snippet that point Laravel at Crier
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "crier-config.h"

G_BEGIN_DECLS

typedef enum
{
  CRIER_LARAVEL_ENV_DEFAULT = 0,
  /* The app server runs in a container (Laravel Sail, Docker): it reaches Crier through
   * host.docker.internal while the browser still uses localhost. */
  CRIER_LARAVEL_ENV_DOCKER = 1 << 0,
  /* For display: the secret as dots, like the Secret row until it is revealed. */
  CRIER_LARAVEL_ENV_MASK_SECRET = 1 << 1,
} CrierLaravelEnvFlags;

#define CRIER_LARAVEL_MASKED_SECRET "••••••••••••••••"

char *crier_laravel_env_block (const CrierAppConfig *app,
                               const char           *host,
                               unsigned              port,
                               gboolean              tls,
                               const char           *broadcaster,
                               CrierLaravelEnvFlags  flags);
char *crier_laravel_echo_snippet (const char *broadcaster);
char *crier_laravel_public_host (const char *listen_host);

G_END_DECLS
