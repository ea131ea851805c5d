/* crier-member-item.c — one member of a presence channel
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-member-item.h"

struct _CrierMemberItem
{
  GObject  parent_instance;
  char    *user_id;
  char    *user_info; /* JSON text, nullable */
  gboolean simulated; /* added from the dashboard, no connection behind it */
};

G_DEFINE_FINAL_TYPE (CrierMemberItem, crier_member_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_USER_ID,
  PROP_USER_INFO,
  PROP_SIMULATED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
crier_member_item_finalize (GObject *object)
{
  CrierMemberItem *self = CRIER_MEMBER_ITEM (object);

  g_free (self->user_id);
  g_free (self->user_info);
  G_OBJECT_CLASS (crier_member_item_parent_class)->finalize (object);
}

static void
crier_member_item_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CrierMemberItem *self = CRIER_MEMBER_ITEM (object);

  switch (prop_id)
    {
    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;
    case PROP_USER_INFO:
      g_value_set_string (value, self->user_info ? self->user_info : "");
      break;
    case PROP_SIMULATED:
      g_value_set_boolean (value, self->simulated);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_member_item_class_init (CrierMemberItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = crier_member_item_finalize;
  object_class->get_property = crier_member_item_get_property;
  properties[PROP_USER_ID] = g_param_spec_string ("user-id", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER_INFO] = g_param_spec_string ("user-info", NULL, NULL, NULL,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIMULATED] = g_param_spec_boolean ("simulated", NULL, NULL, FALSE,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crier_member_item_init (CrierMemberItem *self)
{
}

CrierMemberItem *
crier_member_item_new (const char *user_id,
                       const char *user_info)
{
  CrierMemberItem *self = g_object_new (CRIER_TYPE_MEMBER_ITEM, NULL);

  self->user_id = g_strdup (user_id);
  self->user_info = g_strdup (user_info);
  return self;
}

const char *
crier_member_item_get_user_id (CrierMemberItem *self)
{
  g_return_val_if_fail (CRIER_IS_MEMBER_ITEM (self), NULL);
  return self->user_id;
}

const char *
crier_member_item_get_user_info (CrierMemberItem *self)
{
  g_return_val_if_fail (CRIER_IS_MEMBER_ITEM (self), NULL);
  return self->user_info;
}

/* Simulated members are the ones the dashboard added (crier_backend_add_simulated_member ()):
 * only those can be removed from the window. Set once, before the item is shown. */
void
crier_member_item_set_simulated (CrierMemberItem *self,
                                 gboolean         simulated)
{
  g_return_if_fail (CRIER_IS_MEMBER_ITEM (self));
  self->simulated = !!simulated;
}

gboolean
crier_member_item_get_simulated (CrierMemberItem *self)
{
  g_return_val_if_fail (CRIER_IS_MEMBER_ITEM (self), FALSE);
  return self->simulated;
}
