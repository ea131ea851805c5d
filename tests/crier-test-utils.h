/* crier-test-utils.h — shared helpers of the GTest suites: waiting, a real server, WebSocket
 * clients, signed HTTP API requests
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "crier-config.h"
#include "crier-server-host.h"
#include "crier-server.h"

G_BEGIN_DECLS

/* The Pusher documentation's app (pusher-protocol.md §18). */
#define CRIER_TEST_APP_ID     "3"
#define CRIER_TEST_APP_KEY    "278d425bdf160c739803"
#define CRIER_TEST_APP_SECRET "7ad3773142a6692b25b8"

/* Waiting: iterate the default main context until condition holds; fail the test with the
 * condition's text at the deadline. No sleeping, no timing assertions. */
typedef struct _CrierTestDeadline CrierTestDeadline;

CrierTestDeadline *crier_test_deadline_new (unsigned seconds);
gboolean           crier_test_deadline_iterate (CrierTestDeadline *deadline);
void               crier_test_deadline_free (CrierTestDeadline *deadline);
void               crier_test_fail_timeout (const char *file,
                                            int         line,
                                            const char *func,
                                            const char *condition,
                                            unsigned    seconds);

#define crier_test_wait_until(condition, seconds)                                     \
  G_STMT_START                                                                        \
  {                                                                                   \
    CrierTestDeadline *crier_test_deadline_ = crier_test_deadline_new (seconds);      \
    gboolean           crier_test_met_ = TRUE;                                        \
    while (!(condition))                                                              \
      if (!crier_test_deadline_iterate (crier_test_deadline_))                        \
        {                                                                             \
          crier_test_met_ = FALSE;                                                    \
          break;                                                                      \
        }                                                                             \
    crier_test_deadline_free (crier_test_deadline_);                                  \
    if (!crier_test_met_)                                                             \
      crier_test_fail_timeout (__FILE__, __LINE__, G_STRFUNC, #condition, (seconds)); \
  }                                                                                   \
  G_STMT_END

#define CRIER_TEST_TIMEOUT 5

/* Runs pending main-context work without blocking. */
void crier_test_drain (void);
/* A "notify" handler that counts into the guint at user data. */
void crier_test_count_notify_cb (GObject    *object,
                                 GParamSpec *pspec,
                                 guint      *n);

/* A real CrierServer on 127.0.0.1, port 0, plus a SoupSession to reach it and a record
 * of every monitor event. */
typedef struct
{
  CrierConfig     *config;
  CrierServer     *server;
  CrierServerHost *host; /* instead of server: crier_test_server_new_hosted () */
  SoupSession     *session;
  GPtrArray       *events; /* of CrierMonitorEvent, in order */
  unsigned         port;
  gboolean         tls;
} CrierTestServer;

CrierTestServer *crier_test_server_new (const char *config_text);
/* The same on a thread of its own, as the window runs it (CrierServerHost); events are
 * recorded from the host's monitor, so they arrive in batches. */
CrierTestServer *crier_test_server_new_hosted (const char *config_text);
void             crier_test_server_free (CrierTestServer *self);
char            *crier_test_server_url (CrierTestServer *self,
                                        const char      *scheme,
                                        const char      *path_and_query);
/* The first recorded monitor event of kind for channel (NULL: any) after index from. */
CrierMonitorEvent *crier_test_server_find_event (CrierTestServer *self,
                                                 CrierMonitorKind kind,
                                                 const char      *channel,
                                                 guint            from);
guint              crier_test_server_count_events (CrierTestServer *self,
                                                   CrierMonitorKind kind,
                                                   const char      *channel);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrierTestServer, crier_test_server_free)

/* The fixture of the server's integration tests (test-connection, test-protocol,
 * test-publish, test-query, test-server): a CrierTestServer on crier_test_limits_config,
 * or on the key-file text passed as the test data. */
extern const char crier_test_limits_config[];

typedef struct
{
  CrierTestServer *server;
} CrierTestFixture;

void crier_test_fixture_setup (CrierTestFixture *f,
                               gconstpointer     config);
void crier_test_fixture_teardown (CrierTestFixture *f,
                                  gconstpointer     config);

#define CRIER_TEST_ADD(path, func, config)                                    \
  g_test_add (path, CrierTestFixture, config, crier_test_fixture_setup, func, \
              crier_test_fixture_teardown)

/* Publishes to the test app (CRIER_TEST_APP_ID) and asserts it was accepted. */
void crier_test_publish (CrierTestServer *server,
                         const char      *channel,
                         const char      *event,
                         const char      *data,
                         const char      *except);

void crier_test_store_result (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data);

/* One WebSocket client; received text messages are parsed and queued. */
typedef struct
{
  CrierTestServer         *server;
  SoupWebsocketConnection *ws;
  GError                  *error; /* handshake failure */
  gboolean                 done;  /* handshake finished (either way) */
  gboolean                 closed;
  guint16                  close_code;
  char                    *close_reason;
  GQueue                   messages;  /* of JsonObject */
  GPtrArray               *texts;     /* every received text, in order */
  char                    *socket_id; /* from connection_established */
} CrierTestClient;

/* Connects to path_and_query (e.g. "/app/KEY?protocol=7") with an optional Origin and
 * waits for the handshake, not for connection_established. */
CrierTestClient *crier_test_client_open (CrierTestServer *server,
                                         const char      *path_and_query,
                                         const char      *origin);
/* Connects like pusher-js and waits for pusher:connection_established. */
CrierTestClient *crier_test_client_connect (CrierTestServer *server,
                                            const char      *app_key);
