/* crier-channel-item.c — one occupied channel, updated in place
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-channel-item.h"

#include "crier-names.h"

struct _CrierChannelItem
{
  GObject          parent_instance;
  char            *app_id;
  char            *name;
  CrierChannelType type;
  unsigned         subscribers;
  guint64          events;
  GListStore      *members; /* of CrierMemberItem */
};

G_DEFINE_FINAL_TYPE (CrierChannelItem, crier_channel_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_APP_ID,
  PROP_NAME,
  PROP_TYPE_NAME,
  PROP_SUBSCRIBERS,
  PROP_EVENTS,
  PROP_MEMBERS,
  PROP_N_MEMBERS,
  PROP_IS_PRESENCE,
  PROP_SUBTITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
crier_channel_item_dispose (GObject *object)
{
  CrierChannelItem *self = CRIER_CHANNEL_ITEM (object);

  g_clear_object (&self->members);
  G_OBJECT_CLASS (crier_channel_item_parent_class)->dispose (object);
}

static void
crier_channel_item_finalize (GObject *object)
{
  CrierChannelItem *self = CRIER_CHANNEL_ITEM (object);

  g_free (self->app_id);
  g_free (self->name);
  G_OBJECT_CLASS (crier_channel_item_parent_class)->finalize (object);
}

static char *
dup_subtitle (CrierChannelItem *self)
{
  unsigned n_members = self->members ? g_list_model_get_n_items (G_LIST_MODEL (self->members)) : 0;
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "%s · %s · ", self->app_id, crier_channel_type_to_string (self->type));
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u subscriber", "%u subscribers", self->subscribers),
                          self->subscribers);
  if (self->type & CRIER_CHANNEL_PRESENCE)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u member", "%u members", n_members),
                              n_members);
    }
  g_string_append (text, " · ");
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%llu event", "%llu events", self->events),
                          (unsigned long long) self->events);
  return g_string_free (text, FALSE);
}

