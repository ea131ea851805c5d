/* crier-log-columns.h — the event log's cells, made and filled in C
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* In the order of the log's GtkColumnView columns (crier-log-page.ui). */
typedef enum
{
  CRIER_LOG_COLUMN_TIME,
  CRIER_LOG_COLUMN_KIND,
  CRIER_LOG_COLUMN_APP,
  CRIER_LOG_COLUMN_CHANNEL,
  CRIER_LOG_COLUMN_EVENT,
  CRIER_LOG_COLUMN_PAYLOAD,
  CRIER_LOG_N_COLUMNS
} CrierLogColumn;

GtkListItemFactory *crier_log_column_factory_new (CrierLogColumn column);

G_END_DECLS
