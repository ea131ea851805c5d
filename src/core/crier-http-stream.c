/* crier-http-stream.c — one HTTP connection as libsoup sees it, its input watched by Crier
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-http"

#include "config.h"

#include "crier-http-stream.h"

/* The input is a private helper type: libsoup's server reads only with non-blocking,
 * pollable reads, so that is the path to watch. A watcher that stalls the input makes
 * every later read "would block" and every source never fire, which leaves libsoup
 * waiting quietly until Crier takes the connection back
 * (soup_server_message_steal_connection). Closing the input does nothing: the stream
 * owns the connection. */
#define CRIER_TYPE_HTTP_INPUT (crier_http_input_get_type ())
G_DECLARE_FINAL_TYPE (CrierHttpInput, crier_http_input, CRIER, HTTP_INPUT, GInputStream)

struct _CrierHttpInput
{
  GInputStream         parent_instance;
  GInputStream        *base;
  CrierHttpStreamWatch watch;
  gpointer             user_data;
  gboolean             stalled;
};

static void crier_http_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CrierHttpInput, crier_http_input, G_TYPE_INPUT_STREAM, G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM, crier_http_input_pollable_init))

static gssize
would_block (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "held back by Crier");
  return -1;
}

static gssize
watch_result (CrierHttpInput *self,
              void           *buffer,
              gssize          n,
              GError        **error,
              GError         *read_error)
{
  if (self->watch != NULL &&
      self->watch (buffer, n, self->user_data) == CRIER_HTTP_STREAM_STALL)
    self->stalled = TRUE;
  if (self->stalled)
    {
      g_clear_error (&read_error);
      return would_block (error);
    }
  if (read_error != NULL)
    g_propagate_error (error, read_error);
  return n;
}

static gssize
crier_http_input_read_nonblocking (GPollableInputStream *stream,
                                   void                 *buffer,
                                   gsize                 count,
                                   GError              **error)
{
  CrierHttpInput *self = CRIER_HTTP_INPUT (stream);
  GError         *read_error = NULL;
  gssize          n;

  if (self->stalled)
    return would_block (error);
  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->base), buffer,
                                                count, NULL, &read_error);
  if (n < 0 && g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_propagate_error (error, read_error);
      return -1;
    }
  return watch_result (self, buffer, n, error, read_error);
}

static gssize
crier_http_input_read (GInputStream *stream,
                       void         *buffer,
                       gsize         count,
                       GCancellable *cancellable,
                       GError      **error)
{
  CrierHttpInput *self = CRIER_HTTP_INPUT (stream);
  GError         *read_error = NULL;
  gssize          n;

  if (self->stalled)
    return would_block (error);
  n = g_input_stream_read (self->base, buffer, count, cancellable, &read_error);
  return watch_result (self, buffer, n, error, read_error);
}

static gboolean
crier_http_input_close (GInputStream *stream,
                        GCancellable *cancellable,
                        GError      **error)
{
  return TRUE;
}

static gboolean
crier_http_input_can_poll (GPollableInputStream *stream)
{
  return TRUE;
}

static gboolean
crier_http_input_is_readable (GPollableInputStream *stream)
{
  CrierHttpInput *self = CRIER_HTTP_INPUT (stream);

  return !self->stalled && g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static GSource *
crier_http_input_create_source (GPollableInputStream *stream,
                                GCancellable         *cancellable)
{
  CrierHttpInput *self = CRIER_HTTP_INPUT (stream);
  g_autoptr (GSource) base_source = NULL;
  GSource *source = g_pollable_source_new (G_OBJECT (self));

  /* Stalled: a pollable source without a child never fires on its own. */
  if (self->stalled)
    return source;
  base_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base),
                                                       cancellable);
  g_source_set_dummy_callback (base_source);
  g_source_add_child_source (source, base_source);
  return source;
}

