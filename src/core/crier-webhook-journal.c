/* crier-webhook-journal.c — the webhook journal (webhook-spool): one JSON Lines record per
 * request queued, one per request answered or given up, appended within a main loop iteration,
 * fdatasync'd at most once per sync interval, rewritten with only the open requests at start,
 * at shutdown and when it is mostly finished records
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-webhooks"

#include "config.h"

#include "crier-webhook-journal.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "crier-json.h"
#include "crier-main-context-private.h"
#include "crier-message.h"

/* The first line says what the file is, so that a webhook-spool naming any other file is
 * refused instead of overwritten. Files of the spool written before the journal (records
 * without an id, no header) are read as well. */
#define HEADER_MEMBER "crier-webhook-journal"
#define HEADER_LINE   "{\"" HEADER_MEMBER "\":1}\n"
/* Rewritten once it is this big and three quarters of it are finished requests. */
#define COMPACT_MIN_BYTES (1024 * 1024)

struct _CrierWebhookJournal
{
  GObject  parent_instance;
  char    *path;
  int      fd;            /* appending; -1 before the first compaction and after a failure */
  int      lock_fd;       /* flock'd PATH.lock: one server per journal */
  GString *buffer;        /* records not written yet */
  guint    write_id;      /* idle: write the buffer */
  guint    sync_id;       /* timeout: fdatasync what was written */
  unsigned sync_interval; /* milliseconds */
  guint64  next_id;
  gsize    file_bytes; /* written and buffered */
  gsize    live_bytes; /* records of requests without an outcome */
};

G_DEFINE_FINAL_TYPE (CrierWebhookJournal, crier_webhook_journal, G_TYPE_OBJECT)
/* The quark name is stringified: its "-" must stay unspaced. */
/* clang-format off */
G_DEFINE_QUARK (crier-webhook-journal-error-quark, crier_webhook_journal_error)
/* clang-format on */

static gboolean
write_all (int         fd,
           const char *data,
           gsize       length,
           GError    **error)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          g_set_error (error, CRIER_WEBHOOK_JOURNAL_ERROR, CRIER_WEBHOOK_JOURNAL_ERROR_FAILED,
                       "%s", g_strerror (saved));
          return FALSE;
        }
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

/* Appending stops until the next compaction succeeds (the shutdown tries one): a crash in
 * between loses what was queued since, as it did before there was a journal. */
static void
stop_appending (CrierWebhookJournal *self,
                const char          *what,
                const char          *why)
{
  g_warning ("webhook journal %s: %s: %s; undelivered webhooks are kept in memory until the "
             "shutdown writes them",
             self->path, what, why);
  g_clear_handle_id (&self->write_id, crier_source_remove);
  g_clear_handle_id (&self->sync_id, crier_source_remove);
  g_string_truncate (self->buffer, 0);
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  self->lock_fd = -1;
}

static gboolean
sync_cb (gpointer user_data)
{
  CrierWebhookJournal *self = user_data;

  self->sync_id = 0;
  if (self->fd >= 0 && fdatasync (self->fd) != 0)
    stop_appending (self, "cannot sync", g_strerror (errno));
  return G_SOURCE_REMOVE;
}

static void
write_buffer (CrierWebhookJournal *self)
{
  g_autoptr (GError) error = NULL;

  g_clear_handle_id (&self->write_id, crier_source_remove);
  if (self->fd < 0 || self->buffer->len == 0)
    return;
  if (!write_all (self->fd, self->buffer->str, self->buffer->len, &error))
    {
      stop_appending (self, "cannot write", error->message);
      return;
    }
  g_string_truncate (self->buffer, 0);
  if (self->sync_id == 0)
    self->sync_id = crier_timeout_add (self->sync_interval, sync_cb, self);
}

static gboolean
write_cb (gpointer user_data)
{
  CrierWebhookJournal *self = user_data;

  self->write_id = 0;
  write_buffer (self);
  return G_SOURCE_REMOVE;
}

