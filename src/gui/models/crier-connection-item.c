/* crier-connection-item.c — one open WebSocket connection, updated in place
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-connection-item.h"

#include <glib/gi18n.h>

#include "crier-event-item.h"

/* A connection that keeps failing must not grow without bound. */
#define MAX_AUTH_FAILURES 10

struct _CrierConnectionItem
{
  GObject     parent_instance;
  char       *socket_id;
  char       *app_id;
  char       *remote;
  char       *origin;
  char       *user_id;
  gint64      connected_at;
  GPtrArray  *channels; /* NULL-terminated strv */
  guint64     messages_in;
  guint64     messages_out;
  GListStore *auth_failures; /* of CrierEventItem, oldest first */
};

G_DEFINE_FINAL_TYPE (CrierConnectionItem, crier_connection_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SOCKET_ID,
  PROP_APP_ID,
  PROP_REMOTE,
  PROP_ORIGIN,
  PROP_USER_ID,
  PROP_CONNECTED_AT,
  PROP_CONNECTED_TEXT,
  PROP_CHANNELS,
  PROP_CHANNELS_TEXT,
  PROP_N_CHANNELS,
  PROP_MESSAGES_IN,
  PROP_MESSAGES_OUT,
  PROP_TITLE,
  PROP_SUBTITLE,
  PROP_AUTH_FAILURES,
  PROP_N_AUTH_FAILURES,
  PROP_HAS_AUTH_FAILURES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
crier_connection_item_finalize (GObject *object)
{
  CrierConnectionItem *self = CRIER_CONNECTION_ITEM (object);

  g_free (self->socket_id);
  g_free (self->app_id);
  g_free (self->remote);
  g_free (self->origin);
  g_free (self->user_id);
  g_ptr_array_unref (self->channels);
  g_clear_object (&self->auth_failures);
  G_OBJECT_CLASS (crier_connection_item_parent_class)->finalize (object);
}

static char *
dup_channels_text (CrierConnectionItem *self)
{
  if (self->channels->len == 0)
    return g_strdup ("—");
  return g_strjoinv (", ", (char **) self->channels->pdata);
}

static char *
dup_subtitle (CrierConnectionItem *self)
{
  g_autofree char *channels = dup_channels_text (self);

  return g_strdup_printf ("%s · %s · %s", self->app_id ? self->app_id : "?",
                          self->remote ? self->remote : "?", channels);
}

static void
crier_connection_item_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  CrierConnectionItem *self = CRIER_CONNECTION_ITEM (object);

  switch (prop_id)
    {
    case PROP_SOCKET_ID:
      g_value_set_string (value, self->socket_id);
      break;
    case PROP_APP_ID:
      g_value_set_string (value, self->app_id);
      break;
    case PROP_REMOTE:
      g_value_set_string (value, self->remote);
      break;
    case PROP_ORIGIN:
      g_value_set_string (value, self->origin);
      break;
    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;
    case PROP_CONNECTED_AT:
      g_value_set_int64 (value, self->connected_at);
      break;
    case PROP_CONNECTED_TEXT:
      {
        g_autoptr (GDateTime) date = g_date_time_new_from_unix_local (self->connected_at / G_USEC_PER_SEC);

        g_value_take_string (value, g_date_time_format (date, "%H:%M:%S"));
      }
      break;
    case PROP_CHANNELS:
      g_value_set_boxed (value, self->channels->pdata);
      break;
    case PROP_CHANNELS_TEXT:
      g_value_take_string (value, dup_channels_text (self));
      break;
    case PROP_N_CHANNELS:
      g_value_set_uint (value, self->channels->len);
      break;
    case PROP_MESSAGES_IN:
      g_value_set_uint64 (value, self->messages_in);
      break;
    case PROP_MESSAGES_OUT:
      g_value_set_uint64 (value, self->messages_out);
      break;
    case PROP_TITLE:
      if (self->user_id != NULL)
        /* Translators: a connection's title: its socket id and the user id it signed in as */
        g_value_take_string (value, g_strdup_printf (_ ("%s (user %s)"), self->socket_id, self->user_id));
      else
        g_value_set_string (value, self->socket_id);
      break;
    case PROP_AUTH_FAILURES:
      g_value_set_object (value, self->auth_failures);
      break;
    case PROP_N_AUTH_FAILURES:
      g_value_set_uint (value, g_list_model_get_n_items (G_LIST_MODEL (self->auth_failures)));
      break;
    case PROP_HAS_AUTH_FAILURES:
      g_value_set_boolean (value, g_list_model_get_n_items (G_LIST_MODEL (self->auth_failures)) > 0);
      break;
    case PROP_SUBTITLE:
      g_value_take_string (value, dup_subtitle (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_connection_item_class_init (CrierConnectionItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = crier_connection_item_finalize;
  object_class->get_property = crier_connection_item_get_property;

  properties[PROP_SOCKET_ID] = g_param_spec_string ("socket-id", NULL, NULL, NULL, flags);
  properties[PROP_APP_ID] = g_param_spec_string ("app-id", NULL, NULL, NULL, flags);
  properties[PROP_REMOTE] = g_param_spec_string ("remote", NULL, NULL, NULL, flags);
  properties[PROP_ORIGIN] = g_param_spec_string ("origin", NULL, NULL, NULL, flags);
  properties[PROP_USER_ID] = g_param_spec_string ("user-id", NULL, NULL, NULL, flags);
  properties[PROP_CONNECTED_AT] = g_param_spec_int64 ("connected-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_CONNECTED_TEXT] = g_param_spec_string ("connected-text", NULL, NULL, NULL, flags);
  properties[PROP_CHANNELS] = g_param_spec_boxed ("channels", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_CHANNELS_TEXT] = g_param_spec_string ("channels-text", NULL, NULL, NULL, flags);
  properties[PROP_N_CHANNELS] = g_param_spec_uint ("n-channels", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_MESSAGES_IN] = g_param_spec_uint64 ("messages-in", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_MESSAGES_OUT] = g_param_spec_uint64 ("messages-out", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_SUBTITLE] = g_param_spec_string ("subtitle", NULL, NULL, NULL, flags);
  properties[PROP_AUTH_FAILURES] = g_param_spec_object ("auth-failures", NULL, NULL, G_TYPE_LIST_MODEL,
                                                        flags);
  properties[PROP_N_AUTH_FAILURES] = g_param_spec_uint ("n-auth-failures", NULL, NULL, 0, G_MAXUINT, 0,
                                                        flags);
  properties[PROP_HAS_AUTH_FAILURES] = g_param_spec_boolean ("has-auth-failures", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crier_connection_item_init (CrierConnectionItem *self)
{
  self->channels = g_ptr_array_new_null_terminated (2, g_free, TRUE);
  self->auth_failures = g_list_store_new (CRIER_TYPE_EVENT_ITEM);
}

CrierConnectionItem *
crier_connection_item_new (const char *socket_id,
                           const char *app_id,
                           gint64      connected_at)
{
  CrierConnectionItem *self = g_object_new (CRIER_TYPE_CONNECTION_ITEM, NULL);

  self->socket_id = g_strdup (socket_id);
  self->app_id = g_strdup (app_id);
  self->connected_at = connected_at;
  return self;
}

const char *
crier_connection_item_get_socket_id (CrierConnectionItem *self)
{
  g_return_val_if_fail (CRIER_IS_CONNECTION_ITEM (self), NULL);
  return self->socket_id;
}

const char *
crier_connection_item_get_app_id (CrierConnectionItem *self)
{
  g_return_val_if_fail (CRIER_IS_CONNECTION_ITEM (self), NULL);
  return self->app_id;
}

const char *
crier_connection_item_get_remote (CrierConnectionItem *self)
{
  g_return_val_if_fail (CRIER_IS_CONNECTION_ITEM (self), NULL);
  return self->remote;
}

static void
set_string (CrierConnectionItem *self,
            char               **field,
            const char          *value,
            int                  prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  if (prop == PROP_USER_ID)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  else
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBTITLE]);
}

void
crier_connection_item_set_remote (CrierConnectionItem *self,
                                  const char          *remote)
{
  g_return_if_fail (CRIER_IS_CONNECTION_ITEM (self));
  set_string (self, &self->remote, remote, PROP_REMOTE);
}

const char *
crier_connection_item_get_origin (CrierConnectionItem *self)
{
  g_return_val_if_fail (CRIER_IS_CONNECTION_ITEM (self), NULL);
  return self->origin;
}

void
crier_connection_item_set_origin (CrierConnectionItem *self,
                                  const char          *origin)
{
  g_return_if_fail (CRIER_IS_CONNECTION_ITEM (self));
  set_string (self, &self->origin, origin, PROP_ORIGIN);
}

const char *
crier_connection_item_get_user_id (CrierConnectionItem *self)
{
  g_return_val_if_fail (CRIER_IS_CONNECTION_ITEM (self), NULL);
  return self->user_id;
}

void
crier_connection_item_set_user_id (CrierConnectionItem *self,
                                   const char          *user_id)
{
  g_return_if_fail (CRIER_IS_CONNECTION_ITEM (self));
  set_string (self, &self->user_id, user_id, PROP_USER_ID);
}

const char *const *
crier_connection_item_get_channels (CrierConnectionItem *self)
{
  g_return_val_if_fail (CRIER_IS_CONNECTION_ITEM (self), NULL);
  return (const char *const *) self->channels->pdata;
}

static void
channels_changed (CrierConnectionItem *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNELS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNELS_TEXT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CHANNELS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBTITLE]);
}

static gboolean
find_channel (CrierConnectionItem *self,
              const char          *channel,
              guint               *index)
{
  for (guint i = 0; i < self->channels->len; i++)
    if (g_str_equal (g_ptr_array_index (self->channels, i), channel))
      {
        *index = i;
        return TRUE;
      }
  return FALSE;
}

void
crier_connection_item_add_channel (CrierConnectionItem *self,
                                   const char          *channel)
{
  guint index;

  g_return_if_fail (CRIER_IS_CONNECTION_ITEM (self));
  if (channel == NULL || find_channel (self, channel, &index))
    return;
  g_ptr_array_add (self->channels, g_strdup (channel));
  channels_changed (self);
}

void
crier_connection_item_remove_channel (CrierConnectionItem *self,
                                      const char          *channel)
{
  guint index;

  g_return_if_fail (CRIER_IS_CONNECTION_ITEM (self));
  if (channel == NULL || !find_channel (self, channel, &index))
    return;
  g_ptr_array_remove_index (self->channels, index);
  channels_changed (self);
}

void
crier_connection_item_set_counters (CrierConnectionItem *self,
                                    guint64              messages_in,
                                    guint64              messages_out)
{
  g_return_if_fail (CRIER_IS_CONNECTION_ITEM (self));
  if (self->messages_in != messages_in)
    {
      self->messages_in = messages_in;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGES_IN]);
    }
  if (self->messages_out != messages_out)
    {
      self->messages_out = messages_out;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGES_OUT]);
    }
}

