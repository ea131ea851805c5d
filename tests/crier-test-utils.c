/* crier-test-utils.c — shared helpers of the GTest suites: waiting, a real server, WebSocket
 * clients, signed HTTP API requests
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-test-utils.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "crier-names.h"
#include "crier-signature.h"

struct _CrierTestDeadline
{
  guint    timeout_id;
  gboolean expired;
};

static gboolean
deadline_expired_cb (gpointer user_data)
{
  CrierTestDeadline *deadline = user_data;

  deadline->expired = TRUE;
  deadline->timeout_id = 0;
  return G_SOURCE_REMOVE;
}

CrierTestDeadline *
crier_test_deadline_new (unsigned seconds)
{
  CrierTestDeadline *deadline = g_new0 (CrierTestDeadline, 1);

  /* A timer, not polling: the blocking iteration wakes up at the deadline at the latest. */
  deadline->timeout_id = g_timeout_add (seconds * 1000, deadline_expired_cb, deadline);
  return deadline;
}

/* Returns FALSE once the deadline passed; otherwise runs one (blocking) iteration. */
gboolean
crier_test_deadline_iterate (CrierTestDeadline *deadline)
{
  if (deadline->expired)
    return FALSE;
  g_main_context_iteration (NULL, TRUE);
  return TRUE;
}

void
crier_test_deadline_free (CrierTestDeadline *deadline)
{
  g_clear_handle_id (&deadline->timeout_id, g_source_remove);
  g_free (deadline);
}

void
crier_test_fail_timeout (const char *file,
                         int         line,
                         const char *func,
                         const char *condition,
                         unsigned    seconds)
{
  g_autofree char *message = g_strdup_printf ("timed out after %u s waiting for: %s", seconds,
                                              condition);

  g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
}

void
crier_test_drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Server */

static void
monitor_event_cb (CrierMonitor      *monitor,
                  CrierMonitorEvent *event,
                  CrierTestServer   *self)
{
  g_ptr_array_add (self->events, crier_monitor_event_ref (event));
}

CrierTestServer *
crier_test_server_new (const char *config_text)
{
  CrierTestServer *self = g_new0 (CrierTestServer, 1);
  g_autoptr (GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);
  g_autoptr (GError) error = NULL;

  self->config = crier_config_new ();
  crier_config_load_data (self->config, config_text, "test.conf", &error);
  g_assert_no_error (error);
  /* Port 0: the kernel picks a free port, so test binaries run in parallel. */
  crier_config_set_host (self->config, "127.0.0.1");
  crier_config_set_port (self->config, 0);
  self->server = crier_server_new (self->config);
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_monitor_event_unref);
  g_signal_connect (crier_server_get_monitor (self->server), "event",
                    G_CALLBACK (monitor_event_cb), self);
  crier_server_start (self->server, &error);
  g_assert_no_error (error);
  self->port = crier_server_get_port (self->server);
  self->tls = crier_server_is_tls (self->server);
  g_assert_cmpuint (self->port, >, 0);
  /* No proxy from the environment, and room for many sockets to one host. */
  self->session = soup_session_new_with_options ("proxy-resolver", direct, "max-conns", 256,
                                                 "max-conns-per-host", 256, NULL);
  return self;
}

CrierTestServer *
crier_test_server_new_hosted (const char *config_text)
{
  CrierTestServer *self = g_new0 (CrierTestServer, 1);
  g_autoptr (GProxyResolver) direct = g_simple_proxy_resolver_new (NULL, NULL);
  g_autoptr (CrierConfig) server_config = crier_config_new ();
  g_autoptr (GError) error = NULL;
  CrierConfig *both[2];

  self->config = crier_config_new ();
  both[0] = self->config;
  both[1] = server_config;
  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    {
      crier_config_load_data (both[i], config_text, "test.conf", &error);
      g_assert_no_error (error);
      crier_config_set_host (both[i], "127.0.0.1");
      crier_config_set_port (both[i], 0);
    }
  self->host = crier_server_host_new (self->config, server_config);
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_monitor_event_unref);
  g_signal_connect (crier_server_host_get_monitor (self->host), "event",
                    G_CALLBACK (monitor_event_cb), self);
  crier_server_host_start (self->host, &error);
  g_assert_no_error (error);
  self->port = crier_server_host_get_port (self->host);
  self->tls = crier_server_host_is_tls (self->host);
  g_assert_cmpuint (self->port, >, 0);
  self->session = soup_session_new_with_options ("proxy-resolver", direct, "max-conns", 256,
                                                 "max-conns-per-host", 256, NULL);
  return self;
}

