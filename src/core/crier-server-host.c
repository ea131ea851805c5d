/* crier-server-host.c — a CrierServer on a thread of its own, reached through the
 * front-end contract only (commands, snapshots, the monitor stream)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-host"

#include "config.h"

#include "crier-server-host.h"

#include <string.h>

#include "crier-thread-priority.h"

/* Why a thread: with the server on the GTK thread, every row GTK measured was time the
 * server did not deliver (architecture.md §3). The host owns the thread, its GMainContext
 * (thread-default there, so the poller, acceptor, SoupServer and webhooks attach to it) and
 * the CrierServer, which is created, run and disposed on that thread only.
 *
 * What crosses threads, and nothing else:
 * - commands: g_main_context_invoke_full () into the server's context; the result goes
 *   back through a GTask made on the caller's context (GTask may return from any thread);
 * - snapshots: deep copies made on the server's thread while the caller waits (a mutex and
 *   a condition). They are small, and the models take them where they need an answer
 *   in order (creation, a restart, a once-a-second counter refresh); the server answers
 *   between two dispatches of its loop, so the wait is one poller batch at most;
 * - monitor events (immutable, atomically refcounted): queued under a mutex by the server's
 *   thread, taken in batches by one timeout on the front end's context, at most every
 *   CRIER_SERVER_HOST_DRAIN_MS, and emitted again on the host's own CrierMonitor. The
 *   queue is bounded: the server's thread never waits for the front end;
 * - running, port, TLS: copied after each change and set on the front end's side.
 *
 * The state both threads reach is HostShared, refcounted on its own, so that nothing the
 * server's thread holds ever keeps the GObject alive (it must be finalized where it
 * lives). HostShared::host is read and written on the front end's thread only. */

typedef struct _HostShared HostShared;

struct _CrierServerHost
{
  GObject       parent_instance;
  HostShared   *shared;
  GThread      *thread;
  CrierConfig  *config; /* the front end's own copy, for display */
  CrierMonitor *monitor;
  gboolean      running;
  unsigned      port;
  gboolean      tls;
  guint64       state_serial; /* the newest state applied */
  guint64       dropped;
};

struct _HostShared
{
  gatomicrefcount  ref;
  GMainContext    *context;    /* the server's */
  GMainContext    *ui_context; /* the front end's */
  GMainLoop       *loop;
  CrierServerHost *host; /* front end's thread only */

  /* the server's thread only */
  CrierServer *server;
  CrierConfig *server_config; /* until the thread has made the server */

  GMutex   lock; /* everything below */
  GCond    cond;
  gboolean ready;
  /* CrierMonitorEvent *, oldest first. An array, not a GQueue: its nodes would be
   * g_slice-allocated here and freed over there, the slow path of GSlice's magazines. */
  GPtrArray *queue;
  guint      limit;
  guint64    dropped; /* since the last drain */
  gboolean   drain_scheduled;
  GSource   *drain; /* the scheduled drain, so that dispose can take it back */
  gint64     last_drain;
  guint64    state_serial; /* counts state changes on the server's thread */
};

enum
{
  PROP_0,
  PROP_RUNNING,
  PROP_PORT,
  PROP_TLS,
  PROP_DROPPED,
  PROP_QUEUE_LIMIT,
  N_PROPS,
  /* CrierBackend's */
  PROP_STATE = N_PROPS,
  PROP_PROBLEM,
};

enum
{
  SIGNAL_DROPPED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static GParamSpec *state_pspec;
static guint       signals[N_SIGNALS];

static void backend_iface_init (CrierBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CrierServerHost, crier_server_host, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (CRIER_TYPE_BACKEND, backend_iface_init))

/* Unrefs every event and empties the array (it has no free function: trimming moves them). */
static void
clear_events (GPtrArray *events)
{
  for (guint i = 0; i < events->len; i++)
    crier_monitor_event_unref (g_ptr_array_index (events, i));
  g_ptr_array_set_size (events, 0);
}

static HostShared *
host_shared_ref (HostShared *sh)
{
  g_atomic_ref_count_inc (&sh->ref);
  return sh;
}

static void
host_shared_unref (HostShared *sh)
{
  if (!g_atomic_ref_count_dec (&sh->ref))
    return;
  g_assert (sh->server == NULL);
  g_clear_object (&sh->server_config);
  clear_events (sh->queue);
  g_ptr_array_unref (sh->queue);
  g_main_loop_unref (sh->loop);
  g_main_context_unref (sh->context);
  g_main_context_unref (sh->ui_context);
  g_mutex_clear (&sh->lock);
  g_cond_clear (&sh->cond);
  g_free (sh);
}

/* --- State: running, port, TLS ------------------------------------------------------- */

typedef struct
{
  HostShared *sh;
  guint64     serial;
  gboolean    running;
  unsigned    port;
  gboolean    tls;
} HostState;

static void
host_state_free (HostState *state)
{
  host_shared_unref (state->sh);
  g_free (state);
}

/* Front end's thread. A state older than one already applied (a round trip's answer
 * may overtake a posted one) changes nothing. */
static void
apply_state (CrierServerHost *self,
             const HostState *state)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (state->serial > self->state_serial)
    {
      self->state_serial = state->serial;
      if (self->port != state->port)
        {
          self->port = state->port;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
        }
      if (self->tls != state->tls)
        {
          self->tls = state->tls;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TLS]);
        }
      if (self->running != state->running)
        {
          self->running = state->running;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
          g_object_notify_by_pspec (G_OBJECT (self), state_pspec);
        }
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
apply_state_cb (gpointer user_data)
{
  HostState *state = user_data;

  if (state->sh->host != NULL)
    apply_state (state->sh->host, state);
  return G_SOURCE_REMOVE;
}

