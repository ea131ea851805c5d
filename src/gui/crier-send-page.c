/* crier-send-page.c — fire test events and Laravel notifications
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-send-page.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>

#include "crier-encryption.h"
#include "crier-json.h"
#include "crier-names.h"
#include "crier-notification.h"

#define MAX_RECENT 12

/* What was sent, to send it again: a notification gets a fresh id each time, as a new
 * $user->notify () would. */
typedef struct
{
  char    *app_id;
  GStrv    channels;
  char    *event;
  char    *data;
  gboolean notification;
  char    *user_id;
  char    *type;
} Recent;

struct _CrierSendPage
{
  GtkWidget            parent_instance;
  CrierBackend        *server;
  CrierConnectionList *connections;
  CrierChannelList    *channels;
  GPtrArray           *recent; /* of Recent, newest first, as recent_model */

  AdwPreferencesGroup *notification_group;
  AdwComboRow         *event_app_row;
  AdwComboRow         *notify_app_row;
  GtkStringList       *app_model;
  AdwEntryRow         *channels_row;
  GtkMenuButton       *channels_button;
  GtkStack            *channels_stack;
  GtkFilterListModel  *channel_suggestions;
  GtkStringFilter     *channel_filter;
  AdwEntryRow         *event_row;
  GtkTextView         *event_data_view;
  GtkLabel            *event_error;
  AdwEntryRow         *user_row;
  GtkMenuButton       *users_button;
  GtkStack            *users_stack;
  GtkStringList       *user_suggestions;
  AdwEntryRow         *type_row;
  GtkTextView         *notify_data_view;
  GtkWidget           *notify_box;
  GtkLabel            *notify_error;
  GtkStack            *recent_stack;
  GtkStringList       *recent_model;
};

G_DEFINE_FINAL_TYPE (CrierSendPage, crier_send_page, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SERVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
recent_free (Recent *recent)
{
  g_free (recent->app_id);
  g_strfreev (recent->channels);
  g_free (recent->event);
  g_free (recent->data);
  g_free (recent->user_id);
  g_free (recent->type);
  g_free (recent);
}

static char *
dup_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter    start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static const char *
selected_app (AdwComboRow   *row,
              GtkStringList *model)
{
  guint selected = adw_combo_row_get_selected (row);

  if (selected == GTK_INVALID_LIST_POSITION || selected >= g_list_model_get_n_items (G_LIST_MODEL (model)))
    return NULL;
  return gtk_string_list_get_string (model, selected);
}

/* Shows where the JSON breaks: json-glib says "<data>:LINE:COLUMN: Parse error: …". */
static gboolean
validate_json (GtkTextView *view,
               GtkLabel    *error_label,
               gboolean     object_only)
{
  GtkTextBuffer   *buffer = gtk_text_view_get_buffer (view);
  g_autofree char *text = dup_text (view);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag_by_name (buffer, "error", &start, &end);
  if (crier_json_parser_load (parser, *text ? text : "{}", -1, &error))
    {
      if (object_only && !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          gtk_label_set_label (error_label, _ ("The data must be a JSON object: {…}"));
          return FALSE;
        }
      gtk_label_set_label (error_label, "");
      return TRUE;
    }
  {
    const char *message = error->message;
    const char *p = strstr (message, ">:");
    char       *next = NULL;
    long        line = 0, column = 0;

    if (p != NULL)
      {
        line = strtol (p + 2, &next, 10);
        if (next != NULL && *next == ':')
          column = strtol (next + 1, &next, 10);
        if (next != NULL && *next == ':')
          message = next + 1;
        while (*message == ' ')
          message++;
      }
    if (line > 0)
      {
        g_autofree char *text_error = g_strdup_printf (_ ("Line %ld, column %ld: %s"), line, column, message);
        GtkTextIter      at;

        gtk_label_set_label (error_label, text_error);
        if (gtk_text_buffer_get_iter_at_line_offset (buffer, &at, (int) line - 1, MAX ((int) column - 1, 0)))
          {
            GtkTextIter after = at;

            if (!gtk_text_iter_forward_char (&after))
              gtk_text_iter_backward_char (&at);
            gtk_text_buffer_apply_tag_by_name (buffer, "error", &at, &after);
          }
      }
    else
      gtk_label_set_label (error_label, error->message);
  }
  return FALSE;
}

static void
event_data_changed_cb (GtkTextBuffer *buffer,
                       CrierSendPage *self)
{
  gboolean valid = validate_json (self->event_data_view, self->event_error, FALSE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "send.event", valid);
}

static void
notify_data_changed_cb (GtkTextBuffer *buffer,
                        CrierSendPage *self)
{
  gboolean valid = validate_json (self->notify_data_view, self->notify_error, TRUE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "send.notification", valid);
}

static GStrv
split_channels (const char *text)
{
  g_auto (GStrv) parts = g_regex_split_simple ("[,\\s]+", text, 0, 0);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i]; i++)
    if (*parts[i] != '\0')
      g_strv_builder_add (builder, parts[i]);
  return g_strv_builder_end (builder);
}

