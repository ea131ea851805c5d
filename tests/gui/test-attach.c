/* test-attach.c — the window attached to another server (#15): a second `crier --server`
 * process (its clients appear, Send reaches them, a restart is survived and the pages
 * refill) and soketi as a foreign server (observed as a client: its channels and events
 * show, the Connections page says it cannot see connections); win.show-embedded goes back
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "crier-connections-page.h"
#include "crier-gui-test-utils.h"
#include "crier-send-page.h"
#include "crier-window.h"

#define TEST_CONFIG \
  "[app:" CRIER_TEST_APP_ID "]\nkey=" CRIER_TEST_APP_KEY "\nsecret=" CRIER_TEST_APP_SECRET "\n"

/* --- A second Crier, as a process of its own ------------------------------------------- */

typedef struct
{
  char        *dir;
  char        *config_path;
  GSubprocess *process;
  unsigned     port;
} RemoteCrier;

/* Starts crier --server on port (0: any) and reads its port from the line it prints. */
static void
remote_start (RemoteCrier *remote,
              unsigned     port)
{
  const char *bin = g_getenv ("CRIER_BIN");
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *port_text = g_strdup_printf ("%u", port);

  g_assert_nonnull (bin);
  if (remote->dir == NULL)
    {
      remote->dir = g_dir_make_tmp ("crier-attach-XXXXXX", &error);
      g_assert_no_error (error);
      remote->config_path = g_build_filename (remote->dir, "crier.conf", NULL);
      g_file_set_contents (remote->config_path, TEST_CONFIG "client-events=true\n", -1, &error);
      g_assert_no_error (error);
    }
  g_subprocess_launcher_unsetenv (launcher, "PUSHER_APP_ID");
  g_subprocess_launcher_unsetenv (launcher, "PUSHER_APP_KEY");
  g_subprocess_launcher_unsetenv (launcher, "PUSHER_APP_SECRET");
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", remote->dir, TRUE);
  remote->process = g_subprocess_launcher_spawn (launcher, &error, bin, "--server", "--host", "127.0.0.1", "--port",
                                                 port_text, "--config", remote->config_path, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (remote->process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      const char      *at;

      g_assert_no_error (error);
      g_assert_nonnull (line); /* it exited before listening */
      if ((at = strstr (line, "listening on ws://127.0.0.1:")) != NULL)
        {
          remote->port = (unsigned) g_ascii_strtoull (at + strlen ("listening on ws://127.0.0.1:"), NULL, 10);
          break;
        }
    }
  g_assert_cmpuint (remote->port, >, 0);
  if (port != 0)
    g_assert_cmpuint (remote->port, ==, port);
}

/* Killed, as a crash or a container stop would: no closing handshake for anyone. */
static void
remote_kill (RemoteCrier *remote)
{
  if (remote->process == NULL)
    return;
  g_subprocess_force_exit (remote->process);
  g_subprocess_wait (remote->process, NULL, NULL);
  g_clear_object (&remote->process);
}

static void
remote_clear (RemoteCrier *remote)
{
  remote_kill (remote);
  if (remote->config_path != NULL)
    g_unlink (remote->config_path);
  if (remote->dir != NULL)
    g_rmdir (remote->dir);
  g_clear_pointer (&remote->config_path, g_free);
  g_clear_pointer (&remote->dir, g_free);
}

/* --- The window ------------------------------------------------------------------------ */

static void
attach (CrierWindow *win,
        unsigned     port)
{
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u", port);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.attach", "(sssssb)", url, CRIER_TEST_APP_ID,
                                             CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET, "", FALSE));
}

static CrierBackendState
shown_state (CrierWindow *win)
{
  return crier_backend_get_state (crier_window_get_server (win));
}

static gboolean
header_says (CrierWindow *win,
             const char  *detail)
{
  g_autofree char *text = crier_gui_test_dup_text (win, CRIER_TYPE_WINDOW, "status_detail");

  return g_strcmp0 (text, detail) == 0;
}

static guint
n_items (CrierWindow *win,
         const char  *model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (crier_gui_test_model (win, model)));
}

static gboolean
shows_connection (CrierWindow *win,
                  const char  *socket_id)
{
  crier_gui_test_flush (win);
  return crier_connection_list_find (CRIER_CONNECTION_LIST (crier_gui_test_model (win, "connections")), socket_id) != NULL;
}

static gboolean
shows_channel (CrierWindow *win,
               const char  *channel)
{
  crier_gui_test_flush (win);
  return crier_channel_list_find (CRIER_CHANNEL_LIST (crier_gui_test_model (win, "channels")), CRIER_TEST_APP_ID, channel) != NULL;
}

