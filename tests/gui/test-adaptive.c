/* test-adaptive.c — the window at 360, 500 and 1000 px: every page's controls on screen,
 * unclipped and apart, each with an accessible name and reachable by keyboard; Ctrl+Enter
 * sends from every field of the Send page.
 *
 * With CRIER_SCREENSHOT_DIR set, each page at each width is also saved there as
 * PAGE-WIDTH.png, drawn by GSK without a screen grab (the narrow screenshots of
 * data/screenshots/ are made so: see data/screenshots/README.md).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-app-dialog.h"
#include "crier-channels-page.h"
#include "crier-connect-dialog.h"
#include "crier-connections-page.h"
#include "crier-gui-test-utils.h"
#include "crier-log-page.h"
#include "crier-preferences-window.h"
#include "crier-send-page.h"

#define TEST_CONFIG \
  "[app:" CRIER_TEST_APP_ID "]\nkey=" CRIER_TEST_APP_KEY "\nsecret=" CRIER_TEST_APP_SECRET "\n"
#define HEIGHT 720

static const char *const pages[] = { "connections", "channels", "log", "stats", "send", "apps" };

/* A window of the given width on a server with one client on a public and a presence
 * channel, and an event in the log, so that no page shows its empty state. */
typedef struct
{
  CrierTestServer *server;
  CrierTestClient *client;
  CrierWindow     *win;
} Fixture;

static int
content_width (CrierWindow *win)
{
  return gtk_widget_get_width (adw_application_window_get_content (ADW_APPLICATION_WINDOW (win)));
}

static void
fixture_open (Fixture *f,
              int      width)
{
  g_autoptr (JsonObject) reply = NULL;
  int deco;

  f->server = crier_test_server_new_hosted (TEST_CONFIG);
  f->win = crier_window_new (NULL);
  crier_window_set_server (f->win, CRIER_BACKEND (f->server->host));
  /* A little wider at first: the frame (below) is not known yet. Shown narrow from the
   * start, as the window opens at the size it was closed at. */
  gtk_window_set_default_size (GTK_WINDOW (f->win), width + 64, HEIGHT);
  gtk_window_present (GTK_WINDOW (f->win));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->win));

  f->client = crier_test_client_connect (f->server, CRIER_TEST_APP_KEY);
  reply = crier_test_client_subscribe (f->client, "orders", NULL, NULL);
  g_clear_pointer (&reply, json_object_unref);
  reply = crier_test_client_subscribe_signed (f->client, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET,
                                              "presence-App.Models.Team.1",
                                              "{\"user_id\":\"1\",\"user_info\":{\"name\":\"Ada\"}}");
  crier_test_publish (f->server, "private-App.Models.User.99",
                      "Illuminate\\Notifications\\Events\\BroadcastNotificationCreated",
                      "{\"id\":\"0b6a3c1e-8a2f-4c7e-9d41-5f3e2a1b0c9d\",\"type\":\"App\\\\Notifications\\\\InvoicePaid\"}",
                      NULL);
  crier_test_wait_until (crier_channel_list_find (CRIER_CHANNEL_LIST (crier_gui_test_model (f->win, "channels")), CRIER_TEST_APP_ID,
                                                  "presence-App.Models.Team.1") != NULL,
                         CRIER_TEST_TIMEOUT);
  crier_gui_test_flush (f->win);
  /* The window never grows past what was asked: a page whose minimum width is larger
   * would widen it (and is what this test is about). */
  /* Without a compositor (Xvfb) GTK draws a frame around the window: what the page gets
   * is the width of the content, so that is what is set to width. */
  deco = gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (f->win))) - content_width (f->win);
  gtk_window_set_default_size (GTK_WINDOW (f->win), width + deco, HEIGHT);
  crier_test_wait_until (content_width (f->win) <= width, CRIER_TEST_TIMEOUT);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->win));
}

static void
fixture_close (Fixture *f)
{
  crier_gui_test_close_window (f->win);
  g_clear_pointer (&f->client, crier_test_client_free);
  crier_test_server_free (f->server);
}

