/* crier-tail.c — `crier tail`: follow a Crier's monitor stream in the terminal (or observe
 * soketi, Reverb or Pusher as a client), or wait for one event and exit (a CI step that
 * asserts what a Laravel job broadcast)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-cli"

#include "config.h"

#include "crier-tail.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "crier-http-client.h"
#include "crier-monitor-event.h"
#include "crier-observer.h"
#include "crier-remote-server.h"
#include "crier-remote.h"

typedef struct
{
  CrierRemote remote;
  char      **channels; /* globs */
  char      **events;   /* globs */
  char      **kinds;
  char       *user;
  char       *until;
  char       *master_key;
  int         timeout; /* seconds, 0: none */
  gboolean    json;
  gboolean    text;
} TailOptions;

static void
tail_options_clear (TailOptions *options)
{
  crier_remote_clear (&options->remote);
  g_strfreev (options->channels);
  g_strfreev (options->events);
  g_strfreev (options->kinds);
  g_free (options->user);
  g_free (options->until);
  g_free (options->master_key);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TailOptions, tail_options_clear)

/* KIND[:CHANNEL[:EVENT]], channel and event as globs. */
typedef struct
{
  CrierMonitorKind kind;
  GPatternSpec    *channel;
  GPatternSpec    *event;
} Until;

/* The connection, its retries and refusals are CrierRemoteServer's; tail prints its
 * stream and turns its states into messages and an exit status. */
typedef struct
{
  TailOptions       *options;
  GMainLoop         *loop;
  CrierRemoteServer *remote;
  CrierObserver     *observer; /* a server without a monitor endpoint */
  GPtrArray         *channel_patterns;
  GPtrArray         *event_patterns;
  Until              until;
  gboolean           has_until;
  gboolean           color;
  gboolean           json;
  gboolean           waiting_said; /* "waiting for the server" printed once per outage */
  gboolean           watching;     /* a snapshot came: the connection is established */
  gboolean           done;
  guint              timeout_id;
  int                status;
} Tail;

static void
finish (Tail *tail,
        int   status)
{
  if (tail->done)
    return;
  tail->done = TRUE;
  tail->status = status;
  g_main_loop_quit (tail->loop);
}

static gboolean
matches_any (GPtrArray  *patterns,
             const char *text)
{
  if (patterns->len == 0)
    return TRUE;
  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < patterns->len; i++)
    if (g_pattern_spec_match_string (g_ptr_array_index (patterns, i), text))
      return TRUE;
  return FALSE;
}

static gboolean
passes_filters (Tail                    *tail,
                const CrierMonitorEvent *event)
{
  TailOptions *options = tail->options;

  if (options->kinds != NULL &&
      !g_strv_contains ((const char *const *) options->kinds, crier_monitor_kind_to_string (event->kind)))
    return FALSE;
  if (options->user != NULL && g_strcmp0 (options->user, event->user_id) != 0)
    return FALSE;
  return matches_any (tail->channel_patterns, event->channel) && matches_any (tail->event_patterns, event->event);
}

static gboolean
meets_until (Tail                    *tail,
             const CrierMonitorEvent *event)
{
  return tail->has_until && event->kind == tail->until.kind &&
         (tail->until.channel == NULL ||
          (event->channel != NULL && g_pattern_spec_match_string (tail->until.channel, event->channel))) &&
         (tail->until.event == NULL ||
          (event->event != NULL && g_pattern_spec_match_string (tail->until.event, event->event)));
}

/* Failures red, publications green, connections dim: what to look at first. */
static const char *
kind_color (CrierMonitorKind kind)
{
  switch (kind)
    {
    case CRIER_MONITOR_AUTH_FAILED:
    case CRIER_MONITOR_PROTOCOL_ERROR:
    case CRIER_MONITOR_WEBHOOK_FAILED:
    case CRIER_MONITOR_WEBHOOK_DROPPED:
      return "\033[1;31m";
    case CRIER_MONITOR_EVENT_PUBLISHED:
    case CRIER_MONITOR_CLIENT_EVENT:
      return "\033[32m";
    case CRIER_MONITOR_CONNECTED:
    case CRIER_MONITOR_DISCONNECTED:
    case CRIER_MONITOR_API_REQUEST:
      return "\033[2m";
    case CRIER_MONITOR_SUBSCRIBED:
    case CRIER_MONITOR_UNSUBSCRIBED:
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
    case CRIER_MONITOR_CHANNEL_VACATED:
    case CRIER_MONITOR_MEMBER_ADDED:
    case CRIER_MONITOR_MEMBER_REMOVED:
    case CRIER_MONITOR_SIGNED_IN:
    case CRIER_MONITOR_CACHE_MISS:
    case CRIER_MONITOR_SERVER_STARTED:
    case CRIER_MONITOR_SERVER_STOPPED:
    case CRIER_MONITOR_WEBHOOK_DELIVERED:
    case CRIER_MONITOR_CLUSTER:
    case CRIER_MONITOR_N_KINDS:
    default:
      return NULL;
    }
}

