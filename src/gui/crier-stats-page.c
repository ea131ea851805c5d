/* crier-stats-page.c — live graph and totals
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-gui"

#include "config.h"

#include "crier-stats-page.h"

#include <glib/gi18n.h>

struct _CrierStatsPage
{
  GtkWidget          parent_instance;
  CrierStatsSampler *sampler;

  GtkDrawingArea *graph;
  GtkLabel       *connections_big;
  GtkLabel       *rate_big;
  GtkLabel       *peak_big;
  GtkLabel       *connections_total_label;
  GtkLabel       *messages_in_label;
  GtkLabel       *messages_out_label;
  GtkLabel       *events_label;
  GtkLabel       *client_events_label;
  GtkLabel       *api_label;
  GtkLabel       *errors_label;
  GtkLabel       *webhooks_label;
  GtkWidget      *cluster_group;
  GtkLabel       *node_label;
  GtkLabel       *nodes_label;
  AdwActionRow   *redis_row;
  GtkLabel       *redis_label;
};

G_DEFINE_FINAL_TYPE (CrierStatsPage, crier_stats_page, GTK_TYPE_WIDGET)

static void
set_number (GtkLabel *label,
            guint64   value)
{
  char text[32];

  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, value);
  gtk_label_set_label (label, text);
}

static double
nice_max (double value)
{
  double step = 1;

  while (step * 10 <= value)
    step *= 10;
  for (double m = step;; m += step)
    if (m >= value)
      return MAX (m, 1);
}

static void
draw_series (cairo_t           *cr,
             CrierStatsSampler *sampler,
             int                width,
             int                height,
             gboolean           connections,
             double             max)
{
  guint  n = crier_stats_sampler_get_n_samples (sampler);
  double step = (double) width / (CRIER_STATS_SAMPLER_HISTORY - 1);

  if (n == 0)
    return;
  for (guint i = 0; i < n; i++)
    {
      const CrierStatsSample *s = crier_stats_sampler_get_sample (sampler, i);
      double                  v = connections ? s->connections : s->messages_per_second;
      double                  x = width - (n - 1 - i) * step;
      double                  y = height - 4 - (height - 8) * (v / max);

      if (i == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_stroke_preserve (cr);
  cairo_line_to (cr, width, height);
  cairo_line_to (cr, width - (n - 1) * step, height);
  cairo_close_path (cr);
}

static void
draw_graph (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        user_data)
{
  CrierStatsPage *self = user_data;
  GdkRGBA         fg;
  double          max_conn = 1, max_rate = 1;
  guint           n;

  /* GTK 4.8: gtk_widget_get_color () is 4.10 */
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);
  cairo_set_line_width (cr, 1);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.08);
  for (int i = 1; i < 4; i++)
    {
      cairo_move_to (cr, 0, height * i / 4.0 + 0.5);
      cairo_line_to (cr, width, height * i / 4.0 + 0.5);
    }
  for (int i = 1; i < 5; i++)
    {
      cairo_move_to (cr, width * i / 5.0 + 0.5, 0);
      cairo_line_to (cr, width * i / 5.0 + 0.5, height);
    }
  cairo_stroke (cr);
  if (self->sampler == NULL || (n = crier_stats_sampler_get_n_samples (self->sampler)) == 0)
    return;
  for (guint i = 0; i < n; i++)
    {
      const CrierStatsSample *s = crier_stats_sampler_get_sample (self->sampler, i);

      max_conn = MAX (max_conn, s->connections);
      max_rate = MAX (max_rate, s->messages_per_second);
    }
  max_conn = nice_max (max_conn);
  max_rate = nice_max (max_rate);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_width (cr, 2);
  /* messages per second: green */
  cairo_set_source_rgba (cr, 0.18, 0.76, 0.49, 1);
  draw_series (cr, self->sampler, width, height, FALSE, max_rate);
  cairo_set_source_rgba (cr, 0.18, 0.76, 0.49, 0.15);
  cairo_fill (cr);
  /* connections: blue */
  cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 1);
  draw_series (cr, self->sampler, width, height, TRUE, max_conn);
  cairo_set_source_rgba (cr, 0.21, 0.52, 0.89, 0.15);
  cairo_fill (cr);
  {
    /* Translators: the scale of the chart, the values at its top; msg/s is messages per second */
    g_autofree char *legend = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "max %.0f connection · %.0f msg/s",
                                                            "max %.0f connections · %.0f msg/s",
                                                            (unsigned long) max_conn),
                                               max_conn, max_rate);

    cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.55);
    cairo_select_font_face (cr, "Cantarell", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size (cr, 11);
    cairo_move_to (cr, 8, 16);
    cairo_show_text (cr, legend);
  }
}

