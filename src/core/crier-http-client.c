/* crier-http-client.c — what Crier's own clients of a server share
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "crier-http-client.h"

static gboolean
accept_any_certificate_cb (SoupMessage         *msg,
                           GTlsCertificate     *certificate,
                           GTlsCertificateFlags errors,
                           gpointer             user_data)
{
  return TRUE;
}

void
crier_http_client_trust_any (SoupMessage *msg)
{
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any_certificate_cb), NULL);
}
