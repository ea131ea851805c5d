/* crier-http-stream.h — one HTTP connection as libsoup sees it, its input watched by Crier
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(CRIER_CORE_COMPILATION)
#error "a private header of the core: only src/core (built with CRIER_CORE_COMPILATION) includes it"
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

/* What the watcher decides about one read of the connection. */
typedef enum
{
  CRIER_HTTP_STREAM_PASS,  /* hand the bytes, the end of stream or the error to the reader */
  CRIER_HTTP_STREAM_STALL, /* drop them: from now on the reader only ever "would block" */
} CrierHttpStreamVerdict;

/* After each read of the connection: n > 0 bytes at data, 0 the end of the stream, -1 an
 * error. Runs inside libsoup's reading: it may only decide and schedule. */
typedef CrierHttpStreamVerdict (*CrierHttpStreamWatch) (const guint8 *data,
                                                        gssize        n,
                                                        gpointer      user_data);
/* Once, when the stream is closed (by libsoup, by Crier, or when it is finalized). */
typedef void (*CrierHttpStreamClosed) (gpointer user_data);

#define CRIER_TYPE_HTTP_STREAM (crier_http_stream_get_type ())
G_DECLARE_FINAL_TYPE (CrierHttpStream, crier_http_stream, CRIER, HTTP_STREAM, GIOStream)

/* Reads and writes base (the TCP or TLS connection); closing it closes base. */
CrierHttpStream *crier_http_stream_new (GIOStream *base);
void             crier_http_stream_set_watch (CrierHttpStream      *self,
                                              CrierHttpStreamWatch  watch,
                                              CrierHttpStreamClosed closed,
                                              gpointer              user_data);
/* Stops watching, and closing no longer touches base: someone else owns it now. */
void       crier_http_stream_detach (CrierHttpStream *self);
GIOStream *crier_http_stream_get_base (CrierHttpStream *self);

G_END_DECLS
