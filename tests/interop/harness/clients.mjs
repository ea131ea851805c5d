// clients.mjs — the clients a scenario drives: raw `ws` connections that
// record every frame, pusher-js and laravel-echo authorised with the pusher SDK, and
// the helpers that wait on them.
//
// Part of the interop harness (see ../harness.mjs); node: built-ins only at load time.

import { HOST, WAIT_MS, InteropFailure, check, fail, show, sleep, within } from './checks.mjs';
import { loadLibs } from './libs.mjs';

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

/** t.raw() (scenario.mjs): a raw ws connection, waiting only for the upgrade. */
export async function rawClient(ctx, server, { key, query, path, label, origin, headers, autoPong = true } = {}) {
  const { WebSocket } = await loadLibs();
  const k = key ?? server.app().key;
  const url = server.wsUrl(k, query, path);
  const ws = new WebSocket(url, { origin, headers, autoPong, handshakeTimeout: WAIT_MS });
  const c = new RawClient(ctx, ws, label || `ws ${url.replace(/^ws:\/\/[^/]+/, '')}`);
  ctx.defer(() => c.close());
  await c.opened;
  return c;
}

/** t.connect(): a raw connection that got its pusher:connection_established. */
export async function connectedClient(ctx, server, opts = {}) {
  const c = await rawClient(ctx, server, opts);
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

/** t.pusherJs(): a connected pusher-js client (its options are documented there). */
export async function pusherJsClient(ctx, server, opts = {}) {
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
  ctx.defer(() => client.disconnect());
  if (opts.waitConnected === false) return client;
  await within(
    new Promise((resolve) => {
      if (client.connection.state === 'connected') resolve();
      client.connection.bind('connected', resolve);
    }),
    `${label} to reach state "connected" (state now: ${client.connection.state})`,
  );
  ctx.log(`${label} connected as ${client.connection.socket_id}`);
  return client;
}

/** t.echo(): a connected laravel-echo instance. */
export async function echoClient(ctx, server, opts = {}) {
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
  ctx.defer(() => echo.disconnect());
  const label = opts.label || 'echo';
  await within(
    new Promise((resolve) => {
      if (echo.connector.pusher.connection.state === 'connected') resolve();
      echo.connector.pusher.connection.bind('connected', resolve);
    }),
    `${label} to connect`,
  );
  ctx.log(`${label} connected as ${echo.socketId()}`);
  return echo;
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
