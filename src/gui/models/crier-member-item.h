/* crier-member-item.h — one member of a presence channel
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CRIER_TYPE_MEMBER_ITEM (crier_member_item_get_type ())
G_DECLARE_FINAL_TYPE (CrierMemberItem, crier_member_item, CRIER, MEMBER_ITEM, GObject)

CrierMemberItem *crier_member_item_new (const char *user_id,
                                        const char *user_info);
const char      *crier_member_item_get_user_id (CrierMemberItem *self);
const char      *crier_member_item_get_user_info (CrierMemberItem *self);
gboolean         crier_member_item_get_simulated (CrierMemberItem *self);
void             crier_member_item_set_simulated (CrierMemberItem *self,
                                                  gboolean         simulated);

G_END_DECLS
