// Presence and webhooks across a cluster: users spread over three nodes; every
// subscription_succeeded lists the whole cluster's members; a user on two nodes is announced
// once and removed once (frames and webhooks); concurrent subscribes on three nodes give one
// channel_occupied, concurrent leaves one channel_vacated after the delay, and a re-join on
// another node within the delay neither; a node that stops cleanly takes its members along.

import { scenario, app, check, checkEqual, collect, subscribed, jsonOk, sleep, until, needRedis, Redis, startNodes } from './cluster.mjs';

needRedis();

const APP = app('pr-app');
const CH = 'presence-room';
const DELAY = 500;
const ANN = { user_id: '1', user_info: { name: 'Ann' } };
const BOB = { user_id: '2', user_info: { name: 'Bob' } };
const CID = { user_id: '3', user_info: { name: 'Cid' } };

const occupied = (channel) => ({ name: 'channel_occupied', channel });
const vacated = (channel) => ({ name: 'channel_vacated', channel });
const added = (channel, user_id) => ({ name: 'member_added', channel, user_id });
const removed = (channel, user_id) => ({ name: 'member_removed', channel, user_id });

function membersOf(channel) {
  const out = {};
  channel.members.each((m) => (out[m.id] = m.info));
  return out;
}

scenario('cluster-presence', async (t) => {
  const redis = await new Redis(t).start();
  const receiver = await t.webhookReceiver();
  const [a, b, c] = await startNodes(t, redis, 3, {
    apps: [APP],
    server: { 'webhook-batch-window': 50, 'webhook-vacated-delay': DELAY, 'webhook-timeout': 2000, 'webhook-retry-initial': 100, 'webhook-retry-max': 200 },
    webhooks: [{ name: 'all', app: APP.id, url: receiver.expect('/all', APP) }],
  });
  const api = await a.api(APP);
  const hooks = () => receiver.events('/all');
  const hooksOf = (pred) => hooks().filter(pred);

  t.step('Ann on A, Bob on B, Cid on C: each subscription_succeeded lists everyone so far');
  const ann = await t.pusherJs(a, { app: APP, user: ANN, label: 'ann@A' });
  const annCh = ann.subscribe(CH);
  checkEqual((await subscribed(annCh)).count, 1, 'members seen by Ann');
  const annAdded = collect(annCh, 'pusher:member_added');
  const annRemoved = collect(annCh, 'pusher:member_removed');
  const bob = await t.pusherJs(b, { app: APP, user: BOB, label: 'bob@B' });
  const bobCh = bob.subscribe(CH);
  await subscribed(bobCh);
  checkEqual(membersOf(bobCh), { 1: ANN.user_info, 2: BOB.user_info }, 'members seen by Bob on B');
  const cid = await t.echo(c, { app: APP.id, user: CID, label: 'cid@C (laravel-echo)' });
  const here = await new Promise((resolve) => cid.join('room').here(resolve));
  checkEqual(here.map((m) => m.name).sort(), ['Ann', 'Bob', 'Cid'], 'laravel-echo here() on C');
  await annAdded.next(2, 'member_added for Bob and Cid at Ann');
  checkEqual(annAdded.map((e) => e.data.id), ['2', '3'], 'member_added at Ann');

  t.step('Bob again, on C: listed, but nobody is told he joined');
  const bob2 = await t.connect(c, { key: APP.key, label: 'bob#2@C' });
  const auth = api.authorizeChannel(bob2.socketId, CH, BOB);
  const ok = await bob2.subscribe(CH, auth.auth, auth.channel_data);
  const presence = JSON.parse(ok.data).presence;
  checkEqual([...presence.ids].sort(), ['1', '2', '3'], 'ids for Bob#2');
  checkEqual(presence.count, 3, 'count: distinct users');
  const fence = collect(annCh, 'fence');
  await jsonOk(api.trigger(CH, 'fence', { n: 1 }), 'fence 1');
  await fence.next(1, 'fence 1 at Ann');
  checkEqual(annAdded.length, 2, 'no member_added for Bob#2');

  t.step('Bob leaves B: still on C, nothing; then C too: member_removed once');
  bob.disconnect();
  await jsonOk(api.trigger(CH, 'fence', { n: 2 }), 'fence 2');
  await fence.next(2, 'fence 2 at Ann');
  await sleep(100);
  await jsonOk(api.trigger(CH, 'fence', { n: 3 }), 'fence 3');
  await fence.next(3, 'fence 3 at Ann');
  checkEqual(annRemoved.length, 0, 'no member_removed while Bob is on C');
  bob2.ws.close();
  await annRemoved.next(1, 'member_removed for Bob at Ann');
  checkEqual(annRemoved[0].data.id, '2', 'member_removed user');
  await jsonOk(api.trigger(CH, 'fence', { n: 4 }), 'fence 4');
  await fence.next(4, 'fence 4 at Ann');
  checkEqual(annRemoved.length, 1, 'member_removed once');

  t.step('webhooks: one occupied, member_added per user once, member_removed for Bob once');
  await receiver.waitFor(() => hooksOf((e) => e.name === 'member_removed').length >= 1, 'member_removed webhook', DELAY + 5000);
  await sleep(DELAY + 300);
  // Each webhook comes from the node that saw the transition: their order across nodes is
  // not the order of events, their set is exact.
  const byName = (x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y));
  checkEqual(hooksOf((e) => e.channel === CH).sort(byName), [occupied(CH), added(CH, '1'), added(CH, '2'), added(CH, '3'), removed(CH, '2')].sort(byName), 'webhooks of presence-room');

  t.step('concurrent subscribes on three nodes: one channel_occupied');
  const raws = [];
  for (const [i, node] of [a, b, c].entries()) raws.push(await t.connect(node, { key: APP.key, label: `raw@${'ABC'[i]}` }));
  await Promise.all(raws.map((r) => r.subscribe('race-1')));
  await receiver.waitFor(() => hooksOf((e) => e.channel === 'race-1').length >= 1, 'occupied for race-1');
  t.step('concurrent leaves: one channel_vacated after the delay');
  for (const r of raws) r.send({ event: 'pusher:unsubscribe', data: { channel: 'race-1' } });
  await receiver.waitFor(() => hooksOf((e) => e.channel === 'race-1').length >= 2, 'vacated for race-1', DELAY + 5000);

  t.step('leave on A and re-join on B within the delay: neither vacated nor occupied');
  await raws[0].subscribe('race-2');
  await receiver.waitFor(() => hooksOf((e) => e.channel === 'race-2').length >= 1, 'occupied for race-2');
  raws[0].send({ event: 'pusher:unsubscribe', data: { channel: 'race-2' } });
  await raws[1].subscribe('race-2');
  await sleep(DELAY * 2 + 300);
  // A fence webhook: everything generated before has been delivered once it arrives.
  await raws[2].subscribe('fence-hook');
  await receiver.waitFor(() => hooksOf((e) => e.channel === 'fence-hook').length >= 1, 'the fence webhook');
  checkEqual(hooksOf((e) => e.channel.startsWith('race-')), [occupied('race-1'), vacated('race-1'), occupied('race-2')], 'race webhooks');
  check(receiver.problems.length === 0, 'well-formed webhooks');

  t.step('C stops cleanly (SIGTERM): Cid leaves, once, without waiting for node-timeout');
  const before = annRemoved.length;
  await c.stop();
  await annRemoved.next(before + 1, 'member_removed for Cid after C stopped');
  checkEqual(annRemoved[before].data.id, '3', 'the member removed');
  await jsonOk(api.trigger(CH, 'fence', { n: 5 }), 'fence 5');
  await fence.next(5, 'fence 5 at Ann');
  await sleep(1500); // past a node-timeout: a late reap would remove him a second time
  await jsonOk(api.trigger(CH, 'fence', { n: 6 }), 'fence 6');
  await fence.next(6, 'fence 6 at Ann');
  checkEqual(annRemoved.length, before + 1, 'member_removed for Cid once');
});
