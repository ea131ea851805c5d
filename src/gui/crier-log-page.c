/* crier-log-page.c — the event log: filters, live list, details
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-log-page.h"

#include <glib/gi18n.h>

#include "crier-log-columns.h"

struct _CrierLogPage
{
  GtkWidget parent_instance;

  CrierEventLog        *log;
  CrierBackend         *server;
  AdwStatusPage        *empty_page;
  gboolean              autoscroll;
  guint                 scroll_tick;
  gboolean              scroll_after_layout;
  int                   kind_filter; /* 0: all, else CrierEventCategory + 1 */
  char                 *app_filter;
  char                 *channel_filter;
  GtkFileChooserNative *chooser;

  GtkSearchEntry     *search_entry;
  GtkDropDown        *kind_dropdown;
  GtkDropDown        *app_dropdown;
  GtkStringList      *app_model;
  GtkEntry           *channel_entry;
  GtkStack           *list_stack;
  GtkScrolledWindow  *scroller;
  GtkColumnView      *column_view;
  GtkSingleSelection *selection;
  GtkFilterListModel *filter_model;
  GtkCustomFilter    *custom_filter;
  AdwLeaflet         *leaflet;
  GtkStack           *details_stack;
  GtkTextView        *details_view;
  GtkLabel           *count_label;
  GtkLabel           *imported_label;
  GtkLabel           *explanation_title;
  GtkLabel           *explanation_label;
  GtkLabel           *trace_title;
  GtkLabel           *trace_label;
  GtkWidget          *replay_box;
  GtkWidget          *summary_box;
};

G_DEFINE_FINAL_TYPE (CrierLogPage, crier_log_page, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SERVER,
  PROP_AUTOSCROLL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  CrierLogPage            *self = user_data;
  const CrierMonitorEvent *event = crier_event_item_get_event (item);

  if (self->kind_filter > 0 &&
      (int) crier_monitor_kind_get_category (event->kind) != self->kind_filter - 1)
    return FALSE;
  if (self->app_filter != NULL && g_strcmp0 (event->app_id, self->app_filter) != 0)
    return FALSE;
  if (self->channel_filter != NULL &&
      (event->channel == NULL || strstr (event->channel, self->channel_filter) == NULL))
    return FALSE;
  return TRUE;
}

/* Without a condition the filter matches everything, so the filter model passes the log
 * through instead of testing every row of a flood. */
static void
refilter (CrierLogPage *self)
{
  if (self->kind_filter == 0 && self->app_filter == NULL && self->channel_filter == NULL)
    gtk_custom_filter_set_filter_func (self->custom_filter, NULL, NULL, NULL);
  else
    gtk_custom_filter_set_filter_func (self->custom_filter, filter_func, self, NULL);
}

static void
update_count (CrierLogPage *self)
{
  guint            shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  guint            kept = self->log ? g_list_model_get_n_items (G_LIST_MODEL (self->log)) : 0;
  guint64          total = self->log ? crier_event_log_get_total (self->log) : 0;
  guint64          dropped = self->log ? crier_event_log_get_dropped (self->log) : 0;
  g_autofree char *shown_text = NULL;
  g_autofree char *seen_text = NULL;
  g_autofree char *text = NULL;

  if (shown == kept)
    shown_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u event shown", "%u events shown", shown),
                                  shown);
  else
    /* Translators: the events the filters let through, of all the log keeps: "3 of 120 events shown" */
    shown_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u event shown", "%u of %u events shown",
                                               kept),
                                  shown, kept);
  /* Translators: after "… events shown ·": every event the server has seen, more than the log keeps */
  seen_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%llu seen", "%llu seen", total),
                               (unsigned long long) total);
  if (dropped > 0)
    {
      g_autofree char *dropped_text = NULL;

      /* Translators: after "… events shown · … seen ·": events the bounded log let go */
      dropped_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%llu older event was dropped",
                                                   "%llu older events were dropped", dropped),
                                      (unsigned long long) dropped);
      text = g_strdup_printf ("%s · %s · %s", shown_text, seen_text, dropped_text);
    }
  else
    text = g_strdup_printf ("%s · %s", shown_text, seen_text);
  gtk_label_set_label (self->count_label, text);
  gtk_stack_set_visible_child_name (self->list_stack, kept > 0 ? "list" : "empty");
}

