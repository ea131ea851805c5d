/* crier-server-options.h — the server's command-line options, shared by `crier --server` and the window
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "crier-config.h"

G_BEGIN_DECLS

#define CRIER_SERVER_OPTIONS_ERROR (crier_server_options_error_quark ())
GQuark crier_server_options_error_quark (void);

/* The front end words these (they are usage errors: exit status 2); the GError message is
 * plain English for logs and tests. */
typedef enum
{
  CRIER_SERVER_OPTIONS_ERROR_PORT,         /* --port is not a number from 0 to 65535 */
  CRIER_SERVER_OPTIONS_ERROR_METRICS_PORT, /* --metrics-port likewise */
  CRIER_SERVER_OPTIONS_ERROR_TLS_PAIR,     /* --tls-cert without --tls-key, or the reverse */
  CRIER_SERVER_OPTIONS_ERROR_CLUSTER,      /* a --cluster-* value is not valid */
} CrierServerOptionsError;

/* What the command line said, as GOption wrote it: NULL is "not given", and then the
 * configuration file, the environment or the window's preferences decide. The ports stay
 * text until crier_server_options_check (): GApplication drops an integer option whose
 * value is 0, and "--port -1" must be refused rather than taken for "not given". */
typedef struct
{
  char *host;
  char *port;
  char *config_path;
  char *tls_cert;
  char *tls_key;
  char *metrics_port;
  /* [cluster] (crier-config.h): the times stay text for the same reason as the ports */
  char    *cluster_redis;
  char    *cluster_prefix;
  char    *cluster_node_timeout;
  char    *cluster_heartbeat_interval;
  gboolean reuse_port;
} CrierServerOptions;

void crier_server_options_clear (CrierServerOptions *self);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CrierServerOptions, crier_server_options_clear)

/* Returns: (transfer full): the option table, NULL-terminated, with arg_data pointing into
 * @self (which must outlive the parse); free it with g_free () once it has been added to a
 * GOptionContext or a GApplication, which copy it. Descriptions are marked for translation: pass
 * GETTEXT_PACKAGE as the translation domain. */
GOptionEntry *crier_server_options_dup_entries (CrierServerOptions *self);

gboolean     crier_server_options_is_empty (const CrierServerOptions *self);
gboolean     crier_server_options_check (const CrierServerOptions *self,
                                         GError                  **error);
gboolean     crier_server_options_apply (const CrierServerOptions *self,
                                         CrierConfig              *config,
                                         GError                  **error);
CrierConfig *crier_server_options_new_config (const CrierServerOptions *self,
                                              GError                  **error);

G_END_DECLS