/* Server's thread. */
static HostState *
read_state (HostShared *sh)
{
  HostState *state = g_new0 (HostState, 1);

  state->sh = host_shared_ref (sh);
  g_mutex_lock (&sh->lock);
  state->serial = ++sh->state_serial;
  g_mutex_unlock (&sh->lock);
  state->running = sh->server != NULL && crier_server_is_running (sh->server);
  /* As crier_server_get_port (): the last port listened on stays after a stop. */
  state->port = sh->server != NULL ? crier_server_get_port (sh->server) : 0;
  state->tls = sh->server != NULL && crier_server_is_tls (sh->server);
  return state;
}

static void
server_running_cb (CrierServer *server,
                   GParamSpec  *pspec,
                   HostShared  *sh)
{
  g_main_context_invoke_full (sh->ui_context, G_PRIORITY_DEFAULT, apply_state_cb, read_state (sh),
                              (GDestroyNotify) host_state_free);
}

/* --- The monitor stream ------------------------------------------------------------- */

/* What a flood is made of; dropped first when the queue is full. Failures, connections,
 * subscriptions and members are what the window's lists and the user need most. */
static gboolean
is_ordinary (const CrierMonitorEvent *event)
{
  switch (event->kind)
    {
    case CRIER_MONITOR_EVENT_PUBLISHED:
      return event->count > 0; /* one that reached nobody is kept */
    case CRIER_MONITOR_CLIENT_EVENT:
    case CRIER_MONITOR_CACHE_MISS:
    case CRIER_MONITOR_WEBHOOK_DELIVERED:
      return TRUE;
    case CRIER_MONITOR_API_REQUEST:
      return event->code < 400;
    case CRIER_MONITOR_CONNECTED:
    case CRIER_MONITOR_DISCONNECTED:
    case CRIER_MONITOR_SUBSCRIBED:
    case CRIER_MONITOR_UNSUBSCRIBED:
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
    case CRIER_MONITOR_CHANNEL_VACATED:
    case CRIER_MONITOR_MEMBER_ADDED:
    case CRIER_MONITOR_MEMBER_REMOVED:
    case CRIER_MONITOR_SIGNED_IN:
    case CRIER_MONITOR_AUTH_FAILED:
    case CRIER_MONITOR_PROTOCOL_ERROR:
    case CRIER_MONITOR_SERVER_STARTED:
    case CRIER_MONITOR_SERVER_STOPPED:
    case CRIER_MONITOR_WEBHOOK_FAILED:
    case CRIER_MONITOR_WEBHOOK_DROPPED:
    case CRIER_MONITOR_CLUSTER:
    case CRIER_MONITOR_N_KINDS:
    default:
      return FALSE;
    }
}

/* Lock held. Brings a full queue down to three quarters of its limit in one pass (so a
 * flood pays for it once per limit/4 events, not per event): the oldest ordinary events
 * go first, then, if the rest alone overflow, the oldest of any kind. */
static void
trim_queue (HostShared *sh)
{
  GPtrArray *queue = sh->queue;
  guint      target = sh->limit - sh->limit / 4;
  guint      excess = queue->len - target;
  guint      kept = 0;

  for (guint i = 0; i < queue->len; i++)
    {
      CrierMonitorEvent *event = g_ptr_array_index (queue, i);

      if (excess > 0 && is_ordinary (event))
        {
          crier_monitor_event_unref (event);
          sh->dropped++;
          excess--;
        }
      else
        queue->pdata[kept++] = event;
    }
  g_ptr_array_set_size (queue, kept); /* no free function: only the length changes */
  if (excess > 0)
    {
      for (guint i = 0; i < excess; i++)
        crier_monitor_event_unref (g_ptr_array_index (queue, i));
      g_ptr_array_remove_range (queue, 0, excess);
      sh->dropped += excess;
    }
}

static gboolean drain_cb (gpointer user_data);

/* Server's thread: queue the event and make sure one drain is coming, never wait. */
static void
server_event_cb (CrierMonitor      *monitor,
                 CrierMonitorEvent *event,
                 HostShared        *sh)
{
  gint64 delay_us = -1;

  g_mutex_lock (&sh->lock);
  g_ptr_array_add (sh->queue, crier_monitor_event_ref (event));
  if (sh->queue->len > sh->limit)
    trim_queue (sh);
  if (!sh->drain_scheduled)
    {
      sh->drain_scheduled = TRUE;
      delay_us = MAX (0, sh->last_drain + CRIER_SERVER_HOST_DRAIN_MS * 1000 - g_get_monotonic_time ());
    }
  if (delay_us >= 0)
    {
      /* Attached under the lock: dispose finds it either attached or not yet made. */
      sh->drain = g_timeout_source_new ((guint) (delay_us / 1000));
      g_source_set_callback (sh->drain, drain_cb, host_shared_ref (sh),
                             (GDestroyNotify) host_shared_unref);
      g_source_set_static_name (sh->drain, "crier-host-drain");
      g_source_attach (sh->drain, sh->ui_context);
    }
  g_mutex_unlock (&sh->lock);
}