static void
print_event (Tail                    *tail,
             const CrierMonitorEvent *event,
             const char              *json)
{
  if (tail->json)
    printf ("%s\n", json);
  else
    {
      g_autofree char *line = crier_monitor_event_to_text (event);
      const char      *color = tail->color ? kind_color (event->kind) : NULL;

      if (color != NULL)
        printf ("%s%s\033[0m\n", color, line);
      else
        printf ("%s\n", line);
    }
  fflush (stdout);
}

static void
handle_event (Tail                    *tail,
              const CrierMonitorEvent *event,
              const char              *json)
{
  if (passes_filters (tail, event) || meets_until (tail, event))
    print_event (tail, event, json);
  if (meets_until (tail, event))
    finish (tail, 0);
}

/* From the remote server's monitor, or from the observer. */
static void
event_cb (GObject           *source,
          CrierMonitorEvent *event,
          Tail              *tail)
{
  g_autofree char *json = crier_monitor_event_to_json (event);

  handle_event (tail, event, json);
}

static void
unreadable_event_cb (CrierRemoteServer *remote,
                     const char        *why,
                     Tail              *tail)
{
  g_printerr (_ ("crier tail: ignored an event it cannot read: %s\n"), why);
}

static void
observer_problem_cb (CrierObserver *observer,
                     const char    *message,
                     Tail          *tail)
{
  g_printerr ("crier tail: %s\n", message);
}

/* soketi, Reverb and Pusher have no monitor endpoint: watch as one of their clients. */
static void
observe (Tail *tail)
{
  CrierRemote     *remote = &tail->options->remote;
  g_autofree char *base_url = crier_remote_url (remote, remote->scheme, "", NULL);

  g_printerr (_ ("crier tail: %s:%d has no monitor endpoint (soketi, Reverb or Pusher?): observing it as a "
                 "client of app %s. Such a server does not show its connections; its channels are "
                 "polled, and presence channels list the observer as a member.\n"),
              remote->host, remote->port, remote->app_id);
  tail->observer = crier_observer_new (base_url, remote->app_id, remote->key, remote->secret,
                                       tail->options->master_key, remote->insecure);
  g_signal_connect (tail->observer, "event", G_CALLBACK (event_cb), tail);
  g_signal_connect (tail->observer, "problem", G_CALLBACK (observer_problem_cb), tail);
  crier_observer_start (tail->observer);
}

static void
announce_watching (Tail *tail)
{
  CrierBackend *backend = CRIER_BACKEND (tail->remote);
  g_autoptr (GPtrArray) connections = crier_backend_dup_connections (backend, NULL);
  g_autoptr (GPtrArray) channels = crier_backend_dup_channels (backend, NULL, NULL);

  /* Translators: the first %s is an app id, then host and port */
  g_printerr (_ ("crier tail: watching app %s on %s:%d (%u connections, %u channels occupied)\n"),
              tail->options->remote.app_id, tail->options->remote.host, tail->options->remote.port,
              connections->len, channels->len);
}

static void
state_cb (CrierRemoteServer *remote,
          GParamSpec        *pspec,
          Tail              *tail)
{
  CrierRemote *options = &tail->options->remote;
  const char  *problem = crier_backend_get_problem (CRIER_BACKEND (remote));
  unsigned     http_status = crier_remote_server_get_http_status (remote);

  if (tail->done || tail->observer != NULL)
    return;
  switch (crier_backend_get_state (CRIER_BACKEND (remote)))
    {
    case CRIER_BACKEND_STATE_CONNECTED:
      if (!tail->watching)
        announce_watching (tail);
      tail->watching = TRUE;
      tail->waiting_said = FALSE;
      break;
    case CRIER_BACKEND_STATE_RECONNECTING:
      /* Something else answered in Crier's place (a proxy's 403): waiting will not change it. */
      if (http_status >= 400)
        {
          g_printerr (_ ("crier tail: %s:%d answered %u to /monitor/%s\n"), options->host, options->port,
                      http_status, options->app_id);
          finish (tail, 1);
          break;
        }
      if (!tail->waiting_said)
        g_printerr (_ ("crier tail: %s; retrying until the server answers\n"), problem ? problem : "");
      tail->waiting_said = TRUE;
      tail->watching = FALSE;
      break;
    case CRIER_BACKEND_STATE_REFUSED:
      /* A refusal (wrong secret, unknown app, stale clock): retrying cannot help. */
      g_printerr (_ ("crier tail: the server refused: %s\n"), problem ? problem : "");
      finish (tail, 1);
      break;
    case CRIER_BACKEND_STATE_NOT_CRIER:
      observe (tail);
      break;
    case CRIER_BACKEND_STATE_STOPPED:
    case CRIER_BACKEND_STATE_RUNNING:
    case CRIER_BACKEND_STATE_CONNECTING:
    case CRIER_BACKEND_STATE_OBSERVING:
    default:
      break;
    }
}

