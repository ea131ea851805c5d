/* crier-explain.c — plain-words explanations of auth failures and missed deliveries.
 * Crier sees both sides: it recomputes what the app server could have signed (with every
 * known secret, for earlier sockets, for similar channels) and says which one it was.
 * Only runs after a failure, never on the hot path.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-protocol"

#include "config.h"

#include "crier-explain.h"

#include <string.h>

#include "crier-app-private.h"
#include "crier-channel-private.h"
#include "crier-connection-private.h"
#include "crier-server-private.h"
#include "crier-signature.h"

#define MAX_CHANNEL_CANDIDATES 2000

static gboolean
signs (const char *secret,
       const char *text,
       const char *signature)
{
  g_autofree char *expected = crier_signature_compute (secret, text, -1);

  return crier_signature_equal (expected, signature);
}

static char *
signed_text (const char *socket_id,
             const char *channel,
             const char *channel_data)
{
  return channel_data != NULL ? g_strconcat (socket_id, ":", channel, ":", channel_data, NULL)
                              : g_strconcat (socket_id, ":", channel, NULL);
}

/* Which known secret made this signature over text, if any but the app's own. */
static char *
explain_secret (CrierServer *server,
                CrierApp    *app,
                const char  *text,
                const char  *signature)
{
  GHashTableIter iter;
  CrierApp      *other;

  if (signs (app->config->key, text, signature))
    return g_strdup_printf ("The key and the secret are swapped: the signature was made with the "
                            "app key '%s' as the secret. Check PUSHER_APP_KEY and "
                            "PUSHER_APP_SECRET in the Laravel .env.",
                            app->config->key);
  crier_server_iter_apps (server, &iter);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &other))
    if (other != app && signs (other->config->secret, text, signature))
      return g_strdup_printf ("Wrong secret: the signature was made with the secret of app '%s' "
                              "(key %s), not with the secret of app '%s'. The app server's "
                              "PUSHER_APP_SECRET belongs to the other app.",
                              other->config->id, other->config->key, app->config->id);
  return NULL;
}

/* How many open connections of the app a failed auth is tried against: an attacker's
 * stream of bad signatures must not cost a HMAC per connection of a large server. */
#define OTHER_SOCKETS_TRIED 256

/* Right secret, but the socket id of another connection of the app that is open now: two
 * Echo instances on one page, or a socket id passed between tabs. */
static char *
explain_other_socket (CrierServer     *server,
                      CrierApp        *app,
                      CrierConnection *conn,
                      const char      *channel,
                      const char      *channel_data,
                      const char      *signature)
{
  GHashTableIter   iter;
  CrierConnection *other;
  unsigned         tried = 0;

  g_hash_table_iter_init (&iter, server->connections);
  while (tried < OTHER_SOCKETS_TRIED && g_hash_table_iter_next (&iter, NULL, (gpointer *) &other))
    {
      g_autofree char *text = NULL;

      if (other == conn || other->app != app)
        continue;
      tried++;
      text = signed_text (other->socket_id, channel, channel_data);
      if (signs (app->config->secret, text, signature))
        return g_strdup_printf ("The secret is right, but the signature is for socket %s, another "
                                "connection open now; this connection is %s. The auth request "
                                "carried the other connection's socket_id (two Echo or Pusher "
                                "instances on the page, or a socket id shared between tabs).",
                                other->socket_id, conn->socket_id);
    }
  return NULL;
}

typedef enum
{
  KEY_OWN,
  KEY_IS_SECRET, /* the app's secret where its key belongs */
  KEY_OTHER_APP, /* the key of another app */
  KEY_UNKNOWN,
} KeyDiagnosis;

/* The one diagnosis of a key that should have been app's (channel auth, sign-in, HTTP API). */
static KeyDiagnosis
diagnose_key (CrierServer *server,
              CrierApp    *app,
              const char  *key,
              CrierApp   **owner)
{
  if (crier_signature_equal (app->config->key, key))
    return KEY_OWN;
  if (crier_signature_equal (app->config->secret, key))
    return KEY_IS_SECRET;
  if ((*owner = crier_server_lookup_app_by_key (server, key)) != NULL)
    return KEY_OTHER_APP;
  return KEY_UNKNOWN;
}

