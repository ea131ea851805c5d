/* crier-load.c — single-threaded WebSocket/HTTP load generator for bench/run
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Speaks just enough Pusher protocol 7 to open many subscribed connections, relay
 * client events through one channel and trigger events through the HTTP API, and
 * checks every delivery.  Results go to stdout as key=value lines; diagnostics go to
 * stderr.  Exit status: 0 ok, 1 FAIL, 2 usage, 3 HTTP API not available (404).
 *
 * This file reads the command line; bench/README.md lists the others. */

#define G_LOG_DOMAIN "crier-load"

#include <stdio.h>

#include "load-connection.h"
#include "load-scenarios.h"
#include "load-verdict.h"

static LoadOptions opt = {
  .port = 6001,
  .connections = 19000,
  .subscribers = 100,
  .messages = 10000,
  .warmup = 0,
  .window = 20,
  .concurrency = 100,
  .http_connections = 8,
  .timeout = 300,
  .stall = 15,
  .server_pid = 0,
  .settle = 1.0,
  .last = 1000,
  .sources = 16,
};

static const GOptionEntry common_entries[] = {
  { "host", 0, 0, G_OPTION_ARG_STRING, &opt.host, "Server address (127.0.0.1)", "IPV4" },
  { "port", 'p', 0, G_OPTION_ARG_INT, &opt.port, "Server port (6001)", "PORT" },
  { "sub-ports", 0, 0, G_OPTION_ARG_STRING, &opt.sub_ports_arg,
    "Subscribers connect to these ports in turn, the publisher and HTTP to --port (a cluster's nodes)", "P1,P2,..." },
  { "app-id", 0, 0, G_OPTION_ARG_STRING, &opt.app_id, "App id for the HTTP API (app-id)", "ID" },
  { "key", 0, 0, G_OPTION_ARG_STRING, &opt.key, "App key (app-key)", "KEY" },
  { "secret", 0, 0, G_OPTION_ARG_STRING, &opt.secret, "App secret (app-secret)", "SECRET" },
  { "channel", 'c', 0, G_OPTION_ARG_STRING, &opt.channel, "Channel", "NAME" },
  { "event", 'e', 0, G_OPTION_ARG_STRING, &opt.event, "Event name published and expected", "NAME" },
  { "concurrency", 0, 0, G_OPTION_ARG_INT, &opt.concurrency, "Connection handshakes in flight at once (100)", "N" },
  { "timeout", 't', 0, G_OPTION_ARG_INT, &opt.timeout, "Give up after this many seconds (300)", "S" },
  { "stall", 0, 0, G_OPTION_ARG_INT, &opt.stall, "Give up after this many seconds without progress (15)", "S" },
  { "server-pid", 0, 0, G_OPTION_ARG_INT, &opt.server_pid, "Server process for RSS and CPU figures", "PID" },
  { "other-pids", 0, 0, G_OPTION_ARG_STRING, &opt.other_pids_arg,
    "More server-side processes (other nodes, Redis) for the server-side CPU figure", "PID,PID,..." },
  { "sources", 0, 0, G_OPTION_ARG_INT, &opt.sources, "Loopback source addresses 127.0.0.1 .. 127.0.0.N to spread over (16)", "N" },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt.verbose, "Print every message sent and received (small runs only)", NULL },
  { "settle", 0, 0, G_OPTION_ARG_DOUBLE, &opt.settle, "Seconds to wait for stray messages or memory to settle (1)", "S" },
  { NULL }
};

static const GOptionEntry idle_entries[] = {
  { "connections", 'n', 0, G_OPTION_ARG_INT, &opt.connections, "Connections to open (19000)", "N" },
  { "last", 0, 0, G_OPTION_ARG_INT, &opt.last, "Also report the setup rate of the last N connections (1000)", "N" },
  { NULL }
};

static const GOptionEntry delivery_entries[] = {
  { "subscribers", 's', 0, G_OPTION_ARG_INT, &opt.subscribers, "Subscribers on the channel (100)", "N" },
  { "messages", 'm', 0, G_OPTION_ARG_INT, &opt.messages, "Messages or requests measured (10000)", "M" },
  { "warmup", 0, 0, G_OPTION_ARG_INT, &opt.warmup, "Messages sent and checked before measuring (0)", "N" },
  { "window", 'w', 0, G_OPTION_ARG_INT, &opt.window, "Messages in flight at most: i is sent once i-W reached everyone (20)", "W" },
  { "http-connections", 'k', 0, G_OPTION_ARG_INT, &opt.http_connections, "Keep-alive HTTP connections (8)", "K" },
  { "rate", 'r', 0, G_OPTION_ARG_INT, &opt.rate, "api: requests per second offered (0: as fast as --window lets)", "R" },
  { "pause", 0, 0, G_OPTION_ARG_DOUBLE, &opt.pause,
    "api: seconds to wait between the connections' setup and the first request (0)", "S" },
  { NULL }
};