static void
missed_cb (CrierRemoteServer *remote,
           guint64            count,
           Tail              *tail)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, count);

  /* Translators: %s is a number of events */
  g_printerr (_ ("crier tail: missed %s events (the terminal read too slowly)\n"), text);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Tail *tail = user_data;

  tail->timeout_id = 0;
  if (tail->has_until)
    {
      g_printerr (_ ("crier tail: no %s event within %d s\n"), tail->options->until, tail->options->timeout);
      finish (tail, 1);
    }
  else
    finish (tail, 0);
  return G_SOURCE_REMOVE;
}

static gboolean
parse_until (Tail       *tail,
             const char *spec)
{
  g_auto (GStrv) parts = g_strsplit (spec, ":", 3);

  if (parts[0] == NULL || !crier_monitor_kind_from_string (parts[0], &tail->until.kind))
    return FALSE;
  if (parts[1] != NULL && *parts[1] != '\0')
    tail->until.channel = g_pattern_spec_new (parts[1]);
  if (parts[1] != NULL && parts[2] != NULL && *parts[2] != '\0')
    tail->until.event = g_pattern_spec_new (parts[2]);
  tail->has_until = TRUE;
  return TRUE;
}

static GPtrArray *
compile_patterns (char **globs)
{
  GPtrArray *patterns = g_ptr_array_new_with_free_func ((GDestroyNotify) g_pattern_spec_free);

  for (guint i = 0; globs != NULL && globs[i] != NULL; i++)
    g_ptr_array_add (patterns, g_pattern_spec_new (globs[i]));
  return patterns;
}

static gboolean
check_kinds (char **kinds)
{
  for (guint i = 0; kinds != NULL && kinds[i] != NULL; i++)
    {
      CrierMonitorKind kind;

      if (!crier_monitor_kind_from_string (kinds[i], &kind))
        {
          g_printerr (_ ("crier tail: unknown kind “%s” (e.g. connected, subscribed, event_published, auth_failed)\n"),
                      kinds[i]);
          return FALSE;
        }
    }
  return TRUE;
}

