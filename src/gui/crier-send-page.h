/* crier-send-page.h — fire test events and Laravel notifications
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "crier-channel-list.h"
#include "crier-connection-list.h"

G_BEGIN_DECLS

#define CRIER_TYPE_SEND_PAGE (crier_send_page_get_type ())
G_DECLARE_FINAL_TYPE (CrierSendPage, crier_send_page, CRIER, SEND_PAGE, GtkWidget)

void crier_send_page_set_server (CrierSendPage *self,
                                 CrierBackend  *server);
void crier_send_page_set_models (CrierSendPage       *self,
                                 CrierConnectionList *connections,
                                 CrierChannelList    *channels);
void crier_send_page_send_focused (CrierSendPage *self);
void crier_send_page_load_event (CrierSendPage *self,
                                 const char    *app_id,
                                 const char    *channel,
                                 const char    *event,
                                 const char    *data);

G_END_DECLS
