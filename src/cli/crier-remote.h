/* crier-remote.h — where the terminal commands find a server and its app: options with
 * Laravel's PUSHER_* variables as defaults
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  char    *host;
  int      port; /* -1 until resolved */
  char    *scheme;
  gboolean insecure;
  char    *app_id;
  char    *key;
  char    *secret;
} CrierRemote;

void crier_remote_clear (CrierRemote *self);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CrierRemote, crier_remote_clear)

/* Returns: (transfer full): --host, --port, --scheme, --insecure, --app-id, --key and --secret,
 * pointing into self; free with g_free () once added to a GOptionContext. */
GOptionEntry *crier_remote_dup_entries (CrierRemote *self);
/* Fills what the options left unset from PUSHER_* (or the defaults); FALSE with a message
 * naming command on stderr when a value is unusable. */
gboolean crier_remote_resolve (CrierRemote *self,
                               const char  *command);
/* The server's URL for path and a signed query; scheme is http/https, or ws/wss for the
 * same server. */
char *crier_remote_url (CrierRemote *self,
                        const char  *scheme,
                        const char  *path,
                        GHashTable  *query);
/* --insecure: accept the server's self-signed certificate on msg. */
void crier_remote_prepare (CrierRemote *self,
                           SoupMessage *msg);

G_END_DECLS
