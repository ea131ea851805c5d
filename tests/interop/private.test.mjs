// Private channels: a good SDK signature subscribes pusher-js; a signature
// made with the wrong secret gets Pusher's "Invalid signature" pusher:error
// (code null), no subscription and no events.  Also the other auth errors
// Pusher reports with code null (missing auth, wrong key).

import { scenario, app, check, checkEqual, collect, subscribed, jsonOk, show, within } from './harness.mjs';

const APP = app('private-app');
const CHANNEL = 'private-orders.1';

scenario('private', async (t) => {
  const server = await t.crier({ config: { apps: [APP] } });
  const api = await server.api(APP);

  t.step('pusher-js with a correctly signed auth subscribes and receives');
  const good = await t.pusherJs(server, { app: APP, label: 'pusher-js good' });
  const goodChannel = good.subscribe(CHANNEL);
  await subscribed(goodChannel);
  checkEqual(good.authCalls.length, 1, 'channel authorisation calls made by pusher-js');
  const goodEvents = collect(goodChannel, 'OrderUpdated');
  await jsonOk(api.trigger(CHANNEL, 'OrderUpdated', '{"id":1}'), 'POST /events to the private channel');
  checkEqual((await goodEvents.next(1, 'OrderUpdated on the private channel')).data, { id: 1 }, 'private event data');

  t.step('pusher-js with a wrong-secret signature: pusher:error, not subscribed');
  const bad = await t.pusherJs(server, { app: APP, secret: 'not-the-secret', label: 'pusher-js bad' });
  const errorSeen = new Promise((resolve) => bad.connection.bind('error', resolve));
  const messages = [];
  bad.connection.bind('message', (m) => messages.push(m));
  const badChannel = bad.subscribe(CHANNEL);
  const badEvents = collect(badChannel, 'OrderUpdated');
  const err = await within(errorSeen, 'pusher-js connection "error" after a wrong-secret subscribe');
  check(err.type === 'PusherError', `pusher-js error type: expected "PusherError", got ${show(err)}`);
  const wrongSig = (await server.api({ ...APP, secret: 'not-the-secret' })).authorizeChannel(bad.connection.socket_id, CHANNEL).auth.split(':')[1];
  checkEqual(err.data, {
    code: null,
    message: `Invalid signature: Expected HMAC SHA256 hex digest of ${bad.connection.socket_id}:${CHANNEL}, but got ${wrongSig}`,
  }, 'pusher:error data for a wrong signature');
  check(!badChannel.subscribed, 'channel must not be subscribed after a bad signature');
  check(bad.connection.state === 'connected', `connection must stay open after a bad signature (state ${bad.connection.state})`);

  t.step('no event reaches the refused subscriber');
  const marker = bad.subscribe('marker');
  await subscribed(marker);
  const markers = collect(marker, 'marker');
  await jsonOk(api.trigger(CHANNEL, 'OrderUpdated', '{"id":2}'), 'POST /events to the private channel');
  await goodEvents.next(2, 'second OrderUpdated on the good client');
  await jsonOk(api.trigger('marker', 'marker', '{}'), 'POST /events (marker)');
  await markers.next(1, 'marker on the refused client');
  checkEqual(badEvents.length, 0, 'private events received after a refused subscription');
  const leaked = messages.filter((m) => m.channel === CHANNEL && m.event !== 'pusher:error');
  checkEqual(leaked, [], `frames on ${CHANNEL} received by the refused connection`);

  t.step('raw: exact pusher:error frames for missing auth, wrong key, wrong signature');
  const raw = await t.connect(server, { label: 'raw' });
  const cases = [
    { auth: '', expect: `Auth info required to subscribe to ${CHANNEL}`, what: 'empty auth' },
    { auth: `other-key:${'0'.repeat(64)}`, expect: "Invalid key in subscription auth data: 'other-key'", what: 'wrong key part' },
    {
      auth: `${APP.key}:${'ab'.repeat(32)}`,
      expect: `Invalid signature: Expected HMAC SHA256 hex digest of ${raw.socketId}:${CHANNEL}, but got ${'ab'.repeat(32)}`,
      what: 'wrong signature',
    },
    {
      // signed for another socket: a replayed auth must not work
      auth: api.authorizeChannel('1234.1234', CHANNEL).auth,
      expect: `Invalid signature: Expected HMAC SHA256 hex digest of ${raw.socketId}:${CHANNEL}, but got ${api.authorizeChannel('1234.1234', CHANNEL).auth.split(':')[1]}`,
      what: 'signature of another socket',
    },
  ];
  for (const c of cases) {
    const mark = raw.mark();
    raw.send({ event: 'pusher:subscribe', data: { auth: c.auth, channel: CHANNEL } });
    const f = await raw.waitFor((j) => j.event === 'pusher:error' || j.event === 'pusher_internal:subscription_succeeded', `answer to subscribe with ${c.what}`);
    check(f.event === 'pusher:error', `${c.what}: expected pusher:error, got ${show(f)}`);
    checkEqual(f.data, { code: null, message: c.expect }, `pusher:error data for ${c.what}`);
    check(raw.since(mark, (j) => j.event === 'pusher_internal:subscription_succeeded').length === 0, `${c.what}: must not subscribe`);
  }
  t.step('subscribe without any auth member');
  raw.send({ event: 'pusher:subscribe', data: { channel: CHANNEL } });
  const noAuth = await raw.waitFor((j) => j.event === 'pusher:error' || j.event === 'pusher_internal:subscription_succeeded', 'answer to subscribe without auth');
  checkEqual(noAuth.data, { code: null, message: `Auth info required to subscribe to ${CHANNEL}` }, 'pusher:error for a subscribe without auth');

  t.step('raw: good signature → subscription_succeeded with data "{}"; event delivered');
  const ok = await raw.subscribe(CHANNEL, api.authorizeChannel(raw.socketId, CHANNEL).auth);
  checkEqual(ok, { event: 'pusher_internal:subscription_succeeded', data: '{}', channel: CHANNEL }, 'subscription_succeeded frame');
  await jsonOk(api.trigger(CHANNEL, 'OrderUpdated', '{"id":3}'), 'POST /events');
  checkEqual(await raw.waitEvent('OrderUpdated', CHANNEL), { event: 'OrderUpdated', channel: CHANNEL, data: '{"id":3}' }, 'private event frame');
  check(!raw.closeInfo, `raw connection closed unexpectedly: ${show(raw.closeInfo)}`);
});
