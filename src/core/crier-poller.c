/* crier-poller.c — one epoll-backed GSource for every client socket
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-server"

#include "config.h"

#include "crier-poller.h"

#include <errno.h>
#include <glib-unix.h>
#include <sys/epoll.h>
#include <unistd.h>

#define BATCH 256

typedef struct
{
  GSource         source;
  int             epoll_fd;
  gpointer        tag;
  CrierPollerFunc ready;
  GSourceFunc     before_batch;
  GSourceFunc     after_batch;
  gpointer        user_data;
} PollerSource;

struct _CrierPoller
{
  PollerSource *source;
};

static gboolean
poller_dispatch (GSource    *source,
                 GSourceFunc callback,
                 gpointer    user_data)
{
  PollerSource      *self = (PollerSource *) source;
  struct epoll_event events[BATCH];
  int                n;

  if (self->before_batch != NULL)
    self->before_batch (self->user_data);
  /* One batch per wake-up: other sources (the listener, timers, the HTTP API) get their
   * turn between batches even under a flood. */
  n = epoll_wait (self->epoll_fd, events, BATCH, 0);
  for (int i = 0; i < n; i++)
    self->ready (events[i].data.ptr, events[i].events, self->user_data);
  if (self->after_batch != NULL)
    self->after_batch (self->user_data);
  return G_SOURCE_CONTINUE;
}

static void
poller_finalize (GSource *source)
{
  PollerSource *self = (PollerSource *) source;

  if (self->epoll_fd >= 0)
    close (self->epoll_fd);
}

static GSourceFuncs poller_funcs = {
  .dispatch = poller_dispatch,
  .finalize = poller_finalize,
};

CrierPoller *
crier_poller_new (CrierPollerFunc ready,
                  GSourceFunc     before_batch,
                  GSourceFunc     after_batch,
                  gpointer        user_data)
{
  CrierPoller  *self = g_new0 (CrierPoller, 1);
  PollerSource *source = (PollerSource *) g_source_new (&poller_funcs, sizeof (PollerSource));

  source->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (source->epoll_fd < 0)
    g_error ("epoll_create1: %s", g_strerror (errno)); /* out of fds at start-up: nothing works */
  source->ready = ready;
  source->before_batch = before_batch;
  source->after_batch = after_batch;
  source->user_data = user_data;
  source->tag = g_source_add_unix_fd ((GSource *) source, source->epoll_fd, G_IO_IN);
  g_source_set_static_name ((GSource *) source, "crier-poller");
  g_source_attach ((GSource *) source, g_main_context_get_thread_default ());
  self->source = source;
  return self;
}

void
crier_poller_free (CrierPoller *self)
{
  g_source_destroy ((GSource *) self->source);
  g_source_unref ((GSource *) self->source);
  g_free (self);
}

gboolean
crier_poller_add (CrierPoller *self,
                  int          fd,
                  guint32      events,
                  gpointer     item)
{
  struct epoll_event event = { .events = events, .data.ptr = item };

  return epoll_ctl (self->source->epoll_fd, EPOLL_CTL_ADD, fd, &event) == 0;
}

void
crier_poller_modify (CrierPoller *self,
                     int          fd,
                     guint32      events,
                     gpointer     item)
{
  struct epoll_event event = { .events = events, .data.ptr = item };

  epoll_ctl (self->source->epoll_fd, EPOLL_CTL_MOD, fd, &event);
}

void
crier_poller_remove (CrierPoller *self,
                     int          fd)
{
  epoll_ctl (self->source->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
}