static void
remember (CrierSendPage *self,
          Recent        *recent)
{
  g_autofree char *label = NULL;

  if (recent->notification)
    label = g_strdup_printf (_ ("Notification %s → user %s (%s)"), recent->type, recent->user_id,
                             recent->app_id);
  else
    {
      g_autofree char *channels = g_strjoinv (", ", recent->channels);

      label = g_strdup_printf ("%s → %s (%s)", recent->event, channels, recent->app_id);
    }
  g_ptr_array_insert (self->recent, 0, recent);
  gtk_string_list_splice (self->recent_model, 0, 0, (const char *const[]){ label, NULL });
  if (self->recent->len > MAX_RECENT)
    {
      g_ptr_array_remove_index (self->recent, MAX_RECENT);
      gtk_string_list_remove (self->recent_model, MAX_RECENT);
    }
  gtk_stack_set_visible_child_name (self->recent_stack, "list");
}

/* The data to publish: typed as plaintext, sealed with the app's master key for a
 * private-encrypted- channel, as a Laravel publisher does (pusher-js decrypts it). */
static char *
seal_if_encrypted (CrierSendPage *self,
                   Recent        *recent,
                   GtkLabel      *error_label)
{
  g_autoptr (GError) error = NULL;
  CrierAppConfig *app;
  char           *sealed;

  if ((crier_channel_type_from_name (recent->channels[0]) & CRIER_CHANNEL_ENCRYPTED) == 0)
    return g_strdup (recent->data);
  app = crier_config_find_app (crier_backend_get_config (self->server), recent->app_id);
  if (app == NULL || app->encryption_master_key == NULL)
    {
      /* Translators: encryption-master-key is a config key, keep it as it is */
      gtk_label_set_label (error_label, _ ("Encrypted channels need the app’s encryption master key: "
                                           "set encryption-master-key in the app’s settings."));
      return NULL;
    }
  if ((sealed = crier_encryption_seal (app->encryption_master_key, recent->channels[0], recent->data,
                                       &error)) == NULL)
    gtk_label_set_label (error_label, error->message);
  return sealed;
}

typedef struct
{
  CrierSendPage *page;
  GtkLabel      *error_label;
  Recent        *recent; /* remembered when sent, else freed */
  GStrv          channels;
  char          *event;
  char          *user_id; /* a notification's */
} Sending;

/* A send that reached nobody says so instead of "sent" (an empty channel is the usual
 * reason a Laravel developer sees nothing in the browser). @receivers is the server's own
 * count at publish time; unknown (an observed server, a cluster whose other nodes deliver
 * too) claims nothing. */
static char *
dup_sent_message (Sending *sending,
                  gint64   receivers)
{
  if (receivers == 0)
    {
      g_autofree char *channels = g_strjoinv (", ", sending->channels);

      if (sending->user_id != NULL)
        /* Translators: %s is a channel name such as private-App.Models.User.99 */
        return g_strdup_printf (_ ("Nobody is subscribed to %s — is Echo listening?"), channels);
      /* Translators: the first %s is an event name, the second a channel name (or several,
       * joined by commas) */
      return g_strdup_printf (_ ("“%s” reached nobody: nobody is subscribed to %s"), sending->event, channels);
    }
  if (sending->user_id != NULL)
    return g_strdup_printf (_ ("Notification sent to user %s"), sending->user_id);
  return g_strdup_printf (_ ("“%s” sent"), sending->event);
}