static void
crier_channel_item_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CrierChannelItem *self = CRIER_CHANNEL_ITEM (object);

  switch (prop_id)
    {
    case PROP_APP_ID:
      g_value_set_string (value, self->app_id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TYPE_NAME:
      g_value_set_string (value, crier_channel_type_to_string (self->type));
      break;
    case PROP_SUBSCRIBERS:
      g_value_set_uint (value, self->subscribers);
      break;
    case PROP_EVENTS:
      g_value_set_uint64 (value, self->events);
      break;
    case PROP_MEMBERS:
      g_value_set_object (value, self->members);
      break;
    case PROP_N_MEMBERS:
      g_value_set_uint (value, g_list_model_get_n_items (G_LIST_MODEL (self->members)));
      break;
    case PROP_IS_PRESENCE:
      g_value_set_boolean (value, (self->type & CRIER_CHANNEL_PRESENCE) != 0);
      break;
    case PROP_SUBTITLE:
      g_value_take_string (value, dup_subtitle (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_channel_item_class_init (CrierChannelItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = crier_channel_item_dispose;
  object_class->finalize = crier_channel_item_finalize;
  object_class->get_property = crier_channel_item_get_property;

  properties[PROP_APP_ID] = g_param_spec_string ("app-id", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_TYPE_NAME] = g_param_spec_string ("type-name", NULL, NULL, NULL, flags);
  properties[PROP_SUBSCRIBERS] = g_param_spec_uint ("subscribers", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_EVENTS] = g_param_spec_uint64 ("events", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_MEMBERS] = g_param_spec_object ("members", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  properties[PROP_N_MEMBERS] = g_param_spec_uint ("n-members", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_IS_PRESENCE] = g_param_spec_boolean ("is-presence", NULL, NULL, FALSE, flags);
  properties[PROP_SUBTITLE] = g_param_spec_string ("subtitle", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crier_channel_item_init (CrierChannelItem *self)
{
  self->members = g_list_store_new (CRIER_TYPE_MEMBER_ITEM);
}

CrierChannelItem *
crier_channel_item_new (const char *app_id,
                        const char *name)
{
  CrierChannelItem *self = g_object_new (CRIER_TYPE_CHANNEL_ITEM, NULL);

  self->app_id = g_strdup (app_id);
  self->name = g_strdup (name);
  self->type = crier_channel_type_from_name (name);
  return self;
}

const char *
crier_channel_item_get_app_id (CrierChannelItem *self)
{
  g_return_val_if_fail (CRIER_IS_CHANNEL_ITEM (self), NULL);
  return self->app_id;
}

const char *
crier_channel_item_get_name (CrierChannelItem *self)
{
  g_return_val_if_fail (CRIER_IS_CHANNEL_ITEM (self), NULL);
  return self->name;
}

CrierChannelType
crier_channel_item_get_channel_type (CrierChannelItem *self)
{
  g_return_val_if_fail (CRIER_IS_CHANNEL_ITEM (self), 0);
  return self->type;
}

unsigned
crier_channel_item_get_subscribers (CrierChannelItem *self)
{
  g_return_val_if_fail (CRIER_IS_CHANNEL_ITEM (self), 0);
  return self->subscribers;
}

void
crier_channel_item_set_subscribers (CrierChannelItem *self,
                                    unsigned          subscribers)
{
  g_return_if_fail (CRIER_IS_CHANNEL_ITEM (self));
  if (self->subscribers == subscribers)
    return;
  self->subscribers = subscribers;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBSCRIBERS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBTITLE]);
}

guint64
crier_channel_item_get_events (CrierChannelItem *self)
{
  g_return_val_if_fail (CRIER_IS_CHANNEL_ITEM (self), 0);
  return self->events;
}

void
crier_channel_item_set_events (CrierChannelItem *self,
                               guint64           events)
{
  g_return_if_fail (CRIER_IS_CHANNEL_ITEM (self));
  if (self->events == events)
    return;
  self->events = events;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EVENTS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBTITLE]);
}

GListModel *
crier_channel_item_get_members (CrierChannelItem *self)
{
  g_return_val_if_fail (CRIER_IS_CHANNEL_ITEM (self), NULL);
  return G_LIST_MODEL (self->members);
}

static gboolean
find_member (CrierChannelItem *self,
             const char       *user_id,
             guint            *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->members));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (CrierMemberItem) member = g_list_model_get_item (G_LIST_MODEL (self->members), i);

      if (g_strcmp0 (crier_member_item_get_user_id (member), user_id) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
members_changed (CrierChannelItem *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_MEMBERS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBTITLE]);
}

/* simulated: added from the dashboard (crier_backend_add_simulated_member ()). */
void
crier_channel_item_add_member (CrierChannelItem *self,
                               const char       *user_id,
                               const char       *user_info,
                               gboolean          simulated)
{
  g_autoptr (CrierMemberItem) member = NULL;
  guint position;

  g_return_if_fail (CRIER_IS_CHANNEL_ITEM (self));
  if (user_id == NULL || find_member (self, user_id, &position))
    return;
  member = crier_member_item_new (user_id, user_info);
  crier_member_item_set_simulated (member, simulated);
  g_list_store_append (self->members, member);
  members_changed (self);
}

void
crier_channel_item_remove_member (CrierChannelItem *self,
                                  const char       *user_id)
{
  guint position;

  g_return_if_fail (CRIER_IS_CHANNEL_ITEM (self));
  if (user_id == NULL || !find_member (self, user_id, &position))
    return;
  g_list_store_remove (self->members, position);
  members_changed (self);
}

/* The user ids of the members the dashboard added, in the order they joined. */
GStrv
crier_channel_item_dup_simulated_members (CrierChannelItem *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  guint n;

  g_return_val_if_fail (CRIER_IS_CHANNEL_ITEM (self), NULL);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->members));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (CrierMemberItem) member = g_list_model_get_item (G_LIST_MODEL (self->members), i);

      if (crier_member_item_get_simulated (member))
        g_strv_builder_add (builder, crier_member_item_get_user_id (member));
    }
  return g_strv_builder_end (builder);
}
