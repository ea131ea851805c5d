/* crier-types.h — shared enums, error domains and forward declarations of the core
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _CrierApp          CrierApp;
typedef struct _CrierAppConfig    CrierAppConfig;
typedef struct _CrierChannel      CrierChannel;
typedef struct _CrierConnection   CrierConnection;
typedef struct _CrierMonitorEvent CrierMonitorEvent;

/* Channel types, decided by name prefix (pusher-protocol.md §5.1). Flags combine:
 * "private-encrypted-cache-x" is PRIVATE | ENCRYPTED | CACHE. */
typedef enum
{
  CRIER_CHANNEL_PUBLIC = 0,
  CRIER_CHANNEL_PRIVATE = 1 << 0,
  CRIER_CHANNEL_PRESENCE = 1 << 1,
  CRIER_CHANNEL_ENCRYPTED = 1 << 2,
  CRIER_CHANNEL_CACHE = 1 << 3,
  CRIER_CHANNEL_SERVER_TO_USER = 1 << 4,
} CrierChannelType;

/* Pusher's close and error codes (pusher-protocol.md §13.2). */
typedef enum
{
  CRIER_CODE_SSL_ONLY = 4000,
  CRIER_CODE_APP_NOT_FOUND = 4001,
  CRIER_CODE_APP_DISABLED = 4003,
  CRIER_CODE_APP_OVER_QUOTA = 4004,
  CRIER_CODE_PATH_NOT_FOUND = 4005,
  CRIER_CODE_INVALID_VERSION = 4006,
  CRIER_CODE_UNSUPPORTED_PROTOCOL = 4007,
  CRIER_CODE_NO_PROTOCOL = 4008,
  CRIER_CODE_UNAUTHORIZED = 4009,
  CRIER_CODE_OVER_CAPACITY = 4100,
  CRIER_CODE_RECONNECT = 4200,
  CRIER_CODE_PONG_TIMEOUT = 4201,
  CRIER_CODE_RATE_LIMIT = 4301,
  CRIER_CODE_WATCHLIST_LIMIT = 4302,
} CrierCode;

typedef enum
{
  CRIER_MONITOR_CONNECTED,
  CRIER_MONITOR_DISCONNECTED,
  CRIER_MONITOR_SUBSCRIBED,
  CRIER_MONITOR_UNSUBSCRIBED,
  CRIER_MONITOR_CHANNEL_OCCUPIED,
  CRIER_MONITOR_CHANNEL_VACATED,
  CRIER_MONITOR_MEMBER_ADDED,
  CRIER_MONITOR_MEMBER_REMOVED,
  CRIER_MONITOR_EVENT_PUBLISHED,
  CRIER_MONITOR_CLIENT_EVENT,
  CRIER_MONITOR_SIGNED_IN,
  CRIER_MONITOR_CACHE_MISS,
  CRIER_MONITOR_AUTH_FAILED,
  CRIER_MONITOR_PROTOCOL_ERROR,
  CRIER_MONITOR_API_REQUEST,
  CRIER_MONITOR_SERVER_STARTED,
  CRIER_MONITOR_SERVER_STOPPED,
  CRIER_MONITOR_WEBHOOK_DELIVERED,
  CRIER_MONITOR_WEBHOOK_FAILED,
  CRIER_MONITOR_WEBHOOK_DROPPED,
  CRIER_MONITOR_CLUSTER, /* nodes, Redis; with a channel: its cluster-wide counts changed */
  CRIER_MONITOR_N_KINDS
} CrierMonitorKind;

#define CRIER_CONFIG_ERROR   (crier_config_error_quark ())
#define CRIER_PROTOCOL_ERROR (crier_protocol_error_quark ())
#define CRIER_SERVER_ERROR   (crier_server_error_quark ())

typedef enum
{
  CRIER_CONFIG_ERROR_PARSE,
  CRIER_CONFIG_ERROR_INVALID,
} CrierConfigError;

typedef enum
{
  CRIER_SERVER_ERROR_ADDRESS_IN_USE,
  CRIER_SERVER_ERROR_BAD_ADDRESS,
  CRIER_SERVER_ERROR_TLS,
  CRIER_SERVER_ERROR_UNKNOWN_APP,
  CRIER_SERVER_ERROR_INVALID,
  CRIER_SERVER_ERROR_TOO_LARGE,
  CRIER_SERVER_ERROR_METRICS_ADDRESS_IN_USE, /* the separate metrics port */
} CrierServerError;

GQuark crier_config_error_quark (void);
GQuark crier_protocol_error_quark (void);
GQuark crier_server_error_quark (void);

G_END_DECLS
