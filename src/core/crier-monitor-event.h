/* crier-monitor-event.h — one immutable record of what happened in the server
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "crier-types.h"

G_BEGIN_DECLS

/* Filled in by the emitter, then immutable: the monitor hands the same record to
 * every listener, possibly across threads later. */
struct _CrierMonitorEvent
{
  CrierMonitorKind kind;
  gint64           time;   /* g_get_real_time () */
  char            *app_id; /* nullable, as all strings below */
  char            *socket_id;
  char            *channel;
  char            *event; /* event name (published or client event) */
  char            *data;  /* payload, or presence user_info */
  char            *user_id;
  char            *remote;      /* remote address (connections) */
  char            *message;     /* human-readable detail: reasons, errors */
  char            *explanation; /* plain words: why an auth failed, why nobody got an event */
  char            *details;     /* JSON object text: delivery trace and other structured extras */
  int              code;        /* Pusher or close code, HTTP status; 0 if none */
  unsigned         count;       /* receivers, members or subscribers, by kind */
  unsigned         excluded;    /* event_published: subscribers left out by socket_id (0 or 1) */
  guint64          request_id;  /* links an HTTP API request (api_request) to the
                                 * event_published it caused; 0 if none */
};

#define CRIER_TYPE_MONITOR_EVENT (crier_monitor_event_get_type ())
GType              crier_monitor_event_get_type (void) G_GNUC_CONST;
CrierMonitorEvent *crier_monitor_event_new (CrierMonitorKind kind);
CrierMonitorEvent *crier_monitor_event_ref (CrierMonitorEvent *event);
void               crier_monitor_event_unref (CrierMonitorEvent *event);
char              *crier_monitor_event_to_json (const CrierMonitorEvent *event);
CrierMonitorEvent *crier_monitor_event_new_from_json (const char *line,
                                                      GError    **error);
char              *crier_monitor_event_to_text (const CrierMonitorEvent *event);
const char        *crier_monitor_kind_to_string (CrierMonitorKind kind);
gboolean           crier_monitor_kind_from_string (const char       *name,
                                                   CrierMonitorKind *kind);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrierMonitorEvent, crier_monitor_event_unref)

G_END_DECLS