static void
crier_http_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = crier_http_input_can_poll;
  iface->is_readable = crier_http_input_is_readable;
  iface->create_source = crier_http_input_create_source;
  iface->read_nonblocking = crier_http_input_read_nonblocking;
}

static void
crier_http_input_finalize (GObject *object)
{
  g_clear_object (&CRIER_HTTP_INPUT (object)->base);
  G_OBJECT_CLASS (crier_http_input_parent_class)->finalize (object);
}

static void
crier_http_input_class_init (CrierHttpInputClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crier_http_input_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = crier_http_input_read;
  G_INPUT_STREAM_CLASS (klass)->close_fn = crier_http_input_close;
}

static void
crier_http_input_init (CrierHttpInput *self)
{
}

struct _CrierHttpStream
{
  GIOStream             parent_instance;
  GIOStream            *base;
  CrierHttpInput       *input;
  CrierHttpStreamClosed closed;
  gpointer              user_data;
  gboolean              detached;
};

G_DEFINE_FINAL_TYPE (CrierHttpStream, crier_http_stream, G_TYPE_IO_STREAM)

static GInputStream *
crier_http_stream_get_input_stream (GIOStream *stream)
{
  return G_INPUT_STREAM (CRIER_HTTP_STREAM (stream)->input);
}

static GOutputStream *
crier_http_stream_get_output_stream (GIOStream *stream)
{
  return g_io_stream_get_output_stream (CRIER_HTTP_STREAM (stream)->base);
}

/* Also runs from dispose when nobody closed the stream. */
static gboolean
crier_http_stream_close (GIOStream    *stream,
                         GCancellable *cancellable,
                         GError      **error)
{
  CrierHttpStream      *self = CRIER_HTTP_STREAM (stream);
  CrierHttpStreamClosed closed = g_steal_pointer (&self->closed);
  gboolean              ok = TRUE;

  self->input->watch = NULL;
  if (!self->detached)
    ok = g_io_stream_close (self->base, cancellable, error);
  if (closed != NULL)
    closed (self->user_data);
  return ok;
}

static void
crier_http_stream_finalize (GObject *object)
{
  CrierHttpStream *self = CRIER_HTTP_STREAM (object);

  g_clear_object (&self->input);
  g_clear_object (&self->base);
  G_OBJECT_CLASS (crier_http_stream_parent_class)->finalize (object);
}

static void
crier_http_stream_class_init (CrierHttpStreamClass *klass)
{
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = crier_http_stream_finalize;
  stream_class->get_input_stream = crier_http_stream_get_input_stream;
  stream_class->get_output_stream = crier_http_stream_get_output_stream;
  stream_class->close_fn = crier_http_stream_close;
}

static void
crier_http_stream_init (CrierHttpStream *self)
{
}

CrierHttpStream *
crier_http_stream_new (GIOStream *base)
{
  CrierHttpStream *self = g_object_new (CRIER_TYPE_HTTP_STREAM, NULL);

  self->base = g_object_ref (base);
  self->input = g_object_new (CRIER_TYPE_HTTP_INPUT, NULL);
  self->input->base = g_object_ref (g_io_stream_get_input_stream (base));
  return self;
}

void
crier_http_stream_set_watch (CrierHttpStream      *self,
                             CrierHttpStreamWatch  watch,
                             CrierHttpStreamClosed closed,
                             gpointer              user_data)
{
  g_return_if_fail (CRIER_IS_HTTP_STREAM (self));
  self->input->watch = watch;
  self->input->user_data = user_data;
  self->closed = closed;
  self->user_data = user_data;
}

void
crier_http_stream_detach (CrierHttpStream *self)
{
  g_return_if_fail (CRIER_IS_HTTP_STREAM (self));
  crier_http_stream_set_watch (self, NULL, NULL, NULL);
  self->detached = TRUE;
}

GIOStream *
crier_http_stream_get_base (CrierHttpStream *self)
{
  g_return_val_if_fail (CRIER_IS_HTTP_STREAM (self), NULL);
  return self->base;
}
