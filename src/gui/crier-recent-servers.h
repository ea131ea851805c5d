/* crier-recent-servers.h — the servers last connected to: addresses in GSettings, secrets in
 * the user's keyring
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsecret/secret.h>

G_BEGIN_DECLS

/* How many the "recent-servers" key keeps. */
#define CRIER_RECENT_SERVERS_MAX 10

typedef struct
{
  char  *url; /* http(s)://host:port */
  char  *app_id;
  char  *key;
  char  *label;
  gint64 last_used; /* Unix time, seconds */
} CrierRecentServer;

void crier_recent_server_free (CrierRecentServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrierRecentServer, crier_recent_server_free)

#define CRIER_TYPE_RECENT_SERVERS (crier_recent_servers_get_type ())
G_DECLARE_FINAL_TYPE (CrierRecentServers, crier_recent_servers, CRIER, RECENT_SERVERS, GObject)

const SecretSchema *crier_recent_servers_get_schema (void);

CrierRecentServers *crier_recent_servers_new (GSettings *settings);
GPtrArray          *crier_recent_servers_dup_list (CrierRecentServers *self);

void     crier_recent_servers_remember_async (CrierRecentServers *self,
                                              const char         *url,
                                              const char         *app_id,
                                              const char         *key,
                                              const char         *secret,
                                              const char         *encryption_master_key,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean crier_recent_servers_remember_finish (CrierRecentServers *self,
                                               GAsyncResult       *result,
                                               GError            **error);
void     crier_recent_servers_lookup_async (CrierRecentServers *self,
                                            const char         *url,
                                            const char         *app_id,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean crier_recent_servers_lookup_finish (CrierRecentServers *self,
                                             GAsyncResult       *result,
                                             char              **secret,
                                             char              **encryption_master_key,
                                             GError            **error);
void     crier_recent_servers_forget_async (CrierRecentServers *self,
                                            const char         *url,
                                            const char         *app_id,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean crier_recent_servers_forget_finish (CrierRecentServers *self,
                                             GAsyncResult       *result,
                                             GError            **error);
void     crier_recent_servers_probe_async (CrierRecentServers *self,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
gboolean crier_recent_servers_probe_finish (CrierRecentServers *self,
                                            GAsyncResult       *result,
                                            GError            **error);

G_END_DECLS
