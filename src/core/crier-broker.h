/* crier-broker.h — where publications go between the API and local delivery
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "crier-types.h"

G_BEGIN_DECLS

/* One validated publication. A cluster broker (Redis pub/sub across nodes) serialises
 * it, sends it to every node, and each node hands it to crier_server_deliver (). */
typedef struct
{
  const char         *app_id;
  const char * const *channels;
  const char         *event;
  const char         *data;
  const char         *except_socket_id; /* nullable */
} CrierPublication;

#define CRIER_TYPE_BROKER (crier_broker_get_type ())
G_DECLARE_INTERFACE (CrierBroker, crier_broker, CRIER, BROKER, GObject)

struct _CrierBrokerInterface
{
  GTypeInterface parent_iface;

  void (*publish) (CrierBroker            *self,
                   const CrierPublication *publication);
};

void crier_broker_publish (CrierBroker            *self,
                           const CrierPublication *publication);

G_END_DECLS
