/* load-options.h — crier-load's command line, read-only once parsed
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LOAD_MAX_SUB_PORTS  16
#define LOAD_MAX_OTHER_PIDS 16

typedef struct
{
  char    *host;
  int      port;
  char    *sub_ports_arg; /* --sub-ports as given */
  unsigned n_sub_ports;   /* 0: subscribers connect to port like everything else */
  guint16  sub_ports[LOAD_MAX_SUB_PORTS];
  char    *app_id;
  char    *key;
  char    *secret;
  char    *channel;
  char    *event;
  int      connections;
  int      subscribers;
  int      messages;
  int      warmup;
  int      window;
  int      concurrency;
  int      http_connections;
  int      rate; /* api: requests per second offered, 0: as fast as --window lets */
  int      timeout;
  int      stall;
  int      server_pid;
  char    *other_pids_arg; /* --other-pids as given */
  unsigned n_other_pids;   /* the rest of the server side: other nodes, Redis */
  int      other_pids[LOAD_MAX_OTHER_PIDS];
  double   settle;
  double   pause; /* api: seconds between the connections' setup and the first request */
  int      last;
  int      sources;
  gboolean udp;
  gboolean verbose;
} LoadOptions;

G_END_DECLS
