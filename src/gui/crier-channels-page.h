/* crier-channels-page.h — the occupied channels and their presence members
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "crier-backend.h"
#include "crier-channel-list.h"

G_BEGIN_DECLS

#define CRIER_TYPE_CHANNELS_PAGE (crier_channels_page_get_type ())
G_DECLARE_FINAL_TYPE (CrierChannelsPage, crier_channels_page, CRIER, CHANNELS_PAGE, GtkWidget)

void     crier_channels_page_set_model (CrierChannelsPage *self,
                                        CrierChannelList  *model);
void     crier_channels_page_set_server (CrierChannelsPage *self,
                                         CrierBackend      *server);
gboolean crier_channels_page_select_channel (CrierChannelsPage *self,
                                             const char        *app_id,
                                             const char        *name);
void     crier_channels_page_fill_client_event (CrierChannelsPage *self,
                                                const char        *event,
                                                const char        *data,
                                                const char        *user_id);
void     crier_channels_page_set_cluster_info (CrierChannelsPage      *self,
                                               const CrierClusterInfo *info);

G_END_DECLS
