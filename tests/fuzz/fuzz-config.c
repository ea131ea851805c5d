/* fuzz-config.c — libFuzzer target: the config file loader, and the writer the dashboard
 * uses to save apps back into that file
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-fuzz"

#include "config.h"

#include "crier-config-writer.h"
#include "crier-config.h"
#include "crier-server.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (CrierConfig) config = crier_config_new ();
  g_autoptr (CrierConfig) reloaded = NULL;
  g_autoptr (CrierServer) server = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *written = NULL;

  if (!crier_config_load_data (config, text, "fuzz.conf", &error))
    {
      g_assert_nonnull (error);
      return 0;
    }
  /* A server builds its apps from any config that loads (without listening). */
  server = crier_server_new (config);

  /* Saving the apps back into the file it came from gives a file that loads, with the
   * same apps. */
  written = crier_config_write_apps (text, crier_config_get_apps (config), &error);
  g_assert_no_error (error);
  reloaded = crier_config_new ();
  if (!crier_config_load_data (reloaded, written, "written.conf", &error))
    g_error ("the written config does not load: %s\n--- written:\n%s", error->message, written);
  g_assert_cmpuint (crier_config_get_apps (reloaded)->len, ==, crier_config_get_apps (config)->len);
  for (guint i = 0; i < crier_config_get_apps (config)->len; i++)
    {
      CrierAppConfig *app = g_ptr_array_index (crier_config_get_apps (config), i);
      CrierAppConfig *back = crier_config_find_app (reloaded, app->id);

      g_assert_nonnull (back);
      g_assert_cmpstr (back->key, ==, app->key);
      g_assert_cmpstr (back->secret, ==, app->secret);
    }
  return 0;
}
