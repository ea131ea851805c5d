/* test-start-errors.c — crier_server_start reports what failed with a code and the facts;
 * the advice (which option to change) is the front end's
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include "crier-test-utils.h"

/* A listening socket on 127.0.0.1 that holds a port the kernel chose. */
static GSocket *
occupy_port (unsigned *port)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_assert_true (g_socket_listen (socket, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return g_steal_pointer (&socket);
}

static CrierConfig *
config_on_loopback (void)
{
  CrierConfig *config = crier_config_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (crier_config_load_data (config, "[server]\nhost = 127.0.0.1\nport = 0\n"
                                                 "[app:a]\nkey = k\nsecret = s\n",
                                         "test", &error));
  g_assert_no_error (error);
  return config;
}

static void
assert_no_option_named (const GError *error)
{
  g_test_message ("core message: %s", error->message);
  g_assert_null (strstr (error->message, "--"));
}

static void
test_address_in_use (void)
{
  g_autoptr (CrierConfig) config = config_on_loopback ();
  g_autoptr (CrierServer) server = NULL;
  g_autoptr (GSocket) holder = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;
  unsigned         port;

  holder = occupy_port (&port);
  crier_config_set_port (config, port);
  server = crier_server_new (config);
  g_assert_false (crier_server_start (server, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_ADDRESS_IN_USE);
  expected = g_strdup_printf ("port %u on 127.0.0.1 is already in use", port);
  g_assert_cmpstr (error->message, ==, expected);
  assert_no_option_named (error);
  g_assert_false (crier_server_is_running (server));
}

/* The metrics port has its own code: the main port's advice would name the wrong option. */
static void
test_metrics_address_in_use (void)
{
  g_autoptr (CrierConfig) config = config_on_loopback ();
  g_autoptr (CrierServer) server = NULL;
  g_autoptr (GSocket) holder = NULL;
  g_autoptr (GError) error = NULL;
  unsigned port;

  holder = occupy_port (&port);
  crier_config_set_metrics_port (config, port);
  server = crier_server_new (config);
  g_assert_false (crier_server_start (server, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_METRICS_ADDRESS_IN_USE);
  assert_no_option_named (error);
  g_assert_false (crier_server_is_running (server));
}

static void
test_tls_incomplete (void)
{
  g_autoptr (CrierConfig) config = config_on_loopback ();
  g_autoptr (CrierServer) server = NULL;
  g_autoptr (GError) error = NULL;

  crier_config_set_tls (config, "/nonexistent/cert.pem", NULL);
  server = crier_server_new (config);
  g_assert_false (crier_server_start (server, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_TLS);
  assert_no_option_named (error);
}

typedef struct
{
  const char *name;
  const char *option;   /* the option that gets the occupied port, or NULL */
  const char *extra[3]; /* more arguments */
  const char *advice;   /* what the CLI must say */
} CliCase;

static const CliCase cli_cases[] = {
  { "port", "--port", { NULL }, "choose another with --port)\n" },
  { "metrics-port", "--metrics-port", { "--port", "0", NULL }, "choose another with --metrics-port)\n" },
  /* A certificate without its key never reaches the start: it is a usage error of the
   * options themselves (test-server-options). */
};

/* `crier --server` words the core's codes as advice about its own options. */
static void
test_cli_advice (gconstpointer data)
{
  const CliCase   *test = data;
  g_autofree char *crier = g_test_build_filename (G_TEST_BUILT, "..", "src", "crier", NULL);
  g_autoptr (GSocket) holder = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  int              status = 0;
  unsigned         port;

  if (!g_file_test (crier, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("src/crier is not built");
      return;
    }
  holder = occupy_port (&port);
  g_ptr_array_add (argv, g_strdup (crier));
  g_ptr_array_add (argv, g_strdup ("--server"));
  g_ptr_array_add (argv, g_strdup ("--host=127.0.0.1"));
  if (test->option != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("%s=%u", test->option, port));
  for (guint i = 0; i < G_N_ELEMENTS (test->extra) && test->extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (test->extra[i]));
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("stderr: %s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_true (g_str_has_prefix (err, "crier: "));
  g_assert_true (g_str_has_suffix (err, test->advice));
  g_assert_cmpint (strchr (err, '\n') - err, ==, strlen (err) - 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/server/start/address-in-use", test_address_in_use);
  g_test_add_func ("/core/server/start/metrics-address-in-use", test_metrics_address_in_use);
  g_test_add_func ("/core/server/start/tls-incomplete", test_tls_incomplete);
  for (guint i = 0; i < G_N_ELEMENTS (cli_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/server/start-advice/%s", cli_cases[i].name);

      g_test_add_data_func (path, &cli_cases[i], test_cli_advice);
    }
  return g_test_run ();
}
