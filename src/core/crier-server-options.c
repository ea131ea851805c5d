/* crier-server-options.c — one option table and one set of checks for --host, --port,
 * --config, --tls-cert, --tls-key and --metrics-port, whichever front end parses them
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-config"

#include "config.h"

#include "crier-server-options.h"

#include <glib/gi18n.h>

#include "crier-redis-address.h"

/* The quark name is stringified: its "-" must stay unspaced. */
/* clang-format off */
G_DEFINE_QUARK (crier-server-options-error-quark, crier_server_options_error)
/* clang-format on */

/* A port as typed: decimal digits only, 0 to 65535 (0 lets the kernel pick). */
static gboolean
parse_port (const char *text,
            unsigned   *port)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 0, 65535, &value, NULL))
    return FALSE;
  *port = (unsigned) value;
  return TRUE;
}

/* An empty path is no file: the server and the preferences read "" as "no TLS". */
static gboolean
is_set (const char *path)
{
  return path != NULL && *path != '\0';
}

void
crier_server_options_clear (CrierServerOptions *self)
{
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->port, g_free);
  g_clear_pointer (&self->config_path, g_free);
  g_clear_pointer (&self->tls_cert, g_free);
  g_clear_pointer (&self->tls_key, g_free);
  g_clear_pointer (&self->metrics_port, g_free);
  g_clear_pointer (&self->cluster_redis, g_free);
  g_clear_pointer (&self->cluster_prefix, g_free);
  g_clear_pointer (&self->cluster_node_timeout, g_free);
  g_clear_pointer (&self->cluster_heartbeat_interval, g_free);
  self->reuse_port = FALSE;
}

/* Milliseconds as typed, 1 to an hour. */
static gboolean
parse_millis (const char *text,
              unsigned   *millis)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 1, 3600000, &value, NULL))
    return FALSE;
  *millis = (unsigned) value;
  return TRUE;
}

GOptionEntry *
crier_server_options_dup_entries (CrierServerOptions *self)
{
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &self->host,
      N_ ("Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)"), N_ ("HOST") },
    { "port", 'p', 0, G_OPTION_ARG_STRING, &self->port,
      N_ ("Port to listen on (default 6001; 0 picks a free one)"), N_ ("PORT") },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &self->config_path,
      N_ ("Read server and app settings from FILE"), N_ ("FILE") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &self->tls_cert,
      N_ ("Serve wss:// and https:// with this PEM certificate"), N_ ("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &self->tls_key,
      N_ ("The PEM private key of the certificate"), N_ ("FILE") },
    { "metrics-port", 0, 0, G_OPTION_ARG_STRING, &self->metrics_port,
      N_ ("Serve /metrics on this port instead of the main one"), N_ ("PORT") },
    { "cluster-redis", 0, 0, G_OPTION_ARG_STRING, &self->cluster_redis,
      N_ ("Cluster with the other nodes of this Redis (redis://HOST:PORT/DB or unix:///PATH)"),
      N_ ("URL") },
    { "cluster-prefix", 0, 0, G_OPTION_ARG_STRING, &self->cluster_prefix,
      N_ ("Prefix of the cluster's Redis keys and channels (default crier)"), N_ ("PREFIX") },
    { "cluster-node-timeout", 0, 0, G_OPTION_ARG_STRING, &self->cluster_node_timeout,
      N_ ("Declare a silent node dead after this many milliseconds (default 10000)"), N_ ("MS") },
    { "cluster-heartbeat-interval", 0, 0, G_OPTION_ARG_STRING, &self->cluster_heartbeat_interval,
      N_ ("Send a cluster heartbeat every this many milliseconds (default 2000)"), N_ ("MS") },
    { "reuse-port", 0, 0, G_OPTION_ARG_NONE, &self->reuse_port,
      N_ ("Share the port with other nodes on this host (SO_REUSEPORT)"), NULL },
    { NULL }
  };

  g_return_val_if_fail (self != NULL, NULL);
  return g_memdup2 (entries, sizeof entries);
}

/* Whether the command line named any server option (a running window cannot take them). */
gboolean
crier_server_options_is_empty (const CrierServerOptions *self)
{
  g_return_val_if_fail (self != NULL, TRUE);
  return self->host == NULL && self->port == NULL && self->config_path == NULL &&
         self->tls_cert == NULL && self->tls_key == NULL && self->metrics_port == NULL &&
         self->cluster_redis == NULL && self->cluster_prefix == NULL &&
         self->cluster_node_timeout == NULL && self->cluster_heartbeat_interval == NULL &&
         !self->reuse_port;
}

/* Usage errors only, worded for the command line both front ends read them on: whether the files exist and the certificate loads is the server's
 * business when it starts (the window retries, the files may appear meanwhile). */
