/* test-config.c — the key-file corpus in tests/data/config, defaults, the environment, origins
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crier-config-writer.h"
#include "crier-config.h"

static char *
corpus_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "config", name, NULL);
}

static CrierConfig *
load_good (const char *name)
{
  g_autofree char *path = corpus_path (name);
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (crier_config_load_file (config, path, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&config);
}

static void
test_defaults (void)
{
  g_autoptr (CrierConfig) config = crier_config_new ();

  g_assert_cmpstr (crier_config_get_host (config), ==, "127.0.0.1");
  g_assert_cmpuint (crier_config_get_port (config), ==, CRIER_DEFAULT_PORT);
  g_assert_cmpuint (crier_config_get_port (config), ==, 6001);
  g_assert_cmpuint (crier_config_get_activity_timeout (config), ==, 120);
  g_assert_cmpuint (crier_config_get_pong_timeout (config), ==, 30);
  g_assert_cmpuint (crier_config_get_max_connections (config), ==, 0);
  g_assert_null (crier_config_get_tls_cert (config));
  g_assert_null (crier_config_get_tls_key (config));
  g_assert_cmpuint (crier_config_get_apps (config)->len, ==, 0);
}

/* Pusher's limits are the app defaults (pusher-protocol.md §16). */
static void
test_app_defaults (void)
{
  g_autoptr (CrierAppConfig) app = crier_app_config_new ("1", "key", "secret");

  g_assert_cmpstr (app->id, ==, "1");
  g_assert_cmpstr (app->key, ==, "key");
  g_assert_cmpstr (app->secret, ==, "secret");
  g_assert_true (app->enabled);
  g_assert_true (app->client_events);
  g_assert_false (app->user_authentication);
  g_assert_cmpuint (app->client_events_per_second, ==, 10);
  g_assert_cmpuint (app->max_message_size, ==, 10240);
  g_assert_cmpuint (app->max_presence_members, ==, 100);
  g_assert_cmpuint (app->max_user_info_size, ==, 1024);
  g_assert_cmpuint (app->max_channel_name_length, ==, 164);
  g_assert_cmpuint (app->max_event_name_length, ==, 200);
  g_assert_cmpuint (app->cache_ttl, ==, 1800);
  g_assert_cmpuint (app->max_connections, ==, 0);
  g_assert_false (app->subscription_count);
  g_assert_null (app->allowed_origins);
  g_assert_nonnull (app->webhooks);
  g_assert_cmpuint (app->webhooks->len, ==, 0);
}

