/* crier-metrics.c — the server's counters in Prometheus text format (exposition 0.0.4)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-http"

#include "config.h"

#include "crier-metrics.h"

#include "crier-app-private.h"
#include "crier-channel-private.h"
#include "crier-server-private.h"

typedef struct
{
  const char *name;
  const char *type;
  const char *help;
  gsize       offset; /* into CrierServerStats */
  gboolean    per_app;
} Metric;

static const Metric metrics[] = {
  { "crier_connections", "gauge", "Open WebSocket connections",
    G_STRUCT_OFFSET (CrierServerStats, connections), TRUE },
  { "crier_connections_total", "counter", "WebSocket connections accepted",
    G_STRUCT_OFFSET (CrierServerStats, connections_total), TRUE },
  { "crier_messages_received_total", "counter", "WebSocket messages received from clients",
    G_STRUCT_OFFSET (CrierServerStats, messages_in), TRUE },
  { "crier_messages_sent_total", "counter", "WebSocket frames sent to clients",
    G_STRUCT_OFFSET (CrierServerStats, messages_out), TRUE },
  { "crier_events_published_total", "counter", "Events published (HTTP API, dashboard, CLI)",
    G_STRUCT_OFFSET (CrierServerStats, events_published), TRUE },
  { "crier_client_events_total", "counter", "Client events relayed",
    G_STRUCT_OFFSET (CrierServerStats, client_events), TRUE },
  { "crier_api_requests_total", "counter", "HTTP API requests",
    G_STRUCT_OFFSET (CrierServerStats, api_requests), TRUE },
  { "crier_errors_total", "counter", "Refused requests, subscriptions and messages",
    G_STRUCT_OFFSET (CrierServerStats, errors), TRUE },
  { "crier_webhooks_delivered_total", "counter", "Webhook requests answered with 2xx",
    G_STRUCT_OFFSET (CrierServerStats, webhooks_delivered), FALSE },
  { "crier_webhook_failures_total", "counter", "Webhook attempts that failed (each retry counts)",
    G_STRUCT_OFFSET (CrierServerStats, webhook_failures), FALSE },
  { "crier_webhooks_dropped_total", "counter", "Webhook events lost to a full queue or given up",
    G_STRUCT_OFFSET (CrierServerStats, webhooks_dropped), FALSE },
  { "crier_webhooks_queued", "gauge", "Webhook events waiting for delivery",
    G_STRUCT_OFFSET (CrierServerStats, webhooks_queued), FALSE },
};

static void
append_label_value (GString    *out,
                    const char *value)
{
  for (const char *p = value; *p; p++)
    {
      if (*p == '\\' || *p == '"')
        g_string_append_c (out, '\\');
      if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
}

static guint64
stat_value (const CrierServerStats *stats,
            const Metric           *metric)
{
  return G_STRUCT_MEMBER (guint64, stats, metric->offset);
}

char *
crier_metrics_render (CrierServer *server)
{
  GString   *out = g_string_new (NULL);
  GPtrArray *apps = crier_config_get_apps (crier_server_get_config (server));

  for (guint m = 0; m < G_N_ELEMENTS (metrics); m++)
    {
      const Metric *metric = &metrics[m];

      g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", metric->name, metric->help,
                              metric->name, metric->type);
      g_string_append_printf (out, "%s %" G_GUINT64_FORMAT "\n", metric->name,
                              stat_value (crier_server_get_stats (server), metric));
      for (guint i = 0; metric->per_app && i < apps->len; i++)
        {
          CrierAppConfig  *config = g_ptr_array_index (apps, i);
          CrierServerStats stats = crier_app_get_stats (crier_server_lookup_app (server, config->id));

          g_string_append_printf (out, "%s{app=\"", metric->name);
          append_label_value (out, config->id);
          g_string_append_printf (out, "\"} %" G_GUINT64_FORMAT "\n", stat_value (&stats, metric));
        }
    }
  g_string_append (out, "# HELP crier_channels Occupied channels\n# TYPE crier_channels gauge\n");
  for (guint i = 0; i < apps->len; i++)
    {
      CrierAppConfig *config = g_ptr_array_index (apps, i);
      unsigned        occupied = crier_app_count_occupied_channels (crier_server_lookup_app (server,
                                                                                             config->id));

      g_string_append (out, "crier_channels{app=\"");
      append_label_value (out, config->id);
      g_string_append_printf (out, "\"} %u\n", occupied);
    }
  /* Only a cluster node has these: without [cluster] the page does not change. */
  if (crier_server_get_node_id (server) != NULL)
    {
      g_string_append (out, "# HELP crier_cluster_nodes Cluster nodes alive (at this node's last "
                            "heartbeat)\n# TYPE crier_cluster_nodes gauge\n");
      g_string_append_printf (out, "crier_cluster_nodes %u\n",
                              crier_server_count_cluster_nodes (server));
      g_string_append (out, "# HELP crier_cluster_redis_up Whether this node's Redis connections "
                            "are up\n# TYPE crier_cluster_redis_up gauge\n");
      g_string_append_printf (out, "crier_cluster_redis_up %d\n",
                              crier_server_is_redis_connected (server) ? 1 : 0);
    }
  return g_string_free (out, FALSE);
}
