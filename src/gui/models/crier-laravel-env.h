/* crier-laravel-env.h — the .env block and Echo snippet that point Laravel at Crier
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "crier-config.h"

G_BEGIN_DECLS

char *crier_laravel_env_block (const CrierAppConfig *app,
                               const char           *host,
                               unsigned              port,
                               gboolean              tls,
                               const char           *broadcaster);
char *crier_laravel_echo_snippet (const char *broadcaster);
char *crier_laravel_public_host (const char *listen_host);

G_END_DECLS