void             crier_test_client_free (CrierTestClient *self);
void             crier_test_client_send (CrierTestClient *self,
                                         const char      *text);
void             crier_test_client_sendf (CrierTestClient *self,
                                          const char      *format,
                                          ...) G_GNUC_PRINTF (2, 3);
/* Waits for the next message and returns it (transfer full). */
JsonObject *crier_test_client_next (CrierTestClient *self);
/* Waits for the next message and asserts its event (and channel unless NULL). */
JsonObject *crier_test_client_expect (CrierTestClient *self,
                                      const char      *event,
                                      const char      *channel);
/* Asserts the next message is pusher:error with code (0: null) and returns its message. */
char *crier_test_client_expect_error (CrierTestClient *self,
                                      int              code);
/* pusher:ping → pusher:pong round trip: everything the server sent before is now queued. */
void crier_test_client_sync (CrierTestClient *self);
void crier_test_client_assert_no_message (CrierTestClient *self);
void crier_test_client_wait_closed (CrierTestClient *self);
/* Subscribes and asserts pusher_internal:subscription_succeeded; returns that message. */
JsonObject *crier_test_client_subscribe (CrierTestClient *self,
                                         const char      *channel,
                                         const char      *auth,
                                         const char      *channel_data);
/* Signs the subscription as an app's auth endpoint would (key:HMAC(secret)), then subscribes. */
JsonObject *crier_test_client_subscribe_signed (CrierTestClient *self,
                                                const char      *key,
                                                const char      *secret,
                                                const char      *channel,
                                                const char      *channel_data);
/* Sends pusher:subscribe without waiting for an answer. */
void crier_test_client_send_subscribe (CrierTestClient *self,
                                       const char      *channel,
                                       const char      *auth,
                                       const char      *channel_data);
/* Signs the subscription like crier_test_client_subscribe_signed () and sends it without
 * waiting for an answer. */
void crier_test_client_send_subscribe_signed (CrierTestClient *self,
                                              const char      *key,
                                              const char      *secret,
                                              const char      *channel,
                                              const char      *channel_data);
/* Subscribes to a channel of any type, signing it when the type needs auth; on a cache
 * channel also takes the pusher:cache_miss that follows. */
void crier_test_client_subscribe_any (CrierTestClient *self,
                                      const char      *key,
                                      const char      *secret,
                                      const char      *channel);
/* pusher:signin as the test app signs it; asserts pusher:signin_success echoes user_data. */
void crier_test_client_sign_in (CrierTestClient *self,
                                const char      *user_data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrierTestClient, crier_test_client_free)

/* "<key>:<HMAC(secret, socket_id:channel[:channel_data])>" as an app server signs it. */
char *crier_test_channel_auth (const char *key,
                               const char *secret,
                               const char *socket_id,
                               const char *channel,
                               const char *channel_data);
/* "<key>:<HMAC(secret, socket_id::user::user_data)>" */
char *crier_test_user_auth (const char *key,
                            const char *secret,
                            const char *socket_id,
                            const char *user_data);

/* The HTTP API's signed query string (§14.2): auth_key, auth_timestamp, auth_version,
 * body_md5 (for a non-empty body) and params (NULL-terminated name, value pairs), then
 * auth_signature; values percent-encoded on the wire. Computed here, independently of
 * the server's code. */
char *crier_test_sign_query (const char        *method,
                             const char        *path,
                             const char        *key,
                             const char        *secret,
                             const char        *body,
                             gint64             timestamp,
                             const char *const *params);
/* The string to sign for the same request (for checking error messages). */
char *crier_test_string_to_sign (const char *method,
                                 const char *path,
                                 const char *query);

/* One HTTP request to the server; waits for the answer. */
typedef struct
{
  unsigned status;
  char    *body;
  char    *content_type;
  char    *allow;
} CrierTestResponse;

CrierTestResponse *crier_test_http (CrierTestServer *server,
                                    const char      *method,
                                    const char      *path_and_query,
                                    const char      *body);
void               crier_test_response_free (CrierTestResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrierTestResponse, crier_test_response_free)

/* Parses text as a JSON object (asserting it is one). */
JsonObject *crier_test_parse_object (const char *text);
/* The data member of a message: a string holding JSON is parsed (double encoding). */
JsonObject *crier_test_dup_data_object (JsonObject *message);
char       *crier_test_json_to_string (JsonObject *object);
/* Asserts the data member of a message is a JSON string (not an object) equal to expected. */
void crier_test_assert_data_string (JsonObject *message,
                                    const char *expected);
/* A presence member's channel_data: {"user_id":<user_id_json>,"user_info":{"name":"<name>"}}. */
char *crier_test_member_data (const char *user_id_json,
                              const char *name);

/* A redis-server of the test's own (cluster tests, issue 14): a Unix socket in a temporary
 * directory, no persistence; stopped with SIGKILL and started again on the same socket. */
typedef struct
{
  GSubprocess *process;
  char        *dir;
  char        *socket;
  char        *url; /* unix:///…/redis.sock, for [cluster] redis */
} CrierTestRedis;

/* NULL without redis-server (REDIS_SERVER or PATH): the caller skips. */
CrierTestRedis *crier_test_redis_new (void);
void            crier_test_redis_start (CrierTestRedis *self);
void            crier_test_redis_stop (CrierTestRedis *self);
void            crier_test_redis_free (CrierTestRedis *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrierTestRedis, crier_test_redis_free)

G_END_DECLS
