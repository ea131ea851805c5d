// The HTTP API on the WebSocket port, called with the pusher SDK and with
// hand-signed requests: events, batch_events, channels, channel, users,
// info attributes, validation (400/413) and authentication failures (401),
// and nothing from a rejected request reaching subscribers.

import { createHash, createHmac } from 'node:crypto';
import { scenario, app, HOST, check, checkEqual, jsonOk, apiError, show, fail } from './harness.mjs';

const APP = app('api-app');

function md5(s) {
  return createHash('md5').update(s).digest('hex');
}

/** Sign a request the way the docs describe (section 14.2). */
function signedQuery(a, method, path, { params = {}, body, timestamp } = {}) {
  const q = { auth_key: a.key, auth_timestamp: String(timestamp ?? Math.floor(Date.now() / 1000)), auth_version: '1.0', ...params };
  if (body !== undefined && body !== '') q.body_md5 = md5(body);
  const canonical = Object.keys(q).map((k) => [k.toLowerCase(), q[k]]).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`).join('&');
  const sig = createHmac('sha256', a.secret).update(`${method}\n${path}\n${canonical}`).digest('hex');
  return { q, sig, canonical };
}

async function request(server, a, method, path, opts = {}) {
  const { q, sig } = signedQuery(a, method, path, opts);
  const all = { ...q, auth_signature: opts.signature ?? sig, ...(opts.override || {}) };
  for (const k of opts.drop || []) delete all[k];
  const qs = Object.entries(all).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const res = await fetch(`http://${HOST}:${server.port}${path}?${qs}`, {
    method,
    headers: opts.body !== undefined ? { 'content-type': 'application/json' } : {},
    body: opts.sendBody ?? opts.body,
  });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

