/* crier-channel-list.h — the occupied channels of a server, live
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "crier-channel-item.h"
#include "crier-live-list.h"

G_BEGIN_DECLS

#define CRIER_TYPE_CHANNEL_LIST (crier_channel_list_get_type ())
G_DECLARE_FINAL_TYPE (CrierChannelList, crier_channel_list, CRIER, CHANNEL_LIST, CrierLiveList)

CrierChannelList *crier_channel_list_new (CrierBackend *server);
CrierChannelItem *crier_channel_list_find (CrierChannelList *self,
                                           const char       *app_id,
                                           const char       *name);

G_END_DECLS