int
crier_tail_run (int    argc,
                char **argv)
{
  g_auto (TailOptions) options = { 0 };
  g_autofree GOptionEntry *remote_entries = crier_remote_dup_entries (&options.remote);
  const GOptionEntry       entries[] = {
          { "app", 'a', 0, G_OPTION_ARG_STRING, &options.remote.app_id,
            N_ ("App to watch, by id (same as --app-id)"), N_ ("ID") },
          { "channel", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &options.channels,
            N_ ("Only events of channels matching this glob, e.g. 'private-orders.*'; repeatable"), N_ ("GLOB") },
          { "event", 'e', 0, G_OPTION_ARG_STRING_ARRAY, &options.events,
            N_ ("Only events whose name matches this glob; repeatable"), N_ ("GLOB") },
          { "kind", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.kinds,
            N_ ("Only this kind (connected, subscribed, event_published, auth_failed…); repeatable"), N_ ("KIND") },
          { "user", 'u', 0, G_OPTION_ARG_STRING, &options.user, N_ ("Only events of this user id"), N_ ("ID") },
          { "until", 0, 0, G_OPTION_ARG_STRING, &options.until,
            N_ ("Exit 0 at the first event of KIND (on a channel and with a name matching the globs)"),
            N_ ("KIND[:CHANNEL[:EVENT]]") },
          { "timeout", 't', 0, G_OPTION_ARG_INT, &options.timeout,
            N_ ("Stop after this many seconds (with --until: exit 1 if nothing matched)"), N_ ("SECONDS") },
          { "encryption-master-key", 0, 0, G_OPTION_ARG_STRING, &options.master_key,
            N_ ("Base64 of the app's master key: read private-encrypted- channels of a server that is not Crier"),
            N_ ("KEY") },
          { "json", 0, 0, G_OPTION_ARG_NONE, &options.json, N_ ("JSON lines, as --log-format=json writes them"), NULL },
          { "text", 0, 0, G_OPTION_ARG_NONE, &options.text, N_ ("Readable lines, also when not on a terminal"), NULL },
          { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) channel_patterns = NULL;
  g_autoptr (GPtrArray) event_patterns = NULL;
  g_autofree char *base_url = NULL;
  Tail             tail = { 0 };

  g_set_prgname ("crier tail");
  g_option_context_set_summary (context,
                                _ ("Follow what happens in a Crier server: connections, subscriptions, auth failures, "
                                   "broadcasts. Signed with the app's key and secret, like the HTTP API."));
  g_option_context_set_description (context,
                                    _ ("Examples:\n"
                                       "  crier tail --channel 'private-App.Models.User.*'\n"
                                       "  crier tail --until 'event_published:orders:App\\Events\\OrderShipped' --timeout 30\n"));
  g_option_context_add_main_entries (context, remote_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("crier tail: %s\n", error->message);
      return 2;
    }
  if (argc > 2)
    {
      g_printerr (_ ("crier tail: unexpected argument “%s” (see --help)\n"), argv[2]);
      return 2;
    }
  if (!crier_remote_resolve (&options.remote, "crier tail") || !check_kinds (options.kinds))
    return 2;
  if (options.timeout < 0)
    {
      g_printerr (_ ("crier tail: --timeout must be a number of seconds\n"));
      return 2;
    }
  if (options.until != NULL && !parse_until (&tail, options.until))
    {
      g_printerr (_ ("crier tail: --until “%s” does not start with a kind (e.g. event_published:orders)\n"),
                  options.until);
      return 2;
    }

  tail.options = &options;
  tail.json = options.json || (!options.text && !isatty (STDOUT_FILENO));
  tail.color = !tail.json && isatty (STDOUT_FILENO) && g_getenv ("NO_COLOR") == NULL;
  tail.channel_patterns = channel_patterns = compile_patterns (options.channels);
  tail.event_patterns = event_patterns = compile_patterns (options.events);
  tail.loop = g_main_loop_new (NULL, FALSE);
  tail.status = 0;
  base_url = crier_remote_url (&options.remote, options.remote.scheme, "", NULL);
  tail.remote = crier_remote_server_new (base_url, options.remote.app_id, options.remote.key, options.remote.secret,
                                         options.remote.insecure);
  /* Only the stream is printed: no snapshots asked for after the events. */
  crier_remote_server_set_refresh (tail.remote, FALSE);
  crier_remote_server_start (tail.remote);
  /* The only refusal that comes before any answer: the address itself. */
  if (crier_backend_get_state (CRIER_BACKEND (tail.remote)) == CRIER_BACKEND_STATE_REFUSED)
    {
      g_autofree char *url = crier_http_client_dup_monitor_url (base_url, options.remote.app_id, options.remote.key,
                                                                options.remote.secret);

      g_printerr (_ ("crier: “%s” is not a valid server address\n"), url);
      finish (&tail, 2);
    }
  g_signal_connect (crier_backend_get_monitor (CRIER_BACKEND (tail.remote)), "event", G_CALLBACK (event_cb), &tail);
  g_signal_connect (tail.remote, "notify::state", G_CALLBACK (state_cb), &tail);
  g_signal_connect (tail.remote, "notify::problem", G_CALLBACK (state_cb), &tail);
  g_signal_connect (tail.remote, "missed", G_CALLBACK (missed_cb), &tail);
  g_signal_connect (tail.remote, "unreadable-event", G_CALLBACK (unreadable_event_cb), &tail);
  if (options.timeout > 0)
    tail.timeout_id = g_timeout_add_seconds (options.timeout, timeout_cb, &tail);
  if (!tail.done)
    g_main_loop_run (tail.loop);

  g_clear_handle_id (&tail.timeout_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (crier_backend_get_monitor (CRIER_BACKEND (tail.remote)), &tail);
  g_signal_handlers_disconnect_by_data (tail.remote, &tail);
  crier_remote_server_stop (tail.remote);
  g_clear_object (&tail.remote);
  if (tail.observer != NULL)
    {
      g_signal_handlers_disconnect_by_data (tail.observer, &tail);
      crier_observer_stop (tail.observer);
      g_clear_object (&tail.observer);
    }
  g_clear_pointer (&tail.until.channel, g_pattern_spec_free);
  g_clear_pointer (&tail.until.event, g_pattern_spec_free);
  g_main_loop_unref (tail.loop);
  return tail.status;
}