/* Shows a page and waits until it has been laid out and drawn at its new size. */
static void
show_page (Fixture    *f,
           const char *name)
{
  crier_gui_test_show_page (f->win, name);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->win));
  crier_test_drain ();
  gtk_test_widget_wait_for_draw (GTK_WIDGET (f->win));
}

/* What a user operates: buttons, switches, drop-downs, text fields, lists. Their
 * insides (an entry's text, a menu button's button) are part of them. */
static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_SWITCH (widget) || GTK_IS_DROP_DOWN (widget) || GTK_IS_ENTRY (widget) || GTK_IS_SEARCH_ENTRY (widget) || GTK_IS_TEXT (widget) || GTK_IS_TEXT_VIEW (widget) || GTK_IS_SPIN_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_COLUMN_VIEW (widget) || GTK_IS_LIST_VIEW (widget);
}

static char *
describe (GtkWidget *widget)
{
  const char *label = GTK_IS_BUTTON (widget) ? gtk_button_get_label (GTK_BUTTON (widget)) : NULL;
  const char *tooltip = gtk_widget_get_tooltip_text (widget);
  const char *buildable_id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget));
  g_autoptr (GString) path = g_string_new (NULL);

  /* The last few types of its path are enough to find it in the .ui. */
  for (GtkWidget *w = widget; w != NULL && !GTK_IS_WINDOW (w) && path->len < 120; w = gtk_widget_get_parent (w))
    {
      if (w != widget)
        g_string_prepend (path, "/");
      g_string_prepend (path, G_OBJECT_TYPE_NAME (w));
    }
  return g_strdup_printf ("%s (id %s, label “%s”, tooltip “%s”)", path->str,
                          buildable_id ? buildable_id : "-", label ? label : "", tooltip ? tooltip : "");
}

/* Lists, column views and text views scroll inside a GtkScrolledWindow: that is what
 * has to be on screen. */
static GtkWidget *
visible_part (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  if ((GTK_IS_COLUMN_VIEW (widget) || GTK_IS_LIST_VIEW (widget) || GTK_IS_TEXT_VIEW (widget)) && GTK_IS_SCROLLED_WINDOW (parent))
    return parent;
  return widget;
}

static void
collect_controls (GtkWidget *widget,
                  GtkWidget *window,
                  gboolean   in_header,
                  GPtrArray *controls)
{
  if (!gtk_widget_get_mapped (widget) || GTK_WIDGET (gtk_widget_get_native (widget)) != window)
    return;
  in_header = in_header || ADW_IS_HEADER_BAR (widget);
  /* In the header bar, texts count too: the status must not be drawn over the title. */
  if (is_control (widget) || (in_header && GTK_IS_LABEL (widget)))
    {
      g_ptr_array_add (controls, widget);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_controls (child, window, in_header, controls);
}

static graphene_rect_t
bounds_in_window (GtkWidget *widget,
                  GtkWidget *window)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (widget, window, &bounds));
  return bounds;
}

/* A GtkOverlay puts a control on top of another on purpose (the Copy button on a code view). */
static gboolean
on_one_overlay (GtkWidget *a,
                GtkWidget *b)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (a, GTK_TYPE_OVERLAY);

  return overlay != NULL && gtk_widget_is_ancestor (b, overlay);
}

/* The part of widget on screen: its bounds within every ancestor's (scrolled out of view: empty). */
static gboolean
visible_rect (GtkWidget       *widget,
              GtkWidget       *window,
              graphene_rect_t *visible)
{
  *visible = bounds_in_window (widget, window);
  for (GtkWidget *a = gtk_widget_get_parent (widget); a != NULL; a = gtk_widget_get_parent (a))
    {
      graphene_rect_t ar = bounds_in_window (a, window);

      if (!graphene_rect_intersection (visible, &ar, visible))
        return FALSE;
      if (a == window)
        break;
    }
  return visible->size.width > 1 && visible->size.height > 1;
}