/* Everything queued in one main loop iteration goes out in one write(), not one per batch. */
static void
schedule_write (CrierWebhookJournal *self)
{
  if (self->write_id == 0)
    self->write_id = crier_idle_add_full (G_PRIORITY_DEFAULT, write_cb, self);
}

static void
append_queued_record (GString           *out,
                      CrierWebhookEntry *entry)
{
  g_autoptr (JsonObject) object = json_object_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *text = NULL;

  json_object_set_int_member (object, "id", (gint64) entry->id);
  json_object_set_string_member (object, "app_id", entry->app_id);
  json_object_set_string_member (object, "url", entry->url);
  json_object_set_int_member (object, "created_ms", entry->created_ms);
  json_object_set_string_member (object, "body", entry->body);
  node = json_node_init_object (json_node_alloc (), object);
  text = crier_json_to_string (node);
  entry->size = strlen (text) + 1;
  g_string_append (out, text);
  g_string_append_c (out, '\n');
}

static gboolean
get_id (JsonObject *object,
        const char *member,
        guint64    *id)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) <= 0)
    return FALSE;
  *id = (guint64) json_node_get_int (node);
  return TRUE;
}

static CrierWebhookEntry *
entry_from_record (JsonObject *object)
{
  const char        *app_id = crier_json_object_get_string (object, "app_id");
  const char        *url = crier_json_object_get_string (object, "url");
  const char        *body = crier_json_object_get_string (object, "body");
  CrierWebhookEntry *entry;

  if (app_id == NULL || url == NULL || body == NULL)
    return NULL;
  entry = crier_webhook_entry_new (app_id, url,
                                   json_object_get_int_member_with_default (object, "created_ms",
                                                                            0),
                                   g_strdup (body));
  if (!get_id (object, "id", &entry->id))
    entry->id = 0; /* a spool file from before the journal */
  return entry;
}

static gboolean
is_header (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, HEADER_MEMBER);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_INT64 && json_node_get_int (node) == 1;
}

static gboolean
not_a_journal (const char *path,
               GError    **error)
{
  g_set_error (error, CRIER_WEBHOOK_JOURNAL_ERROR, CRIER_WEBHOOK_JOURNAL_ERROR_NOT_A_JOURNAL,
               "webhook-spool %s is not a Crier webhook journal (its first line is not the "
               "journal's); it is left as it is: set webhook-spool to a file of its own",
               path);
  return FALSE;
}

/* Every record in file order; the ids of the finished ones in done. A last line without its
 * newline that does not parse is a write torn by a crash: skipped. */
