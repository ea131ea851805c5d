/* crier-broker.c — where publications go between the API and local delivery
 * SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "crier-server"

#include "config.h"

#include "crier-broker.h"

G_DEFINE_INTERFACE (CrierBroker, crier_broker, G_TYPE_OBJECT)

static void
crier_broker_default_init (CrierBrokerInterface *iface)
{
}

void
crier_broker_publish (CrierBroker            *self,
                      const CrierPublication *publication)
{
  g_return_if_fail (CRIER_IS_BROKER (self));
  CRIER_BROKER_GET_IFACE (self)->publish (self, publication);
}
