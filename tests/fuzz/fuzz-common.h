/* fuzz-common.h — what the libFuzzer targets share: quiet but strict logging, a real
 * server on 127.0.0.1, clients on socketpairs, signing on the fuzzer's behalf
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdint.h>

#include "crier-server.h"

G_BEGIN_DECLS

/* The Pusher documentation's app, as in the unit tests. */
#define FUZZ_APP_ID     "3"
#define FUZZ_APP_KEY    "278d425bdf160c739803"
#define FUZZ_APP_SECRET "7ad3773142a6692b25b8"

/* The seed corpus writes this where a signature goes; the targets put the real one in,
 * since a fuzzer cannot forge an HMAC and would never get past the checks otherwise. */
#define FUZZ_SIGN "SIGN"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

void fuzz_init (void);

CrierServer *fuzz_server_new (void);
void         fuzz_server_free (CrierServer *server); /* and its clients */

/* A WebSocket client past the handshake: the server holds one end of a socketpair, as it
 * holds a TCP socket after the 101. */
typedef struct _FuzzClient FuzzClient;

FuzzClient *fuzz_client_new (CrierServer *server,
                             const char  *path,
                             const char  *protocol);
FuzzClient *fuzz_client_new_with_query (CrierServer *server,
                                        const char  *path,
                                        GHashTable  *query);
const char *fuzz_client_get_socket_id (FuzzClient *client);
gboolean    fuzz_client_is_open (FuzzClient *client);
void        fuzz_client_write (FuzzClient *client,
                               const void *data,
                               gsize       length);
void        fuzz_client_send_text (FuzzClient *client,
                                   const char *text,
                                   gsize       length);

void fuzz_settle (CrierServer *server);

char *fuzz_sign_client_message (const char *socket_id,
                                const char *text,
                                gsize       length);

G_END_DECLS