static gboolean
read_records (const char *path,
              char       *contents,
              gsize       length,
              GPtrArray  *entries,
              GHashTable *done,
              GError    **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  char    *line = contents;
  char    *end = contents + length;
  unsigned damaged = 0;

  if (length == 0)
    return TRUE;
  if (memchr (contents, '\0', length) != NULL)
    return not_a_journal (path, error);
  for (unsigned number = 1; line < end; number++)
    {
      char              *newline = memchr (line, '\n', (gsize) (end - line));
      gboolean           complete = newline != NULL;
      JsonObject        *object = NULL;
      CrierWebhookEntry *entry;
      guint64            id;

      if (complete)
        *newline = '\0';
      else
        newline = end;
      /* An empty line parses to no root at all. */
      if (crier_json_parser_load (parser, line, -1, NULL) &&
          json_parser_get_root (parser) != NULL &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        object = json_node_get_object (json_parser_get_root (parser));
      line = newline + 1;
      if (number == 1)
        {
          if (!complete || object == NULL)
            return not_a_journal (path, error);
          if (is_header (object))
            continue;
          /* else the first record of an old spool file, or not ours at all */
          if ((entry = entry_from_record (object)) == NULL)
            return not_a_journal (path, error);
          g_ptr_array_add (entries, entry);
          continue;
        }
      if (object != NULL && get_id (object, "done", &id))
        g_hash_table_add (done, g_memdup2 (&id, sizeof id));
      else if (object != NULL && (entry = entry_from_record (object)) != NULL)
        g_ptr_array_add (entries, entry);
      else if (complete)
        damaged++;
      else
        g_debug ("%s: skipped a torn last line (a crash in the middle of a write)", path);
    }
  if (damaged > 0)
    g_warning ("webhook journal %s: %u damaged line(s) skipped", path, damaged);
  return TRUE;
}

static void
sync_directory (const char *dir)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  /* The rename is durable once the directory is: best effort, as not every file system can. */
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

static void
crier_webhook_journal_dispose (GObject *object)
{
  CrierWebhookJournal *self = CRIER_WEBHOOK_JOURNAL (object);

  write_buffer (self);
  g_clear_handle_id (&self->sync_id, crier_source_remove);
  if (self->fd >= 0)
    {
      fdatasync (self->fd);
      close (self->fd);
      self->fd = -1;
    }
  if (self->lock_fd >= 0)
    {
      close (self->lock_fd); /* releases the lock; the file stays, to lock again */
      self->lock_fd = -1;
    }
  G_OBJECT_CLASS (crier_webhook_journal_parent_class)->dispose (object);
}

static void
crier_webhook_journal_finalize (GObject *object)
{
  CrierWebhookJournal *self = CRIER_WEBHOOK_JOURNAL (object);

  g_free (self->path);
  g_string_free (self->buffer, TRUE);
  G_OBJECT_CLASS (crier_webhook_journal_parent_class)->finalize (object);
}

static void
crier_webhook_journal_class_init (CrierWebhookJournalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crier_webhook_journal_dispose;
  object_class->finalize = crier_webhook_journal_finalize;
}

static void
crier_webhook_journal_init (CrierWebhookJournal *self)
{
  self->fd = -1;
  self->buffer = g_string_new (NULL);
  self->next_id = 1;
}

/* body: (transfer full) */
CrierWebhookEntry *
crier_webhook_entry_new (const char *app_id,
                         const char *url,
                         gint64      created_ms,
                         char       *body)
{
  CrierWebhookEntry *entry = g_new0 (CrierWebhookEntry, 1);

  entry->app_id = g_strdup (app_id);
  entry->url = g_strdup (url);
  entry->created_ms = created_ms;
  entry->body = body;
  return entry;
}

void
crier_webhook_entry_free (CrierWebhookEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->app_id);
  g_free (entry->url);
  g_free (entry->body);
  g_free (entry);
}

/* Two servers appending to and compacting one journal would replay each other's requests:
 * the first to open it holds PATH.lock (an flock, released by the kernel even on kill -9;
 * the journal itself is replaced on compaction, so it cannot carry the lock). */
static int
lock_journal (const char *path,
              gboolean   *created,
              GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);
  int              fd;

  *created = !g_file_test (lock_path, G_FILE_TEST_EXISTS);
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      (fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
    {
      g_set_error (error, CRIER_WEBHOOK_JOURNAL_ERROR, CRIER_WEBHOOK_JOURNAL_ERROR_FAILED,
                   "cannot create %s for the webhook journal (webhook-spool): %s", lock_path,
                   g_strerror (errno));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;

      close (fd);
      if (saved == EWOULDBLOCK)
        g_set_error (error, CRIER_WEBHOOK_JOURNAL_ERROR, CRIER_WEBHOOK_JOURNAL_ERROR_IN_USE,
                     "webhook-spool %s is in use by another running Crier: give each server a "
                     "webhook-spool of its own",
                     path);
      else
        g_set_error (error, CRIER_WEBHOOK_JOURNAL_ERROR, CRIER_WEBHOOK_JOURNAL_ERROR_FAILED,
                     "cannot lock %s: %s", lock_path, g_strerror (saved));
      return -1;
    }
  return fd;
}