static char *
explain_key_part (CrierServer *server,
                  CrierApp    *app,
                  const char  *auth)
{
  const char      *colon = auth != NULL ? strchr (auth, ':') : NULL;
  g_autofree char *key = NULL;
  CrierApp        *owner = NULL;

  if (colon == NULL)
    return g_strdup ("The auth value has no ':': the app server must answer "
                     "{\"auth\":\"<app key>:<signature>\"}.");
  key = g_strndup (auth, colon - auth);
  switch (diagnose_key (server, app, key, &owner))
    {
    case KEY_OWN:
      return NULL;
    case KEY_IS_SECRET:
      return g_strdup_printf ("The key and the secret are swapped: the auth value starts with this "
                              "app's secret instead of its key '%s'.",
                              app->config->key);
    case KEY_OTHER_APP:
      return g_strdup_printf ("The auth value was made for app '%s' (key %s), but this connection "
                              "belongs to app '%s' (key %s): the page and the app server use "
                              "different apps.",
                              owner->config->id, key, app->config->id, app->config->key);
    case KEY_UNKNOWN:
    default:
      return g_strdup_printf ("Unknown key '%s' in the auth value: this app's key is '%s'. Check "
                              "PUSHER_APP_KEY on the app server.",
                              key, app->config->key);
    }
}

/* The auth_key of a signed HTTP API request: NULL when it is app's key, else why not. */
char *
crier_explain_api_key (CrierServer *server,
                       CrierApp    *app,
                       const char  *key)
{
  CrierAppConfig *config = app->config;
  CrierApp       *owner = NULL;

  switch (diagnose_key (server, app, key, &owner))
    {
    case KEY_OWN:
      return NULL;
    case KEY_IS_SECRET:
      return g_strdup_printf ("Unknown auth_key: '%s' is not the key of app '%s'. The key and the "
                              "secret are swapped: auth_key is the app's secret; its key is '%s'.",
                              key, config->id, config->key);
    case KEY_OTHER_APP:
      return g_strdup_printf ("Unknown auth_key: '%s' is not the key of app '%s'. It is the key of "
                              "app '%s': the sender's PUSHER_APP_ID and PUSHER_APP_KEY belong to "
                              "different apps.",
                              key, config->id, owner->config->id);
    case KEY_UNKNOWN:
    default:
      return g_strdup_printf ("Unknown auth_key: '%s' is not the key of app '%s' (its key is '%s').",
                              key, config->id, config->key);
    }
}

static GPtrArray *
channel_candidates (CrierApp   *app,
                    const char *channel)
{
  static const char *const prefixes[] = { "private-encrypted-", "private-", "presence-", "" };
  GPtrArray               *candidates = g_ptr_array_new_with_free_func (g_free);
  const char              *bare = channel;
  GHashTableIter           iter;
  const char              *name;

  for (guint i = 0; i < G_N_ELEMENTS (prefixes) - 1; i++)
    if (g_str_has_prefix (channel, prefixes[i]))
      {
        bare = channel + strlen (prefixes[i]);
        break;
      }
  /* The same name with another prefix: a Channel signed where a PrivateChannel was meant. */
  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      char *variant = g_strconcat (prefixes[i], bare, NULL);

      if (g_str_equal (variant, channel))
        g_free (variant);
      else
        g_ptr_array_add (candidates, variant);
    }
  crier_app_iter_channels (app, &iter);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL) &&
         candidates->len < MAX_CHANNEL_CANDIDATES)
    if (!g_str_equal (name, channel))
      g_ptr_array_add (candidates, g_strdup (name));
  return candidates;
}

