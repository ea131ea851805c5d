/* crier-notification.h — the payload of Laravel's BroadcastNotificationCreated
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CRIER_NOTIFICATION_EVENT "Illuminate\\Notifications\\Events\\BroadcastNotificationCreated"
#define CRIER_NOTIFICATION_MODEL "App.Models.User"

char *crier_notification_build_data (const char *data,
                                     const char *type,
                                     char      **id,
                                     GError    **error);
char *crier_notification_channel (const char *model,
                                  const char *user_id);

G_END_DECLS
