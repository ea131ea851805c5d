/* test-webhook-journal.c — the webhook journal: what a restart replays, torn last lines,
 * spool files of the previous format, files that are not journals, compaction
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "crier-test-utils.h"
#include "crier-webhook-journal.h"

#define HEADER "{\"crier-webhook-journal\":1}\n"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("crier-journal-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "state", "journal.jsonl", NULL);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_autofree char *state = g_path_get_dirname (fixture->path);
  g_autoptr (GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  g_autofree char *lock = g_strconcat (fixture->path, ".lock", NULL);

  g_unlink (fixture->path);
  g_unlink (lock);
  g_rmdir (state);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (fixture->dir, name, NULL);

      g_remove (child);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
write_file (const char *path,
            const char *contents,
            gssize      length)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;

  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

static char *
read_file (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static CrierWebhookJournal *
open_journal (const char *path,
              GPtrArray **pending)
{
  g_autoptr (GError) error = NULL;
  CrierWebhookJournal *journal = crier_webhook_journal_open (path, 10, pending, &error);

  g_assert_no_error (error);
  g_assert_nonnull (journal);
  return journal;
}

static CrierWebhookEntry *
entry (const char *body)
{
  return crier_webhook_entry_new ("app", "http://127.0.0.1:9/hook", 1700000000000, g_strdup (body));
}

/* The bodies of entries, joined by spaces: one string to compare. */
static char *
bodies (GPtrArray *entries)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      CrierWebhookEntry *e = g_ptr_array_index (entries, i);

      g_string_append_printf (out, "%s%s", i > 0 ? " " : "", e->body);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Queued, then one delivered and one given up: a restart replays only the third, and the
 * second start compacts the file to it. */
static void
test_replay (Fixture      *fixture,
             gconstpointer data)
{
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GPtrArray) live =
    g_ptr_array_new_with_free_func ((GDestroyNotify) crier_webhook_entry_free);
  g_autoptr (GError) error = NULL;
  g_autofree char     *text = NULL;
  g_autofree char     *got = NULL;
  CrierWebhookJournal *journal = open_journal (fixture->path, &pending);

  g_assert_cmpuint (pending->len, ==, 0);
  g_assert_true (crier_webhook_journal_compact (journal, pending, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"n\":%u}", i + 1);

      g_ptr_array_add (live, entry (body));
      crier_webhook_journal_append (journal, g_ptr_array_index (live, i));
    }
  crier_webhook_journal_finish (journal, g_ptr_array_index (live, 0), CRIER_WEBHOOK_DELIVERED);
  crier_webhook_journal_finish (journal, g_ptr_array_index (live, 1), CRIER_WEBHOOK_GIVEN_UP);
  g_assert_true (crier_webhook_journal_sync (journal, &error));
  g_assert_finalize_object (journal);

  g_clear_pointer (&pending, g_ptr_array_unref);
  journal = open_journal (fixture->path, &pending);
  got = bodies (pending);
  g_assert_cmpstr (got, ==, "{\"n\":3}");
  g_assert_cmpuint (((CrierWebhookEntry *) g_ptr_array_index (pending, 0))->id, ==, 3);
  g_assert_true (crier_webhook_journal_compact (journal, pending, &error));
  g_assert_finalize_object (journal);
  text = read_file (fixture->path);
  g_assert_true (g_str_has_prefix (text, HEADER));
  g_assert_null (strstr (text, "\"done\""));
  g_assert_nonnull (strstr (text, "\"id\":3,"));
}

/* A kill -9 in the middle of a write leaves a line without its newline: skipped, and what
 * it would have said (here: done) did not happen. */
static void
test_torn_last_line (Fixture      *fixture,
                     gconstpointer data)
{
  g_autoptr (GPtrArray) pending = NULL;
  g_autofree char     *got = NULL;
  CrierWebhookJournal *journal;

  write_file (fixture->path,
              HEADER
              "{\"id\":7,\"app_id\":\"app\",\"url\":\"http://h/\",\"created_ms\":1,"
              "\"body\":\"a\"}\n"
              "{\"id\":8,\"app_id\":\"app\",\"url\":\"http://h/\",\"created_ms\":2,"
              "\"body\":\"b\"}\n"
              "{\"done\":7,\"outc",
              -1);
  journal = open_journal (fixture->path, &pending);
  got = bodies (pending);
  g_assert_cmpstr (got, ==, "a b");
  g_assert_finalize_object (journal);
}

