// Public channels: pusher-js receives an event published with the pusher SDK;
// the exact frames (connection_established, subscription_succeeded, channel
// event), multi-channel triggers, socket_id exclusion and unsubscribe.

import { scenario, app, check, checkEqual, collect, subscribed, jsonOk, show } from './harness.mjs';

const APP = app('public-app');

scenario('public', async (t) => {
  const server = await t.crier({ config: { server: { 'activity-timeout': 90 }, apps: [APP] } });
  const api = await server.api(APP);

  t.step('raw connection: connection_established carries the configured activity_timeout');
  const raw = await t.connect(server, { label: 'raw' });
  checkEqual(raw.established.activity_timeout, 90, 'activity_timeout in connection_established (config activity-timeout=90)');

  t.step('raw subscription to a public channel: exact subscription_succeeded frame');
  const ok = await raw.subscribe('orders');
  checkEqual(ok, { event: 'pusher_internal:subscription_succeeded', data: '{}', channel: 'orders' }, 'subscription_succeeded frame');
  await raw.subscribe('orders-2');

  t.step('pusher-js subscribes to "orders"');
  const client = await t.pusherJs(server, { app: APP });
  const channel = client.subscribe('orders');
  await subscribed(channel);
  const shipped = collect(channel, 'App\\Events\\OrderShipped');
  const plain = collect(channel, 'plain-text');

  t.step('SDK trigger: pusher-js gets the decoded data, the raw socket gets data byte-for-byte');
  const data = '{"order":{"id":1,"note":"caf\\u00e9 \\/ \\"q\\""},"list":[1,2.5,null]}';
  const body = await jsonOk(api.trigger('orders', 'App\\Events\\OrderShipped', data), 'POST /events');
  checkEqual(body, {}, 'trigger response body');
  const got = await shipped.next(1, 'App\\Events\\OrderShipped in pusher-js');
  checkEqual(got.data, JSON.parse(data), 'data decoded by pusher-js');
  const frame = await raw.waitEvent('App\\Events\\OrderShipped', 'orders');
  checkEqual(frame, { event: 'App\\Events\\OrderShipped', channel: 'orders', data }, 'channel event frame (data must be the API string verbatim)');

  t.step('data that is not JSON text stays a string');
  await jsonOk(api.trigger('orders', 'plain-text', 'hello, world'), 'POST /events (plain text)');
  checkEqual((await plain.next(1, 'plain-text in pusher-js')).data, 'hello, world', 'plain-text data in pusher-js');
  checkEqual((await raw.waitEvent('plain-text', 'orders')).data, 'hello, world', 'plain-text data on the wire');

  t.step('one trigger to two channels: one frame per subscribed channel');
  let mark = raw.mark();
  await jsonOk(api.trigger(['orders', 'orders-2', 'nobody-here'], 'multi', '{"n":1}'), 'POST /events (3 channels)');
  await raw.waitEvent('multi', 'orders');
  await raw.waitEvent('multi', 'orders-2');
  await jsonOk(api.trigger('orders', 'marker-1', '{}'), 'POST /events (marker)');
  await raw.waitEvent('marker-1', 'orders');
  checkEqual(raw.since(mark, (j) => j.event === 'multi').length, 2, 'number of "multi" frames received by a socket subscribed to 2 of the 3 channels');

  t.step('socket_id exclusion: the excluded socket gets nothing, others do');
  mark = raw.mark();
  const excluded = collect(channel, 'excluded-for-raw');
  await jsonOk(api.trigger(['orders', 'orders-2'], 'excluded-for-raw', '{"x":1}', { socket_id: raw.socketId }), 'POST /events with socket_id');
  await excluded.next(1, 'pusher-js (not excluded) to receive excluded-for-raw');
  await jsonOk(api.trigger('orders', 'marker-2', '{}'), 'POST /events (marker)');
  await raw.waitEvent('marker-2', 'orders');
  checkEqual(raw.since(mark, (j) => j.event === 'excluded-for-raw'), [], `frames received by the excluded socket ${raw.socketId}`);

  t.step('excluding the pusher-js socket: raw still receives');
  const excludedJs = collect(channel, 'excluded-for-js');
  const markerJs = collect(channel, 'marker-3');
  await jsonOk(api.trigger('orders', 'excluded-for-js', '{}', { socket_id: client.connection.socket_id }), 'POST /events excluding pusher-js');
  await raw.waitEvent('excluded-for-js', 'orders');
  await jsonOk(api.trigger('orders', 'marker-3', '{}'), 'POST /events (marker)');
  await markerJs.next(1, 'marker-3 in pusher-js');
  // The raw socket gets marker-3 too; wait for it so it cannot land after the next mark.
  await raw.waitEvent('marker-3', 'orders');
  checkEqual(excludedJs.length, 0, 'events received by the excluded pusher-js socket');

  t.step('unsubscribe: no reply, no more events on that channel');
  mark = raw.mark();
  raw.send({ event: 'pusher:unsubscribe', data: { channel: 'orders-2' } });
  await jsonOk(api.trigger('orders-2', 'after-unsubscribe', '{}'), 'POST /events after unsubscribe');
  await jsonOk(api.trigger('orders', 'marker-4', '{}'), 'POST /events (marker)');
  await raw.waitEvent('marker-4', 'orders');
  const extra = raw.since(mark, (j) => j.event !== 'marker-4');
  check(extra.length === 0, `after pusher:unsubscribe expected no frame but marker-4, got ${show(extra)}`);

  t.step('raw UTF-8, emoji and escapes in data and event name pass through unchanged');
  const utf = '{"text":"Grüße, 世界 🎉","ctl":"tab\\there\\nnl","quote":"\\"\\\\"}';
  await jsonOk(api.trigger('orders', 'événement-🎉', utf), 'POST /events (UTF-8)');
  const uf = await raw.waitEvent('événement-🎉', 'orders');
  checkEqual(uf.data, utf, 'UTF-8 data on the wire');
  const ufText = raw.frames.find((f) => f.json === undefined ? false : f.json.event === 'événement-🎉').text;
  check(ufText.includes('Grüße, 世界 🎉') || ufText.includes('Gr\\u00fc'), `frame text: ${ufText}`);

  t.step('100 sequential triggers arrive complete and in order; 40 concurrent ones all arrive');
  mark = raw.mark();
  for (let i = 0; i < 100; i++) await jsonOk(api.trigger('orders', 'seq', `{"i":${i}}`), `POST /events seq ${i}`);
  await raw.waitFor((j) => j.event === 'seq' && j.data === '{"i":99}', 'the 100th sequential event');
  checkEqual(raw.since(mark, (j) => j.event === 'seq').map((j) => JSON.parse(j.data).i), [...Array(100).keys()], 'order of sequential events');
  mark = raw.mark();
  await Promise.all([...Array(40).keys()].map((i) => jsonOk(api.trigger('orders', 'par', `{"i":${i}}`), `POST /events par ${i}`)));
  await jsonOk(api.trigger('orders', 'marker-5', '{}'), 'POST /events (marker)');
  await raw.waitEvent('marker-5', 'orders');
  checkEqual(raw.since(mark, (j) => j.event === 'par').map((j) => JSON.parse(j.data).i).sort((a, b) => a - b), [...Array(40).keys()], 'concurrent events received');

  t.step('HTTP keep-alive: several API calls over one connection');
  const { Agent } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const kaApi = await server.api(APP, { agent });
  for (let i = 0; i < 5; i++) await jsonOk(kaApi.trigger('orders', 'ka', `{"i":${i}}`), `keep-alive POST /events ${i}`);
  await jsonOk(kaApi.get({ path: '/channels' }), 'keep-alive GET /channels');
  await raw.waitFor((j) => j.event === 'ka' && j.data === '{"i":4}', 'the 5th keep-alive event');
  agent.destroy();

  t.step('fan-out: one trigger reaches 50 subscribers exactly once');
  const fans = [];
  for (let i = 0; i < 50; i++) {
    const f = await t.connect(server, { key: APP.key, label: `fan ${i}` });
    await f.subscribe('fanout');
    fans.push(f);
  }
  await jsonOk(api.trigger('fanout', 'wave', '{"w":1}'), 'POST /events (fan-out)');
  for (const f of fans) checkEqual(await f.waitEvent('wave', 'fanout'), { event: 'wave', channel: 'fanout', data: '{"w":1}' }, `${f.label}: fan-out frame`);
  await jsonOk(api.trigger('fanout', 'wave-end', '{}'), 'POST /events (fan-out marker)');
  for (const f of fans) {
    await f.waitEvent('wave-end', 'fanout');
    checkEqual(f.since(0, (j) => j.event === 'wave').length, 1, `${f.label}: copies of the fan-out event`);
    f.close();
  }

  t.step('pusher-js unsubscribe and resubscribe');
  client.unsubscribe('orders');
  const again = client.subscribe('orders');
  await subscribed(again, 'pusher-js re-subscription to orders');
  const back = collect(again, 'back');
  await jsonOk(api.trigger('orders', 'back', '{"ok":true}'), 'POST /events after re-subscribe');
  checkEqual((await back.next(1, '"back" after re-subscribing')).data, { ok: true }, 'event after re-subscribe');
});
