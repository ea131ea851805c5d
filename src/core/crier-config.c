/* crier-config.c — server and app settings, from a key file, the environment and options
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-config"

#include "config.h"

#include "crier-config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crier-redis-address.h"

struct _CrierConfig
{
  GObject              parent_instance;
  char                *host;
  unsigned             port;
  char                *tls_cert;
  char                *tls_key;
  unsigned             activity_timeout;
  unsigned             pong_timeout;
  unsigned             max_connections;
  unsigned             metrics_port;
  gsize                max_outgoing_buffer;
  gsize                max_frame_size;
  CrierHttpLimits      http;
  GPtrArray           *apps; /* of CrierAppConfig */
  CrierWebhookSettings webhooks;
  CrierClusterSettings cluster;
};

G_DEFINE_FINAL_TYPE (CrierConfig, crier_config, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (CrierAppConfig, crier_app_config, crier_app_config_ref, crier_app_config_unref)
/* The quark name is stringified: its "-" must stay unspaced. */
/* clang-format off */
G_DEFINE_QUARK (crier-config-error-quark, crier_config_error)
/* clang-format on */

static void
webhook_config_free (CrierWebhookConfig *webhook)
{
  g_free (webhook->name);
  g_free (webhook->url);
  g_strfreev (webhook->event_types);
  g_strfreev (webhook->headers);
  g_free (webhook);
}

static void
app_config_clear (CrierAppConfig *config)
{
  g_free (config->id);
  g_free (config->key);
  g_free (config->secret);
  g_strfreev (config->allowed_origins);
  g_free (config->encryption_master_key);
  g_ptr_array_unref (config->webhooks);
}

CrierAppConfig *
crier_app_config_new (const char *id,
                      const char *key,
                      const char *secret)
{
  CrierAppConfig *config = g_atomic_rc_box_new0 (CrierAppConfig);

  config->id = g_strdup (id);
  config->key = g_strdup (key);
  config->secret = g_strdup (secret);
  /* Defaults: Pusher's limits (pusher-protocol.md §16). Client events are on because
   * Crier is a development server and Echo's whisper() is common; Pusher has them off. */
  config->enabled = TRUE;
  config->client_events = TRUE;
  config->user_authentication_timeout = 30;
  config->client_events_per_second = 10;
  config->max_message_size = 10240;
  config->max_presence_members = 100;
  config->max_user_info_size = 1024;
  config->max_channel_name_length = 164;
  config->max_event_name_length = 200;
  config->cache_ttl = 1800;
  config->webhooks = g_ptr_array_new_with_free_func ((GDestroyNotify) webhook_config_free);
  return config;
}

CrierAppConfig *
crier_app_config_ref (CrierAppConfig *config)
{
  return g_atomic_rc_box_acquire (config);
}

void
crier_app_config_unref (CrierAppConfig *config)
{
  g_atomic_rc_box_release_full (config, (GDestroyNotify) app_config_clear);
}

gboolean
crier_app_config_allows_origin (const CrierAppConfig *config,
                                const char           *origin)
{
  if (config->allowed_origins == NULL || config->allowed_origins[0] == NULL)
    return TRUE;
  for (guint i = 0; config->allowed_origins[i]; i++)
    {
      const char *allowed = config->allowed_origins[i];

      if (g_str_equal (allowed, "*"))
        return TRUE;
      if (origin != NULL && g_ascii_strcasecmp (allowed, origin) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
crier_config_finalize (GObject *object)
{
  CrierConfig *self = CRIER_CONFIG (object);

  g_free (self->host);
  g_free (self->tls_cert);
  g_free (self->tls_key);
  g_ptr_array_unref (self->apps);
  g_free (self->webhooks.spool_path);
  g_free (self->cluster.redis);
  g_free (self->cluster.prefix);

  G_OBJECT_CLASS (crier_config_parent_class)->finalize (object);
}

static void
crier_config_class_init (CrierConfigClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crier_config_finalize;
}

static void
crier_config_init (CrierConfig *self)
{
  self->host = g_strdup ("127.0.0.1");
  self->port = CRIER_DEFAULT_PORT;
  self->activity_timeout = CRIER_DEFAULT_ACTIVITY_TIMEOUT;
  self->pong_timeout = CRIER_DEFAULT_PONG_TIMEOUT;
  self->max_outgoing_buffer = 4 * 1024 * 1024;
  self->max_frame_size = 256 * 1024;
  self->http.handshake_timeout = 10;
  self->http.request_timeout = 30;
  self->http.keepalive_timeout = 60;
  self->http.max_header_size = 16 * 1024;
  self->http.max_body_size = 1024 * 1024;
  self->apps = g_ptr_array_new_with_free_func ((GDestroyNotify) crier_app_config_unref);
  self->webhooks.batch_window = 50;
  self->webhooks.vacated_delay = 3000;
  self->webhooks.timeout = 10000;
  self->webhooks.retry_initial = 1000;
  self->webhooks.retry_max = 60000;
  self->webhooks.retry_for = 300000;
  self->webhooks.queue_limit = 10000;
  self->cluster.prefix = g_strdup (CRIER_DEFAULT_CLUSTER_PREFIX);
  self->cluster.node_timeout = CRIER_DEFAULT_CLUSTER_NODE_TIMEOUT;
  self->cluster.heartbeat_interval = CRIER_DEFAULT_CLUSTER_HEARTBEAT_INTERVAL;
}

CrierConfig *
crier_config_new (void)
{
  return g_object_new (CRIER_TYPE_CONFIG, NULL);
}

static const char *
env_or (const char *name,
        const char *fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? value : fallback;
}

/* The default app uses the names a Laravel .env already has, with soketi's defaults. */
CrierConfig *
crier_config_new_from_environment (void)
{
  CrierConfig *self = crier_config_new ();

  g_ptr_array_add (self->apps,
                   crier_app_config_new (env_or ("PUSHER_APP_ID", "app-id"),
                                         env_or ("PUSHER_APP_KEY", "app-key"),
                                         env_or ("PUSHER_APP_SECRET", "app-secret")));
  return self;
}

/* text with control characters (and bytes that are not UTF-8) written as escapes, so that
 * an error quoting a value ("a\nb" in the file is a newline once read) stays one line and
 * cannot move a terminal's cursor. */
char *
crier_config_dup_one_line (const char *text)
{
  GString    *line = g_string_sized_new (strlen (text));
  const char *p = text;

  while (*p != '\0')
    {
      const char   *end = NULL;
      unsigned char c = (unsigned char) *p;

      if (c >= 0x80)
        {
          gunichar u = g_utf8_get_char_validated (p, -1);

          if (u != (gunichar) -1 && u != (gunichar) -2)
            {
              end = g_utf8_next_char (p);
              g_string_append_len (line, p, end - p);
              p = end;
              continue;
            }
        }
      if (c == '\n')
        g_string_append (line, "\\n");
      else if (c == '\r')
        g_string_append (line, "\\r");
      else if (c == '\t')
        g_string_append (line, "\\t");
      else if (c < 0x20 || c >= 0x7f)
        g_string_append_printf (line, "\\x%02x", c);
      else
        g_string_append_c (line, (char) c);
      p++;
    }
  return g_string_free (line, FALSE);
}

/* Every error of the loader goes through here: one line, whatever the values held. */
static gboolean G_GNUC_PRINTF (3, 4)
  config_fail (GError         **error,
               CrierConfigError code,
               const char      *format,
               ...)
{
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  line = crier_config_dup_one_line (message);
  g_set_error_literal (error, CRIER_CONFIG_ERROR, code, line);
  return FALSE;
}

/* Key-file reading with errors that name the file, group and key. ids and keys index the
 * apps read so far, so that loading stays linear in the number of apps. */
typedef struct
{
  GKeyFile   *file;
  const char *origin;
  const char *group;
  GHashTable *ids;  /* id → CrierAppConfig, borrowed from self->apps */
  GHashTable *keys; /* key → CrierAppConfig, likewise */
} Reader;

static gboolean G_GNUC_PRINTF (4, 5)
  reader_fail (Reader     *reader,
               const char *key,
               GError    **error,
               const char *format,
               ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (key != NULL)
    return config_fail (error, CRIER_CONFIG_ERROR_INVALID, "%s: [%s] %s: %s", reader->origin,
                        reader->group, key, message);
  return config_fail (error, CRIER_CONFIG_ERROR_INVALID, "%s: [%s] %s", reader->origin,
                      reader->group, message);
}

static gboolean
read_string (Reader     *reader,
             const char *key,
             char      **out,
             GError    **error)
{
  g_autofree char *value = NULL;

  if (!g_key_file_has_key (reader->file, reader->group, key, NULL))
    return TRUE;
  value = g_key_file_get_string (reader->file, reader->group, key, NULL);
  if (value == NULL)
    return reader_fail (reader, key, error, "not a valid string");
  g_strstrip (value);
  g_free (*out);
  *out = g_steal_pointer (&value);
  return TRUE;
}

static gboolean
read_uint (Reader     *reader,
           const char *key,
           unsigned    max,
           unsigned   *out,
           GError    **error)
{
  g_autofree char *value = NULL;
  guint64          number;

  if (!g_key_file_has_key (reader->file, reader->group, key, NULL))
    return TRUE;
  value = g_key_file_get_value (reader->file, reader->group, key, NULL);
  g_strstrip (value);
  if (!g_ascii_string_to_unsigned (value, 10, 0, max, &number, NULL))
    return reader_fail (reader, key, error, "“%s” is not a whole number between 0 and %u",
                        value, max);
  *out = (unsigned) number;
  return TRUE;
}

static gboolean
read_bool (Reader     *reader,
           const char *key,
           gboolean   *out,
           GError    **error)
{
  g_autofree char *value = NULL;

  if (!g_key_file_has_key (reader->file, reader->group, key, NULL))
    return TRUE;
  value = g_key_file_get_value (reader->file, reader->group, key, NULL);
  g_strstrip (value);
  if (g_str_equal (value, "true") || g_str_equal (value, "yes") || g_str_equal (value, "1"))
    *out = TRUE;
  else if (g_str_equal (value, "false") || g_str_equal (value, "no") || g_str_equal (value, "0"))
    *out = FALSE;
  else
    return reader_fail (reader, key, error, "“%s” is not true or false", value);
  return TRUE;
}

static gboolean
read_list (Reader     *reader,
           const char *key,
           GStrv      *out,
           GError    **error)
{
  g_auto (GStrv) values = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  if (!g_key_file_has_key (reader->file, reader->group, key, NULL))
    return TRUE;
  values = g_key_file_get_string_list (reader->file, reader->group, key, NULL, NULL);
  if (values == NULL)
    return reader_fail (reader, key, error, "not a valid list");
  for (guint i = 0; values[i]; i++)
    {
      g_strstrip (values[i]);
      if (*values[i] != '\0')
        g_strv_builder_add (builder, values[i]);
    }
  g_strfreev (*out);
  *out = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
check_known_keys (Reader            *reader,
                  const char *const *known,
                  GError           **error)
{
  g_auto (GStrv) keys = g_key_file_get_keys (reader->file, reader->group, NULL, NULL);

  for (guint i = 0; keys && keys[i]; i++)
    if (!g_strv_contains (known, keys[i]))
      return reader_fail (reader, keys[i], error, "unknown key");
  return TRUE;
}

static gboolean
read_server_group (CrierConfig *self,
                   Reader      *reader,
                   GError     **error)
{
  static const char *const known[] = {
    "host", "port", "tls-cert", "tls-key", "activity-timeout", "pong-timeout",
    "max-connections", "max-outgoing-buffer", "max-frame-size", "metrics-port", "webhook-batch-window",
    "webhook-vacated-delay", "webhook-timeout", "webhook-retry-initial", "webhook-retry-max",
    "webhook-retry-for", "webhook-queue-limit", "webhook-spool", "handshake-timeout",
    "request-timeout", "keepalive-timeout", "max-header-size", "max-body-size", NULL
  };
  CrierHttpLimits      *http = &self->http;
  CrierWebhookSettings *hooks = &self->webhooks;
  unsigned              outgoing = (unsigned) self->max_outgoing_buffer;
  unsigned              frame = (unsigned) self->max_frame_size;

  if (!check_known_keys (reader, known, error) ||
      !read_string (reader, "host", &self->host, error) ||
      !read_uint (reader, "port", 65535, &self->port, error) ||
      !read_string (reader, "tls-cert", &self->tls_cert, error) ||
      !read_string (reader, "tls-key", &self->tls_key, error) ||
      !read_uint (reader, "activity-timeout", 86400, &self->activity_timeout, error) ||
      !read_uint (reader, "pong-timeout", 3600, &self->pong_timeout, error) ||
      !read_uint (reader, "max-connections", G_MAXINT, &self->max_connections, error) ||
      !read_uint (reader, "max-outgoing-buffer", G_MAXINT, &outgoing, error) ||
      !read_uint (reader, "max-frame-size", 64 * 1024 * 1024, &frame, error) ||
      !read_uint (reader, "metrics-port", 65535, &self->metrics_port, error) ||
      !read_uint (reader, "webhook-batch-window", 60000, &hooks->batch_window, error) ||
      !read_uint (reader, "webhook-vacated-delay", 60000, &hooks->vacated_delay, error) ||
      !read_uint (reader, "webhook-timeout", 600000, &hooks->timeout, error) ||
      !read_uint (reader, "webhook-retry-initial", 3600000, &hooks->retry_initial, error) ||
      !read_uint (reader, "webhook-retry-max", 3600000, &hooks->retry_max, error) ||
      !read_uint (reader, "webhook-retry-for", 86400000, &hooks->retry_for, error) ||
      !read_uint (reader, "webhook-queue-limit", 10000000, &hooks->queue_limit, error) ||
      !read_string (reader, "webhook-spool", &hooks->spool_path, error) ||
      !read_uint (reader, "handshake-timeout", 3600, &http->handshake_timeout, error) ||
      !read_uint (reader, "request-timeout", 86400, &http->request_timeout, error) ||
      !read_uint (reader, "keepalive-timeout", 86400, &http->keepalive_timeout, error) ||
      !read_uint (reader, "max-header-size", CRIER_MAX_HEADER_SIZE_LIMIT, &http->max_header_size,
                  error) ||
      !read_uint (reader, "max-body-size", G_MAXINT, &http->max_body_size, error))
    return FALSE;
  if (http->handshake_timeout == 0 || http->request_timeout == 0 || http->keepalive_timeout == 0)
    return reader_fail (reader,
                        http->handshake_timeout == 0 ? "handshake-timeout"
                        : http->request_timeout == 0 ? "request-timeout"
                                                     : "keepalive-timeout",
                        error, "must be at least 1 second");
  if (http->max_header_size < 1024)
    return reader_fail (reader, "max-header-size", error, "must be at least 1024 bytes");
  if (hooks->timeout == 0)
    return reader_fail (reader, "webhook-timeout", error, "must be at least 1 millisecond");
  if (hooks->queue_limit == 0)
    return reader_fail (reader, "webhook-queue-limit", error, "must be at least 1");
  if (self->activity_timeout == 0)
    return reader_fail (reader, "activity-timeout", error, "must be at least 1 second");
  if (self->pong_timeout == 0)
    return reader_fail (reader, "pong-timeout", error, "must be at least 1 second");
  if (outgoing < 64 * 1024)
    return reader_fail (reader, "max-outgoing-buffer", error, "must be at least 65536 bytes");
  self->max_outgoing_buffer = outgoing;
  self->max_frame_size = MAX (frame, 1024);
  return TRUE;
}

/* [cluster]: the section turns clustering on, so it must name its Redis. */
static gboolean
read_cluster_group (CrierConfig *self,
                    Reader      *reader,
                    GError     **error)
{
  static const char *const known[] = {
    "redis", "prefix", "node-timeout", "heartbeat-interval", "reuse-port", NULL
  };
  CrierClusterSettings *cluster = &self->cluster;
  g_autofree char      *redis = NULL;
  g_autoptr (GError) url_error = NULL;

  if (!check_known_keys (reader, known, error) ||
      !read_string (reader, "redis", &redis, error) ||
      !read_string (reader, "prefix", &cluster->prefix, error) ||
      !read_uint (reader, "node-timeout", 3600000, &cluster->node_timeout, error) ||
      !read_uint (reader, "heartbeat-interval", 3600000, &cluster->heartbeat_interval, error) ||
      !read_bool (reader, "reuse-port", &cluster->reuse_port, error))
    return FALSE;
  if (redis == NULL || *redis == '\0')
    return reader_fail (reader, "redis", error,
                        "missing (the Redis the nodes share, e.g. redis://127.0.0.1:6379/0)");
  if (!crier_config_set_cluster_redis (self, redis, &url_error))
    return reader_fail (reader, "redis", error, "%s", url_error->message);
  if (!crier_redis_prefix_is_valid (cluster->prefix))
    return reader_fail (reader, "prefix", error,
                        "“%s” must be 1 to 64 letters, digits, “-”, “_”, “.” or “:”",
                        cluster->prefix);
  if (cluster->heartbeat_interval < 10)
    return reader_fail (reader, "heartbeat-interval", error, "must be at least 10 milliseconds");
  if (cluster->node_timeout < 2 * cluster->heartbeat_interval)
    return reader_fail (reader, "node-timeout", error,
                        "must be at least twice heartbeat-interval (%u ms), or a node that "
                        "misses one beat would be declared dead",
                        cluster->heartbeat_interval);
  return TRUE;
}

static gboolean
read_app_group (CrierConfig *self,
                Reader      *reader,
                const char  *id,
                GError     **error)
{
  static const char *const known[] = {
    "key", "secret", "enabled", "client-events", "user-authentication",
    "user-authentication-timeout", "max-connections", "client-events-per-second",
    "max-message-size", "max-presence-members", "max-user-info-size",
    "max-channel-name-length", "max-event-name-length", "cache-ttl", "subscription-count",
    "allowed-origins", "encryption-master-key", NULL
  };
  g_autoptr (CrierAppConfig) app = crier_app_config_new (id, NULL, NULL);
  CrierAppConfig *other;

  if (*id == '\0')
    return reader_fail (reader, NULL, error, "the app id after “app:” is empty");
  if (g_hash_table_contains (reader->ids, id))
    return reader_fail (reader, NULL, error, "app “%s” is declared twice", id);
  if (!check_known_keys (reader, known, error) ||
      !read_string (reader, "key", &app->key, error) ||
      !read_string (reader, "secret", &app->secret, error) ||
      !read_bool (reader, "enabled", &app->enabled, error) ||
      !read_bool (reader, "client-events", &app->client_events, error) ||
      !read_bool (reader, "user-authentication", &app->user_authentication, error) ||
      !read_uint (reader, "user-authentication-timeout", 86400, &app->user_authentication_timeout, error) ||
      !read_uint (reader, "max-connections", G_MAXINT, &app->max_connections, error) ||
      !read_uint (reader, "client-events-per-second", 1000000, &app->client_events_per_second, error) ||
      !read_uint (reader, "max-message-size", 16 * 1024 * 1024, &app->max_message_size, error) ||
      !read_uint (reader, "max-presence-members", 1000000, &app->max_presence_members, error) ||
      !read_uint (reader, "max-user-info-size", 1024 * 1024, &app->max_user_info_size, error) ||
      !read_uint (reader, "max-channel-name-length", 4096, &app->max_channel_name_length, error) ||
      !read_uint (reader, "max-event-name-length", 4096, &app->max_event_name_length, error) ||
      !read_uint (reader, "cache-ttl", 86400, &app->cache_ttl, error) ||
      !read_bool (reader, "subscription-count", &app->subscription_count, error) ||
      !read_list (reader, "allowed-origins", &app->allowed_origins, error) ||
      !read_string (reader, "encryption-master-key", &app->encryption_master_key, error))
    return FALSE;
  if (app->encryption_master_key != NULL && *app->encryption_master_key == '\0')
    g_clear_pointer (&app->encryption_master_key, g_free);
  if (app->encryption_master_key != NULL)
    {
      gsize length = 0;

      g_free (g_base64_decode (app->encryption_master_key, &length)); /* only its length */
      if (length != 32)
        return reader_fail (reader, "encryption-master-key", error,
                            "must be 32 bytes encoded in base64 (got %" G_GSIZE_FORMAT " bytes)",
                            length);
    }
  if (app->key == NULL || *app->key == '\0')
    return reader_fail (reader, "key", error, "missing: every app needs a key");
  if (app->secret == NULL || *app->secret == '\0')
    return reader_fail (reader, "secret", error, "missing: every app needs a secret");
  if ((other = g_hash_table_lookup (reader->keys, app->key)) != NULL)
    return reader_fail (reader, "key", error, "“%s” is already the key of app “%s”", app->key,
                        other->id);
  if (app->max_message_size == 0)
    return reader_fail (reader, "max-message-size", error, "must be at least 1 byte");
  if (app->max_channel_name_length == 0 || app->max_event_name_length == 0)
    return reader_fail (reader, app->max_channel_name_length == 0 ? "max-channel-name-length" : "max-event-name-length",
                        error, "must be at least 1");
  g_hash_table_insert (reader->ids, app->id, app);
  g_hash_table_insert (reader->keys, app->key, app);
  g_ptr_array_add (self->apps, g_steal_pointer (&app));
  return TRUE;
}

static const char *const webhook_kinds[] = {
  "channel_occupied", "channel_vacated", "member_added", "member_removed",
  "client_event", "cache_miss", "subscription_count", NULL
};

static gboolean
read_webhook_group (CrierConfig *self,
                    Reader      *reader,
                    const char  *name,
                    GError     **error)
{
  static const char *const known[] = { "app", "url", "events", "headers", NULL };
  g_autofree char         *app_id = NULL;
  g_autoptr (GUri) uri = NULL;
  CrierWebhookConfig *webhook;
  CrierAppConfig     *app;

  if (!check_known_keys (reader, known, error) ||
      !read_string (reader, "app", &app_id, error))
    return FALSE;
  if (app_id == NULL)
    return reader_fail (reader, "app", error, "missing: name the app this webhook belongs to");
  if ((app = g_hash_table_lookup (reader->ids, app_id)) == NULL)
    return reader_fail (reader, "app", error, "no app “%s” is declared before this webhook",
                        app_id);

  webhook = g_new0 (CrierWebhookConfig, 1);
  webhook->name = g_strdup (name);
  g_ptr_array_add (app->webhooks, webhook);
  if (!read_string (reader, "url", &webhook->url, error) ||
      !read_list (reader, "events", &webhook->event_types, error) ||
      !read_list (reader, "headers", &webhook->headers, error))
    return FALSE;
  if (webhook->url == NULL)
    return reader_fail (reader, "url", error, "missing");
  uri = g_uri_parse (webhook->url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    return reader_fail (reader, "url", error, "“%s” is not an http:// or https:// URL",
                        webhook->url);
  for (guint i = 0; webhook->event_types && webhook->event_types[i]; i++)
    if (!g_strv_contains (webhook_kinds, webhook->event_types[i]))
      return reader_fail (reader, "events", error, "unknown event kind “%s”",
                          webhook->event_types[i]);
  for (guint i = 0; webhook->headers && webhook->headers[i]; i++)
    if (strchr (webhook->headers[i], ':') == NULL)
      return reader_fail (reader, "headers", error, "“%s” is not of the form “Name: value”",
                          webhook->headers[i]);
  return TRUE;
}

/* GKeyFile silently merges a repeated section and keeps the last of a repeated key; both
 * are almost always a copy-and-paste mistake, so look for them in the text first. */
static gboolean
check_duplicates (const char *data,
                  const char *origin_name,
                  GError    **error)
{
  g_auto (GStrv) lines = g_strsplit (data, "\n", -1);
  g_autoptr (GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *group = NULL;

  for (guint i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *equals;

      if (*line == '#' || *line == '\0')
        continue;
      if (*line == '[' && line[strlen (line) - 1] == ']')
        {
          g_free (group);
          group = g_strndup (line + 1, strlen (line) - 2);
          g_hash_table_remove_all (keys);
          if (!g_hash_table_add (groups, g_strdup (group)))
            {
              if (g_str_has_prefix (group, "app:"))
                return config_fail (error, CRIER_CONFIG_ERROR_INVALID,
                                    "%s: [%s] app “%s” is declared twice (line %u)", origin_name,
                                    group, group + strlen ("app:"), i + 1);
              return config_fail (error, CRIER_CONFIG_ERROR_INVALID,
                                  "%s: [%s] the section is declared twice (line %u)", origin_name,
                                  group, i + 1);
            }
          continue;
        }
      if (group == NULL || (equals = strchr (line, '=')) == NULL)
        continue; /* GKeyFile reports these itself */
      *equals = '\0';
      g_strstrip (line);
      if (!g_hash_table_add (keys, g_strdup (line)))
        return config_fail (error, CRIER_CONFIG_ERROR_INVALID, "%s: [%s] %s: set twice (line %u)",
                            origin_name, group, line, i + 1);
    }
  return TRUE;
}

gboolean
crier_config_load_data (CrierConfig *self,
                        const char  *data,
                        const char  *origin_name,
                        GError     **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;
  g_auto (GStrv) groups = NULL;
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);
  Reader      reader = { NULL, origin_name, NULL, ids, keys };
  const char *invalid = NULL;

  g_return_val_if_fail (CRIER_IS_CONFIG (self), FALSE);

  g_key_file_set_list_separator (file, ';');
  /* GKeyFile reads some stray bytes after a section's "]" as part of its header line, where
   * check_duplicates () would not see a header: a config file is UTF-8 text, say so. */
  if (!g_utf8_validate (data, -1, &invalid))
    {
      unsigned line = 1;

      for (const char *p = data; p < invalid; p++)
        line += *p == '\n';
      return config_fail (error, CRIER_CONFIG_ERROR_PARSE, "%s: line %u is not valid UTF-8 text",
                          origin_name, line);
    }
  if (!g_key_file_load_from_data (file, data, (gsize) -1, G_KEY_FILE_NONE, &local_error))
    {
      /* GKeyFile's messages already carry the line. */
      return config_fail (error, CRIER_CONFIG_ERROR_PARSE, "%s: %s", origin_name,
                          local_error->message);
    }

  if (!check_duplicates (data, origin_name, error))
    return FALSE;

  /* A config file's apps replace the default app from the environment. */
  g_ptr_array_set_size (self->apps, 0);
  reader.file = file;
  groups = g_key_file_get_groups (file, NULL);
  for (guint i = 0; groups[i]; i++)
    {
      const char *group = groups[i];

      reader.group = group;
      if (g_str_equal (group, "server"))
        {
          if (!read_server_group (self, &reader, error))
            return FALSE;
        }
      else if (g_str_has_prefix (group, "app:"))
        {
          if (!read_app_group (self, &reader, group + strlen ("app:"), error))
            return FALSE;
        }
      else if (g_str_has_prefix (group, "webhook:"))
        {
          if (!read_webhook_group (self, &reader, group + strlen ("webhook:"), error))
            return FALSE;
        }
      else if (g_str_equal (group, "cluster"))
        {
          if (!read_cluster_group (self, &reader, error))
            return FALSE;
        }
      else
        return reader_fail (&reader, NULL, error,
                            "unknown section (expected [server], [app:ID], [webhook:NAME] or "
                            "[cluster])");
    }
  if (self->apps->len == 0)
    {
      return config_fail (error, CRIER_CONFIG_ERROR_INVALID,
                          "%s: declares no app (add an [app:ID] section with key and secret)",
                          origin_name);
    }
  return TRUE;
}

gboolean
crier_config_load_file (CrierConfig *self,
                        const char  *path,
                        GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (CRIER_IS_CONFIG (self), FALSE);

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      return config_fail (error, CRIER_CONFIG_ERROR_PARSE, "%s", local_error->message);
    }
  return crier_config_load_data (self, contents, path, error);
}

/* One app, as a front end knows another server: id, key, secret and, when non-empty, the
 * encryption master key. */
CrierConfig *
crier_config_new_for_app (const char *app_id,
                          const char *key,
                          const char *secret,
                          const char *master_key)
{
  CrierConfig *self = crier_config_new ();
  g_autoptr (CrierAppConfig) app = crier_app_config_new (app_id, key, secret);

  if (master_key != NULL && *master_key != '\0')
    app->encryption_master_key = g_strdup (master_key);
  crier_config_add_app (self, app);
  return self;
}

void
crier_config_add_app (CrierConfig    *self,
                      CrierAppConfig *app)
{
  g_return_if_fail (CRIER_IS_CONFIG (self));
  g_ptr_array_add (self->apps, crier_app_config_ref (app));
}

GPtrArray *
crier_config_get_apps (CrierConfig *self)
{
  g_return_val_if_fail (CRIER_IS_CONFIG (self), NULL);
  return self->apps;
}

CrierAppConfig *
crier_config_find_app (CrierConfig *self,
                       const char  *id)
{
  g_return_val_if_fail (CRIER_IS_CONFIG (self), NULL);
  for (guint i = 0; i < self->apps->len; i++)
    {
      CrierAppConfig *app = g_ptr_array_index (self->apps, i);

      if (g_str_equal (app->id, id))
        return app;
    }
  return NULL;
}

const char *
crier_config_get_host (CrierConfig *self)
{
  return self->host;
}

void
crier_config_set_host (CrierConfig *self,
                       const char  *host)
{
  g_free (self->host);
  self->host = g_strdup (host);
}

unsigned
crier_config_get_port (CrierConfig *self)
{
  return self->port;
}

void
crier_config_set_port (CrierConfig *self,
                       unsigned     port)
{
  self->port = port;
}

const char *
crier_config_get_tls_cert (CrierConfig *self)
{
  return self->tls_cert;
}

const char *
crier_config_get_tls_key (CrierConfig *self)
{
  return self->tls_key;
}

void
crier_config_set_tls (CrierConfig *self,
                      const char  *cert_path,
                      const char  *key_path)
{
  g_free (self->tls_cert);
  g_free (self->tls_key);
  self->tls_cert = g_strdup (cert_path);
  self->tls_key = g_strdup (key_path);
}

unsigned
crier_config_get_activity_timeout (CrierConfig *self)
{
  return self->activity_timeout;
}

void
crier_config_set_activity_timeout (CrierConfig *self,
                                   unsigned     seconds)
{
  self->activity_timeout = MAX (seconds, 1);
}

unsigned
crier_config_get_pong_timeout (CrierConfig *self)
{
  return self->pong_timeout;
}

void
crier_config_set_pong_timeout (CrierConfig *self,
                               unsigned     seconds)
{
  self->pong_timeout = MAX (seconds, 1);
}

unsigned
crier_config_get_max_connections (CrierConfig *self)
{
  return self->max_connections;
}

gsize
crier_config_get_max_outgoing_buffer (CrierConfig *self)
{
  return self->max_outgoing_buffer;
}

void
crier_config_set_max_outgoing_buffer (CrierConfig *self,
                                      gsize        bytes)
{
  self->max_outgoing_buffer = bytes;
}

gsize
crier_config_get_max_frame_size (CrierConfig *self)
{
  return self->max_frame_size;
}

const CrierWebhookSettings *
crier_config_get_webhook_settings (CrierConfig *self)
{
  g_return_val_if_fail (CRIER_IS_CONFIG (self), NULL);
  return &self->webhooks;
}

void
crier_config_set_spool_path (CrierConfig *self,
                             const char  *path)
{
  g_return_if_fail (CRIER_IS_CONFIG (self));
  g_free (self->webhooks.spool_path);
  self->webhooks.spool_path = g_strdup (path);
}

const CrierHttpLimits *
crier_config_get_http_limits (CrierConfig *self)
{
  g_return_val_if_fail (CRIER_IS_CONFIG (self), NULL);
  return &self->http;
}

unsigned
crier_config_get_metrics_port (CrierConfig *self)
{
  g_return_val_if_fail (CRIER_IS_CONFIG (self), 0);
  return self->metrics_port;
}

void
crier_config_set_metrics_port (CrierConfig *self,
                               unsigned     port)
{
  g_return_if_fail (CRIER_IS_CONFIG (self));
  self->metrics_port = port;
}

const CrierClusterSettings *
crier_config_get_cluster_settings (CrierConfig *self)
{
  g_return_val_if_fail (CRIER_IS_CONFIG (self), NULL);
  return &self->cluster;
}

/* NULL or "" turns clustering off. */
gboolean
crier_config_set_cluster_redis (CrierConfig *self,
                                const char  *url,
                                GError     **error)
{
  g_autoptr (CrierRedisAddress) address = NULL;

  g_return_val_if_fail (CRIER_IS_CONFIG (self), FALSE);
  if (url != NULL && *url != '\0' && (address = crier_redis_address_parse (url, error)) == NULL)
    return FALSE;
  g_free (self->cluster.redis);
  self->cluster.redis = url != NULL && *url != '\0' ? g_strdup (url) : NULL;
  return TRUE;
}

void
crier_config_set_cluster_prefix (CrierConfig *self,
                                 const char  *prefix)
{
  g_return_if_fail (CRIER_IS_CONFIG (self));
  g_return_if_fail (crier_redis_prefix_is_valid (prefix));
  g_free (self->cluster.prefix);
  self->cluster.prefix = g_strdup (prefix);
}

void
crier_config_set_cluster_times (CrierConfig *self,
                                unsigned     node_timeout,
                                unsigned     heartbeat_interval)
{
  g_return_if_fail (CRIER_IS_CONFIG (self));
  if (node_timeout > 0)
    self->cluster.node_timeout = node_timeout;
  if (heartbeat_interval > 0)
    self->cluster.heartbeat_interval = heartbeat_interval;
}

void
crier_config_set_reuse_port (CrierConfig *self,
                             gboolean     reuse_port)
{
  g_return_if_fail (CRIER_IS_CONFIG (self));
  self->cluster.reuse_port = reuse_port;
}