/* Inside every ancestor horizontally; vertically too, up to the first scrolled window
 * (below it, what is out of view can be scrolled to). 1 px of rounding allowed. */
static gboolean
is_clipped (GtkWidget *widget,
            GtkWidget *window,
            char     **where)
{
  graphene_rect_t r = bounds_in_window (widget, window);
  gboolean        vertical = TRUE;

  for (GtkWidget *a = widget; a != NULL; a = gtk_widget_get_parent (a))
    {
      graphene_rect_t ar = bounds_in_window (a, window);

      if (a != widget)
        {
          gboolean out_x = r.origin.x < ar.origin.x - 1 || r.origin.x + r.size.width > ar.origin.x + ar.size.width + 1;
          gboolean out_y = r.origin.y < ar.origin.y - 1 || r.origin.y + r.size.height > ar.origin.y + ar.size.height + 1;

          /* A scrolled window shows part of its content: only sideways is that clipping. */
          if (GTK_IS_SCROLLED_WINDOW (a) || GTK_IS_VIEWPORT (a))
            vertical = FALSE;
          if (out_x || (vertical && out_y))
            {
              *where = g_strdup_printf ("[%g,%g %gx%g] outside %s [%g,%g %gx%g]", r.origin.x, r.origin.y,
                                        r.size.width, r.size.height, G_OBJECT_TYPE_NAME (a), ar.origin.x,
                                        ar.origin.y, ar.size.width, ar.size.height);
              return TRUE;
            }
        }
      if (a == window)
        break;
    }
  return FALSE;
}

/* The controls of the window as it is now: each on screen, with a size, unclipped, and
 * no two on top of each other. Returns how many were checked. */
static guint
check_layout (Fixture    *f,
              const char *page,
              int         width)
{
  GtkWidget *window = GTK_WIDGET (f->win);
  g_autoptr (GPtrArray) controls = g_ptr_array_new ();
  gboolean failed = FALSE;

  collect_controls (window, window, FALSE, controls);
  for (guint i = 0; i < controls->len; i++)
    {
      GtkWidget       *w = visible_part (controls->pdata[i]);
      graphene_rect_t  r = bounds_in_window (w, window);
      g_autofree char *what = describe (controls->pdata[i]);
      g_autofree char *where = NULL;

      if (r.size.width < 1 || r.size.height < 1)
        {
          g_printerr ("%s at %d px: %s has no size\n", page, width, what);
          failed = TRUE;
        }
      else if (is_clipped (w, window, &where))
        {
          g_printerr ("%s at %d px: %s is clipped: %s\n", page, width, what, where);
          failed = TRUE;
        }
      controls->pdata[i] = w;
    }
  for (guint i = 0; i < controls->len; i++)
    for (guint j = i + 1; j < controls->len; j++)
      {
        GtkWidget      *a = controls->pdata[i], *b = controls->pdata[j];
        graphene_rect_t ra, rb, both;

        if (a == b || gtk_widget_is_ancestor (a, b) || gtk_widget_is_ancestor (b, a) || on_one_overlay (a, b) || !visible_rect (a, window, &ra) || !visible_rect (b, window, &rb))
          continue;
        if (graphene_rect_intersection (&ra, &rb, &both) && both.size.width > 1 && both.size.height > 1)
          {
            g_autofree char *what_a = describe (a);
            g_autofree char *what_b = describe (b);

            g_printerr ("%s at %d px: %s [%g,%g %gx%g] overlaps %s [%g,%g %gx%g]\n", page, width, what_a,
                        ra.origin.x, ra.origin.y, ra.size.width, ra.size.height, what_b, rb.origin.x,
                        rb.origin.y, rb.size.width, rb.size.height);
            failed = TRUE;
          }
      }
  g_assert_false (failed);
  return controls->len;
}

