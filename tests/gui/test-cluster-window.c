/* test-cluster-window.c — the window's server as a node of a cluster (issue 14 item 5): the
 * header says which node, how many are alive and whether Redis answers; the Channels page
 * counts the subscribers and members of the other node; Redis lost and back
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "crier-channels-page.h"
#include "crier-gui-test-utils.h"
#include "crier-stats-page.h"

#define APP_CONFIG \
  "[app:" CRIER_TEST_APP_ID "]\nkey=" CRIER_TEST_APP_KEY "\nsecret=" CRIER_TEST_APP_SECRET "\n"

static gboolean
label_has (CrierWindow *win,
           const char  *part)
{
  GtkWidget *label = GTK_WIDGET (crier_gui_test_child (win, CRIER_TYPE_WINDOW, "cluster_label"));

  return gtk_widget_get_visible (label) && strstr (gtk_label_get_label (GTK_LABEL (label)), part) != NULL;
}

static gboolean
label_warns (CrierWindow *win)
{
  return gtk_widget_has_css_class (GTK_WIDGET (crier_gui_test_child (win, CRIER_TYPE_WINDOW, "cluster_label")),
                                   "warning");
}

static unsigned
subscribers (CrierWindow *win,
             const char  *channel)
{
  CrierChannelItem *item = crier_channel_list_find (CRIER_CHANNEL_LIST (crier_gui_test_model (win, "channels")),
                                                    CRIER_TEST_APP_ID, channel);

  return item != NULL ? crier_channel_item_get_subscribers (item) : 0;
}

static gboolean
shows_member (CrierWindow *win,
              const char  *channel,
              const char  *user_id)
{
  CrierChannelItem *item = crier_channel_list_find (CRIER_CHANNEL_LIST (crier_gui_test_model (win, "channels")),
                                                    CRIER_TEST_APP_ID, channel);
  GListModel       *members = item != NULL ? crier_channel_item_get_members (item) : NULL;

  for (guint i = 0; members != NULL && i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr (CrierMemberItem) member = g_list_model_get_item (members, i);

      if (g_str_equal (crier_member_item_get_user_id (member), user_id))
        return TRUE;
    }
  return FALSE;
}

static char *
stats_text (CrierWindow *win,
            const char  *name)
{
  return crier_gui_test_dup_text (crier_gui_test_page (win, "stats"), CRIER_TYPE_STATS_PAGE, name);
}

static gboolean
stats_shows (CrierWindow *win,
             const char  *name,
             const char  *text)
{
  g_autofree char *shown = stats_text (win, name);

  return g_strcmp0 (shown, text) == 0;
}

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
  char             *line;
  gboolean          done;
} Peer;

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Peer *peer = user_data;

  peer->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  peer->done = TRUE;
}

static GLogWriterOutput
quiet_cluster_writer (GLogLevelFlags   level,
                      const GLogField *fields,
                      gsize            n_fields,
                      gpointer         user_data)
{
  /* "Redis … unreachable" is what the test causes: not fatal as GTest makes warnings. */
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN") && fields[i].length == -1 &&
        g_str_equal (fields[i].value, "crier-cluster"))
      return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
