/* crier-webhooks.h — Pusher webhooks: batched, signed, retried, journaled across restarts
 * and crashes
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include "crier-server.h"

G_BEGIN_DECLS

#define CRIER_TYPE_WEBHOOKS (crier_webhooks_get_type ())
G_DECLARE_FINAL_TYPE (CrierWebhooks, crier_webhooks, CRIER, WEBHOOKS, GObject)

CrierWebhooks *crier_webhooks_new (CrierConfig      *config,
                                   CrierMonitor     *monitor,
                                   CrierServerStats *stats);
gboolean       crier_webhooks_load_spool (CrierWebhooks *self,
                                          GError       **error);
void           crier_webhooks_shutdown (CrierWebhooks *self);
unsigned       crier_webhooks_count_queued (CrierWebhooks *self);
char          *crier_webhooks_dup_spool_path (CrierWebhooks *self);
void           crier_webhooks_set_clustered (CrierWebhooks *self);
void           crier_webhooks_report (CrierWebhooks   *self,
                                      const char      *app_id,
                                      CrierMonitorKind kind,
                                      const char      *channel,
                                      const char      *user_id);

G_END_DECLS
