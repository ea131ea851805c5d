// scenario.mjs — a scenario and its context `t`: the crier processes it started,
// the clients and receivers it opened, steps and logging, cleanup, the watchdog, and the
// exit code meson reads.
//
// Part of the interop harness (see ../harness.mjs); node: built-ins only at load time.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { InteropFailure, fail, sleep } from './checks.mjs';
import { connectedClient, echoClient, pusherJsClient, rawClient } from './clients.mjs';
import { DEFAULT_APP } from './config.mjs';
import { loadLibs } from './libs.mjs';
import { CrierServer } from './process.mjs';
import { webhookReceiver } from './webhooks.mjs';

const WATCHDOG_MS = Number(process.env.INTEROP_WATCHDOG_MS || 55000);

class Context {
  constructor(name) {
    this.name = name;
    this.servers = [];
    this.cleanups = [];
    this.currentStep = '(start)';
    this.t0 = Date.now();
  }

  log(msg) {
    const s = ((Date.now() - this.t0) / 1000).toFixed(2).padStart(6);
    console.log(`[${s}s] ${msg}`);
  }

  step(msg) {
    this.currentStep = msg;
    this.log(`-- ${msg}`);
  }

  defer(fn) {
    this.cleanups.push(fn);
  }

  /**
   * Run crier with a configuration it must refuse: returns {code, signal,
   * stdout, stderr} once it exits (fails if it starts listening instead).
   */
  async crierRefuses(opts = {}) {
    const s = new CrierServer(this, { apps: [], ...opts });
    this.servers.push(s);
    try {
      await s.start();
    } catch (e) {
      if (!(e instanceof InteropFailure) || !s.exit) throw e;
      s.stopped = true;
      return { ...s.exit, stdout: s.stdout, stderr: s.stderr };
    }
    fail(`crier started (port ${s.port}) although the configuration should be refused:\n${s.configText}`);
  }

  /**
   * Start crier.  opts: {config: {server, apps} | string | undefined (no
   * --config), apps: [...] (the apps the server is expected to know, default
   * config.apps or DEFAULT_APP), env, port}
   */
  async crier(opts = {}) {
    const o = { ...opts };
    if (!o.apps) o.apps = typeof o.config === 'object' && o.config.apps ? o.config.apps : [DEFAULT_APP];
    const s = new CrierServer(this, o);
    this.servers.push(s);
    await s.start();
    return s;
  }

  /**
   * Open a raw ws connection (does not wait for anything but the upgrade).
   * opts: {key, query, path, label, origin, headers, autoPong (default true)}
   */
  async raw(server, opts = {}) {
    return rawClient(this, server, opts);
  }

  /** Open a raw connection and wait for pusher:connection_established. */
  async connect(server, opts = {}) {
    return connectedClient(this, server, opts);
  }

  /**
   * A pusher-js client connected to `server`, authorising channels with the
   * pusher server SDK (as a Laravel /broadcasting/auth endpoint would).
   * opts: {app, user: {user_id, user_info} for presence, signin: {id, ...},
   * secret (override to sign with a wrong secret), masterKey (base64),
   * options (extra pusher-js options), wsHeaders (extra headers of the
   * WebSocket handshake, e.g. {Origin}, null for none: see
   * pusherJsWebSocketHeaders()),
   * waitConnected (default true; false returns at once, for a refused client)}
   */
  async pusherJs(server, opts = {}) {
    return pusherJsClient(this, server, opts);
  }

  /** A temporary directory, removed when the process exits (after crier stopped). */
  tempDir() {
    const dir = mkdtempSync(join(tmpdir(), 'crier-interop-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** A listening WebhookReceiver, closed at the end of the scenario. */
  async webhookReceiver(label = 'receiver') {
    return webhookReceiver(this, label);
  }

  /** A laravel-echo instance (pusher broadcaster) wired like pusherJs(). */
  async echo(server, opts = {}) {
    return echoClient(this, server, opts);
  }
}

/**
 * Run a scenario: `fn(t)`.  Exits 0 on success, 1 on failure, 77 when the
 * npm clients are not installed.  Never hangs: a watchdog fails the test.
 */
export async function scenario(name, fn) {
  const t = new Context(name);
  let failure = null;

  const watchdog = setTimeout(() => {
    console.log(`FAIL ${name}: watchdog: scenario still running after ${WATCHDOG_MS} ms (step: ${t.currentStep})`);
    for (const s of t.servers) {
      console.log(s.tail());
      s.kill();
    }
    process.exit(1);
  }, WATCHDOG_MS);

  process.on('unhandledRejection', (e) => {
    t.log(`unhandled rejection: ${e && e.stack ? e.stack : e}`);
  });

  try {
    await loadLibs();
    await fn(t);
  } catch (e) {
    failure = e;
  }

  // Cleanup: clients first, then servers (graceful stop is part of the test).
  for (const c of t.cleanups.reverse()) {
    try {
      await c();
    } catch {
      /* ignore */
    }
  }
  if (failure) {
    // Let a crashed crier's exit status arrive so the report can show it.
    await Promise.race([Promise.all(t.servers.map((s) => s.exited)), sleep(300)]);
    for (const s of t.servers) s.notes = s.tail();
  }
  for (const s of t.servers) {
    try {
      if (!failure) await s.stop();
    } catch (e) {
      failure = failure || e;
    } finally {
      s.kill();
    }
  }
  clearTimeout(watchdog);

  if (failure) {
    const msg = failure instanceof InteropFailure ? failure.message : failure.stack || String(failure);
    console.log(`FAIL ${name} (step: ${t.currentStep}):\n  ${msg}`);
    for (const s of t.servers) console.log(s.notes || s.tail());
    process.exit(1);
  }
  console.log(`PASS ${name}`);
  process.exit(0);
}
