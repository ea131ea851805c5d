/* crier-backend.c — "a server" as the dashboard sees it: the one in this process, another
 * Crier through its monitor endpoint, or a foreign server observed as a client
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-backend"

#include "config.h"

#include "crier-backend.h"

G_DEFINE_QUARK (crier - backend - error - quark, crier_backend_error)

G_DEFINE_INTERFACE (CrierBackend, crier_backend, G_TYPE_OBJECT)

enum
{
  SIGNAL_RESET,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
crier_backend_default_init (CrierBackendInterface *iface)
{
  /* A CrierBackendState (an int: the core registers no enum types). */
  g_object_interface_install_property (iface,
                                       g_param_spec_int ("state", NULL, NULL, CRIER_BACKEND_STATE_STOPPED,
                                                         CRIER_BACKEND_STATE_OBSERVING, CRIER_BACKEND_STATE_STOPPED,
                                                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                           G_PARAM_STATIC_STRINGS));
  g_object_interface_install_property (iface,
                                       g_param_spec_string ("problem", NULL, NULL, NULL,
                                                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                              G_PARAM_STATIC_STRINGS));
  signals[SIGNAL_RESET] = g_signal_new ("reset", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL,
                                        NULL, NULL, G_TYPE_NONE, 0);
}

CrierMonitor *
crier_backend_get_monitor (CrierBackend *self)
{
  g_return_val_if_fail (CRIER_IS_BACKEND (self), NULL);
  return CRIER_BACKEND_GET_IFACE (self)->get_monitor (self);
}

CrierBackendState
crier_backend_get_state (CrierBackend *self)
{
  g_return_val_if_fail (CRIER_IS_BACKEND (self), CRIER_BACKEND_STATE_STOPPED);
  return CRIER_BACKEND_GET_IFACE (self)->get_state (self);
}

const char *
crier_backend_get_problem (CrierBackend *self)
{
  CrierBackendInterface *iface;

  g_return_val_if_fail (CRIER_IS_BACKEND (self), NULL);
  iface = CRIER_BACKEND_GET_IFACE (self);
  return iface->get_problem ? iface->get_problem (self) : NULL;
}

CrierConfig *
crier_backend_get_config (CrierBackend *self)
{
  g_return_val_if_fail (CRIER_IS_BACKEND (self), NULL);
  return CRIER_BACKEND_GET_IFACE (self)->get_config (self);
}

unsigned
crier_backend_get_port (CrierBackend *self)
{
  g_return_val_if_fail (CRIER_IS_BACKEND (self), 0);
  return CRIER_BACKEND_GET_IFACE (self)->get_port (self);
}

gboolean
crier_backend_is_tls (CrierBackend *self)
{
  g_return_val_if_fail (CRIER_IS_BACKEND (self), FALSE);
  return CRIER_BACKEND_GET_IFACE (self)->is_tls (self);
}

char *
crier_backend_dup_address (CrierBackend *self)
{
  CrierBackendInterface *iface;

  g_return_val_if_fail (CRIER_IS_BACKEND (self), NULL);
  iface = CRIER_BACKEND_GET_IFACE (self);
  return iface->dup_address ? iface->dup_address (self) : NULL;
}

CrierBackendFlags
crier_backend_get_flags (CrierBackend *self)
{
  g_return_val_if_fail (CRIER_IS_BACKEND (self), 0);
  return CRIER_BACKEND_GET_IFACE (self)->get_flags (self);
}

gboolean
crier_backend_is_ready (CrierBackend *self)
{
  g_return_val_if_fail (CRIER_IS_BACKEND (self), FALSE);
  switch (crier_backend_get_state (self))
    {
    case CRIER_BACKEND_STATE_RUNNING:
    case CRIER_BACKEND_STATE_CONNECTED:
    case CRIER_BACKEND_STATE_OBSERVING:
      return TRUE;
    case CRIER_BACKEND_STATE_STOPPED:
    case CRIER_BACKEND_STATE_CONNECTING:
    case CRIER_BACKEND_STATE_RECONNECTING:
    case CRIER_BACKEND_STATE_REFUSED:
    case CRIER_BACKEND_STATE_NOT_CRIER:
    default:
      return FALSE;
    }
}