/* widget is mapped and inside the window. */
static void
assert_on_screen (GtkWidget *widget)
{
  GtkWidget      *window = GTK_WIDGET (gtk_widget_get_root (widget));
  graphene_rect_t r;

  g_assert_true (gtk_widget_get_mapped (widget));
  r = bounds_in_window (visible_part (widget), window);
  g_assert_cmpfloat (r.size.width, >=, 1);
  g_assert_cmpfloat (r.origin.x, >=, 0);
  g_assert_cmpfloat (r.origin.x + r.size.width, <=, gtk_widget_get_width (window) + 1);
}

static void
assert_child_on_screen (GtkWidget  *page,
                        GType       type,
                        const char *id)
{
  g_test_message ("%s", id);
  assert_on_screen (GTK_WIDGET (crier_gui_test_child (page, type, id)));
}

/* The first widget of type in widget's tree. */
static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
find_mapped (GtkWidget *widget,
             GType      type)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (find_mapped (child, type))
      return TRUE;
  return FALSE;
}

/* A menu (with its sections) has an item for action. */
static gboolean
menu_has_action (GMenuModel *menu,
                 const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr (GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) && g_str_equal (name, action))
        return TRUE;
      if (section != NULL && menu_has_action (section, action))
        return TRUE;
    }
  return FALSE;
}

/* A user can reach action on screen: a mapped button for it, or a mapped menu button whose
 * menu has it. */
static gboolean
offers_action (GtkWidget  *widget,
               const char *action)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  if (GTK_IS_ACTIONABLE (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return TRUE;
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)) != NULL && menu_has_action (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)), action))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (offers_action (child, action))
      return TRUE;
  return FALSE;
}

static void
save_screenshot (Fixture    *f,
                 const char *page,
                 int         width)
{
  const char *dir = g_getenv ("CRIER_SCREENSHOT_DIR");
  GtkWidget  *window = GTK_WIDGET (f->win);
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot     *snapshot;
  int              w = gtk_widget_get_width (window), h = gtk_widget_get_height (window);

  if (dir == NULL)
    return;
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  /* Named like the metainfo's screenshots (events.png, statistics.png). */
  if (g_str_equal (page, "log"))
    page = "events";
  else if (g_str_equal (page, "stats"))
    page = "statistics";
  path = g_strdup_printf ("%s/%s-%d.png", dir, page, width);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

/* Every page at one width: the window keeps that width, the view switcher is there (in
 * the header or at the bottom), and every control is on screen. */
static void
test_layout (gconstpointer data)
{
  int                   width = GPOINTER_TO_INT (data);
  Fixture               f;
  GtkWidget            *page, *status;
  AdwViewSwitcherTitle *title;

  fixture_open (&f, width);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      show_page (&f, pages[i]);
      g_test_message ("%s at %d px", pages[i], width);
      g_assert_cmpint (content_width (f.win), ==, width);
      g_assert_true (find_mapped (GTK_WIDGET (f.win), ADW_TYPE_VIEW_SWITCHER));
      g_assert_cmpuint (check_layout (&f, pages[i], width), >=, 4);
      save_screenshot (&f, pages[i], width);
    }
  /* The server's address: beside the switch when there is room (1000 px), else under
   * the title. */
  status = GTK_WIDGET (crier_gui_test_child (f.win, CRIER_TYPE_WINDOW, "status_label"));
  title = ADW_VIEW_SWITCHER_TITLE (crier_gui_test_child (f.win, CRIER_TYPE_WINDOW, "switcher_title"));
  if (width >= 1000)
    assert_on_screen (status);
  else if (!gtk_widget_get_mapped (status))
    {
      g_assert_true (adw_view_switcher_title_get_title_visible (title));
      g_assert_cmpstr (adw_view_switcher_title_get_subtitle (title), ==, gtk_label_get_label (GTK_LABEL (status)));
    }

  /* The main controls by name, beyond the generic walk: what each page is for. */
  show_page (&f, "log");
  page = crier_gui_test_page (f.win, "log");
  assert_child_on_screen (page, CRIER_TYPE_LOG_PAGE, "search_entry");
  assert_child_on_screen (page, CRIER_TYPE_LOG_PAGE, "kind_dropdown");
  assert_child_on_screen (page, CRIER_TYPE_LOG_PAGE, "app_dropdown");
  assert_child_on_screen (page, CRIER_TYPE_LOG_PAGE, "channel_entry");
  assert_child_on_screen (page, CRIER_TYPE_LOG_PAGE, "column_view");
  /* The toolbar's actions: buttons when there is room, a menu when not. */
  g_assert_true (offers_action (page, "log.autoscroll"));
  g_assert_true (offers_action (page, "log.import"));
  g_assert_true (offers_action (page, "log.export"));
  g_assert_true (offers_action (page, "log.clear"));
  show_page (&f, "connections");
  assert_on_screen (find_descendant (crier_gui_test_page (f.win, "connections"), GTK_TYPE_COLUMN_VIEW));
  show_page (&f, "channels");
  assert_on_screen (find_descendant (crier_gui_test_page (f.win, "channels"), GTK_TYPE_COLUMN_VIEW));
  show_page (&f, "send");
  page = crier_gui_test_page (f.win, "send");
  assert_child_on_screen (page, CRIER_TYPE_SEND_PAGE, "event_data_view");
  assert_child_on_screen (page, CRIER_TYPE_SEND_PAGE, "event_row");
  fixture_close (&f);
}

