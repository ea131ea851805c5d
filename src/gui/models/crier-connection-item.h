/* crier-connection-item.h — one open WebSocket connection, updated in place
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "crier-monitor-event.h"

G_BEGIN_DECLS

#define CRIER_TYPE_CONNECTION_ITEM (crier_connection_item_get_type ())
G_DECLARE_FINAL_TYPE (CrierConnectionItem, crier_connection_item, CRIER, CONNECTION_ITEM, GObject)

CrierConnectionItem *crier_connection_item_new (const char *socket_id,
                                                const char *app_id,
                                                gint64      connected_at);
const char          *crier_connection_item_get_socket_id (CrierConnectionItem *self);
const char          *crier_connection_item_get_app_id (CrierConnectionItem *self);
const char          *crier_connection_item_get_remote (CrierConnectionItem *self);
void                 crier_connection_item_set_remote (CrierConnectionItem *self,
                                                       const char          *remote);
const char          *crier_connection_item_get_origin (CrierConnectionItem *self);
void                 crier_connection_item_set_origin (CrierConnectionItem *self,
                                                       const char          *origin);
const char          *crier_connection_item_get_user_id (CrierConnectionItem *self);
void                 crier_connection_item_set_user_id (CrierConnectionItem *self,
                                                        const char          *user_id);
const char *const   *crier_connection_item_get_channels (CrierConnectionItem *self);
void                 crier_connection_item_add_channel (CrierConnectionItem *self,
                                                        const char          *channel);
void                 crier_connection_item_remove_channel (CrierConnectionItem *self,
                                                           const char          *channel);
void                 crier_connection_item_set_counters (CrierConnectionItem *self,
                                                         guint64              messages_in,
                                                         guint64              messages_out);
guint64              crier_connection_item_get_messages_in (CrierConnectionItem *self);
guint64              crier_connection_item_get_messages_out (CrierConnectionItem *self);
GListModel          *crier_connection_item_get_auth_failures (CrierConnectionItem *self);
void                 crier_connection_item_add_auth_failure (CrierConnectionItem *self,
                                                             CrierMonitorEvent   *event);

G_END_DECLS
