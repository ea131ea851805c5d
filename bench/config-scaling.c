/* config-scaling.c — loading and writing a config must stay linear in the number of apps
 * (40 000 apps took 5.5 s to load when each app was checked against all earlier ones).
 * `meson test -C build --benchmark config-scaling`, or run it with a count of apps.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "crier-config-writer.h"
#include "crier-config.h"

/* Linear work takes 4x as long for 4x the apps, quadratic work 16x. Allow for noise on
 * shared cores, not for a square. */
#define MAX_RATIO 8.0

static char *
config_text (unsigned apps)
{
  GString *text = g_string_new ("[server]\nport = 0\n");

  for (unsigned i = 0; i < apps; i++)
    g_string_append_printf (text, "[app:id%u]\nkey = key%u\nsecret = secret%u\n", i, i, i);
  g_string_append (text, "[webhook:last]\napp = id0\nurl = http://127.0.0.1/hook\n");
  return g_string_free (text, FALSE);
}

/* The fastest of three runs of load plus write, in seconds. */
static double
measure (unsigned apps)
{
  g_autofree char *text = config_text (apps);
  double           best = G_MAXDOUBLE;

  for (int run = 0; run < 3; run++)
    {
      g_autoptr (CrierConfig) config = crier_config_new ();
      g_autoptr (GError) error = NULL;
      g_autofree char *written = NULL;
      gint64           start = g_get_monotonic_time ();

      if (!crier_config_load_data (config, text, "bench", &error) ||
          (written = crier_config_write_apps (text, crier_config_get_apps (config), &error)) == NULL)
        g_error ("%u apps: %s", apps, error->message);
      best = MIN (best, (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
    }
  return best;
}

int
main (int   argc,
      char *argv[])
{
  unsigned apps = argc > 1 ? (unsigned) strtoul (argv[1], NULL, 10) : 10000;
  double   small = measure (apps);
  double   large = measure (4 * apps);
  double   ratio = large / MAX (small, 1e-6);

  printf ("apps=%u seconds=%.3f\napps=%u seconds=%.3f\nratio=%.1f (linear 4, quadratic 16, "
          "limit %.0f)\n",
          apps, small, 4 * apps, large, ratio, MAX_RATIO);
  return ratio <= MAX_RATIO ? 0 : 1;
}
