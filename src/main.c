/* main.c — hands the command line to the terminal front end or the window
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "crier-cli.h"
#ifdef CRIER_HAVE_GUI
#include "crier-application.h"
#endif

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* The headless path never creates a GApplication nor initialises GTK. */
  if (crier_cli_handles (argc, argv))
    return crier_cli_run (argc, argv);

#ifdef CRIER_HAVE_GUI
  {
    /* Everything else, --gapplication-service included, goes to the GApplication. */
    g_autoptr (CrierApplication) app = crier_application_new ();

    return g_application_run (G_APPLICATION (app), argc, argv);
  }
#else
  g_printerr (_ ("crier: the dashboard is not available in this build; run “crier --server”\n"));
  return 2;
#endif
}