static gboolean
log_has (CrierWindow     *win,
         CrierMonitorKind kind,
         const char      *channel,
         const char      *event_name)
{
  GListModel *log = G_LIST_MODEL (crier_gui_test_model (win, "event-log"));

  crier_gui_test_flush (win);
  for (guint i = 0; i < g_list_model_get_n_items (log); i++)
    {
      g_autoptr (CrierEventItem) item = g_list_model_get_item (log, i);
      const CrierMonitorEvent *event = crier_event_item_get_event (item);

      if (event->kind == kind && g_strcmp0 (event->channel, channel) == 0 &&
          (event_name == NULL || g_strcmp0 (event->event, event_name) == 0))
        return TRUE;
    }
  return FALSE;
}

/* A test client of the remote Crier: the helpers only need its port and a session. */
static CrierTestServer *
remote_view (RemoteCrier *remote)
{
  CrierTestServer *view = g_new0 (CrierTestServer, 1);

  view->port = remote->port;
  view->session = soup_session_new ();
  return view;
}

static void
remote_view_free (CrierTestServer *view)
{
  g_clear_object (&view->session);
  g_free (view);
}

/* Attached to a second crier --server: its client shows on the Connections and Channels
 * pages, Send reaches it; killed and restarted on the same port, the header says
 * reconnecting, then connected, and the pages hold the new picture, not the old one. */
