// User authentication: pusher-js signin() with a user-auth answer made by
// the SDK → pusher:signin_success; sendToUser() reaches every connection
// signed in as that user through #server-to-user-<id>; nobody else can
// subscribe to that channel; a bad signature is refused; presence without
// channel_data uses the signed-in user; terminate_connections.

import { createHmac } from 'node:crypto';
import { scenario, app, check, checkEqual, collect, subscribed, jsonOk, show, within } from './harness.mjs';

const APP = app('user-app');
const USER = { id: '42', user_info: { name: 'Ann' } };

async function signinRaw(raw, api, user) {
  const a = api.authenticateUser(raw.socketId, user);
  raw.send({ event: 'pusher:signin', data: { auth: a.auth, user_data: a.user_data } });
  const f = await raw.waitFor((j) => j.event === 'pusher:signin_success' || j.event === 'pusher:error', `answer to pusher:signin as ${user.id}`);
  check(f.event === 'pusher:signin_success', `${raw.label}: sign-in as ${user.id} failed: ${show(f)}`);
  return { frame: f, userData: a.user_data };
}

scenario('user', async (t) => {
  const server = await t.crier({ config: { apps: [APP] } });
  const api = await server.api(APP);

  t.step('pusher-js signin() → signin_success');
  const client = await t.pusherJs(server, { app: APP, signin: USER });
  const messages = [];
  client.connection.bind('message', (m) => messages.push(m));
  const userEvents = collect(client.user, 'order-updated');
  client.signin();
  await within(client.user.signinDonePromise, 'pusher-js sign-in to complete (pusher:signin_success)');
  checkEqual(client.user.user_data, USER, 'user_data seen by pusher-js');
  const serverToUser = await within((async () => {
    while (!client.user.serverToUserChannel || !client.user.serverToUserChannel.subscribed) await new Promise((r) => setTimeout(r, 20));
  })(), 'pusher-js subscription to #server-to-user-42');
  void serverToUser;

  t.step('raw: exact signin_success frame, then #server-to-user-42 subscription');
  const raw = await t.connect(server, { key: APP.key, label: 'raw 42' });
  const { frame, userData } = await signinRaw(raw, api, USER);
  checkEqual(frame, { event: 'pusher:signin_success', data: { user_data: userData } }, 'pusher:signin_success frame (data is an object holding the same user_data string)');
  const ok = await raw.subscribe('#server-to-user-42');
  checkEqual(ok, { event: 'pusher_internal:subscription_succeeded', data: '{}', channel: '#server-to-user-42' }, 'subscription_succeeded for #server-to-user-42');

  t.step('sendToUser reaches every connection of user 42, and nobody else');
  const other = await t.connect(server, { key: APP.key, label: 'raw 7' });
  await signinRaw(other, api, { id: '7' });
  const stranger = await t.connect(server, { key: APP.key, label: 'not signed in' });
  checkEqual(await jsonOk(api.sendToUser('42', 'order-updated', { id: 7 }), 'sendToUser 42'), {}, 'sendToUser response');
  checkEqual((await userEvents.next(1, 'order-updated via pusher.user.bind')).data, { id: 7 }, 'server-to-user data in pusher-js');
  checkEqual(await raw.waitEvent('order-updated'), { event: 'order-updated', channel: '#server-to-user-42', data: '{"id":7}' }, 'server-to-user frame');
  await jsonOk(api.sendToUser('7', 'for-seven', 'x'), 'sendToUser 7');
  await other.waitEvent('for-seven', '#server-to-user-7');
  check(other.since(0, (j) => j.event === 'order-updated').length === 0, `user 7 received user 42's event: ${other.dump()}`);
  check(raw.since(0, (j) => j.event === 'for-seven').length === 0, `user 42 received user 7's event: ${raw.dump()}`);

  t.step('sendToUser / terminate for a user with no connection: 200 {}');
  checkEqual(await jsonOk(api.sendToUser('nobody', 'x', '{}'), 'sendToUser nobody'), {}, 'sendToUser without connections');
  checkEqual(await jsonOk(api.terminateUserConnections('nobody'), 'terminate nobody'), {}, 'terminate without connections');

  t.step('signing in again: same id succeeds, a different id fails');
  await signinRaw(raw, api, USER);
  const other2 = api.authenticateUser(raw.socketId, { id: '43' });
  raw.send({ event: 'pusher:signin', data: other2 });
  const sw = await raw.waitFor((j) => j.event === 'pusher:signin_success' || j.event === 'pusher:error', 'answer to sign-in as another user');
  check(sw.event === 'pusher:error', `sign-in as 43 on a connection signed in as 42 must fail, got ${show(sw)}`);
  t.log(`  second sign-in as another user: ${show(sw.data)}${raw.closeInfo ? ` close ${show(raw.closeInfo)}` : ''}`);
  check(!raw.closeInfo, `the connection should stay open after a refused second sign-in: ${show(raw.closeInfo)}`);
  await jsonOk(api.sendToUser('43', 'for-43', '{}'), 'sendToUser 43');
  await jsonOk(api.sendToUser('42', 'still-42', '{}'), 'sendToUser 42 (still)');
  await raw.waitEvent('still-42');
  check(raw.since(0, (j) => j.event === 'for-43').length === 0, `connection of 42 got 43's event after a refused sign-in: ${raw.dump()}`);

  t.step('a connection not signed in as 42 cannot subscribe to #server-to-user-42');
  for (const c of [stranger, other]) {
    c.send({ event: 'pusher:subscribe', data: { auth: '', channel: '#server-to-user-42' } });
    const f = await c.waitFor((j) => (j.event === 'pusher_internal:subscription_succeeded' && j.channel === '#server-to-user-42') || j.event === 'pusher:error',
      'answer to subscribing to someone else\'s #server-to-user channel');
    check(f.event === 'pusher:error', `${c.label}: subscribing to #server-to-user-42 must be refused, got ${show(f)}`);
  }
  await jsonOk(api.sendToUser('42', 'private-note', '{}'), 'sendToUser 42 (#2)');
  await raw.waitEvent('private-note');
  await jsonOk(api.sendToUser('7', 'sync', '{}'), 'sendToUser 7 (sync)');
  await other.waitEvent('sync');
  stranger.send({ event: 'pusher:ping', data: {} });
  await stranger.waitEvent('pusher:pong');
  for (const c of [stranger, other])
    check(c.since(0, (j) => j.event === 'private-note').length === 0, `${c.label} received user 42's private-note: ${c.dump()}`);

  t.step('sign-in with a bad signature is refused');
  const forger = await t.connect(server, { key: APP.key, label: 'forger' });
  const good = api.authenticateUser(forger.socketId, { id: '99' });
  forger.send({ event: 'pusher:signin', data: { auth: good.auth, user_data: JSON.stringify({ id: '42' }) } });
  const fe = await forger.waitFor((j) => j.event === 'pusher:error' || j.event === 'pusher:signin_success', 'answer to a forged pusher:signin');
  check(fe.event === 'pusher:error', `forged sign-in must be refused, got ${show(fe)}`);
  t.log(`  forged sign-in: ${show(fe.data)}${forger.closeInfo ? ` then close ${show(forger.closeInfo)}` : ''}`);
  if (!forger.closeInfo) {
    forger.send({ event: 'pusher:subscribe', data: { auth: '', channel: '#server-to-user-42' } });
    const f2 = await forger.waitFor((j) => j.event === 'pusher:error' || j.event === 'pusher_internal:subscription_succeeded', 'answer to #server-to-user-42 after a failed sign-in');
    check(f2.event === 'pusher:error', `after a failed sign-in, #server-to-user-42 must be refused: ${show(f2)}`);
  }

  t.step('a numeric user id in user_data is refused');
  const numeric = await t.connect(server, { key: APP.key, label: 'numeric' });
  // The SDK refuses to sign this, so sign by hand (same recipe as authenticateUser).
  const numericData = '{"id":5}';
  const numericSig = createHmac('sha256', APP.secret).update(`${numeric.socketId}::user::${numericData}`).digest('hex');
  numeric.send({ event: 'pusher:signin', data: { auth: `${APP.key}:${numericSig}`, user_data: numericData } });
  const nf = await numeric.waitFor((j) => j.event === 'pusher:error' || j.event === 'pusher:signin_success', 'answer to a sign-in with a numeric id');
  check(nf.event === 'pusher:error', `sign-in with a numeric id must be refused (pusher-js discards it), got ${show(nf)}`);

  t.step('presence subscription without channel_data uses the signed-in user');
  const watcher = await t.connect(server, { key: APP.key, label: 'watcher' });
  const wAuth = api.authorizeChannel(watcher.socketId, 'presence-room', { user_id: '1', user_info: { name: 'W' } });
  await watcher.subscribe('presence-room', wAuth.auth, wAuth.channel_data);
  const pres = await raw.subscribe('presence-room', api.authorizeChannel(raw.socketId, 'presence-room').auth);
  checkEqual(JSON.parse(pres.data).presence.hash, { 1: { name: 'W' }, 42: { name: 'Ann' } }, 'presence.hash with the signed-in user (no channel_data)');
  const joined = await watcher.waitEvent('pusher_internal:member_added', 'presence-room');
  checkEqual(JSON.parse(joined.data), { user_id: '42', user_info: { name: 'Ann' } }, 'member_added for a signed-in user without channel_data');

  t.step('pusher-js: presence auth without channel_data after signin() (identity from the sign-in)');
  const room = client.subscribe('presence-lobby');
  const lobbyMembers = await subscribed(room, 'pusher-js presence-lobby subscription (auth without channel_data)');
  checkEqual(lobbyMembers.me, { id: '42', info: { name: 'Ann' } }, 'members.me from the signed-in user');
  checkEqual(client.authCalls.find((c) => c.channelName === 'presence-lobby') !== undefined, true, 'pusher-js asked for a presence-lobby authorisation');

  t.step('terminate_connections closes user 42\'s connections only');
  const disconnected = new Promise((resolve) => client.connection.bind('state_change', (s) => {
    if (s.current !== 'connected') resolve(s);
  }));
  checkEqual(await jsonOk(api.terminateUserConnections('42'), 'POST /users/42/terminate_connections'), {}, 'terminate_connections response');
  const closed = await raw.waitClose('user 42\'s raw connection to be closed by terminate_connections');
  t.log(`  terminate_connections closed raw 42 with ${show(closed)}`);
  check(closed.code >= 4000 && closed.code <= 4299,
    `terminate_connections should close with a Pusher close code (4000-4299; 4009 recommended), got ${show(closed)}`);
  await within(disconnected, 'pusher-js (user 42) to lose its connection');
  const left = await watcher.waitEvent('pusher_internal:member_removed', 'presence-room');
  checkEqual(JSON.parse(left.data), { user_id: '42' }, 'member_removed after terminate_connections');
  for (const c of [other, stranger, watcher]) {
    c.send({ event: 'pusher:ping', data: {} });
    await c.waitEvent('pusher:pong');
    check(!c.closeInfo, `${c.label} was closed by terminate_connections of user 42`);
  }
});
