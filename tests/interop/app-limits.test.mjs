// Per-app settings from the config file: max-connections (4004),
// allowed-origins (4009), max-presence-members, and user-authentication
// (connections that neither sign in nor subscribe to a private/presence
// channel within user-authentication-timeout are closed with 4009).

import { scenario, app, check, checkEqual, show, until, sleep } from './harness.mjs';

const CAPPED = app('capped', { 'max-connections': 2 });
const ORIGINS = app('origins', { 'allowed-origins': 'http://localhost:5173;https://app.example' });
const SMALL = app('small', { 'max-presence-members': 2 });
const AUTHED = app('authed', { 'user-authentication': true, 'user-authentication-timeout': 1 });

async function refused(t, server, opts, code, what) {
  const c = await t.raw(server, { ...opts, label: what });
  const close = await c.waitClose(`close ${code} for ${what}`);
  t.log(`  ${what}: frames ${c.dump() || '(none)'}; close ${show(close)}`);
  checkEqual(close.code, code, `${what}: close code`);
  const first = c.frames[0];
  check(first && first.json && first.json.event === 'pusher:error',
    `${what}: expected a pusher:error frame before the close, got ${first ? show(first.text) : 'no frame'}`);
  checkEqual(first.json.data && first.json.data.code, code, `${what}: pusher:error code`);
  return c;
}

scenario('app-limits', async (t) => {
  const server = await t.crier({ config: { apps: [CAPPED, ORIGINS, SMALL, AUTHED] } });

  t.step('max-connections=2: the third connection is refused with 4004');
  const c1 = await t.connect(server, { key: CAPPED.key, label: 'capped 1' });
  const c2 = await t.connect(server, { key: CAPPED.key, label: 'capped 2' });
  await refused(t, server, { key: CAPPED.key }, 4004, 'third connection over max-connections');
  const other = await t.connect(server, { key: SMALL.key, label: 'another app' });
  void other;
  t.step('after one closes, a new connection is accepted');
  c1.ws.close(1000);
  await c1.waitClose();
  let c3 = null;
  await until(async () => {
    const c = await t.raw(server, { key: CAPPED.key, label: 'capped 3' });
    const f = await c.nextFrame('first frame');
    if (f && f.json && f.json.event === 'pusher:connection_established') return (c3 = c);
    await c.waitClose().catch(() => {});
    return null;
  }, 'a connection slot to be freed after a close');
  void c2;
  void c3;

  t.step('allowed-origins: a foreign Origin is refused with 4009, listed ones are accepted');
  await refused(t, server, { key: ORIGINS.key, origin: 'http://evil.example' }, 4009, 'Origin http://evil.example');
  await refused(t, server, { key: ORIGINS.key, origin: 'http://localhost:5174' }, 4009, 'Origin http://localhost:5174');
  await t.connect(server, { key: ORIGINS.key, origin: 'http://localhost:5173', label: 'origin localhost:5173' });
  await t.connect(server, { key: ORIGINS.key, origin: 'https://app.example', label: 'origin app.example' });
  await t.connect(server, { key: SMALL.key, origin: 'http://evil.example', label: 'evil origin on an app allowing *' });

  t.step('max-presence-members=2: a third user is refused, a second socket of a member is not');
  const api = await server.api(SMALL);
  const join = async (label, user, expectOk) => {
    const c = await t.connect(server, { key: SMALL.key, label });
    const a = api.authorizeChannel(c.socketId, 'presence-full', user);
    c.send({ event: 'pusher:subscribe', data: { auth: a.auth, channel: 'presence-full', channel_data: a.channel_data } });
    const f = await c.waitFor((j) => j.event === 'pusher:error' || (j.event === 'pusher_internal:subscription_succeeded' && j.channel === 'presence-full'), `answer to ${label} joining`);
    if (expectOk) check(f.event === 'pusher_internal:subscription_succeeded', `${label}: expected to join, got ${show(f)}`);
    else check(f.event === 'pusher:error', `${label}: expected a pusher:error (channel full), got ${show(f)}`);
    return { c, f };
  };
  const u1 = await join('user 1', { user_id: '1', user_info: {} }, true);
  await join('user 2', { user_id: '2', user_info: {} }, true);
  const u3 = await join('user 3', { user_id: '3', user_info: {} }, false);
  t.log(`  full channel: ${show(u3.f.data)}`);
  const again = await join('user 1, second socket', { user_id: '1', user_info: {} }, true);
  checkEqual(JSON.parse(again.f.data).presence.count, 2, 'presence.count after a second socket of user 1');
  u1.c.send({ event: 'pusher:ping', data: {} });
  await u1.c.waitEvent('pusher:pong');
  check(u1.c.since(0, (j) => j.event === 'pusher_internal:member_added' && JSON.parse(j.data).user_id === '3').length === 0,
    'members were told about the refused user 3');

  t.step('user-authentication=true (timeout 1 s): unauthenticated connections are closed with 4009');
  const authApi = await server.api(AUTHED);
  const signedIn = await t.connect(server, { key: AUTHED.key, label: 'signs in' });
  const s = authApi.authenticateUser(signedIn.socketId, { id: '10' });
  signedIn.send({ event: 'pusher:signin', data: s });
  await signedIn.waitEvent('pusher:signin_success');
  const privateSub = await t.connect(server, { key: AUTHED.key, label: 'subscribes private' });
  await privateSub.subscribe('private-x', authApi.authorizeChannel(privateSub.socketId, 'private-x').auth);
  const presenceSub = await t.connect(server, { key: AUTHED.key, label: 'subscribes presence' });
  const pa = authApi.authorizeChannel(presenceSub.socketId, 'presence-x', { user_id: '11', user_info: {} });
  await presenceSub.subscribe('presence-x', pa.auth, pa.channel_data);
  const publicOnly = await t.connect(server, { key: AUTHED.key, label: 'public only' });
  await publicOnly.subscribe('news');
  const idle = await t.connect(server, { key: AUTHED.key, label: 'idle' });
  const started = Date.now();
  for (const c of [publicOnly, idle]) {
    const close = await c.waitClose('close 4009 after user-authentication-timeout');
    checkEqual(close.code, 4009, `${c.label}: close code after user-authentication-timeout`);
    for (const e of c.since(0, (j) => j.event === 'pusher:error'))
      checkEqual(e.data && e.data.code, 4009, `${c.label}: pusher:error code before the close`);
  }
  t.log(`  unauthenticated connections closed after ~${Date.now() - started} ms`);
  await sleep(300);
  for (const c of [signedIn, privateSub, presenceSub]) {
    c.send({ event: 'pusher:ping', data: {} });
    await c.waitEvent('pusher:pong');
    check(!c.closeInfo, `${c.label} was closed although authenticated: ${show(c.closeInfo)}`);
  }
});
