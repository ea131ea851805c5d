/* crier-redis-address.h — where a cluster's Redis is: redis:// and unix:// URLs
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char    *host; /* TCP, or NULL for a Unix socket */
  unsigned port;
  char    *path; /* Unix socket, or NULL */
  char    *password;
  unsigned db;
} CrierRedisAddress;

CrierRedisAddress *crier_redis_address_parse (const char *url,
                                              GError    **error);
void               crier_redis_address_free (CrierRedisAddress *address);
char              *crier_redis_address_describe (const CrierRedisAddress *address);
gboolean           crier_redis_prefix_is_valid (const char *prefix);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrierRedisAddress, crier_redis_address_free)

G_END_DECLS
