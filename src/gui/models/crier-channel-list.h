/* crier-channel-list.h — the occupied channels of a server, live
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "crier-channel-item.h"
#include "crier-server.h"

G_BEGIN_DECLS

#define CRIER_TYPE_CHANNEL_LIST (crier_channel_list_get_type ())
G_DECLARE_FINAL_TYPE (CrierChannelList, crier_channel_list, CRIER, CHANNEL_LIST, GObject)

CrierChannelList *crier_channel_list_new (CrierServer *server);
void              crier_channel_list_set_server (CrierChannelList *self,
                                                 CrierServer      *server);
CrierChannelItem *crier_channel_list_find (CrierChannelList *self,
                                           const char       *app_id,
                                           const char       *name);
void              crier_channel_list_flush (CrierChannelList *self);

G_END_DECLS