/* Spool files of the previous format (no header, no ids) are replayed and numbered. */
static void
test_old_spool (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char     *got = NULL;
  g_autofree char     *text = NULL;
  CrierWebhookJournal *journal;

  write_file (fixture->path,
              "{\"app_id\":\"app\",\"url\":\"http://h/\",\"created_ms\":1,\"body\":\"old-1\"}\n"
              "{\"app_id\":\"app\",\"url\":\"http://h/\",\"created_ms\":2,\"body\":\"old-2\"}\n",
              -1);
  journal = open_journal (fixture->path, &pending);
  got = bodies (pending);
  g_assert_cmpstr (got, ==, "old-1 old-2");
  g_assert_cmpuint (((CrierWebhookEntry *) g_ptr_array_index (pending, 0))->id, ==, 1);
  g_assert_cmpuint (((CrierWebhookEntry *) g_ptr_array_index (pending, 1))->id, ==, 2);
  g_assert_true (crier_webhook_journal_compact (journal, pending, &error));
  g_assert_no_error (error);
  g_assert_finalize_object (journal);
  text = read_file (fixture->path);
  g_assert_true (g_str_has_prefix (text, HEADER));
}

typedef struct
{
  const char *name;
  const char *contents;
  gssize      length;
} Foreign;

static const Foreign foreign_files[] = {
  { "text", "my notes\nsecond line\n", -1 },
  { "no-newline", "hello", -1 },
  { "json-array", "[1,2,3]\n", -1 },
  { "json-other-object", "{\"name\":\"x\"}\n", -1 },
  { "empty-first-line", "\n" HEADER, -1 },
  { "nul-bytes", "{\"crier-webhook-journal\":1}\n\0\0\0", 31 },
};

/* A webhook-spool naming some other file: refused, and the file is not touched. */
static void
test_foreign_file (gconstpointer data)
{
  const Foreign *foreign = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) pending = NULL;
  g_autofree char *dir = g_dir_make_tmp ("crier-journal-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "precious", NULL);
  g_autofree char *after = NULL;
  gsize            length =
    foreign->length < 0 ? strlen (foreign->contents) : (gsize) foreign->length;
  gsize                after_length = 0;
  CrierWebhookJournal *journal;

  write_file (path, foreign->contents, (gssize) length);
  journal = crier_webhook_journal_open (path, 10, &pending, &error);
  g_assert_null (journal);
  g_assert_null (pending);
  g_assert_error (error, CRIER_WEBHOOK_JOURNAL_ERROR, CRIER_WEBHOOK_JOURNAL_ERROR_NOT_A_JOURNAL);
  g_assert_nonnull (strstr (error->message, path));
  g_file_get_contents (path, &after, &after_length, NULL);
  g_assert_cmpmem (after, after_length, foreign->contents, length);
  g_unlink (path);
  g_assert_cmpint (g_rmdir (dir), ==, 0); /* nothing of ours was left beside it */
}

/* A path that cannot be read as a file (here a directory) is an error too, not a fresh start
 * that would rename a journal over it. */
static void
test_unreadable (Fixture      *fixture,
                 gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) pending = NULL;

  g_assert_cmpint (g_mkdir_with_parents (fixture->path, 0700), ==, 0);
  g_assert_null (crier_webhook_journal_open (fixture->path, 10, &pending, &error));
  g_assert_error (error, CRIER_WEBHOOK_JOURNAL_ERROR, CRIER_WEBHOOK_JOURNAL_ERROR_FAILED);
  g_rmdir (fixture->path);
}

/* One server per journal: a second open of the same path is refused while the first holds
 * it, and works once the first is gone. */
static void
test_in_use (Fixture      *fixture,
             gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GPtrArray) second_pending = NULL;
  CrierWebhookJournal *first = open_journal (fixture->path, &pending);

  g_assert_null (crier_webhook_journal_open (fixture->path, 10, &second_pending, &error));
  g_assert_error (error, CRIER_WEBHOOK_JOURNAL_ERROR, CRIER_WEBHOOK_JOURNAL_ERROR_IN_USE);
  g_assert_nonnull (strstr (error->message, fixture->path));
  g_assert_finalize_object (first);
  g_clear_pointer (&pending, g_ptr_array_unref);
  g_assert_finalize_object (open_journal (fixture->path, &pending));
}

