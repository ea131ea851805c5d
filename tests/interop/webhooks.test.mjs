// Webhooks (pusher-protocol.md §15, issue 4): every kind caused by real
// pusher-js clients, received by a local HTTP server that checks each request
// (signature, X-Pusher-Key, exact Content-Type, custom headers, body shape,
// and the pusher SDK's webhook().isValid()); exact payloads; per-webhook
// `events=` filters; subscription_count only when opted in; member_added for
// a user's first connection and member_removed after the last; the vacated
// delay; order inside and across requests; events close together share a
// request, events far apart do not; one app's webhooks never reach another's.
//
// "Nothing else was sent" is proven with marker events generated afterwards:
// one request in flight per URL, in generation order, so once a marker has
// arrived everything generated before it has arrived too.

import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { scenario, app, check, checkEqual, subscribed, roundTrip, jsonOk, show, sleep, until, loadLibs } from './harness.mjs';

const APP = app('wh-app');
const OTHER = app('wh-other');
const WINDOW = 200; // webhook-batch-window
const DELAY = 600; // webhook-vacated-delay
const ANN = { user_id: '1', user_info: { name: 'Ann' } };
const BOB = { user_id: '2', user_info: { name: 'Bob' } };
const OBSERVER = { user_id: '3', user_info: { name: 'Observer' } };

const occupied = (channel) => ({ name: 'channel_occupied', channel });
const vacated = (channel) => ({ name: 'channel_vacated', channel });
const added = (channel, user_id) => ({ name: 'member_added', channel, user_id });
const removed = (channel, user_id) => ({ name: 'member_removed', channel, user_id });
const miss = (channel) => ({ name: 'cache_miss', channel });
const count = (channel, n) => ({ name: 'subscription_count', channel, subscription_count: n });

