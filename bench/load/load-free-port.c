/* load-free-port.c — the free-port command: a loopback port the kernel considers free
 * SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "crier-load"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "load-scenarios.h"
#include "load-verdict.h"

/* for bench/run, which starts servers on it: free right now, not reserved */
int
load_free_port_run (gboolean udp)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t          len = sizeof addr;
  int                fd = socket (AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);

  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 ||
      getsockname (fd, (struct sockaddr *) &addr, &len) < 0)
    {
      perror ("crier-load: free-port");
      return LOAD_EXIT_FAIL;
    }
  g_print ("%d\n", ntohs (addr.sin_port));
  close (fd);
  return 0;
}
