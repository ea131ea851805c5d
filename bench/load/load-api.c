/* load-api.c — the api scenario: signed POST /apps/ID/events from K keep-alive connections
 * SPDX-License-Identifier: GPL-3.0-or-later */

#define G_LOG_DOMAIN "crier-load"

#include <string.h>

#include "load-http.h"
#include "load-run.h"
#include "load-scenarios.h"
#include "load-signature.h"
#include "load-time.h"

typedef struct
{
  LoadRun *run;
  guint64  n_sent;
  guint64  n_responses;
  gint64   t_last_response;
  gint64   t_first; /* --rate: request i is due at t_first + i / rate */
} Api;

static void
send_request (Api      *api,
              LoadConn *c)
{
  LoadRun           *run = api->run;
  const LoadOptions *opt = run->opt;
  guint64            seq = api->n_sent++;
  gint64             t = load_now_ns ();
  g_autofree char   *path = g_strdup_printf ("/apps/%s/events", opt->app_id);
  g_autofree char   *body = NULL;
  g_autofree char   *query = NULL;
  g_autofree char   *request = NULL;

  if (seq == (guint64) opt->warmup)
    load_run_start_measure (run, t);
  body = g_strdup_printf ("{\"name\":\"%s\",\"channels\":[\"%s\"],"
                          "\"data\":\"{\\\"seq\\\":%" G_GUINT64_FORMAT ",\\\"t\\\":%" G_GINT64_FORMAT "}\"}",
                          opt->event, opt->channel, seq, t);
  query = load_signature_api_query ("POST", path, opt->key, opt->secret,
                                    g_get_real_time () / G_USEC_PER_SEC, body);
  request = load_http_post_request (path, query, opt->host, opt->port, body);
  c->busy = TRUE;
  c->req_t = t;
  c->req_seq = seq;
  load_conn_send (&run->table, c, request, strlen (request));
}

/* The table's response function: USER_DATA is the Api. */
static void
response_cb (LoadConnTable *table,
             LoadConn      *c,
             int            status,
             const char    *body,
             size_t         body_len,
             gpointer       user_data)
{
  Api     *api = user_data;
  LoadRun *run = api->run;
  gint64   now = load_now_ns ();

  if (!c->busy)
    {
      load_conn_fail (table, c, "response without a request: %d", status);
      return;
    }
  c->busy = FALSE;
  if (status == 404 && api->n_responses == 0)
    {
      run->verdict.unavailable = TRUE;
      load_verdict_fail (&run->verdict, "HTTP API answered 404: %.*s", (int) MIN (body_len, 200), body);
      return;
    }
  if (status != 200)
    {
      load_conn_fail (table, c, "HTTP %d: %.*s", status, (int) MIN (body_len, 300), body);
      return;
    }
  api->n_responses++;
  api->t_last_response = now;
  run->stats.t_progress = now;
  if (c->req_seq >= (guint64) run->opt->warmup)
    load_histogram_add (&run->stats.req_latency, now - c->req_t);
}

static gboolean
connect_step (LoadRun *run,
              gpointer data)
{
  LoadConnTable *table = &run->table;

  for (unsigned i = table->n_ws; i < table->n_conns; i++)
    if (table->conns[i].state == LOAD_CONN_IDLE)
      load_conn_open (table, &table->conns[i], LOAD_ROLE_HTTP);
  for (unsigned i = table->n_ws; i < table->n_conns; i++)
    if (table->conns[i].state != LOAD_CONN_READY)
      return FALSE;
  return TRUE;
}

/* Request i leaves once request i - --window reached every subscriber and, with --rate, not
 * before it is due: a fixed offered load, so two servers are compared at the same one. */
