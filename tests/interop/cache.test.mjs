// Cache channels: pusher:cache_miss right after subscription_succeeded when
// nothing is cached; otherwise the last published event is replayed; client
// events are never cached.

import { scenario, app, check, checkEqual, collect, subscribed, jsonOk, show } from './harness.mjs';

const APP = app('cache-app');

/** Subscribe raw and return the frame that follows subscription_succeeded. */
async function subscribeAndNext(raw, channel, auth = '') {
  const ok = await raw.subscribe(channel, auth);
  checkEqual(ok, { event: 'pusher_internal:subscription_succeeded', data: '{}', channel }, `subscription_succeeded on ${channel}`);
  const f = await raw.nextFrame(`the frame after subscription_succeeded on ${channel}`);
  check(f && f.json, `${raw.label}: expected a frame after subscription_succeeded on ${channel}, got ${show(f)} (close ${show(raw.closeInfo)})`);
  return f.json;
}

function checkCacheMiss(f, channel, why = '') {
  check(f.event === 'pusher:cache_miss', `expected pusher:cache_miss on ${channel}${why} right after subscription_succeeded, got ${show(f)}`);
  checkEqual(f.channel, channel, 'cache_miss channel');
  check(f.data === undefined || f.data === '{}' || (typeof f.data === 'object' && Object.keys(f.data).length === 0),
    `cache_miss data should be absent or empty, got ${show(f.data)}`);
}

