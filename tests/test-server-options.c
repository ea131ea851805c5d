/* test-server-options.c — the server options both front ends share: the table, the checks,
 * what they do to a configuration, and how crier --server and the window refuse bad values
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/wait.h>

#include "crier-server-options.h"

/* A configuration file whose [server] section sets everything the options can override. */
#define SERVER_SECTION "[server]\nhost=::1\nport=7001\nmetrics-port=9000\n" \
                       "tls-cert=/file/cert.pem\ntls-key=/file/key.pem\n[app:a]\nkey=k\nsecret=s\n"

static char *config_file; /* SERVER_SECTION, in a temporary directory */

typedef struct
{
  const char *name;
  const char *args;       /* shell words; @CONFIG@ is config_file */
  int         error_code; /* a CrierServerOptionsError, or -1: accepted */
  const char *host;
  unsigned    port;
  unsigned    metrics_port;
  const char *tls_cert;
  const char *tls_key;
} OptionCase;

static const OptionCase option_cases[] = {
  /* Nothing given: the environment's defaults. */
  { "none", "", -1, "127.0.0.1", 6001, 0, NULL, NULL },
  { "host", "--host 0.0.0.0", -1, "0.0.0.0", 6001, 0, NULL, NULL },
  { "host-repeated", "--host 10.0.0.1 --host ::1", -1, "::1", 6001, 0, NULL, NULL },
  { "port", "--port 7000", -1, "127.0.0.1", 7000, 0, NULL, NULL },
  { "port-short", "-p 7000", -1, "127.0.0.1", 7000, 0, NULL, NULL },
  { "port-equals", "--port=7000", -1, "127.0.0.1", 7000, 0, NULL, NULL },
  { "port-zero", "--port 0", -1, "127.0.0.1", 0, 0, NULL, NULL },
  { "port-max", "--port 65535", -1, "127.0.0.1", 65535, 0, NULL, NULL },
  { "port-too-big", "--port 65536", CRIER_SERVER_OPTIONS_ERROR_PORT },
  { "port-huge", "--port 99999999999999999999", CRIER_SERVER_OPTIONS_ERROR_PORT },
  { "port-negative", "--port -1", CRIER_SERVER_OPTIONS_ERROR_PORT },
  { "port-plus", "--port +80", CRIER_SERVER_OPTIONS_ERROR_PORT },
  { "port-word", "--port abc", CRIER_SERVER_OPTIONS_ERROR_PORT },
  { "port-trailing", "--port 80x", CRIER_SERVER_OPTIONS_ERROR_PORT },
  { "port-space", "--port ' 80'", CRIER_SERVER_OPTIONS_ERROR_PORT },
  { "port-empty", "--port ''", CRIER_SERVER_OPTIONS_ERROR_PORT },
  { "metrics-port", "--metrics-port 9601", -1, "127.0.0.1", 6001, 9601, NULL, NULL },
  { "metrics-port-max", "--metrics-port 65535", -1, "127.0.0.1", 6001, 65535, NULL, NULL },
  { "metrics-port-too-big", "--metrics-port 70000", CRIER_SERVER_OPTIONS_ERROR_METRICS_PORT },
  { "metrics-port-negative", "--metrics-port -5", CRIER_SERVER_OPTIONS_ERROR_METRICS_PORT },
  { "metrics-port-word", "--metrics-port x", CRIER_SERVER_OPTIONS_ERROR_METRICS_PORT },
  /* The port first: the first bad value is the one named. */
  { "both-ports-bad", "--metrics-port x --port y", CRIER_SERVER_OPTIONS_ERROR_PORT },
  { "tls", "--tls-cert /c.pem --tls-key /k.pem", -1, "127.0.0.1", 6001, 0, "/c.pem", "/k.pem" },
  { "tls-cert-without-key", "--tls-cert /c.pem", CRIER_SERVER_OPTIONS_ERROR_TLS_PAIR },
  { "tls-key-without-cert", "--tls-key /k.pem", CRIER_SERVER_OPTIONS_ERROR_TLS_PAIR },
  { "tls-cert-empty-key", "--tls-cert /c.pem --tls-key ''", CRIER_SERVER_OPTIONS_ERROR_TLS_PAIR },
  /* Empty paths are "no TLS" (as in the preferences), and they do override a file's. */
  { "tls-both-empty", "--tls-cert '' --tls-key ''", -1, "127.0.0.1", 6001, 0, "", "" },
  { "tls-cert-empty-alone", "--tls-cert ''", -1, "127.0.0.1", 6001, 0, "", NULL },
  /* --config: its [server] section, then the options on top of it. */
  { "config", "--config @CONFIG@", -1, "::1", 7001, 9000, "/file/cert.pem", "/file/key.pem" },
  { "config-short", "-c @CONFIG@", -1, "::1", 7001, 9000, "/file/cert.pem", "/file/key.pem" },
  { "config-overridden", "-c @CONFIG@ --host 0.0.0.0 --port 0 --metrics-port 0 "
                         "--tls-cert /c.pem --tls-key /k.pem",
    -1, "0.0.0.0", 0, 0, "/c.pem", "/k.pem" },
  { "config-tls-off", "-c @CONFIG@ --tls-cert '' --tls-key ''", -1, "::1", 7001, 9000, "", "" },
  /* A usage error comes before the file is read (status 2, not 1). */
  { "config-missing-bad-port", "-c /nonexistent/crier.conf --port 70000",
    CRIER_SERVER_OPTIONS_ERROR_PORT },
};

