/* crier-event-item.h — one row of the event log: a monitor event as a GObject
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "crier-backend.h"
#include "crier-monitor-event.h"

G_BEGIN_DECLS

/* What a row looks like: one colour per family of kinds. */
typedef enum
{
  CRIER_EVENT_CATEGORY_CONNECTION,
  CRIER_EVENT_CATEGORY_SUBSCRIPTION,
  CRIER_EVENT_CATEGORY_MESSAGE,
  CRIER_EVENT_CATEGORY_ERROR,
  CRIER_EVENT_CATEGORY_SERVER,
} CrierEventCategory;

#define CRIER_TYPE_EVENT_ITEM (crier_event_item_get_type ())
G_DECLARE_FINAL_TYPE (CrierEventItem, crier_event_item, CRIER, EVENT_ITEM, GObject)

CrierEventItem          *crier_event_item_new (CrierMonitorEvent *event);
CrierEventItem          *crier_event_item_new_imported (CrierMonitorEvent *event);
gboolean                 crier_event_item_get_imported (CrierEventItem *self);
const char              *crier_event_item_get_explanation (CrierEventItem *self);
const char              *crier_event_item_get_delivery (CrierEventItem *self);
const char              *crier_event_item_get_subtitle (CrierEventItem *self);
char                    *crier_event_item_dup_trace (CrierEventItem *self);
gboolean                 crier_event_item_is_replayable (CrierEventItem *self);
gboolean                 crier_event_item_replay (CrierEventItem     *self,
                                                  CrierBackend       *host,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data,
                                                  GError            **error);
const CrierMonitorEvent *crier_event_item_get_event (CrierEventItem *self);
CrierMonitorKind         crier_event_item_get_kind (CrierEventItem *self);
CrierEventCategory       crier_event_item_get_category (CrierEventItem *self);
const char              *crier_event_item_get_kind_name (CrierEventItem *self);
const char              *crier_event_item_get_kind_label (CrierEventItem *self);
const char *const       *crier_event_item_get_css_classes (CrierEventItem *self);
const char              *crier_event_item_get_time_text (CrierEventItem *self);
const char              *crier_event_item_get_summary (CrierEventItem *self);
const char              *crier_event_item_get_preview (CrierEventItem *self);
char                    *crier_event_item_dup_search_text (CrierEventItem *self);
gboolean                 crier_event_item_is_failure (CrierEventItem *self);
const CrierMonitorEvent *crier_event_item_get_request (CrierEventItem *self);
void                     crier_event_item_set_request (CrierEventItem    *self,
                                                       CrierMonitorEvent *request);
char                    *crier_event_item_dup_details (CrierEventItem *self);
CrierEventCategory       crier_monitor_kind_get_category (CrierMonitorKind kind);
const char              *crier_monitor_kind_get_icon_name (CrierMonitorKind kind);
gboolean                 crier_monitor_event_is_failure (const CrierMonitorEvent *event);

G_END_DECLS
