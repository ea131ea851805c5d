// Auth failures explained (issue 6 §1, §5): a real pusher-js client makes each
// classic mistake — its auth endpoint (a channelAuthorization /
// userAuthentication customHandler signing with the pusher server SDK, as
// Laravel's /broadcasting/auth does) is configured with the wrong values —
// and the auth_failed line of `crier --verbose --log-format=json` must carry
// Pusher's message and the plain-words explanation, word for word: wrong
// secret (naming the app whose secret it is), key and secret swapped (both
// ways), the socket id of an earlier connection after a reconnect, a
// different channel name, an unknown key (and the secret or the app id used
// as the key), a forbidden Origin, and a sign-in signed with a foreign secret.
// The same explanation ends the text-mode line (" — why: …").

import { scenario, app, check, checkEqual, show, pusherJsOptions, loadLibs, recorder, roundTrip, within, subscribed } from './harness.mjs';

const ORDERS = app('orders');
const BILLING = app('billing');
const SHOP = app('shop', { 'allowed-origins': 'http://shop.test' });
const APPS = [ORDERS, BILLING, SHOP];

/** The JSON monitor line without its volatile members. */
function line(l) {
  const { time, line: _text, ...rest } = l;
  check(typeof time === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(time), `monitor line time ${show(time)}`);
  return rest;
}