/* What a user operates, by its accessible role (a screen reader's view of it). */
static gboolean
is_interactive_role (GtkAccessibleRole role)
{
  static const GtkAccessibleRole roles[] = {
    GTK_ACCESSIBLE_ROLE_BUTTON,
    GTK_ACCESSIBLE_ROLE_CHECKBOX,
    GTK_ACCESSIBLE_ROLE_COMBO_BOX,
    GTK_ACCESSIBLE_ROLE_LINK,
    GTK_ACCESSIBLE_ROLE_RADIO,
    GTK_ACCESSIBLE_ROLE_SEARCH_BOX,
    GTK_ACCESSIBLE_ROLE_SLIDER,
    GTK_ACCESSIBLE_ROLE_SPIN_BUTTON,
    GTK_ACCESSIBLE_ROLE_SWITCH,
    GTK_ACCESSIBLE_ROLE_TEXT_BOX,
  };

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (role == roles[i])
      return TRUE;
  return FALSE;
}

static gboolean
has_text (GtkWidget *widget)
{
  if (crier_gui_test_widget_text (widget) != NULL && *crier_gui_test_widget_text (widget) != '\0')
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_text (child))
      return TRUE;
  return FALSE;
}

/* Named: an explicit label; a button by the text it shows (GTK 4.8 labels every button by
 * its child, an icon too, so the relation alone says nothing there); anything else labelled
 * by another widget (a row's entry by the row's title). A tooltip is not a name. */
static gboolean
has_name (GtkWidget *widget)
{
  if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL))
    return TRUE;
  if (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget))
    return has_text (widget);
  return gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
}

/* Tab reaches it: it or one of its parts (an entry's text, a drop-down's button) takes
 * the keyboard focus. */
static gboolean
takes_focus (GtkWidget *widget)
{
  if (gtk_widget_get_focusable (widget) && gtk_widget_get_can_focus (widget))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (gtk_widget_get_visible (child) && takes_focus (child))
      return TRUE;
  return FALSE;
}

/* Walks the whole tree, pages and panes not on screen too; an interactive widget's insides
 * are its own (the button inside a menu button). Popovers are built when opened. */