static void
test_remote_crier (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow     *win = crier_gui_test_open_window (server);
  RemoteCrier      remote = { 0 };
  CrierTestServer *view;
  CrierTestClient *client;
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (JsonObject) message = NULL;
  GtkWidget       *send = crier_gui_test_page (win, "send");
  g_autofree char *label = NULL;
  g_autofree char *old_socket = NULL;
  unsigned         port;

  remote_start (&remote, 0);
  port = remote.port;
  attach (win, port);
  crier_test_wait_until (shown_state (win) == CRIER_BACKEND_STATE_CONNECTED, CRIER_TEST_TIMEOUT);
  g_assert_true (crier_window_get_server (win) != CRIER_BACKEND (server->host));
  g_assert_true (header_says (win, "Connected"));
  label = g_strdup_printf ("ws://127.0.0.1:%u · app " CRIER_TEST_APP_ID, port);
  g_assert_true (crier_gui_test_shows_text (win, label));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (crier_gui_test_child (win, CRIER_TYPE_WINDOW, "server_switch"))));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (crier_gui_test_child (win, CRIER_TYPE_WINDOW, "embedded_button"))));

  /* A client of the remote server appears; the send form reaches it. */
  view = remote_view (&remote);
  client = crier_test_client_connect (view, CRIER_TEST_APP_KEY);
  reply = crier_test_client_subscribe (client, "orders", NULL, NULL);
  old_socket = g_strdup (client->socket_id);
  crier_test_wait_until (shows_connection (win, client->socket_id), CRIER_TEST_TIMEOUT);
  crier_test_wait_until (shows_channel (win, "orders"), CRIER_TEST_TIMEOUT);
  g_assert_true (gtk_widget_activate_action (send, "send.event", NULL));
  message = crier_test_client_expect (client, "App\\Events\\OrderShipped", "orders");
  crier_test_wait_until (log_has (win, CRIER_MONITOR_EVENT_PUBLISHED, "orders", "App\\Events\\OrderShipped"), CRIER_TEST_TIMEOUT);

  /* Killed: reconnecting, and the client is gone with it. */
  remote_kill (&remote);
  crier_test_client_wait_closed (client);
  crier_test_client_free (client);
  crier_test_wait_until (shown_state (win) == CRIER_BACKEND_STATE_RECONNECTING, CRIER_TEST_TIMEOUT);
  g_assert_true (header_says (win, "Reconnecting…"));

  /* Back on the same port: connected again, and the pages refill from its new snapshot
   * (the old client is gone though nothing announced it; a new one appears). */
  remote_start (&remote, port);
  crier_test_wait_until (shown_state (win) == CRIER_BACKEND_STATE_CONNECTED, 30);
  crier_test_wait_until (!shows_connection (win, old_socket) && !shows_channel (win, "orders"), CRIER_TEST_TIMEOUT);
  g_assert_true (header_says (win, "Connected"));
  client = crier_test_client_connect (view, CRIER_TEST_APP_KEY);
  g_clear_pointer (&reply, json_object_unref);
  reply = crier_test_client_subscribe (client, "orders", NULL, NULL);
  crier_test_wait_until (shows_connection (win, client->socket_id) && shows_channel (win, "orders"), CRIER_TEST_TIMEOUT);

  /* One click back: the embedded server and its (empty) picture. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-embedded", NULL));
  g_assert_true (crier_window_get_server (win) == CRIER_BACKEND (server->host));
  crier_gui_test_flush (win);
  g_assert_cmpuint (n_items (win, "connections"), ==, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (crier_gui_test_child (win, CRIER_TYPE_WINDOW, "server_switch"))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (crier_gui_test_child (win, CRIER_TYPE_WINDOW, "embedded_button"))));

  crier_test_client_free (client);
  remote_view_free (view);
  remote_clear (&remote);
  crier_gui_test_close_window (win);
}

/* A wrong secret: refused, said in the header and the banner, no retry. */
static void
test_remote_refused (void)
{
  g_autoptr (CrierTestServer) server = crier_test_server_new_hosted (TEST_CONFIG);
  CrierWindow     *win = crier_gui_test_open_window (server);
  RemoteCrier      remote = { 0 };
  g_autofree char *url = NULL;
  g_autofree char *banner = NULL;

  /* Something missing: nothing attached, the embedded server stays. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.attach", "(sssssb)", "ws://127.0.0.1:1",
                                             CRIER_TEST_APP_ID, CRIER_TEST_APP_KEY, "", "", FALSE));
  g_assert_true (crier_window_get_server (win) == CRIER_BACKEND (server->host));
  /* An address that is none: the toast says why (as the Connect dialog does), the embedded
   * server stays. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.attach", "(sssssb)", "ftp://127.0.0.1:1",
                                             CRIER_TEST_APP_ID, CRIER_TEST_APP_KEY, "secret", "", FALSE));
  g_assert_true (crier_window_get_server (win) == CRIER_BACKEND (server->host));
  crier_test_wait_until (crier_gui_test_shows_text (win, "“ftp://127.0.0.1:1” is not a ws, wss, http or https address"),
                         CRIER_TEST_TIMEOUT);

  remote_start (&remote, 0);
  url = g_strdup_printf ("http://127.0.0.1:%u/", remote.port);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.attach", "(sssssb)", url, CRIER_TEST_APP_ID,
                                             CRIER_TEST_APP_KEY, "not-the-secret", "", FALSE));
  crier_test_wait_until (shown_state (win) == CRIER_BACKEND_STATE_REFUSED, CRIER_TEST_TIMEOUT);
  g_assert_true (header_says (win, "Refused"));
  banner = crier_gui_test_dup_text (win, CRIER_TYPE_WINDOW, "banner_label");
  g_assert_true (g_str_has_prefix (banner, "Invalid signature"));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (crier_gui_test_child (win, CRIER_TYPE_WINDOW, "banner_revealer"))));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-embedded", NULL));
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (crier_gui_test_child (win, CRIER_TYPE_WINDOW, "banner_revealer"))));
  remote_clear (&remote);
  crier_gui_test_close_window (win);
}

/* --- soketi, a server that is not Crier ------------------------------------------------ */

static unsigned
free_port (void)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

static gboolean
port_answers (unsigned port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

  return connection != NULL;
}

typedef struct
{
  gboolean done;
  char    *out;
} Output;

static void
communicated_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Output *output = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &output->out, NULL, NULL);
  output->done = TRUE;
}

/* Attached to soketi: not a Crier, so observed as a client. A pusher-js client's channel
 * and whispers show; the Connections page explains instead of listing nothing; Send goes
 * through soketi's HTTP API and reaches the client. */
