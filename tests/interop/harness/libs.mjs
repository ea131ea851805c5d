// libs.mjs — the npm clients (pusher-js, the pusher SDK, ws, laravel-echo),
// loaded on demand so that a missing node_modules is a skip (77), not an import error.
//
// Part of the interop harness (see ../harness.mjs); node: built-ins only at load time.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// tests/interop, where node_modules is.
export const HERE = join(dirname(fileURLToPath(import.meta.url)), '..');
const SKIP = 77;

let libsCache = null;

/** Load the npm clients, or exit 77 (skip) when node_modules is missing. */
export async function loadLibs() {
  if (libsCache) return libsCache;
  const require = createRequire(join(HERE, 'harness.mjs'));
  const needed = ['pusher-js', 'pusher', 'ws', 'laravel-echo'];
  for (const name of needed) {
    if (!existsSync(join(HERE, 'node_modules', name, 'package.json'))) {
      console.log(`SKIP: ${join(HERE, 'node_modules', name)} is missing; run \`npm ci\` in tests/interop`);
      process.exit(SKIP);
    }
  }
  const Pusher = require('pusher-js'); // the Node build already includes encryption
  const PusherServer = require('pusher');
  const ws = require('ws');
  const echoModule = await import('laravel-echo');
  libsCache = {
    Pusher,
    PusherServer,
    WebSocket: ws.WebSocket,
    Echo: echoModule.default,
  };
  return libsCache;
}
