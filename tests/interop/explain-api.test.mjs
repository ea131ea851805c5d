// HTTP API 401 answers explained (issue 6 §1, §5): the pusher server SDK,
// configured as a misconfigured Laravel app would be, triggers an event; the
// body of the 401 is Pusher's message followed by the plain-words
// explanation, word for word, and the api_request line of
// `crier --verbose --log-format=json` carries the same text: a clock an hour
// behind / ahead (the SDK's own signing with a fake Date.now), the secret of
// another app (named), the key used as the secret, key and secret swapped,
// the key of another app, an unknown key, a secret Crier does not know.

import { scenario, app, check, checkEqual, show, apiError, jsonOk } from './harness.mjs';

const ORDERS = app('orders');
const BILLING = app('billing');
const APPS = [ORDERS, BILLING];

/** The string the server signs: METHOD\nPATH\nsorted lowercased key=value pairs (no auth_signature). */
function stringToSign(method, url) {
  const u = new URL(url);
  const pairs = [...u.searchParams].filter(([k]) => k.toLowerCase() !== 'auth_signature')
    .map(([k, v]) => `${k.toLowerCase()}=${v}`).sort();
  return `${method}\n${u.pathname}\n${pairs.join('&')}`;
}

/** g_strescape() of ASCII text: backslash, double quote and control characters. */
function cEscape(s) {
  return s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r');
}

/** "2026-01-01T10:00:00Z" (GLib's ISO 8601 of a whole second in UTC). */
const iso = (seconds) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