/* The server's answer, on this thread (the page is kept until it comes). */
static void
published_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr (GError) error = NULL;
  gint64 receivers = CRIER_BACKEND_RECEIVERS_UNKNOWN;

  if (!crier_backend_publish_finish (CRIER_BACKEND (source), result, &receivers, &error))
    gtk_label_set_label (sending->error_label, error->message);
  else
    {
      g_autofree char *message = dup_sent_message (sending, receivers);

      gtk_label_set_label (sending->error_label, "");
      gtk_widget_activate_action (GTK_WIDGET (sending->page), "win.toast", "s", message);
      if (sending->recent != NULL)
        remember (sending->page, g_steal_pointer (&sending->recent));
    }
  g_clear_pointer (&sending->recent, recent_free);
  g_object_unref (sending->error_label);
  g_object_unref (sending->page);
  g_strfreev (sending->channels);
  g_free (sending->event);
  g_free (sending->user_id);
  g_free (sending);
}

/* The same path as POST /apps/{id}/events. With keep, takes recent and remembers it once
 * the server took it. */
static void
publish (CrierSendPage *self,
         Recent        *recent,
         GtkLabel      *error_label,
         gboolean       keep)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  Sending         *sending;

  if (self->server == NULL || !crier_backend_is_ready (self->server))
    {
      if (self->server != NULL && !(crier_backend_get_flags (self->server) & CRIER_BACKEND_CAN_START_STOP))
        gtk_label_set_label (error_label, _ ("Not connected to the server: the header bar says why."));
      else
        gtk_label_set_label (error_label, _ ("The server is not running: start it first."));
      goto refused;
    }
  if (recent->notification)
    {
      if ((data = crier_notification_build_data (recent->data, recent->type, NULL, &error)) == NULL)
        {
          gtk_label_set_label (error_label, error->message);
          goto refused;
        }
    }
  else if ((data = seal_if_encrypted (self, recent, error_label)) == NULL)
    goto refused;
  sending = g_new0 (Sending, 1);
  sending->page = g_object_ref (self);
  sending->error_label = g_object_ref (error_label);
  sending->recent = keep ? recent : NULL;
  sending->channels = g_strdupv (recent->channels);
  sending->event = g_strdup (recent->event);
  sending->user_id = recent->notification ? g_strdup (recent->user_id) : NULL;
  crier_backend_publish (self->server, recent->app_id, (const char *const *) recent->channels,
                         recent->event, data, NULL, NULL, published_cb, sending);
  return;

refused:
  if (keep)
    recent_free (recent);
}

static void
send_event_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CrierSendPage *self = CRIER_SEND_PAGE (widget);
  const char    *app_id = selected_app (self->event_app_row, self->app_model);
  const char    *event = gtk_editable_get_text (GTK_EDITABLE (self->event_row));
  g_auto (GStrv) channels = split_channels (gtk_editable_get_text (GTK_EDITABLE (self->channels_row)));
  g_autofree char *data = dup_text (self->event_data_view);
  Recent          *recent;

  if (!validate_json (self->event_data_view, self->event_error, FALSE))
    return;
  if (app_id == NULL || channels[0] == NULL || *event == '\0')
    {
      gtk_label_set_label (self->event_error, _ ("Choose an app and give at least one channel and an event name."));
      return;
    }
  recent = g_new0 (Recent, 1);
  recent->app_id = g_strdup (app_id);
  recent->channels = g_steal_pointer (&channels);
  recent->event = g_strdup (event);
  recent->data = *data ? g_steal_pointer (&data) : g_strdup ("{}");
  publish (self, recent, self->event_error, TRUE);
}

static void
send_notification_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  CrierSendPage   *self = CRIER_SEND_PAGE (widget);
  const char      *app_id = selected_app (self->notify_app_row, self->app_model);
  g_autofree char *user = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->user_row))));
  g_autofree char *type = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->type_row))));
  g_autofree char *data = dup_text (self->notify_data_view);
  Recent          *recent;

  if (!validate_json (self->notify_data_view, self->notify_error, TRUE))
    return;
  if (app_id == NULL || *user == '\0' || *type == '\0')
    {
      gtk_label_set_label (self->notify_error, _ ("Choose an app and give a user id and a notification type."));
      return;
    }
  recent = g_new0 (Recent, 1);
  recent->notification = TRUE;
  recent->app_id = g_strdup (app_id);
  recent->channels = g_new0 (char *, 2);
  recent->channels[0] = crier_notification_channel (NULL, user);
  recent->event = g_strdup (CRIER_NOTIFICATION_EVENT);
  recent->data = *data ? g_steal_pointer (&data) : g_strdup ("{}");
  recent->user_id = g_steal_pointer (&user);
  recent->type = g_steal_pointer (&type);
  publish (self, recent, self->notify_error, TRUE);
}