char *
crier_explain_channel_auth (CrierConnection *conn,
                            const char      *channel,
                            const char      *channel_data,
                            const char      *auth)
{
  CrierServer     *server = conn->server;
  CrierApp        *app = conn->app;
  const char      *signature;
  g_autofree char *text = NULL;
  g_autoptr (GPtrArray) candidates = NULL;
  char *answer;

  if (auth == NULL || *auth == '\0')
    return g_strdup_printf ("No auth value was sent for %s: pusher-js sends one only after the "
                            "app server's auth endpoint answered 200 with {\"auth\":…}.",
                            channel);
  if ((answer = explain_key_part (server, app, auth)) != NULL)
    return answer;
  signature = strchr (auth, ':') + 1;
  text = signed_text (conn->socket_id, channel, channel_data);
  if ((answer = explain_secret (server, app, text, signature)) != NULL)
    return answer;

  /* Right secret, other text: an earlier socket, another channel, other channel_data. */
  for (GList *l = crier_app_peek_past_sockets (app); l != NULL; l = l->next)
    {
      g_autofree char *stale = signed_text (l->data, channel, channel_data);

      if (signs (app->config->secret, stale, signature))
        return g_strdup_printf ("The signature is for socket %s, an earlier connection; this "
                                "connection is %s. The page sent a stale socket_id to the auth "
                                "endpoint (pusher-js reconnected in between, or the socket id "
                                "was cached).",
                                (const char *) l->data, conn->socket_id);
    }
  if ((answer = explain_other_socket (server, app, conn, channel, channel_data, signature)) != NULL)
    return answer;
  candidates = channel_candidates (app, channel);
  for (guint i = 0; i < candidates->len; i++)
    {
      const char      *other = g_ptr_array_index (candidates, i);
      g_autofree char *attempt = signed_text (conn->socket_id, other, channel_data);
      g_autofree char *bare = signed_text (conn->socket_id, other, NULL);

      if (signs (app->config->secret, attempt, signature) ||
          signs (app->config->secret, bare, signature))
        return g_strdup_printf ("The signature is for channel '%s', not '%s': the app server "
                                "signed a different channel name.",
                                other, channel);
    }
  if (channel_data != NULL)
    {
      g_autofree char *without = signed_text (conn->socket_id, channel, NULL);

      if (signs (app->config->secret, without, signature))
        return g_strdup_printf ("The signature was made without channel_data, but the subscription "
                                "sent channel_data: a presence channel's signature covers "
                                "'%s:%s:<channel_data>'.",
                                conn->socket_id, channel);
      return g_strdup_printf ("The signature matches no known secret, socket or channel. For a "
                              "presence channel the app server must sign exactly the "
                              "channel_data string it returns; the one received was %s.",
                              channel_data);
    }
  return g_strdup_printf ("Wrong secret: the signature was not made with the secret of app '%s', "
                          "nor for another socket or channel Crier knows. Check PUSHER_APP_SECRET "
                          "in the Laravel .env against the app's secret on Crier's Apps page, "
                          "then run 'php artisan config:clear' (a cached config keeps the old "
                          "one). The app server had to sign '%s'.",
                          app->config->id, text);
}

char *
crier_explain_signin (CrierConnection *conn,
                      const char      *user_data,
                      const char      *auth)
{
  CrierApp        *app = conn->app;
  g_autofree char *text = g_strconcat (conn->socket_id, "::user::", user_data, NULL);
  char            *answer;

  if ((answer = explain_key_part (conn->server, app, auth)) != NULL)
    return answer;
  if ((answer = explain_secret (conn->server, app, text, strchr (auth, ':') + 1)) != NULL)
    return answer;
  for (GList *l = crier_app_peek_past_sockets (app); l != NULL; l = l->next)
    {
      g_autofree char *stale = g_strconcat (l->data, "::user::", user_data, NULL);

      if (signs (app->config->secret, stale, strchr (auth, ':') + 1))
        return g_strdup_printf ("The sign-in signature is for socket %s, an earlier connection; "
                                "this connection is %s.",
                                (const char *) l->data, conn->socket_id);
    }
  return g_strdup_printf ("Wrong secret: the sign-in signature was not made with the secret of "
                          "app '%s'. Check PUSHER_APP_SECRET in the Laravel .env (then 'php "
                          "artisan config:clear'); the user-auth endpoint had to sign '%s'.",
                          app->config->id, text);
}

char *
crier_explain_api_signature (CrierServer *server,
                             CrierApp    *app,
                             const char  *string_to_sign,
                             const char  *signature)
{
  char *answer = explain_secret (server, app, string_to_sign, signature);

  if (answer != NULL)
    return answer;
  return g_strdup_printf ("The signature matches no known secret: the sender's PUSHER_APP_SECRET "
                          "is not the secret of app '%s', or it signed another text (a path "
                          "prefix, other query parameters).",
                          app->config->id);
}

