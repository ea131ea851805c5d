/* load-protocol.h — the Pusher side of a WebSocket connection: welcome, subscribe, events
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "load-run.h"

G_BEGIN_DECLS

void load_protocol_message (LoadConnTable *table,
                            LoadConn      *c,
                            const char    *msg,
                            size_t         len,
                            gint64         now,
                            gpointer       user_data);
void load_protocol_keepalive (LoadRun *run,
                              gint64   now);

G_END_DECLS
