/* crier-monitor.c — the stream of everything that happens in the server
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-monitor"

#include "config.h"

#include "crier-monitor.h"

struct _CrierMonitor
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (CrierMonitor, crier_monitor, G_TYPE_OBJECT)

enum
{
  SIGNAL_EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
crier_monitor_class_init (CrierMonitorClass *klass)
{
  /**
   * CrierMonitor::event:
   * @event: (transfer none): what happened; immutable, ref it to keep it
   */
  signals[SIGNAL_EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1,
                                        CRIER_TYPE_MONITOR_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
crier_monitor_init (CrierMonitor *self)
{
}

CrierMonitor *
crier_monitor_new (void)
{
  return g_object_new (CRIER_TYPE_MONITOR, NULL);
}

/* The hot path asks before it builds an event nobody would see. */
gboolean
crier_monitor_is_active (CrierMonitor *self)
{
  return g_signal_has_handler_pending (self, signals[SIGNAL_EVENT], 0, TRUE);
}

static void
make_valid (char **text)
{
  if (*text != NULL && !g_utf8_validate (*text, -1, NULL))
    {
      char *valid = g_utf8_make_valid (*text, -1);

      g_free (*text);
      *text = valid;
    }
}

/* Takes ownership of event. */
void
crier_monitor_emit (CrierMonitor      *self,
                    CrierMonitorEvent *event)
{
  g_return_if_fail (CRIER_IS_MONITOR (self));
  /* Events carry bytes clients sent (an HTTP request path, an Origin header) to JSON
   * Lines, the terminal and GTK labels, which all need UTF-8: invalid sequences become
   * U+FFFD here, once, before the event is shared and immutable. */
  make_valid (&event->app_id);
  make_valid (&event->socket_id);
  make_valid (&event->channel);
  make_valid (&event->event);
  make_valid (&event->data);
  make_valid (&event->user_id);
  make_valid (&event->remote);
  make_valid (&event->message);
  make_valid (&event->explanation);
  make_valid (&event->details);
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, event);
  crier_monitor_event_unref (event);
}
