/* test-env-parser.c — reading a pasted Laravel .env block and a typed server address
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-env-parser.h"

/* One .env form: what NAME reads as (NULL: not defined). */
typedef struct
{
  const char *path;
  const char *text;
  const char *name;
  const char *value;
} ValueCase;

static const ValueCase value_cases[] = {
  { "plain", "PUSHER_APP_KEY=abc\n", "PUSHER_APP_KEY", "abc" },
  { "no-final-newline", "A=1\nPUSHER_APP_KEY=abc", "PUSHER_APP_KEY", "abc" },
  { "crlf", "A=1\r\nPUSHER_APP_KEY=abc\r\n", "PUSHER_APP_KEY", "abc" },
  { "export", "export PUSHER_APP_KEY=abc\n", "PUSHER_APP_KEY", "abc" },
  { "export-tab", "export\tPUSHER_APP_KEY=abc\n", "PUSHER_APP_KEY", "abc" },
  { "spaces-around-equals", "PUSHER_APP_KEY = abc  \n", "PUSHER_APP_KEY", "abc" },
  { "indented", "   PUSHER_APP_KEY=abc\n", "PUSHER_APP_KEY", "abc" },
  { "double-quotes", "PUSHER_APP_KEY=\"a b#c\"\n", "PUSHER_APP_KEY", "a b#c" },
  { "single-quotes", "PUSHER_APP_KEY='a ${B} #c'\n", "PUSHER_APP_KEY", "a ${B} #c" },
  { "escapes", "V=\"a\\\"b\\\\c\\nd\\$e\"\n", "V", "a\"b\\c\nd$e" },
  { "multi-line", "V=\"one\ntwo\"\nW=3\n", "V", "one\ntwo" },
  { "after-multi-line", "V=\"one\ntwo\"\nW=3\n", "W", "3" },
  { "comment-line", "# PUSHER_APP_KEY=no\nPUSHER_APP_KEY=yes\n", "PUSHER_APP_KEY", "yes" },
  { "commented-out", "#PUSHER_APP_KEY=no\n", "PUSHER_APP_KEY", NULL },
  { "inline-comment", "PUSHER_APP_KEY=abc # the key\n", "PUSHER_APP_KEY", "abc" },
  { "hash-in-value", "PUSHER_APP_KEY=a#b\n", "PUSHER_APP_KEY", "a#b" },
  { "quoted-then-comment", "PUSHER_APP_KEY=\"abc\" # the key\n", "PUSHER_APP_KEY", "abc" },
  { "empty", "PUSHER_HOST=\n", "PUSHER_HOST", "" },
  { "empty-quotes", "PUSHER_HOST=\"\"\n", "PUSHER_HOST", "" },
  { "reference-quoted", "PUSHER_HOST=ws.test\nVITE_PUSHER_HOST=\"${PUSHER_HOST}\"\n", "VITE_PUSHER_HOST", "ws.test" },
  { "reference-unquoted", "P=6001\nV=${P}0\n", "V", "60010" },
  { "reference-inside", "H=ws.test\nV=\"wss://${H}:443\"\n", "V", "wss://ws.test:443" },
  { "reference-unknown", "V=\"<${NOPE}>\"\n", "V", "<>" },
  { "reference-later", "V=${L}\nL=1\n", "V", "" },
  { "reference-unclosed", "V=\"${H\"\n", "V", "${H" },
  { "dollar-alone", "V=a$b\n", "V", "a$b" },
  { "last-wins", "V=1\nV=2\n", "V", "2" },
  { "dotted-name", "A.B=1\n", "A.B", "1" },
  { "no-equals", "JUST_A_WORD\nV=1\n", "V", "1" },
  { "garbage-line", "=== not a line ===\nV=1\n", "V", "1" },
  { "unclosed-double", "V=\"abc\nW=1\n", "V", NULL },
  { "unclosed-single", "V='abc\n", "V", NULL },
  { "binary", "V=\x01\x02\nW=ok\n", "W", "ok" },
};

static void
test_value (gconstpointer data)
{
  const ValueCase *c = data;
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) vars = crier_env_parse (c->text, problems);

  g_assert_cmpstr (g_hash_table_lookup (vars, c->name), ==, c->value);
}