guint64
crier_connection_item_get_messages_in (CrierConnectionItem *self)
{
  g_return_val_if_fail (CRIER_IS_CONNECTION_ITEM (self), 0);
  return self->messages_in;
}

guint64
crier_connection_item_get_messages_out (CrierConnectionItem *self)
{
  g_return_val_if_fail (CRIER_IS_CONNECTION_ITEM (self), 0);
  return self->messages_out;
}

/* The connection's recent auth failures (auth_failed monitor events), with the core's
 * explanation of each; a model of CrierEventItem, the newest last. */
GListModel *
crier_connection_item_get_auth_failures (CrierConnectionItem *self)
{
  g_return_val_if_fail (CRIER_IS_CONNECTION_ITEM (self), NULL);
  return G_LIST_MODEL (self->auth_failures);
}

void
crier_connection_item_add_auth_failure (CrierConnectionItem *self,
                                        CrierMonitorEvent   *event)
{
  g_autoptr (CrierEventItem) item = NULL;

  g_return_if_fail (CRIER_IS_CONNECTION_ITEM (self));
  g_return_if_fail (event != NULL);
  item = crier_event_item_new (event);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->auth_failures)) >= MAX_AUTH_FAILURES)
    g_list_store_remove (self->auth_failures, 0);
  g_list_store_append (self->auth_failures, item);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_AUTH_FAILURES]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_AUTH_FAILURES]);
}