static void
check_accessible (GtkWidget *widget,
                  GPtrArray *unnamed,
                  GPtrArray *unreachable,
                  guint     *n_checked)
{
  GtkAccessibleRole role = gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (widget));

  /* Hidden ones are skipped (Preferences' search, turned off); pages and panes not on
   * screen are visible, only not mapped. Popovers are built when opened; the window's own buttons are GTK's (keyboard: Alt+F4,
   * Super+Up), not focusable there by design. */
  if (GTK_IS_POPOVER (widget) || GTK_IS_WINDOW_CONTROLS (widget) || !gtk_widget_get_visible (widget))
    return;
  /* libadwaita keeps the Preferences search entry in its title stack when search is off:
   * nothing shows it or leads to it. */
  if (GTK_IS_SEARCH_ENTRY (widget))
    {
      GtkWidget *prefs = gtk_widget_get_ancestor (widget, ADW_TYPE_PREFERENCES_WINDOW);

      if (prefs != NULL && !adw_preferences_window_get_search_enabled (ADW_PREFERENCES_WINDOW (prefs)))
        return;
    }
  if (is_interactive_role (role))
    {
      (*n_checked)++;
      if (!has_name (widget))
        g_ptr_array_add (unnamed, describe (widget));
      /* A drop-down's focus goes to the button inside, which AT-SPI shows on its own: in
       * GTK 4.8 it needs a name of its own. */
      if (GTK_IS_DROP_DOWN (widget) && GTK_IS_BUTTON (gtk_widget_get_first_child (widget)) && !gtk_test_accessible_has_property (GTK_ACCESSIBLE (gtk_widget_get_first_child (widget)), GTK_ACCESSIBLE_PROPERTY_LABEL))
        g_ptr_array_add (unnamed, describe (gtk_widget_get_first_child (widget)));
      if (gtk_widget_get_sensitive (widget) && !takes_focus (widget))
        g_ptr_array_add (unreachable, describe (widget));
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_accessible (child, unnamed, unreachable, n_checked);
}

/* A dialog not shown, from its children; returns how many controls it had. */
static guint
check_dialog (GtkWidget *window,
              GPtrArray *unnamed,
              GPtrArray *unreachable,
              guint     *n_checked)
{
  guint before = *n_checked;

  for (GtkWidget *child = gtk_widget_get_first_child (window); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    check_accessible (child, unnamed, unreachable, n_checked);
  return *n_checked - before;
}

/* Every interactive control of every page, of the header and of both layouts (the Events
 * toolbar's buttons and its overflow menu), has an accessible name and takes the focus. */
static void
test_accessible (void)
{
  Fixture f;
  g_autoptr (GPtrArray) unnamed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) unreachable = g_ptr_array_new_with_free_func (g_free);
  guint      n_checked = 0;
  GtkWidget *prefs, *dialog;

  fixture_open (&f, 360);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    show_page (&f, pages[i]);
  check_accessible (GTK_WIDGET (f.win), unnamed, unreachable, &n_checked);
  /* The window's dialogs too: Preferences (its template: the settings it binds come from a
   * running application), the app form and Connect to Server (not shown: showing it asks
   * the bus for a keyring). A window not shown is not visible and the walk would skip it,
   * so each is walked from its children, and each must have controls to check. */
  prefs = g_object_new (CRIER_TYPE_PREFERENCES_WINDOW, NULL);
  g_assert_cmpuint (check_dialog (prefs, unnamed, unreachable, &n_checked), >=, 4);
  dialog = GTK_WIDGET (crier_app_dialog_new (GTK_WINDOW (f.win), NULL));
  g_assert_cmpuint (check_dialog (dialog, unnamed, unreachable, &n_checked), >=, 4);
  gtk_window_destroy (GTK_WINDOW (dialog));
  dialog = GTK_WIDGET (crier_connect_dialog_new (GTK_WINDOW (f.win), NULL));
  g_assert_cmpuint (check_dialog (dialog, unnamed, unreachable, &n_checked), >=, 6);
  gtk_window_destroy (GTK_WINDOW (prefs));
  gtk_window_destroy (GTK_WINDOW (dialog));
  for (guint i = 0; i < unnamed->len; i++)
    g_printerr ("no accessible name: %s\n", (char *) unnamed->pdata[i]);
  for (guint i = 0; i < unreachable->len; i++)
    g_printerr ("not reachable by keyboard: %s\n", (char *) unreachable->pdata[i]);
  g_test_message ("%u controls checked", n_checked);
  g_assert_cmpuint (n_checked, >=, 40);
  g_assert_cmpuint (unnamed->len, ==, 0);
  g_assert_cmpuint (unreachable->len, ==, 0);
  fixture_close (&f);
}

