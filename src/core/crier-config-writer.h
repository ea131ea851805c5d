/* crier-config-writer.h — writes the apps of a config back as key-file text
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "crier-config.h"

G_BEGIN_DECLS

char *crier_config_write_apps (const char *existing,
                               GPtrArray  *apps,
                               GError    **error);

G_END_DECLS