/* Parses @args the way the front ends do: the shared table in a GOptionContext. */
static void
parse_args (const char         *args,
            CrierServerOptions *options)
{
  g_autofree char         *line = NULL;
  g_autofree GOptionEntry *entries = crier_server_options_dup_entries (options);
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) argv = NULL;
  g_autoptr (GString) words = g_string_new (args);
  int argc = 0;

  g_string_replace (words, "@CONFIG@", config_file, 0);
  line = g_strconcat ("crier ", words->str, NULL);
  g_assert_true (g_shell_parse_argv (line, &argc, &argv, &error));
  g_assert_no_error (error);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_assert_true (g_option_context_parse_strv (context, &argv, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (argv), ==, 1); /* every word was an option or its value */
}

static void
test_case (gconstpointer data)
{
  const OptionCase *c = data;
  g_auto (CrierServerOptions) options = { NULL };
  g_autoptr (CrierConfig) config = NULL;
  g_autoptr (GError) error = NULL;

  parse_args (c->args, &options);
  g_assert_cmpint (crier_server_options_is_empty (&options), ==, *c->args == '\0');
  config = crier_server_options_new_config (&options, &error);
  if (c->error_code >= 0)
    {
      g_assert_error (error, CRIER_SERVER_OPTIONS_ERROR, c->error_code);
      g_assert_null (config);
      g_clear_error (&error);
      /* The window checks first, then applies at every start: the same verdict. */
      g_assert_false (crier_server_options_check (&options, &error));
      g_assert_error (error, CRIER_SERVER_OPTIONS_ERROR, c->error_code);
      return;
    }
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_true (crier_server_options_check (&options, NULL));
  g_assert_cmpstr (crier_config_get_host (config), ==, c->host);
  g_assert_cmpuint (crier_config_get_port (config), ==, c->port);
  g_assert_cmpuint (crier_config_get_metrics_port (config), ==, c->metrics_port);
  g_assert_cmpstr (crier_config_get_tls_cert (config), ==, c->tls_cert);
  g_assert_cmpstr (crier_config_get_tls_key (config), ==, c->tls_key);
}

