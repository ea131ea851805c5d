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

import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, rmSync, writeFileSync, accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, inspect } from 'node:util';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const HOST = '127.0.0.1';
export const WAIT_MS = Number(process.env.INTEROP_WAIT_MS || 10000);
const WATCHDOG_MS = Number(process.env.INTEROP_WATCHDOG_MS || 55000);
const SKIP = 77;

/* ------------------------------------------------------------------ */
/* Failures and assertions                                            */
/* ------------------------------------------------------------------ */

export class InteropFailure extends Error {}

export function fail(message) {
  throw new InteropFailure(message);
}

export function show(v) {
  if (typeof v === 'string') return JSON.stringify(v);
  return inspect(v, { depth: 8, breakLength: 160 });
}

export function check(cond, message) {
  if (!cond) fail(message);
}

export function checkEqual(actual, expected, what) {
  if (!isDeepStrictEqual(actual, expected))
    fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/** Resolve a promise or fail with `what` after `ms`. */
export function within(promise, what, ms = WAIT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new InteropFailure(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` (sync or async) until it returns a truthy value. */
export async function until(fn, what, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

/* ------------------------------------------------------------------ */
/* npm libraries                                                      */
/* ------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------ */
/* Apps and configuration                                             */
/* ------------------------------------------------------------------ */

/** The default app Crier creates without --config (no PUSHER_APP_* in the environment). */
export const DEFAULT_APP = Object.freeze({ id: 'app-id', key: 'app-key', secret: 'app-secret' });

/**
 * Build a GLib key file.  `server` is an object of [server] keys, `apps` an
 * array of {id, key, secret, ...settings}; setting names are written as
 * given (use the config spelling, e.g. 'client-events'); `webhooks` an array
 * of {name, app, url, events, headers} ([webhook:NAME] sections).
 */
export function keyFile({ server = {}, apps = [], webhooks = [] } = {}) {
  const lines = [];
  const val = (v) => (typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v));
  lines.push('[server]');
  for (const [k, v] of Object.entries(server)) lines.push(`${k}=${val(v)}`);
  for (const app of apps) {
    lines.push('', `[app:${app.id}]`);
    for (const [k, v] of Object.entries(app)) {
      if (k === 'id') continue;
      lines.push(`${k}=${val(v)}`);
    }
  }
  // [webhook:NAME] sections after the apps they name: {name, app, url, events: [...], headers: [...]}.
  for (const hook of webhooks) {
    lines.push('', `[webhook:${hook.name}]`);
    for (const [k, v] of Object.entries(hook)) {
      if (k === 'name') continue;
      lines.push(`${k}=${Array.isArray(v) ? v.join(';') : val(v)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** An app definition with the defaults of the contract, overridable. */
export function app(id, settings = {}) {
  return { id, key: `${id}-key`, secret: `${id}-secret`, 'client-events': true, ...settings };
}

/* ------------------------------------------------------------------ */
/* The crier process                                                  */
/* ------------------------------------------------------------------ */

function crierBinary() {
  let bin = process.env.CRIER_BIN;
  if (!bin) {
    const guess = join(HERE, '..', '..', 'build', 'src', 'crier');
    if (existsSync(guess)) bin = guess;
  }
  if (!bin) fail('CRIER_BIN is not set (meson sets it; for a manual run: CRIER_BIN=build/src/crier node tests/interop/<test>.mjs)');
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    fail(`CRIER_BIN=${bin} is not an executable file`);
  }
  return bin;
}

class CrierServer {
  constructor(ctx, opts) {
    this.ctx = ctx;
    this.opts = opts;
    this.apps = opts.apps || [DEFAULT_APP];
    this.stdout = '';
    this.stderr = '';
    this.exit = null; // {code, signal}
    this.stopped = false;
  }

  async start() {
    const bin = crierBinary();
    const args = ['--server', '--host', HOST, '--port', String(this.opts.port ?? 0)];
    if (this.opts.config !== undefined) {
      this.dir = mkdtempSync(join(tmpdir(), 'crier-interop-'));
      this.configPath = join(this.dir, 'crier.conf');
      const text = typeof this.opts.config === 'string' ? this.opts.config : keyFile(this.opts.config);
      writeFileSync(this.configPath, text);
      args.push('--config', this.configPath);
      this.configText = text;
    }
    if (this.opts.extraArgs) args.push(...this.opts.extraArgs);

    // A deterministic environment: no PUSHER_APP_* unless the scenario asks.
    const env = { ...process.env };
    for (const k of ['PUSHER_APP_ID', 'PUSHER_APP_KEY', 'PUSHER_APP_SECRET']) delete env[k];
    // The default webhook journal lives under XDG_DATA_HOME: one per scenario, so scenarios
    // running in parallel never share one (a second server is refused its journal).
    this.ctx.dataHome ??= this.ctx.tempDir();
    env.XDG_DATA_HOME = this.ctx.dataHome;
    Object.assign(env, this.opts.env || {});

    this.args = args;
    this.ctx.log(`starting ${bin} ${args.join(' ')}`);
    this.proc = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    this.proc.on('error', (err) => {
      this.spawnError = err;
    });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (d) => (this.stderr += d));
    this.proc.stdout.setEncoding('utf8');

    const listening = new Promise((resolve, reject) => {
      this.proc.stdout.on('data', (d) => {
        this.stdout += d;
        const m = /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(this.stdout);
        if (m) resolve(Number(m[1]));
      });
      this.exited.then((e) =>
        reject(new InteropFailure(`crier exited (code ${e.code}, signal ${e.signal}) before printing "listening on ws://127.0.0.1:<port>"`)),
      );
    });
    this.port = await within(listening, 'crier to print "listening on ws://127.0.0.1:<port>" on stdout');
    check(this.port > 0, `crier reported port ${this.port}`);
    this.ctx.log(`crier listening on port ${this.port} (pid ${this.proc.pid})`);
    return this;
  }

  /** The app with this id (or the first app). */
  app(id) {
    if (id === undefined) return this.apps[0];
    const a = this.apps.find((x) => x.id === id);
    if (!a) fail(`harness: no app ${id}`);
    return a;
  }

  wsUrl(key, query = 'protocol=7&client=js&version=8.6.0&flash=false', path = null) {
    return `ws://${HOST}:${this.port}${path ?? `/app/${key}`}${query === null ? '' : `?${query}`}`;
  }

  /** A pusher server SDK client for `app` (id string or app object). */
  async api(appOrId, extra = {}) {
    const { PusherServer } = await loadLibs();
    const a = typeof appOrId === 'object' ? appOrId : this.app(appOrId);
    return new PusherServer({
      appId: a.id,
      key: a.key,
      secret: a.secret,
      host: HOST,
      port: String(this.port),
      useTLS: false,
      timeout: WAIT_MS,
      ...extra,
    });
  }

  /**
   * The --verbose monitor lines printed so far (text or --log-format=json),
   * parsed as {kind, app_id, event, code, count, message, data, line};
   * only those of `kind` when given.
   */
  monitor(kind) {
    const out = [];
    for (const line of this.stdout.split('\n')) {
      let m;
      if (line.startsWith('{')) {
        try {
          m = JSON.parse(line);
        } catch {
          continue;
        }
        if (typeof m.kind !== 'string') continue;
      } else {
        const r = /^\d\d:\d\d:\d\d\.\d{3} (\w+)\s+(?:app=(\S+))?(?: socket=\S+)?(?: channel=\S+)?(?: event=(\S+))?(?: user=\S+)?(?: remote=\S+)?(?: code=(-?\d+))?(?: count=(\d+))?(?: — (.*?))?(?: data=(.*))?$/.exec(line);
        if (!r) continue;
        m = { kind: r[1], app_id: r[2], event: r[3], code: r[4] && Number(r[4]), count: r[5] && Number(r[5]), message: r[6], data: r[7] };
        // "— <message> — why: <explanation>" (or only "— why: …" without a message).
        const why = m.message === undefined ? -1 : m.message.startsWith('why: ') ? 0 : m.message.indexOf(' — why: ');
        if (why === 0) [m.message, m.explanation] = [undefined, m.message.slice('why: '.length)];
        else if (why > 0) [m.message, m.explanation] = [m.message.slice(0, why), m.message.slice(why + ' — why: '.length)];
      }
      m.line = line;
      if (kind === undefined || m.kind === kind) out.push(m);
    }
    return out;
  }

  /**
   * Wait for a monitor line of `kind` satisfying `pred(line, index among the
   * lines of that kind)` (see monitor()); returns it.  The failure names
   * `what` and shows the lines of that kind seen so far.
   */
  async waitMonitor(kind, pred = () => true, what = `a ${kind} monitor line`, ms = WAIT_MS) {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.monitor(kind).find(pred);
      if (found) return found;
      if (this.exit) fail(`crier exited (code ${this.exit.code}, signal ${this.exit.signal}) while waiting for ${what}`);
      if (Date.now() > deadline) {
        const seen = this.monitor(kind).map((l) => l.line).join('\n    ') || 'none';
        fail(`timed out after ${ms} ms waiting for ${what}; ${kind} lines so far:\n    ${seen}`);
      }
      await sleep(20);
    }
  }

  /** GET /metrics (on the main port): {name or name{labels}: number}. */
  async metrics() {
    const res = await within(fetch(`http://${HOST}:${this.port}/metrics`), 'GET /metrics');
    const text = await res.text();
    check(res.status === 200, `GET /metrics: expected HTTP 200, got ${res.status} ${show(text)}`);
    const out = {};
    for (const line of text.split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
      if (m) out[m[1]] = Number(m[2]);
    }
    return out;
  }

  /** Send a signal and wait for the exit; returns {code, signal}. */
  async signal(sig = 'SIGTERM', ms = WAIT_MS) {
    if (this.exit) return this.exit;
    this.signalled = sig;
    this.proc.kill(sig);
    return within(this.exited, `crier to exit after ${sig}`, ms);
  }

  /** SIGTERM; fail unless crier exits with status 0. */
  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    if (this.exit) {
      fail(`crier exited on its own before the end of the scenario (code ${this.exit.code}, signal ${this.exit.signal})`);
    }
    const e = await this.signal('SIGTERM');
    if (e.code !== 0)
      fail(`crier did not exit 0 after SIGTERM: code ${e.code}, signal ${e.signal}`);
    this.ctx.log('crier exited 0 after SIGTERM');
  }

  kill() {
    if (!this.exit && this.proc) this.proc.kill('SIGKILL');
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  tail() {
    const t = (s) => s.split('\n').slice(-40).join('\n');
    let note = '';
    if (this.exit && !this.signalled && !this.stopped)
      note += `\n--- NOTE: crier exited by itself during the scenario (code ${this.exit.code}, signal ${this.exit.signal})`;
    if (!this.signalled && /shutting down/.test(this.stderr))
      note += '\n--- NOTE: crier logged a shutdown although the harness sent no signal yet (a signal from outside the test?)';
    return `${note ? `${note.slice(1)}\n` : ""}--- crier ${this.args?.join(' ')}${this.configText ? `\n--- config:\n${this.configText}` : ''}\n--- stdout (tail):\n${t(this.stdout)}\n--- stderr (tail):\n${t(this.stderr)}`;
  }
}

/* ------------------------------------------------------------------ */
/* Raw WebSocket client (exact frames and close codes)                 */
/* ------------------------------------------------------------------ */

export class RawClient {
  constructor(ctx, ws, label) {
    this.ctx = ctx;
    this.ws = ws;
    this.label = label;
    this.frames = []; // {text, json, binary}
    this.cursor = 0;
    this.waiters = [];
    this.closeInfo = null;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.wake();
      });
    });
    this.opened = new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('unexpected-response', (req, res) =>
        reject(new InteropFailure(`${label}: HTTP ${res.statusCode} instead of a WebSocket upgrade`)),
      );
      ws.on('error', (err) => {
        this.error = err;
        reject(new InteropFailure(`${label}: WebSocket error: ${err.message}`));
        this.wake();
      });
    });
    this.opened.catch(() => {});
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? null : data.toString();
      let json;
      if (!isBinary) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      this.frames.push({ text, json, binary: isBinary });
      this.wake();
    });
  }

  wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  changed() {
    return new Promise((r) => this.waiters.push(r));
  }

  send(obj) {
    this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  }

  /** All frames received so far, as JSON (or {text} when not JSON). */
  dump(from = 0) {
    return this.frames.slice(from).map((f) => (f.binary ? '<binary>' : f.text)).join('\n    ');
  }

  /**
   * Wait for the next frame (from the cursor) satisfying `pred(json, frame)`.
   * Frames before it are skipped.  Returns the parsed JSON.
   */
  async waitFor(pred, what, ms = WAIT_MS) {
    const deadline = Date.now() + ms;
    for (;;) {
      for (let i = this.cursor; i < this.frames.length; i++) {
        const f = this.frames[i];
        if (f.json !== undefined && pred(f.json, f)) {
          this.cursor = i + 1;
          return f.json;
        }
      }
      if (this.closeInfo)
        fail(`${this.label}: connection closed (code ${this.closeInfo.code}, reason ${show(this.closeInfo.reason)}) while waiting for ${what}; frames:\n    ${this.dump()}`);
      const left = deadline - Date.now();
      if (left <= 0)
        fail(`${this.label}: timed out after ${ms} ms waiting for ${what}; frames received:\n    ${this.dump()}`);
      await Promise.race([this.changed(), sleep(Math.min(left, 200))]);
    }
  }

  /** Wait for a frame with this event name (and channel, if given). */
  waitEvent(event, channel, ms) {
    return this.waitFor(
      (j) => j.event === event && (channel === undefined || j.channel === channel),
      `event ${show(event)}${channel !== undefined ? ` on ${show(channel)}` : ''}`,
      ms,
    );
  }

  /** The very next frame, whatever it is. */
  async nextFrame(what, ms = WAIT_MS) {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.cursor < this.frames.length) return this.frames[this.cursor++];
      if (this.closeInfo) return null;
      const left = deadline - Date.now();
      if (left <= 0) fail(`${this.label}: timed out after ${ms} ms waiting for ${what}`);
      await Promise.race([this.changed(), sleep(Math.min(left, 200))]);
    }
  }

  /** Frames (JSON) received since index `from` matching pred. */
  since(from, pred = () => true) {
    return this.frames.slice(from).filter((f) => f.json !== undefined && pred(f.json)).map((f) => f.json);
  }

  mark() {
    return this.frames.length;
  }

  async waitClose(what = 'the server to close the connection', ms = WAIT_MS) {
    return within(this.closed, `${this.label}: ${what}; frames received:\n    ${this.dump()}`, ms);
  }

  /** Subscribe and wait for subscription_succeeded (fail on pusher:error). */
  async subscribe(channel, auth = '', channelData) {
    const data = { auth, channel };
    if (channelData !== undefined) data.channel_data = channelData;
    const from = this.mark();
    this.send({ event: 'pusher:subscribe', data });
    const f = await this.waitFor(
      (j) => (j.event === 'pusher_internal:subscription_succeeded' && j.channel === channel) || j.event === 'pusher:error',
      `subscription_succeeded on ${channel}`,
    );
    if (f.event === 'pusher:error')
      fail(`${this.label}: subscribing to ${channel} failed: ${show(f)}; frames since subscribe:\n    ${this.dump(from)}`);
    return f;
  }

  close() {
    try {
      this.ws.terminate();
    } catch {
      /* ignore */
    }
  }
}