/* Returns: (transfer full) (element-type CrierConnectionInfo) */
GPtrArray *
crier_backend_dup_connections (CrierBackend *self,
                               const char   *app_id)
{
  g_return_val_if_fail (CRIER_IS_BACKEND (self), NULL);
  return CRIER_BACKEND_GET_IFACE (self)->dup_connections (self, app_id);
}

/* Returns: (transfer full) (element-type CrierChannelInfo) */
GPtrArray *
crier_backend_dup_channels (CrierBackend *self,
                            const char   *app_id,
                            const char   *prefix)
{
  g_return_val_if_fail (CRIER_IS_BACKEND (self), NULL);
  return CRIER_BACKEND_GET_IFACE (self)->dup_channels (self, app_id, prefix);
}

/* Returns: (transfer full) (element-type CrierMemberInfo) */
GPtrArray *
crier_backend_dup_members (CrierBackend *self,
                           const char   *app_id,
                           const char   *channel)
{
  g_return_val_if_fail (CRIER_IS_BACKEND (self), NULL);
  return CRIER_BACKEND_GET_IFACE (self)->dup_members (self, app_id, channel);
}

void
crier_backend_get_stats (CrierBackend     *self,
                         CrierServerStats *stats)
{
  g_return_if_fail (CRIER_IS_BACKEND (self));
  g_return_if_fail (stats != NULL);
  CRIER_BACKEND_GET_IFACE (self)->get_stats (self, stats);
}

CrierClusterInfo *
crier_backend_dup_cluster_info (CrierBackend *self)
{
  CrierBackendInterface *iface;

  g_return_val_if_fail (CRIER_IS_BACKEND (self), NULL);
  iface = CRIER_BACKEND_GET_IFACE (self);
  return iface->dup_cluster_info != NULL ? iface->dup_cluster_info (self) : NULL;
}

void
crier_backend_return_error (CrierBackend       *self,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data,
                            CrierBackendError   code,
                            const char         *message)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (CRIER_IS_BACKEND (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crier_backend_return_error);
  g_task_return_new_error (task, CRIER_BACKEND_ERROR, code, "%s", message);
}

static void
not_supported (CrierBackend       *self,
               GCancellable       *cancellable,
               GAsyncReadyCallback callback,
               gpointer            user_data)
{
  crier_backend_return_error (self, cancellable, callback, user_data, CRIER_BACKEND_ERROR_NOT_SUPPORTED,
                              "This server does not allow that");
}

gboolean
crier_backend_command_finish (CrierBackend *self,
                              GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (CRIER_IS_BACKEND (self), FALSE);
  if (g_async_result_is_tagged (result, crier_backend_return_error))
    return g_task_propagate_boolean (G_TASK (result), error);
  return CRIER_BACKEND_GET_IFACE (self)->command_finish (self, result, error);
}

gboolean
crier_backend_publish_finish (CrierBackend *self,
                              GAsyncResult *result,
                              gint64       *receivers,
                              GError      **error)
{
  CrierBackendInterface *iface;

  g_return_val_if_fail (CRIER_IS_BACKEND (self), FALSE);
  iface = CRIER_BACKEND_GET_IFACE (self);
  if (receivers != NULL)
    *receivers = CRIER_BACKEND_RECEIVERS_UNKNOWN;
  if (g_async_result_is_tagged (result, crier_backend_return_error) || iface->publish_finish == NULL)
    return crier_backend_command_finish (self, result, error);
  return iface->publish_finish (self, result, receivers, error);
}

void
crier_backend_publish (CrierBackend       *self,
                       const char         *app_id,
                       const char *const  *channels,
                       const char         *event,
                       const char         *data,
                       const char         *except_socket_id,
                       GCancellable       *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer            user_data)
{
  CrierBackendInterface *iface;

  g_return_if_fail (CRIER_IS_BACKEND (self));
  iface = CRIER_BACKEND_GET_IFACE (self);
  if (iface->publish == NULL)
    not_supported (self, cancellable, callback, user_data);
  else
    iface->publish (self, app_id, channels, event, data, except_socket_id, cancellable, callback, user_data);
}