scenario('explain-auth', async (t) => {
  const server = await t.crier({ config: { apps: APPS }, extraArgs: ['--verbose', '--log-format=json'] });
  const { PusherServer, Pusher } = await loadLibs();

  /**
   * A pusher-js client of ORDERS whose auth endpoint signs with an SDK
   * configured as `sdk` ({key, secret}); `tweak(params)` may change what
   * the endpoint signs ({socketId, channelName}).  Records every auth value.
   */
  async function misconfigured(label, sdk, tweak = (p) => p) {
    const signer = new PusherServer({ appId: ORDERS.id, key: sdk.key, secret: sdk.secret, host: '127.0.0.1', port: String(server.port) });
    const auths = [];
    const client = await t.pusherJs(server, {
      app: ORDERS,
      label,
      options: {
        channelAuthorization: {
          customHandler: (params, callback) => {
            const p = tweak({ ...params });
            const answer = signer.authorizeChannel(p.socketId, p.channelName);
            auths.push({ asked: params, signed: p, auth: answer.auth });
            callback(null, answer);
          },
        },
        userAuthentication: {
          customHandler: (params, callback) => {
            const p = tweak({ ...params });
            const answer = signer.authenticateUser(p.socketId, { id: '7', name: 'Ada' });
            auths.push({ asked: params, signin: true, auth: answer.auth, user_data: answer.user_data });
            callback(null, answer);
          },
        },
      },
    });
    client.auths = auths;
    client.errorRec = recorder();
    client.connection.bind('error', client.errorRec);
    return client;
  }

  /** pusher.signin(), expect pusher:error (4009) and the auth_failed line explained as `want` (or `want(user_data)`). */
  async function signinRefused(client, want) {
    const socket = client.connection.socket_id;
    const n = client.errorRec.calls.length;
    const signins = client.auths.filter((x) => x.signin).length;
    client.signin();
    const [err] = await client.errorRec.next(n + 1, 'pusher:error for pusher:signin');
    const a = client.auths.filter((x) => x.signin)[signins];
    check(a, 'the userAuthentication handler was called');
    const got = await server.waitMonitor('auth_failed', (l) => l.socket_id === socket && l.channel === undefined && l.code === 4009,
      `auth_failed (sign-in) for ${socket}`);
    const sig = a.auth.slice(a.auth.indexOf(':') + 1);
    const expected = { kind: 'auth_failed', app_id: ORDERS.id, socket_id: socket, code: 4009,
      message: `Connection is unauthorized: Invalid signature: Expected HMAC SHA256 hex digest of ${socket}::user::${a.user_data}, but got ${sig}`,
      explanation: typeof want === 'function' ? want(a.user_data) : want };
    checkEqual(line(got), expected, 'auth_failed line for pusher:signin');
    checkEqual(err.data, { code: 4009, message: expected.message }, 'pusher:error of the sign-in');
  }

  /** Subscribe, expect pusher:error and the auth_failed line; returns the line (checked against `want`). */
  async function refused(client, channel, want) {
    const socket = client.connection.socket_id;
    const n = client.errorRec.calls.length;
    const ch = client.subscribe(channel);
    const [err] = await client.errorRec.next(n + 1, `pusher:error for the subscription to ${channel}`);
    checkEqual(err.type, 'PusherError', 'pusher-js error type');
    checkEqual(ch.subscribed, false, `${channel} subscribed`);
    const got = await server.waitMonitor('auth_failed', (l) => l.socket_id === socket && l.channel === channel,
      `auth_failed for ${socket} on ${channel}`);
    const a = client.auths[client.auths.length - 1];
    const signature = a.auth.slice(a.auth.indexOf(':') + 1);
    const expected = { kind: 'auth_failed', app_id: ORDERS.id, socket_id: socket, channel, ...want(signature) };
    checkEqual(line(got), expected, `auth_failed line for ${channel}`);
    checkEqual(err.data, { code: null, message: expected.message }, 'pusher:error data seen by pusher-js');
    client.unsubscribe(channel);
    return got;
  }

  const invalidSignature = (socket, channel) => (sig) =>
    `Invalid signature: Expected HMAC SHA256 hex digest of ${socket}:${channel}, but got ${sig}`;

  t.step('wrong secret: the auth endpoint has the secret of app billing');
  const wrong = await misconfigured('pusher-js (secret of billing)', { key: ORDERS.key, secret: BILLING.secret });
  await refused(wrong, 'private-order.1', (sig) => ({
    message: invalidSignature(wrong.connection.socket_id, 'private-order.1')(sig),
    explanation: "Wrong secret: the signature was made with the secret of app 'billing' (key billing-key), not with the secret of app 'orders'. The app server's PUSHER_APP_SECRET belongs to the other app.",
  }));

  t.step('wrong secret on sign-in (userAuthentication) also names billing');
  await signinRefused(wrong, "Wrong secret: the signature was made with the secret of app 'billing' (key billing-key), not with the secret of app 'orders'. The app server's PUSHER_APP_SECRET belongs to the other app.");

  t.step('key and secret swapped in the SDK: the auth value starts with the secret');
  const swapped = await misconfigured('pusher-js (key/secret swapped)', { key: ORDERS.secret, secret: ORDERS.key });
  await refused(swapped, 'private-order.1', () => ({
    message: "Invalid key in subscription auth data: 'orders-secret'",
    explanation: "The key and the secret are swapped: the auth value starts with this app's secret instead of its key 'orders-key'.",
  }));

  t.step('the key used as the secret (PUSHER_APP_SECRET=<the key>)');
  const keyAsSecret = await misconfigured('pusher-js (key as secret)', { key: ORDERS.key, secret: ORDERS.key });
  await refused(keyAsSecret, 'private-order.1', (sig) => ({
    message: invalidSignature(keyAsSecret.connection.socket_id, 'private-order.1')(sig),
    explanation: "The key and the secret are swapped: the signature was made with the app key 'orders-key' as the secret. Check PUSHER_APP_KEY and PUSHER_APP_SECRET in the Laravel .env.",
  }));

  t.step('wrong channel: the endpoint signs private-orders.1 for private-order.1 (which another page uses)');
  const good = await t.pusherJs(server, { app: ORDERS, label: 'pusher-js (correct, on private-orders.1)' });
  await subscribed(good.subscribe('private-orders.1'));
  const typo = await misconfigured('pusher-js (signs another channel)', { key: ORDERS.key, secret: ORDERS.secret },
    (p) => ({ ...p, channelName: p.channelName === 'private-order.1' ? 'private-orders.1' : p.channelName === 'private-order.2' ? 'order.2' : p.channelName }));
  await refused(typo, 'private-order.1', (sig) => ({
    message: invalidSignature(typo.connection.socket_id, 'private-order.1')(sig),
    explanation: "The signature is for channel 'private-orders.1', not 'private-order.1': the app server signed a different channel name.",
  }));
  checkEqual(typo.auths.at(-1).signed.channelName, 'private-orders.1', 'the channel the endpoint signed');

  t.step('wrong channel: the endpoint signs the name without its private- prefix');
  await refused(typo, 'private-order.2', (sig) => ({
    message: invalidSignature(typo.connection.socket_id, 'private-order.2')(sig),
    explanation: "The signature is for channel 'order.2', not 'private-order.2': the app server signed a different channel name.",
  }));

  t.step('stale socket id: pusher-js reconnects, the endpoint signs for the previous connection');
  let staleId = null;
  const stale = await misconfigured('pusher-js (stale socket id)', { key: ORDERS.key, secret: ORDERS.secret },
    (p) => (staleId ? { ...p, socketId: staleId } : p));
  const first = stale.connection.socket_id;
  stale.disconnect();
  await server.waitMonitor('disconnected', (l) => l.socket_id === first, `the disconnected line of ${first}`);
  stale.connect();
  await within(new Promise((resolve) => stale.connection.bind('connected', resolve)), 'pusher-js to reconnect');
  const second = stale.connection.socket_id;
  check(second && second !== first, `reconnect gave a new socket id (${first} → ${second})`);
  t.log(`reconnected: ${first} → ${second}`);
  staleId = first;
  await refused(stale, 'private-order.1', (sig) => ({
    message: invalidSignature(second, 'private-order.1')(sig),
    explanation: `The signature is for socket ${first}, an earlier connection; this connection is ${second}. The page sent a stale socket_id to the auth endpoint (pusher-js reconnected in between, or the socket id was cached).`,
  }));
  checkEqual(stale.auths.at(-1).asked.socketId, second, 'socket id pusher-js gave the auth endpoint');

  t.step('stale socket id on sign-in (the user-auth endpoint signs for the previous connection)');
  await signinRefused(stale, `The sign-in signature is for socket ${first}, an earlier connection; this connection is ${second}.`);

  t.step('a signature matching nothing Crier knows');
  const unknownSecret = await misconfigured('pusher-js (unknown secret)', { key: ORDERS.key, secret: 'not-a-known-secret' });
  await refused(unknownSecret, 'private-order.1', (sig) => ({
    message: invalidSignature(unknownSecret.connection.socket_id, 'private-order.1')(sig),
    explanation: `Wrong secret: the signature was not made with the secret of app 'orders', nor for another socket or channel Crier knows. Check PUSHER_APP_SECRET in the Laravel .env against the app's secret on Crier's Apps page, then run 'php artisan config:clear' (a cached config keeps the old one). The app server had to sign '${unknownSecret.connection.socket_id}:private-order.1'.`,
  }));
  await signinRefused(unknownSecret, (userData) => `Wrong secret: the sign-in signature was not made with the secret of app 'orders'. Check PUSHER_APP_SECRET in the Laravel .env (then 'php artisan config:clear'); the user-auth endpoint had to sign '${unknownSecret.connection.socket_id}::user::${userData}'.`);

  t.step("another open connection's socket id (two Echo instances on one page): not a wrong secret");
  const bystander = await misconfigured('pusher-js (bystander)', { key: ORDERS.key, secret: ORDERS.secret });
  const borrower = await misconfigured('pusher-js (borrowed socket id)', { key: ORDERS.key, secret: ORDERS.secret },
    (p) => ({ ...p, socketId: bystander.connection.socket_id }));
  await refused(borrower, 'private-order.1', (sig) => ({
    message: invalidSignature(borrower.connection.socket_id, 'private-order.1')(sig),
    explanation: `The secret is right, but the signature is for socket ${bystander.connection.socket_id}, another connection open now; this connection is ${borrower.connection.socket_id}. The auth request carried the other connection's socket_id (two Echo or Pusher instances on the page, or a socket id shared between tabs).`,
  }));

  /** pusher-js with this key: refused with 4001; returns the auth_failed line. */
  async function unknownKey(key, label) {
    const before = server.monitor('auth_failed').length;
    const client = await t.pusherJs(server, { app: { id: '?', key, secret: 'x' }, label, waitConnected: false });
    const errors = recorder();
    client.connection.bind('error', errors);
    const [err] = await errors.next(1, `${label}: the connection error`);
    checkEqual(err, { type: 'WebSocketError', error: { type: 'PusherError', data: { code: 4001, message: 'Application does not exist' } } }, `${label}: pusher-js error`);
    await within(new Promise((resolve) => {
      if (client.connection.state === 'disconnected') resolve();
      client.connection.bind('state_change', (s) => s.current === 'disconnected' && resolve());
    }), `${label}: pusher-js to give up (state disconnected, not reconnecting)`);
    const got = await server.waitMonitor('auth_failed', (l, i) => i >= before && l.code === 4001,
      `auth_failed (4001) for key ${key}`);
    const { socket_id, ...rest } = line(got);
    check(typeof socket_id === 'string' && /^\d+\.\d+$/.test(socket_id), `socket_id of the refused connection: ${show(socket_id)}`);
    return rest;
  }

  t.step('unknown key: pusher-js with a key no app has');
  const nope = await unknownKey('nope-key', 'pusher-js (unknown key)');
  const known = ['orders-key (app orders)', 'billing-key (app billing)', 'shop-key (app shop)'];
  const m = /^Unknown key 'nope-key': no app has it\. Known keys: (.*)\.$/.exec(nope.explanation || '');
  check(m, `explanation for an unknown key: ${show(nope.explanation)}`);
  checkEqual(m[1].split(', ').sort(), [...known].sort(), 'the known keys listed');
  checkEqual(nope, { kind: 'auth_failed', code: 4001, message: 'Application does not exist', explanation: `Unknown key 'nope-key': no app has it. Known keys: ${m[1]}.` }, 'auth_failed line for an unknown key');
  if (m[1] !== known.join(', ')) t.log(`NOTE: known keys are listed in hash order, not config order: ${m[1]}`);

  t.step('unknown key: the secret used as the key (VITE_PUSHER_APP_KEY=<secret>)');
  checkEqual(await unknownKey(BILLING.secret, 'pusher-js (secret as key)'), {
    kind: 'auth_failed', code: 4001, message: 'Application does not exist',
    explanation: "Unknown key 'billing-secret': that is the secret of app 'billing', whose key is 'billing-key'. The page must use the key (VITE_PUSHER_APP_KEY), never the secret.",
  }, 'auth_failed line for the secret used as key');

  t.step('unknown key: the app id used as the key');
  checkEqual(await unknownKey(SHOP.id, 'pusher-js (app id as key)'), {
    kind: 'auth_failed', code: 4001, message: 'Application does not exist',
    explanation: "Unknown key 'shop': that is the id of app 'shop', whose key is 'shop-key'.",
  }, 'auth_failed line for the app id used as key');

  /** pusher-js of SHOP whose WebSocket handshake sends these headers; refused with 4009. */
  async function forbidden(label, wsHeaders, origin) {
    const before = server.monitor('auth_failed').length;
    const client = await t.pusherJs(server, { app: SHOP, label, wsHeaders, waitConnected: false });
    const errors = recorder();
    client.connection.bind('error', errors);
    const [err] = await errors.next(1, `${label}: the connection error`);
    checkEqual(err, { type: 'WebSocketError', error: { type: 'PusherError', data: { code: 4009, message: 'Origin not allowed' } } }, `${label}: pusher-js error`);
    const got = await server.waitMonitor('auth_failed', (l, i) => i >= before && l.code === 4009,
      `auth_failed (4009) for Origin ${origin}`);
    const { socket_id, ...rest } = line(got);
    check(typeof socket_id === 'string', `socket_id of the refused connection: ${show(socket_id)}`);
    checkEqual(rest, {
      kind: 'auth_failed', app_id: SHOP.id, code: 4009, message: 'Origin not allowed',
      explanation: `${origin === null ? 'A connection without an Origin header' : `Origin '${origin}'`} is not in the allowed-origins of app 'shop' (http://shop.test): add it to the app's allowed-origins, or open the page from an allowed origin.`,
    }, `auth_failed line for Origin ${origin}`);
    client.disconnect();
  }

  t.step('forbidden origin: pusher-js whose WebSocket sends Origin: http://evil.test');
  await forbidden('pusher-js (Origin http://evil.test)', { Origin: 'http://evil.test' }, 'http://evil.test');

  t.step('forbidden origin: pusher-js in node sends no Origin at all');
  await forbidden('pusher-js (no Origin)', null, null);

  t.step('the allowed origin connects (the header really reaches crier)');
  const allowed = await t.pusherJs(server, { app: SHOP, label: 'pusher-js (Origin http://shop.test)', wsHeaders: { Origin: 'http://shop.test' } });
  await roundTrip(allowed);

  t.step('every refusal above has an explanation; no stray auth_failed line');
  const all = server.monitor('auth_failed');
  checkEqual(all.filter((l) => !l.explanation).map((l) => l.line), [], 'auth_failed lines without an explanation');
  checkEqual(all.length, 16, `auth_failed lines (${show(all.map((l) => l.explanation))})`);

  t.step('text mode: the line ends with " — why: <explanation>"');
  const textServer = await t.crier({ config: { apps: APPS }, extraArgs: ['--verbose'] });
  const signer = new PusherServer({ appId: ORDERS.id, key: ORDERS.key, secret: BILLING.secret, host: '127.0.0.1', port: '1' });
  const plain = new Pusher(ORDERS.key, {
    ...pusherJsOptions(textServer),
    channelAuthorization: { customHandler: (p, cb) => cb(null, signer.authorizeChannel(p.socketId, p.channelName)) },
  });
  t.defer(() => plain.disconnect());
  const plainErrors = recorder();
  plain.connection.bind('error', plainErrors);
  plain.subscribe('private-order.1');
  await plainErrors.next(1, 'pusher:error (text-mode server)');
  const text = await textServer.waitMonitor('auth_failed', (l) => l.explanation !== undefined, 'a text auth_failed line with " — why: "');
  const why = " — why: Wrong secret: the signature was made with the secret of app 'billing' (key billing-key), not with the secret of app 'orders'. The app server's PUSHER_APP_SECRET belongs to the other app.";
  check(text.line.endsWith(why), `text line should end with ${show(why)}: ${show(text.line)}`);
  check(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} auth_failed +app=orders socket=${plain.connection.socket_id.replace('.', '\\.')} channel=private-order\\.1 — Invalid signature: Expected HMAC SHA256 hex digest of ${plain.connection.socket_id.replace('.', '\\.')}:private-order\\.1, but got [0-9a-f]{64} — why: `).test(text.line),
    `text auth_failed line: ${show(text.line)}`);
});