/* Lines that are not NAME=value are named, by line number, not silently dropped. */
static void
test_problems (void)
{
  static const struct
  {
    const char *text;
    const char *problem; /* NULL: none */
  } cases[] = {
    { "A=1\n\n# c\nexport B=2\n", NULL },
    { "A=1\nJUST_A_WORD\n", "Line 2 is not NAME=value" },
    { "A=\"x\ny\"\n-B=2\n", "Line 3 is not NAME=value" },
    { "A=1\nB=\"open\nC=3\n", "Line 2: the quote is not closed" },
    { "A='open\n", "Line 1: the quote is not closed" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GHashTable) vars = crier_env_parse (cases[i].text, problems);

      if (cases[i].problem == NULL)
        g_assert_cmpuint (problems->len, ==, 0);
      else
        {
          g_assert_cmpuint (problems->len, ==, 1);
          g_assert_cmpstr (problems->pdata[0], ==, cases[i].problem);
        }
    }
  /* NULL is an empty block. */
  {
    g_autoptr (GHashTable) vars = crier_env_parse (NULL, NULL);

    g_assert_cmpuint (g_hash_table_size (vars), ==, 0);
  }
}

/* A block and the server it points at. */
typedef struct
{
  const char *path;
  const char *text;
  const char *url, *app_id, *key, *secret, *master_key; /* NULL: not found */
  const char *found, *missing, *problem;                /* space-separated names; problem: a substring */
} ServerCase;

#define LARAVEL10_PUSHER                        \
  "APP_NAME=Laravel\n"                          \
  "BROADCAST_DRIVER=pusher\n"                   \
  "PUSHER_APP_ID=app-id\n"                      \
  "PUSHER_APP_KEY=app-key\n"                    \
  "PUSHER_APP_SECRET=app-secret\n"              \
  "PUSHER_HOST=\n"                              \
  "PUSHER_PORT=443\n"                           \
  "PUSHER_SCHEME=https\n"                       \
  "PUSHER_APP_CLUSTER=mt1\n"                    \
  "\n"                                          \
  "VITE_APP_NAME=\"${APP_NAME}\"\n"             \
  "VITE_PUSHER_APP_KEY=\"${PUSHER_APP_KEY}\"\n" \
  "VITE_PUSHER_HOST=\"${PUSHER_HOST}\"\n"       \
  "VITE_PUSHER_PORT=\"${PUSHER_PORT}\"\n"       \
  "VITE_PUSHER_SCHEME=\"${PUSHER_SCHEME}\"\n"   \
  "VITE_PUSHER_APP_CLUSTER=\"${PUSHER_APP_CLUSTER}\"\n"

#define LARAVEL11_REVERB                        \
  "BROADCAST_CONNECTION=reverb\n"               \
  "REVERB_APP_ID=586931\n"                      \
  "REVERB_APP_KEY=vpfwm0xbxyc3hxgqymb0\n"       \
  "REVERB_APP_SECRET=8ovkyh0xpqlvbg4acbhe\n"    \
  "REVERB_HOST=\"localhost\"\n"                 \
  "REVERB_PORT=8080\n"                          \
  "REVERB_SCHEME=http\n"                        \
  "\n"                                          \
  "VITE_REVERB_APP_KEY=\"${REVERB_APP_KEY}\"\n" \
  "VITE_REVERB_HOST=\"${REVERB_HOST}\"\n"