test_cluster (void)
{
  g_autoptr (CrierTestRedis) redis = crier_test_redis_new ();
  g_autofree char *node = g_find_program_in_path ("node");
  const char      *modules = g_getenv ("NODE_PATH");
  g_autofree char *pusher = modules ? g_build_filename (modules, "pusher-js", "package.json", NULL) : NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *script = NULL;
  g_autoptr (CrierTestServer) server = NULL;
  g_autoptr (CrierClusterInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *short_id = NULL;
  CrierWindow     *win;
  GtkWidget       *channels_page;
  Peer             peer = { 0 };
  int              fd;

  if (redis == NULL || node == NULL || pusher == NULL || !g_file_test (pusher, G_FILE_TEST_EXISTS) ||
      g_getenv ("CRIER_BIN") == NULL)
    {
      g_test_skip ("needs redis-server, node, tests/interop/node_modules and CRIER_BIN");
      return;
    }
  crier_test_redis_start (redis);
  /* A node-timeout far above the heartbeat: on a busy machine no node is declared dead
   * (and its clients sent away with 4200) while the test waits for the views to agree. */
  config = g_strdup_printf (APP_CONFIG "[cluster]\nredis=%s\nheartbeat-interval=100\nnode-timeout=5000\n",
                            redis->url);
  fd = g_file_open_tmp ("crier-cluster-XXXXXX.conf", &config_path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));

  /* The window's node alone first. */
  server = crier_test_server_new_hosted (config);
  win = crier_gui_test_open_window (server);
  crier_test_wait_until (label_has (win, "1 node"), CRIER_TEST_TIMEOUT);

  /* The other node, and a pusher-js client on it. */
  script = g_test_build_filename (G_TEST_DIST, "cluster-peer.mjs", NULL);
  peer.process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, node,
                                   script, config_path, NULL);
  g_assert_no_error (error);
  peer.out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer.process));
  g_data_input_stream_read_line_async (peer.out, G_PRIORITY_DEFAULT, NULL, line_read_cb, &peer);
  crier_test_wait_until (peer.done, 30);
  g_assert_nonnull (peer.line);
  g_assert_true (g_str_has_prefix (peer.line, "READY "));

  /* The header: this node (its id's first characters), 2 nodes, Redis connected. */
  info = crier_backend_dup_cluster_info (CRIER_BACKEND (server->host));
  g_assert_nonnull (info);
  short_id = g_strndup (info->node_id, 8);
  crier_test_wait_until (label_has (win, "2 nodes"), 15);
  g_assert_true (label_has (win, short_id));
  g_assert_true (label_has (win, "Redis connected"));
  g_assert_false (label_warns (win));
  g_assert_true (stats_shows (win, "node_label", info->node_id));
  g_assert_true (stats_shows (win, "nodes_label", "2"));
  g_assert_true (stats_shows (win, "redis_label", "Connected"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (crier_gui_test_child (crier_gui_test_page (win, "stats"),
                                                                           CRIER_TYPE_STATS_PAGE, "cluster_group"))));

  /* The Channels page counts the other node's subscriber and member: this node has none. */
  crier_test_wait_until (subscribers (win, "orders") == 1, 15);
  crier_test_wait_until (shows_member (win, "presence-lobby", "7"), 15);
  g_assert_cmpuint (subscribers (win, "presence-lobby"), ==, 1);
  channels_page = crier_gui_test_page (win, "channels");
  g_assert_cmpstr (gtk_column_view_column_get_title (GTK_COLUMN_VIEW_COLUMN (crier_gui_test_child (
                     channels_page, CRIER_TYPE_CHANNELS_PAGE, "subscribers_column"))),
                   ==, "Subscribers (All Nodes)");
  {
    g_autoptr (GPtrArray) mine = crier_backend_dup_connections (CRIER_BACKEND (server->host), NULL);

    g_assert_cmpuint (mine->len, ==, 0); /* the Connections page: this node's sockets */
  }

  /* Redis lost: said in the warning colour; back: connected, two nodes again. */
  crier_test_redis_stop (redis);
  crier_test_wait_until (label_has (win, "Redis lost") && label_warns (win), 15);
  g_assert_true (stats_shows (win, "redis_label", "Lost"));
  crier_test_redis_start (redis);
  crier_test_wait_until (label_has (win, "Redis connected") && label_has (win, "2 nodes"), 15);
  g_assert_false (label_warns (win));
  crier_test_wait_until (subscribers (win, "orders") == 1, 15);

  /* The peer ends its client and node when its stdin closes. */
  g_output_stream_close (g_subprocess_get_stdin_pipe (peer.process), NULL, NULL);
  g_subprocess_wait (peer.process, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&peer.out);
  g_clear_object (&peer.process);
  g_free (peer.line);
  crier_test_wait_until (label_has (win, "1 node") && subscribers (win, "orders") == 0, 15);

  crier_gui_test_close_window (win);
  g_clear_pointer (&server, crier_test_server_free);
  g_remove (config_path);
}

/* Without [cluster] the window shows nothing of one. */
static void
test_no_cluster (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (APP_CONFIG);
  CrierWindow *win = crier_gui_test_open_window (server);

  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (crier_gui_test_child (win, CRIER_TYPE_WINDOW, "cluster_label"))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (crier_gui_test_child (crier_gui_test_page (win, "stats"),
                                                                            CRIER_TYPE_STATS_PAGE, "cluster_group"))));
  g_assert_cmpstr (gtk_column_view_column_get_title (GTK_COLUMN_VIEW_COLUMN (crier_gui_test_child (
                     crier_gui_test_page (win, "channels"), CRIER_TYPE_CHANNELS_PAGE, "subscribers_column"))),
                   ==, "Subscribers");
  crier_gui_test_close_window (win);
}

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_log_set_writer_func (quiet_cluster_writer, NULL, NULL);
  g_test_add_func ("/cluster-window/no-cluster", test_no_cluster);
  g_test_add_func ("/cluster-window/two-nodes", test_cluster);
  return g_test_run ();
}
