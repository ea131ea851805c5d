/* crier-main-context-private.h — timers and idles on the thread-default main context
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include <glib.h>

G_BEGIN_DECLS

/* g_timeout_add (), g_idle_add () and g_source_remove () always use the global default
 * context; in the window the server runs on a thread of its own with its own context
 * (CrierServerHost), so every source of the core is attached to, and found in, the
 * thread-default one. Headless, that is the global default: nothing changes there. */
static inline guint
crier_source_attach_here (GSource    *source,
                          GSourceFunc func,
                          gpointer    data)
{
  guint id;

  g_source_set_callback (source, func, data, NULL);
  id = g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
  return id;
}

static inline guint
crier_timeout_add (guint       interval_ms,
                   GSourceFunc func,
                   gpointer    data)
{
  return crier_source_attach_here (g_timeout_source_new (interval_ms), func, data);
}

static inline guint
crier_timeout_add_seconds (guint       interval_s,
                           GSourceFunc func,
                           gpointer    data)
{
  return crier_source_attach_here (g_timeout_source_new_seconds (interval_s), func, data);
}

static inline guint
crier_idle_add_full (int         priority,
                     GSourceFunc func,
                     gpointer    data)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, priority);
  return crier_source_attach_here (source, func, data);
}

/* For g_clear_handle_id (): the id of a source attached by the functions above. */
static inline void
crier_source_remove (guint id)
{
  GSource *source = g_main_context_find_source_by_id (g_main_context_get_thread_default (), id);

  if (source != NULL)
    g_source_destroy (source);
}

G_END_DECLS