/* Folded (360 px), a tap on a connection opens its details with the Disconnect button on
 * screen, and Back returns to the list; the same for a channel and an event. */
static void
test_folded_details (void)
{
  static const struct
  {
    const char *page;
    const char *back;
  } cases[] = {
    { "connections", "connections.back" },
    { "channels", "channels.back" },
    { "log", "log.back" },
  };
  Fixture f;

  fixture_open (&f, 360);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GtkWidget  *page = crier_gui_test_page (f.win, cases[i].page);
      GtkWidget  *view = find_descendant (page, GTK_TYPE_COLUMN_VIEW);
      AdwLeaflet *leaflet = ADW_LEAFLET (find_descendant (page, ADW_TYPE_LEAFLET));

      g_test_message ("%s", cases[i].page);
      show_page (&f, cases[i].page);
      g_assert_true (adw_leaflet_get_folded (leaflet));
      g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "list");
      /* A tap: folded, the view activates on a single click. */
      g_assert_true (gtk_column_view_get_single_click_activate (GTK_COLUMN_VIEW (view)));
      g_signal_emit_by_name (view, "activate", 0);
      gtk_test_widget_wait_for_draw (GTK_WIDGET (f.win));
      g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "details");
      g_assert_cmpuint (check_layout (&f, cases[i].page, 360), >=, 3);
      g_assert_true (gtk_widget_activate_action (page, cases[i].back, NULL));
      gtk_test_widget_wait_for_draw (GTK_WIDGET (f.win));
      g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "list");
    }
  /* The connection whose details are open goes away: the page starts from the list again
   * when the next one comes. */
  {
    GtkWidget  *page = crier_gui_test_page (f.win, "connections");
    AdwLeaflet *leaflet = ADW_LEAFLET (find_descendant (page, ADW_TYPE_LEAFLET));

    show_page (&f, "connections");
    g_signal_emit_by_name (find_descendant (page, GTK_TYPE_COLUMN_VIEW), "activate", 0);
    g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "details");
    g_clear_pointer (&f.client, crier_test_client_free);
    crier_test_wait_until (g_list_model_get_n_items (G_LIST_MODEL (CRIER_CONNECTION_LIST (crier_gui_test_model (f.win, "connections")))) == 0,
                           CRIER_TEST_TIMEOUT);
    g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "list");
  }
  fixture_close (&f);
}

/* The Send page's Ctrl+Enter shortcut: in the capture phase (a text view would otherwise
 * take Enter for a new line), and it sends the form the focus is in. GTK 4.8 cannot make
 * a key event in-process: the test finds the shortcut the key would trigger and runs its
 * action from the focused field, as GTK does. */
static GtkShortcut *
find_ctrl_enter (GtkWidget *page)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (page);
  g_autoptr (GtkShortcutTrigger) wanted = gtk_shortcut_trigger_parse_string ("<Control>Return");

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller) || gtk_event_controller_get_propagation_phase (controller) != GTK_PHASE_CAPTURE)
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
            {
              if (gtk_shortcut_trigger_equal (gtk_alternative_trigger_get_first (GTK_ALTERNATIVE_TRIGGER (trigger)), wanted) || gtk_shortcut_trigger_equal (gtk_alternative_trigger_get_second (GTK_ALTERNATIVE_TRIGGER (trigger)),
                                                                                                                                                            wanted))
                return shortcut;
            }
          else if (gtk_shortcut_trigger_equal (trigger, wanted))
            return shortcut;
        }
    }
  return NULL;
}

static void
press_ctrl_enter_in (GtkWidget *page,
                     GtkWidget *field)
{
  GtkShortcut *shortcut = find_ctrl_enter (page);

  g_assert_nonnull (shortcut);
  g_assert_true (gtk_widget_grab_focus (field));
  g_assert_true (gtk_widget_has_focus (field) || gtk_widget_has_focus (gtk_widget_get_first_child (field)) || gtk_widget_get_focus_child (field) != NULL);
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), GTK_SHORTCUT_ACTION_EXCLUSIVE,
                                               field, gtk_shortcut_get_arguments (shortcut)));
}

