// webhooks.mjs — a local receiver for crier's webhooks that checks every request
// as a Pusher webhook receiver would.
//
// Part of the interop harness (see ../harness.mjs); node: built-ins only at load time.

import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { isDeepStrictEqual } from 'node:util';

import { HOST, WAIT_MS, fail, show, sleep, within } from './checks.mjs';
import { loadLibs } from './libs.mjs';

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

/** t.webhookReceiver(): a listening WebhookReceiver, closed at the end of the scenario. */
export async function webhookReceiver(ctx, label = 'receiver') {
  const { PusherServer } = await loadLibs();
  const r = new WebhookReceiver(ctx, label, PusherServer);
  ctx.defer(() => r.close());
  await r.up();
  return r;
}
