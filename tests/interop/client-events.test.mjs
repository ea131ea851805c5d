// Client events (channel.trigger in pusher-js): relayed on private and
// presence channels to the other subscribers only, with user_id on presence;
// refused on public and encrypted channels, when not subscribed, when the app
// has client events disabled, when too large, and rate limited with 4301.

import { scenario, app, check, checkEqual, collect, subscribed, jsonOk, show, within } from './harness.mjs';

const APP = app('ce-app', { 'client-events-per-second': 10, 'max-message-size': 1000 });
const OFF = app('ce-off', { 'client-events': false });
const FREE = app('ce-free', { 'client-events-per-second': 0 });
const ANN = { user_id: '1', user_info: { name: 'Ann' } };
const BOB = { user_id: '2', user_info: { name: 'Bob' } };
const MASTER = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');

function nextError(client, what) {
  return within(new Promise((resolve) => {
    const f = (e) => {
      client.connection.unbind('error', f);
      resolve(e);
    };
    client.connection.bind('error', f);
  }), what);
}

scenario('client-events', async (t) => {
  const server = await t.crier({ config: { apps: [APP, OFF, FREE] } });
  const api = await server.api(APP, { encryptionMasterKeyBase64: MASTER });

  for (const ch of ['private-chat.1', 'presence-chat.1']) {
    const presence = ch.startsWith('presence-');
    t.step(`${ch}: pusher-js Ann → Bob`);
    const ann = await t.pusherJs(server, { app: APP, user: ANN, label: `ann (${ch})` });
    const bob = await t.pusherJs(server, { app: APP, user: BOB, label: `bob (${ch})` });
    const annCh = ann.subscribe(ch);
    const bobCh = bob.subscribe(ch);
    await subscribed(annCh);
    await subscribed(bobCh);
    const annGot = collect(annCh, 'client-typing');
    const bobGot = collect(bobCh, 'client-typing');
    const annMarker = collect(annCh, 'marker');
    const raw = await t.connect(server, { key: APP.key, label: `raw observer (${ch})` });
    const rawAuth = api.authorizeChannel(raw.socketId, ch, presence ? { user_id: '3', user_info: {} } : undefined);
    await raw.subscribe(ch, rawAuth.auth, rawAuth.channel_data);

    check(annCh.trigger('client-typing', { name: 'Ann', typing: true }) === true, 'pusher-js trigger() returned false');
    const got = await bobGot.next(1, `client-typing at Bob on ${ch}`);
    checkEqual(got.data, { name: 'Ann', typing: true }, 'client event data at Bob');
    if (presence) checkEqual(got.metadata && got.metadata.user_id, '1', 'metadata.user_id on a presence channel');
    else checkEqual(got.metadata && got.metadata.user_id, undefined, 'metadata.user_id on a private channel');

    const frame = await raw.waitEvent('client-typing', ch);
    check(typeof frame.data === 'string', `relayed client event data must be a JSON string (Pusher's channel-event shape), got ${show(frame)}`);
    checkEqual(JSON.parse(frame.data), { name: 'Ann', typing: true }, 'relayed client event data');
    const expectedKeys = presence ? ['channel', 'data', 'event', 'user_id'] : ['channel', 'data', 'event'];
    checkEqual(Object.keys(frame).sort(), expectedKeys, `members of the relayed frame on ${ch}`);
    if (presence) checkEqual(frame.user_id, '1', 'user_id of the relayed frame');

    t.step(`${ch}: the sender does not get its own event back`);
    await jsonOk(api.trigger(ch, 'marker', '{}'), 'POST /events (marker)');
    await annMarker.next(1, `marker at Ann on ${ch}`);
    checkEqual(annGot.length, 0, `client events echoed to the sender on ${ch}`);
    check(ann.errors.length === 0, `sender got errors: ${show(ann.errors)}`);

    t.step(`${ch}: a client event sent as a JSON string is relayed too`);
    raw.send({ event: 'client-raw', channel: ch, data: '{"as":"string"}' });
    const annRaw = collect(annCh, 'client-raw');
    const r = await annRaw.next(1, `client-raw at Ann on ${ch}`);
    checkEqual(r.data, { as: 'string' }, 'client event whose data was a JSON string');
    if (presence) checkEqual(r.metadata.user_id, '3', 'user_id of the raw sender (from its presence subscription, not the payload)');
  }

  t.step('raw: refused client events get pusher:error (code null) and are not relayed');
  const ann = await t.pusherJs(server, { app: APP, user: ANN, label: 'ann (refusals)', masterKey: MASTER });
  const sender = await t.connect(server, { key: APP.key, label: 'sender' });
  const pub = ann.subscribe('public-room');
  await subscribed(pub);
  await sender.subscribe('public-room');
  const enc = ann.subscribe('private-encrypted-room');
  await subscribed(enc);
  await sender.subscribe('private-encrypted-room', api.authorizeChannel(sender.socketId, 'private-encrypted-room').auth);
  const priv = ann.subscribe('private-elsewhere');
  await subscribed(priv);
  const refused = [];
  for (const ch of [pub, enc, priv]) refused.push(collect(ch, 'client-nope'));

  const cases = [
    { channel: 'public-room', what: 'a public channel',
      message: 'Client event rejected - only supported on private and presence channels' },
    { channel: 'private-encrypted-room', what: 'an encrypted channel' },
    { channel: 'private-elsewhere', what: 'a channel the sender is not subscribed to' },
  ];
  for (const c of cases) {
    sender.send({ event: 'client-nope', channel: c.channel, data: { x: 1 } });
    const e = await sender.waitFor((j) => j.event === 'pusher:error', `pusher:error for a client event on ${c.what}`);
    checkEqual(e.data && e.data.code, null, `pusher:error code for a client event on ${c.what}`);
    check(typeof e.data.message === 'string' && e.data.message.length > 0, `pusher:error message for ${c.what}: ${show(e)}`);
    if (c.message) checkEqual(e.data.message, c.message, `pusher:error message for ${c.what}`);
    t.log(`  ${c.what}: ${show(e.data)}`);
  }
  t.step('an event name without client- prefix is refused');
  sender.send({ event: 'typing', channel: 'private-elsewhere', data: {} });
  const bad = await sender.waitFor((j) => j.event === 'pusher:error', 'pusher:error for an event without "client-"');
  checkEqual(bad.data.code, null, 'code for an event without "client-"');

  t.step('too large client event data is refused (max-message-size=1000)');
  const bobBig = await t.pusherJs(server, { app: APP, user: BOB, label: 'bob (size)' });
  const bigCh = bobBig.subscribe('private-big');
  await subscribed(bigCh);
  const bigGot = collect(bigCh, 'client-big');
  await sender.subscribe('private-big', api.authorizeChannel(sender.socketId, 'private-big').auth);
  sender.send({ event: 'client-big', channel: 'private-big', data: { blob: 'x'.repeat(2000) } });
  const big = await sender.waitFor((j) => j.event === 'pusher:error', 'pusher:error for client event data over max-message-size');
  t.log(`  oversized: ${show(big.data)}`);
  sender.send({ event: 'client-big', channel: 'private-big', data: { blob: 'small' } });
  checkEqual((await bigGot.next(1, 'the small client-big at Bob')).data, { blob: 'small' }, 'only the small event is relayed');

  const marker = collect(pub, 'marker');
  await jsonOk(api.trigger('public-room', 'marker', '{}'), 'POST /events (marker)');
  await marker.next(1, 'marker at Ann');
  for (const r of refused) checkEqual(r.length, 0, 'refused client events relayed to Ann');
  checkEqual(bigGot.length, 1, 'client-big events relayed to Bob');
  check(!sender.closeInfo, `sender was disconnected: ${show(sender.closeInfo)}`);

  t.step('pusher-js: trigger on a public channel → pusher:error on the connection');
  const pubErr = nextError(ann, 'pusher-js connection error after a client event on a public channel');
  pub.trigger('client-nope', { x: 2 });
  const pe = await pubErr;
  checkEqual(pe.type, 'PusherError', 'pusher-js error type');
  checkEqual(pe.data.code, null, 'pusher-js error code for a client event on a public channel');

  t.step('rate limit: the 11th event within a second gets 4301, the connection stays');
  const rl = await t.connect(server, { key: APP.key, label: 'rate' });
  await rl.subscribe('private-rate', api.authorizeChannel(rl.socketId, 'private-rate').auth);
  const rlRecv = await t.connect(server, { key: APP.key, label: 'rate receiver' });
  await rlRecv.subscribe('private-rate', api.authorizeChannel(rlRecv.socketId, 'private-rate').auth);
  const t0 = Date.now();
  for (let i = 0; i < 15; i++) rl.send({ event: 'client-burst', channel: 'private-rate', data: { i } });
  const burstSent = Date.now() - t0;
  const rate = await rl.waitFor((j) => j.event === 'pusher:error' && j.data && j.data.code === 4301, 'pusher:error 4301 after 15 client events in a burst');
  t.log(`  15 events sent in ${burstSent} ms; error: ${show(rate.data)}`);
  rl.send({ event: 'pusher:ping', data: {} });
  await rl.waitEvent('pusher:pong');
  rlRecv.send({ event: 'pusher:ping', data: {} });
  await rlRecv.waitEvent('pusher:pong');
  const relayed = rlRecv.since(0, (j) => j.event === 'client-burst').length;
  check(relayed >= 1 && relayed <= 10, `with client-events-per-second=10, between 1 and 10 of 15 burst events should be relayed, got ${relayed}`);
  const errors4301 = rl.since(0, (j) => j.event === 'pusher:error' && j.data.code === 4301).length;
  checkEqual(relayed + errors4301, 15, 'every burst event is either relayed or answered with 4301');
  check(!rl.closeInfo, `rate-limited connection must stay open: ${show(rl.closeInfo)}`);

  t.step('client-events-per-second=0: no limit (30 events in a burst all relayed)');
  const freeApi = await server.api(FREE);
  const fs = await t.connect(server, { key: FREE.key, label: 'free sender' });
  await fs.subscribe('private-free', freeApi.authorizeChannel(fs.socketId, 'private-free').auth);
  const fr = await t.connect(server, { key: FREE.key, label: 'free receiver' });
  await fr.subscribe('private-free', freeApi.authorizeChannel(fr.socketId, 'private-free').auth);
  for (let i = 0; i < 30; i++) fs.send({ event: 'client-burst', channel: 'private-free', data: { i } });
  await fr.waitFor((j) => j.event === 'client-burst' && JSON.parse(j.data).i === 29, 'the 30th client event');
  checkEqual(fr.since(0, (j) => j.event === 'client-burst').length, 30, 'client events relayed without a limit');
  checkEqual(fs.since(0, (j) => j.event === 'pusher:error'), [], 'errors with client-events-per-second=0');

  t.step('max-message-size applies to the API too (413 over 1000 bytes)');
  const over = await api.trigger('private-big', 'api-big', 'x'.repeat(1001)).then((r) => r.status, (e) => e.status);
  checkEqual(over, 413, 'API status for 1001 bytes of data with max-message-size=1000');

  t.step('app with client-events=false: Pusher\'s "enable this feature" error, nothing relayed');
  const offA = await t.pusherJs(server, { app: OFF, label: 'off A' });
  const offB = await t.pusherJs(server, { app: OFF, label: 'off B' });
  const offChA = offA.subscribe('private-off');
  const offChB = offB.subscribe('private-off');
  await subscribed(offChA);
  await subscribed(offChB);
  const offGot = collect(offChB, 'client-off');
  const offMarker = collect(offChB, 'marker');
  const offErr = nextError(offA, 'pusher-js error for a client event with client events disabled');
  offChA.trigger('client-off', { x: 1 });
  const oe = await offErr;
  checkEqual(oe.data, {
    code: null,
    message: 'To send client events, you must enable this feature in the Settings page of your dashboard.',
  }, 'pusher:error data with client events disabled');
  const offApi = await server.api(OFF);
  await jsonOk(offApi.trigger('private-off', 'marker', '{}'), 'POST /events (marker, disabled app)');
  await offMarker.next(1, 'marker at B');
  checkEqual(offGot.length, 0, 'client events relayed while disabled');
});
