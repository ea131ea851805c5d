/* test-window-translated.c — the window speaks the language of $LANGUAGE: the labels on
 * screen (header bar, page titles, empty states, a row template, counts with plural forms)
 * are the translations from the .mo files of the build tree ($CRIER_TEST_LOCALEDIR).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "crier-channels-page.h"
#include "crier-gui-test-utils.h"
#include "crier-log-page.h"
#include "crier-window.h"

#define TEST_CONFIG \
  "[app:" CRIER_TEST_APP_ID "]\nkey=" CRIER_TEST_APP_KEY "\nsecret=" CRIER_TEST_APP_SECRET "\n"

/* How many checked strings differ from the English: a window that shows English must not
 * pass because the strings happen to be the same. */
static guint n_translated;

static char *
strip_mnemonic (const char *text)
{
  GString *plain = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '_' && p[1] != '\0')
        p++;
      g_string_append_c (plain, *p);
    }
  return g_string_free (plain, FALSE);
}

/* The text of every label on screen under widget: what a user reads. */
static void
collect_texts (GtkWidget *widget,
               GPtrArray *texts)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (crier_gui_test_widget_text (widget) != NULL)
    g_ptr_array_add (texts, g_strdup (crier_gui_test_widget_text (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_texts (child, texts);
}

static gboolean
window_shows (CrierWindow *win,
              const char  *text)
{
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  collect_texts (GTK_WIDGET (win), texts);
  for (guint i = 0; i < texts->len; i++)
    if (g_str_equal (g_ptr_array_index (texts, i), text))
      return TRUE;
  return FALSE;
}

static void
fail_not_shown (CrierWindow *win,
                const char  *want,
                const char  *msgid)
{
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) message = g_string_new (NULL);

  collect_texts (GTK_WIDGET (win), texts);
  g_string_printf (message, "LANGUAGE=%s: the window does not show “%s” (msgid “%s”); it shows:",
                   g_getenv ("LANGUAGE"), want, msgid);
  for (guint i = 0; i < texts->len; i++)
    g_string_append_printf (message, "\n  “%s”", (const char *) g_ptr_array_index (texts, i));
  g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message->str);
}

/* Waits until a label shows text, a translation of msgid; the English msgid is not on
 * screen unless the translation is the same. */
static void
assert_shows_text (CrierWindow *win,
                   const char  *text,
                   const char  *msgid)
{
  g_autofree char   *want = strip_mnemonic (text);
  g_autofree char   *english = strip_mnemonic (msgid);
  CrierTestDeadline *deadline = crier_test_deadline_new (CRIER_TEST_TIMEOUT);
  gboolean           shown;

  while (!(shown = window_shows (win, want)) && crier_test_deadline_iterate (deadline))
    ;
  crier_test_deadline_free (deadline);
  if (!shown)
    {
      fail_not_shown (win, want, msgid);
      return;
    }
  if (!g_str_equal (want, english))
    {
      n_translated++;
      if (window_shows (win, english))
        fail_not_shown (win, english, "(English left on screen)");
    }
}

static void
fail_untranslated (const char *msgid,
                   const char *context)
{
  g_autofree char *message = g_strdup_printf ("%s/%s/LC_MESSAGES/%s.mo has no translation of “%s”%s%s%s",
                                              g_getenv ("CRIER_TEST_LOCALEDIR"), g_getenv ("LANGUAGE"),
                                              GETTEXT_PACKAGE, msgid, context ? " (" : "",
                                              context ? context : "", context ? ")" : "");

  g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
}

/* Format attributes: the printf checks then see through to the msgids, as with _ (). */
static const char *translate (const char *msgid) G_GNUC_FORMAT (1);
static const char *translate_plural (const char   *msgid,
                                     const char   *msgid_plural,
                                     unsigned long n) G_GNUC_FORMAT (1) G_GNUC_FORMAT (2);

/* The catalogue's translation of msgid, which must be there: gettext () hands back msgid
 * itself, the same pointer, when it has none. A translation that reads like the English
 * ("Apps" in German) is found all the same. */
