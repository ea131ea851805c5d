/* test-tls.c — wss:// and https:// with a certificate from the config
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-test-utils.h"

static CrierTestServer *
start_tls_server (void)
{
  g_autofree char *cert = g_test_build_filename (G_TEST_DIST, "data", "tls-cert.pem", NULL);
  g_autofree char *key = g_test_build_filename (G_TEST_DIST, "data", "tls-key.pem", NULL);
  g_autofree char *config = g_strdup_printf ("[server]\ntls-cert=%s\ntls-key=%s\n"
                                             "[app:tls]\nkey=tls-key\nsecret=tls-secret\n",
                                             cert, key);

  return crier_test_server_new (config);
}

static void
test_websocket (void)
{
  g_autoptr (CrierTestServer) server = start_tls_server ();
  g_autoptr (CrierTestClient) client = NULL;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (GError) error = NULL;
  const char *channels[] = { "orders", NULL };

  g_assert_true (crier_server_is_tls (server->server));
  client = crier_test_client_connect (server, "tls-key");
  g_autoptr (JsonObject) ok = crier_test_client_subscribe (client, "orders", NULL, NULL);
  g_assert_true (crier_server_publish (server->server, "tls", channels, "shipped", "{\"id\":1}",
                                       NULL, &error));
  g_assert_no_error (error);
  event = crier_test_client_expect (client, "shipped", "orders");
  g_assert_cmpstr (json_object_get_string_member (event, "data"), ==, "{\"id\":1}");
  crier_test_client_sync (client);
}

static void
test_https (void)
{
  g_autoptr (CrierTestServer) server = start_tls_server ();
  g_autoptr (CrierTestResponse) first = crier_test_http (server, "GET", "/up", NULL);
  g_autoptr (CrierTestResponse) second = crier_test_http (server, "GET", "/up", NULL);

  g_assert_cmpuint (first->status, ==, 200);
  g_assert_cmpuint (second->status, ==, 200); /* the same kept-alive TLS connection */
}

static void
test_bad_certificate (void)
{
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (CrierServer) server = NULL;
  g_autoptr (GError) error = NULL;

  crier_config_set_port (config, 0);
  crier_config_set_tls (config, "/nonexistent/cert.pem", "/nonexistent/key.pem");
  server = crier_server_new (config);
  g_assert_false (crier_server_start (server, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "/nonexistent/cert.pem"));

  g_clear_error (&error);
  crier_config_set_tls (config, "/nonexistent/cert.pem", NULL);
  g_assert_false (crier_server_start (server, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_TLS);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tls/websocket", test_websocket);
  g_test_add_func ("/tls/https-keep-alive", test_https);
  g_test_add_func ("/tls/bad-certificate", test_bad_certificate);
  return g_test_run ();
}
