/* crier-send.c — `crier send`: fire a test event or a Laravel notification through the
 * signed HTTP API of a running Crier or any Pusher-compatible server
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-cli"

#include "config.h"

#include "crier-send.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

#include "crier-encryption.h"
#include "crier-json.h"
#include "crier-names.h"
#include "crier-notification.h"
#include "crier-remote.h"
#include "crier-signature.h"

typedef struct
{
  CrierRemote remote;
  char      **channels;
  char       *event;
  char       *data;
  char       *socket_id;
  char       *user;
  char       *type;
  char       *model;
  char       *encryption_master_key;
} SendOptions;

static void send_options_clear (SendOptions *options);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SendOptions, send_options_clear)

static void
send_options_clear (SendOptions *options)
{
  crier_remote_clear (&options->remote);
  g_strfreev (options->channels);
  g_free (options->event);
  g_free (options->data);
  g_free (options->socket_id);
  g_free (options->user);
  g_free (options->type);
  g_free (options->model);
  g_free (options->encryption_master_key);
}

/* Signs and POSTs body to path; prints the server's answer. Returns the exit status. */
static int
post_signed (SendOptions *options,
             const char  *path,
             const char  *body_text)
{
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout", 30, NULL);
  g_autoptr (GHashTable) query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GBytes) body = g_bytes_new (body_text, strlen (body_text));
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL;
  CrierRemote     *remote = &options->remote;
  unsigned         status;

  crier_signature_sign_api_request (query, "POST", path, remote->key, remote->secret, body);
  url = crier_remote_url (remote, remote->scheme, path, query);
  msg = soup_message_new ("POST", url);
  if (msg == NULL)
    {
      g_printerr (_ ("crier: “%s” is not a valid server address\n"), url);
      return 2;
    }
  crier_remote_prepare (remote, msg);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  if (reply == NULL)
    {
      g_printerr (_ ("crier: cannot reach %s://%s:%d: %s\n"), remote->scheme, remote->host, remote->port,
                  error->message);
      return 1;
    }
  status = soup_message_get_status (msg);
  if (status != SOUP_STATUS_OK)
    {
      g_printerr (_ ("crier: the server answered %u: %.*s\n"), status,
                  (int) g_bytes_get_size (reply), (const char *) g_bytes_get_data (reply, NULL));
      return 1;
    }
  printf ("%.*s\n", (int) g_bytes_get_size (reply), (const char *) g_bytes_get_data (reply, NULL));
  return 0;
}

static gboolean
check_json (const char *data,
            GError    **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  return crier_json_parser_load (parser, data, -1, error);
}

/* A private-encrypted- channel gets the data sealed with its key, as the Pusher SDKs do with
 * their encryption master key; the server never sees the plaintext. */
static gboolean
seal_if_encrypted (SendOptions *options,
                   GError     **error)
{
  gboolean encrypted = FALSE;
  char    *sealed;

  for (guint i = 0; options->channels[i] != NULL; i++)
    encrypted |= (crier_channel_type_from_name (options->channels[i]) & CRIER_CHANNEL_ENCRYPTED) != 0;
  if (!encrypted)
    return TRUE;
  if (g_strv_length (options->channels) != 1)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _ ("an event for an encrypted channel must go to that channel alone"));
      return FALSE;
    }
  if (options->encryption_master_key == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           _ ("--encryption-master-key is required for a private-encrypted- channel"));
      return FALSE;
    }
  sealed = crier_encryption_seal (options->encryption_master_key, options->channels[0], options->data,
                                  error);
  if (sealed == NULL)
    return FALSE;
  g_free (options->data);
  options->data = sealed;
  return TRUE;
}