/* ------------------------------------------------------------------ */
/* Scenario context                                                   */
/* ------------------------------------------------------------------ */

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

  /** Open a raw ws connection (does not wait for anything but the upgrade). */
  async raw(server, { key, query, path, label, origin, headers, autoPong = true } = {}) {
    const { WebSocket } = await loadLibs();
    const k = key ?? server.app().key;
    const url = server.wsUrl(k, query, path);
    const ws = new WebSocket(url, { origin, headers, autoPong, handshakeTimeout: WAIT_MS });
    const c = new RawClient(this, ws, label || `ws ${url.replace(/^ws:\/\/[^/]+/, '')}`);
    this.defer(() => c.close());
    await c.opened;
    return c;
  }

  /** Open a raw connection and wait for pusher:connection_established. */
  async connect(server, opts = {}) {
    const c = await this.raw(server, opts);
    const f = await c.nextFrame('pusher:connection_established');
    if (!f) fail(`${c.label}: closed (${show(c.closeInfo)}) instead of sending pusher:connection_established`);
    check(f.json && f.json.event === 'pusher:connection_established',
      `${c.label}: first frame should be pusher:connection_established, got ${show(f.text)}`);
    check(typeof f.json.data === 'string',
      `${c.label}: connection_established data must be a JSON string, got ${show(f.json.data)}`);
    let inner;
    try {
      inner = JSON.parse(f.json.data);
    } catch {
      fail(`${c.label}: connection_established data is not JSON text: ${show(f.json.data)}`);
    }
    check(typeof inner.socket_id === 'string' && /^\d+\.\d+$/.test(inner.socket_id),
      `${c.label}: socket_id must be a string matching ^\\d+\\.\\d+$, got ${show(inner.socket_id)}`);
    check(typeof inner.activity_timeout === 'number' && inner.activity_timeout > 0,
      `${c.label}: activity_timeout must be a positive number, got ${show(inner.activity_timeout)}`);
    c.socketId = inner.socket_id;
    c.established = inner;
    c.label = `${c.label} [${inner.socket_id}]`;
    return c;
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
    const { Pusher } = await loadLibs();
    const a = opts.app ? (typeof opts.app === 'object' ? opts.app : server.app(opts.app)) : server.app();
    if (opts.wsHeaders !== undefined) pusherJsWebSocketHeaders(Pusher, a.key, opts.wsHeaders);
    const signer = await server.api({ ...a, secret: opts.secret ?? a.secret }, opts.masterKey ? { encryptionMasterKeyBase64: opts.masterKey } : {});
    const authCalls = [];
    const client = new Pusher(a.key, {
      ...pusherJsOptions(server),
      channelAuthorization: {
        customHandler: (params, callback) => {
          authCalls.push(params);
          try {
            const isPresence = params.channelName.startsWith('presence-');
            callback(null, signer.authorizeChannel(params.socketId, params.channelName, isPresence ? opts.user : undefined));
          } catch (e) {
            callback(e, null);
          }
        },
      },
      userAuthentication: {
        customHandler: (params, callback) => {
          try {
            callback(null, signer.authenticateUser(params.socketId, opts.signin));
          } catch (e) {
            callback(e, null);
          }
        },
      },
      ...(opts.options || {}),
    });
    client.authCalls = authCalls;
    client.errors = [];
    client.connection.bind('error', (e) => client.errors.push(e));
    const label = opts.label || 'pusher-js';
    this.defer(() => client.disconnect());
    if (opts.waitConnected === false) return client;
    await within(
      new Promise((resolve) => {
        if (client.connection.state === 'connected') resolve();
        client.connection.bind('connected', resolve);
      }),
      `${label} to reach state "connected" (state now: ${client.connection.state})`,
    );
    this.log(`${label} connected as ${client.connection.socket_id}`);
    return client;
  }

  /** A temporary directory, removed when the process exits (after crier stopped). */
  tempDir() {
    const dir = mkdtempSync(join(tmpdir(), 'crier-interop-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** A listening WebhookReceiver, closed at the end of the scenario. */
  async webhookReceiver(label = 'receiver') {
    const { PusherServer } = await loadLibs();
    const r = new WebhookReceiver(this, label, PusherServer);
    this.defer(() => r.close());
    await r.up();
    return r;
  }

  /** A laravel-echo instance (pusher broadcaster) wired like pusherJs(). */
  async echo(server, opts = {}) {
    const { Pusher, Echo } = await loadLibs();
    const a = opts.app ? server.app(opts.app) : server.app();
    const signer = await server.api(a);
    const echo = new Echo({
      broadcaster: 'pusher',
      key: a.key,
      Pusher,
      ...pusherJsOptions(server),
      channelAuthorization: {
        customHandler: (params, callback) => {
          try {
            const isPresence = params.channelName.startsWith('presence-');
            callback(null, signer.authorizeChannel(params.socketId, params.channelName, isPresence ? opts.user : undefined));
          } catch (e) {
            callback(e, null);
          }
        },
      },
      ...(opts.options || {}),
    });
    this.defer(() => echo.disconnect());
    const label = opts.label || 'echo';
    await within(
      new Promise((resolve) => {
        if (echo.connector.pusher.connection.state === 'connected') resolve();
        echo.connector.pusher.connection.bind('connected', resolve);
      }),
      `${label} to connect`,
    );
    this.log(`${label} connected as ${echo.socketId()}`);
    return echo;
  }
}

/*
 * pusher-js in node opens its WebSocket with faye-websocket's Client(url),
 * without options, so it sends no Origin header (a browser always does).
 * This wraps the Runtime's createWebSocket (the one place pusher-js makes
 * its socket) so that the connections to `/app/<key>` carry `headers`;
 * the rest of pusher-js (handshake, protocol, error handling) is untouched.
 * Keyed by app key: the latest call for a key wins; null removes it.
 */
const wsHeadersByKey = new Map();
export function pusherJsWebSocketHeaders(Pusher, key, headers) {
  const runtime = Pusher.Runtime;
  if (!runtime.crierHeadersHook) {
    const Client = runtime.getWebSocketAPI();
    const original = runtime.createWebSocket;
    runtime.createWebSocket = function (url) {
      const m = /\/app\/([^/?]+)/.exec(url);
      const h = m && wsHeadersByKey.get(decodeURIComponent(m[1]));
      return h ? new Client(url, [], { headers: h }) : original.call(this, url);
    };
    runtime.crierHeadersHook = true;
  }
  if (headers) wsHeadersByKey.set(key, headers);
  else wsHeadersByKey.delete(key);
}

export function pusherJsOptions(server) {
  return {
    cluster: 'mt1',
    wsHost: HOST,
    wsPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
  };
}

/**
 * Round trip on a pusher-js connection (pusher:ping → pusher:pong): every
 * frame the client sent before has been processed by the server.
 */
export function roundTrip(pusher, what = 'pusher:pong') {
  const p = new Promise((resolve) => {
    const f = (m) => {
      if (m && m.event === 'pusher:pong') {
        pusher.connection.unbind('message', f);
        resolve();
      }
    };
    pusher.connection.bind('message', f);
  });
  pusher.send_event('pusher:ping', {});
  return within(p, what);
}

/** Wait for a pusher-js channel to be subscribed (or fail on error). */
export function subscribed(channel, what) {
  return within(
    new Promise((resolve, reject) => {
      if (channel.subscribed) return resolve(channel);
      channel.bind('pusher:subscription_succeeded', (data) => resolve(data));
      channel.bind('pusher:subscription_error', (e) =>
        reject(new InteropFailure(`subscription_error on ${channel.name}: ${show(e)}`)),
      );
    }),
    what || `pusher-js subscription to ${channel.name}`,
  );
}

/** Collect every event bound on a pusher-js channel (or any emitter). */
export function collect(emitter, eventName) {
  const got = [];
  got.waiters = [];
  emitter.bind(eventName, (data, metadata) => {
    got.push({ data, metadata });
    const w = got.waiters;
    got.waiters = [];
    w.forEach((f) => f());
  });
  got.next = async (n, what, ms = WAIT_MS) => {
    await within(
      (async () => {
        while (got.length < n) await new Promise((r) => got.waiters.push(r));
      })(),
      `${what} (have ${got.length} of ${n}: ${show(got)})`,
      ms,
    );
    return got[n - 1];
  };
  return got;
}

/**
 * A callback that records its calls: pass `rec` where a callback is expected,
 * then `await rec.next(n, what)` for the n-th call's arguments.
 */
export function recorder() {
  const calls = [];
  let waiters = [];
  const rec = (...args) => {
    calls.push(args);
    const w = waiters;
    waiters = [];
    w.forEach((f) => f());
  };
  rec.calls = calls;
  rec.next = async (n, what, ms = WAIT_MS) => {
    await within(
      (async () => {
        while (calls.length < n) await new Promise((r) => waiters.push(r));
      })(),
      `${what} (have ${calls.length} of ${n} calls: ${show(calls)})`,
      ms,
    );
    return calls[n - 1];
  };
  return rec;
}

/** Fetch JSON from an SDK response, checking status 200. */
export async function jsonOk(resPromise, what) {
  let res;
  try {
    res = await resPromise;
  } catch (e) {
    fail(`${what}: request failed: ${e.message}${e.status ? ` (status ${e.status}, body ${show(e.body)})` : ''}`);
  }
  const text = await res.text();
  check(res.status === 200, `${what}: expected HTTP 200, got ${res.status} ${show(text)}`);
  try {
    return JSON.parse(text);
  } catch {
    fail(`${what}: body is not JSON: ${show(text)}`);
  }
}

/** Await an SDK call that must fail; returns the RequestError. */
export async function apiError(resPromise, what) {
  try {
    const res = await resPromise;
    fail(`${what}: expected an HTTP error, got ${res.status} ${show(await res.text())}`);
  } catch (e) {
    if (e instanceof InteropFailure) throw e;
    if (!e.status) fail(`${what}: request failed without an HTTP status: ${e.message}`);
    return e;
  }
}

/* ------------------------------------------------------------------ */
/* Webhook receiver                                                   */
/* ------------------------------------------------------------------ */

/** The members of each webhook event kind (pusher-protocol.md §15.4); client_event adds user_id on presence-. */
export const WEBHOOK_FIELDS = Object.freeze({
  channel_occupied: ['channel', 'name'],
  channel_vacated: ['channel', 'name'],
  cache_miss: ['channel', 'name'],
  member_added: ['channel', 'name', 'user_id'],
  member_removed: ['channel', 'name', 'user_id'],
  client_event: ['channel', 'data', 'event', 'name', 'socket_id'],
  subscription_count: ['channel', 'name', 'subscription_count'],
});

/**
 * A local HTTP server that receives crier's webhooks and checks every request
 * as a Pusher webhook receiver would: POST, Content-Type exactly
 * application/json, X-Pusher-Key, X-Pusher-Signature (HMAC-SHA256 hex of the
 * raw body with the app secret, and the pusher SDK's webhook().isValid()),
 * the custom headers of the path, and the body shape {time_ms, events:[…]}.
 * Violations are collected in `problems` (waitFor() fails on the first).
 *
 * Each request is answered by the next entry of `plan` (an HTTP status or
 * 'hang': never answered, or 'hold': answered by release()), else 200.  down() closes the listener (later
 * attempts are refused), up() listens again on the same port.
 */
export class WebhookReceiver {
  constructor(ctx, label, PusherServer) {
    this.ctx = ctx;
    this.label = label;
    this.PusherServer = PusherServer;
    this.paths = new Map(); // path → {app, headers}
    this.requests = []; // {n, method, path, headers, body, json, at, answer, closedAt, problems}
    this.problems = [];
    this.plan = [];
    this.hanging = new Set();
    this.held = []; // {r, res} answered by release()
    this.port = 0;
    this.listening = false;
  }

  /** Accept webhooks of `app` ({id, key, secret}) on `path`, with these custom headers; returns the URL. */
  expect(path, app, headers = {}) {
    this.paths.set(path, { app, headers, sdk: new this.PusherServer({ appId: app.id, key: app.key, secret: app.secret }) });
    return this.url(path);
  }

  url(path) {
    return `http://${HOST}:${this.port}${path}`;
  }

  async up() {
    if (this.listening) return;
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 30000;
    await within(new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: HOST, port: this.port }, resolve);
    }), `${this.label} to listen on port ${this.port}`);
    this.port = this.server.address().port;
    this.listening = true;
    this.ctx.log(`${this.label} listening on ${HOST}:${this.port}`);
  }

  /** Stop listening: connections are refused until up(); open connections are closed. */
  async down() {
    if (!this.listening) return;
    this.listening = false;
    const server = this.server;
    const closed = new Promise((resolve) => server.close(resolve));
    for (const res of this.hanging) res.socket?.destroy();
    this.hanging.clear();
    server.closeIdleConnections();
    await within(closed, `${this.label} to close its listener and connections`);
    this.ctx.log(`${this.label} down (connections to port ${this.port} are refused)`);
  }

  close() {
    this.listening = false;
    for (const res of this.hanging) res.socket?.destroy();
    this.hanging.clear();
    if (this.server) {
      this.server.close();
      this.server.closeAllConnections();
    }
  }

  handle(req, res) {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const r = { n: this.requests.length + 1, method: req.method, path: req.url, headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), answer: null, closedAt: null, problems: [] };
      this.verify(r);
      this.requests.push(r);
      req.socket.once('close', () => (r.closedAt = Date.now()));
      const action = this.plan.length > 0 ? this.plan.shift() : 200;
      r.answer = action;
      const summary = r.json ? r.json.events?.map((e) => `${e.name}:${e.channel}${e.user_id ? `:${e.user_id}` : ''}`).join(',') : r.body;
      this.ctx.log(`  ${this.label} #${r.n} ${r.method} ${r.path} → ${action}: ${summary}`);
      if (action === 'hold') {
        this.held.push({ r, res });
        return;
      }
      if (action === 'hang') {
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      }
      // A listener that is down closes its connections once the answer is out.
      res.on('finish', () => {
        if (!this.listening) res.socket?.destroy();
      });
      res.writeHead(action, { 'Content-Type': 'text/plain' });
      res.end(action < 300 ? 'ok' : 'failing on purpose');
    });
  }

  /** Answer every request held by a 'hold' in the plan with `status` (recorded as its answer). */
  release(status = 200) {
    const held = this.held;
    this.held = [];
    for (const { r, res } of held) {
      r.answer = status;
      this.ctx.log(`  ${this.label} #${r.n} ${r.path} released → ${status}`);
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(status < 300 ? 'ok' : 'failing on purpose');
    }
    return held.length;
  }

  verify(r) {
    const p = (msg) => {
      r.problems.push(msg);
      this.problems.push(`${this.label} request #${r.n} (${r.method} ${r.path}): ${msg}; headers ${show(r.headers)}; body ${show(r.body)}`);
    };
    if (r.method !== 'POST') p(`method ${r.method}, expected POST`);
    const target = this.paths.get(r.path);
    if (!target) p(`no webhook is configured for path ${r.path}`);
    else {
      const { app, headers, sdk } = target;
      if (r.headers['content-type'] !== 'application/json')
        p(`Content-Type ${show(r.headers['content-type'])}, expected exactly "application/json"`);
      if (r.headers['x-pusher-key'] !== app.key) p(`X-Pusher-Key ${show(r.headers['x-pusher-key'])}, expected ${show(app.key)}`);
      const sig = createHmac('sha256', app.secret).update(Buffer.from(r.body, 'utf8')).digest('hex');
      if (r.headers['x-pusher-signature'] !== sig)
        p(`X-Pusher-Signature ${show(r.headers['x-pusher-signature'])}, expected HMAC-SHA256(secret of ${app.id}, body) = ${sig}`);
      else if (!sdk.webhook({ headers: r.headers, rawBody: r.body }).isValid())
        p('the pusher SDK\'s webhook().isValid() refuses the request');
      for (const [k, v] of Object.entries(headers))
        if (r.headers[k.toLowerCase()] !== v) p(`custom header ${k}: ${show(r.headers[k.toLowerCase()])}, expected ${show(v)}`);
    }
    let body;
    try {
      body = JSON.parse(r.body);
    } catch {
      return p('body is not JSON');
    }
    r.json = body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return p('body is not a JSON object');
    if (!isDeepStrictEqual(Object.keys(body).sort(), ['events', 'time_ms'])) p(`body members ${show(Object.keys(body))}, expected events and time_ms`);
    if (!Number.isInteger(body.time_ms) || body.time_ms < 1e12 || body.time_ms > Date.now() + 1000)
      p(`time_ms ${show(body.time_ms)} is not a Unix time in milliseconds (now ${Date.now()})`);
    if (!Array.isArray(body.events) || body.events.length === 0) return p('events must be a non-empty array');
    for (const e of body.events) {
      const fields = e && WEBHOOK_FIELDS[e.name];
      if (!fields) {
        p(`unknown event ${show(e)}`);
        continue;
      }
      const want = e.name === 'client_event' && String(e.channel).startsWith('presence-') ? [...fields, 'user_id'].sort() : fields;
      if (!isDeepStrictEqual(Object.keys(e).sort(), want)) p(`${e.name} members ${show(Object.keys(e).sort())}, expected ${show(want)}: ${show(e)}`);
      for (const k of ['channel', 'user_id', 'event', 'data', 'socket_id'])
        if (k in e && (typeof e[k] !== 'string' || e[k] === '')) p(`${e.name}.${k} must be a non-empty string: ${show(e)}`);
      if ('socket_id' in e && !/^\d+\.\d+$/.test(e.socket_id)) p(`socket_id ${show(e.socket_id)}`);
      if ('subscription_count' in e && !Number.isInteger(e.subscription_count)) p(`subscription_count must be an integer: ${show(e)}`);
    }
  }

  /** Requests on `path` that were answered 2xx (successful deliveries), in arrival order. */
  delivered(path) {
    return this.requests.filter((r) => r.path === path && typeof r.answer === 'number' && r.answer < 300);
  }

  /** The events of every successful delivery on `path`, in order. */
  events(path) {
    return this.delivered(path).flatMap((r) => r.json?.events || []);
  }

  assertClean() {
    if (this.problems.length > 0) fail(`${this.problems.length} malformed webhook request(s):\n  ${this.problems.join('\n  ')}`);
  }

  /** Poll `fn` until truthy; fails at once on a malformed request. */
  async waitFor(fn, what, ms = WAIT_MS) {
    const deadline = Date.now() + ms;
    for (;;) {
      this.assertClean();
      const v = await fn();
      if (v) return v;
      if (Date.now() > deadline) {
        const got = this.requests.map((r) => `#${r.n} ${r.path} → ${r.answer}: ${r.body}`).join('\n    ') || 'nothing';
        fail(`timed out after ${ms} ms waiting for ${what}; ${this.label} got:\n    ${got}`);
      }
      await sleep(20);
    }
  }

  /** Wait until `path` has `n` successfully delivered events; returns them all. */
  async waitEvents(path, n, what, ms = WAIT_MS) {
    await this.waitFor(() => this.events(path).length >= n, `${n} webhook events on ${path}: ${what}`, ms);
    return this.events(path);
  }
}

/* ------------------------------------------------------------------ */
/* Entry point                                                        */
/* ------------------------------------------------------------------ */

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
