/* crier-webhook-journal.h — the webhook journal: an append-only JSON Lines file of the webhook
 * requests queued and answered, so that undelivered ones survive a crash
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CRIER_WEBHOOK_JOURNAL_ERROR (crier_webhook_journal_error_quark ())

typedef enum
{
  CRIER_WEBHOOK_JOURNAL_ERROR_NOT_A_JOURNAL, /* the file exists and is something else: left alone */
  CRIER_WEBHOOK_JOURNAL_ERROR_FAILED,        /* it cannot be read or written */
  CRIER_WEBHOOK_JOURNAL_ERROR_IN_USE,        /* another running server has it open */
} CrierWebhookJournalError;

GQuark crier_webhook_journal_error_quark (void);

/* One webhook request (a batch of events for one app and URL) as the journal keeps it. */
typedef struct
{
  guint64 id; /* numbered by the journal; 0 before */
  char   *app_id;
  char   *url;
  gint64  created_ms; /* the body's time_ms */
  char   *body;       /* sent byte for byte, again after a restart */
  gsize   size;       /* of its record in the journal file */
} CrierWebhookEntry;

CrierWebhookEntry *crier_webhook_entry_new (const char *app_id,
                                            const char *url,
                                            gint64      created_ms,
                                            char       *body);
void               crier_webhook_entry_free (CrierWebhookEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrierWebhookEntry, crier_webhook_entry_free)

typedef enum
{
  CRIER_WEBHOOK_DELIVERED, /* answered 2xx */
  CRIER_WEBHOOK_GIVEN_UP,  /* webhook-retry-for ran out */
} CrierWebhookOutcome;

#define CRIER_TYPE_WEBHOOK_JOURNAL (crier_webhook_journal_get_type ())
G_DECLARE_FINAL_TYPE (CrierWebhookJournal, crier_webhook_journal, CRIER, WEBHOOK_JOURNAL, GObject)

/* Reads the journal at path (none yet is fine) and returns it with the requests that have no
 * outcome, in the order they were queued, in *pending (of CrierWebhookEntry). A file that is
 * not a journal is an error and is never written. Nothing is appended before the first
 * crier_webhook_journal_compact (), which rewrites the file with the requests still live. */
CrierWebhookJournal *crier_webhook_journal_open (const char *path,
                                                 unsigned    sync_interval_ms,
                                                 GPtrArray **pending,
                                                 GError    **error);
const char          *crier_webhook_journal_get_path (CrierWebhookJournal *self);
void                 crier_webhook_journal_append (CrierWebhookJournal *self,
                                                   CrierWebhookEntry   *entry);
void                 crier_webhook_journal_finish (CrierWebhookJournal *self,
                                                   CrierWebhookEntry   *entry,
                                                   CrierWebhookOutcome  outcome);
gboolean             crier_webhook_journal_wants_compaction (CrierWebhookJournal *self);
gboolean             crier_webhook_journal_compact (CrierWebhookJournal *self,
                                                    GPtrArray           *live,
                                                    GError             **error);
gboolean             crier_webhook_journal_sync (CrierWebhookJournal *self,
                                                 GError             **error);

G_END_DECLS