static const char *
translate (const char *msgid)
{
  const char *text = g_dgettext (GETTEXT_PACKAGE, msgid);

  if (text == msgid)
    fail_untranslated (msgid, NULL);
  return text;
}

static const char *
translate_plural (const char   *msgid,
                  const char   *msgid_plural,
                  unsigned long n)
{
  const char *text = g_dngettext (GETTEXT_PACKAGE, msgid, msgid_plural, n);

  if (text == msgid || text == msgid_plural)
    fail_untranslated (msgid, NULL);
  return text;
}

/* translate () for a message with a context (C_ () in the sources). */
static const char *
translate_in_context (const char *context,
                      const char *msgid)
{
  const char *text = g_dpgettext2 (GETTEXT_PACKAGE, context, msgid);

  if (text == msgid)
    fail_untranslated (msgid, context);
  return text;
}

static void
assert_shows (CrierWindow *win,
              const char  *msgid)
{
  assert_shows_text (win, translate (msgid), msgid);
}

/* The catalogue is found at all: otherwise every other case fails for a reason it hides. */
static void
test_catalog (void)
{
  const char *msgid = "No Connections Yet";

  if (g_dgettext (GETTEXT_PACKAGE, msgid) == msgid)
    g_error ("no %s translation of “%s” in %s/%s/LC_MESSAGES/%s.mo: are the .mo files built?",
             g_getenv ("LANGUAGE"), msgid, g_getenv ("CRIER_TEST_LOCALEDIR"), g_getenv ("LANGUAGE"),
             GETTEXT_PACKAGE);
  /* The About window's Translated by: a credit, not the placeholder. */
  g_assert_cmpstr (translate ("translator-credits"), !=, "translator-credits");
}

/* The header bar, the page titles and the empty Connections page, as the window opens. */
static void
test_header_and_pages (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow *win = crier_gui_test_open_window (server);

  n_translated = 0;
  crier_gui_test_show_page (win, "connections");
  /* status_detail, set from C */
  assert_shows (win, "Listening");
  /* the view switcher: the pages' titles */
  assert_shows (win, "Connections");
  assert_shows (win, "Channels");
  assert_shows (win, "Events");
  assert_shows (win, "Statistics");
  assert_shows (win, "Send");
  assert_shows (win, "Apps");
  /* the empty state */
  assert_shows (win, "No Connections Yet");
  assert_shows (win, "Point your Laravel app here: copy the .env block, run “npm run dev” and open a page that uses Echo.");
  assert_shows (win, "_Copy .env Block");
  assert_shows (win, "Show _Credentials");

  crier_gui_test_show_page (win, "channels");
  assert_shows (win, "No Channels Yet");
  crier_gui_test_show_page (win, "send");
  assert_shows (win, "Test Event");
  assert_shows (win, "_Send Event");
  assert_shows (win, "Laravel Notification");
  g_assert_cmpuint (n_translated, >=, 10);
  crier_gui_test_close_window (win);
}

/* The event log's count as it should read, translated or in English. */
static char *
dup_count_text (CrierWindow *win,
                gboolean     translated)
{
  GListModel        *filtered = crier_gui_test_shown (crier_gui_test_page (win, "log"), CRIER_TYPE_LOG_PAGE);
  guint              shown = g_list_model_get_n_items (filtered);
  unsigned long long total = crier_event_log_get_total (CRIER_EVENT_LOG (crier_gui_test_model (win, "event-log")));
  g_autofree char   *shown_text = NULL;
  g_autofree char   *seen_text = NULL;

  if (translated)
    {
      shown_text = g_strdup_printf (translate_plural ("%u event shown", "%u events shown", shown), shown);
      seen_text = g_strdup_printf (translate_plural ("%llu seen", "%llu seen", total), total);
    }
  else
    {
      shown_text = g_strdup_printf (shown == 1 ? "%u event shown" : "%u events shown", shown);
      seen_text = g_strdup_printf ("%llu seen", total);
    }

  return g_strdup_printf ("%s · %s", shown_text, seen_text);
}