scenario('explain-api', async (t) => {
  const server = await t.crier({ config: { apps: APPS }, extraArgs: ['--verbose', '--log-format=json'] });

  /** Trigger on ORDERS with an SDK configured with `sdk`; expects 401; checks body and monitor line. */
  async function refused(label, sdk, expectBody, { clockSkewMs = 0, call } = {}) {
    const before = server.monitor('api_request').length;
    const api = await server.api({ id: ORDERS.id, ...sdk });
    const realNow = Date.now;
    let promise;
    if (clockSkewMs) Date.now = () => realNow() + clockSkewMs; // the SDK reads its clock synchronously when it signs
    try {
      promise = call ? call(api) : api.trigger('private-orders.1', 'App\\Events\\OrderShipped', JSON.stringify({ id: 1 }));
    } finally {
      Date.now = realNow;
    }
    const e = await apiError(promise, label);
    checkEqual(e.status, 401, `${label}: HTTP status`);
    const u = new URL(e.url);
    const want = expectBody({ url: e.url, method: call ? 'GET' : 'POST', query: Object.fromEntries(u.searchParams), body: e.body });
    checkEqual(e.body, want, `${label}: 401 body`);
    const got = await server.waitMonitor('api_request', (l, i) => i >= before && l.code === 401, `${label}: the api_request line`);
    const { time, line, ...rest } = got;
    checkEqual(rest, { kind: 'api_request', app_id: ORDERS.id, event: `${call ? 'GET' : 'POST'} ${u.pathname}`, remote: '127.0.0.1', message: want, code: 401 },
      `${label}: api_request monitor line`);
    return e;
  }

  const invalid = (why) => ({ url, method, query }) =>
    `Invalid signature: you should have sent HmacSHA256Hex("${cEscape(stringToSign(method, url))}", your_secret_key), but you sent "${query.auth_signature}". ${why}`;

  t.step('control: the right key and secret are accepted');
  checkEqual(await jsonOk((await server.api(ORDERS)).trigger('private-orders.1', 'x', '{}'), 'trigger with the right credentials'), {}, 'trigger answer');

  t.step("wrong secret: PUSHER_APP_SECRET is billing's");
  await refused('secret of billing', { key: ORDERS.key, secret: BILLING.secret },
    invalid("Wrong secret: the signature was made with the secret of app 'billing' (key billing-key), not with the secret of app 'orders'. The app server's PUSHER_APP_SECRET belongs to the other app."));

  t.step("wrong secret on a GET (GET /channels?filter_by_prefix=private-&info=subscription_count)");
  await refused('GET with the secret of billing', { key: ORDERS.key, secret: BILLING.secret },
    invalid("Wrong secret: the signature was made with the secret of app 'billing' (key billing-key), not with the secret of app 'orders'. The app server's PUSHER_APP_SECRET belongs to the other app."),
    { call: (api) => api.get({ path: '/channels', params: { filter_by_prefix: 'private-', info: 'subscription_count' } }) });

  t.step('the key used as the secret');
  await refused('key as secret', { key: ORDERS.key, secret: ORDERS.key },
    invalid("The key and the secret are swapped: the signature was made with the app key 'orders-key' as the secret. Check PUSHER_APP_KEY and PUSHER_APP_SECRET in the Laravel .env."));

  t.step('key and secret swapped: auth_key is the secret');
  await refused('key and secret swapped', { key: ORDERS.secret, secret: ORDERS.key },
    () => "Unknown auth_key: 'orders-secret' is not the key of app 'orders'. The key and the secret are swapped: auth_key is the app's secret; its key is 'orders-key'.");

  t.step("the key (and secret) of billing with the app id of orders");
  await refused('key of billing', { key: BILLING.key, secret: BILLING.secret },
    () => "Unknown auth_key: 'billing-key' is not the key of app 'orders'. It is the key of app 'billing': the sender's PUSHER_APP_ID and PUSHER_APP_KEY belong to different apps.");

  t.step('a key no app has');
  await refused('unknown key', { key: 'nope-key', secret: ORDERS.secret },
    () => "Unknown auth_key: 'nope-key' is not the key of app 'orders' (its key is 'orders-key').");

  t.step('a secret Crier does not know');
  await refused('unknown secret', { key: ORDERS.key, secret: 'not-a-known-secret' },
    invalid("The signature matches no known secret: the sender's PUSHER_APP_SECRET is not the secret of app 'orders', or it signed another text (a path prefix, other query parameters)."));

  /** The body of a stale timestamp; checks the server time it names against the skew. */
  const expired = (skew, word) => ({ query, body }) => {
    const given = Number(query.auth_timestamp);
    const m = /not within 600s of server time \((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\)/.exec(body);
    check(m, `the 401 body names the server time: ${show(body)}`);
    const serverTime = Date.parse(m[1]) / 1000;
    const seconds = Math.abs(serverTime - given);
    check(Math.abs(seconds - skew) <= 2, `server time ${m[1]} vs auth_timestamp ${given}: ${seconds} s apart, expected about ${skew}`);
    check(Math.abs(serverTime - Date.now() / 1000) <= 2, `server time ${m[1]} is the real time`);
    return `Timestamp expired: Given timestamp (${iso(given)}) not within 600s of server time (${m[1]}). The sender's clock is ${seconds} s ${word} the server's: check its clock (NTP) or a delayed queue job.`;
  };

  t.step("stale timestamp: the sender's clock is an hour behind");
  await refused('clock an hour behind', { key: ORDERS.key, secret: ORDERS.secret }, expired(3600, 'behind'), { clockSkewMs: -3600_000 });

  t.step("stale timestamp: the sender's clock is an hour ahead");
  await refused('clock an hour ahead', { key: ORDERS.key, secret: ORDERS.secret }, expired(3600, 'ahead of'), { clockSkewMs: 3600_000 });

  t.step('a skew inside the 600 s window is accepted');
  {
    const api = await server.api(ORDERS);
    const realNow = Date.now;
    Date.now = () => realNow() - 500_000;
    let p;
    try {
      p = api.trigger('private-orders.1', 'x', '{}');
    } finally {
      Date.now = realNow;
    }
    await jsonOk(p, 'trigger with a clock 500 s behind');
  }

  t.step('one 401 api_request line per refused request');
  checkEqual(server.monitor('api_request').filter((l) => l.code === 401).length, 9, '401 api_request lines');
});