gboolean
crier_server_options_check (const CrierServerOptions *self,
                            GError                  **error)
{
  unsigned port;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->port != NULL && !parse_port (self->port, &port))
    {
      g_set_error (error, CRIER_SERVER_OPTIONS_ERROR, CRIER_SERVER_OPTIONS_ERROR_PORT,
                   _ ("--port must be between 0 and 65535, not “%s”"), self->port);
      return FALSE;
    }
  if (self->metrics_port != NULL && !parse_port (self->metrics_port, &port))
    {
      g_set_error (error, CRIER_SERVER_OPTIONS_ERROR, CRIER_SERVER_OPTIONS_ERROR_METRICS_PORT,
                   _ ("--metrics-port must be between 0 and 65535, not “%s”"), self->metrics_port);
      return FALSE;
    }
  /* One without the other replaces both in the configuration, so the server could only
   * fail at its start; say it while the command line is still on the screen. */
  if (is_set (self->tls_cert) != is_set (self->tls_key))
    {
      g_set_error_literal (error, CRIER_SERVER_OPTIONS_ERROR, CRIER_SERVER_OPTIONS_ERROR_TLS_PAIR,
                           _ ("--tls-cert and --tls-key go together: give both, or neither"));
      return FALSE;
    }
  if (self->cluster_redis != NULL && *self->cluster_redis != '\0')
    {
      g_autoptr (CrierRedisAddress) address = crier_redis_address_parse (self->cluster_redis, NULL);

      if (address == NULL)
        {
          g_set_error (error, CRIER_SERVER_OPTIONS_ERROR, CRIER_SERVER_OPTIONS_ERROR_CLUSTER,
                       _ ("--cluster-redis must be redis://HOST:PORT/DB or unix:///PATH, not “%s”"),
                       self->cluster_redis);
          return FALSE;
        }
    }
  if (self->cluster_prefix != NULL && !crier_redis_prefix_is_valid (self->cluster_prefix))
    {
      g_set_error (error, CRIER_SERVER_OPTIONS_ERROR, CRIER_SERVER_OPTIONS_ERROR_CLUSTER,
                   _ ("--cluster-prefix must be 1 to 64 letters, digits, “-”, “_”, “.” or “:”, "
                      "not “%s”"),
                   self->cluster_prefix);
      return FALSE;
    }
  if ((self->cluster_node_timeout != NULL && !parse_millis (self->cluster_node_timeout, &port)) ||
      (self->cluster_heartbeat_interval != NULL &&
       !parse_millis (self->cluster_heartbeat_interval, &port)))
    {
      g_set_error (error, CRIER_SERVER_OPTIONS_ERROR, CRIER_SERVER_OPTIONS_ERROR_CLUSTER,
                   _ ("--cluster-node-timeout and --cluster-heartbeat-interval take milliseconds "
                      "from 1 to 3600000"));
      return FALSE;
    }
  return TRUE;
}

/* Options win over what @config has (its file, the environment or the preferences). The
 * configuration file itself is the caller's: the window layers it with its preferences. */
gboolean
crier_server_options_apply (const CrierServerOptions *self,
                            CrierConfig              *config,
                            GError                  **error)
{
  unsigned port;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (CRIER_IS_CONFIG (config), FALSE);

  if (!crier_server_options_check (self, error))
    return FALSE;
  if (self->host != NULL)
    crier_config_set_host (config, self->host);
  if (self->port != NULL && parse_port (self->port, &port))
    crier_config_set_port (config, port);
  /* 0 is "on the main port", the configuration file's default, and a way to override it. */
  if (self->metrics_port != NULL && parse_port (self->metrics_port, &port))
    crier_config_set_metrics_port (config, port);
  if (self->tls_cert != NULL || self->tls_key != NULL)
    crier_config_set_tls (config, self->tls_cert, self->tls_key);
  if (self->cluster_redis != NULL && !crier_config_set_cluster_redis (config, self->cluster_redis,
                                                                      error))
    return FALSE;
  if (self->cluster_prefix != NULL)
    crier_config_set_cluster_prefix (config, self->cluster_prefix);
  {
    unsigned timeout = 0, interval = 0;

    if (self->cluster_node_timeout != NULL)
      parse_millis (self->cluster_node_timeout, &timeout);
    if (self->cluster_heartbeat_interval != NULL)
      parse_millis (self->cluster_heartbeat_interval, &interval);
    crier_config_set_cluster_times (config, timeout, interval);
  }
  if (self->reuse_port)
    crier_config_set_reuse_port (config, TRUE);
  return TRUE;
}

/* The headless server's configuration: --config, or else the environment's one app, then
 * the options on top. Usage errors come first (CRIER_SERVER_OPTIONS_ERROR), then those of
 * the file (CRIER_CONFIG_ERROR, G_FILE_ERROR). */
CrierConfig *
crier_server_options_new_config (const CrierServerOptions *self,
                                 GError                  **error)
{
  g_autoptr (CrierConfig) config = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (!crier_server_options_check (self, error))
    return NULL;
  if (self->config_path != NULL)
    {
      config = crier_config_new ();
      if (!crier_config_load_file (config, self->config_path, error))
        return NULL;
    }
  else
    config = crier_config_new_from_environment ();
  if (!crier_server_options_apply (self, config, error))
    return NULL;
  return g_steal_pointer (&config);
}
