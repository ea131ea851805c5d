/* crier-stats-sampler.c — a server's counters sampled once a second, for the graph
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-stats-sampler.h"

/* A ring of the last CRIER_STATS_SAMPLER_HISTORY samples; rates are deltas of the
 * server's cumulative counters over the real interval between two samples. */
struct _CrierStatsSampler
{
  GObject          parent_instance;
  CrierBackend    *server;
  CrierServerStats last; /* the counters at the previous sample */
  CrierServerStats now;  /* the newest counters (a snapshot from the server's thread) */
  gint64           last_time;
  CrierStatsSample ring[CRIER_STATS_SAMPLER_HISTORY];
  guint            head; /* index of the oldest sample */
  guint            n;
  double           peak_rate;
  guint            timer_id;
};

G_DEFINE_FINAL_TYPE (CrierStatsSampler, crier_stats_sampler, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SERVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_SAMPLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
sample_cb (gpointer user_data)
{
  crier_stats_sampler_sample (user_data);
  return G_SOURCE_CONTINUE;
}

static void
crier_stats_sampler_dispose (GObject *object)
{
  CrierStatsSampler *self = CRIER_STATS_SAMPLER (object);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_object (&self->server);
  G_OBJECT_CLASS (crier_stats_sampler_parent_class)->dispose (object);
}

static void
crier_stats_sampler_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CrierStatsSampler *self = CRIER_STATS_SAMPLER (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_stats_sampler_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  CrierStatsSampler *self = CRIER_STATS_SAMPLER (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      crier_stats_sampler_set_server (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crier_stats_sampler_class_init (CrierStatsSamplerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crier_stats_sampler_dispose;
  object_class->get_property = crier_stats_sampler_get_property;
  object_class->set_property = crier_stats_sampler_set_property;
  signals[SIGNAL_SAMPLED] = g_signal_new ("sampled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  properties[PROP_SERVER] = g_param_spec_object ("server", NULL, NULL, CRIER_TYPE_BACKEND,
                                                 G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crier_stats_sampler_init (CrierStatsSampler *self)
{
}

CrierStatsSampler *
crier_stats_sampler_new (CrierBackend *server)
{
  CrierStatsSampler *self = g_object_new (CRIER_TYPE_STATS_SAMPLER, NULL);

  crier_stats_sampler_set_server (self, server);
  return self;
}

/* A new server starts a new baseline; the history stays (the graph shows the restart). */
void
crier_stats_sampler_set_server (CrierStatsSampler *self,
                                CrierBackend      *server)
{
  g_return_if_fail (CRIER_IS_STATS_SAMPLER (self));
  g_return_if_fail (server == NULL || CRIER_IS_BACKEND (server));

  if (!g_set_object (&self->server, server))
    return;
  self->last_time = 0;
  if (server != NULL && self->timer_id == 0)
    {
      self->timer_id = g_timeout_add_seconds (1, sample_cb, self);
      g_source_set_name_by_id (self->timer_id, "[crier] stats sampler");
    }
  else if (server == NULL)
    g_clear_handle_id (&self->timer_id, g_source_remove);
  if (server != NULL)
    {
      crier_backend_get_stats (server, &self->now);
      self->last = self->now;
      self->last_time = g_get_monotonic_time ();
    }
}

static double
rate (guint64 now,
      guint64 before,
      double  seconds)
{
  return now >= before && seconds > 0 ? (double) (now - before) / seconds : 0;
}

void
crier_stats_sampler_sample (CrierStatsSampler *self)
{
  const CrierServerStats *stats = &self->now;
  CrierStatsSample       *sample;
  gint64                  now = g_get_monotonic_time ();
  double                  seconds;

  g_return_if_fail (CRIER_IS_STATS_SAMPLER (self));
  if (self->server == NULL)
    return;
  crier_backend_get_stats (self->server, &self->now);
  seconds = self->last_time > 0 ? (double) (now - self->last_time) / G_USEC_PER_SEC : 0;
  if (self->n < CRIER_STATS_SAMPLER_HISTORY)
    sample = &self->ring[(self->head + self->n++) % CRIER_STATS_SAMPLER_HISTORY];
  else
    {
      sample = &self->ring[self->head];
      self->head = (self->head + 1) % CRIER_STATS_SAMPLER_HISTORY;
    }
  sample->time = now;
  sample->connections = (unsigned) stats->connections;
  sample->messages_per_second = rate (stats->messages_in + stats->messages_out,
                                      self->last.messages_in + self->last.messages_out, seconds);
  sample->events_per_second = rate (stats->events_published + stats->client_events,
                                    self->last.events_published + self->last.client_events, seconds);
  self->peak_rate = MAX (self->peak_rate, sample->messages_per_second);
  self->last = *stats;
  self->last_time = now;
  g_signal_emit (self, signals[SIGNAL_SAMPLED], 0);
}

guint
crier_stats_sampler_get_n_samples (CrierStatsSampler *self)
{
  g_return_val_if_fail (CRIER_IS_STATS_SAMPLER (self), 0);
  return self->n;
}

/* index 0 is the oldest sample kept. */
const CrierStatsSample *
crier_stats_sampler_get_sample (CrierStatsSampler *self,
                                guint              index)
{
  g_return_val_if_fail (CRIER_IS_STATS_SAMPLER (self), NULL);
  g_return_val_if_fail (index < self->n, NULL);
  return &self->ring[(self->head + index) % CRIER_STATS_SAMPLER_HISTORY];
}

/* The server's cumulative counters (totals, peak connections) at the last sample. */
const CrierServerStats *
crier_stats_sampler_get_stats (CrierStatsSampler *self)
{
  g_return_val_if_fail (CRIER_IS_STATS_SAMPLER (self), NULL);
  return self->server != NULL ? &self->now : NULL;
}

double
crier_stats_sampler_get_peak_rate (CrierStatsSampler *self)
{
  g_return_val_if_fail (CRIER_IS_STATS_SAMPLER (self), 0);
  return self->peak_rate;
}
