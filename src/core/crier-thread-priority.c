/* crier-thread-priority.c — the window's thread yields the CPU to the server's
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-host"

#include "config.h"

#include "crier-thread-priority.h"

#include <errno.h>
#include <sys/resource.h>

/* Why: on a busy machine the window's drawing and the server's delivery contend for the
 * same CPU, and a dashboard must never slow the server it shows (architecture.md §3). So
 * the front end's thread lowers its own nice value. A thread inherits its creator's nice
 * value and an unprivileged one cannot raise it again, so server threads (one per start of
 * the server) are not created by the front end's thread but by one launcher thread, made
 * before the front end lowered itself, that lives as long as the process. */

typedef struct
{
  const char *name;
  GThreadFunc func;
  gpointer    data;
  GThread    *thread; /* the answer */
  GMutex      lock;
  GCond       done;
} LaunchRequest;

static gpointer
launcher_thread (gpointer user_data)
{
  GAsyncQueue *queue = user_data;

  for (;;)
    {
      LaunchRequest *request = g_async_queue_pop (queue);
      GThread       *thread = g_thread_new (request->name, request->func, request->data);

      g_mutex_lock (&request->lock);
      request->thread = thread;
      g_cond_signal (&request->done);
      g_mutex_unlock (&request->lock);
    }
  return NULL;
}

static GAsyncQueue *
launcher_queue (void)
{
  static gsize queue;

  if (g_once_init_enter (&queue))
    {
      GAsyncQueue *made = g_async_queue_new ();

      /* Never joined: it serves every later start of a server. */
      g_thread_unref (g_thread_new ("crier-launcher", launcher_thread, made));
      g_once_init_leave (&queue, (gsize) made);
    }
  return (GAsyncQueue *) queue;
}

GThread *
crier_thread_priority_new_thread (const char *name,
                                  GThreadFunc func,
                                  gpointer    data)
{
  LaunchRequest request = { .name = name, .func = func, .data = data };
  GThread      *thread;

  g_return_val_if_fail (func != NULL, NULL);

  g_mutex_init (&request.lock);
  g_cond_init (&request.done);
  g_mutex_lock (&request.lock);
  g_async_queue_push (launcher_queue (), &request);
  while (request.thread == NULL)
    g_cond_wait (&request.done, &request.lock);
  thread = request.thread;
  g_mutex_unlock (&request.lock);
  g_mutex_clear (&request.lock);
  g_cond_clear (&request.done);
  return thread;
}

gboolean
crier_thread_priority_lower_current (int increment)
{
  int current;

  g_return_val_if_fail (increment >= 0, FALSE);

  /* The launcher first, at the priority the process has now. */
  launcher_queue ();
  errno = 0;
  current = getpriority (PRIO_PROCESS, 0);
  if (current == -1 && errno != 0)
    return FALSE;
  /* PRIO_PROCESS with 0 is the calling thread on Linux, not the whole process. */
  if (setpriority (PRIO_PROCESS, 0, MIN (current + increment, 19)) != 0)
    {
      g_debug ("could not lower the front end's priority: %s", g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}