static gboolean
request_step (LoadRun *run,
              gpointer data)
{
  Api           *api = data;
  LoadConnTable *table = &run->table;
  LoadDelivery  *d = &run->delivery;

  for (unsigned i = table->n_ws; i < table->n_conns && !run->verdict.failed; i++)
    {
      LoadConn *c = &table->conns[i];

      if (c->state != LOAD_CONN_READY || c->busy || api->n_sent >= d->total ||
          api->n_sent >= d->complete + (guint64) run->opt->window)
        continue;
      if (run->opt->rate > 0)
        {
          gint64 now = load_now_ns ();

          if (api->t_first == 0)
            api->t_first = now;
          if (now < api->t_first + (gint64) (api->n_sent * LOAD_NS_PER_S / (guint64) run->opt->rate))
            break;
        }
      send_request (api, c);
    }
  return d->complete == d->total && api->n_responses == d->total;
}

int
load_api_run (const LoadOptions *opt)
{
  LoadRun  run, *self = &run;
  Api      api = { .run = self };
  unsigned subs = (unsigned) opt->subscribers;
  guint64  total = (guint64) opt->warmup + (guint64) opt->messages;

  load_run_init (self, opt, subs, (unsigned) opt->http_connections);
  self->table.response_func = response_cb;
  self->table.response_data = &api;
  /* concurrent requests may be published in any order */
  load_delivery_init (&self->delivery, total, 0, subs, FALSE);
  g_print ("scenario=api\nsubscribers=%u\nrequests=%d\nwarmup=%d\nhttp_connections=%d\nwindow=%d\nrate=%d\npause_s=%.1f\n",
           subs, opt->messages, opt->warmup, opt->http_connections, opt->window, opt->rate, opt->pause);

  if (!load_run_loop (self, load_run_setup_step, NULL, "connection setup") ||
      !load_run_loop (self, connect_step, NULL, "HTTP connection setup"))
    return load_run_finish (self);
  /* --pause: a burst that comes to clients connected a while ago, as in an app, not one
   * that lands while the server (or a window showing it) still takes in the connections */
  load_run_wait (self, opt->pause);

  if (load_run_loop (self, request_step, &api, "HTTP requests"))
    {
      LoadStats *stats = &self->stats;
      gint64     t_end = MAX (self->delivery.t_complete, api.t_last_response);
      double     secs = (double) (t_end - stats->t_measure) / LOAD_NS_PER_S;
      double     server_side;

      server_side = load_run_print_usage_since (self, stats->measure_mark, stats->t_measure, t_end);
      load_run_settle (self);
      g_print ("available=1\n");
      g_print ("elapsed_s=%.3f\n", secs);
      g_print ("requests_per_s=%.0f\n", opt->messages / secs);
      /* every request is an event to every subscriber: the fan-out figure */
      g_print ("deliveries_per_s=%.0f\n", (double) opt->messages * subs / secs);
      /* what the server side did per CPU second it got: less sensitive to a busy machine */
      if (server_side > 0)
        g_print ("deliveries_per_server_cpu_s=%.0f\n", (double) opt->messages * subs / server_side);
      g_print ("req_p50_us=%.1f\n", load_histogram_percentile (&stats->req_latency, 0.50) / 1e3);
      g_print ("req_p99_us=%.1f\n", load_histogram_percentile (&stats->req_latency, 0.99) / 1e3);
      g_print ("delivery_p50_us=%.1f\n", load_histogram_percentile (&stats->latency, 0.50) / 1e3);
      g_print ("delivery_p99_us=%.1f\n", load_histogram_percentile (&stats->latency, 0.99) / 1e3);
      g_print ("reconnects=%" G_GUINT64_FORMAT "\n", self->table.reconnects);
    }
  else if (!self->verdict.unavailable)
    g_print ("sent=%" G_GUINT64_FORMAT "\nresponses=%" G_GUINT64_FORMAT "\ncomplete=%" G_GUINT64_FORMAT "\n",
             api.n_sent, api.n_responses, self->delivery.complete);
  if (!self->verdict.unavailable)
    {
      g_print ("lost=%" G_GUINT64_FORMAT "\n", load_delivery_lost (&self->delivery));
      if (!self->verdict.failed && load_delivery_lost (&self->delivery) > 0)
        load_verdict_fail (&self->verdict, "events lost");
    }
  return load_run_finish (self);
}
