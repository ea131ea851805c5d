// Webhooks and page reloads (pusher-protocol.md §15.3): channel_vacated and
// member_removed wait webhook-vacated-delay; a client that leaves and comes
// back within it produces neither channel_vacated + channel_occupied nor
// member_removed + member_added.  Leaving for longer sends them, after the
// delay; another user joining within the delay still gets its member_added
// at once while the leaver's member_removed follows the delay.
//
// Each "leave" is confirmed in crier's --verbose monitor stream (the
// server-side channel_vacated / member_removed lines) before the rejoin, so
// the reload really emptied the channel.  Absence is proven with a marker
// generated after the delay expired (one request in flight per URL, in
// generation order).

import { join } from 'node:path';
import { scenario, app, check, checkEqual, subscribed, roundTrip, sleep, until, show } from './harness.mjs';

const APP = app('reload-app');
const DELAY = 1200; // webhook-vacated-delay
const ANN = { user_id: '1', user_info: { name: 'Ann' } };
const CAROL = { user_id: '3', user_info: { name: 'Carol' } };

const occupied = (channel) => ({ name: 'channel_occupied', channel });
const vacated = (channel) => ({ name: 'channel_vacated', channel });
const added = (channel, user_id) => ({ name: 'member_added', channel, user_id });
const removed = (channel, user_id) => ({ name: 'member_removed', channel, user_id });