/* A path that is not ours keeps nothing of ours beside it. */
static void
refuse_path (const char *path,
             gboolean    created_lock)
{
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);

  if (created_lock)
    g_unlink (lock_path);
}

/* pending: (out) (transfer full) (element-type CrierWebhookEntry) */
CrierWebhookJournal *
crier_webhook_journal_open (const char *path,
                            unsigned    sync_interval_ms,
                            GPtrArray **pending,
                            GError    **error)
{
  g_autoptr (CrierWebhookJournal) self = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) crier_webhook_entry_free);
  g_autoptr (GHashTable) done = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autofree char *contents = NULL;
  gsize            length = 0;
  guint64          max_id = 0;
  int              lock_fd;
  gboolean         created_lock;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (pending != NULL, NULL);
  if ((lock_fd = lock_journal (path, &created_lock, error)) < 0)
    return NULL;
  self = g_object_new (CRIER_TYPE_WEBHOOK_JOURNAL, NULL);
  self->lock_fd = lock_fd; /* held from here on, also while reading */
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_set_error (error, CRIER_WEBHOOK_JOURNAL_ERROR, CRIER_WEBHOOK_JOURNAL_ERROR_FAILED,
                       "cannot read the webhook journal (webhook-spool): %s", local_error->message);
          refuse_path (path, created_lock);
          return NULL;
        }
    }
  else if (!read_records (path, contents, length, entries, done, error))
    {
      refuse_path (path, created_lock);
      return NULL;
    }

  self->path = g_strdup (path);
  self->sync_interval = sync_interval_ms;
  *pending = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_webhook_entry_free);
  for (guint i = 0; i < entries->len; i++)
    max_id = MAX (max_id, ((CrierWebhookEntry *) g_ptr_array_index (entries, i))->id);
  self->next_id = max_id + 1;
  for (guint i = 0; i < entries->len; i++)
    {
      CrierWebhookEntry *entry = g_ptr_array_index (entries, i);

      if (entry->id != 0 && g_hash_table_contains (done, &entry->id))
        continue;
      if (entry->id == 0)
        entry->id = self->next_id++;
      g_ptr_array_add (*pending, entry);
      g_ptr_array_index (entries, i) = NULL;
    }
  return g_steal_pointer (&self);
}

const char *
crier_webhook_journal_get_path (CrierWebhookJournal *self)
{
  g_return_val_if_fail (CRIER_IS_WEBHOOK_JOURNAL (self), NULL);
  return self->path;
}

/* Numbers entry and records it; written at the end of this main loop iteration. */
void
crier_webhook_journal_append (CrierWebhookJournal *self,
                              CrierWebhookEntry   *entry)
{
  g_return_if_fail (CRIER_IS_WEBHOOK_JOURNAL (self));
  entry->id = self->next_id++;
  if (self->fd < 0)
    return;
  append_queued_record (self->buffer, entry);
  self->file_bytes += entry->size;
  self->live_bytes += entry->size;
  schedule_write (self);
}

/* After this record the request is not sent again by a later start. */
void
crier_webhook_journal_finish (CrierWebhookJournal *self,
                              CrierWebhookEntry   *entry,
                              CrierWebhookOutcome  outcome)
{
  gsize before;

  g_return_if_fail (CRIER_IS_WEBHOOK_JOURNAL (self));
  if (self->fd < 0 || entry->size == 0)
    return; /* not in the file: nothing to mark */
  before = self->buffer->len;
  g_string_append_printf (self->buffer, "{\"done\":%" G_GUINT64_FORMAT ",\"outcome\":\"%s\"}\n",
                          entry->id, outcome == CRIER_WEBHOOK_DELIVERED ? "delivered" : "given-up");
  self->file_bytes += self->buffer->len - before;
  self->live_bytes -= MIN (self->live_bytes, entry->size);
  entry->size = 0;
  schedule_write (self);
}

