/* crier-env-parser.h — the server a Laravel .env block points at, and the address typed for one
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What "Paste .env" fills in. Every string is NULL when the block does not say it. */
typedef struct
{
  char      *url; /* http(s)://host:port, as crier_server_url_normalize () writes it */
  char      *app_id;
  char      *key;
  char      *secret;
  char      *encryption_master_key;
  char      *prefix;   /* "PUSHER" or "REVERB": the set of variables read */
  GPtrArray *found;    /* the names read (not empty) */
  GPtrArray *missing;  /* the names a connection needs that are absent or empty */
  GPtrArray *problems; /* translated: lines that are not NAME=value, a bad port or scheme */
} CrierEnvServer;

CrierEnvServer *crier_env_server_parse (const char *text);
void            crier_env_server_free (CrierEnvServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrierEnvServer, crier_env_server_free)

GHashTable *crier_env_parse (const char *text,
                             GPtrArray  *problems);

char *crier_server_url_normalize (const char *text,
                                  GError    **error);

G_END_DECLS