static void
test_good_full (void)
{
  g_autoptr (CrierConfig) config = load_good ("good-full.conf");
  GPtrArray          *apps = crier_config_get_apps (config);
  CrierAppConfig     *app;
  CrierAppConfig     *laravel;
  CrierWebhookConfig *webhook;
  const char *const   origins[] = { "https://app.example", "http://localhost:8000", NULL };
  const char *const   kinds[] = { "channel_occupied", "channel_vacated", NULL };
  const char *const   headers[] = { "X-Token: abc", "X-Env: test", NULL };

  g_assert_cmpstr (crier_config_get_host (config), ==, "0.0.0.0");
  g_assert_cmpuint (crier_config_get_port (config), ==, 6001);
  g_assert_cmpuint (crier_config_get_activity_timeout (config), ==, 30);
  g_assert_cmpuint (crier_config_get_pong_timeout (config), ==, 10);
  g_assert_cmpuint (crier_config_get_max_connections (config), ==, 5000);
  g_assert_cmpuint (crier_config_get_max_outgoing_buffer (config), ==, 1048576);
  g_assert_cmpuint (crier_config_get_max_frame_size (config), ==, 65536);

  g_assert_cmpuint (apps->len, ==, 2);
  app = crier_config_find_app (config, "3");
  g_assert_nonnull (app);
  g_assert_true (app == g_ptr_array_index (apps, 0));
  g_assert_cmpstr (app->key, ==, "278d425bdf160c739803");
  g_assert_cmpstr (app->secret, ==, "7ad3773142a6692b25b8");
  g_assert_true (app->enabled);
  g_assert_false (app->client_events);
  g_assert_true (app->user_authentication);
  g_assert_cmpuint (app->user_authentication_timeout, ==, 15);
  g_assert_cmpuint (app->max_connections, ==, 100);
  g_assert_cmpuint (app->client_events_per_second, ==, 20);
  g_assert_cmpuint (app->max_message_size, ==, 20480);
  g_assert_cmpuint (app->max_presence_members, ==, 50);
  g_assert_cmpuint (app->max_user_info_size, ==, 2048);
  g_assert_cmpuint (app->max_channel_name_length, ==, 200);
  g_assert_cmpuint (app->max_event_name_length, ==, 100);
  g_assert_cmpuint (app->cache_ttl, ==, 60);
  g_assert_true (app->subscription_count);
  g_assert_cmpstrv (app->allowed_origins, origins);
  g_assert_cmpuint (app->webhooks->len, ==, 1);
  webhook = g_ptr_array_index (app->webhooks, 0);
  g_assert_cmpstr (webhook->name, ==, "occupancy");
  g_assert_cmpstr (webhook->url, ==, "https://hooks.example/pusher");
  g_assert_cmpstrv (webhook->event_types, kinds);
  g_assert_cmpstrv (webhook->headers, headers);

  laravel = crier_config_find_app (config, "laravel");
  g_assert_nonnull (laravel);
  g_assert_cmpstr (laravel->key, ==, "app-key");
  g_assert_false (laravel->enabled);
  /* Unset keys keep the defaults. */
  g_assert_true (laravel->client_events);
  g_assert_cmpuint (laravel->max_message_size, ==, 10240);
  g_assert_cmpuint (laravel->webhooks->len, ==, 1);
  webhook = g_ptr_array_index (laravel->webhooks, 0);
  g_assert_cmpstr (webhook->name, ==, "everything");
  g_assert_cmpstr (webhook->url, ==, "http://127.0.0.1:8000/webhooks");
  g_assert_true (webhook->event_types == NULL || webhook->event_types[0] == NULL);

  g_assert_null (crier_config_find_app (config, "missing"));
}

static void
test_good_minimal (void)
{
  g_autoptr (CrierConfig) config = load_good ("good-minimal.conf");
  CrierAppConfig *app = crier_config_find_app (config, "a");

  g_assert_cmpuint (crier_config_get_apps (config)->len, ==, 1);
  g_assert_nonnull (app);
  g_assert_cmpstr (app->key, ==, "k");
  g_assert_cmpstr (app->secret, ==, "s");
  g_assert_cmpuint (crier_config_get_port (config), ==, 6001);
}