gboolean
crier_webhook_journal_wants_compaction (CrierWebhookJournal *self)
{
  g_return_val_if_fail (CRIER_IS_WEBHOOK_JOURNAL (self), FALSE);
  return self->fd >= 0 && self->file_bytes >= COMPACT_MIN_BYTES &&
         self->live_bytes < self->file_bytes / 4;
}

/* Replaces the file, atomically (a temporary file renamed over it), with the header and the
 * records of live (of CrierWebhookEntry: every request without an outcome, in order), then
 * appends to the new file. On failure the old file stays as it was. */
gboolean
crier_webhook_journal_compact (CrierWebhookJournal *self,
                               GPtrArray           *live,
                               GError             **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *tmp = NULL;
  g_autoptr (GString) out = g_string_new (HEADER_LINE);
  g_autoptr (GError) local_error = NULL;
  gsize live_bytes = 0;
  int   fd;

  g_return_val_if_fail (CRIER_IS_WEBHOOK_JOURNAL (self), FALSE);
  write_buffer (self); /* should the rewrite fail, the old file is complete */
  for (guint i = 0; i < live->len; i++)
    {
      CrierWebhookEntry *entry = g_ptr_array_index (live, i);

      if (entry->id == 0)
        entry->id = self->next_id++;
      append_queued_record (out, entry);
      live_bytes += entry->size;
    }
  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, CRIER_WEBHOOK_JOURNAL_ERROR, CRIER_WEBHOOK_JOURNAL_ERROR_FAILED,
                   "cannot create %s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  tmp = g_strconcat (self->path, ".XXXXXX", NULL);
  if ((fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600)) < 0)
    {
      g_set_error (error, CRIER_WEBHOOK_JOURNAL_ERROR, CRIER_WEBHOOK_JOURNAL_ERROR_FAILED,
                   "cannot create a file in %s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  if (!write_all (fd, out->str, out->len, &local_error) || fsync (fd) != 0)
    {
      g_set_error (error, CRIER_WEBHOOK_JOURNAL_ERROR, CRIER_WEBHOOK_JOURNAL_ERROR_FAILED,
                   "cannot write %s: %s", tmp,
                   local_error != NULL ? local_error->message : g_strerror (errno));
      close (fd);
      g_unlink (tmp);
      return FALSE;
    }
  close (fd);
  if (g_rename (tmp, self->path) != 0)
    {
      g_set_error (error, CRIER_WEBHOOK_JOURNAL_ERROR, CRIER_WEBHOOK_JOURNAL_ERROR_FAILED,
                   "cannot replace %s: %s", self->path, g_strerror (errno));
      g_unlink (tmp);
      return FALSE;
    }
  sync_directory (dir);
  g_clear_handle_id (&self->sync_id, crier_source_remove);
  if (self->fd >= 0)
    close (self->fd);
  if ((self->fd = g_open (self->path, O_WRONLY | O_APPEND | O_CLOEXEC, 0)) < 0)
    {
      g_set_error (error, CRIER_WEBHOOK_JOURNAL_ERROR, CRIER_WEBHOOK_JOURNAL_ERROR_FAILED,
                   "cannot open %s: %s", self->path, g_strerror (errno));
      return FALSE;
    }
  self->file_bytes = out->len;
  self->live_bytes = live_bytes;
  return TRUE;
}

/* Writes what is buffered and waits until it is on disk. */
gboolean
crier_webhook_journal_sync (CrierWebhookJournal *self,
                            GError             **error)
{
  g_return_val_if_fail (CRIER_IS_WEBHOOK_JOURNAL (self), FALSE);
  write_buffer (self);
  g_clear_handle_id (&self->sync_id, crier_source_remove);
  if (self->fd >= 0 && fdatasync (self->fd) != 0)
    {
      g_set_error (error, CRIER_WEBHOOK_JOURNAL_ERROR, CRIER_WEBHOOK_JOURNAL_ERROR_FAILED,
                   "cannot sync %s: %s", self->path, g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}