scenario('webhooks', async (t) => {
  t.step('the verifier itself: the webhook signature vector of §18');
  {
    const { PusherServer } = await loadLibs();
    const body = '{"time_ms":1327078148132,"events":[{"name":"channel_occupied","channel":"test-channel"}]}';
    const sig = createHmac('sha256', '7ad3773142a6692b25b8').update(body).digest('hex');
    checkEqual(sig, '5dd6562a9f744b72a688bcdfea41c14c2c56d12c44c99e32c08face4cc1e8aeb', 'HMAC of the §18 webhook vector');
    const sdk = new PusherServer({ appId: '3', key: '278d425bdf160c739803', secret: '7ad3773142a6692b25b8' });
    const hook = sdk.webhook({ headers: { 'x-pusher-key': '278d425bdf160c739803', 'x-pusher-signature': sig, 'content-type': 'application/json' }, rawBody: body });
    check(hook.isValid(), 'the pusher SDK accepts the §18 vector');
  }

  const receiver = await t.webhookReceiver();
  const HEADERS = { 'X-Env': 'test', 'X-Other': '2' };
  const config = {
    server: {
      'webhook-batch-window': WINDOW,
      'webhook-vacated-delay': DELAY,
      'webhook-retry-initial': 100,
      'webhook-retry-max': 200,
      'webhook-timeout': 2000,
      'webhook-spool': join(t.tempDir(), 'spool.jsonl'),
    },
    apps: [APP, OTHER],
    webhooks: [
      { name: 'all', app: APP.id, url: receiver.expect('/all', APP, HEADERS), headers: ['X-Env: test', 'X-Other: 2'] },
      { name: 'members', app: APP.id, url: receiver.expect('/members', APP), events: ['member_added', 'member_removed'] },
      { name: 'counts', app: APP.id, url: receiver.expect('/counts', APP), events: ['subscription_count'] },
      { name: 'other', app: OTHER.id, url: receiver.expect('/other', OTHER), events: '' },
    ],
  };
  const server = await t.crier({ config, extraArgs: ['--verbose'] });
  const api = await server.api(APP);

  // What each URL must have received so far, in order.
  const exp = { '/all': [], '/members': [], '/counts': [], '/other': [] };
  const want = (path, ...events) => exp[path].push(...events);
  const settle = async (what) => {
    for (const path of Object.keys(exp)) {
      await receiver.waitEvents(path, exp[path].length, what);
      checkEqual(receiver.events(path), exp[path], `webhook events on ${path} after ${what}`);
    }
  };
  // Markers: new channels on a raw connection of each app.
  const mk = await t.connect(server, { key: APP.key, label: 'marker (wh-app)' });
  const mko = await t.connect(server, { key: OTHER.key, label: 'marker (wh-other)' });
  let markers = 0;
  const mark = async (what) => {
    markers += 1;
    const ch = `marker-${markers}`;
    const pch = `presence-marker-${markers}`;
    await mk.subscribe(ch);
    want('/all', occupied(ch));
    want('/counts', count(ch, 1));
    const a = api.authorizeChannel(mk.socketId, pch, { user_id: 'marker', user_info: {} });
    await mk.subscribe(pch, a.auth, a.channel_data);
    want('/all', occupied(pch), added(pch, 'marker'));
    want('/members', added(pch, 'marker'));
    await mko.subscribe(ch);
    want('/other', occupied(ch));
    await settle(`${what} (marker ${markers})`);
  };
  const requestsWith = (path, pred) => receiver.delivered(path).filter((r) => r.json.events.some(pred));

  t.step('channel_occupied: one request for a lone event; subscription_count only where opted in');
  const ann = await t.pusherJs(server, { app: APP, user: ANN, label: 'ann' });
  await subscribed(ann.subscribe('news'));
  want('/all', occupied('news'));
  want('/counts', count('news', 1));
  await settle('Ann subscribed to news');
  checkEqual(receiver.delivered('/all')[0].json.events, [occupied('news')], 'the first request on /all');

  t.step('presence: channel_occupied and member_added of one subscription share a request');
  await subscribed(ann.subscribe('presence-room'));
  want('/all', occupied('presence-room'), added('presence-room', '1'));
  want('/members', added('presence-room', '1'));
  await settle('Ann joined presence-room');
  checkEqual(requestsWith('/all', (e) => e.channel === 'presence-room').map((r) => r.json.events),
    [[occupied('presence-room'), added('presence-room', '1')]], 'requests on /all for presence-room');

  t.step('a second user: member_added; the same user on a second connection: nothing');
  const bob = await t.pusherJs(server, { app: APP, user: BOB, label: 'bob' });
  await subscribed(bob.subscribe('presence-room'));
  want('/all', added('presence-room', '2'));
  want('/members', added('presence-room', '2'));
  await settle('Bob joined presence-room');
  const bob2 = await t.pusherJs(server, { app: APP, user: BOB, label: 'bob#2' });
  await subscribed(bob2.subscribe('presence-room'));
  await subscribed(bob2.subscribe('news'));
  want('/counts', count('news', 2));
  await mark("Bob's second connection joined presence-room and news");

  t.step('client_event on a private channel: the relayed data string, the sender socket_id, no user_id');
  const annChat = ann.subscribe('private-chat');
  await subscribed(annChat);
  await subscribed(bob.subscribe('private-chat'));
  want('/all', occupied('private-chat'));
  want('/counts', count('private-chat', 1), count('private-chat', 2));
  const obs = await t.connect(server, { key: APP.key, label: 'observer' });
  await obs.subscribe('private-chat', api.authorizeChannel(obs.socketId, 'private-chat').auth);
  want('/counts', count('private-chat', 3));
  const oa = api.authorizeChannel(obs.socketId, 'presence-room', OBSERVER);
  await obs.subscribe('presence-room', oa.auth, oa.channel_data);
  want('/all', added('presence-room', '3'));
  want('/members', added('presence-room', '3'));
  await settle('the observer joined');
  check(annChat.trigger('client-typing', { name: 'Ann', n: 1, text: 'héllo "quoted"' }), 'pusher-js trigger() on private-chat returned false');
  const relayed1 = await obs.waitEvent('client-typing', 'private-chat');
  want('/all', { name: 'client_event', channel: 'private-chat', event: 'client-typing', data: relayed1.data, socket_id: ann.connection.socket_id });
  await settle('a client event on private-chat');

  t.step('client_event on a presence channel carries the user_id');
  const annRoom = ann.channel('presence-room');
  check(annRoom.trigger('client-moved', { x: 1, y: [2, 3] }), 'pusher-js trigger() on presence-room returned false');
  const relayed2 = await obs.waitEvent('client-moved', 'presence-room');
  checkEqual(relayed2.user_id, '1', 'user_id of the relayed presence client event');
  want('/all', { name: 'client_event', channel: 'presence-room', event: 'client-moved', data: relayed2.data, socket_id: ann.connection.socket_id, user_id: '1' });
  await settle('a client event on presence-room');
  check(typeof relayed2.data === 'string', `relayed data is a string: ${show(relayed2)}`);

  t.step('cache_miss follows channel_occupied in the same request; a cached event means no cache_miss');
  await subscribed(ann.subscribe('cache-quotes'));
  want('/all', occupied('cache-quotes'), miss('cache-quotes'));
  want('/counts', count('cache-quotes', 1));
  await settle('Ann subscribed to the empty cache-quotes');
  checkEqual(requestsWith('/all', (e) => e.channel === 'cache-quotes').map((r) => r.json.events),
    [[occupied('cache-quotes'), miss('cache-quotes')]], 'requests on /all for cache-quotes');
  await jsonOk(api.trigger('cache-quotes', 'quote', '{"q":1}'), 'POST /events to cache-quotes');
  await subscribed(bob.subscribe('cache-quotes'));
  want('/counts', count('cache-quotes', 2));
  await mark('Bob subscribed to cache-quotes with an event cached');

  t.step('channel_vacated only when the last subscriber leaves, and only after webhook-vacated-delay');
  ann.unsubscribe('news');
  await roundTrip(ann);
  want('/counts', count('news', 1));
  await sleep(DELAY + 150);
  await mark('Ann left news (Bob#2 still subscribed)');
  const leftAt = Date.now();
  bob2.unsubscribe('news');
  await roundTrip(bob2);
  want('/counts', count('news', 0));
  want('/all', vacated('news'));
  await settle('the last subscriber left news');
  const vacReq = requestsWith('/all', (e) => e.name === 'channel_vacated' && e.channel === 'news')[0];
  t.log(`  channel_vacated for news arrived ${vacReq.at - leftAt} ms after the unsubscribe`);
  check(vacReq.at - leftAt >= DELAY - 20, `channel_vacated arrived ${vacReq.at - leftAt} ms after the last unsubscribe, before webhook-vacated-delay (${DELAY} ms)`);
  const countReq = receiver.delivered('/counts').find((r) => r.json.events.some((e) => e.channel === 'news' && e.subscription_count === 0));
  check(countReq.at < vacReq.at, 'subscription_count 0 is sent at once, before the delayed channel_vacated');

  t.step('member_removed only after the last connection of the user, after the delay');
  bob.disconnect(); // Bob#2 is still in presence-room
  await sleep(DELAY + 150);
  want('/counts', count('cache-quotes', 1), count('private-chat', 2)); // a closing connection leaves its channels last first
  await mark("Bob's first connection closed");
  const goneAt = Date.now();
  bob2.disconnect();
  want('/all', removed('presence-room', '2'));
  want('/members', removed('presence-room', '2'));
  await settle("Bob's last connection closed");
  const remReq = requestsWith('/members', (e) => e.name === 'member_removed')[0];
  check(remReq.at - goneAt >= DELAY - 20, `member_removed arrived ${remReq.at - goneAt} ms after the disconnect, before webhook-vacated-delay (${DELAY} ms)`);

  t.step('events generated together share one request, in order; events far apart do not');
  for (const ch of ['batch-1', 'batch-2', 'batch-3']) ann.subscribe(ch);
  want('/all', occupied('batch-1'), occupied('batch-2'), occupied('batch-3'));
  want('/counts', count('batch-1', 1), count('batch-2', 1), count('batch-3', 1));
  await settle('three subscriptions at once');
  checkEqual(requestsWith('/all', (e) => e.channel.startsWith('batch-')).map((r) => r.json.events),
    [[occupied('batch-1'), occupied('batch-2'), occupied('batch-3')]], 'requests on /all for three subscriptions sent together');
  for (const ch of ['batch-1', 'batch-2', 'batch-3']) ann.unsubscribe(ch);
  want('/counts', count('batch-1', 0), count('batch-2', 0), count('batch-3', 0));
  want('/all', vacated('batch-1'), vacated('batch-2'), vacated('batch-3'));
  await settle('three unsubscriptions at once');
  checkEqual(requestsWith('/all', (e) => e.name === 'channel_vacated' && e.channel.startsWith('batch-')).map((r) => r.json.events),
    [[vacated('batch-1'), vacated('batch-2'), vacated('batch-3')]], 'requests on /all for the three delayed channel_vacated');
  await subscribed(ann.subscribe('far-1'));
  await sleep(WINDOW * 2 + 100);
  await subscribed(ann.subscribe('far-2'));
  want('/all', occupied('far-1'), occupied('far-2'));
  want('/counts', count('far-1', 1), count('far-2', 1));
  await settle(`two subscriptions ${WINDOW * 2 + 100} ms apart`);
  checkEqual(requestsWith('/all', (e) => e.channel.startsWith('far-')).map((r) => r.json.events),
    [[occupied('far-1')], [occupied('far-2')]], 'requests on /all for two subscriptions far apart');

  t.step('another app: its own webhook (key, secret, no custom headers), nothing of it on the first app');
  const other = await t.pusherJs(server, { app: OTHER, label: 'other-app client' });
  const otherChat = other.subscribe('private-chat');
  await subscribed(otherChat);
  want('/other', occupied('private-chat'));
  await mko.subscribe('private-chat', (await server.api(OTHER)).authorizeChannel(mko.socketId, 'private-chat').auth);
  check(otherChat.trigger('client-note', 'a plain string'), 'pusher-js trigger() on the other app returned false');
  const relayed3 = await mko.waitEvent('client-note', 'private-chat');
  want('/other', { name: 'client_event', channel: 'private-chat', event: 'client-note', data: relayed3.data, socket_id: other.connection.socket_id });
  await mark("the other app's client subscribed and sent a client event");
  for (const r of receiver.delivered('/other'))
    check(r.headers['x-env'] === undefined && r.headers['x-other'] === undefined, `custom headers of /all leaked into /other: ${show(r.headers)}`);
  for (const r of receiver.delivered('/all')) checkEqual(r.headers['x-env'], 'test', 'X-Env on every /all request');

  t.step('across requests: time_ms never goes back; monitor lines and metrics agree');
  for (const path of Object.keys(exp)) {
    const times = receiver.delivered(path).map((r) => r.json.time_ms);
    for (let i = 1; i < times.length; i++) check(times[i] >= times[i - 1], `time_ms went back on ${path}: ${show(times)}`);
    for (const r of receiver.delivered(path)) check(r.json.time_ms <= r.at, `time_ms ${r.json.time_ms} is after the request arrived (${r.at})`);
  }
  receiver.assertClean();
  const total = receiver.requests.length;
  checkEqual(receiver.requests.filter((r) => r.answer !== 200).length, 0, 'requests not answered 200 by this receiver');
  // The receiver has answered; wait for crier to have taken each answer in.
  await until(() => server.monitor('webhook_delivered').length >= total, `${total} webhook_delivered monitor lines`);
  const metrics = await server.metrics();
  checkEqual({
    delivered: metrics.crier_webhooks_delivered_total,
    failures: metrics.crier_webhook_failures_total,
    dropped: metrics.crier_webhooks_dropped_total,
    queued: metrics.crier_webhooks_queued,
  }, { delivered: total, failures: 0, dropped: 0, queued: 0 }, 'webhook metrics');
  const lines = server.monitor('webhook_delivered');
  checkEqual(lines.length, total, `webhook_delivered monitor lines (one per request received)`);
  for (const l of lines) checkEqual(l.code, 200, `status in ${show(l.line)}`);
  checkEqual(server.monitor('webhook_failed').length + server.monitor('webhook_dropped').length, 0, 'webhook_failed/webhook_dropped lines');
});