static const ServerCase server_cases[] = {
  { "pusher-cluster", LARAVEL10_PUSHER, "https://api-mt1.pusher.com:443", "app-id", "app-key", "app-secret", NULL,
    "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET PUSHER_APP_CLUSTER PUSHER_PORT PUSHER_SCHEME", "", NULL },
  { "pusher-cluster-no-port", "PUSHER_APP_ID=1\nPUSHER_APP_KEY=k\nPUSHER_APP_SECRET=s\nPUSHER_APP_CLUSTER=eu\n",
    "https://api-eu.pusher.com:443", "1", "k", "s", NULL,
    "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET PUSHER_APP_CLUSTER", "", NULL },
  { "reverb", LARAVEL11_REVERB, "http://localhost:8080", "586931", "vpfwm0xbxyc3hxgqymb0", "8ovkyh0xpqlvbg4acbhe",
    NULL, "REVERB_APP_ID REVERB_APP_KEY REVERB_APP_SECRET REVERB_HOST REVERB_PORT REVERB_SCHEME", "", NULL },
  /* Laravel 10's empty PUSHER_* next to a filled Reverb: the one with credentials. */
  { "reverb-without-broadcast-connection",
    "BROADCAST_DRIVER=log\nPUSHER_APP_ID=\nPUSHER_APP_KEY=\nREVERB_APP_ID=9\nREVERB_APP_KEY=k\n"
    "REVERB_APP_SECRET=s\nREVERB_HOST=127.0.0.1\nREVERB_PORT=6001\nREVERB_SCHEME=http\n",
    "http://127.0.0.1:6001", "9", "k", "s", NULL,
    "REVERB_APP_ID REVERB_APP_KEY REVERB_APP_SECRET REVERB_HOST REVERB_PORT REVERB_SCHEME", "", NULL },
  { "soketi-sail",
    "# Sail\nexport PUSHER_APP_ID = app-id\nexport PUSHER_APP_KEY = 'app-key'\n"
    "export PUSHER_APP_SECRET = \"app-secret\"   # local only\nPUSHER_HOST=soketi\nPUSHER_PORT=6001\n"
    "PUSHER_SCHEME=http\nPUSHER_APP_CLUSTER=mt1\n",
    "http://soketi:6001", "app-id", "app-key", "app-secret", NULL,
    "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET PUSHER_APP_CLUSTER PUSHER_HOST PUSHER_PORT PUSHER_SCHEME", "",
    NULL },
  { "default-scheme-and-port", "PUSHER_APP_ID=1\nPUSHER_APP_KEY=k\nPUSHER_APP_SECRET=s\nPUSHER_HOST=ws.example.com\n",
    "https://ws.example.com:443", "1", "k", "s", NULL,
    "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET PUSHER_HOST", "", NULL },
  { "http-default-port", "PUSHER_HOST=example.com\nPUSHER_SCHEME=http\n", "http://example.com:80", NULL, NULL, NULL,
    NULL, "PUSHER_HOST PUSHER_SCHEME", "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET", NULL },
  { "host-with-scheme", "PUSHER_HOST=http://example.com:8080\n", "http://example.com:8080", NULL, NULL, NULL, NULL,
    "PUSHER_HOST", "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET", NULL },
  { "host-with-scheme-port-var", "PUSHER_HOST=https://example.com:8080\nPUSHER_PORT=9000\n",
    "https://example.com:9000", NULL, NULL, NULL, NULL, "PUSHER_HOST PUSHER_PORT",
    "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET", NULL },
  { "ipv6-host", "PUSHER_HOST=::1\nPUSHER_PORT=6001\nPUSHER_SCHEME=http\n", NULL, NULL, NULL, NULL, NULL,
    "PUSHER_HOST PUSHER_PORT PUSHER_SCHEME", "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET", "PUSHER_HOST" },
  { "ipv6-host-bracketed", "PUSHER_HOST=[::1]\nPUSHER_PORT=6001\nPUSHER_SCHEME=http\n", "http://[::1]:6001", NULL, NULL,
    NULL, NULL, "PUSHER_HOST PUSHER_PORT PUSHER_SCHEME", "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET", NULL },
  { "master-key",
    "PUSHER_APP_ID=1\nPUSHER_APP_KEY=k\nPUSHER_APP_SECRET=s\nPUSHER_HOST=h\nPUSHER_PORT=1\nPUSHER_SCHEME=http\n"
    "PUSHER_APP_ENCRYPTION_MASTER_KEY=\"YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=\"\n",
    "http://h:1", "1", "k", "s", "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY=",
    "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET PUSHER_HOST PUSHER_PORT PUSHER_SCHEME "
    "PUSHER_APP_ENCRYPTION_MASTER_KEY",
    "", NULL },
  { "references", "SECRET=s3\nPUSHER_APP_ID=1\nPUSHER_APP_KEY=k\nPUSHER_APP_SECRET=${SECRET}\nH=h\nPUSHER_HOST=\"${H}\"\n",
    "https://h:443", "1", "k", "s3", NULL, "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET PUSHER_HOST", "", NULL },
  { "nothing", "APP_NAME=Laravel\nDB_HOST=127.0.0.1\n", NULL, NULL, NULL, NULL, NULL, "",
    "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET PUSHER_HOST", NULL },
  { "empty", "", NULL, NULL, NULL, NULL, NULL, "", "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET PUSHER_HOST", NULL },
  { "not-env-at-all", "Hello, world!\n{\"json\": true}\n", NULL, NULL, NULL, NULL, NULL, "",
    "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET PUSHER_HOST", "Line 1 is not NAME=value" },
  { "bad-port", "PUSHER_HOST=h\nPUSHER_PORT=sixty\n", NULL, NULL, NULL, NULL, NULL, "PUSHER_HOST PUSHER_PORT",
    "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET", "PUSHER_PORT “sixty” is not a port number" },
  { "port-out-of-range", "PUSHER_HOST=h\nPUSHER_PORT=70000\n", NULL, NULL, NULL, NULL, NULL, "PUSHER_HOST PUSHER_PORT",
    "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET", "is not a port number" },
  { "bad-scheme", "PUSHER_HOST=h\nPUSHER_SCHEME=ftp\n", NULL, NULL, NULL, NULL, NULL, "PUSHER_HOST PUSHER_SCHEME",
    "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET", "PUSHER_SCHEME “ftp” is neither http nor https" },
  { "bad-host", "PUSHER_HOST=\"a host\"\n", NULL, NULL, NULL, NULL, NULL, "PUSHER_HOST",
    "PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET", "PUSHER_HOST" },
};