static void
test_observe_soketi (void)
{
  const char      *soketi = g_getenv ("CRIER_TEST_SOKETI");
  const char      *node_path = g_getenv ("NODE_PATH");
  g_autofree char *node = g_find_program_in_path ("node");
  const char      *config = g_getenv ("CRIER_TEST_SOKETI_CONFIG");
  g_autoptr (CrierTestServer) server = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) soketi_process = NULL;
  g_autoptr (GSubprocess) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *port_text = NULL, *metrics_port = NULL, *cluster_port = NULL, *client_script = NULL;
  g_autoptr (GDataInputStream) client_out = NULL;
  g_autofree char *first = NULL;
  Output           output = { 0 };
  CrierWindow     *win;
  GtkWidget       *send;
  unsigned         port;

  if (node == NULL || soketi == NULL || !g_file_test (soketi, G_FILE_TEST_EXISTS) || node_path == NULL ||
      !g_file_test (node_path, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("node or soketi (bench/node_modules) is not installed");
      return;
    }
  port = free_port ();
  port_text = g_strdup_printf ("%u", port);
  metrics_port = g_strdup_printf ("%u", free_port ());
  cluster_port = g_strdup_printf ("%u", free_port ());
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "SOKETI_PORT", port_text, TRUE);
  g_subprocess_launcher_setenv (launcher, "SOKETI_METRICS_SERVER_PORT", metrics_port, TRUE);
  g_subprocess_launcher_setenv (launcher, "SOKETI_CLUSTER_PORT", cluster_port, TRUE);
  g_subprocess_launcher_setenv (launcher, "SOKETI_DEFAULT_APP_ID", CRIER_TEST_APP_ID, TRUE);
  g_subprocess_launcher_setenv (launcher, "SOKETI_DEFAULT_APP_KEY", CRIER_TEST_APP_KEY, TRUE);
  g_subprocess_launcher_setenv (launcher, "SOKETI_DEFAULT_APP_SECRET", CRIER_TEST_APP_SECRET, TRUE);
  g_subprocess_launcher_setenv (launcher, "SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES", "true", TRUE);
  {
    g_autofree char *config_arg = g_strdup_printf ("--config=%s", config);

    soketi_process = g_subprocess_launcher_spawn (launcher, &error, node, soketi, "start", config_arg, NULL);
  }
  g_assert_no_error (error);
  /* soketi prints its banner before it listens: the port answering is the sign. */
  crier_test_wait_until (port_answers (port), 30);

  server = crier_test_server_new_hosted (TEST_CONFIG);
  win = crier_gui_test_open_window (server);
  send = crier_gui_test_page (win, "send");
  attach (win, port);
  crier_test_wait_until (shown_state (win) == CRIER_BACKEND_STATE_OBSERVING, CRIER_TEST_TIMEOUT);
  g_assert_true (header_says (win, "Observing as a client"));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (crier_gui_test_child (win, CRIER_TYPE_WINDOW, "banner_revealer"))));
  {
    GtkWidget *page = crier_gui_test_page (win, "connections");
    GtkStack  *stack = GTK_STACK (crier_gui_test_child (page, CRIER_TYPE_CONNECTIONS_PAGE, "stack"));

    g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "hidden");
  }

  /* A pusher-js client of soketi: its channel, then its whispers. */
  client_script = g_test_build_filename (G_TEST_DIST, "observer-client.mjs", NULL);
  client = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, node, client_script, port_text,
                             CRIER_TEST_APP_KEY, CRIER_TEST_APP_SECRET, NULL);
  g_assert_no_error (error);
  client_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (client));
  first = g_data_input_stream_read_line_utf8 (client_out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "SUBSCRIBED");
  /* The channel list is polled (every 2 s), then the observer subscribes. */
  crier_test_wait_until (shows_channel (win, "private-observed"), 30);
  crier_test_wait_until (log_has (win, CRIER_MONITOR_CLIENT_EVENT, "private-observed", "client-hello"), 30);

  /* Send: through soketi's HTTP API, to the client. */
  crier_gui_test_set_text (send, CRIER_TYPE_SEND_PAGE, "channels_row", "private-observed");
  crier_gui_test_set_text (send, CRIER_TYPE_SEND_PAGE, "event_row", "App\\Events\\FromWindow");
  g_assert_true (gtk_widget_activate_action (send, "send.event", NULL));
  g_subprocess_communicate_utf8_async (client, NULL, NULL, communicated_cb, &output);
  crier_test_wait_until (output.done, 60);
  g_assert_nonnull (output.out);
  g_assert_true (g_str_has_prefix (output.out, "RECEIVED "));
  g_assert_true (g_subprocess_get_if_exited (client) && g_subprocess_get_exit_status (client) == 0);
  crier_test_wait_until (log_has (win, CRIER_MONITOR_EVENT_PUBLISHED, "private-observed", "App\\Events\\FromWindow"), 30);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-embedded", NULL));
  g_assert_true (crier_window_get_server (win) == CRIER_BACKEND (server->host));
  g_assert_true (header_says (win, "Listening"));
  crier_gui_test_close_window (win);
  g_subprocess_force_exit (soketi_process);
  g_subprocess_wait (soketi_process, NULL, NULL);
  g_free (output.out);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/gui/attach/remote-crier", test_remote_crier);
  g_test_add_func ("/gui/attach/remote-refused", test_remote_refused);
  g_test_add_func ("/gui/attach/observe-soketi", test_observe_soketi);
  return g_test_run ();
}