void
crier_test_server_free (CrierTestServer *self)
{
  if (self == NULL)
    return;
  if (self->server != NULL)
    g_signal_handlers_disconnect_by_func (crier_server_get_monitor (self->server),
                                          monitor_event_cb, self);
  if (self->host != NULL)
    g_signal_handlers_disconnect_by_func (crier_server_host_get_monitor (self->host),
                                          monitor_event_cb, self);
  g_clear_object (&self->session);
  g_clear_object (&self->server);
  g_clear_object (&self->host);
  g_clear_object (&self->config);
  g_clear_pointer (&self->events, g_ptr_array_unref);
  crier_test_drain ();
  g_free (self);
}

char *
crier_test_server_url (CrierTestServer *self,
                       const char      *scheme,
                       const char      *path_and_query)
{
  return g_strdup_printf ("%s://127.0.0.1:%u%s", scheme, self->port, path_and_query);
}

CrierMonitorEvent *
crier_test_server_find_event (CrierTestServer *self,
                              CrierMonitorKind kind,
                              const char      *channel,
                              guint            from)
{
  for (guint i = from; i < self->events->len; i++)
    {
      CrierMonitorEvent *event = g_ptr_array_index (self->events, i);

      if (event->kind == kind && (channel == NULL || g_strcmp0 (event->channel, channel) == 0))
        return event;
    }
  return NULL;
}

guint
crier_test_server_count_events (CrierTestServer *self,
                                CrierMonitorKind kind,
                                const char      *channel)
{
  guint count = 0;

  for (guint i = 0; i < self->events->len; i++)
    {
      CrierMonitorEvent *event = g_ptr_array_index (self->events, i);

      if (event->kind == kind && (channel == NULL || g_strcmp0 (event->channel, channel) == 0))
        count++;
    }
  return count;
}

/* Server fixture */

/* One app per limit, so each test reaches the behaviour it needs by the key it uses. */
const char crier_test_limits_config[] =
  "[server]\n"
  "max-frame-size = 4096\n"
  "\n"
  "[app:3]\n"
  "key = 278d425bdf160c739803\n"
  "secret = 7ad3773142a6692b25b8\n"
  "\n"
  "[app:members]\n"
  "key = members-key\n"
  "secret = members-secret\n"
  "max-presence-members = 1\n"
  "\n"
  "[app:rate]\n"
  "key = rate-key\n"
  "secret = rate-secret\n"
  "client-events-per-second = 2\n"
  "\n"
  "[app:quiet]\n"
  "key = quiet-key\n"
  "secret = quiet-secret\n"
  "client-events = false\n"
  "\n"
  "[app:small]\n"
  "key = small-key\n"
  "secret = small-secret\n"
  "max-connections = 1\n"
  "\n"
  "[app:origins]\n"
  "key = origins-key\n"
  "secret = origins-secret\n"
  "allowed-origins = https://good.example\n"
  "\n"
  "[app:off]\n"
  "key = off-key\n"
  "secret = off-secret\n"
  "enabled = false\n";

void
crier_test_fixture_setup (CrierTestFixture *f,
                          gconstpointer     config)
{
  f->server = crier_test_server_new (config != NULL ? config : crier_test_limits_config);
}

void
crier_test_fixture_teardown (CrierTestFixture *f,
                             gconstpointer     config)
{
  g_clear_pointer (&f->server, crier_test_server_free);
}