static void
test_ctrl_enter (void)
{
  Fixture    f;
  GtkWidget *page;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (JsonObject) notification = NULL;
  g_autoptr (CrierTestClient) user = NULL;
  g_autoptr (JsonObject) reply = NULL;
  g_autofree char *text = NULL;

  fixture_open (&f, 1000);
  show_page (&f, "send");
  page = crier_gui_test_page (f.win, "send");

  /* From the event's JSON view: the event goes out (channel orders by default), and no
   * new line is typed into the JSON. */
  press_ctrl_enter_in (page, GTK_WIDGET (crier_gui_test_child (page, CRIER_TYPE_SEND_PAGE, "event_data_view")));
  event = crier_test_client_expect (f.client, "App\\Events\\OrderShipped", "orders");
  text = crier_gui_test_dup_text (page, CRIER_TYPE_SEND_PAGE, "event_data_view");
  g_assert_false (g_str_has_suffix (text, "\n"));
  g_clear_pointer (&event, json_object_unref);

  /* From the event name's entry row. */
  press_ctrl_enter_in (page, GTK_WIDGET (crier_gui_test_child (page, CRIER_TYPE_SEND_PAGE, "event_row")));
  event = crier_test_client_expect (f.client, "App\\Events\\OrderShipped", "orders");

  /* From the notification's JSON view: the notification goes to the user's channel. */
  user = crier_test_client_connect (f.server, CRIER_TEST_APP_KEY);
  reply = crier_test_client_subscribe_signed (user, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET,
                                              "private-App.Models.User.7", NULL);
  crier_gui_test_set_text (page, CRIER_TYPE_SEND_PAGE, "user_row", "7");
  press_ctrl_enter_in (page, GTK_WIDGET (crier_gui_test_child (page, CRIER_TYPE_SEND_PAGE, "notify_data_view")));
  notification = crier_test_client_expect (user, "Illuminate\\Notifications\\Events\\BroadcastNotificationCreated",
                                           "private-App.Models.User.7");
  crier_test_client_sync (f.client);
  crier_test_client_assert_no_message (f.client);
  fixture_close (&f);
}

/* The Event column shows a PHP class by its last segment, which is what tells rows apart
 * in its narrow width; the search still finds the whole name. */
static void
test_event_column (void)
{
  Fixture     f;
  GListModel *log;
  gboolean    found = FALSE;

  fixture_open (&f, 1000);
  log = G_LIST_MODEL (CRIER_EVENT_LOG (crier_gui_test_model (f.win, "event-log")));
  for (guint i = 0; i < g_list_model_get_n_items (log); i++)
    {
      g_autoptr (CrierEventItem) item = g_list_model_get_item (log, i);
      g_autofree char *search = NULL;

      if (crier_event_item_get_kind (item) != CRIER_MONITOR_EVENT_PUBLISHED)
        continue;
      found = TRUE;
      g_assert_true (g_str_has_prefix (crier_event_item_get_summary (item), "BroadcastNotificationCreated → "));
      search = crier_event_item_dup_search_text (item);
      g_assert_nonnull (strstr (search, "Illuminate\\Notifications\\Events\\BroadcastNotificationCreated"));
    }
  g_assert_true (found);
  fixture_close (&f);
}

int
main (int    argc,
      char **argv)
{
  static const int widths[] = { 360, 500, 1000 };

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *path = g_strdup_printf ("/adaptive/layout/%d", widths[i]);

      g_test_add_data_func (path, GINT_TO_POINTER (widths[i]), test_layout);
    }
  g_test_add_func ("/adaptive/folded-details", test_folded_details);
  g_test_add_func ("/adaptive/accessible", test_accessible);
  g_test_add_func ("/adaptive/ctrl-enter", test_ctrl_enter);
  g_test_add_func ("/adaptive/event-column", test_event_column);
  return g_test_run ();
}