static gboolean
scroll_to_end_cb (GtkWidget     *widget,
                  GdkFrameClock *clock,
                  gpointer       user_data)
{
  CrierLogPage  *self = CRIER_LOG_PAGE (widget);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);

  /* Rows went from the head: the adjustment's upper is the old content's until the list
   * is allocated again, and a value past the new end cannot be scrolled to. The frame in
   * between lays the list out. */
  if (self->scroll_after_layout)
    {
      self->scroll_after_layout = FALSE;
      return G_SOURCE_CONTINUE;
    }
  self->scroll_tick = 0;
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                          gtk_adjustment_get_page_size (adjustment));
  return G_SOURCE_REMOVE;
}

/* At most one scroll per frame, however many rows a flush brought. */
static void
filtered_items_changed_cb (GListModel   *model,
                           guint         position,
                           guint         removed,
                           guint         added,
                           CrierLogPage *self)
{
  update_count (self);
  if (removed > 0)
    self->scroll_after_layout = TRUE;
  if (added > 0 && self->autoscroll && self->scroll_tick == 0)
    self->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_to_end_cb, NULL, NULL);
}

static void
update_replay_actions (CrierLogPage *self)
{
  CrierEventItem *item = gtk_single_selection_get_selected_item (self->selection);
  gboolean        replayable = item != NULL && crier_event_item_is_replayable (item);
  gboolean        running = self->server != NULL && crier_backend_is_ready (self->server);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.replay", replayable && running);
  /* The empty log tells what to do next: start the server, or make something happen. */
  if (self->server != NULL && !(crier_backend_get_flags (self->server) & CRIER_BACKEND_CAN_START_STOP))
    adw_status_page_set_description (
      self->empty_page,
      running ? _ ("What happens on this server shows up here the moment it happens, or fire a test event from "
                   "the Send page.")
              : _ ("Not connected to this server: the header bar says why."));
  else
    adw_status_page_set_description (
      self->empty_page,
      running ? _ ("Connections, subscriptions and broadcasts show up here the moment they happen. Point your "
                   "Laravel app here, or fire a test event from the Send page.")
              : _ ("The server is stopped: start it with the switch in the header bar. Events show up here "
                   "the moment they happen, and an exported log can be imported meanwhile."));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.edit", replayable);
}

static const char *
explanation_title (CrierMonitorKind kind)
{
  switch (kind)
    {
    case CRIER_MONITOR_AUTH_FAILED:
      return _ ("Why the Authorization Failed");
    case CRIER_MONITOR_PROTOCOL_ERROR:
      return _ ("What Went Wrong");
    case CRIER_MONITOR_EVENT_PUBLISHED:
      return _ ("Why Nobody Received It");
    case CRIER_MONITOR_SUBSCRIBED:
      return _ ("Near Miss");
    case CRIER_MONITOR_CONNECTED:
    case CRIER_MONITOR_DISCONNECTED:
    case CRIER_MONITOR_UNSUBSCRIBED:
    case CRIER_MONITOR_CHANNEL_OCCUPIED:
    case CRIER_MONITOR_CHANNEL_VACATED:
    case CRIER_MONITOR_MEMBER_ADDED:
    case CRIER_MONITOR_MEMBER_REMOVED:
    case CRIER_MONITOR_CLIENT_EVENT:
    case CRIER_MONITOR_SIGNED_IN:
    case CRIER_MONITOR_CACHE_MISS:
    case CRIER_MONITOR_API_REQUEST:
    case CRIER_MONITOR_SERVER_STARTED:
    case CRIER_MONITOR_SERVER_STOPPED:
    case CRIER_MONITOR_WEBHOOK_DELIVERED:
    case CRIER_MONITOR_WEBHOOK_FAILED:
    case CRIER_MONITOR_WEBHOOK_DROPPED:
    case CRIER_MONITOR_CLUSTER:
    case CRIER_MONITOR_N_KINDS:
    default:
      return _ ("Explanation");
    }
}