void
crier_backend_send_notification (CrierBackend       *self,
                                 const char         *app_id,
                                 const char         *user_id,
                                 const char         *type,
                                 const char         *data,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  CrierBackendInterface *iface;

  g_return_if_fail (CRIER_IS_BACKEND (self));
  iface = CRIER_BACKEND_GET_IFACE (self);
  if (iface->send_notification == NULL)
    not_supported (self, cancellable, callback, user_data);
  else
    iface->send_notification (self, app_id, user_id, type, data, cancellable, callback, user_data);
}

void
crier_backend_send_client_event (CrierBackend       *self,
                                 const char         *app_id,
                                 const char         *channel,
                                 const char         *event,
                                 const char         *data,
                                 const char         *user_id,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  CrierBackendInterface *iface;

  g_return_if_fail (CRIER_IS_BACKEND (self));
  iface = CRIER_BACKEND_GET_IFACE (self);
  if (iface->send_client_event == NULL)
    not_supported (self, cancellable, callback, user_data);
  else
    iface->send_client_event (self, app_id, channel, event, data, user_id, cancellable, callback, user_data);
}

void
crier_backend_add_simulated_member (CrierBackend       *self,
                                    const char         *app_id,
                                    const char         *channel,
                                    const char         *user_id,
                                    const char         *user_info,
                                    GCancellable       *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer            user_data)
{
  CrierBackendInterface *iface;

  g_return_if_fail (CRIER_IS_BACKEND (self));
  iface = CRIER_BACKEND_GET_IFACE (self);
  if (iface->add_simulated_member == NULL)
    not_supported (self, cancellable, callback, user_data);
  else
    iface->add_simulated_member (self, app_id, channel, user_id, user_info, cancellable, callback, user_data);
}

void
crier_backend_remove_simulated_member (CrierBackend       *self,
                                       const char         *app_id,
                                       const char         *channel,
                                       const char         *user_id,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  CrierBackendInterface *iface;

  g_return_if_fail (CRIER_IS_BACKEND (self));
  iface = CRIER_BACKEND_GET_IFACE (self);
  if (iface->remove_simulated_member == NULL)
    not_supported (self, cancellable, callback, user_data);
  else
    iface->remove_simulated_member (self, app_id, channel, user_id, cancellable, callback, user_data);
}

void
crier_backend_disconnect (CrierBackend       *self,
                          const char         *socket_id,
                          guint16             code,
                          const char         *reason,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  CrierBackendInterface *iface;

  g_return_if_fail (CRIER_IS_BACKEND (self));
  iface = CRIER_BACKEND_GET_IFACE (self);
  if (iface->disconnect == NULL)
    not_supported (self, cancellable, callback, user_data);
  else
    iface->disconnect (self, socket_id, code, reason, cancellable, callback, user_data);
}

void
crier_backend_emit_reset (CrierBackend *self)
{
  g_return_if_fail (CRIER_IS_BACKEND (self));
  g_signal_emit (self, signals[SIGNAL_RESET], 0);
}

char *
crier_backend_dup_ws_address (const char *base_url)
{
  g_autoptr (GUri) uri = NULL;

  g_return_val_if_fail (base_url != NULL, NULL);
  if ((uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL)) == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (base_url);
  return g_strdup_printf ("%s://%s:%u", g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ? "wss" : "ws",
                          g_uri_get_host (uri), crier_backend_port_from_url (base_url));
}

unsigned
crier_backend_port_from_url (const char *base_url)
{
  g_autoptr (GUri) uri = NULL;

  g_return_val_if_fail (base_url != NULL, 0);
  if ((uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL)) == NULL)
    return 0;
  if (g_uri_get_port (uri) > 0)
    return (unsigned) g_uri_get_port (uri);
  return g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
}