/* One table with the options, each parsed into its own field. */
static void
test_entries (void)
{
  static const char *const names[] = { "host",
                                       "port",
                                       "config",
                                       "tls-cert",
                                       "tls-key",
                                       "metrics-port",
                                       "cluster-redis",
                                       "cluster-prefix",
                                       "cluster-node-timeout",
                                       "cluster-heartbeat-interval",
                                       "reuse-port" };
  CrierServerOptions       options = { NULL };
  g_autofree GOptionEntry *entries = crier_server_options_dup_entries (&options);
  g_autoptr (GHashTable) targets = g_hash_table_new (NULL, NULL);
  guint n = 0;

  for (; entries[n].long_name != NULL; n++)
    {
      g_assert_cmpuint (n, <, G_N_ELEMENTS (names));
      g_assert_cmpstr (entries[n].long_name, ==, names[n]);
      g_assert_nonnull (entries[n].description);
      /* A switch takes no argument to describe. */
      if (entries[n].arg != G_OPTION_ARG_NONE)
        g_assert_nonnull (entries[n].arg_description);
      g_assert_true ((char *) entries[n].arg_data >= (char *) &options &&
                     (char *) entries[n].arg_data < (char *) (&options + 1));
      g_assert_true (g_hash_table_add (targets, entries[n].arg_data));
    }
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (names));
}

/* The window's case: the preferences are in the configuration already; options that were
 * not given leave them alone, given ones win. */
