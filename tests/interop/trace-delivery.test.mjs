// Delivery trace (issue 6 §2, §5): every broadcast's event_published line of
// `crier --verbose --log-format=json` says who received it, who was excluded
// by socket_id (Laravel's toOthers(), here the pusher SDK's trigger with
// socket_id = Echo.socketId()), and when nobody received it, the near miss
// and the Echo .listen() call that hears the event name.  Checked with real
// laravel-echo clients, word for word; each listen hint is then used as
// given, on a real Echo channel, and must receive the event.

import { scenario, app, check, checkEqual, show, jsonOk, recorder, roundTrip } from './harness.mjs';

const ORDERS = app('orders');
const MESSAGE = 'App\\Events\\RealTimeMessage';
const NOTIFICATION = 'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated';

scenario('trace-delivery', async (t) => {
  const server = await t.crier({ config: { apps: [ORDERS] }, extraArgs: ['--verbose', '--log-format=json'] });
  const api = await server.api(ORDERS);

  /** Trigger and return its event_published line (time and text stripped). */
  async function publish(channel, event, payload, params) {
    const before = server.monitor('event_published').length;
    const data = JSON.stringify(payload);
    checkEqual(await jsonOk(api.trigger(channel, event, data, params), `trigger ${event} on ${channel}`), {}, 'trigger answer');
    const got = await server.waitMonitor('event_published', (l, i) => i >= before && l.channel === channel && l.event === event,
      `event_published for ${event} on ${channel}`);
    const { time, line, request_id, ...rest } = got;
    check(typeof time === 'string', `time of ${line}`);
    checkEqual(rest.data, data, `data of the event_published line on ${channel}`);
    // The trigger's api_request line carries the same id: the window folds the two by it.
    check(Number.isInteger(request_id) && request_id > 0, `request_id of ${line}`);
    await server.waitMonitor('api_request', (l) => l.request_id === request_id && l.code === 200,
      `the api_request line with request_id ${request_id}`);
    return rest;
  }

  /** The name inside ".listen('<name>', callback)". */
  function hinted(hint) {
    const m = /^\.listen\('(.*)', callback\)$/.exec(hint);
    check(m, `listen hint ${show(hint)} has the form .listen('<name>', callback)`);
    return m[1];
  }

  t.step('alice and bob: Echo.private("orders.1").listen("RealTimeMessage")');
  const alice = await t.echo(server, { app: ORDERS.id, label: 'echo alice' });
  const bob = await t.echo(server, { app: ORDERS.id, label: 'echo bob' });
  const A = alice.socketId();
  const B = bob.socketId();
  const aSub = recorder(), bSub = recorder(), aMsg = recorder(), bMsg = recorder(), aShip = recorder(), bShip = recorder();
  alice.private('orders.1').subscribed(aSub).listen('RealTimeMessage', aMsg).listen('.order.shipped', aShip);
  bob.private('orders.1').subscribed(bSub).listen('RealTimeMessage', bMsg).listen('.order.shipped', bShip);
  await aSub.next(1, 'alice subscribed to private-orders.1');
  await bSub.next(1, 'bob subscribed to private-orders.1');
  for (const s of [A, B]) {
    const l = await server.waitMonitor('subscribed', (x) => x.socket_id === s && x.channel === 'private-orders.1', `subscribed line of ${s}`);
    checkEqual(l.explanation, undefined, `explanation on the subscribed line of ${s} (no event anywhere yet)`);
  }

  t.step("toOthers(): broadcast(new RealTimeMessage)->toOthers() from alice's request (socket_id = alice)");
  const others = await publish('private-orders.1', MESSAGE, { message: 'from alice' }, { socket_id: A });
  checkEqual(others, {
    kind: 'event_published', app_id: ORDERS.id, socket_id: A, channel: 'private-orders.1', event: MESSAGE,
    data: others.data, message: 'delivered to 1, excluded 1', count: 1, excluded_count: 1,
    details: { delivered: [B], delivered_count: 1, excluded: A, listen: ".listen('RealTimeMessage', callback)" },
  }, 'event_published line of the toOthers() broadcast');
  checkEqual((await bMsg.next(1, 'bob receives RealTimeMessage'))[0], { message: 'from alice' }, 'bob payload');

  t.step('broadcastAs("order.shipped") to everyone: delivered to both, the dotted listen hint');
  const shipped = await publish('private-orders.1', 'order.shipped', { order: 1 });
  checkEqual({ ...shipped, details: { ...shipped.details, delivered: [...shipped.details.delivered].sort() } }, {
    kind: 'event_published', app_id: ORDERS.id, channel: 'private-orders.1', event: 'order.shipped',
    data: shipped.data, message: 'delivered to 2', count: 2,
    details: { delivered: [A, B].sort(), delivered_count: 2, excluded: null, listen: ".listen('.order.shipped', callback)" },
  }, 'event_published line of order.shipped');
  await aShip.next(1, 'alice receives .order.shipped');
  await bShip.next(1, 'bob receives .order.shipped');
  checkEqual(aMsg.calls, [], 'RealTimeMessage calls of alice (excluded by toOthers())');

  t.step('a namespaced event (App\\Events\\Orders\\Shipped): its hint, used as given, receives it');
  const nested = await publish('private-orders.1', 'App\\Events\\Orders\\Shipped', { n: 1 }, { socket_id: B });
  checkEqual([nested.message, nested.count, nested.details], ['delivered to 1, excluded 1', 1,
    { delivered: [A], delivered_count: 1, excluded: B, listen: ".listen('Orders.Shipped', callback)" }], 'trace of App\\Events\\Orders\\Shipped');
  await roundTrip(alice.connector.pusher, 'alice has processed the first Orders\\Shipped before listening');
  const viaHint = recorder();
  alice.private('orders.1').listen(hinted(nested.details.listen), viaHint);
  await publish('private-orders.1', 'App\\Events\\Orders\\Shipped', { n: 2 });
  checkEqual((await viaHint.next(1, `alice's ${nested.details.listen}`))[0], { n: 2 }, 'payload through the hinted listen()');

  t.step("near miss: the app broadcasts on private-order.1 while both listen on private-orders.1");
  const miss = await publish('private-order.1', MESSAGE, { message: 'typo' });
  checkEqual(miss, {
    kind: 'event_published', app_id: ORDERS.id, channel: 'private-order.1', event: MESSAGE, data: miss.data,
    message: 'delivered to 0', count: 0,
    details: { delivered: [], delivered_count: 0, excluded: null, listen: ".listen('RealTimeMessage', callback)" },
    explanation: "no subscriber on 'private-order.1'; 'private-orders.1' has 2; Echo hears this event with .listen('RealTimeMessage', callback)",
  }, 'event_published line of the near miss');
  const missDotted = await publish('private-order.1', 'order.shipped', { order: 2 });
  checkEqual(missDotted.explanation,
    "no subscriber on 'private-order.1'; 'private-orders.1' has 2; Echo hears this event with .listen('.order.shipped', callback)",
    'near-miss explanation of a broadcastAs name');

  t.step('nobody anywhere near: the plain explanation');
  const lonely = await publish('private-invoices.9', 'App\\Events\\InvoicePaid', { id: 9 });
  checkEqual([lonely.message, lonely.count, lonely.details, lonely.explanation], ['delivered to 0', 0,
    { delivered: [], delivered_count: 0, excluded: null, listen: ".listen('InvoicePaid', callback)" },
    "no subscriber on 'private-invoices.9'; Echo hears this event with .listen('InvoicePaid', callback)"], 'trace of an event nobody is near');

  t.step('the only subscriber excluded: a notification sent with toOthers() from its own request');
  const note = recorder();
  const noteSub = recorder();
  alice.private('App.Models.User.1').subscribed(noteSub).notification(note);
  await noteSub.next(1, 'alice subscribed to private-App.Models.User.1');
  const payload = { id: 'n-1', type: 'App\\Notifications\\InvoicePaid', amount: 3 };
  const excluded = await publish('private-App.Models.User.1', NOTIFICATION, payload, { socket_id: A });
  checkEqual(excluded, {
    kind: 'event_published', app_id: ORDERS.id, socket_id: A, channel: 'private-App.Models.User.1', event: NOTIFICATION,
    data: excluded.data, message: 'delivered to 0, excluded 1', count: 0, excluded_count: 1,
    details: { delivered: [], delivered_count: 0, excluded: A, listen: '.notification(callback)' },
    explanation: `the only subscriber of 'private-App.Models.User.1', ${A}, was excluded by socket_id (toOthers())`,
  }, 'event_published line when the only subscriber is excluded');
  const sent = await publish('private-App.Models.User.1', NOTIFICATION, payload);
  checkEqual([sent.message, sent.details], ['delivered to 1', { delivered: [A], delivered_count: 1, excluded: null, listen: '.notification(callback)' }],
    'trace of the notification without socket_id');
  checkEqual((await note.next(1, 'alice .notification()'))[0], payload, 'notification payload');
  checkEqual(note.calls.length, 1, 'notifications received (the excluded one never arrived)');

  t.step('a socket_id that no connection has excludes nobody');
  const elsewhere = await publish('private-orders.1', MESSAGE, { message: 'x' }, { socket_id: '123.456' });
  checkEqual([elsewhere.socket_id, elsewhere.message, elsewhere.details.excluded, elsewhere.details.delivered.sort()],
    ['123.456', 'delivered to 2', null, [A, B].sort()], 'trace with a socket_id that is not subscribed');
  await aMsg.next(1, 'alice receives the broadcast');
  await bMsg.next(2, 'bob receives the broadcast');

  t.step('bob leaves private-orders.1 and comes back: each trace lists who is subscribed at the time');
  // The list of subscribers a trace shows is kept between broadcasts: it must follow them.
  bob.leave('orders.1');
  await server.waitMonitor('unsubscribed', (x) => x.socket_id === B && x.channel === 'private-orders.1', `unsubscribed line of ${B}`);
  const alone = await publish('private-orders.1', MESSAGE, { message: 'bob gone' });
  checkEqual([alone.message, alone.details.delivered], ['delivered to 1', [A]], 'trace after bob left');
  const bBack = recorder();
  bob.private('orders.1').subscribed(bBack);
  await bBack.next(1, 'bob subscribed to private-orders.1 again');
  const both = await publish('private-orders.1', MESSAGE, { message: 'bob back' });
  checkEqual([both.message, both.details.delivered.sort()], ['delivered to 2', [A, B].sort()], 'trace after bob came back');
  await aMsg.next(2, 'alice receives both broadcasts');

  t.step("the subscribe-side hint: carol's page listens on private-order.2 while private-orders.2 has events");
  // A fresh pair of names: private-order.1 already had events (published with nobody there).
  const bSub2 = recorder();
  bob.private('orders.2').subscribed(bSub2);
  await bSub2.next(1, 'bob subscribed to private-orders.2');
  await publish('private-orders.2', MESSAGE, { message: 'a' });
  await publish('private-orders.2', MESSAGE, { message: 'b' });
  const carol = await t.echo(server, { app: ORDERS.id, label: 'echo carol' });
  const cSub = recorder();
  carol.private('order.2').subscribed(cSub).listen('RealTimeMessage', recorder());
  await cSub.next(1, 'carol subscribed to private-order.2');
  const hint = await server.waitMonitor('subscribed', (l) => l.socket_id === carol.socketId() && l.channel === 'private-order.2', "carol's subscribed line");
  const { time, line, ...rest } = hint;
  checkEqual(rest, {
    kind: 'subscribed', app_id: ORDERS.id, socket_id: carol.socketId(), channel: 'private-order.2', count: 1,
    explanation: "no event was ever published on 'private-order.2'; 'private-orders.2' has had 2",
  }, "carol's subscribed line");

  t.step('no stray deliveries (marker round trips)');
  await roundTrip(alice.connector.pusher);
  await roundTrip(bob.connector.pusher);
  checkEqual(aMsg.calls.length, 3, 'RealTimeMessage events received by alice (the toOthers() one excluded)');
  checkEqual(bMsg.calls.length, 2, 'RealTimeMessage events received by bob');
});