/* The window restarts its server in one go (stop, then start): the stopped server has let go
 * of its journal by then, so the new one gets it. */
static void
test_server_restart (Fixture      *fixture,
                     gconstpointer data)
{
  g_autofree char *config = g_strdup_printf ("[server]\nwebhook-spool=%s\n"
                                             "[app:hooks]\nkey=hooks-key\nsecret=hooks-secret\n"
                                             "[webhook:w]\napp=hooks\nurl=http://127.0.0.1:9/hook\n",
                                             fixture->path);
  g_autoptr (CrierTestServer) server = crier_test_server_new (config);
  g_autoptr (GError) error = NULL;

  for (int i = 0; i < 3; i++)
    {
      crier_server_stop (server->server, 4200, "restart");
      g_assert_true (crier_server_start (server->server, &error));
      g_assert_no_error (error);
    }
}

/* Mostly finished records: compaction is wanted, and afterwards the file holds only the
 * live requests. */
static void
test_compaction (Fixture      *fixture,
                 gconstpointer data)
{
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GPtrArray) live =
    g_ptr_array_new_with_free_func ((GDestroyNotify) crier_webhook_entry_free);
  g_autoptr (GError) error = NULL;
  g_autofree char     *big = g_strnfill (64 * 1024, 'x');
  g_autofree char     *text = NULL;
  g_autofree char     *got = NULL;
  CrierWebhookJournal *journal = open_journal (fixture->path, &pending);
  guint                n = 0;

  g_assert_true (crier_webhook_journal_compact (journal, pending, &error));
  while (!crier_webhook_journal_wants_compaction (journal))
    {
      g_autoptr (CrierWebhookEntry) done = entry (big);

      g_assert_cmpuint (++n, <, 100);
      crier_webhook_journal_append (journal, done);
      crier_webhook_journal_finish (journal, done, CRIER_WEBHOOK_DELIVERED);
    }
  g_assert_cmpuint (n, >=, 16); /* 1 MiB of finished records */
  g_ptr_array_add (live, entry ("still-open"));
  crier_webhook_journal_append (journal, g_ptr_array_index (live, 0));
  g_assert_true (crier_webhook_journal_compact (journal, live, &error));
  g_assert_no_error (error);
  g_assert_false (crier_webhook_journal_wants_compaction (journal));
  g_assert_finalize_object (journal);
  text = read_file (fixture->path);
  g_assert_cmpuint (strlen (text), <, 1024);
  g_clear_pointer (&pending, g_ptr_array_unref);
  journal = open_journal (fixture->path, &pending);
  got = bodies (pending);
  g_assert_cmpstr (got, ==, "still-open");
  g_assert_finalize_object (journal);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/core/webhook-journal/replay", Fixture, NULL, fixture_set_up, test_replay,
              fixture_tear_down);
  g_test_add ("/core/webhook-journal/torn-last-line", Fixture, NULL, fixture_set_up,
              test_torn_last_line, fixture_tear_down);
  g_test_add ("/core/webhook-journal/old-spool", Fixture, NULL, fixture_set_up, test_old_spool,
              fixture_tear_down);
  g_test_add ("/core/webhook-journal/unreadable", Fixture, NULL, fixture_set_up, test_unreadable,
              fixture_tear_down);
  g_test_add ("/core/webhook-journal/in-use", Fixture, NULL, fixture_set_up, test_in_use,
              fixture_tear_down);
  g_test_add ("/core/webhook-journal/server-restart", Fixture, NULL, fixture_set_up,
              test_server_restart, fixture_tear_down);
  g_test_add ("/core/webhook-journal/compaction", Fixture, NULL, fixture_set_up, test_compaction,
              fixture_tear_down);
  for (guint i = 0; i < G_N_ELEMENTS (foreign_files); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/webhook-journal/foreign/%s",
                                               foreign_files[i].name);

      g_test_add_data_func (path, &foreign_files[i], test_foreign_file);
    }
  return g_test_run ();
}
