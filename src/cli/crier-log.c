/* crier-log.c — log output of the headless mode: plain text or JSON lines
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-cli"

#include "config.h"

#include "crier-log.h"

#include <json-glib/json-glib.h>
#include <stdio.h>

static const char *
level_name (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "error";
  if (level & G_LOG_LEVEL_CRITICAL)
    return "critical";
  if (level & G_LOG_LEVEL_WARNING)
    return "warning";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "message";
  if (level & G_LOG_LEVEL_INFO)
    return "info";
  return "debug";
}

/* One JSON object per line on stderr, for log collectors. */
static GLogWriterOutput
json_writer (GLogLevelFlags   level,
             const GLogField *fields,
             gsize            n_fields,
             gpointer         user_data)
{
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonGenerator) generator = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *time = g_date_time_format (now, "%FT%T.%fZ");
  g_autofree char *line = NULL;
  const char      *domain = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
  if (!(level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING |
                 G_LOG_LEVEL_MESSAGE)) &&
      g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, time);
  json_builder_set_member_name (builder, "level");
  json_builder_add_string_value (builder, level_name (level));
  for (gsize i = 0; i < n_fields; i++)
    {
      const char *key = fields[i].key;

      if (fields[i].length >= 0 || g_str_equal (key, "PRIORITY"))
        continue; /* binary fields and syslog priority are not for this log */
      if (g_str_equal (key, "GLIB_DOMAIN"))
        key = "domain";
      else if (g_str_equal (key, "MESSAGE"))
        key = "message";
      json_builder_set_member_name (builder, key);
      json_builder_add_string_value (builder, fields[i].value);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);
  fprintf (stderr, "%s\n", line);
  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

void
crier_log_use_json (void)
{
  g_log_set_writer_func (json_writer, NULL, NULL);
}