scenario('api', async (t) => {
  // The signer above must reproduce the docs' vector before it is trusted.
  {
    const v = signedQuery({ key: '278d425bdf160c739803', secret: '7ad3773142a6692b25b8' }, 'POST', '/apps/3/events',
      { body: '{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}', timestamp: 1353088179 });
    if (v.sig !== 'da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c') fail(`harness signer is wrong: ${v.sig}`);
  }

  const server = await t.crier({ config: { apps: [APP] } });
  const api = await server.api(APP);
  const base = `/apps/${APP.id}`;

  t.step('no channels yet: {"channels":{}}');
  checkEqual(await jsonOk(api.get({ path: '/channels' }), 'GET /channels'), { channels: {} }, 'empty channel list');

  const sub = await t.connect(server, { key: APP.key, label: 'subscriber' });
  await sub.subscribe('news');
  await sub.subscribe('private-x', api.authorizeChannel(sub.socketId, 'private-x').auth);
  const pa = api.authorizeChannel(sub.socketId, 'presence-room', { user_id: '1', user_info: { n: 1 } });
  await sub.subscribe('presence-room', pa.auth, pa.channel_data);
  const sub2 = await t.connect(server, { key: APP.key, label: 'subscriber 2' });
  const pa2 = api.authorizeChannel(sub2.socketId, 'presence-room', { user_id: '2', user_info: { n: 2 } });
  await sub2.subscribe('presence-room', pa2.auth, pa2.channel_data);
  await sub2.subscribe('news');

  t.step('POST /events: 200, application/json, {}');
  const r = await request(server, APP, 'POST', `${base}/events`, { body: JSON.stringify({ name: 'hello', channels: ['news'], data: '{"a":1}' }) });
  checkEqual(r.status, 200, `status (${r.text})`);
  check(/^application\/json/.test(r.type || ''), `content-type of a success: ${r.type}`);
  checkEqual(JSON.parse(r.text), {}, 'body');
  await sub.waitEvent('hello', 'news');
  const single = await request(server, APP, 'POST', `${base}/events`, { body: JSON.stringify({ name: 'single', channel: 'news', data: 'x' }) });
  checkEqual(single.status, 200, `"channel" (PHP SDK >= 7.2 form) status (${single.text})`);
  checkEqual(await sub.waitEvent('single', 'news'), { event: 'single', channel: 'news', data: 'x' }, 'event from the "channel" form');

  t.step('POST /events with info');
  const info = await jsonOk(api.trigger(['presence-room'], 'with-info', '{}', { info: 'user_count' }), 'trigger with info=user_count');
  checkEqual(info, { channels: { 'presence-room': { user_count: 2 } } }, 'trigger info response');

  t.step('POST /batch_events');
  checkEqual(await jsonOk(api.triggerBatch([
    { channel: 'news', name: 'b1', data: '{"i":1}' },
    { channel: 'private-x', name: 'b2', data: '{"i":2}' },
    { channel: 'news', name: 'b3', data: '{"i":3}', socket_id: sub2.socketId },
  ]), 'POST /batch_events'), {}, 'batch response without info');
  checkEqual(await sub.waitEvent('b1', 'news'), { event: 'b1', channel: 'news', data: '{"i":1}' }, 'batch event 1');
  checkEqual(await sub.waitEvent('b2', 'private-x'), { event: 'b2', channel: 'private-x', data: '{"i":2}' }, 'batch event 2');
  await sub.waitEvent('b3', 'news');
  const bi = await jsonOk(api.triggerBatch([
    { channel: 'presence-room', name: 'b4', data: '{}', info: 'user_count' },
    { channel: 'news', name: 'b5', data: '{}' },
  ]), 'POST /batch_events with info');
  checkEqual(bi, { batch: [{ user_count: 2 }, {}] }, 'batch response with info');

  t.step('GET /channels, filter_by_prefix, info=user_count');
  checkEqual(await jsonOk(api.get({ path: '/channels' }), 'GET /channels'),
    { channels: { news: {}, 'private-x': {}, 'presence-room': {} } }, 'occupied channels');
  checkEqual(await jsonOk(api.get({ path: '/channels', params: { filter_by_prefix: 'presence-', info: 'user_count' } }), 'GET /channels presence'),
    { channels: { 'presence-room': { user_count: 2 } } }, 'presence channels with user_count');
  checkEqual(await jsonOk(api.get({ path: '/channels', params: { filter_by_prefix: 'priv' } }), 'GET /channels filter priv'),
    { channels: { 'private-x': {} } }, 'filter_by_prefix=priv');
  checkEqual((await apiError(api.get({ path: '/channels', params: { info: 'user_count' } }), 'GET /channels?info=user_count without a presence filter')).status,
    400, 'status for info=user_count without filter_by_prefix=presence-');

  t.step('GET /channels/{name}');
  checkEqual(await jsonOk(api.get({ path: '/channels/news' }), 'GET /channels/news'), { occupied: true }, 'public channel info');
  checkEqual(await jsonOk(api.get({ path: '/channels/nobody' }), 'GET /channels/nobody'), { occupied: false }, 'unoccupied channel info');
  checkEqual(await jsonOk(api.get({ path: '/channels/presence-room', params: { info: 'user_count' } }), 'GET presence-room'),
    { occupied: true, user_count: 2 }, 'presence channel info');
  checkEqual((await apiError(api.get({ path: '/channels/news', params: { info: 'user_count' } }), 'user_count on a public channel')).status,
    400, 'status for user_count on a public channel');

  t.step('GET /channels/{name}/users');
  const users = await jsonOk(api.get({ path: '/channels/presence-room/users' }), 'GET users');
  checkEqual(users.users.map((u) => u.id).sort(), ['1', '2'], 'presence users');
  checkEqual((await apiError(api.get({ path: '/channels/news/users' }), 'users of a public channel')).status, 400, 'status for users of a public channel');

  t.step('validation: 400 / 413, and nothing is delivered');
  const mark = sub.mark();
  const bad = [
    [{ channels: ['news'], data: '{}' }, 400, 'missing name'],
    [{ name: 'e', channels: ['news'] }, 400, 'missing data'],
    [{ name: 'e', channels: ['news'], data: { not: 'a string' } }, 400, 'data not a string'],
    [{ name: 'e', data: '{}' }, 400, 'no channel'],
    [{ name: 'e', channels: [], data: '{}' }, 400, 'empty channel list'],
    [{ name: 'e', channels: ['bad name!'], data: '{}' }, 400, 'invalid channel name'],
    [{ name: 'e', channels: Array.from({ length: 101 }, (_, i) => `c${i}`), data: '{}' }, 400, '101 channels'],
    [{ name: 'e', channels: ['news'], data: 'x'.repeat(10241) }, 413, '10241 bytes of data'],
    [{ name: 'e', channels: ['news'], data: 'é'.repeat(5121) }, 413, '10242 UTF-8 bytes of data (5121 characters)'],
  ];
  for (const [body, status, what] of bad) {
    const res = await request(server, APP, 'POST', `${base}/events`, { body: JSON.stringify(body) });
    t.log(`  ${what}: ${res.status} ${res.text.slice(0, 120)}`);
    checkEqual(res.status, status, `status for ${what} (body ${show(res.text)})`);
  }
  const notJson = await request(server, APP, 'POST', `${base}/events`, { body: '{"name":' });
  checkEqual(notJson.status, 400, `status for a body that is not JSON (${notJson.text})`);
  const tooMany = await request(server, APP, 'POST', `${base}/batch_events`, {
    body: JSON.stringify({ batch: Array.from({ length: 11 }, (_, i) => ({ channel: 'news', name: `many${i}`, data: '{}' })) }),
  });
  checkEqual(tooMany.status, 400, `status for 11 batch events (${tooMany.text})`);
  const halfBad = await request(server, APP, 'POST', `${base}/batch_events`, {
    body: JSON.stringify({ batch: [{ channel: 'news', name: 'half-ok', data: '{}' }, { channel: 'news', name: 'half-bad', data: 'x'.repeat(10241) }] }),
  });
  check(halfBad.status === 400 || halfBad.status === 413, `status for a batch with one oversized event: ${halfBad.status} ${halfBad.text}`);
  const exact = await request(server, APP, 'POST', `${base}/events`, { body: JSON.stringify({ name: 'exact', channels: ['news'], data: 'x'.repeat(10240) }) });
  checkEqual(exact.status, 200, `status for exactly 10240 bytes of data (${exact.text})`);
  await sub.waitEvent('exact', 'news');
  const leaked = sub.since(mark, (j) => j.event !== 'exact');
  checkEqual(leaked, [], 'frames delivered by rejected requests');

  t.step('authentication failures are 401 and deliver nothing');
  const body = JSON.stringify({ name: 'forged', channels: ['news'], data: '{}' });
  const authCases = [
    [{ signature: 'f'.repeat(64) }, 'a wrong signature'],
    [{ timestamp: Math.floor(Date.now() / 1000) - 601 }, 'a timestamp 601 s old'],
    // Ahead by more than a second past the limit: the cases before it take time, and a
    // timestamp ahead only gets closer to the server's clock (the exact edge is in test-http-api).
    [{ timestamp: Math.floor(Date.now() / 1000) + 610 }, 'a timestamp 610 s ahead'],
    [{ sendBody: JSON.stringify({ name: 'forged', channels: ['news'], data: '{"tampered":1}' }) }, 'a body that does not match body_md5'],
    [{ drop: ['auth_signature'] }, 'no auth_signature'],
    [{ drop: ['auth_timestamp'] }, 'no auth_timestamp'],
    [{ drop: ['body_md5'] }, 'no body_md5'],
    [{ override: { auth_version: '2.0' } }, 'auth_version 2.0'],
  ];
  for (const [opts, what] of authCases) {
    const res = await request(server, APP, 'POST', `${base}/events`, { body, ...opts });
    t.log(`  ${what}: ${res.status} ${res.text.slice(0, 160)}`);
    checkEqual(res.status, 401, `status for ${what} (body ${show(res.text)})`);
  }
  const wrongKey = await request(server, { ...APP, key: 'not-the-key' }, 'POST', `${base}/events`, { body });
  check(wrongKey.status === 400 || wrongKey.status === 401, `status for an unknown auth_key: ${wrongKey.status} ${wrongKey.text}`);
  const unknownApp = await request(server, APP, 'POST', '/apps/no-such-app/events', { body });
  check(unknownApp.status >= 400 && unknownApp.status < 500, `status for an unknown app id: ${unknownApp.status} ${unknownApp.text}`);
  const okGet = await request(server, APP, 'GET', `${base}/channels`, { params: { filter_by_prefix: 'presence-', info: 'user_count' } });
  checkEqual(okGet.status, 200, `hand-signed GET with extra parameters (${okGet.text})`);
  const fine = await request(server, APP, 'POST', `${base}/events`, { body: JSON.stringify({ name: 'after-auth-tests', channels: ['news'], data: '{}' }) });
  checkEqual(fine.status, 200, 'status of a good request after the failures');
  await sub.waitEvent('after-auth-tests', 'news');
  checkEqual(sub.since(mark, (j) => j.event === 'forged'), [], 'frames delivered by unauthenticated requests');

  t.step('percent-encoded query values (as Guzzle sends them) and a GET with Content-Type');
  await sub.subscribe('co,mma=;@x');
  const enc = await request(server, APP, 'GET', `${base}/channels`, { params: { filter_by_prefix: 'co,mma=' } });
  checkEqual(enc.status, 200, `GET with a percent-encoded filter_by_prefix (${enc.text})`);
  checkEqual(JSON.parse(enc.text), { channels: { 'co,mma=;@x': {} } }, 'channels with a percent-encoded prefix');
  const { q, sig } = signedQuery(APP, 'GET', `${base}/channels/news`, {});
  const withType = await fetch(`http://${HOST}:${server.port}${base}/channels/news?${new URLSearchParams({ ...q, auth_signature: sig })}`,
    { headers: { 'content-type': 'application/json', 'x-pusher-library': 'pusher-http-php 7.2.4' } });
  checkEqual(withType.status, 200, `GET with Content-Type: application/json and no body (${await withType.clone().text()})`);
  check(/^application\/json/.test(withType.headers.get('content-type') || ''), `content-type of a GET answer: ${withType.headers.get('content-type')}`);
  sub.send({ event: 'pusher:unsubscribe', data: { channel: 'co,mma=;@x' } });

  t.step('unknown routes and methods');
  const nf = await request(server, APP, 'GET', `${base}/nothing`, {});
  checkEqual(nf.status, 404, `status for an unknown API path (${nf.text})`);
  const wm = await request(server, APP, 'GET', `${base}/events`, {});
  check(wm.status === 405 || wm.status === 404, `status for GET /events: ${wm.status} ${wm.text}`);

  t.step('the channel list follows unsubscribes and disconnects');
  sub.send({ event: 'pusher:unsubscribe', data: { channel: 'private-x' } });
  sub2.ws.close(1000);
  await sub2.waitClose();
  sub.send({ event: 'pusher:ping', data: {} });
  await sub.waitEvent('pusher:pong');
  let list;
  for (let i = 0; i < 50; i++) {
    list = await jsonOk(api.get({ path: '/channels' }), 'GET /channels');
    if (!list.channels['private-x'] && Object.keys(list.channels).length === 2) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  checkEqual(list, { channels: { news: {}, 'presence-room': {} } }, 'channels after unsubscribe/disconnect');
  checkEqual(await jsonOk(api.get({ path: '/channels/presence-room/users' }), 'GET users'), { users: [{ id: '1' }] }, 'users after disconnect');
});
