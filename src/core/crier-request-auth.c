/* crier-request-auth.c — the signature of an HTTP API request or a monitor connection:
 * each refusal says what was wrong (pusher-protocol.md §14.2)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-http"

#include "config.h"

#include "crier-request-auth.h"

#include "crier-app-private.h"
#include "crier-explain.h"
#include "crier-server-private.h"
#include "crier-signature.h"

#define TIMESTAMP_WINDOW 600

typedef struct
{
  CrierServer *server;
  CrierApp    *app;
  const char  *method;
  const char  *path;
  GHashTable  *query;
  GBytes      *body;
  char        *problem;
} RequestAuth;

static void G_GNUC_PRINTF (2, 3)
  refuse (RequestAuth *request,
          const char  *format,
          ...)
{
  va_list args;

  va_start (args, format);
  g_free (request->problem);
  request->problem = g_strdup_vprintf (format, args);
  va_end (args);
}

static char *
format_timestamp (gint64 seconds)
{
  /* Only years 1 to 9999, the range of GDateTime: far outside it, GLib's own conversion of
   * seconds to microseconds can overflow (a client chooses auth_timestamp). */
  g_autoptr (GDateTime) time = seconds >= -62135596800 && seconds <= 253402300799
                                 ? g_date_time_new_from_unix_utc (seconds)
                                 : NULL;

  return time != NULL ? g_date_time_format_iso8601 (time) : g_strdup_printf ("%" G_GINT64_FORMAT, seconds);
}

/* The steps of request signing (pusher-protocol.md §14.2), each saying what was wrong; the
 * diagnosis of a wrong key or secret is crier-explain.c's. */
static gboolean
check_required_parameters (RequestAuth *request)
{
  static const char *const required[] = { "auth_key", "auth_timestamp", "auth_version",
                                          "auth_signature" };

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    if (g_hash_table_lookup (request->query, required[i]) == NULL)
      {
        refuse (request, "Missing query parameter %s: the request must be signed (auth_key, auth_timestamp, "
                         "auth_version, body_md5, auth_signature)",
                required[i]);
        return FALSE;
      }
  return TRUE;
}

static gboolean
check_auth_key (RequestAuth *request)
{
  g_autofree char *why = crier_explain_api_key (request->server, request->app,
                                                g_hash_table_lookup (request->query, "auth_key"));

  if (why == NULL)
    return TRUE;
  refuse (request, "%s", why);
  return FALSE;
}

static gboolean
check_auth_version (RequestAuth *request)
{
  const char *version = g_hash_table_lookup (request->query, "auth_version");

  if (g_str_equal (version, "1.0"))
    return TRUE;
  refuse (request, "Unsupported auth_version '%s': expected 1.0", version);
  return FALSE;
}

static gboolean
check_timestamp (RequestAuth *request)
{
  const char      *timestamp_text = g_hash_table_lookup (request->query, "auth_timestamp");
  gint64           now = g_get_real_time () / G_USEC_PER_SEC;
  gint64           timestamp = 0;
  gboolean         parsed = crier_signature_parse_timestamp (timestamp_text, &timestamp);
  guint64          skew = 0;
  g_autofree char *given = NULL;
  g_autofree char *server = NULL;

  if (parsed && (skew = crier_signature_timestamp_distance (now, timestamp)) <= TIMESTAMP_WINDOW)
    return TRUE;
  given = format_timestamp (timestamp);
  server = format_timestamp (now);
  if (!parsed)
    refuse (request, "Timestamp expired: Given timestamp (%s) not within %ds of server time (%s). "
                     "auth_timestamp must be Unix time in seconds.",
            timestamp_text, TIMESTAMP_WINDOW, server);
  else
    refuse (request, "Timestamp expired: Given timestamp (%s) not within %ds of server time (%s). "
                     "The sender's clock is %" G_GUINT64_FORMAT " s %s the server's: check its clock "
                     "(NTP) or a delayed queue job.",
            given, TIMESTAMP_WINDOW, server, skew, timestamp < now ? "behind" : "ahead of");
  return FALSE;
}

static gboolean
check_body_md5 (RequestAuth *request)
{
  const char      *body_md5 = g_hash_table_lookup (request->query, "body_md5");
  g_autofree char *md5 = NULL;

  if ((request->body == NULL || g_bytes_get_size (request->body) == 0) && body_md5 == NULL)
    return TRUE;
  if (body_md5 == NULL)
    {
      refuse (request, "Missing query parameter body_md5: required when the request has a body");
      return FALSE;
    }
  md5 = request->body != NULL ? g_compute_checksum_for_bytes (G_CHECKSUM_MD5, request->body)
                              : g_compute_checksum_for_string (G_CHECKSUM_MD5, "", 0);
  if (!g_str_equal (md5, body_md5))
    {
      refuse (request, "body_md5 does not match the request body: expected %s, got %s", md5, body_md5);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_hmac (RequestAuth *request)
{
  const char      *signature = g_hash_table_lookup (request->query, "auth_signature");
  g_autofree char *to_sign = crier_signature_api_string (request->method, request->path,
                                                         request->query);
  g_autofree char *expected = crier_signature_compute (request->app->config->secret, to_sign, -1);
  g_autofree char *shown = NULL;
  g_autofree char *why = NULL;

  if (crier_signature_equal (expected, signature))
    return TRUE;
  shown = g_strescape (to_sign, NULL);
  why = crier_explain_api_signature (request->server, request->app, to_sign, signature);
  refuse (request, "Invalid signature: you should have sent HmacSHA256Hex(\"%s\", your_secret_key), "
                   "but you sent \"%s\". %s",
          shown, signature, why);
  return FALSE;
}

gboolean
crier_request_auth_verify (CrierServer *server,
                           CrierApp    *app,
                           const char  *method,
                           const char  *path,
                           GHashTable  *query,
                           GBytes      *body,
                           char       **problem)
{
  RequestAuth  request_ = { server, app, method, path, query, body, NULL };
  RequestAuth *request = &request_;
  gboolean     valid;

  g_return_val_if_fail (problem != NULL && *problem == NULL, FALSE);
  valid =
    check_required_parameters (request) && check_auth_key (request) &&
    check_auth_version (request) && check_timestamp (request) && check_body_md5 (request) &&
    check_hmac (request);
  *problem = g_steal_pointer (&request->problem);
  return valid;
}