static char *
trigger_body (const char *const *channels,
              const char        *event,
              const char        *data,
              const char        *socket_id)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (JsonGenerator) generator = json_generator_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, event);
  json_builder_set_member_name (builder, "data");
  json_builder_add_string_value (builder, data);
  json_builder_set_member_name (builder, "channels");
  json_builder_begin_array (builder);
  for (guint i = 0; channels[i]; i++)
    json_builder_add_string_value (builder, channels[i]);
  json_builder_end_array (builder);
  if (socket_id != NULL)
    {
      json_builder_set_member_name (builder, "socket_id");
      json_builder_add_string_value (builder, socket_id);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

int
crier_send_run (int    argc,
                char **argv)
{
  g_auto (SendOptions) options = { 0 };
  const GOptionEntry common[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.channels,
      N_ ("Channel to send to; repeat for several (event)"), N_ ("CHANNEL") },
    { "event", 'e', 0, G_OPTION_ARG_STRING, &options.event,
      N_ ("Event name, e.g. 'App\\Events\\OrderShipped' (event)"), N_ ("NAME") },
    { "socket-id", 0, 0, G_OPTION_ARG_STRING, &options.socket_id,
      N_ ("Do not deliver to this connection, like Laravel's toOthers() (event)"), N_ ("ID") },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &options.user,
      N_ ("User id the notification is for (notification)"), N_ ("ID") },
    { "type", 't', 0, G_OPTION_ARG_STRING, &options.type,
      N_ ("Notification class, e.g. 'App\\Notifications\\InvoicePaid' (notification)"), N_ ("CLASS") },
    { "model", 0, 0, G_OPTION_ARG_STRING, &options.model,
      N_ ("Notifiable model of the channel (default App.Models.User)"), N_ ("MODEL") },
    { "data", 'd', 0, G_OPTION_ARG_STRING, &options.data,
      N_ ("JSON payload (default {})"), N_ ("JSON") },
    { "encryption-master-key", 0, 0, G_OPTION_ARG_STRING, &options.encryption_master_key,
      N_ ("Base64 of the app's 32-byte master key: encrypt for a private-encrypted- channel (event)"), N_ ("KEY") },
    { NULL }
  };
  /* Translators: the two subcommands of `crier send`, typed as they are: keep them in English */
  g_autoptr (GOptionContext) context = g_option_context_new (_ ("event|notification"));
  g_autoptr (GError) error = NULL;
  g_autofree char         *path = NULL;
  g_autofree char         *body = NULL;
  const char              *what;
  g_autofree GOptionEntry *remote_entries = crier_remote_dup_entries (&options.remote);

  g_set_prgname ("crier send"); /* the usage line of --help reads "crier send [OPTION…] …" */
  g_option_context_set_summary (context,
                                _ ("Sign and send a test event or a Laravel notification through the Pusher HTTP API."));
  g_option_context_set_description (context,
                                    _ ("Examples:\n"
                                       "  crier send event --channel events --event 'App\\Events\\RealTimeMessage' --data '{\"message\":\"Hello\"}'\n"
                                       "  crier send notification --user 1 --type 'App\\Notifications\\RealTimeNotification' --data '{\"message\":\"Hello\"}'\n"));
  g_option_context_add_main_entries (context, remote_entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("crier send: %s\n", error->message);
      return 2;
    }
  /* argv: crier send WHAT */
  if (argc != 3 || (!g_str_equal (argv[2], "event") && !g_str_equal (argv[2], "notification")))
    {
      g_printerr (_ ("crier send: say what to send: “crier send event …” or “crier send notification …” (see --help)\n"));
      return 2;
    }
  what = argv[2];
  if (!crier_remote_resolve (&options.remote, "crier send"))
    return 2;
  if (options.data == NULL)
    options.data = g_strdup ("{}");

  if (g_str_equal (what, "event"))
    {
      if (options.channels == NULL || options.event == NULL)
        {
          g_printerr (_ ("crier send event: --channel and --event are required\n"));
          return 2;
        }
      if (!check_json (options.data, &error))
        {
          g_printerr (_ ("crier send: --data is not valid JSON: %s\n"), error->message);
          return 2;
        }
      if (!seal_if_encrypted (&options, &error))
        {
          g_printerr ("crier send event: %s\n", error->message);
          return 2;
        }
      body = trigger_body ((const char *const *) options.channels, options.event, options.data,
                           options.socket_id);
    }
  else
    {
      g_autofree char *channel = NULL;
      g_autofree char *data = NULL;
      const char      *channels[2] = { NULL, NULL };

      if (options.user == NULL || options.type == NULL)
        {
          g_printerr (_ ("crier send notification: --user and --type are required\n"));
          return 2;
        }
      if ((data = crier_notification_build_data (options.data, options.type, NULL, &error)) == NULL)
        {
          g_printerr (_ ("crier send: --data is not valid: %s\n"), error->message);
          return 2;
        }
      channel = crier_notification_channel (options.model ? options.model : CRIER_NOTIFICATION_MODEL,
                                            options.user);
      channels[0] = channel;
      body = trigger_body (channels, CRIER_NOTIFICATION_EVENT, data, NULL);
    }
  path = g_strdup_printf ("/apps/%s/events", options.remote.app_id);
  return post_signed (&options, path, body);
}