/* Ctrl+Enter: the notification's fields send the notification, every other field (and a
 * focus elsewhere on the page) the event. */
static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrierSendPage *self = CRIER_SEND_PAGE (widget);
  GtkRoot       *root = gtk_widget_get_root (widget);
  GtkWidget     *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  gboolean       notification = FALSE;

  if (focus != NULL)
    notification = gtk_widget_is_ancestor (focus, GTK_WIDGET (self->notification_group)) || gtk_widget_is_ancestor (focus, self->notify_box);

  gtk_widget_activate_action (widget, notification ? "send.notification" : "send.event", NULL);
}

static void
resend_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrierSendPage *self = CRIER_SEND_PAGE (widget);
  guint          position = g_variant_get_uint32 (parameter);

  if (position < self->recent->len)
    {
      Recent *recent = g_ptr_array_index (self->recent, position);

      publish (self, recent, recent->notification ? self->notify_error : self->event_error, FALSE);
    }
}

static void
recent_activated_cb (CrierSendPage *self,
                     guint          position)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "send.resend", "u", position);
}

/* The token being typed: after the last comma. */
static const char *
last_token (const char *text)
{
  const char *comma = strrchr (text, ',');
  const char *token = comma ? comma + 1 : text;

  while (*token == ' ')
    token++;
  return token;
}

static void
channels_text_changed_cb (GtkEditable   *editable,
                          CrierSendPage *self)
{
  gtk_string_filter_set_search (self->channel_filter, last_token (gtk_editable_get_text (editable)));
}

static void
channels_popover_cb (GtkPopover    *popover,
                     CrierSendPage *self)
{
  gboolean any;

  /* The popover lists every live channel when the token already names one. */
  if (self->channels != NULL &&
      crier_channel_list_find (self->channels, selected_app (self->event_app_row, self->app_model),
                               last_token (gtk_editable_get_text (GTK_EDITABLE (self->channels_row)))))
    gtk_string_filter_set_search (self->channel_filter, NULL);
  any = g_list_model_get_n_items (G_LIST_MODEL (self->channel_suggestions)) > 0;
  gtk_stack_set_visible_child_name (self->channels_stack, any ? "list" : "empty");
}

static void
channel_activated_cb (CrierSendPage *self,
                      guint          position)
{
  g_autoptr (CrierChannelItem) item = g_list_model_get_item (G_LIST_MODEL (self->channel_suggestions), position);
  const char      *text = gtk_editable_get_text (GTK_EDITABLE (self->channels_row));
  const char      *token = last_token (text);
  g_autofree char *prefix = g_strndup (text, token - text);
  g_autofree char *replaced = NULL;

  if (item == NULL)
    return;
  replaced = g_strconcat (prefix, crier_channel_item_get_name (item), NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->channels_row), replaced);
  gtk_editable_set_position (GTK_EDITABLE (self->channels_row), -1);
  gtk_menu_button_popdown (self->channels_button);
}

static void
add_user (GPtrArray  *users,
          const char *user_id)
{
  if (user_id != NULL && !g_ptr_array_find_with_equal_func (users, user_id, g_str_equal, NULL))
    g_ptr_array_add (users, (gpointer) user_id);
}

/* Signed-in users first, then presence members, each once. */
static void
refresh_user_suggestions (CrierSendPage *self)
{
  g_autoptr (GPtrArray) users = g_ptr_array_new_null_terminated (8, NULL, TRUE);
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->user_suggestions));
  guint n;

  if (self->connections != NULL)
    {
      n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr (CrierConnectionItem) item = g_list_model_get_item (G_LIST_MODEL (self->connections), i);

          add_user (users, crier_connection_item_get_user_id (item));
        }
    }
  if (self->channels != NULL)
    {
      n = g_list_model_get_n_items (G_LIST_MODEL (self->channels));
      for (guint i = 0; i < n; i++)
        {
          g_autoptr (CrierChannelItem) item = g_list_model_get_item (G_LIST_MODEL (self->channels), i);
          GListModel *members = crier_channel_item_get_members (item);

          for (guint m = 0; m < g_list_model_get_n_items (members); m++)
            {
              g_autoptr (CrierMemberItem) member = g_list_model_get_item (members, m);

              add_user (users, crier_member_item_get_user_id (member));
            }
        }
    }
  /* The strings belong to the items, which the models keep alive during the splice. */
  gtk_string_list_splice (self->user_suggestions, 0, n_old, (const char *const *) users->pdata);
  gtk_stack_set_visible_child_name (self->users_stack, users->len > 0 ? "list" : "empty");
}