scenario('cache', async (t) => {
  const server = await t.crier({ config: { apps: [APP] } });
  const api = await server.api(APP);

  t.step('empty cache channel → pusher:cache_miss (raw)');
  const a = await t.connect(server, { key: APP.key, label: 'a' });
  checkCacheMiss(await subscribeAndNext(a, 'cache-location.1'), 'cache-location.1');

  t.step('pusher-js sees pusher:cache_miss too');
  const client = await t.pusherJs(server, { app: APP });
  const missCh = client.subscribe('cache-empty');
  const misses = collect(missCh, 'pusher:cache_miss');
  await subscribed(missCh);
  await misses.next(1, 'pusher:cache_miss in pusher-js');

  t.step('publish, then a new subscriber gets the last event replayed');
  await jsonOk(api.trigger('cache-location.1', 'moved', '{"lat":1}'), 'POST /events #1');
  await a.waitEvent('moved', 'cache-location.1');
  await jsonOk(api.trigger('cache-location.1', 'moved', '{"lat":2}'), 'POST /events #2');
  await a.waitEvent('moved', 'cache-location.1');
  const b = await t.connect(server, { key: APP.key, label: 'b' });
  checkEqual(await subscribeAndNext(b, 'cache-location.1'), { event: 'moved', channel: 'cache-location.1', data: '{"lat":2}' }, 'replayed event (the last one only)');
  await jsonOk(api.trigger('cache-location.1', 'marker', '{}'), 'POST /events (marker)');
  await b.waitEvent('marker');
  checkEqual(b.since(0, (j) => j.event === 'moved').length, 1, 'replayed events on subscribe');

  t.step('published with nobody subscribed: still cached');
  await jsonOk(api.trigger('cache-lonely', 'stored', '{"v":42}'), 'POST /events to an empty cache channel');
  const c = await t.connect(server, { key: APP.key, label: 'c' });
  checkEqual(await subscribeAndNext(c, 'cache-lonely'), { event: 'stored', channel: 'cache-lonely', data: '{"v":42}' }, 'replay of an event published without subscribers');

  t.step('pusher-js receives the replay as a normal event');
  const replayCh = client.subscribe('cache-lonely');
  const stored = collect(replayCh, 'stored');
  await subscribed(replayCh);
  checkEqual((await stored.next(1, 'replayed "stored" in pusher-js')).data, { v: 42 }, 'replayed data in pusher-js');

  t.step('socket exclusion of the original publish does not apply to the replay');
  await jsonOk(api.trigger('cache-excl', 'ex', '{"e":1}', { socket_id: a.socketId }), 'POST /events with socket_id');
  checkEqual(await subscribeAndNext(a, 'cache-excl'), { event: 'ex', channel: 'cache-excl', data: '{"e":1}' }, 'replay to the socket excluded at publish time');

  t.step('private-cache- with auth: miss, then replay');
  const p1 = await t.connect(server, { key: APP.key, label: 'p1' });
  checkCacheMiss(await subscribeAndNext(p1, 'private-cache-inbox', api.authorizeChannel(p1.socketId, 'private-cache-inbox').auth), 'private-cache-inbox');
  await jsonOk(api.trigger('private-cache-inbox', 'mail', '{"n":1}'), 'POST /events private-cache');
  await p1.waitEvent('mail');

  t.step('client events are not cached');
  p1.send({ event: 'client-typing', channel: 'private-cache-inbox', data: { x: 1 } });
  const p2 = await t.connect(server, { key: APP.key, label: 'p2' });
  checkEqual(await subscribeAndNext(p2, 'private-cache-inbox', api.authorizeChannel(p2.socketId, 'private-cache-inbox').auth),
    { event: 'mail', channel: 'private-cache-inbox', data: '{"n":1}' }, 'replay after a client event (must be the API event)');
  const p3 = await t.connect(server, { key: APP.key, label: 'p3' });
  await p3.subscribe('private-cache-chat', api.authorizeChannel(p3.socketId, 'private-cache-chat').auth);
  await p3.nextFrame('cache_miss for p3');
  const p4 = await t.connect(server, { key: APP.key, label: 'p4' });
  await p4.subscribe('private-cache-chat', api.authorizeChannel(p4.socketId, 'private-cache-chat').auth);
  await p4.nextFrame('cache_miss for p4');
  p3.send({ event: 'client-typing', channel: 'private-cache-chat', data: { x: 1 } });
  await p4.waitEvent('client-typing', 'private-cache-chat');
  const p5 = await t.connect(server, { key: APP.key, label: 'p5' });
  checkCacheMiss(await subscribeAndNext(p5, 'private-cache-chat', api.authorizeChannel(p5.socketId, 'private-cache-chat').auth), 'private-cache-chat', ' (only a client event was sent)');

  t.step('private-encrypted-cache-: the replayed ciphertext decrypts in pusher-js');
  const MASTER = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
  const encApi = await server.api(APP, { encryptionMasterKeyBase64: MASTER });
  await jsonOk(encApi.trigger('private-encrypted-cache-vault', 'sealed', { secret: 'kept' }), 'POST /events (encrypted cache)');
  const encClient = await t.pusherJs(server, { app: APP, masterKey: MASTER, label: 'pusher-js (encrypted cache)' });
  const vault = encClient.subscribe('private-encrypted-cache-vault');
  const sealed = collect(vault, 'sealed');
  await subscribed(vault);
  checkEqual((await sealed.next(1, 'replayed encrypted event decrypted by pusher-js')).data, { secret: 'kept' }, 'decrypted replay');

  t.step('presence-cache-: miss, then replay after the presence list');
  const pc1 = await t.connect(server, { key: APP.key, label: 'pc1' });
  const pc1Auth = api.authorizeChannel(pc1.socketId, 'presence-cache-room', { user_id: '1', user_info: {} });
  const pc1Ok = await pc1.subscribe('presence-cache-room', pc1Auth.auth, pc1Auth.channel_data);
  checkEqual(JSON.parse(pc1Ok.data).presence.count, 1, 'presence-cache count');
  checkCacheMiss((await pc1.nextFrame('cache_miss on presence-cache-room')).json, 'presence-cache-room');
  await jsonOk(api.trigger('presence-cache-room', 'topic', '"weather"'), 'POST /events (presence-cache)');
  await pc1.waitEvent('topic');
  const pc2 = await t.connect(server, { key: APP.key, label: 'pc2' });
  const pc2Auth = api.authorizeChannel(pc2.socketId, 'presence-cache-room', { user_id: '2', user_info: {} });
  await pc2.subscribe('presence-cache-room', pc2Auth.auth, pc2Auth.channel_data);
  checkEqual((await pc2.nextFrame('replay on presence-cache-room')).json, { event: 'topic', channel: 'presence-cache-room', data: '"weather"' }, 'presence-cache replay');

  t.step('HTTP API: GET /channels/{name}?info=cache');
  const info = await jsonOk(api.get({ path: '/channels/cache-lonely', params: { info: 'cache' } }), 'GET /channels/cache-lonely?info=cache');
  check(info.occupied === true, `occupied: ${show(info)}`);
  check(info.cache && info.cache.data === '{"v":42}' && typeof info.cache.ttl === 'number' && info.cache.ttl > 0 && info.cache.ttl <= 1800,
    `cache info should be {"data":"{\\"v\\":42}","ttl":<1..1800>}, got ${show(info.cache)}`);
});