/* Front end's thread: one batch, in the order the server emitted it. */
static gboolean
drain_cb (gpointer user_data)
{
  HostShared *sh = user_data;
  g_autoptr (GPtrArray) batch = NULL;
  guint64 dropped;
  g_autoptr (CrierServerHost) self = sh->host != NULL ? g_object_ref (sh->host) : NULL;

  g_mutex_lock (&sh->lock);
  batch = sh->queue;
  sh->queue = g_ptr_array_sized_new (MAX (batch->len, 64));
  dropped = sh->dropped;
  sh->dropped = 0;
  sh->drain_scheduled = FALSE;
  g_clear_pointer (&sh->drain, g_source_unref);
  sh->last_drain = g_get_monotonic_time ();
  g_mutex_unlock (&sh->lock);

  if (self != NULL && dropped > 0)
    {
      self->dropped += dropped;
      g_signal_emit (self, signals[SIGNAL_DROPPED], 0, dropped);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DROPPED]);
    }
  /* Not crier_monitor_emit (): that one takes the event and makes its text valid, which
   * the server's monitor did already; here the event is only read. */
  for (guint i = 0; i < batch->len && self != NULL; i++)
    g_signal_emit_by_name (self->monitor, "event", g_ptr_array_index (batch, i));
  clear_events (batch);
  return G_SOURCE_REMOVE;
}

/* --- Calls into the server's thread ------------------------------------------------- */

typedef gboolean (*HostFunc) (CrierServer *server,
                              gpointer     data,
                              GError     **error);

/* A round trip: the caller waits on the condition until the server's thread has run func. */
typedef struct
{
  HostShared *sh;
  HostFunc    func;
  gpointer    data;
  gboolean    done;
} SyncCall;

static gboolean
sync_call_cb (gpointer user_data)
{
  SyncCall *call = user_data;

  if (call->sh->server != NULL)
    call->func (call->sh->server, call->data, NULL);
  g_mutex_lock (&call->sh->lock);
  call->done = TRUE;
  g_cond_broadcast (&call->sh->cond);
  g_mutex_unlock (&call->sh->lock);
  return G_SOURCE_REMOVE;
}

static void
run_sync (CrierServerHost *self,
          HostFunc         func,
          gpointer         data)
{
  SyncCall call = { self->shared, func, data, FALSE };

  g_main_context_invoke_full (self->shared->context, G_PRIORITY_DEFAULT, sync_call_cb, &call, NULL);
  g_mutex_lock (&self->shared->lock);
  while (!call.done)
    g_cond_wait (&self->shared->cond, &self->shared->lock);
  g_mutex_unlock (&self->shared->lock);
}

/* A command: runs on the server's thread, answers on the caller's context. The GTask is
 * made, returned and released on the caller's thread only: it holds the host, and the
 * host must never be released on the server's thread (its dispose joins that thread). */
typedef struct
{
  HostShared *sh;
  HostFunc    func;
  GTask      *task;
  gboolean    ran;
  gboolean    ok;
  GError     *error;
} Command;

static void
command_free (Command *command)
{
  g_clear_object (&command->task);
  g_clear_error (&command->error);
  host_shared_unref (command->sh);
  g_free (command);
}

/* Caller's thread. */
static gboolean
command_return_cb (gpointer user_data)
{
  Command *command = user_data;

  if (!command->ran)
    g_task_return_new_error (command->task, G_IO_ERROR, G_IO_ERROR_CLOSED, "the server is gone");
  else if (!command->ok)
    g_task_return_error (command->task, g_steal_pointer (&command->error));
  else
    g_task_return_boolean (command->task, TRUE);
  return G_SOURCE_REMOVE;
}

/* Server's thread, once the command ran or was dropped with the server's loop (it is not:
 * the thread runs what is left before it ends); the answer goes home. */
static void
command_hand_back (gpointer user_data)
{
  Command *command = user_data;

  g_main_context_invoke_full (command->sh->ui_context, G_PRIORITY_DEFAULT, command_return_cb,
                              command, (GDestroyNotify) command_free);
}

/* Server's thread. */
static gboolean
command_cb (gpointer user_data)
{
  Command *command = user_data;

  if (command->sh->server == NULL)
    return G_SOURCE_REMOVE;
  command->ran = TRUE;
  command->ok = command->func (command->sh->server, g_task_get_task_data (command->task),
                               &command->error);
  /* Start and stop change the state: it travels ahead of the answer (same context, same
   * priority), so the callback already sees the new one. */
  if (command->ok)
    g_main_context_invoke_full (command->sh->ui_context, G_PRIORITY_DEFAULT, apply_state_cb,
                                read_state (command->sh), (GDestroyNotify) host_state_free);
  return G_SOURCE_REMOVE;
}

