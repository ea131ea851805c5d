// Shared harness for Crier's interop tests.
//
// Each *.test.mjs file is one meson test (plain exit codes: 0 pass, 1 fail,
// 77 skip).  A scenario starts the real `crier --server` on 127.0.0.1 port 0,
// drives it with the real npm clients (pusher-js, laravel-echo, the pusher
// server SDK, ws) and stops it with SIGTERM, checking that it exits 0.
//
// This module only uses node: built-ins at load time, so that a missing
// node_modules turns into a skip (77) rather than an import error: the npm
// packages are loaded with loadLibs().
//
// The pieces live in harness/, one module per area; this file gathers the
// names the scenarios import:
//   checks.mjs    failures, assertions, bounded waits (HOST, WAIT_MS)
//   libs.mjs      the npm clients, loaded on demand
//   config.mjs    apps and crier's key file
//   process.mjs   the crier process (CrierServer: monitor lines, metrics, signals)
//   clients.mjs   raw ws, pusher-js and laravel-echo clients and their helpers
//   api.mjs       the pusher SDK's answers (the HTTP API)
//   webhooks.mjs  the webhook receiver
//   scenario.mjs  scenario() and its context `t`

export { HOST, WAIT_MS, InteropFailure, fail, show, check, checkEqual, within, sleep, until } from './harness/checks.mjs';
export { HERE, loadLibs } from './harness/libs.mjs';
export { DEFAULT_APP, keyFile, app } from './harness/config.mjs';
export {
  RawClient,
  pusherJsWebSocketHeaders,
  pusherJsOptions,
  roundTrip,
  subscribed,
  collect,
  recorder,
} from './harness/clients.mjs';
export { jsonOk, apiError } from './harness/api.mjs';
export { WEBHOOK_FIELDS, WebhookReceiver } from './harness/webhooks.mjs';
export { scenario } from './harness/scenario.mjs';
export { soketiInstalled, startSoketi } from './harness/soketi.mjs';