void
crier_test_publish (CrierTestServer *server,
                    const char      *channel,
                    const char      *event,
                    const char      *data,
                    const char      *except)
{
  const char *channels[] = { channel, NULL };
  g_autoptr (GError) error = NULL;

  if (server->host != NULL)
    {
      g_autoptr (GAsyncResult) result = NULL;

      crier_backend_publish (CRIER_BACKEND (server->host), CRIER_TEST_APP_ID, channels, event, data, except,
                             NULL, crier_test_store_result, &result);
      crier_test_wait_until (result != NULL, CRIER_TEST_TIMEOUT);
      g_assert_true (crier_backend_command_finish (CRIER_BACKEND (server->host), result, &error));
    }
  else
    g_assert_true (crier_server_publish (server->server, CRIER_TEST_APP_ID, channels, event, data,
                                         except, &error));
  g_assert_no_error (error);
}

/* A GAsyncReadyCallback that keeps the result in *(GAsyncResult **) user_data. */
void
crier_test_store_result (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* JSON */

JsonObject *
crier_test_parse_object (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

JsonObject *
crier_test_dup_data_object (JsonObject *message)
{
  JsonNode *data = json_object_get_member (message, "data");

  g_assert_nonnull (data);
  if (JSON_NODE_HOLDS_OBJECT (data))
    return json_object_ref (json_node_get_object (data));
  g_assert_cmpint (json_node_get_value_type (data), ==, G_TYPE_STRING);
  return crier_test_parse_object (json_node_get_string (data));
}

void
crier_test_count_notify_cb (GObject    *object,
                            GParamSpec *pspec,
                            guint      *n)
{
  (*n)++;
}

char *
crier_test_json_to_string (JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

void
crier_test_assert_data_string (JsonObject *message,
                               const char *expected)
{
  JsonNode *data = json_object_get_member (message, "data");

  g_assert_nonnull (data);
  g_assert_true (JSON_NODE_HOLDS_VALUE (data));
  g_assert_cmpint (json_node_get_value_type (data), ==, G_TYPE_STRING);
  g_assert_cmpstr (json_node_get_string (data), ==, expected);
}

char *
crier_test_member_data (const char *user_id_json,
                        const char *name)
{
  return g_strdup_printf ("{\"user_id\":%s,\"user_info\":{\"name\":\"%s\"}}", user_id_json, name);
}

/* Client */

static JsonObject *
placeholder_message (const char *event,
                     const char *raw)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "event", event);
  if (raw != NULL)
    json_object_set_string_member (object, "raw", raw);
  return object;
}

static void
client_message_cb (SoupWebsocketConnection *ws,
                   int                      type,
                   GBytes                  *message,
                   CrierTestClient         *self)
{
  gsize            length;
  const char      *data = g_bytes_get_data (message, &length);
  g_autofree char *text = g_strndup (data, length);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;

  g_ptr_array_add (self->texts, g_strdup (text));
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_queue_push_tail (&self->messages, placeholder_message ("crier-test:binary", NULL));
      return;
    }
  if (!json_parser_load_from_data (parser, text, length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_queue_push_tail (&self->messages, placeholder_message ("crier-test:not-an-object", text));
      return;
    }
  g_queue_push_tail (&self->messages, json_object_ref (json_node_get_object (root)));
}

static void
client_closed_cb (SoupWebsocketConnection *ws,
                  CrierTestClient         *self)
{
  self->closed = TRUE;
  self->close_code = soup_websocket_connection_get_close_code (ws);
  g_free (self->close_reason);
  self->close_reason = g_strdup (soup_websocket_connection_get_close_data (ws));
}

static void
client_connected_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  CrierTestClient *self = user_data;

  self->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &self->error);
  self->done = TRUE;
  if (self->ws == NULL)
    return;
  /* Connected before the connection's input source first runs: no frame is missed. */
  g_signal_connect (self->ws, "message", G_CALLBACK (client_message_cb), self);
  g_signal_connect (self->ws, "closed", G_CALLBACK (client_closed_cb), self);
}

/* The test certificate in tests/data is self-signed. */
static gboolean
accept_test_certificate_cb (SoupMessage         *msg,
                            GTlsCertificate     *certificate,
                            GTlsCertificateFlags errors,
                            gpointer             user_data)
{
  return TRUE;
}