static const GOptionEntry free_port_entries[] = {
  { "udp", 0, 0, G_OPTION_ARG_NONE, &opt.udp, "A UDP port instead of TCP", NULL },
  { NULL }
};

static void
usage (void)
{
  fprintf (stderr,
           "Usage: crier-load COMMAND [OPTIONS]\n"
           "\n"
           "Commands:\n"
           "  idle       open N subscribed connections; setup rate and server memory per connection\n"
           "  fanout     one publisher, S subscribers, client events on a private channel\n"
           "  api        signed POST /apps/ID/events from K keep-alive connections to S subscribers\n"
           "  selftest   check signatures and parsing against known answers\n"
           "  free-port  print a free loopback port\n"
           "\n"
           "crier-load COMMAND --help lists the options.\n");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *summary = NULL;
  const char      *command;

  if (argc < 2 || argv[1][0] == '-')
    {
      usage ();
      return LOAD_EXIT_USAGE;
    }
  command = argv[1];
  if (!g_str_equal (command, "idle") && !g_str_equal (command, "fanout") &&
      !g_str_equal (command, "api") && !g_str_equal (command, "selftest") &&
      !g_str_equal (command, "free-port"))
    {
      usage ();
      return LOAD_EXIT_USAGE;
    }

  summary = g_strdup_printf ("crier-load %s", command);
  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, summary);
  if (g_str_equal (command, "free-port"))
    g_option_context_add_main_entries (context, free_port_entries, NULL);
  else
    g_option_context_add_main_entries (context, common_entries, NULL);
  if (g_str_equal (command, "idle"))
    g_option_context_add_main_entries (context, idle_entries, NULL);
  else if (g_str_equal (command, "fanout") || g_str_equal (command, "api"))
    g_option_context_add_main_entries (context, delivery_entries, NULL);
  argv[1] = argv[0];
  argc--;
  argv++;
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "crier-load: %s\n", error->message);
      return LOAD_EXIT_USAGE;
    }

  if (opt.host == NULL)
    opt.host = g_strdup ("127.0.0.1");
  if (opt.app_id == NULL)
    opt.app_id = g_strdup ("app-id");
  if (opt.key == NULL)
    opt.key = g_strdup ("app-key");
  if (opt.secret == NULL)
    opt.secret = g_strdup ("app-secret");
  if (opt.channel == NULL)
    opt.channel = g_strdup (g_str_equal (command, "fanout") ? "private-bench"
                            : g_str_equal (command, "api")  ? "bench-api"
                                                            : "bench-idle");
  if (opt.event == NULL)
    opt.event = g_strdup (g_str_equal (command, "api") ? "bench-api" : "client-bench");
  if (opt.sub_ports_arg != NULL)
    {
      opt.n_sub_ports = load_parse_ports (opt.sub_ports_arg, opt.sub_ports, LOAD_MAX_SUB_PORTS);
      if (opt.n_sub_ports == 0)
        {
          fprintf (stderr, "crier-load: --sub-ports needs 1 to %d comma-separated ports, got %s\n",
                   LOAD_MAX_SUB_PORTS, opt.sub_ports_arg);
          return LOAD_EXIT_USAGE;
        }
    }
  if (opt.other_pids_arg != NULL)
    {
      g_auto (GStrv) pids = g_strsplit (opt.other_pids_arg, ",", -1);
      guint64 pid;

      for (unsigned i = 0; pids[i] != NULL; i++)
        if (i == LOAD_MAX_OTHER_PIDS || !g_ascii_string_to_unsigned (pids[i], 10, 1, G_MAXINT, &pid, NULL))
          {
            fprintf (stderr, "crier-load: --other-pids needs 1 to %d comma-separated process ids, got %s\n",
                     LOAD_MAX_OTHER_PIDS, opt.other_pids_arg);
            return LOAD_EXIT_USAGE;
          }
        else
          opt.other_pids[opt.n_other_pids++] = (int) pid;
    }
  if (opt.connections < 1 || opt.subscribers < 1 || opt.messages < 1 || opt.warmup < 0 ||
      opt.window < 1 || opt.concurrency < 1 || opt.http_connections < 1 || opt.timeout < 1 ||
      opt.stall < 1 || opt.last < 1 || opt.sources < 1 || opt.sources > 254 || opt.rate < 0 ||
      opt.pause < 0 || opt.pause > 60)
    {
      fprintf (stderr, "crier-load: counts must be positive\n");
      return LOAD_EXIT_USAGE;
    }

  if (g_str_equal (command, "idle"))
    return load_idle_run (&opt);
  if (g_str_equal (command, "fanout"))
    return load_fanout_run (&opt);
  if (g_str_equal (command, "api"))
    return load_api_run (&opt);
  if (g_str_equal (command, "free-port"))
    return load_free_port_run (opt.udp);
  return load_selftest_run ();
}