static void
post_command (CrierServerHost    *self,
              HostFunc            func,
              gpointer            data,
              GDestroyNotify      data_free,
              gpointer            source_tag,
              GCancellable       *cancellable,
              GAsyncReadyCallback callback,
              gpointer            user_data)
{
  Command *command = g_new0 (Command, 1);

  command->sh = host_shared_ref (self->shared);
  command->func = func;
  command->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (command->task, source_tag);
  g_task_set_task_data (command->task, data, data_free);
  g_main_context_invoke_full (self->shared->context, G_PRIORITY_DEFAULT, command_cb, command,
                              command_hand_back);
}

/* Every command's, start and stop included (CrierBackend's command_finish). */
static gboolean
host_command_finish (CrierBackend *backend,
                     GAsyncResult *result,
                     GError      **error)
{
  g_return_val_if_fail (CRIER_IS_SERVER_HOST (backend), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, backend), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- The server's thread ------------------------------------------------------------- */

static gpointer
server_thread (gpointer user_data)
{
  HostShared *sh = user_data;

  g_main_context_push_thread_default (sh->context);
  sh->server = crier_server_new (sh->server_config);
  g_clear_object (&sh->server_config);
  g_signal_connect (crier_server_get_monitor (sh->server), "event", G_CALLBACK (server_event_cb), sh);
  g_signal_connect (sh->server, "notify::running", G_CALLBACK (server_running_cb), sh);
  g_mutex_lock (&sh->lock);
  sh->ready = TRUE;
  g_cond_broadcast (&sh->cond);
  g_mutex_unlock (&sh->lock);

  g_main_loop_run (sh->loop);

  /* Disposed here, where its sources live. Nobody takes its last events any more. */
  g_signal_handlers_disconnect_by_func (sh->server, server_running_cb, sh);
  g_signal_handlers_disconnect_by_func (crier_server_get_monitor (sh->server), server_event_cb, sh);
  crier_server_stop (sh->server, CRIER_CODE_RECONNECT, "Generic reconnect immediately");
  g_clear_object (&sh->server);
  /* Whatever was posted meanwhile runs now and finds no server: every caller is answered. */
  while (g_main_context_iteration (sh->context, FALSE))
    ;
  g_main_context_pop_thread_default (sh->context);
  host_shared_unref (sh);
  return NULL;
}

static gboolean
quit_cb (gpointer user_data)
{
  HostShared *sh = user_data;

  g_main_loop_quit (sh->loop);
  return G_SOURCE_REMOVE;
}

/* --- GObject -------------------------------------------------------------------------- */

static void
crier_server_host_dispose (GObject *object)
{
  CrierServerHost *self = CRIER_SERVER_HOST (object);

  /* Waits for the thread: it stops the server (closing handshakes are begun, not awaited;
   * the window keeps a stopped host a few seconds for them) and disposes it there. */
  if (self->thread != NULL)
    {
      self->shared->host = NULL;
      g_main_context_invoke_full (self->shared->context, G_PRIORITY_DEFAULT, quit_cb,
                                  host_shared_ref (self->shared), (GDestroyNotify) host_shared_unref);
      g_thread_join (g_steal_pointer (&self->thread));
      /* A drain still scheduled holds the shared state, which holds the front end's
       * context: take it back, or neither would ever be freed. */
      g_mutex_lock (&self->shared->lock);
      if (self->shared->drain != NULL)
        g_source_destroy (self->shared->drain);
      g_clear_pointer (&self->shared->drain, g_source_unref);
      self->shared->drain_scheduled = FALSE;
      clear_events (self->shared->queue);
      g_mutex_unlock (&self->shared->lock);
    }
  g_clear_object (&self->config);
  g_clear_object (&self->monitor);
  G_OBJECT_CLASS (crier_server_host_parent_class)->dispose (object);
}

static void
crier_server_host_finalize (GObject *object)
{
  CrierServerHost *self = CRIER_SERVER_HOST (object);

  g_clear_pointer (&self->shared, host_shared_unref);
  G_OBJECT_CLASS (crier_server_host_parent_class)->finalize (object);
}

static void
crier_server_host_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CrierServerHost *self = CRIER_SERVER_HOST (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_TLS:
      g_value_set_boolean (value, self->tls);
      break;
    case PROP_DROPPED:
      g_value_set_uint64 (value, self->dropped);
      break;
    case PROP_QUEUE_LIMIT:
      g_value_set_uint (value, crier_server_host_get_queue_limit (self));
      break;
    case PROP_STATE:
      g_value_set_int (value, self->running ? CRIER_BACKEND_STATE_RUNNING : CRIER_BACKEND_STATE_STOPPED);
      break;
    case PROP_PROBLEM:
      g_value_set_string (value, NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_server_host_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CrierServerHost *self = CRIER_SERVER_HOST (object);

  switch (prop_id)
    {
    case PROP_QUEUE_LIMIT:
      crier_server_host_set_queue_limit (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_server_host_class_init (CrierServerHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = crier_server_host_dispose;
  object_class->finalize = crier_server_host_finalize;
  object_class->get_property = crier_server_host_get_property;
  object_class->set_property = crier_server_host_set_property;

  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, flags);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0, flags);
  properties[PROP_TLS] = g_param_spec_boolean ("tls", NULL, NULL, FALSE, flags);
  properties[PROP_DROPPED] = g_param_spec_uint64 ("dropped", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_QUEUE_LIMIT] = g_param_spec_uint ("queue-limit", NULL, NULL, 4, G_MAXUINT,
                                                    CRIER_SERVER_HOST_DEFAULT_QUEUE_LIMIT,
                                                    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                      G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  g_object_class_override_property (object_class, PROP_STATE, "state");
  g_object_class_override_property (object_class, PROP_PROBLEM, "problem");
  state_pspec = g_object_class_find_property (object_class, "state");

  /* Emitted before the batch that follows the gap: n monitor events were dropped. */
  signals[SIGNAL_DROPPED] = g_signal_new ("dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT64);
}

static void
crier_server_host_init (CrierServerHost *self)
{
  self->monitor = crier_monitor_new ();
}

/* config: what the front end shows (apps, keys, host), kept on the caller's thread;
 * server_config: the server's, built the same way: the host hands it to the server's
 * thread and the caller must not touch it again. Either NULL: from the environment.
 * The caller's thread-default context is where results, state and monitor batches go. */
CrierServerHost *
crier_server_host_new (CrierConfig *config,
                       CrierConfig *server_config)
{
  CrierServerHost *self = g_object_new (CRIER_TYPE_SERVER_HOST, NULL);
  HostShared      *sh = g_new0 (HostShared, 1);

  g_return_val_if_fail (config == NULL || CRIER_IS_CONFIG (config), NULL);
  g_return_val_if_fail (server_config == NULL || CRIER_IS_CONFIG (server_config), NULL);
  g_return_val_if_fail (config == NULL || config != server_config, NULL);

  self->config = config != NULL ? g_object_ref (config) : crier_config_new_from_environment ();
  g_atomic_ref_count_init (&sh->ref);
  g_mutex_init (&sh->lock);
  g_cond_init (&sh->cond);
  sh->queue = g_ptr_array_new ();
  sh->limit = CRIER_SERVER_HOST_DEFAULT_QUEUE_LIMIT;
  sh->context = g_main_context_new ();
  sh->ui_context = g_main_context_ref_thread_default ();
  sh->loop = g_main_loop_new (sh->context, FALSE);
  sh->server_config = server_config != NULL ? g_object_ref (server_config) : NULL;
  sh->host = self;
  self->shared = sh;
  self->thread = crier_thread_priority_new_thread ("crier-server", server_thread, host_shared_ref (sh));
  /* The server exists before the first call can reach it. */
  g_mutex_lock (&sh->lock);
  while (!sh->ready)
    g_cond_wait (&sh->cond, &sh->lock);
  g_mutex_unlock (&sh->lock);
  return self;
}

CrierConfig *
crier_server_host_get_config (CrierServerHost *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER_HOST (self), NULL);
  return self->config;
}

/* The front end's monitor: the server's events, in batches, on the caller's context. */
CrierMonitor *
crier_server_host_get_monitor (CrierServerHost *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER_HOST (self), NULL);
  return self->monitor;
}

gboolean
crier_server_host_is_running (CrierServerHost *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER_HOST (self), FALSE);
  return self->running;
}

unsigned
crier_server_host_get_port (CrierServerHost *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER_HOST (self), 0);
  return self->port;
}

gboolean
crier_server_host_is_tls (CrierServerHost *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER_HOST (self), FALSE);
  return self->tls;
}