/* A presence channel with a simulated member (a row template loaded from its own resource),
 * the toast, the event log's count with its plural forms and its empty state. */
static void
test_channels_and_log (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow *win = crier_gui_test_open_window (server);
  g_autoptr (CrierTestClient) client = crier_test_client_connect (server, CRIER_TEST_APP_KEY);
  const char                  *channel_data = "{\"user_id\":\"1\"}";
  g_autoptr (JsonObject) reply G_GNUC_UNUSED = crier_test_client_subscribe_signed (client, CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET,
                                                                                   "presence-room", channel_data);
  CrierChannelsPage           *page = CRIER_CHANNELS_PAGE (crier_gui_test_page (win, "channels"));
  g_autofree char             *joined = NULL;
  g_autofree char             *simulated = NULL;
  g_autofree char             *count = NULL;
  g_autofree char             *count_english = NULL;

  n_translated = 0;
  crier_gui_test_show_page (win, "channels");
  crier_test_wait_until ((crier_gui_test_flush (win),
                          crier_channels_page_select_channel (page, CRIER_TEST_APP_ID, "presence-room")),
                         CRIER_TEST_TIMEOUT);
  assert_shows (win, "Presence Members");
  assert_shows (win, "Simulated Member");
  assert_shows (win, "No simulated members");
  crier_gui_test_set_text (page, CRIER_TYPE_CHANNELS_PAGE, "member_id_row", "bot");
  crier_gui_test_set_text (page, CRIER_TYPE_CHANNELS_PAGE, "member_info_view", "{\"name\":\"Bot\"}");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "channels.add-member", NULL));
  {
    g_autoptr (JsonObject) added G_GNUC_UNUSED = crier_test_client_expect (client, "pusher_internal:member_added", "presence-room");
  }
  crier_gui_test_flush (win);
  /* the members list's row template: crier-channels-page-member-row.ui */
  assert_shows (win, "simulated");
  simulated = g_strdup_printf (translate ("Simulated members: %s"), "bot");
  assert_shows_text (win, simulated, "Simulated members: bot");
  joined = g_strdup_printf (translate ("%s joined %s"), "bot", "presence-room");
  assert_shows_text (win, joined, "bot joined presence-room");

  /* The log: its count in words and plural forms, then its empty state. */
  crier_gui_test_show_page (win, "log");
  crier_gui_test_flush (win);
  count = dup_count_text (win, TRUE);
  count_english = dup_count_text (win, FALSE);
  assert_shows_text (win, count, count_english);
  /* the kind column's cells: crier-log-columns.c */
  assert_shows_text (win, translate_in_context ("event kind", "Member added"), "Member added");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.clear-log", NULL));
  crier_gui_test_flush (win);
  assert_shows (win, "No Events Yet");
  g_clear_pointer (&count, g_free);
  g_clear_pointer (&count_english, g_free);
  count = dup_count_text (win, TRUE);
  count_english = dup_count_text (win, FALSE);
  assert_shows_text (win, count, count_english);
  g_assert_cmpuint (n_translated, >=, 6);
  crier_gui_test_close_window (win);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* gtk_test_init () asks for en_US.UTF-8; the test runs in the locale of its environment
   * (LC_ALL=C.UTF-8: LANGUAGE is ignored in "C", not in "C.UTF-8"). */
  setlocale (LC_ALL, "");
  if (g_getenv ("LANGUAGE") == NULL || g_getenv ("CRIER_TEST_LOCALEDIR") == NULL)
    {
      g_printerr ("LANGUAGE and CRIER_TEST_LOCALEDIR must be set\n");
      return 1;
    }
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("CRIER_TEST_LOCALEDIR"));
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_test_add_func ("/translated/catalog", test_catalog);
  g_test_add_func ("/translated/header-and-pages", test_header_and_pages);
  g_test_add_func ("/translated/channels-and-log", test_channels_and_log);
  return g_test_run ();
}