/* The explanation and the delivery trace first, in words; the record as JSON below. */
static void
selection_changed_cb (GtkSingleSelection *selection,
                      GParamSpec         *pspec,
                      CrierLogPage       *self)
{
  CrierEventItem  *item = gtk_single_selection_get_selected_item (selection);
  g_autofree char *details = NULL;
  g_autofree char *trace = NULL;
  const char      *explanation;

  update_replay_actions (self);
  if (item == NULL)
    {
      gtk_stack_set_visible_child_name (self->details_stack, "none");
      return;
    }
  details = crier_event_item_dup_details (item);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->details_view), details, -1);
  explanation = crier_event_item_get_explanation (item);
  gtk_label_set_label (self->explanation_title, explanation_title (crier_event_item_get_kind (item)));
  gtk_label_set_label (self->explanation_label, explanation ? explanation : "");
  gtk_widget_set_visible (GTK_WIDGET (self->explanation_title), explanation != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->explanation_label), explanation != NULL);
  trace = crier_event_item_dup_trace (item);
  gtk_label_set_label (self->trace_label, trace ? trace : "");
  gtk_widget_set_visible (GTK_WIDGET (self->trace_title), trace != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->trace_label), trace != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->imported_label), crier_event_item_get_imported (item));
  gtk_widget_set_visible (self->replay_box, crier_event_item_is_replayable (item));
  gtk_widget_set_visible (self->summary_box, explanation != NULL || trace != NULL ||
                                               crier_event_item_get_imported (item) ||
                                               crier_event_item_is_replayable (item));
  gtk_stack_set_visible_child_name (self->details_stack, "details");
}

static void
kind_selected_cb (GtkDropDown  *dropdown,
                  GParamSpec   *pspec,
                  CrierLogPage *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  self->kind_filter = selected == GTK_INVALID_LIST_POSITION ? 0 : (int) selected;
  refilter (self);
}

static void
app_selected_cb (GtkDropDown  *dropdown,
                 GParamSpec   *pspec,
                 CrierLogPage *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  g_clear_pointer (&self->app_filter, g_free);
  if (selected != GTK_INVALID_LIST_POSITION && selected > 0)
    self->app_filter = g_strdup (gtk_string_list_get_string (self->app_model, selected));
  refilter (self);
}

static void
channel_changed_cb (GtkEditable  *editable,
                    CrierLogPage *self)
{
  const char *text = gtk_editable_get_text (editable);

  g_free (self->channel_filter);
  self->channel_filter = *text ? g_strdup (text) : NULL;
  refilter (self);
}

static void
channel_icon_cb (GtkEntry            *entry,
                 GtkEntryIconPosition position,
                 CrierLogPage        *self)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

static void
clear_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CrierLogPage *self = CRIER_LOG_PAGE (widget);

  if (self->log != NULL)
    crier_event_log_clear (self->log);
}

static void
export_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (CrierLogPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    message = g_strdup_printf (_ ("Could not export: %s"), error->message);
  else
    message = g_strdup (_ ("Events exported"));
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
}

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    CrierLogPage    *self)
{
  g_autoptr (GFile) file = NULL;
  g_autofree char *text = NULL;
  g_autoptr (GBytes) bytes = NULL;

  if (response == GTK_RESPONSE_ACCEPT &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog))) != NULL && self->log != NULL)
    {
      /* The rows as filtered; building the text is quick, the write is asynchronous. */
      text = crier_event_log_to_json_lines (self->log, G_LIST_MODEL (self->filter_model));
      bytes = g_bytes_new_take (text, strlen (text));
      text = NULL;
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                           NULL, export_written_cb, g_object_ref (self));
    }
  g_clear_object (&self->chooser);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrierLogPage *self = CRIER_LOG_PAGE (widget);
  GtkRoot      *root = gtk_widget_get_root (widget);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_ ("Export Events"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Export"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), "crier-events.jsonl");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
import_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (CrierLogPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *message = NULL;
  guint            n = 0;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, NULL, NULL, &error) ||
      self->log == NULL || !crier_event_log_import (self->log, contents, &n, &error))
    message = g_strdup_printf (_ ("Could not import: %s"), error ? error->message : "");
  else
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u event imported", "%u events imported", n), n);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
}