CrierTestClient *
crier_test_client_open (CrierTestServer *server,
                        const char      *path_and_query,
                        const char      *origin)
{
  CrierTestClient *self = g_new0 (CrierTestClient, 1);
  gboolean         tls = server->tls;
  g_autofree char *url = crier_test_server_url (server, tls ? "wss" : "ws", path_and_query);
  g_autoptr (SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);

  g_assert_nonnull (msg);
  if (tls)
    g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_test_certificate_cb), NULL);
  self->server = server;
  self->texts = g_ptr_array_new_with_free_func (g_free);
  g_queue_init (&self->messages);
  if (origin != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Origin", origin);
  soup_session_websocket_connect_async (server->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        NULL, client_connected_cb, self);
  crier_test_wait_until (self->done, CRIER_TEST_TIMEOUT);
  g_assert_no_error (self->error);
  return self;
}

CrierTestClient *
crier_test_client_connect (CrierTestServer *server,
                           const char      *app_key)
{
  g_autofree char *path = g_strdup_printf ("/app/%s?protocol=7&client=js&version=8.6.0&flash=false",
                                           app_key);
  CrierTestClient *self = crier_test_client_open (server, path, NULL);
  g_autoptr (JsonObject) message = crier_test_client_expect (self, "pusher:connection_established",
                                                             NULL);
  g_autoptr (JsonObject) data = crier_test_dup_data_object (message);

  self->socket_id = g_strdup (json_object_get_string_member (data, "socket_id"));
  g_assert_nonnull (self->socket_id);
  return self;
}

void
crier_test_client_free (CrierTestClient *self)
{
  if (self == NULL)
    return;
  if (self->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ws, self);
      if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->ws);
    }
  g_clear_error (&self->error);
  g_queue_clear_full (&self->messages, (GDestroyNotify) json_object_unref);
  g_ptr_array_unref (self->texts);
  g_free (self->close_reason);
  g_free (self->socket_id);
  g_free (self);
}

void
crier_test_client_send (CrierTestClient *self,
                        const char      *text)
{
  g_assert_nonnull (self->ws);
  g_assert_cmpint (soup_websocket_connection_get_state (self->ws), ==, SOUP_WEBSOCKET_STATE_OPEN);
  soup_websocket_connection_send_text (self->ws, text);
}

void
crier_test_client_sendf (CrierTestClient *self,
                         const char      *format,
                         ...)
{
  g_autofree char *text = NULL;
  va_list          args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  crier_test_client_send (self, text);
}

JsonObject *
crier_test_client_next (CrierTestClient *self)
{
  crier_test_wait_until (!g_queue_is_empty (&self->messages) || self->closed, CRIER_TEST_TIMEOUT);
  if (g_queue_is_empty (&self->messages))
    {
      g_autofree char *message = g_strdup_printf (
        "the connection closed (code %u, reason “%s”) while a message was expected",
        self->close_code, self->close_reason ? self->close_reason : "");

      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
      return NULL;
    }
  return g_queue_pop_head (&self->messages);
}

JsonObject *
crier_test_client_expect (CrierTestClient *self,
                          const char      *event,
                          const char      *channel)
{
  JsonObject      *message = crier_test_client_next (self);
  g_autofree char *text = crier_test_json_to_string (message);

  if (g_strcmp0 (json_object_get_string_member_with_default (message, "event", NULL), event) != 0 ||
      (channel != NULL &&
       g_strcmp0 (json_object_get_string_member_with_default (message, "channel", NULL), channel) != 0))
    {
      g_autofree char *problem = g_strdup_printf ("expected event %s%s%s, got %s", event,
                                                  channel ? " on " : "", channel ? channel : "",
                                                  text);

      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, problem);
    }
  return message;
}

char *
crier_test_client_expect_error (CrierTestClient *self,
                                int              code)
{
  g_autoptr (JsonObject) message = crier_test_client_expect (self, "pusher:error", NULL);
  JsonObject *data;
  JsonNode   *code_node;

  /* pusher:error carries an object, not a JSON string (§7.2). */
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (message, "data")));
  data = json_object_get_object_member (message, "data");
  code_node = json_object_get_member (data, "code");
  g_assert_nonnull (code_node);
  if (code == 0)
    g_assert_true (JSON_NODE_HOLDS_NULL (code_node));
  else
    g_assert_cmpint (json_node_get_int (code_node), ==, code);
  return g_strdup (json_object_get_string_member (data, "message"));
}