static void
assert_names (GPtrArray  *names,
              const char *expected)
{
  g_auto (GStrv) want = g_strsplit (expected, " ", -1);
  g_autoptr (GString) got = g_string_new (NULL);

  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (got, "%s%s", i ? " " : "", (char *) names->pdata[i]);
  if (*expected == '\0')
    g_assert_cmpstr (got->str, ==, "");
  else
    for (guint i = 0; want[i] != NULL; i++)
      {
        gboolean seen = FALSE;

        for (guint j = 0; j < names->len; j++)
          seen |= g_str_equal (names->pdata[j], want[i]);
        if (!seen)
          g_error ("%s not in “%s”", want[i], got->str);
      }
  if (*expected != '\0')
    g_assert_cmpuint (names->len, ==, g_strv_length (want));
}

static void
test_server (gconstpointer data)
{
  const ServerCase *c = data;
  g_autoptr (CrierEnvServer) server = crier_env_server_parse (c->text);

  g_assert_cmpstr (server->url, ==, c->url);
  g_assert_cmpstr (server->app_id, ==, c->app_id);
  g_assert_cmpstr (server->key, ==, c->key);
  g_assert_cmpstr (server->secret, ==, c->secret);
  g_assert_cmpstr (server->encryption_master_key, ==, c->master_key);
  assert_names (server->found, c->found);
  assert_names (server->missing, c->missing);
  if (c->problem == NULL)
    g_assert_cmpuint (server->problems->len, ==, 0);
  else
    {
      g_assert_cmpuint (server->problems->len, >=, 1);
      g_assert_nonnull (strstr (server->problems->pdata[0], c->problem));
    }
}

/* Typed addresses and the http(s)://host:port they become (NULL: refused). */
static void
test_url (void)
{
  static const struct
  {
    const char *typed;
    const char *url;
  } cases[] = {
    { "ws://127.0.0.1:6001", "http://127.0.0.1:6001" },
    { "wss://ws.example.com", "https://ws.example.com:443" },
    { "ws://example.com", "http://example.com:80" },
    { "http://localhost:8080", "http://localhost:8080" },
    { "https://example.com", "https://example.com:443" },
    { "HTTPS://Example.com:8443/", "https://Example.com:8443" },
    { "  localhost  ", "http://localhost:6001" },
    { "localhost:8080", "http://localhost:8080" },
    { "192.168.1.10", "http://192.168.1.10:6001" },
    { "[::1]:6001", "http://[::1]:6001" },
    { "wss://[::1]", "https://[::1]:443" },
    { "wss://ws-mt1.pusher.com:443/app/key?protocol=7&client=js", "https://ws-mt1.pusher.com:443" },
    { "", NULL },
    { "   ", NULL },
    { "ftp://example.com", NULL },
    { "localhost:port", NULL },
    { "localhost:70000", NULL },
    { "localhost:0", NULL },
    { "http://", NULL },
    { "a host", NULL },
    { "http://[::1", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *url = crier_server_url_normalize (cases[i].typed, &error);

      g_test_message ("“%s”", cases[i].typed);
      g_assert_cmpstr (url, ==, cases[i].url);
      if (url == NULL)
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      else
        g_assert_no_error (error);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (value_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/env-parser/value/%s", value_cases[i].path);

      g_test_add_data_func (path, &value_cases[i], test_value);
    }
  g_test_add_func ("/env-parser/problems", test_problems);
  for (guint i = 0; i < G_N_ELEMENTS (server_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/env-parser/server/%s", server_cases[i].path);

      g_test_add_data_func (path, &server_cases[i], test_server);
    }
  g_test_add_func ("/env-parser/url", test_url);
  return g_test_run ();
}