scenario('webhooks-reload', async (t) => {
  const receiver = await t.webhookReceiver();
  const config = {
    server: {
      'webhook-batch-window': 50,
      'webhook-vacated-delay': DELAY,
      'webhook-retry-initial': 100,
      'webhook-spool': join(t.tempDir(), 'spool.jsonl'),
    },
    apps: [APP],
    webhooks: [
      { name: 'all', app: APP.id, url: receiver.expect('/all', APP) },
      { name: 'members', app: APP.id, url: receiver.expect('/members', APP), events: ['member_added', 'member_removed'] },
    ],
  };
  const server = await t.crier({ config, extraArgs: ['--verbose'] });
  const api = await server.api(APP);

  const exp = { '/all': [], '/members': [] };
  const want = (path, ...events) => exp[path].push(...events);
  const settle = async (what) => {
    for (const path of Object.keys(exp)) {
      await receiver.waitEvents(path, exp[path].length, what);
      checkEqual(receiver.events(path), exp[path], `webhook events on ${path} after ${what}`);
    }
  };
  const mk = await t.connect(server, { key: APP.key, label: 'marker' });
  let markers = 0;
  const mark = async (what) => {
    markers += 1;
    const pch = `presence-marker-${markers}`;
    const a = api.authorizeChannel(mk.socketId, pch, { user_id: 'marker', user_info: {} });
    await mk.subscribe(pch, a.auth, a.channel_data);
    want('/all', occupied(pch), added(pch, 'marker'));
    want('/members', added(pch, 'marker'));
    await settle(`${what} (marker ${markers})`);
  };
  // The server-side (monitor) record of a leave, printed by --verbose at once:
  // wait for the n-th such line (default: one more than now is not known, so 1).
  const leaves = (kind, socket, channel, user) =>
    server.monitor(kind).filter((l) => l.line.includes(` socket=${socket} `) && l.line.includes(` channel=${channel}`) &&
      (user === undefined || l.line.includes(` user=${user}`))).length;
  const sawLeave = (kind, socket, channel, user, n = 1) =>
    until(() => leaves(kind, socket, channel, user) >= n,
      `crier's monitor line #${n} ${kind} socket=${socket} channel=${channel}${user ? ` user=${user}` : ''}`);
  const joinBoth = async (label) => {
    const c = await t.pusherJs(server, { app: APP, user: ANN, label });
    await subscribed(c.subscribe('presence-room'));
    await subscribed(c.subscribe('private-chat'));
    return c;
  };

  t.step('Ann joins presence-room and private-chat');
  const ann = await joinBoth('ann');
  want('/all', occupied('presence-room'), added('presence-room', '1'), occupied('private-chat'));
  want('/members', added('presence-room', '1'));
  await settle('Ann joined');

  t.step('reload: Ann disconnects and a new pusher-js connection of hers rejoins within the delay');
  const oldSocket = ann.connection.socket_id;
  const leftAt = Date.now();
  ann.disconnect();
  await sawLeave('member_removed', oldSocket, 'presence-room', '1');
  await sawLeave('channel_vacated', oldSocket, 'presence-room');
  await sawLeave('channel_vacated', oldSocket, 'private-chat');
  const ann2 = await joinBoth('ann (reloaded)');
  const back = Date.now() - leftAt;
  t.log(`  Ann was away ${back} ms`);
  check(back < DELAY - 200, `the reload took ${back} ms, too close to webhook-vacated-delay (${DELAY} ms) to test anything`);
  await sleep(leftAt + DELAY + 300 - Date.now());
  await mark('a reload within the delay');

  t.step('leave and rejoin twice within the delay, then leave: one channel_vacated, the delay after the last leave');
  let lastLeave = 0;
  for (let i = 0; i < 2; i++) {
    lastLeave = Date.now();
    ann2.unsubscribe('private-chat');
    await sawLeave('channel_vacated', ann2.connection.socket_id, 'private-chat', undefined, i + 1);
    await roundTrip(ann2);
    if (i === 0) {
      await sleep(DELAY / 2);
      await subscribed(ann2.subscribe('private-chat'));
      await sleep(DELAY / 2 - 100);
    }
  }
  want('/all', vacated('private-chat'));
  await settle('private-chat left, rejoined, left again');
  const vac = receiver.delivered('/all').find((r) => r.json.events.some((e) => e.name === 'channel_vacated'));
  check(vac.at - lastLeave >= DELAY - 20, `channel_vacated arrived ${vac.at - lastLeave} ms after the last leave (delay ${DELAY} ms): the first leave's timer was not cancelled`);
  await sleep(Math.max(0, lastLeave + DELAY + 300 - Date.now()));
  await mark('after the channel_vacated');

  t.step("another user joins within the delay: her member_added at once, the leaver's member_removed after the delay, no vacated/occupied");
  const annSocket = ann2.connection.socket_id;
  const goneAt = Date.now();
  ann2.unsubscribe('presence-room');
  await sawLeave('channel_vacated', annSocket, 'presence-room');
  const carol = await t.pusherJs(server, { app: APP, user: CAROL, label: 'carol' });
  const joinAt = Date.now();
  await subscribed(carol.subscribe('presence-room'));
  want('/all', added('presence-room', '3'));
  want('/members', added('presence-room', '3'));
  await settle('Carol joined while Ann had just left');
  const carolReq = receiver.delivered('/members').find((r) => r.json.events.some((e) => e.user_id === '3'));
  check(carolReq.at - joinAt < DELAY - 200, `member_added for Carol took ${carolReq.at - joinAt} ms: it must not wait for the vacated delay`);
  want('/all', removed('presence-room', '1'));
  want('/members', removed('presence-room', '1'));
  await settle("Ann's member_removed");
  const annReq = receiver.delivered('/members').find((r) => r.json.events.some((e) => e.name === 'member_removed'));
  check(annReq.at - goneAt >= DELAY - 20, `member_removed for Ann arrived ${annReq.at - goneAt} ms after she left, before the delay (${DELAY} ms)`);
  await sleep(Math.max(0, goneAt + DELAY + 300 - Date.now()));
  await mark("after Ann's member_removed (no channel_vacated: Carol kept presence-room occupied)");

  t.step('leaving for longer than the delay: channel_vacated and member_removed, then channel_occupied and member_added again');
  const carolSocket = carol.connection.socket_id;
  const carolLeft = Date.now();
  carol.disconnect();
  await sawLeave('channel_vacated', carolSocket, 'presence-room');
  want('/all', removed('presence-room', '3'), vacated('presence-room'));
  want('/members', removed('presence-room', '3'));
  await settle('Carol left for good');
  const both = receiver.delivered('/all').filter((r) => r.json.events.some((e) => e.user_id === '3' && e.name === 'member_removed'));
  checkEqual(both.map((r) => r.json.events), [[removed('presence-room', '3'), vacated('presence-room')]],
    'member_removed and channel_vacated of one leave share a request');
  check(both[0].at - carolLeft >= DELAY - 20, `Carol's member_removed arrived ${both[0].at - carolLeft} ms after she left`);
  const carol2 = await t.pusherJs(server, { app: APP, user: CAROL, label: 'carol (back later)' });
  await subscribed(carol2.subscribe('presence-room'));
  want('/all', occupied('presence-room'), added('presence-room', '3'));
  want('/members', added('presence-room', '3'));
  await settle('Carol came back after the delay');

  receiver.assertClean();
  checkEqual(server.monitor('webhook_failed').length, 0, `webhook_failed lines: ${show(server.monitor('webhook_failed'))}`);
});
