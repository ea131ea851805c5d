// laravel-echo on a public channel: Echo.channel('events')
// .listen('RealTimeMessage', cb) receives an event published as a Laravel
// app would (name App\Events\RealTimeMessage, PHP-encoded data), plus
// broadcastAs names, listenToAll, and toOthers() exclusion.

import { scenario, app, checkEqual, jsonOk, recorder, roundTrip } from './harness.mjs';

const APP = app('echo-app');

scenario('echo-public', async (t) => {
  const server = await t.crier({ config: { apps: [APP] } });
  const api = await server.api(APP);

  t.step('Echo.channel("events").listen("RealTimeMessage")');
  const echo = await t.echo(server, { app: APP.id });
  const subscribed = recorder();
  const message = recorder();
  const dotted = recorder();
  const all = recorder();
  echo.channel('events')
    .subscribed(subscribed)
    .listen('RealTimeMessage', message)
    .listen('.order.shipped', dotted)
    .listenToAll(all);
  await subscribed.next(1, 'Echo .subscribed() callback');

  t.step('the event Laravel sends for broadcast(new RealTimeMessage("Hello"))');
  // Body as pusher-php-server would send it: "channel" form, PHP JSON escaping.
  checkEqual(await jsonOk(api.trigger('events', 'App\\Events\\RealTimeMessage', '{"message":"Hello \\u00e9 <\\/b>"}'), 'POST /events'), {}, 'trigger response');
  const [data] = await message.next(1, 'RealTimeMessage listener');
  checkEqual(data, { message: 'Hello é </b>' }, 'RealTimeMessage data');

  t.step('broadcastAs() name with a leading-dot listener');
  await jsonOk(api.trigger('events', 'order.shipped', '{"order":{"id":1}}'), 'POST /events (broadcastAs)');
  checkEqual((await dotted.next(1, '.order.shipped listener'))[0], { order: { id: 1 } }, 'order.shipped data');

  t.step('listenToAll reports both, without pusher:* events');
  await all.next(2, 'listenToAll callback');
  checkEqual(all.calls.map((c) => c[0]), ['RealTimeMessage', '.order.shipped'], 'names seen by listenToAll');

  t.step('toOthers(): the Echo socket id is excluded, another client still receives');
  const other = await t.echo(server, { app: APP.id, label: 'echo (other tab)' });
  const otherSub = recorder();
  const otherMsg = recorder();
  other.channel('events').subscribed(otherSub).listen('RealTimeMessage', otherMsg);
  await otherSub.next(1, 'second Echo subscribed');
  await jsonOk(api.trigger('events', 'App\\Events\\RealTimeMessage', '{"message":"not for me"}', { socket_id: echo.socketId() }), 'POST /events with socket_id (toOthers)');
  checkEqual((await otherMsg.next(1, 'other tab receives the toOthers() event'))[0], { message: 'not for me' }, 'toOthers data at the other tab');
  await jsonOk(api.trigger('events', 'App\\Events\\RealTimeMessage', '{"message":"sync"}'), 'POST /events (sync)');
  checkEqual((await message.next(2, 'sync message'))[0], { message: 'sync' }, 'the excluded Echo only gets the next event');

  t.step('Echo.leave("events") unsubscribes');
  const frames = [];
  echo.connector.pusher.connection.bind('message', (m) => frames.push(m));
  echo.leave('events');
  await roundTrip(echo.connector.pusher, 'pong after Echo.leave()');
  await jsonOk(api.trigger('events', 'App\\Events\\RealTimeMessage', '{"message":"after leave"}'), 'POST /events after leave');
  await otherMsg.next(3, 'other tab gets the event after the first left');
  await jsonOk(api.trigger('events', 'App\\Events\\RealTimeMessage', '{"message":"marker"}'), 'POST /events marker');
  await otherMsg.next(4, 'marker at the other tab');
  checkEqual(message.calls.length, 2, 'events received after Echo.leave()');
  const sent = frames.filter((m) => m.channel === 'events');
  checkEqual(sent, [], 'frames on "events" sent by the server after pusher:unsubscribe');
});