/* log.import-file: a JSON Lines file by path (the file chooser ends here, tests start here). */
static void
import_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr (GFile) file = g_file_new_for_path (g_variant_get_string (parameter, NULL));

  /* A file the user picked, read asynchronously; parsing it is quick. */
  g_file_load_contents_async (file, NULL, import_loaded_cb, g_object_ref (widget));
}

static void
import_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    CrierLogPage    *self)
{
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT &&
      (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog))) != NULL && g_file_peek_path (file) != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "log.import-file", "s", g_file_peek_path (file));
  g_clear_object (&self->chooser);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrierLogPage *self = CRIER_LOG_PAGE (widget);
  GtkRoot      *root = gtk_widget_get_root (widget);
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_ ("Import Events"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Import"), NULL);
  gtk_file_filter_set_name (filter, _ ("JSON Lines"));
  gtk_file_filter_add_pattern (filter, "*.jsonl");
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_filter_add_pattern (filter, "*.log");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (import_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

typedef struct
{
  CrierLogPage *page;
  char         *name;
  char         *channel; /* a broadcast's: its answer says how many it reached */
} Replay;

static void
replay_free (Replay *replay)
{
  g_object_unref (replay->page);
  g_free (replay->name);
  g_free (replay->channel);
  g_free (replay);
}

/* The server's answer, on this thread; the page is kept until it comes. A broadcast that
 * reached nobody says so, as the Send page does (unknown when clustered or observed). */
static void
replay_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Replay *replay = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;
  gint64           receivers = CRIER_BACKEND_RECEIVERS_UNKNOWN;
  gboolean         done = replay->channel != NULL
                            ? crier_backend_publish_finish (CRIER_BACKEND (source), result, &receivers, &error)
                            : crier_backend_command_finish (CRIER_BACKEND (source), result, &error);

  if (!done)
    message = g_strdup_printf (_ ("Could not send again: %s"), error->message);
  else if (receivers == 0)
    message = g_strdup_printf (_ ("“%s” reached nobody: nobody is subscribed to %s"), replay->name, replay->channel);
  else
    message = g_strdup_printf (_ ("“%s” sent again"), replay->name);
  gtk_widget_activate_action (GTK_WIDGET (replay->page), "win.toast", "s", message);
  replay_free (replay);
}

/* The selected broadcast or client event once more, as it was. */
static void
replay_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrierLogPage   *self = CRIER_LOG_PAGE (widget);
  CrierEventItem *item = gtk_single_selection_get_selected_item (self->selection);
  g_autoptr (GError) error = NULL;
  Replay *replay;

  if (item == NULL || self->server == NULL)
    return;
  replay = g_new0 (Replay, 1);
  replay->page = g_object_ref (self);
  replay->name = g_strdup (crier_event_item_get_event (item)->event);
  if (crier_event_item_get_kind (item) == CRIER_MONITOR_EVENT_PUBLISHED)
    replay->channel = g_strdup (crier_event_item_get_event (item)->channel);
  if (!crier_event_item_replay (item, self->server, replay_done_cb, replay, &error))
    {
      g_autofree char *message = g_strdup_printf (_ ("Could not send again: %s"), error->message);

      gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message);
      replay_free (replay);
    }
}

/* Folded, the log alone is on screen: a tap on a row opens its details. */
static void
activate_cb (GtkColumnView *view,
             guint          position,
             CrierLogPage  *self)
{
  gtk_single_selection_set_selected (self->selection, position);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child_name (self->leaflet, "details");
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  adw_leaflet_set_visible_child_name (CRIER_LOG_PAGE (widget)->leaflet, "list");
}

/* GTK 4.8 names a drop-down but not the button inside it that takes the focus: a screen
 * reader says "GtkToggleButton" there. */
