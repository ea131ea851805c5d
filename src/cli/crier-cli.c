/* crier-cli.c — the terminal front end: `crier --server` (headless), `crier send`, `crier tail`
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-cli"

#include "config.h"

#include "crier-cli.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>

#include "crier-log.h"
#include "crier-send.h"
#include "crier-server-options.h"
#include "crier-server.h"
#include "crier-tail.h"

#define SHUTDOWN_GRACE_MS 3000

/* The CLI-only options; the server's own are CrierServerOptions, shared with the window. */
typedef struct
{
  CrierServerOptions server_options;
  gboolean           server;
  gboolean           version;
  gboolean           verbose;
  char              *log_format;
} CliOptions;

/* Every early return (a bad option, a config error) frees what the parser allocated. */
static void
cli_options_clear (CliOptions *options)
{
  crier_server_options_clear (&options->server_options);
  g_clear_pointer (&options->log_format, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliOptions, cli_options_clear)

typedef struct
{
  CrierServer *server;
  GMainLoop   *loop;
  gboolean     json;
  guint        grace_id;
} Headless;

/* Arguments that belong to the terminal front end rather than the window. */
gboolean
crier_cli_handles (int    argc,
                   char **argv)
{
  if (argc > 1 && (g_str_equal (argv[1], "send") || g_str_equal (argv[1], "tail")))
    return TRUE;
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--server") || g_str_equal (argv[i], "--version"))
      return TRUE;
  return FALSE;
}

static void
monitor_event_cb (CrierMonitor      *monitor,
                  CrierMonitorEvent *event,
                  Headless          *headless)
{
  g_autofree char *line = headless->json ? crier_monitor_event_to_json (event)
                                         : crier_monitor_event_to_text (event);

  fprintf (stdout, "%s\n", line);
  fflush (stdout);
}

static gboolean
grace_over_cb (gpointer user_data)
{
  Headless *headless = user_data;

  headless->grace_id = 0;
  g_main_loop_quit (headless->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
drained_cb (gpointer user_data)
{
  Headless *headless = user_data;

  if (crier_server_has_connections (headless->server))
    return G_SOURCE_CONTINUE;
  g_main_loop_quit (headless->loop);
  return G_SOURCE_REMOVE;
}

/* SIGINT/SIGTERM: every client gets 4200 and reconnects; we wait (bounded) for their
 * close handshakes, then exit 0. */
static gboolean
signal_cb (gpointer user_data)
{
  Headless *headless = user_data;

  if (headless->grace_id != 0)
    {
      g_main_loop_quit (headless->loop); /* second signal: do not wait any longer */
      return G_SOURCE_CONTINUE;
    }
  g_message ("shutting down: closing every connection with %d", CRIER_CODE_RECONNECT);
  crier_server_stop (headless->server, CRIER_CODE_RECONNECT, "Generic reconnect immediately");
  headless->grace_id = g_timeout_add (SHUTDOWN_GRACE_MS, grace_over_cb, headless);
  g_timeout_add (20, drained_cb, headless);
  return G_SOURCE_CONTINUE;
}

static void
print_banner (CrierServer *server)
{
  CrierConfig *config = crier_server_get_config (server);
  GPtrArray   *apps = crier_config_get_apps (config);
  const char  *host = crier_config_get_host (config);
  unsigned     port = crier_server_get_port (server);
  gboolean     tls = crier_server_is_tls (server);

  /* Translators: the first %s is the version, then the WebSocket and HTTP URLs. */
  printf (_ ("Crier %s listening on %s://%s:%u (HTTP API %s://%s:%u)\n"), PACKAGE_VERSION,
          tls ? "wss" : "ws", host, port, tls ? "https" : "http", host, port);
  for (guint i = 0; i < apps->len; i++)
    {
      CrierAppConfig *app = g_ptr_array_index (apps, i);

      printf (_ ("  app %s: key %s, client events %s\n"), app->id, app->key,
              app->client_events ? _ ("on") : _ ("off"));
    }
  fflush (stdout);
}

/* The core reports what went wrong with a code; the way out is this front end's: its
 * options. Returns the words to append to the core's message, or NULL. */
static char *
dup_start_advice (const GError *error)
{
  if (error->domain != CRIER_SERVER_ERROR)
    return NULL;
  switch ((CrierServerError) error->code)
    {
    case CRIER_SERVER_ERROR_ADDRESS_IN_USE:
      return g_strdup (_ (" (is another Crier, soketi or laravel-websockets running? choose "
                          "another with --port)"));
    case CRIER_SERVER_ERROR_METRICS_ADDRESS_IN_USE:
      return g_strdup (_ (" (choose another with --metrics-port)"));
    case CRIER_SERVER_ERROR_TLS:
    case CRIER_SERVER_ERROR_BAD_ADDRESS:
    case CRIER_SERVER_ERROR_UNKNOWN_APP:
    case CRIER_SERVER_ERROR_INVALID:
    case CRIER_SERVER_ERROR_TOO_LARGE:
    default:
      return NULL;
    }
}

/* Parses argv into options; returns -1 to go on, else the exit status (--version, a bad
 * option). */
static int
parse_cli_options (CliOptions *options,
                   int        *argc,
                   char     ***argv)
{
  /* --help lists --server, the server options, then the rest, as it always did. */
  const GOptionEntry first_entries[] = {
    { "server", 0, 0, G_OPTION_ARG_NONE, &options->server,
      N_ ("Run the server without a window"), NULL },
    { NULL }
  };
  const GOptionEntry entries[] = {
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &options->verbose,
      N_ ("Print every connection, subscription and event as it happens"), NULL },
    { "log-format", 0, 0, G_OPTION_ARG_STRING, &options->log_format,
      N_ ("Output format of the log and of --verbose: text or json"), N_ ("FORMAT") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options->version,
      N_ ("Print the version and exit"), NULL },
    { NULL }
  };
  g_autofree GOptionEntry *server_entries = crier_server_options_dup_entries (&options->server_options);
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _ ("A Pusher-compatible WebSocket server with a live debug dashboard."));
  g_option_context_set_description (context,
                                    _ ("Without --server, Crier opens its window. `crier send --help` shows how to fire test events,\n"
                                       "`crier tail --help` how to follow a running server from the terminal.\n"
                                       "Without --config, one app is served whose id, key and secret come from PUSHER_APP_ID,\n"
                                       "PUSHER_APP_KEY and PUSHER_APP_SECRET (default app-id, app-key, app-secret)."));
  g_option_context_add_main_entries (context, first_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, server_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("crier: %s\n", error->message);
      return 2;
    }
  if (options->version)
    {
      printf ("crier %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (options->log_format != NULL && !g_str_equal (options->log_format, "text") &&
      !g_str_equal (options->log_format, "json"))
    {
      g_printerr (_ ("crier: --log-format must be text or json, not “%s”\n"), options->log_format);
      return 2;
    }
  return -1;
}

/* Serves until SIGINT/SIGTERM (and the grace after it). */
static void
serve (Headless *headless)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint sigint_id, sigterm_id;

  headless->loop = loop;
  sigint_id = g_unix_signal_add (SIGINT, signal_cb, headless);
  sigterm_id = g_unix_signal_add (SIGTERM, signal_cb, headless);
  g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_clear_handle_id (&headless->grace_id, g_source_remove);
  headless->loop = NULL;
}

static int
run_server (int    argc,
            char **argv)
{
  g_auto (CliOptions) options = { { NULL } };
  g_autoptr (GError) error = NULL;
  g_autoptr (CrierConfig) config = NULL;
  g_autoptr (CrierServer) server = NULL;
  Headless headless = { 0 };
  int      status;

  if ((status = parse_cli_options (&options, &argc, &argv)) >= 0)
    return status;
  headless.json = g_strcmp0 (options.log_format, "json") == 0;
  if (headless.json)
    crier_log_use_json ();
  if ((config = crier_server_options_new_config (&options.server_options, &error)) == NULL)
    {
      g_printerr ("crier: %s\n", error->message);
      return error->domain == CRIER_SERVER_OPTIONS_ERROR ? 2 : 1; /* usage, or the file */
    }

  server = crier_server_new (config);
  headless.server = server;
  if (options.verbose)
    g_signal_connect (crier_server_get_monitor (server), "event", G_CALLBACK (monitor_event_cb),
                      &headless);
  if (crier_server_start (server, &error))
    {
      print_banner (server);
      serve (&headless);
      status = 0;
    }
  else
    {
      g_autofree char *advice = dup_start_advice (error);

      g_printerr ("crier: %s%s\n", error->message, advice != NULL ? advice : "");
      status = 1;
    }
  g_signal_handlers_disconnect_by_data (crier_server_get_monitor (server), &headless);
  return status;
}

int
crier_cli_run (int    argc,
               char **argv)
{
  /* Output goes to pipes in CI and containers: line by line, not in 4 KiB blocks. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  signal (SIGPIPE, SIG_IGN);
  if (argc > 1 && g_str_equal (argv[1], "send"))
    return crier_send_run (argc, argv);
  if (argc > 1 && g_str_equal (argv[1], "tail"))
    return crier_tail_run (argc, argv);
  return run_server (argc, argv);
}