void
crier_test_client_sync (CrierTestClient *self)
{
  g_autoptr (JsonObject) pong = NULL;
  guint before = g_queue_get_length (&self->messages);

  crier_test_client_send (self, "{\"event\":\"pusher:ping\",\"data\":{}}");
  /* The server answers in order, so the pong comes after everything it sent before. */
  crier_test_wait_until (self->closed ||
                           (g_queue_get_length (&self->messages) > before &&
                            g_strcmp0 (json_object_get_string_member_with_default (
                                         g_queue_peek_tail (&self->messages), "event", NULL),
                                       "pusher:pong") == 0),
                         CRIER_TEST_TIMEOUT);
  g_assert_false (self->closed);
  pong = g_queue_pop_tail (&self->messages);
}

void
crier_test_client_assert_no_message (CrierTestClient *self)
{
  if (!g_queue_is_empty (&self->messages))
    {
      g_autofree char *text = crier_test_json_to_string (g_queue_peek_head (&self->messages));
      g_autofree char *problem = g_strdup_printf ("expected no message, got %s", text);

      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, problem);
    }
}

void
crier_test_client_wait_closed (CrierTestClient *self)
{
  crier_test_wait_until (self->closed, CRIER_TEST_TIMEOUT);
}

void
crier_test_client_send_subscribe (CrierTestClient *self,
                                  const char      *channel,
                                  const char      *auth,
                                  const char      *channel_data)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  /* The frame pusher-js sends (§6.1). */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, "pusher:subscribe");
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "auth");
  json_builder_add_string_value (builder, auth != NULL ? auth : "");
  if (channel_data != NULL)
    {
      json_builder_set_member_name (builder, "channel_data");
      json_builder_add_string_value (builder, channel_data);
    }
  json_builder_set_member_name (builder, "channel");
  json_builder_add_string_value (builder, channel);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  crier_test_client_send (self, text);
}

JsonObject *
crier_test_client_subscribe (CrierTestClient *self,
                             const char      *channel,
                             const char      *auth,
                             const char      *channel_data)
{
  crier_test_client_send_subscribe (self, channel, auth, channel_data);
  return crier_test_client_expect (self, "pusher_internal:subscription_succeeded", channel);
}

JsonObject *
crier_test_client_subscribe_signed (CrierTestClient *self,
                                    const char      *key,
                                    const char      *secret,
                                    const char      *channel,
                                    const char      *channel_data)
{
  g_autofree char *auth = crier_test_channel_auth (key, secret, self->socket_id, channel, channel_data);

  return crier_test_client_subscribe (self, channel, auth, channel_data);
}

void
crier_test_client_send_subscribe_signed (CrierTestClient *self,
                                         const char      *key,
                                         const char      *secret,
                                         const char      *channel,
                                         const char      *channel_data)
{
  g_autofree char *auth = crier_test_channel_auth (key, secret, self->socket_id, channel, channel_data);

  crier_test_client_send_subscribe (self, channel, auth, channel_data);
}

void
crier_test_client_subscribe_any (CrierTestClient *self,
                                 const char      *key,
                                 const char      *secret,
                                 const char      *channel)
{
  g_autofree char *auth = NULL;
  g_autoptr (JsonObject) ok = NULL;
  g_autoptr (JsonObject) miss = NULL;

  if (crier_channel_type_needs_auth (crier_channel_type_from_name (channel)))
    auth = crier_test_channel_auth (key, secret, self->socket_id, channel, NULL);
  ok = crier_test_client_subscribe (self, channel, auth, NULL);
  if (g_str_has_prefix (channel, "cache-"))
    miss = crier_test_client_expect (self, "pusher:cache_miss", channel);
}