static void
users_popover_cb (GtkPopover    *popover,
                  CrierSendPage *self)
{
  refresh_user_suggestions (self);
}

static void
user_activated_cb (CrierSendPage *self,
                   guint          position)
{
  const char *user = gtk_string_list_get_string (self->user_suggestions, position);

  if (user != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->user_row), user);
  gtk_menu_button_popdown (self->users_button);
}

static void
crier_send_page_dispose (GObject *object)
{
  CrierSendPage *self = CRIER_SEND_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRIER_TYPE_SEND_PAGE);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->server);
  g_clear_object (&self->connections);
  g_clear_object (&self->channels);
  G_OBJECT_CLASS (crier_send_page_parent_class)->dispose (object);
}

static void
crier_send_page_finalize (GObject *object)
{
  CrierSendPage *self = CRIER_SEND_PAGE (object);

  g_ptr_array_unref (self->recent);
  G_OBJECT_CLASS (crier_send_page_parent_class)->finalize (object);
}

static void
crier_send_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CrierSendPage *self = CRIER_SEND_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_send_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CrierSendPage *self = CRIER_SEND_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      crier_send_page_set_server (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_send_page_class_init (CrierSendPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crier_send_page_dispose;
  object_class->get_property = crier_send_page_get_property;
  object_class->set_property = crier_send_page_set_property;
  object_class->finalize = crier_send_page_finalize;
  g_type_ensure (CRIER_TYPE_CHANNEL_ITEM);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/crier/Crier/ui/crier-send-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, notification_group);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, event_app_row);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, notify_app_row);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, app_model);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, channels_row);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, channels_button);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, channels_stack);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, channel_suggestions);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, channel_filter);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, event_row);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, event_data_view);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, event_error);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, user_row);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, users_button);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, users_stack);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, user_suggestions);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, type_row);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, notify_data_view);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, notify_box);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, notify_error);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, recent_stack);
  gtk_widget_class_bind_template_child (widget_class, CrierSendPage, recent_model);
  gtk_widget_class_bind_template_callback (widget_class, channel_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, user_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, recent_activated_cb);

  gtk_widget_class_install_action (widget_class, "send.event", NULL, send_event_action);
  gtk_widget_class_install_action (widget_class, "send.notification", NULL, send_notification_action);
  gtk_widget_class_install_action (widget_class, "send.resend", "u", resend_action);
  gtk_widget_class_install_action (widget_class, "send.send", NULL, send_action);

  properties[PROP_SERVER] = g_param_spec_object ("server", NULL, NULL, CRIER_TYPE_BACKEND,
                                                 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crier_send_page_init (CrierSendPage *self)
{
  g_autoptr (GtkExpression) expression = NULL;
  GtkTextBuffer *buffer;

  self->recent = g_ptr_array_new_with_free_func ((GDestroyNotify) recent_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Each row takes its own reference (transfer none); ours goes at the end of the scope. */
  expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
  adw_combo_row_set_expression (self->event_app_row, expression);
  adw_combo_row_set_expression (self->notify_app_row, expression);

  buffer = gtk_text_view_get_buffer (self->event_data_view);
  gtk_text_buffer_create_tag (buffer, "error", "underline", PANGO_UNDERLINE_ERROR, NULL);
  gtk_text_buffer_set_text (buffer, "{\n  \"order_id\": 42,\n  \"status\": \"shipped\"\n}", -1);
  g_signal_connect (buffer, "changed", G_CALLBACK (event_data_changed_cb), self);
  buffer = gtk_text_view_get_buffer (self->notify_data_view);
  gtk_text_buffer_create_tag (buffer, "error", "underline", PANGO_UNDERLINE_ERROR, NULL);
  gtk_text_buffer_set_text (buffer, "{\n  \"invoice_id\": 7,\n  \"amount\": \"10.00\"\n}", -1);
  g_signal_connect (buffer, "changed", G_CALLBACK (notify_data_changed_cb), self);

  g_signal_connect (self->channels_row, "changed", G_CALLBACK (channels_text_changed_cb), self);
  /* GTK 4.8 has no GtkMenuButton:active: the popovers say when they show. */
  g_signal_connect (gtk_menu_button_get_popover (self->channels_button), "show",
                    G_CALLBACK (channels_popover_cb), self);
  g_signal_connect (gtk_menu_button_get_popover (self->users_button), "show",
                    G_CALLBACK (users_popover_cb), self);
  channels_text_changed_cb (GTK_EDITABLE (self->channels_row), self);
}

/* The apps to send as. */
void
crier_send_page_set_server (CrierSendPage *self,
                            CrierBackend  *server)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) ids = NULL;
  g_autofree char *event_app = NULL;
  g_autofree char *notify_app = NULL;
  GPtrArray       *apps;

  g_return_if_fail (CRIER_IS_SEND_PAGE (self));
  if (!g_set_object (&self->server, server) || server == NULL)
    return;
  event_app = g_strdup (selected_app (self->event_app_row, self->app_model));
  notify_app = g_strdup (selected_app (self->notify_app_row, self->app_model));
  apps = crier_config_get_apps (crier_backend_get_config (server));
  for (guint i = 0; i < apps->len; i++)
    g_strv_builder_add (builder, ((CrierAppConfig *) g_ptr_array_index (apps, i))->id);
  ids = g_strv_builder_end (builder);
  gtk_string_list_splice (self->app_model, 0, g_list_model_get_n_items (G_LIST_MODEL (self->app_model)),
                          (const char *const *) ids);
  for (guint i = 0; ids[i]; i++)
    {
      if (g_strcmp0 (ids[i], event_app) == 0)
        adw_combo_row_set_selected (self->event_app_row, i);
      if (g_strcmp0 (ids[i], notify_app) == 0)
        adw_combo_row_set_selected (self->notify_app_row, i);
    }
}