static void
name_drop_down_button (GtkDropDown *dropdown,
                       const char  *name)
{
  GtkWidget *button = gtk_widget_get_first_child (GTK_WIDGET (dropdown));

  if (GTK_IS_TOGGLE_BUTTON (button))
    gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrierLogPage *self = CRIER_LOG_PAGE (widget);

  /* The window owns the forms the event opens in. */
  if (gtk_single_selection_get_selected_item (self->selection) != NULL)
    gtk_widget_activate_action (widget, "win.edit-event", NULL);
}

static void
crier_log_page_dispose (GObject *object)
{
  CrierLogPage *self = CRIER_LOG_PAGE (object);

  if (self->scroll_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->scroll_tick);
  self->scroll_tick = 0;
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->filter_model != NULL)
    g_signal_handlers_disconnect_by_data (self->filter_model, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRIER_TYPE_LOG_PAGE);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  if (self->log != NULL)
    g_signal_handlers_disconnect_by_func (self->log, update_count, self);
  g_clear_object (&self->log);
  if (self->server != NULL)
    g_signal_handlers_disconnect_by_func (self->server, update_replay_actions, self);
  g_clear_object (&self->server);
  G_OBJECT_CLASS (crier_log_page_parent_class)->dispose (object);
}

static void
crier_log_page_finalize (GObject *object)
{
  CrierLogPage *self = CRIER_LOG_PAGE (object);

  g_free (self->app_filter);
  g_free (self->channel_filter);
  G_OBJECT_CLASS (crier_log_page_parent_class)->finalize (object);
}

static void
crier_log_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CrierLogPage *self = CRIER_LOG_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    case PROP_AUTOSCROLL:
      g_value_set_boolean (value, self->autoscroll);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_log_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CrierLogPage *self = CRIER_LOG_PAGE (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      crier_log_page_set_server (self, g_value_get_object (value));
      break;
    case PROP_AUTOSCROLL:
      if (self->autoscroll != g_value_get_boolean (value))
        {
          self->autoscroll = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_log_page_class_init (CrierLogPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crier_log_page_dispose;
  object_class->finalize = crier_log_page_finalize;
  object_class->get_property = crier_log_page_get_property;
  object_class->set_property = crier_log_page_set_property;

  properties[PROP_AUTOSCROLL] = g_param_spec_boolean ("autoscroll", NULL, NULL, TRUE,
                                                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                        G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER] = g_param_spec_object ("server", NULL, NULL, CRIER_TYPE_BACKEND,
                                                 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CRIER_TYPE_EVENT_ITEM);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/crier/Crier/ui/crier-log-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, app_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, app_model);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, channel_entry);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, selection);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, filter_model);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, custom_filter);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, details_stack);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, details_view);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, imported_label);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, explanation_title);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, explanation_label);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, trace_title);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, trace_label);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, replay_box);
  gtk_widget_class_bind_template_child (widget_class, CrierLogPage, summary_box);

  gtk_widget_class_install_action (widget_class, "log.clear", NULL, clear_action);
  gtk_widget_class_install_action (widget_class, "log.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "log.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "log.import-file", "s", import_file_action);
  gtk_widget_class_install_action (widget_class, "log.replay", NULL, replay_action);
  gtk_widget_class_install_action (widget_class, "log.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "log.back", NULL, back_action);
  gtk_widget_class_bind_template_callback (widget_class, activate_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "log.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "log.replay", NULL);
  gtk_widget_class_install_property_action (widget_class, "log.autoscroll", "autoscroll");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "log.clear", NULL);
}