char *
crier_explain_unknown_key (CrierServer *server,
                           const char  *key)
{
  g_autoptr (GString) known = g_string_new (NULL);
  GPtrArray *apps = crier_config_get_apps (crier_server_get_config (server));

  for (guint i = 0; i < apps->len; i++)
    {
      CrierApp *app = crier_server_lookup_app (server,
                                               ((CrierAppConfig *) g_ptr_array_index (apps, i))->id);

      if (crier_signature_equal (app->config->secret, key))
        return g_strdup_printf ("Unknown key '%s': that is the secret of app '%s', whose key is "
                                "'%s'. The page must use the key (VITE_PUSHER_APP_KEY), never "
                                "the secret.",
                                key, app->config->id, app->config->key);
      if (g_str_equal (app->config->id, key))
        return g_strdup_printf ("Unknown key '%s': that is the id of app '%s', whose key is '%s'.",
                                key, app->config->id, app->config->key);
      g_string_append_printf (known, "%s%s (app %s)", known->len ? ", " : "", app->config->key,
                              app->config->id);
    }
  return g_strdup_printf ("Unknown key '%s': no app has it. Known keys: %s.", key, known->str);
}

/* Edit distance, giving up above limit. */
static unsigned
distance (const char *a,
          const char *b,
          unsigned    limit)
{
  gsize                n = strlen (a), m = strlen (b);
  g_autofree unsigned *row = NULL;

  if ((n > m ? n - m : m - n) > limit || n > 256 || m > 256)
    return limit + 1;
  row = g_new (unsigned, m + 1);
  for (gsize j = 0; j <= m; j++)
    row[j] = j;
  for (gsize i = 1; i <= n; i++)
    {
      unsigned diagonal = row[0];

      row[0] = i;
      for (gsize j = 1; j <= m; j++)
        {
          unsigned above = row[j];

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] != b[j - 1]));
          diagonal = above;
        }
    }
  return row[m];
}

/* orders.1 and orders.2 are two instances, not a typo of each other: compare the names
 * with every run of digits made the same. */
static gboolean
same_but_numbers (const char *a,
                  const char *b)
{
  while (*a != '\0' && *b != '\0')
    {
      if (g_ascii_isdigit (*a) && g_ascii_isdigit (*b))
        {
          while (g_ascii_isdigit (*a))
            a++;
          while (g_ascii_isdigit (*b))
            b++;
          continue;
        }
      if (*a++ != *b++)
        return FALSE;
    }
  return *a == *b;
}

/* "'private-orders.1' has 2" for a channel with no subscriber (or, by_events, with no
 * event ever): the closest other name that has them, ties broken by name. NULL when
 * nothing is close. */
char *
crier_explain_near_miss (CrierApp   *app,
                         const char *channel,
                         gboolean    by_events)
{
  GHashTableIter iter;
  const char    *name;
  gpointer       value;
  const char    *best = NULL;
  guint64        best_count = 0;
  unsigned       best_distance = 3;

  if (by_events)
    crier_app_iter_history (app, &iter);
  else
    crier_app_iter_channels (app, &iter);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, &value))
    {
      guint64  count = by_events ? GPOINTER_TO_SIZE (value)
                                 : crier_channel_count_subscribers (value);
      unsigned d;

      if (count == 0 || g_str_equal (name, channel) || same_but_numbers (name, channel))
        continue;
      d = g_ascii_strcasecmp (name, channel) == 0 ? 0 : distance (name, channel, 2);
      if (d < best_distance || (d == best_distance && best != NULL && strcmp (name, best) < 0))
        {
          best = name;
          best_count = count;
          best_distance = d;
        }
    }
  if (best == NULL)
    return NULL;
  if (by_events)
    return g_strdup_printf ("no event was ever published on '%s'; '%s' has had %" G_GUINT64_FORMAT,
                            channel, best, best_count);
  return g_strdup_printf ("no subscriber on '%s'; '%s' has %" G_GUINT64_FORMAT, channel, best,
                          best_count);
}

/* The Echo call that hears this event name (laravel-broadcasting.md §4.2). */
char *
crier_explain_listen (const char *event)
{
  if (g_str_equal (event, "Illuminate\\Notifications\\Events\\BroadcastNotificationCreated"))
    return g_strdup (".notification(callback)");
  if (g_str_has_prefix (event, "client-"))
    return g_strdup_printf (".listenForWhisper('%s', callback)", event + strlen ("client-"));
  if (g_str_has_prefix (event, "App\\Events\\") && strchr (event, '.') == NULL)
    {
      g_autofree char *rest = g_strdup (event + strlen ("App\\Events\\"));

      g_strdelimit (rest, "\\", '.');
      return g_strdup_printf (".listen('%s', callback)", rest);
    }
  return g_strdup_printf (".listen('.%s', callback)", event);
}
