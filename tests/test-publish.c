/* test-publish.c — crier_server_publish () to real subscribers: excluding the sender, what
 * it refuses, the size limit (pusher-protocol.md §14.9, §16)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-test-utils.h"

#define KEY CRIER_TEST_APP_KEY
#define APP CRIER_TEST_APP_ID

/* Publishing */

static void
test_publish_exclude (CrierTestFixture *f,
                      gconstpointer     data)
{
  g_autoptr (CrierTestClient) sender = crier_test_client_connect (f->server, KEY);
  g_autoptr (CrierTestClient) other = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) a  G_GNUC_UNUSED = crier_test_client_subscribe (sender, "orders", NULL, NULL);
  g_autoptr (JsonObject) b  G_GNUC_UNUSED = crier_test_client_subscribe (other, "orders", NULL, NULL);
  g_autoptr (JsonObject) a2 G_GNUC_UNUSED = crier_test_client_subscribe (sender, "audit", NULL, NULL);
  g_autoptr (JsonObject) b2 G_GNUC_UNUSED = crier_test_client_subscribe (other, "audit", NULL, NULL);
  const char               *channels[] = { "orders", "audit", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) first = NULL;
  g_autoptr (JsonObject) second = NULL;

  /* The excluded socket gets nothing on any channel of the request (§14.9). */
  g_assert_true (crier_server_publish (f->server->server, APP, channels, "App\\Events\\Shipped",
                                       "not JSON \"at all\"", sender->socket_id, &error));
  g_assert_no_error (error);
  first = crier_test_client_expect (other, "App\\Events\\Shipped", NULL);
  second = crier_test_client_expect (other, "App\\Events\\Shipped", NULL);
  /* One frame per channel; data byte for byte. */
  g_assert_cmpstr (json_object_get_string_member (first, "channel"), !=,
                   json_object_get_string_member (second, "channel"));
  crier_test_assert_data_string (first, "not JSON \"at all\"");
  crier_test_client_sync (sender);
  crier_test_client_assert_no_message (sender);
  /* An unknown but well-formed socket id excludes nobody. */
  crier_test_publish (f->server, "orders", "e", "{}", "1.1");
  g_clear_pointer (&first, json_object_unref);
  first = crier_test_client_expect (sender, "e", "orders");
}

typedef struct
{
  const char *name;
  const char *app_id;
  const char *channel;
  const char *event;
  const char *data;
  const char *except;
  int         code;
} PublishCase;

static const PublishCase publish_refused[] = {
  { "unknown-app", "nope", "orders", "e", "{}", NULL, CRIER_SERVER_ERROR_UNKNOWN_APP },
  { "no-event", APP, "orders", "", "{}", NULL, CRIER_SERVER_ERROR_INVALID },
  { "reserved-event", APP, "orders", "pusher:subscribe", "{}", NULL, CRIER_SERVER_ERROR_INVALID },
  { "reserved-internal", APP, "orders", "pusher_internal:member_added", "{}", NULL, CRIER_SERVER_ERROR_INVALID },
  { "no-data", APP, "orders", "e", NULL, NULL, CRIER_SERVER_ERROR_INVALID },
  { "bad-channel", APP, "a b", "e", "{}", NULL, CRIER_SERVER_ERROR_INVALID },
  { "bad-socket", APP, "orders", "e", "{}", "abc", CRIER_SERVER_ERROR_INVALID },
};

static void
test_publish_refused (CrierTestFixture *f,
                      gconstpointer     data)
{
  g_autoptr (CrierTestClient) client = crier_test_client_connect (f->server, KEY);
  g_autoptr (JsonObject) ok G_GNUC_UNUSED = crier_test_client_subscribe (client, "orders", NULL, NULL);
  g_autofree char          *big = g_strnfill (10241, 'x');
  g_autofree char          *exact = g_strnfill (10240, 'x');
  const char               *two[] = { "private-encrypted-a", "orders", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) exact_event = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (publish_refused); i++)
    {
      const PublishCase *c = &publish_refused[i];
      const char        *channels[] = { c->channel, NULL };

      g_test_message ("case %s", c->name);
      g_assert_false (crier_server_publish (f->server->server, c->app_id, channels, c->event, c->data,
                                            c->except, &error));
      g_assert_error (error, CRIER_SERVER_ERROR, c->code);
      g_clear_error (&error);
    }
  /* 10 240 bytes of data pass, one more is too large (§16). */
  g_assert_false (crier_server_publish (f->server->server, APP, (const char *[]){ "orders", NULL }, "e", big,
                                        NULL, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "The data content of this event exceeds the allowed maximum (10240 bytes).");
  g_clear_error (&error);
  g_assert_false (crier_server_publish (f->server->server, APP, two, "e", "{}", NULL, &error));
  g_assert_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID);
  g_clear_error (&error);
  crier_test_client_sync (client);
  crier_test_client_assert_no_message (client);
  crier_test_publish (f->server, "orders", "exact", exact, NULL);
  exact_event = crier_test_client_expect (client, "exact", "orders");
  crier_test_assert_data_string (exact_event, exact);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  CRIER_TEST_ADD ("/server/publish/exclude", test_publish_exclude, NULL);
  CRIER_TEST_ADD ("/server/publish/refused", test_publish_refused, NULL);

  return g_test_run ();
}