static void
set_column_factories (CrierLogPage *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  g_assert (g_list_model_get_n_items (columns) == CRIER_LOG_N_COLUMNS);
  for (guint i = 0; i < CRIER_LOG_N_COLUMNS; i++)
    {
      g_autoptr (GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
      g_autoptr (GtkListItemFactory) factory = crier_log_column_factory_new (i);

      gtk_column_view_column_set_factory (column, factory);
    }
}

static void
crier_log_page_init (CrierLogPage *self)
{
  self->autoscroll = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  set_column_factories (self);
  g_signal_connect (self->filter_model, "items-changed", G_CALLBACK (filtered_items_changed_cb), self);
  g_signal_connect (self->selection, "notify::selected-item", G_CALLBACK (selection_changed_cb), self);
  g_signal_connect (self->kind_dropdown, "notify::selected", G_CALLBACK (kind_selected_cb), self);
  g_signal_connect (self->app_dropdown, "notify::selected", G_CALLBACK (app_selected_cb), self);
  g_signal_connect (self->channel_entry, "changed", G_CALLBACK (channel_changed_cb), self);
  g_signal_connect (self->channel_entry, "icon-release", G_CALLBACK (channel_icon_cb), self);
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->column_view));
  name_drop_down_button (self->kind_dropdown, _ ("Kind"));
  name_drop_down_button (self->app_dropdown, _ ("App"));
  update_count (self);
  update_replay_actions (self);
}

void
crier_log_page_set_log (CrierLogPage  *self,
                        CrierEventLog *log)
{
  g_return_if_fail (CRIER_IS_LOG_PAGE (self));
  if (self->log == log)
    return;
  if (self->log != NULL)
    g_signal_handlers_disconnect_by_func (self->log, update_count, self);
  g_set_object (&self->log, log);
  if (log != NULL)
    g_signal_connect_swapped (log, "notify::dropped", G_CALLBACK (update_count), self);
  gtk_filter_list_model_set_model (self->filter_model, G_LIST_MODEL (log));
  update_count (self);
}

/* The app filter offers the apps of server. */
void
crier_log_page_set_server (CrierLogPage *self,
                           CrierBackend *server)
{
  GPtrArray       *apps;
  g_autofree char *keep = NULL;
  g_autofree char *keep_channel = NULL;
  guint            n;

  g_return_if_fail (CRIER_IS_LOG_PAGE (self));
  if (self->server != NULL)
    g_signal_handlers_disconnect_by_func (self->server, update_replay_actions, self);
  if (!g_set_object (&self->server, server) || server == NULL)
    {
      update_replay_actions (self);
      return;
    }
  g_signal_connect_swapped (server, "notify::state", G_CALLBACK (update_replay_actions), self);
  update_replay_actions (self);
  keep = g_strdup (self->app_filter);
  keep_channel = g_strdup (self->channel_filter);
  apps = crier_config_get_apps (crier_backend_get_config (server));
  n = g_list_model_get_n_items (G_LIST_MODEL (self->app_model));
  {
    g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
    g_auto (GStrv) ids = NULL;

    for (guint i = 0; i < apps->len; i++)
      g_strv_builder_add (builder, ((CrierAppConfig *) g_ptr_array_index (apps, i))->id);
    ids = g_strv_builder_end (builder);
    gtk_string_list_splice (self->app_model, 1, n - 1, (const char *const *) ids);
  }
  crier_log_page_set_filter (self, keep, keep_channel);
}

void
crier_log_page_focus_search (CrierLogPage *self)
{
  g_return_if_fail (CRIER_IS_LOG_PAGE (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* Shows only app_id's events on channel (either NULL: any). */
void
crier_log_page_set_filter (CrierLogPage *self,
                           const char   *app_id,
                           const char   *channel)
{
  guint n, position = 0;

  g_return_if_fail (CRIER_IS_LOG_PAGE (self));
  n = g_list_model_get_n_items (G_LIST_MODEL (self->app_model));
  for (guint i = 1; app_id != NULL && *app_id && i < n; i++)
    if (g_str_equal (gtk_string_list_get_string (self->app_model, i), app_id))
      position = i;
  gtk_drop_down_set_selected (self->app_dropdown, position);
  gtk_editable_set_text (GTK_EDITABLE (self->channel_entry), channel ? channel : "");
}

/* Returns: (transfer none) (nullable): the event the details pane shows. */
CrierEventItem *
crier_log_page_get_selected (CrierLogPage *self)
{
  g_return_val_if_fail (CRIER_IS_LOG_PAGE (self), NULL);
  return gtk_single_selection_get_selected_item (self->selection);
}