/* Monitor events dropped so far because the front end did not take them in time. */
guint64
crier_server_host_get_dropped (CrierServerHost *self)
{
  g_return_val_if_fail (CRIER_IS_SERVER_HOST (self), 0);
  return self->dropped;
}

guint
crier_server_host_get_queue_limit (CrierServerHost *self)
{
  guint limit;

  g_return_val_if_fail (CRIER_IS_SERVER_HOST (self), 0);
  g_mutex_lock (&self->shared->lock);
  limit = self->shared->limit;
  g_mutex_unlock (&self->shared->lock);
  return limit;
}

void
crier_server_host_set_queue_limit (CrierServerHost *self,
                                   guint            limit)
{
  g_return_if_fail (CRIER_IS_SERVER_HOST (self));
  limit = MAX (limit, 4);
  g_mutex_lock (&self->shared->lock);
  if (self->shared->limit == limit)
    {
      g_mutex_unlock (&self->shared->lock);
      return;
    }
  self->shared->limit = limit;
  if (self->shared->queue->len > limit)
    trim_queue (self->shared);
  g_mutex_unlock (&self->shared->lock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUEUE_LIMIT]);
}

/* --- Start and stop ------------------------------------------------------------------- */

typedef struct
{
  GError     *error;
  gboolean    ok;
  HostState  *state;
  HostShared *sh;
} StartCall;

