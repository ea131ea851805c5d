// Presence channels with pusher-js: the member list on subscribe,
// member_added / member_removed, and the first-socket / last-socket rule for
// a user connected twice.  Raw frames check ids/hash/count exactly.

import { scenario, app, check, checkEqual, collect, subscribed, jsonOk, show } from './harness.mjs';

const APP = app('presence-app');
const CH = 'presence-chat.1';
const ANN = { user_id: '1', user_info: { name: 'Ann' } };
const BOB = { user_id: '2', user_info: { name: 'Bob', twitter: '@bob' } };

function membersOf(channel) {
  const out = {};
  channel.members.each((m) => (out[m.id] = m.info));
  return out;
}

scenario('presence', async (t) => {
  const server = await t.crier({ config: { apps: [APP] } });
  const api = await server.api(APP);

  t.step('Ann joins: the member list contains only her');
  const ann = await t.pusherJs(server, { app: APP, user: ANN, label: 'ann' });
  const annCh = ann.subscribe(CH);
  const annMembers = await subscribed(annCh);
  checkEqual(annMembers.count, 1, 'member count seen by Ann');
  checkEqual(annMembers.me, { id: '1', info: { name: 'Ann' } }, 'members.me for Ann');
  const added = collect(annCh, 'pusher:member_added');
  const removed = collect(annCh, 'pusher:member_removed');
  const annMarker = collect(annCh, 'marker');
  let markers = 0;
  // A marker event published after an action proves (by per-connection
  // ordering) that nothing else was sent to Ann for that action.
  const sync = async (what) => {
    markers += 1;
    await jsonOk(api.trigger(CH, 'marker', `{"n":${markers}}`), `POST /events (marker after ${what})`);
    await annMarker.next(markers, `marker after ${what}`);
  };

  t.step('Bob joins from pusher-js: Ann gets member_added, Bob sees both');
  const bob = await t.pusherJs(server, { app: APP, user: BOB, label: 'bob' });
  const bobCh = bob.subscribe(CH);
  const bobMembers = await subscribed(bobCh);
  checkEqual(bobMembers.count, 2, 'member count seen by Bob');
  checkEqual(membersOf(bobCh), { 1: ANN.user_info, 2: BOB.user_info }, 'members seen by Bob');
  const a1 = await added.next(1, "Ann's member_added for Bob");
  checkEqual(a1.data, { id: '2', info: BOB.user_info }, 'member_added for Bob');
  checkEqual(annCh.members.count, 2, "Ann's member count after Bob joined");

  t.step('Bob joins again on a second (raw) connection: no member_added for Ann');
  const bob2 = await t.connect(server, { key: APP.key, label: 'bob#2' });
  const auth = api.authorizeChannel(bob2.socketId, CH, BOB);
  const ok = await bob2.subscribe(CH, auth.auth, auth.channel_data);
  check(typeof ok.data === 'string', `presence subscription_succeeded data must be a JSON string, got ${show(ok.data)}`);
  const presence = JSON.parse(ok.data);
  check(presence && presence.presence, `subscription_succeeded data must have a "presence" object: ${show(ok.data)}`);
  checkEqual([...presence.presence.ids].sort(), ['1', '2'], 'presence.ids (distinct users, as strings)');
  checkEqual(presence.presence.hash, { 1: ANN.user_info, 2: BOB.user_info }, 'presence.hash');
  checkEqual(presence.presence.count, 2, 'presence.count (distinct users, not connections)');
  await sync('Bob\'s second connection joined');
  checkEqual(added.length, 1, "Ann's member_added events after Bob's second socket joined (first-socket rule)");

  t.step('HTTP API sees 2 users');
  const users = await jsonOk(api.get({ path: `/channels/${CH}/users` }), 'GET /channels/{name}/users');
  checkEqual(users.users.map((u) => u.id).sort(), ['1', '2'], `users in the presence channel (${show(users)})`);
  checkEqual(await jsonOk(api.get({ path: `/channels/${CH}`, params: { info: 'user_count' } }), 'GET /channels/{name}?info=user_count'),
    { occupied: true, user_count: 2 }, 'channel info');

  t.step('Bob\'s first connection leaves: no member_removed (his second socket is still in)');
  bob.unsubscribe(CH);
  await sync('Bob\'s pusher-js connection unsubscribed');
  checkEqual(removed.length, 0, "Ann's member_removed events while Bob still has a socket (last-socket rule)");
  checkEqual(annCh.members.count, 2, "Ann's member count");

  t.step('Bob\'s pusher-js connection rejoins (still no member_added) and disconnects');
  const bobCh2 = bob.subscribe(CH);
  await subscribed(bobCh2, "Bob's re-subscription");
  checkEqual(bobCh2.members.count, 2, 'member count after re-subscribe');
  bob.disconnect();
  await sync('Bob\'s pusher-js client disconnected');
  checkEqual(added.length, 1, "Ann's member_added events (Bob never left)");
  checkEqual(removed.length, 0, "Ann's member_removed events while Bob's raw socket is still in");

  t.step('Bob\'s last connection closes: member_removed for Ann');
  bob2.ws.close(1000);
  const r1 = await removed.next(1, "Ann's member_removed for Bob");
  checkEqual(r1.data, { id: '2', info: BOB.user_info }, 'member_removed (pusher-js keeps the stored info)');
  checkEqual(annCh.members.count, 1, "Ann's member count after Bob left");

  t.step('raw observer sees exact member_added / member_removed frames; numeric user_id');
  const obs = await t.connect(server, { key: APP.key, label: 'observer' });
  const obsUser = { user_id: '99', user_info: { name: 'Observer' } };
  const obsAuth = api.authorizeChannel(obs.socketId, CH, obsUser);
  await obs.subscribe(CH, obsAuth.auth, obsAuth.channel_data);
  checkEqual((await added.next(2, "Ann's member_added for the observer")).data, { id: '99', info: { name: 'Observer' } }, 'member_added for the observer');
  const carol = await t.connect(server, { key: APP.key, label: 'carol' });
  const carolUser = { user_id: 3, user_info: { name: 'Carol' } }; // numeric id, as older SDKs send
  const carolAuth = api.authorizeChannel(carol.socketId, CH, carolUser);
  const carolOk = await carol.subscribe(CH, carolAuth.auth, carolAuth.channel_data);
  checkEqual(JSON.parse(carolOk.data).presence.count, 3, 'presence.count after Carol joined');
  const ma = await obs.waitEvent('pusher_internal:member_added', CH);
  check(typeof ma.data === 'string', `member_added data must be a JSON string: ${show(ma)}`);
  checkEqual(JSON.parse(ma.data), { user_id: '3', user_info: { name: 'Carol' } }, 'member_added data (numeric user_id emitted as a string)');
  const annAdded = await added.next(3, "Ann's member_added for Carol");
  checkEqual(annAdded.data, { id: '3', info: { name: 'Carol' } }, 'member_added for Carol in pusher-js');
  carol.send({ event: 'pusher:unsubscribe', data: { channel: CH } });
  const mr = await obs.waitEvent('pusher_internal:member_removed', CH);
  checkEqual(JSON.parse(mr.data), { user_id: '3' }, 'member_removed data');
  await removed.next(2, "Ann's member_removed for Carol");
  check(carol.since(0, (j) => j.event === 'pusher_internal:member_added' || j.event === 'pusher_internal:member_removed').length === 0,
    `a member must not receive its own member_added/member_removed: ${carol.dump()}`);

  t.step('a bad presence signature (channel_data altered) is refused');
  const eve = await t.connect(server, { key: APP.key, label: 'eve' });
  const eveAuth = api.authorizeChannel(eve.socketId, CH, { user_id: '5', user_info: { name: 'Eve' } });
  const forged = '{"user_id":"1","user_info":{"name":"Eve"}}';
  eve.send({ event: 'pusher:subscribe', data: { auth: eveAuth.auth, channel: CH, channel_data: forged } });
  const e = await eve.waitFor((j) => j.event === 'pusher:error' || j.event === 'pusher_internal:subscription_succeeded', 'answer to a forged channel_data');
  checkEqual(e.data, {
    code: null,
    message: `Invalid signature: Expected HMAC SHA256 hex digest of ${eve.socketId}:${CH}:${forged}, but got ${eveAuth.auth.split(':')[1]}`,
  }, 'pusher:error for forged channel_data');
  await sync('forged subscription');

  t.step('correctly signed but malformed channel_data is refused');
  const { createHmac } = await import('node:crypto');
  for (const [cd, what] of [['{"user_info":{"name":"x"}}', 'no user_id'], ['not json', 'not JSON'], ['[1,2]', 'not an object'],
    ['{"user_id":"","user_info":{}}', 'empty user_id']]) {
    const sig = createHmac('sha256', APP.secret).update(`${eve.socketId}:${CH}:${cd}`).digest('hex');
    eve.send({ event: 'pusher:subscribe', data: { auth: `${APP.key}:${sig}`, channel: CH, channel_data: cd } });
    const f = await eve.waitFor((j) => j.event === 'pusher:error' || j.event === 'pusher_internal:subscription_succeeded', `answer to channel_data with ${what}`);
    check(f.event === 'pusher:error', `channel_data with ${what} must be refused, got ${show(f)}`);
    checkEqual(f.data.code, null, `error code for channel_data with ${what}`);
    t.log(`  channel_data with ${what}: ${show(f.data)}`);
  }
  t.step('presence subscribe without channel_data and without sign-in is refused');
  eve.send({ event: 'pusher:subscribe', data: { auth: api.authorizeChannel(eve.socketId, CH).auth, channel: CH } });
  const nocd = await eve.waitFor((j) => j.event === 'pusher:error' || j.event === 'pusher_internal:subscription_succeeded', 'answer to presence without channel_data');
  check(nocd.event === 'pusher:error', `presence without channel_data (not signed in) must be refused, got ${show(nocd)}`);
  await sync('malformed subscriptions');
  checkEqual(added.length, 3, "Ann's member_added events after malformed subscriptions");

  t.step('a second socket with different user_info does not change what others see');
  const bob3 = await t.connect(server, { key: APP.key, label: 'ann#2' });
  const a3 = api.authorizeChannel(bob3.socketId, CH, { user_id: '1', user_info: { name: 'Ann (tab 2)' } });
  const ok3 = await bob3.subscribe(CH, a3.auth, a3.channel_data);
  checkEqual(JSON.parse(ok3.data).presence.hash['1'], { name: 'Ann' }, "user_info of user 1 (the first socket's)");
  const users2 = await jsonOk(api.get({ path: `/channels/${CH}/users` }), 'GET users');
  checkEqual(users2.users.map((u) => u.id).sort(), ['1', '99'], 'users after all the joins and leaves');
  checkEqual(added.length, 3, "Ann's member_added events after a refused subscription");
});