void
crier_send_page_set_models (CrierSendPage       *self,
                            CrierConnectionList *connections,
                            CrierChannelList    *channels)
{
  g_return_if_fail (CRIER_IS_SEND_PAGE (self));
  g_set_object (&self->connections, connections);
  g_set_object (&self->channels, channels);
  gtk_filter_list_model_set_model (self->channel_suggestions, G_LIST_MODEL (channels));
}

/* Ctrl+Enter: the form the focus is in; the event form otherwise. */
void
crier_send_page_send_focused (CrierSendPage *self)
{
  GtkWidget *focus;

  g_return_if_fail (CRIER_IS_SEND_PAGE (self));
  focus = gtk_widget_get_root (GTK_WIDGET (self)) ? gtk_root_get_focus (gtk_widget_get_root (GTK_WIDGET (self))) : NULL;
  if (focus != NULL && (gtk_widget_is_ancestor (focus, GTK_WIDGET (self->notification_group)) ||
                        gtk_widget_is_ancestor (focus, GTK_WIDGET (self->notify_data_view)) ||
                        focus == GTK_WIDGET (self->notify_data_view)))
    gtk_widget_activate_action (GTK_WIDGET (self), "send.notification", NULL);
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "send.event", NULL);
}

/* Fills the event form (replay: "Edit and Send…" of a logged broadcast); nothing is sent. */
void
crier_send_page_load_event (CrierSendPage *self,
                            const char    *app_id,
                            const char    *channel,
                            const char    *event,
                            const char    *data)
{
  guint n;

  g_return_if_fail (CRIER_IS_SEND_PAGE (self));
  n = g_list_model_get_n_items (G_LIST_MODEL (self->app_model));
  for (guint i = 0; app_id != NULL && i < n; i++)
    if (g_str_equal (gtk_string_list_get_string (self->app_model, i), app_id))
      adw_combo_row_set_selected (self->event_app_row, i);
  gtk_editable_set_text (GTK_EDITABLE (self->channels_row), channel ? channel : "");
  gtk_editable_set_text (GTK_EDITABLE (self->event_row), event ? event : "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->event_data_view), data ? data : "{}", -1);
  gtk_label_set_label (self->event_error, "");
  gtk_widget_grab_focus (GTK_WIDGET (self->event_row));
}