static gboolean
start_sync_func (CrierServer *server,
                 gpointer     data,
                 GError     **unused)
{
  StartCall *call = data;

  call->ok = crier_server_start (server, &call->error);
  call->state = read_state (call->sh);
  return TRUE;
}

/* A round trip, because the window words a failure (port in use) at once and a restart
 * on the same port must not bind before the old server let go of it. The server's thread
 * is idle then (not listening yet), so the wait is the bind's. */
gboolean
crier_server_host_start (CrierServerHost *self,
                         GError         **error)
{
  StartCall call = { NULL, FALSE, NULL, NULL };

  g_return_val_if_fail (CRIER_IS_SERVER_HOST (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  call.sh = self->shared;
  run_sync (self, start_sync_func, &call);
  if (call.state != NULL)
    {
      apply_state (self, call.state);
      host_state_free (call.state);
    }
  if (!call.ok)
    {
      if (call.error == NULL)
        g_set_error_literal (&call.error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the server is gone");
      g_propagate_error (error, call.error);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  guint16 code;
  char   *reason;
} StopData;

static void
stop_data_free (StopData *data)
{
  g_free (data->reason);
  g_free (data);
}

static gboolean
stop_func (CrierServer *server,
           gpointer     data,
           GError     **error)
{
  StopData *stop = data;

  crier_server_stop (server, stop->code, stop->reason);
  return TRUE;
}

/* Stops listening and begins the closing handshakes (code 4200: clients reconnect); the
 * caller waits until the port is free, so that a new server may bind it at once. */
void
crier_server_host_stop (CrierServerHost *self,
                        guint16          code,
                        const char      *reason)
{
  StopData   stop = { code, (char *) reason };
  HostState *state = NULL;

  g_return_if_fail (CRIER_IS_SERVER_HOST (self));
  run_sync (self, stop_func, &stop);
  /* Stopped now: no need to read it over there. */
  state = g_new0 (HostState, 1);
  state->sh = host_shared_ref (self->shared);
  g_mutex_lock (&self->shared->lock);
  state->serial = ++self->shared->state_serial;
  g_mutex_unlock (&self->shared->lock);
  state->port = self->port;
  state->tls = self->tls;
  apply_state (self, state);
  host_state_free (state);
}

static gboolean
start_func (CrierServer *server,
            gpointer     data,
            GError     **error)
{
  return crier_server_start (server, error);
}

void
crier_server_host_start_async (CrierServerHost    *self,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_return_if_fail (CRIER_IS_SERVER_HOST (self));
  post_command (self, start_func, NULL, NULL, crier_server_host_start_async, cancellable,
                callback, user_data);
}

void
crier_server_host_stop_async (CrierServerHost    *self,
                              guint16             code,
                              const char         *reason,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  StopData *stop = g_new0 (StopData, 1);

  g_return_if_fail (CRIER_IS_SERVER_HOST (self));
  stop->code = code;
  stop->reason = g_strdup (reason);
  post_command (self, stop_func, stop, (GDestroyNotify) stop_data_free,
                crier_server_host_stop_async, cancellable, callback, user_data);
}

/* --- Commands ----------------------------------------------------------------------- */

/* The arguments of every command, copied for the server's thread. */
typedef struct
{
  char   *app_id;
  GStrv   channels;
  char   *channel;
  char   *event;
  char   *data;
  char   *socket_id; /* excluded socket, or the one to disconnect */
  char   *user_id;
  char   *user_info;
  guint16 code;
  char   *reason;
  gint64  receivers; /* a publication's, set on the server's thread before the answer */
} CommandArgs;

static void
command_args_free (CommandArgs *args)
{
  g_free (args->app_id);
  g_strfreev (args->channels);
  g_free (args->channel);
  g_free (args->event);
  g_free (args->data);
  g_free (args->socket_id);
  g_free (args->user_id);
  g_free (args->user_info);
  g_free (args->reason);
  g_free (args);
}

static gboolean
publish_func (CrierServer *server,
              gpointer     data,
              GError     **error)
{
  CommandArgs *args = data;

  return crier_server_publish_counted (server, args->app_id, (const char *const *) args->channels,
                                       args->event, args->data, args->socket_id, &args->receivers,
                                       error);
}

static void
host_publish (CrierBackend       *backend,
              const char         *app_id,
              const char *const  *channels,
              const char         *event,
              const char         *data,
              const char         *except_socket_id,
              GCancellable       *cancellable,
              GAsyncReadyCallback callback,
              gpointer            user_data)
{
  CrierServerHost *self = CRIER_SERVER_HOST (backend);
  CommandArgs     *args = g_new0 (CommandArgs, 1);

  args->receivers = CRIER_BACKEND_RECEIVERS_UNKNOWN;
  args->app_id = g_strdup (app_id);
  args->channels = g_strdupv ((char **) channels);
  args->event = g_strdup (event);
  args->data = g_strdup (data);
  args->socket_id = g_strdup (except_socket_id);
  post_command (self, publish_func, args, (GDestroyNotify) command_args_free,
                host_publish, cancellable, callback, user_data);
}

/* The task's data came back from the server's thread with the answer (the same hand-off
 * that carries the result), so the count is read here without a lock. */
static gboolean
host_publish_finish (CrierBackend *backend,
                     GAsyncResult *result,
                     gint64       *receivers,
                     GError      **error)
{
  CommandArgs *args;

  g_return_val_if_fail (g_async_result_is_tagged (result, host_publish), FALSE);
  if (!host_command_finish (backend, result, error))
    return FALSE;
  args = g_task_get_task_data (G_TASK (result));
  if (receivers != NULL)
    *receivers = args->receivers;
  return TRUE;
}

static gboolean
client_event_func (CrierServer *server,
                   gpointer     data,
                   GError     **error)
{
  CommandArgs *args = data;

  return crier_server_send_client_event (server, args->app_id, args->channel, args->event,
                                         args->data, args->user_id, error);
}

static void
host_send_client_event (CrierBackend       *backend,
                        const char         *app_id,
                        const char         *channel,
                        const char         *event,
                        const char         *data,
                        const char         *user_id,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  CrierServerHost *self = CRIER_SERVER_HOST (backend);
  CommandArgs     *args = g_new0 (CommandArgs, 1);

  args->app_id = g_strdup (app_id);
  args->channel = g_strdup (channel);
  args->event = g_strdup (event);
  args->data = g_strdup (data);
  args->user_id = g_strdup (user_id);
  post_command (self, client_event_func, args, (GDestroyNotify) command_args_free,
                host_send_client_event, cancellable, callback, user_data);
}

static gboolean
add_member_func (CrierServer *server,
                 gpointer     data,
                 GError     **error)
{
  CommandArgs *args = data;

  return crier_server_add_simulated_member (server, args->app_id, args->channel, args->user_id,
                                            args->user_info, error);
}

static void
host_add_simulated_member (CrierBackend       *backend,
                           const char         *app_id,
                           const char         *channel,
                           const char         *user_id,
                           const char         *user_info,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  CrierServerHost *self = CRIER_SERVER_HOST (backend);
  CommandArgs     *args = g_new0 (CommandArgs, 1);

  args->app_id = g_strdup (app_id);
  args->channel = g_strdup (channel);
  args->user_id = g_strdup (user_id);
  args->user_info = g_strdup (user_info);
  post_command (self, add_member_func, args, (GDestroyNotify) command_args_free,
                host_add_simulated_member, cancellable, callback, user_data);
}

static gboolean
remove_member_func (CrierServer *server,
                    gpointer     data,
                    GError     **error)
{
  CommandArgs *args = data;

  return crier_server_remove_simulated_member (server, args->app_id, args->channel,
                                               args->user_id, error);
}

static void
host_remove_simulated_member (CrierBackend       *backend,
                              const char         *app_id,
                              const char         *channel,
                              const char         *user_id,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  CrierServerHost *self = CRIER_SERVER_HOST (backend);
  CommandArgs     *args = g_new0 (CommandArgs, 1);

  args->app_id = g_strdup (app_id);
  args->channel = g_strdup (channel);
  args->user_id = g_strdup (user_id);
  post_command (self, remove_member_func, args, (GDestroyNotify) command_args_free,
                host_remove_simulated_member, cancellable, callback, user_data);
}

static gboolean
disconnect_func (CrierServer *server,
                 gpointer     data,
                 GError     **error)
{
  CommandArgs *args = data;

  if (crier_server_disconnect (server, args->socket_id, args->code, args->reason))
    return TRUE;
  /* It may have left meanwhile: the front end says so in its own words. */
  g_set_error (error, CRIER_SERVER_ERROR, CRIER_SERVER_ERROR_INVALID, "no connection %s",
               args->socket_id);
  return FALSE;
}

static void
host_disconnect (CrierBackend       *backend,
                 const char         *socket_id,
                 guint16             code,
                 const char         *reason,
                 GCancellable       *cancellable,
                 GAsyncReadyCallback callback,
                 gpointer            user_data)
{
  CrierServerHost *self = CRIER_SERVER_HOST (backend);
  CommandArgs     *args = g_new0 (CommandArgs, 1);

  g_return_if_fail (socket_id != NULL);
  args->socket_id = g_strdup (socket_id);
  args->code = code;
  args->reason = g_strdup (reason);
  post_command (self, disconnect_func, args, (GDestroyNotify) command_args_free,
                host_disconnect, cancellable, callback, user_data);
}

/* --- Snapshots ---------------------------------------------------------------------- */

typedef struct
{
  const char      *app_id;
  const char      *name; /* prefix or channel */
  GPtrArray       *result;
  CrierServerStats stats;
} QueryCall;

static gboolean
dup_connections_func (CrierServer *server,
                      gpointer     data,
                      GError     **error)
{
  QueryCall *call = data;

  call->result = crier_server_dup_connections (server, call->app_id);
  return TRUE;
}

/* Returns: (transfer full): CrierConnectionInfo, empty when the server is gone. */
static GPtrArray *
backend_dup_connections (CrierBackend *backend,
                         const char   *app_id)
{
  QueryCall call = { app_id, NULL, NULL };

  run_sync (CRIER_SERVER_HOST (backend), dup_connections_func, &call);
  return call.result != NULL ? call.result
                             : g_ptr_array_new_with_free_func ((GDestroyNotify) crier_connection_info_free);
}

static gboolean
dup_channels_func (CrierServer *server,
                   gpointer     data,
                   GError     **error)
{
  QueryCall *call = data;

  call->result = crier_server_dup_cluster_channels (server, call->app_id, call->name);
  return TRUE;
}

/* Returns: (transfer full): CrierChannelInfo. */
static GPtrArray *
backend_dup_channels (CrierBackend *backend,
                      const char   *app_id,
                      const char   *prefix)
{
  QueryCall call = { app_id, prefix, NULL };

  run_sync (CRIER_SERVER_HOST (backend), dup_channels_func, &call);
  return call.result != NULL ? call.result
                             : g_ptr_array_new_with_free_func ((GDestroyNotify) crier_channel_info_free);
}

static gboolean
dup_members_func (CrierServer *server,
                  gpointer     data,
                  GError     **error)
{
  QueryCall *call = data;

  call->result = crier_server_dup_cluster_members (server, call->app_id, call->name);
  return TRUE;
}

/* Returns: (transfer full) (nullable): CrierMemberInfo, NULL as crier_server_dup_members (). */
static GPtrArray *
backend_dup_members (CrierBackend *backend,
                     const char   *app_id,
                     const char   *channel)
{
  QueryCall call = { app_id, channel, NULL };

  run_sync (CRIER_SERVER_HOST (backend), dup_members_func, &call);
  return call.result;
}

static gboolean
get_stats_func (CrierServer *server,
                gpointer     data,
                GError     **error)
{
  QueryCall *call = data;

  call->stats = *crier_server_get_stats (server);
  return TRUE;
}

static void
backend_get_stats (CrierBackend     *backend,
                   CrierServerStats *stats)
{
  QueryCall call = { NULL, NULL, NULL };

  memset (&call.stats, 0, sizeof call.stats);
  run_sync (CRIER_SERVER_HOST (backend), get_stats_func, &call);
  *stats = call.stats;
}

static gboolean
dup_cluster_info_func (CrierServer *server,
                       gpointer     data,
                       GError     **error)
{
  *(CrierClusterInfo **) data = crier_server_dup_cluster_info (server);
  return TRUE;
}

/* Returns: (transfer full) (nullable): the node's place in its cluster; NULL without
 * [cluster] or while the server is not running. */
static CrierClusterInfo *
backend_dup_cluster_info (CrierBackend *backend)
{
  CrierClusterInfo *info = NULL;

  run_sync (CRIER_SERVER_HOST (backend), dup_cluster_info_func, &info);
  return info;
}

/* --- CrierBackend --------------------------------------------------------------------- */

static CrierMonitor *
backend_get_monitor (CrierBackend *backend)
{
  return CRIER_SERVER_HOST (backend)->monitor;
}

static CrierBackendState
backend_get_state (CrierBackend *backend)
{
  return CRIER_SERVER_HOST (backend)->running ? CRIER_BACKEND_STATE_RUNNING : CRIER_BACKEND_STATE_STOPPED;
}

static CrierConfig *
backend_get_config (CrierBackend *backend)
{
  return CRIER_SERVER_HOST (backend)->config;
}

static unsigned
backend_get_port (CrierBackend *backend)
{
  return CRIER_SERVER_HOST (backend)->port;
}

static gboolean
backend_is_tls (CrierBackend *backend)
{
  return CRIER_SERVER_HOST (backend)->tls;
}

static CrierBackendFlags
backend_get_flags (CrierBackend *backend)
{
  return CRIER_BACKEND_CAN_START_STOP | CRIER_BACKEND_CAN_LIST_CONNECTIONS | CRIER_BACKEND_CAN_DISCONNECT |
         CRIER_BACKEND_CAN_SIMULATE_MEMBERS | CRIER_BACKEND_CAN_SEND_CLIENT_EVENTS | CRIER_BACKEND_CAN_PUBLISH |
         CRIER_BACKEND_HAS_STATS;
}

static void
backend_iface_init (CrierBackendInterface *iface)
{
  iface->get_monitor = backend_get_monitor;
  iface->get_state = backend_get_state;
  iface->get_config = backend_get_config;
  iface->get_port = backend_get_port;
  iface->is_tls = backend_is_tls;
  iface->get_flags = backend_get_flags;
  iface->dup_connections = backend_dup_connections;
  iface->dup_channels = backend_dup_channels;
  iface->dup_members = backend_dup_members;
  iface->get_stats = backend_get_stats;
  iface->command_finish = host_command_finish;
  iface->publish = host_publish;
  iface->publish_finish = host_publish_finish;
  iface->send_client_event = host_send_client_event;
  iface->add_simulated_member = host_add_simulated_member;
  iface->remove_simulated_member = host_remove_simulated_member;
  iface->disconnect = host_disconnect;
  iface->dup_cluster_info = backend_dup_cluster_info;
}
