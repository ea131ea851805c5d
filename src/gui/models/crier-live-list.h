/* crier-live-list.h — a server's live objects as a GListModel: snapshot, then monitor events
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "crier-backend.h"

G_BEGIN_DECLS

#define CRIER_TYPE_LIVE_LIST (crier_live_list_get_type ())
G_DECLARE_DERIVABLE_TYPE (CrierLiveList, crier_live_list, CRIER, LIVE_LIST, GObject)

/* A subclass names its item type and fills the three hooks; the base class owns the
 * items, the key → item table, the batching and the items_changed positions. */
struct _CrierLiveListClass
{
  GObjectClass parent_class;

  GType       item_type;
  const char *flush_source_name; /* static */

  /* Whether event concerns this list; cheap, runs on every monitor event. */
  gboolean (*accepts) (CrierLiveList     *self,
                       CrierMonitorEvent *event);
  /* Adds server's current objects with crier_live_list_add (). */
  void (*snapshot) (CrierLiveList *self,
                    CrierBackend  *server);
  /* Applies one queued event through add, lookup, remove and the items' setters. */
  void (*apply) (CrierLiveList     *self,
                 CrierMonitorEvent *event);
};

CrierBackend *crier_live_list_get_server (CrierLiveList *self);
void          crier_live_list_set_server (CrierLiveList *self,
                                          CrierBackend  *server);
gpointer      crier_live_list_lookup (CrierLiveList *self,
                                      const char    *key);
void          crier_live_list_add (CrierLiveList *self,
                                   const char    *key,
                                   gpointer       item);
void          crier_live_list_remove (CrierLiveList *self,
                                      const char    *key);
void          crier_live_list_flush (CrierLiveList *self);

G_END_DECLS