static void
test_apply (void)
{
  g_auto (CrierServerOptions) options = { NULL };
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (GError) error = NULL;

  crier_config_set_host (config, "192.0.2.1");
  crier_config_set_port (config, 7100);
  crier_config_set_metrics_port (config, 7101);
  crier_config_set_tls (config, "/p.pem", "/p.key");
  g_assert_true (crier_server_options_apply (&options, config, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (crier_config_get_host (config), ==, "192.0.2.1");
  g_assert_cmpuint (crier_config_get_port (config), ==, 7100);
  g_assert_cmpuint (crier_config_get_metrics_port (config), ==, 7101);
  g_assert_cmpstr (crier_config_get_tls_cert (config), ==, "/p.pem");
  g_assert_cmpstr (crier_config_get_tls_key (config), ==, "/p.key");

  parse_args ("--port 0 --metrics-port 0", &options);
  g_assert_true (crier_server_options_apply (&options, config, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (crier_config_get_port (config), ==, 0);
  g_assert_cmpuint (crier_config_get_metrics_port (config), ==, 0);
  g_assert_cmpstr (crier_config_get_host (config), ==, "192.0.2.1");

  /* A refused value changes nothing. */
  crier_server_options_clear (&options);
  parse_args ("--host 0.0.0.0 --port 65536", &options);
  g_assert_false (crier_server_options_apply (&options, config, &error));
  g_assert_error (error, CRIER_SERVER_OPTIONS_ERROR, CRIER_SERVER_OPTIONS_ERROR_PORT);
  g_assert_cmpstr (crier_config_get_host (config), ==, "192.0.2.1");
}

/* A file that cannot be read is the configuration's error (status 1), not a usage error. */
static void
test_config_errors (void)
{
  g_auto (CrierServerOptions) options = { NULL };
  g_autoptr (CrierConfig) config = NULL;
  g_autoptr (GError) error = NULL;

  parse_args ("--config /nonexistent/crier.conf --port 7000", &options);
  config = crier_server_options_new_config (&options, &error);
  g_assert_null (config);
  g_assert_nonnull (error);
  g_assert_true (error->domain != CRIER_SERVER_OPTIONS_ERROR);
}

/* Runs the built crier with @args (shell words); returns its exit status and stderr. */
static int
run_crier (const char *args,
           char      **err)
{
  g_autofree char *line = g_strdup_printf ("'%s' %s", g_getenv ("CRIER_BIN"), args);
  g_auto (GStrv) argv = NULL;
  g_auto (GStrv) envp = g_get_environ ();
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_assert_true (g_shell_parse_argv (line, NULL, &argv, &error));
  /* Words as written here; no display, so that a window that failed to refuse could not
   * open (it would fail at once instead). */
  envp = g_environ_setenv (envp, "LANGUAGE", "C", TRUE);
  envp = g_environ_unsetenv (envp, "DISPLAY");
  envp = g_environ_unsetenv (envp, "WAYLAND_DISPLAY");
  g_assert_true (g_spawn_sync (NULL, argv, envp, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                               err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("crier %s: status %d, stderr: %s", args, status, *err);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

typedef struct
{
  const char *name;
  const char *args;    /* after "crier --server" or "crier" */
  const char *message; /* the whole of stderr */
} RefusalCase;

/* The config file does not exist: a crier that took the value would stop at it with
 * status 1 (the CLI) or fail to open its window; neither waits. */
static const RefusalCase refusal_cases[] = {
  { "metrics-port-too-big", "--metrics-port 70000 --config /nonexistent/crier.conf",
    "crier: --metrics-port must be between 0 and 65535, not “70000”\n" },
  { "port-negative", "--port -1 --config /nonexistent/crier.conf",
    "crier: --port must be between 0 and 65535, not “-1”\n" },
  { "port-word", "--port abc --config /nonexistent/crier.conf",
    "crier: --port must be between 0 and 65535, not “abc”\n" },
  { "tls-cert-without-key", "--tls-cert /c.pem --config /nonexistent/crier.conf",
    "crier: --tls-cert and --tls-key go together: give both, or neither\n" },
};

/* crier --server refuses a bad value with status 2 and one line (it used to ignore
 * --metrics-port 70000 and --port -1). */
static void
test_cli_refuses (gconstpointer data)
{
  const RefusalCase *c = data;
  g_autofree char   *args = g_strconcat ("--server ", c->args, NULL);
  g_autofree char   *err = NULL;

  if (g_getenv ("CRIER_BIN") == NULL)
    {
      g_test_skip ("CRIER_BIN is not set");
      return;
    }
  g_assert_cmpint (run_crier (args, &err), ==, 2);
  g_assert_cmpstr (err, ==, c->message);
}

/* The window refuses the same values with the same words and status, before it registers
 * or needs a display. */
static void
test_window_refuses (gconstpointer data)
{
  const RefusalCase *c = data;
  g_autofree char   *err = NULL;

  if (g_getenv ("CRIER_BIN") == NULL || g_strcmp0 (g_getenv ("CRIER_HAS_WINDOW"), "1") != 0)
    {
      g_test_skip ("CRIER_BIN is not set, or crier was built without the window");
      return;
    }
  g_assert_cmpint (run_crier (c->args, &err), ==, 2);
  g_assert_cmpstr (err, ==, c->message);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* The environment's app and host must not leak into the expected defaults. */
  g_unsetenv ("PUSHER_APP_ID");
  g_unsetenv ("PUSHER_APP_KEY");
  g_unsetenv ("PUSHER_APP_SECRET");

  dir = g_dir_make_tmp ("crier-options-XXXXXX", &error);
  g_assert_no_error (error);
  config_file = g_build_filename (dir, "crier.conf", NULL);
  g_assert_true (g_file_set_contents (config_file, SERVER_SECTION, -1, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (option_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/server-options/parse/%s",
                                               option_cases[i].name);

      g_test_add_data_func (path, &option_cases[i], test_case);
    }
  g_test_add_func ("/core/server-options/entries", test_entries);
  g_test_add_func ("/core/server-options/apply", test_apply);
  g_test_add_func ("/core/server-options/config-errors", test_config_errors);
  for (guint i = 0; i < G_N_ELEMENTS (refusal_cases); i++)
    {
      g_autofree char *cli = g_strdup_printf ("/core/server-options/cli/refuses/%s",
                                              refusal_cases[i].name);
      g_autofree char *window = g_strdup_printf ("/core/server-options/window/refuses/%s",
                                                 refusal_cases[i].name);

      g_test_add_data_func (cli, &refusal_cases[i], test_cli_refuses);
      g_test_add_data_func (window, &refusal_cases[i], test_window_refuses);
    }

  status = g_test_run ();
  g_remove (config_file);
  g_rmdir (dir);
  g_free (config_file);
  return status;
}