/* A file's apps replace the default app from the environment. */
static void
test_file_replaces_default_app (void)
{
  g_autoptr (CrierConfig) config = crier_config_new_from_environment ();
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (crier_config_get_apps (config)->len, ==, 1);
  g_assert_true (crier_config_load_data (config, "[app:x]\nkey=kx\nsecret=sx\n", "inline", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (crier_config_get_apps (config)->len, ==, 1);
  g_assert_nonnull (crier_config_find_app (config, "x"));
}

/* The frame limit has a floor, so a client can always send a subscribe. */
static void
test_frame_size_floor (void)
{
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (crier_config_load_data (config, "[server]\nmax-frame-size=10\n[app:a]\nkey=k\nsecret=s\n",
                                         "inline", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (crier_config_get_max_frame_size (config), ==, 1024);
}

/* HTTP / TLS limits (issue 11): defaults, every key, and the floors. */
static void
test_http_limits (void)
{
  g_autoptr (CrierConfig) defaults = crier_config_new ();
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (GError) error = NULL;
  const CrierHttpLimits   *limits = crier_config_get_http_limits (defaults);
  static const char *const bad[][2] = {
    { "handshake-timeout=0", "inline: [server] handshake-timeout: must be at least 1 second" },
    { "request-timeout=0", "inline: [server] request-timeout: must be at least 1 second" },
    { "keepalive-timeout=0", "inline: [server] keepalive-timeout: must be at least 1 second" },
    { "max-header-size=100", "inline: [server] max-header-size: must be at least 1024 bytes" },
    { "max-header-size=65536",
      "inline: [server] max-header-size: “65536” is not a whole number between 0 and 49152" },
    { "max-body-size=-1",
      "inline: [server] max-body-size: “-1” is not a whole number between 0 and 2147483647" },
  };

  g_assert_cmpuint (limits->handshake_timeout, ==, 10);
  g_assert_cmpuint (limits->request_timeout, ==, 30);
  g_assert_cmpuint (limits->keepalive_timeout, ==, 60);
  g_assert_cmpuint (limits->max_header_size, ==, 16384);
  g_assert_cmpuint (limits->max_body_size, ==, 1048576);

  g_assert_true (crier_config_load_data (config,
                                         "[server]\nhandshake-timeout=3\nrequest-timeout=4\n"
                                         "keepalive-timeout=5\nmax-header-size=2048\n"
                                         "max-body-size=100\n[app:a]\nkey=k\nsecret=s\n",
                                         "inline", &error));
  g_assert_no_error (error);
  limits = crier_config_get_http_limits (config);
  g_assert_cmpuint (limits->handshake_timeout, ==, 3);
  g_assert_cmpuint (limits->request_timeout, ==, 4);
  g_assert_cmpuint (limits->keepalive_timeout, ==, 5);
  g_assert_cmpuint (limits->max_header_size, ==, 2048);
  g_assert_cmpuint (limits->max_body_size, ==, 100);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (CrierConfig) other = crier_config_new ();
      g_autofree char *text = g_strdup_printf ("[server]\n%s\n[app:a]\nkey=k\nsecret=s\n", bad[i][0]);

      g_assert_false (crier_config_load_data (other, text, "inline", &error));
      g_assert_error (error, CRIER_CONFIG_ERROR, CRIER_CONFIG_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, bad[i][1]);
      g_clear_error (&error);
    }
}

typedef struct
{
  const char *file;
  int         code;
  const char *message;     /* "%s" is the file's path */
  gboolean    prefix_only; /* the wording after the prefix is not pinned down */
} BadCase;

static const BadCase bad_cases[] = {
  { "bad-port.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [server] port: “abc” is not a whole number between 0 and 65535" },
  { "bad-port-range.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [server] port: “70000” is not a whole number between 0 and 65535" },
  { "bad-number.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [app:a] max-connections: “-1” is not a whole number between 0 and 2147483647" },
  { "bad-number-fraction.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [app:a] cache-ttl: “1.5” is not a whole number between 0 and 86400" },
  { "bad-bool.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [app:a] client-events: “maybe” is not true or false" },
  { "bad-activity-timeout.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [server] activity-timeout: must be at least 1 second" },
  { "bad-max-message-size.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [app:a] max-message-size: must be at least 1 byte" },
  { "unknown-key.conf", CRIER_CONFIG_ERROR_INVALID, "%s: [server] colour: unknown key" },
  { "unknown-app-key.conf", CRIER_CONFIG_ERROR_INVALID, "%s: [app:a] max-clients: unknown key" },
  { "unknown-section.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [database] unknown section (expected [server], [app:ID], [webhook:NAME] or [cluster])" },
  { "duplicate-app.conf", CRIER_CONFIG_ERROR_INVALID, "%s: [app:a] app “a” is declared twice (line 5)" },
  { "duplicate-key.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [app:b] key: “shared” is already the key of app “a”" },
  /* A key set twice in one section is a mistake (a merge left over), not "last one wins". */
  { "duplicate-setting.conf", CRIER_CONFIG_ERROR_INVALID, "%s: [app:a] secret: ", TRUE },
  { "missing-key.conf", CRIER_CONFIG_ERROR_INVALID, "%s: [app:a] key: missing: every app needs a key" },
  { "missing-secret.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [app:a] secret: missing: every app needs a secret" },
  { "empty-secret.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [app:a] secret: missing: every app needs a secret" },
  { "empty-app-id.conf", CRIER_CONFIG_ERROR_INVALID, "%s: [app:] the app id after “app:” is empty" },
  { "bad-webhook-url.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [webhook:w] url: “ftp://hooks.example/x” is not an http:// or https:// URL" },
  { "bad-webhook-url-garbage.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [webhook:w] url: “not a url” is not an http:// or https:// URL" },
  { "bad-webhook-kind.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [webhook:w] events: unknown event kind “member_joined”" },
  { "bad-webhook-header.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [webhook:w] headers: “X-Token abc” is not of the form “Name: value”" },
  { "webhook-unknown-app.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: [webhook:w] app: no app “b” is declared before this webhook" },
  { "webhook-missing-url.conf", CRIER_CONFIG_ERROR_INVALID, "%s: [webhook:w] url: missing" },
  /* Stray bytes after a section header hid a repeated key from the duplicate check (found
   * by fuzz-config): the text must be UTF-8. */
  { "not-utf8.conf", CRIER_CONFIG_ERROR_PARSE, "%s: line 3 is not valid UTF-8 text" },
  /* GKeyFile's own message follows the file name; it names the line. */
  { "syntax-error.conf", CRIER_CONFIG_ERROR_PARSE,
    "%s: Key file contains line “this line is not a key file line” which is not a key-value pair, "
    "group, or comment" },
  { "no-app.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: declares no app (add an [app:ID] section with key and secret)" },
  { "empty.conf", CRIER_CONFIG_ERROR_INVALID,
    "%s: declares no app (add an [app:ID] section with key and secret)" },
};

static void
test_bad (gconstpointer data)
{
  const BadCase   *c = data;
  g_autofree char *path = corpus_path (c->file);
  g_autofree char *expected = NULL;
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (GError) error = NULL;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  expected = g_strdup_printf (c->message, path);
#pragma GCC diagnostic pop

  if (crier_config_load_file (config, path, &error))
    {
      /* Report and go on: the other files of the corpus still get checked. */
      g_test_fail_printf ("%s was accepted; expected the error “%s”", path, expected);
      return;
    }
  g_assert_error (error, CRIER_CONFIG_ERROR, c->code);
  if (c->prefix_only)
    {
      g_autofree char *start = g_strndup (error->message, strlen (expected));

      g_test_message ("error: %s", error->message);
      g_assert_cmpstr (start, ==, expected);
    }
  else
    g_assert_cmpstr (error->message, ==, expected);
}

typedef struct
{
  const char *name;
  const char *text;
  const char *message;
} OneLineCase;

/* A value may hold any character once GKeyFile has read its escapes; the error quoting it
 * stays one line, with control characters (and bytes that are not UTF-8) escaped. */
static const OneLineCase one_line_cases[] = {
  { "newline-escape", "[app:a]\nkey=k\nsecret=s\n[webhook:w]\napp=a\nurl=ftp://x\\ny\n",
    "t.conf: [webhook:w] url: “ftp://x\\ny” is not an http:// or https:// URL" },
  { "carriage-return-escape",
    "[app:a]\nkey=k\nsecret=s\n[webhook:w]\napp=a\nurl=ftp://x\\rDONE\n",
    "t.conf: [webhook:w] url: “ftp://x\\rDONE” is not an http:// or https:// URL" },
  { "tab", "[server]\nport = 1\t2\n[app:a]\nkey=k\nsecret=s\n",
    "t.conf: [server] port: “1\\t2” is not a whole number between 0 and 65535" },
  { "terminal-escape", "[server]\nport = \x1b[31mred\n[app:a]\nkey=k\nsecret=s\n",
    "t.conf: [server] port: “\\x1b[31mred” is not a whole number between 0 and 65535" },
  { "not-utf8", "[app:a]\nkey=k\nsecret=s\nenabled=\xff\n",
    "t.conf: line 4 is not valid UTF-8 text" },
  { "key-name", "[server]\nco\x1blour = 1\n[app:a]\nkey=k\nsecret=s\n",
    "t.conf: [server] co\\x1blour: unknown key" },
  { "duplicate-key", "[app:a]\nkey=k\\nz\nsecret=s\n[app:b]\nkey=k\\nz\nsecret=s\n",
    "t.conf: [app:b] key: “k\\nz” is already the key of app “a”" },
  { "webhook-app", "[app:a]\nkey=k\nsecret=s\n[webhook:w]\napp=a\\nb\nurl=http://x\n",
    "t.conf: [webhook:w] app: no app “a\\nb” is declared before this webhook" },
  { "webhook-events",
    "[app:a]\nkey=k\nsecret=s\n[webhook:w]\napp=a\nurl=http://x\nevents=a\\nb\n",
    "t.conf: [webhook:w] events: unknown event kind “a\\nb”" },
  { "webhook-headers",
    "[app:a]\nkey=k\nsecret=s\n[webhook:w]\napp=a\nurl=http://x\nheaders=a\\nb\n",
    "t.conf: [webhook:w] headers: “a\\nb” is not of the form “Name: value”" },
  /* GKeyFile's own messages quote the line. */
  { "syntax-error", "this line\r is bad\n[app:a]\nkey=k\nsecret=s\n",
    "t.conf: Key file contains line “this line\\r is bad” which is not a key-value pair, group, "
    "or comment" },
  { "group-name", "[app:a\x01]\nkey=k\nsecret=s\n", "t.conf: Invalid group name: app:a\\x01" },
};

static void
test_one_line (gconstpointer data)
{
  const OneLineCase *c = data;
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (GError) error = NULL;

  g_assert_false (crier_config_load_data (config, c->text, "t.conf", &error));
  g_assert_nonnull (error);
  g_assert_cmpstr (error->message, ==, c->message);
}

/* The origin (a path) is quoted too, and so is the writer's GKeyFile error. */
static void
test_one_line_path_and_writer (void)
{
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (GPtrArray) apps = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_app_config_unref);
  g_autoptr (GError) error = NULL;
  g_autofree char *written = NULL;

  g_assert_false (crier_config_load_file (config, "/nonexistent/a\nb\rc.conf", &error));
  g_assert_null (strpbrk (error->message, "\n\r"));
  g_assert_nonnull (strstr (error->message, "/nonexistent/a\\nb\\rc.conf"));
  g_clear_error (&error);
  g_ptr_array_add (apps, crier_app_config_new ("a", "k", "s"));
  written = crier_config_write_apps ("junk\rmore\n", apps, &error);
  g_assert_null (written);
  g_assert_cmpstr (error->message, ==,
                   "Key file contains line “junk\\rmore” which is not a key-value pair, group, "
                   "or comment");
}

/* Many apps: each is checked against the earlier ones by id and key through an index (the
 * time it takes is bench/config-scaling's business); the answers are those of a scan. */
static void
test_many_apps (void)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (CrierConfig) bad = crier_config_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *duplicate = NULL;
  CrierAppConfig  *app;

  for (unsigned i = 0; i < 5000; i++)
    g_string_append_printf (text, "[app:id%u]\nkey = key%u\nsecret = secret%u\n", i, i, i);
  g_string_append (text, "[webhook:first]\napp = id0\nurl = http://127.0.0.1/hook\n");
  g_assert_true (crier_config_load_data (config, text->str, "many", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (crier_config_get_apps (config)->len, ==, 5000);
  app = crier_config_find_app (config, "id4999");
  g_assert_nonnull (app);
  g_assert_cmpstr (app->key, ==, "key4999");
  g_assert_cmpuint (crier_config_find_app (config, "id0")->webhooks->len, ==, 1);

  duplicate = g_strconcat (text->str, "[app:last]\nkey = key17\nsecret = s\n", NULL);
  g_assert_false (crier_config_load_data (bad, duplicate, "many", &error));
  g_assert_cmpstr (error->message, ==, "many: [app:last] key: “key17” is already the key of app “id17”");
}

/* `crier --server` with a broken config file and every string option set: exit 1 with
 * one line on stderr, and nothing leaked on that early return (LeakSanitizer in the
 * sanitizer build exits 23 instead). */
static void
test_cli_config_error_exit (void)
{
  g_autofree char *crier = g_test_build_filename (G_TEST_BUILT, "..", "src", "crier", NULL);
  g_autofree char *path = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;
  int fd;

  if (!g_file_test (crier, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("src/crier is not built");
      return;
    }
  fd = g_file_open_tmp ("crier-config-XXXXXX.conf", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, "[app:a]\nkey=k\nsecret=s\n[webhook:w]\napp=a\n"
                                            "url=ftp://x\\ny\n",
                                      -1, &error));
  {
    const char *argv[] = { crier, "--server", "--config", path, "--host", "127.0.0.1",
                           "--tls-cert", "/nonexistent/cert.pem", "--tls-key",
                           "/nonexistent/key.pem", "--log-format", "text", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                                 NULL, NULL, &err, &status, &error));
  }
  g_assert_no_error (error);
  g_remove (path);
  g_test_message ("stderr: %s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_true (g_str_has_prefix (err, "crier: "));
  g_assert_true (g_str_has_suffix (err, " is not an http:// or https:// URL\n"));
  g_assert_cmpint (strchr (err, '\n') - err, ==, strlen (err) - 1);
}

/* The same errors through load_data, with the caller's name for the text. */
static void
test_bad_data_origin (void)
{
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (GError) error = NULL;

  g_assert_false (crier_config_load_data (config, "[server]\nport = abc\n[app:a]\nkey=k\nsecret=s\n",
                                          "settings", &error));
  g_assert_error (error, CRIER_CONFIG_ERROR, CRIER_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "settings: [server] port: “abc” is not a whole number between 0 and 65535");
}

static void
test_missing_file (void)
{
  g_autofree char *path = corpus_path ("does-not-exist.conf");
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (GError) error = NULL;

  g_assert_false (crier_config_load_file (config, path, &error));
  g_assert_error (error, CRIER_CONFIG_ERROR, CRIER_CONFIG_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, path));
}

/* The default app takes a Laravel .env's names, with soketi's defaults. In a subprocess:
 * the environment is process-wide. */
static void
test_environment_defaults (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (CrierConfig) config = NULL;
      CrierAppConfig *app;

      g_unsetenv ("PUSHER_APP_ID");
      g_unsetenv ("PUSHER_APP_KEY");
      g_setenv ("PUSHER_APP_SECRET", "", TRUE); /* empty counts as unset */
      config = crier_config_new_from_environment ();
      g_assert_cmpuint (crier_config_get_apps (config)->len, ==, 1);
      app = g_ptr_array_index (crier_config_get_apps (config), 0);
      g_assert_cmpstr (app->id, ==, "app-id");
      g_assert_cmpstr (app->key, ==, "app-key");
      g_assert_cmpstr (app->secret, ==, "app-secret");
      g_assert_true (crier_config_find_app (config, "app-id") == app);
      g_assert_cmpuint (crier_config_get_port (config), ==, 6001);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_environment_set (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (CrierConfig) config = NULL;
      CrierAppConfig *app;

      g_setenv ("PUSHER_APP_ID", "42", TRUE);
      g_setenv ("PUSHER_APP_KEY", "laravel-key", TRUE);
      g_setenv ("PUSHER_APP_SECRET", "laravel-secret", TRUE);
      config = crier_config_new_from_environment ();
      g_assert_cmpuint (crier_config_get_apps (config)->len, ==, 1);
      app = g_ptr_array_index (crier_config_get_apps (config), 0);
      g_assert_cmpstr (app->id, ==, "42");
      g_assert_cmpstr (app->key, ==, "laravel-key");
      g_assert_cmpstr (app->secret, ==, "laravel-secret");
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_setters (void)
{
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (CrierAppConfig) app = crier_app_config_new ("x", "kx", "sx");

  crier_config_set_host (config, "::1");
  crier_config_set_port (config, 0);
  crier_config_set_activity_timeout (config, 0); /* at least 1 s */
  crier_config_set_pong_timeout (config, 5);
  crier_config_set_max_outgoing_buffer (config, 70000);
  crier_config_set_tls (config, "/c.pem", "/k.pem");
  crier_config_add_app (config, app);
  g_assert_cmpstr (crier_config_get_host (config), ==, "::1");
  g_assert_cmpuint (crier_config_get_port (config), ==, 0);
  g_assert_cmpuint (crier_config_get_activity_timeout (config), ==, 1);
  g_assert_cmpuint (crier_config_get_pong_timeout (config), ==, 5);
  g_assert_cmpuint (crier_config_get_max_outgoing_buffer (config), ==, 70000);
  g_assert_cmpstr (crier_config_get_tls_cert (config), ==, "/c.pem");
  g_assert_cmpstr (crier_config_get_tls_key (config), ==, "/k.pem");
  g_assert_true (crier_config_find_app (config, "x") == app);
}

typedef struct
{
  const char *name;
  const char *origins; /* ';'-separated, NULL: no list */
  const char *origin;
  gboolean    allowed;
} OriginCase;

static const OriginCase origin_cases[] = {
  { "no-list", NULL, "https://any.example", TRUE },
  { "no-list-no-origin", NULL, NULL, TRUE },
  { "empty-list", "", "https://any.example", TRUE },
  { "listed", "https://a.example;https://b.example", "https://b.example", TRUE },
  { "case-insensitive", "https://a.example", "HTTPS://A.EXAMPLE", TRUE },
  { "not-listed", "https://a.example", "https://c.example", FALSE },
  { "port-matters", "http://localhost:8000", "http://localhost:8001", FALSE },
  { "no-prefix-match", "https://a.example", "https://a.example.evil", FALSE },
  { "no-origin", "https://a.example", NULL, FALSE },
  { "wildcard", "*", "https://any.example", TRUE },
  { "wildcard-no-origin", "https://a.example;*", NULL, TRUE },
};

static void
test_allows_origin (gconstpointer data)
{
  const OriginCase *c = data;
  g_autoptr (CrierAppConfig) app = crier_app_config_new ("a", "k", "s");

  if (c->origins != NULL)
    app->allowed_origins = *c->origins ? g_strsplit (c->origins, ";", -1) : g_new0 (char *, 1);
  g_assert_cmpint (crier_app_config_allows_origin (app, c->origin), ==, c->allowed);
}

/* The one-app configuration a front end builds for another server. */
static void
test_new_for_app (void)
{
  g_autoptr (CrierConfig) plain = crier_config_new_for_app ("7", "k", "s", "");
  g_autoptr (CrierConfig) encrypted = crier_config_new_for_app ("7", "k", "s", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
  CrierAppConfig *app;

  g_assert_cmpuint (crier_config_get_apps (plain)->len, ==, 1);
  app = crier_config_find_app (plain, "7");
  g_assert_nonnull (app);
  g_assert_cmpstr (app->key, ==, "k");
  g_assert_cmpstr (app->secret, ==, "s");
  g_assert_null (app->encryption_master_key);
  app = crier_config_find_app (encrypted, "7");
  g_assert_cmpstr (app->encryption_master_key, ==, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/config/defaults", test_defaults);
  g_test_add_func ("/core/config/new-for-app", test_new_for_app);
  g_test_add_func ("/core/config/app-defaults", test_app_defaults);
  g_test_add_func ("/core/config/good/full", test_good_full);
  g_test_add_func ("/core/config/good/minimal", test_good_minimal);
  g_test_add_func ("/core/config/good/replaces-default-app", test_file_replaces_default_app);
  g_test_add_func ("/core/config/good/frame-size-floor", test_frame_size_floor);
  g_test_add_func ("/core/config/good/http-limits", test_http_limits);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *name = g_strndup (bad_cases[i].file, strlen (bad_cases[i].file) - 5);
      g_autofree char *path = g_strdup_printf ("/core/config/bad/%s", name);

      g_test_add_data_func (path, &bad_cases[i], test_bad);
    }
  g_test_add_func ("/core/config/bad/data-origin", test_bad_data_origin);
  for (guint i = 0; i < G_N_ELEMENTS (one_line_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/config/bad/one-line/%s", one_line_cases[i].name);

      g_test_add_data_func (path, &one_line_cases[i], test_one_line);
    }
  g_test_add_func ("/core/config/bad/one-line/path-and-writer", test_one_line_path_and_writer);
  g_test_add_func ("/core/config/good/many-apps", test_many_apps);
  g_test_add_func ("/core/config/cli/config-error-exit", test_cli_config_error_exit);
  g_test_add_func ("/core/config/bad/missing-file", test_missing_file);
  g_test_add_func ("/core/config/environment/defaults", test_environment_defaults);
  g_test_add_func ("/core/config/environment/set", test_environment_set);
  g_test_add_func ("/core/config/setters", test_setters);
  for (guint i = 0; i < G_N_ELEMENTS (origin_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/config/allows-origin/%s",
                                               origin_cases[i].name);

      g_test_add_data_func (path, &origin_cases[i], test_allows_origin);
    }

  return g_test_run ();
}
