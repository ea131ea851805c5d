/* crier-config.h — server and app settings, from a key file, the environment and options
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "crier-types.h"

G_BEGIN_DECLS

#define CRIER_DEFAULT_PORT             6001
#define CRIER_DEFAULT_ACTIVITY_TIMEOUT 120
#define CRIER_DEFAULT_PONG_TIMEOUT     30

typedef struct
{
  char *name;
  char *url;
  GStrv event_types; /* NULL or empty: every kind */
  GStrv headers;     /* "Name: value" lines */
} CrierWebhookConfig;

/* One app's settings. Immutable once the server runs; shared by reference. */
struct _CrierAppConfig
{
  char      *id;
  char      *key;
  char      *secret;
  gboolean   enabled;
  gboolean   client_events;
  gboolean   user_authentication;
  unsigned   user_authentication_timeout; /* seconds */
  unsigned   max_connections;             /* 0: unlimited */
  unsigned   client_events_per_second;    /* 0: unlimited */
  unsigned   max_message_size;            /* bytes of event data */
  unsigned   max_presence_members;
  unsigned   max_user_info_size;
  unsigned   max_channel_name_length;
  unsigned   max_event_name_length;
  unsigned   cache_ttl; /* seconds */
  gboolean   subscription_count;
  GStrv      allowed_origins;       /* NULL: any origin */
  char      *encryption_master_key; /* base64 of 32 bytes, for publishing to encrypted channels */
  GPtrArray *webhooks;              /* of CrierWebhookConfig */
};

#define CRIER_TYPE_APP_CONFIG (crier_app_config_get_type ())
GType           crier_app_config_get_type (void) G_GNUC_CONST;
CrierAppConfig *crier_app_config_new (const char *id,
                                      const char *key,
                                      const char *secret);
CrierAppConfig *crier_app_config_ref (CrierAppConfig *config);
void            crier_app_config_unref (CrierAppConfig *config);
gboolean        crier_app_config_allows_origin (const CrierAppConfig *config,
                                                const char           *origin);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrierAppConfig, crier_app_config_unref)

#define CRIER_TYPE_CONFIG (crier_config_get_type ())
G_DECLARE_FINAL_TYPE (CrierConfig, crier_config, CRIER, CONFIG, GObject)

CrierConfig    *crier_config_new (void);
CrierConfig    *crier_config_new_from_environment (void);
gboolean        crier_config_load_file (CrierConfig *self,
                                        const char  *path,
                                        GError     **error);
gboolean        crier_config_load_data (CrierConfig *self,
                                        const char  *data,
                                        const char  *origin_name,
                                        GError     **error);
char           *crier_config_dup_one_line (const char *text);
CrierConfig    *crier_config_new_for_app (const char *app_id,
                                          const char *key,
                                          const char *secret,
                                          const char *master_key);
void            crier_config_add_app (CrierConfig    *self,
                                      CrierAppConfig *app);
GPtrArray      *crier_config_get_apps (CrierConfig *self);
CrierAppConfig *crier_config_find_app (CrierConfig *self,
                                       const char  *id);

const char *crier_config_get_host (CrierConfig *self);
void        crier_config_set_host (CrierConfig *self,
                                   const char  *host);
unsigned    crier_config_get_port (CrierConfig *self);
void        crier_config_set_port (CrierConfig *self,
                                   unsigned     port);
const char *crier_config_get_tls_cert (CrierConfig *self);
const char *crier_config_get_tls_key (CrierConfig *self);
void        crier_config_set_tls (CrierConfig *self,
                                  const char  *cert_path,
                                  const char  *key_path);
unsigned    crier_config_get_activity_timeout (CrierConfig *self);
void        crier_config_set_activity_timeout (CrierConfig *self,
                                               unsigned     seconds);
unsigned    crier_config_get_pong_timeout (CrierConfig *self);
void        crier_config_set_pong_timeout (CrierConfig *self,
                                           unsigned     seconds);
unsigned    crier_config_get_max_connections (CrierConfig *self);
gsize       crier_config_get_max_outgoing_buffer (CrierConfig *self);
void        crier_config_set_max_outgoing_buffer (CrierConfig *self,
                                                  gsize        bytes);
gsize       crier_config_get_max_frame_size (CrierConfig *self);
unsigned    crier_config_get_metrics_port (CrierConfig *self);
void        crier_config_set_metrics_port (CrierConfig *self,
                                           unsigned     port);

/* What one HTTP connection may cost before it is answered with an error and closed. */
typedef struct
{
  unsigned handshake_timeout; /* seconds: the TLS handshake, then each request's headers */
  unsigned request_timeout;   /* seconds: a whole request, first byte to response written */
  unsigned keepalive_timeout; /* seconds: an idle kept-alive connection between requests */
  unsigned max_header_size;   /* bytes: request line and headers (414 / 431 beyond) */
  unsigned max_body_size;     /* bytes: a request body (413 beyond) */
} CrierHttpLimits;

/* libsoup 3.2 resets a connection whose headers pass 64 KiB; stay below with room for a
 * read's worth of bytes so that Crier answers 431 first. */
#define CRIER_MAX_HEADER_SIZE_LIMIT (48 * 1024)

const CrierHttpLimits *crier_config_get_http_limits (CrierConfig *self);

/* Webhook delivery (pusher-protocol.md §15). Times in milliseconds. */
typedef struct
{
  unsigned batch_window;  /* events generated this close together share a request */
  unsigned vacated_delay; /* channel_vacated / member_removed wait this long (Pusher: 3 s) */
  unsigned timeout;       /* one attempt */
  unsigned retry_initial; /* first back-off, doubled each attempt, with jitter */
  unsigned retry_max;     /* back-off cap */
  unsigned retry_for;     /* give a batch up after this long */
  unsigned queue_limit;   /* events waiting per app and URL */
  char    *spool_path;    /* undelivered batches across restarts; NULL: the user data dir */
} CrierWebhookSettings;

const CrierWebhookSettings *crier_config_get_webhook_settings (CrierConfig *self);

/* Clustering through Redis ([cluster], docs/architecture.md §9). redis NULL: no cluster,
 * and Redis is never touched. Times in milliseconds. */
typedef struct
{
  char    *redis;              /* redis://[:PASSWORD@]HOST[:PORT][/DB] or unix:///PATH[?db=N&password=P] */
  char    *prefix;             /* of every key and channel, so clusters can share one Redis */
  unsigned node_timeout;       /* a node without a heartbeat this long is dead */
  unsigned heartbeat_interval; /* how often a node says it is alive */
  gboolean reuse_port;         /* SO_REUSEPORT: several nodes on one host share the port */
} CrierClusterSettings;

#define CRIER_DEFAULT_CLUSTER_PREFIX             "crier"
#define CRIER_DEFAULT_CLUSTER_NODE_TIMEOUT       10000
#define CRIER_DEFAULT_CLUSTER_HEARTBEAT_INTERVAL 2000

const CrierClusterSettings *crier_config_get_cluster_settings (CrierConfig *self);
gboolean                    crier_config_set_cluster_redis (CrierConfig *self,
                                                            const char  *url,
                                                            GError     **error);
void                        crier_config_set_cluster_prefix (CrierConfig *self,
                                                             const char  *prefix);
void                        crier_config_set_cluster_times (CrierConfig *self,
                                                            unsigned     node_timeout,
                                                            unsigned     heartbeat_interval);
void                        crier_config_set_reuse_port (CrierConfig *self,
                                                         gboolean     reuse_port);
void                        crier_config_set_spool_path (CrierConfig *self,
                                                         const char  *path);

G_END_DECLS
