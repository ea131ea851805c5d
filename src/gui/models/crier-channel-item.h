/* crier-channel-item.h — one occupied channel, updated in place
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "crier-member-item.h"
#include "crier-types.h"

G_BEGIN_DECLS

#define CRIER_TYPE_CHANNEL_ITEM (crier_channel_item_get_type ())
G_DECLARE_FINAL_TYPE (CrierChannelItem, crier_channel_item, CRIER, CHANNEL_ITEM, GObject)

CrierChannelItem *crier_channel_item_new (const char *app_id,
                                          const char *name);
const char       *crier_channel_item_get_app_id (CrierChannelItem *self);
const char       *crier_channel_item_get_name (CrierChannelItem *self);
CrierChannelType  crier_channel_item_get_channel_type (CrierChannelItem *self);
unsigned          crier_channel_item_get_subscribers (CrierChannelItem *self);
void              crier_channel_item_set_subscribers (CrierChannelItem *self,
                                                      unsigned          subscribers);
guint64           crier_channel_item_get_events (CrierChannelItem *self);
void              crier_channel_item_set_events (CrierChannelItem *self,
                                                 guint64           events);
GListModel       *crier_channel_item_get_members (CrierChannelItem *self);
void              crier_channel_item_add_member (CrierChannelItem *self,
                                                 const char       *user_id,
                                                 const char       *user_info,
                                                 gboolean          simulated);
GStrv             crier_channel_item_dup_simulated_members (CrierChannelItem *self);
void              crier_channel_item_remove_member (CrierChannelItem *self,
                                                    const char       *user_id);

G_END_DECLS