static void
sampled_cb (CrierStatsSampler *sampler,
            CrierStatsPage    *self)
{
  const CrierServerStats *stats = crier_stats_sampler_get_stats (sampler);
  guint                   n = crier_stats_sampler_get_n_samples (sampler);
  char                    text[32];

  if (stats != NULL)
    {
      set_number (self->connections_big, stats->connections);
      set_number (self->peak_big, stats->peak_connections);
      set_number (self->connections_total_label, stats->connections_total);
      set_number (self->messages_in_label, stats->messages_in);
      set_number (self->messages_out_label, stats->messages_out);
      set_number (self->events_label, stats->events_published);
      set_number (self->client_events_label, stats->client_events);
      set_number (self->api_label, stats->api_requests);
      set_number (self->errors_label, stats->errors);
      set_number (self->webhooks_label, stats->webhooks_delivered);
    }
  if (n > 0)
    {
      g_snprintf (text, sizeof text, "%.0f",
                  crier_stats_sampler_get_sample (sampler, n - 1)->messages_per_second);
      gtk_label_set_label (self->rate_big, text);
    }
  /* Drawn only when shown: a hidden page costs nothing. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_queue_draw (GTK_WIDGET (self->graph));
}

static void
crier_stats_page_dispose (GObject *object)
{
  CrierStatsPage *self = CRIER_STATS_PAGE (object);

  if (self->sampler != NULL)
    g_signal_handlers_disconnect_by_data (self->sampler, self);
  g_clear_object (&self->sampler);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRIER_TYPE_STATS_PAGE);
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (crier_stats_page_parent_class)->dispose (object);
}

static void
crier_stats_page_class_init (CrierStatsPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crier_stats_page_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/dev/crier/Crier/ui/crier-stats-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, graph);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, connections_big);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, rate_big);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, peak_big);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, connections_total_label);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, messages_in_label);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, messages_out_label);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, events_label);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, client_events_label);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, api_label);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, errors_label);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, webhooks_label);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, cluster_group);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, node_label);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, nodes_label);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, redis_row);
  gtk_widget_class_bind_template_child (widget_class, CrierStatsPage, redis_label);
}

static void
crier_stats_page_init (CrierStatsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drawing_area_set_draw_func (self->graph, draw_graph, self, NULL);
}

void
crier_stats_page_set_sampler (CrierStatsPage    *self,
                              CrierStatsSampler *sampler)
{
  g_return_if_fail (CRIER_IS_STATS_PAGE (self));
  if (self->sampler == sampler)
    return;
  if (self->sampler != NULL)
    g_signal_handlers_disconnect_by_data (self->sampler, self);
  g_set_object (&self->sampler, sampler);
  if (sampler != NULL)
    g_signal_connect (sampler, "sampled", G_CALLBACK (sampled_cb), self);
}

/* The node's place in its cluster (NULL: not part of one, or stopped: the rows hide). */
void
crier_stats_page_set_cluster_info (CrierStatsPage         *self,
                                   const CrierClusterInfo *info)
{
  g_return_if_fail (CRIER_IS_STATS_PAGE (self));
  gtk_widget_set_visible (self->cluster_group, info != NULL);
  if (info == NULL)
    return;
  gtk_label_set_label (self->node_label, info->node_id);
  set_number (self->nodes_label, info->nodes);
  gtk_label_set_label (self->redis_label, info->redis_connected ? _ ("Connected") : _ ("Lost"));
  adw_action_row_set_subtitle (self->redis_row, info->redis ? info->redis : "");
  if (info->redis_connected)
    gtk_widget_remove_css_class (GTK_WIDGET (self->redis_label), "warning");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->redis_label), "warning");
}
