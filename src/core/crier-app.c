/* crier-app.c — one app's live state: its channels and signed-in users
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-server"

#include "config.h"

#include "crier-app-private.h"
#include "crier-channel-private.h"
#include "crier-connection-private.h"

CrierApp *
crier_app_new (CrierAppConfig *config)
{
  CrierApp *app = g_new0 (CrierApp, 1);

  app->config = crier_app_config_ref (config);
  app->channels = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) crier_channel_free);
  app->history = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  app->users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_ptr_array_unref);
  return app;
}

void
crier_app_free (CrierApp *app)
{
  g_hash_table_unref (app->channels);
  g_hash_table_unref (app->users);
  g_hash_table_unref (app->history);
  if (app->past_sockets != NULL)
    g_queue_free_full (app->past_sockets, g_free);
  crier_app_config_unref (app->config);
  g_free (app);
}

CrierChannel *
crier_app_lookup_channel (CrierApp   *app,
                          const char *name)
{
  return g_hash_table_lookup (app->channels, name);
}

CrierChannel *
crier_app_ensure_channel (CrierApp   *app,
                          const char *name)
{
  CrierChannel *channel = g_hash_table_lookup (app->channels, name);

  if (channel == NULL)
    {
      channel = crier_channel_new (app, name);
      g_hash_table_insert (app->channels, channel->name, channel);
    }
  return channel;
}

/* Drops the channel once nothing (subscriber or live cache) keeps it. */
void
crier_app_release_channel (CrierApp     *app,
                           CrierChannel *channel)
{
  if (crier_channel_is_idle (channel, g_get_monotonic_time ()))
    g_hash_table_remove (app->channels, channel->name);
}

void
crier_app_add_user (CrierApp        *app,
                    CrierConnection *conn)
{
  GPtrArray *sockets = g_hash_table_lookup (app->users, conn->user_id);

  if (sockets == NULL)
    {
      sockets = g_ptr_array_new ();
      g_hash_table_insert (app->users, g_strdup (conn->user_id), sockets);
    }
  g_ptr_array_add (sockets, conn);
}

void
crier_app_remove_user (CrierApp        *app,
                       CrierConnection *conn)
{
  GPtrArray *sockets;

  if (conn->user_id == NULL)
    return;
  sockets = g_hash_table_lookup (app->users, conn->user_id);
  if (sockets == NULL)
    return;
  g_ptr_array_remove_fast (sockets, conn);
  if (sockets->len == 0)
    g_hash_table_remove (app->users, conn->user_id);
}

#define HISTORY_LIMIT 10000

/* Events per channel name, kept after the channel itself is gone, so that a hint never
 * says "no event was ever published" about a channel that had some. */
void
crier_app_count_event (CrierApp   *app,
                       const char *channel)
{
  gpointer count;

  if (g_hash_table_lookup_extended (app->history, channel, NULL, &count))
    g_hash_table_insert (app->history, g_strdup (channel),
                         GSIZE_TO_POINTER (GPOINTER_TO_SIZE (count) + 1));
  else if (g_hash_table_size (app->history) < HISTORY_LIMIT)
    g_hash_table_insert (app->history, g_strdup (channel), GSIZE_TO_POINTER (1));
}

guint64
crier_app_count_events (CrierApp   *app,
                        const char *channel)
{
  return GPOINTER_TO_SIZE (g_hash_table_lookup (app->history, channel));
}

/* The sweep: channels nothing keeps any more (crier_channel_is_idle ()). */
void
crier_app_drop_idle_channels (CrierApp *app,
                              gint64    now)
{
  GHashTableIter iter;
  CrierChannel  *channel;

  g_hash_table_iter_init (&iter, app->channels);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &channel))
    if (crier_channel_is_idle (channel, now))
      g_hash_table_iter_remove (&iter);
}

unsigned
crier_app_count_occupied_channels (CrierApp *app)
{
  GHashTableIter iter;
  CrierChannel  *channel;
  unsigned       occupied = 0;

  g_hash_table_iter_init (&iter, app->channels);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &channel))
    occupied += crier_channel_count_subscribers (channel) > 0;
  return occupied;
}

#define PAST_SOCKETS 256

/* Closed sockets of an app, newest first, so that crier-explain.c recognises a stale
 * socket_id. */
void
crier_app_remember_socket (CrierApp   *app,
                           const char *socket_id)
{
  if (app->past_sockets == NULL)
    app->past_sockets = g_queue_new ();
  g_queue_push_head (app->past_sockets, g_strdup (socket_id));
  if (g_queue_get_length (app->past_sockets) > PAST_SOCKETS)
    g_free (g_queue_pop_tail (app->past_sockets));
}
