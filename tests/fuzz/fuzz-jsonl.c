/* fuzz-jsonl.c — libFuzzer target: the JSON Lines reader of monitor events (log imports)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-fuzz"

#include "config.h"

#include "crier-monitor-event.h"
#include "fuzz-common.h"

/* Whatever the reader accepts, the writer writes back as a line the reader accepts and
 * that reads back the same, and the --verbose text form can show. */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *line = g_strndup ((const char *) data, size);
  g_autoptr (CrierMonitorEvent) event = NULL;
  g_autoptr (CrierMonitorEvent) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;
  g_autofree char *text = NULL;

  event = crier_monitor_event_new_from_json (line, &error);
  if (event == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }
  json = crier_monitor_event_to_json (event);
  text = crier_monitor_event_to_text (event);
  again = crier_monitor_event_new_from_json (json, &error);
  g_assert_no_error (error);
  json_again = crier_monitor_event_to_json (again);
  g_assert_cmpstr (json, ==, json_again);
  return 0;
}