void
crier_test_client_sign_in (CrierTestClient *self,
                           const char      *user_data)
{
  g_autofree char *auth = crier_test_user_auth (CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET,
                                                self->socket_id, user_data);
  g_autoptr (JsonNode) quoted = json_node_init_string (json_node_alloc (), user_data);
  g_autofree char *quoted_text = json_to_string (quoted, FALSE);
  g_autoptr (JsonObject) success = NULL;
  JsonObject *data;

  crier_test_client_sendf (self, "{\"event\":\"pusher:signin\",\"data\":{\"auth\":\"%s\",\"user_data\":%s}}",
                           auth, quoted_text);
  success = crier_test_client_expect (self, "pusher:signin_success", NULL);
  /* An object holding the same user_data string (pusher-protocol.md §6.4). */
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (success, "data")));
  data = json_object_get_object_member (success, "data");
  g_assert_cmpstr (json_object_get_string_member (data, "user_data"), ==, user_data);
}

/* Signatures */

char *
crier_test_channel_auth (const char *key,
                         const char *secret,
                         const char *socket_id,
                         const char *channel,
                         const char *channel_data)
{
  g_autofree char *to_sign = channel_data != NULL
                               ? g_strconcat (socket_id, ":", channel, ":", channel_data, NULL)
                               : g_strconcat (socket_id, ":", channel, NULL);
  g_autofree char *signature = crier_signature_compute (secret, to_sign, -1);

  return g_strconcat (key, ":", signature, NULL);
}

char *
crier_test_user_auth (const char *key,
                      const char *secret,
                      const char *socket_id,
                      const char *user_data)
{
  g_autofree char *to_sign = g_strconcat (socket_id, "::user::", user_data, NULL);
  g_autofree char *signature = crier_signature_compute (secret, to_sign, -1);

  return g_strconcat (key, ":", signature, NULL);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

char *
crier_test_string_to_sign (const char *method,
                           const char *path,
                           const char *query)
{
  g_auto (GStrv) pairs = g_strsplit (query, "&", -1);
  g_autoptr (GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;

  for (guint i = 0; pairs[i]; i++)
    {
      g_autofree char *decoded = g_uri_unescape_string (pairs[i], NULL);

      if (!g_str_has_prefix (decoded, "auth_signature="))
        g_ptr_array_add (kept, g_steal_pointer (&decoded));
    }
  g_ptr_array_sort (kept, compare_strings);
  g_ptr_array_add (kept, NULL);
  joined = g_strjoinv ("&", (char **) kept->pdata);
  return g_strdup_printf ("%s\n%s\n%s", method, path, joined);
}

char *
crier_test_sign_query (const char        *method,
                       const char        *path,
                       const char        *key,
                       const char        *secret,
                       const char        *body,
                       gint64             timestamp,
                       const char *const *params)
{
  g_autoptr (GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) query = g_string_new (NULL);
  g_autofree char *to_sign = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *canonical = NULL;

  g_ptr_array_add (pairs, g_strconcat ("auth_key=", key, NULL));
  g_ptr_array_add (pairs, g_strdup_printf ("auth_timestamp=%" G_GINT64_FORMAT, timestamp));
  g_ptr_array_add (pairs, g_strdup ("auth_version=1.0"));
  if (body != NULL && *body != '\0')
    {
      g_autofree char *md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, body, -1);

      g_ptr_array_add (pairs, g_strconcat ("body_md5=", md5, NULL));
    }
  for (guint i = 0; params != NULL && params[i] != NULL; i += 2)
    g_ptr_array_add (pairs, g_strconcat (params[i], "=", params[i + 1], NULL));
  /* Sorted by key, values unescaped (§14.2). */
  g_ptr_array_sort (pairs, compare_strings);
  g_ptr_array_add (pairs, NULL);
  canonical = g_strjoinv ("&", (char **) pairs->pdata);
  g_ptr_array_set_size (pairs, pairs->len - 1);
  to_sign = g_strdup_printf ("%s\n%s\n%s", method, path, canonical);
  signature = crier_signature_compute (secret, to_sign, -1);
  for (guint i = 0; i < pairs->len; i++)
    {
      const char      *pair = g_ptr_array_index (pairs, i);
      const char      *equals = strchr (pair, '=');
      g_autofree char *pair_name = g_strndup (pair, equals - pair);
      g_autofree char *escaped = g_uri_escape_string (equals + 1, NULL, FALSE);

      g_string_append_printf (query, "%s%s=%s", i > 0 ? "&" : "", pair_name, escaped);
    }
  g_string_append_printf (query, "&auth_signature=%s", signature);
  return g_strdup (query->str);
}

/* HTTP */

typedef struct
{
  GBytes  *body;
  GError  *error;
  gboolean done;
} HttpWait;

static void
http_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  HttpWait *wait = user_data;

  wait->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &wait->error);
  wait->done = TRUE;
}

