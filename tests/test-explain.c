/* test-explain.c — the one diagnosis of a wrong key, as channel auth, sign-in and the
 * signed HTTP API word it (crier-explain.c)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "crier-test-utils.h"

#define CONFIG "[app:orders]\nkey = orders-key\nsecret = orders-secret\n" \
               "[app:billing]\nkey = billing-key\nsecret = billing-secret\n"

typedef struct
{
  const char *name;
  const char *key;    /* what the auth value or auth_key starts with */
  const char *secret; /* what it was signed with */
  const char *expected;
} KeyCase;

/* A private channel of app orders, signed as a misconfigured app server would. */
static const KeyCase channel_cases[] = {
  { "secret-as-key", "orders-secret", "orders-secret",
    "The key and the secret are swapped: the auth value starts with this app's secret instead "
    "of its key 'orders-key'." },
  { "other-app", "billing-key", "billing-secret",
    "The auth value was made for app 'billing' (key billing-key), but this connection belongs "
    "to app 'orders' (key orders-key): the page and the app server use different apps." },
  { "unknown-key", "nope-key", "orders-secret",
    "Unknown key 'nope-key' in the auth value: this app's key is 'orders-key'. Check "
    "PUSHER_APP_KEY on the app server." },
  { "other-secret", "orders-key", "billing-secret",
    "Wrong secret: the signature was made with the secret of app 'billing' (key billing-key), "
    "not with the secret of app 'orders'. The app server's PUSHER_APP_SECRET belongs to the "
    "other app." },
};

static void
test_channel_auth (gconstpointer data)
{
  const KeyCase *test = data;
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, "orders-key");
  g_autofree char   *auth = crier_test_channel_auth (test->key, test->secret, client->socket_id,
                                                     "private-invoices", NULL);
  g_autofree char   *message = NULL;
  CrierMonitorEvent *event;

  crier_test_client_send_subscribe (client, "private-invoices", auth, NULL);
  message = crier_test_client_expect_error (client, 0);
  event = crier_test_server_find_event (server, CRIER_MONITOR_AUTH_FAILED, "private-invoices", 0);
  g_assert_nonnull (event);
  g_assert_cmpstr (event->explanation, ==, test->expected);
}

/* The same diagnosis for pusher:signin. */
static void
test_signin (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, "orders-key");
  const char        *user_data = "{\"id\":\"7\"}";
  g_autofree char   *auth = crier_test_user_auth ("billing-key", "billing-secret", client->socket_id,
                                                  user_data);
  g_autofree char   *quoted = g_strescape (user_data, NULL);
  g_autofree char   *message = NULL;
  CrierMonitorEvent *event;

  crier_test_client_sendf (client,
                           "{\"event\":\"pusher:signin\",\"data\":{\"auth\":\"%s\","
                           "\"user_data\":\"%s\"}}",
                           auth, quoted);
  message = crier_test_client_expect_error (client, CRIER_CODE_UNAUTHORIZED);
  event = crier_test_server_find_event (server, CRIER_MONITOR_AUTH_FAILED, NULL, 0);
  g_assert_nonnull (event);
  g_assert_cmpstr (event->explanation, ==,
                   "The auth value was made for app 'billing' (key billing-key), but this "
                   "connection belongs to app 'orders' (key orders-key): the page and the app "
                   "server use different apps.");
}

static const KeyCase api_cases[] = {
  { "secret-as-key", "orders-secret", "orders-secret",
    "Unknown auth_key: 'orders-secret' is not the key of app 'orders'. The key and the secret "
    "are swapped: auth_key is the app's secret; its key is 'orders-key'." },
  { "other-app", "billing-key", "billing-secret",
    "Unknown auth_key: 'billing-key' is not the key of app 'orders'. It is the key of app "
    "'billing': the sender's PUSHER_APP_ID and PUSHER_APP_KEY belong to different apps." },
  { "unknown-key", "nope-key", "orders-secret",
    "Unknown auth_key: 'nope-key' is not the key of app 'orders' (its key is 'orders-key')." },
};

static void
test_api_key (gconstpointer data)
{
  const KeyCase *test = data;
  g_autoptr (CrierTestServer) server = crier_test_server_new (CONFIG);
  const char      *path = "/apps/orders/channels";
  g_autofree char *query = crier_test_sign_query ("GET", path, test->key, test->secret, NULL,
                                                  g_get_real_time () / G_USEC_PER_SEC, NULL);
  g_autofree char *url = g_strdup_printf ("%s?%s", path, query);
  g_autoptr (CrierTestResponse) response = crier_test_http (server, "GET", url, NULL);

  g_assert_cmpuint (response->status, ==, 401);
  g_assert_cmpstr (response->body, ==, test->expected);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (channel_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/explain/channel-auth/%s",
                                               channel_cases[i].name);

      g_test_add_data_func (path, &channel_cases[i], test_channel_auth);
    }
  g_test_add_func ("/core/explain/signin/other-app", test_signin);
  for (guint i = 0; i < G_N_ELEMENTS (api_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/explain/api-key/%s", api_cases[i].name);

      g_test_add_data_func (path, &api_cases[i], test_api_key);
    }
  return g_test_run ();
}