CrierTestResponse *
crier_test_http (CrierTestServer *server,
                 const char      *method,
                 const char      *path_and_query,
                 const char      *body)
{
  gboolean         tls = server->tls;
  g_autofree char *url = crier_test_server_url (server, tls ? "https" : "http", path_and_query);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);

  if (tls)
    g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_test_certificate_cb), NULL);
  CrierTestResponse  *response = g_new0 (CrierTestResponse, 1);
  HttpWait            wait = { NULL, NULL, FALSE };
  SoupMessageHeaders *headers;
  gsize               length = 0;
  const char         *data;

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (server->session, msg, G_PRIORITY_DEFAULT, NULL, http_done_cb,
                                    &wait);
  crier_test_wait_until (wait.done, CRIER_TEST_TIMEOUT);
  g_assert_no_error (wait.error);
  response->status = soup_message_get_status (msg);
  data = g_bytes_get_data (wait.body, &length);
  response->body = g_strndup (data != NULL ? data : "", length);
  headers = soup_message_get_response_headers (msg);
  response->content_type = g_strdup (soup_message_headers_get_one (headers, "Content-Type"));
  response->allow = g_strdup (soup_message_headers_get_one (headers, "Allow"));
  g_bytes_unref (wait.body);
  return response;
}

void
crier_test_response_free (CrierTestResponse *response)
{
  g_free (response->body);
  g_free (response->content_type);
  g_free (response->allow);
  g_free (response);
}

/* --- redis-server --------------------------------------------------------------------- */

static char *
find_redis_server (void)
{
  const char *env = g_getenv ("REDIS_SERVER");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_find_program_in_path ("redis-server");
}

CrierTestRedis *
crier_test_redis_new (void)
{
  g_autofree char *program = find_redis_server ();
  CrierTestRedis  *self;

  if (program == NULL)
    return NULL;
  self = g_new0 (CrierTestRedis, 1);
  self->dir = g_dir_make_tmp ("crier-redis-XXXXXX", NULL);
  g_assert_nonnull (self->dir);
  self->socket = g_build_filename (self->dir, "redis.sock", NULL);
  self->url = g_strdup_printf ("unix://%s", self->socket);
  return self;
}

/* PING answered with +PONG on the socket: blocking, but on a local socket that listens. */
static gboolean
redis_answers (CrierTestRedis *self)
{
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (self->socket);
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
  char   reply[16] = { 0 };
  gssize n;

  if (socket == NULL || !g_socket_connect (socket, address, NULL, NULL))
    return FALSE;
  g_socket_set_timeout (socket, 2);
  if (g_socket_send (socket, "PING\r\n", 6, NULL, NULL) != 6)
    return FALSE;
  n = g_socket_receive (socket, reply, sizeof reply - 1, NULL, NULL);
  return n >= 5 && strncmp (reply, "+PONG", 5) == 0;
}

/* A test that crashes or is killed at its timeout takes its redis-server along. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

void
crier_test_redis_start (CrierTestRedis *self)
{
  g_autofree char *program = find_redis_server ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  const char *argv[] = { program, "--port", "0", "--unixsocket", self->socket, "--unixsocketperm",
                         "700", "--save", "", "--appendonly", "no", "--dir", self->dir, NULL };

  g_assert_null (self->process);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  self->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  crier_test_wait_until (redis_answers (self), CRIER_TEST_TIMEOUT);
}

void
crier_test_redis_stop (CrierTestRedis *self)
{
  if (self->process == NULL)
    return;
  g_subprocess_force_exit (self->process);
  g_subprocess_wait (self->process, NULL, NULL);
  g_clear_object (&self->process);
  g_remove (self->socket);
}

void
crier_test_redis_free (CrierTestRedis *self)
{
  if (self == NULL)
    return;
  crier_test_redis_stop (self);
  g_rmdir (self->dir);
  g_free (self->dir);
  g_free (self->socket);
  g_free (self->url);
  g_free (self);
}
