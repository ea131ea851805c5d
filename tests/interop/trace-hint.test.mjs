// The subscribe-side near-miss hint (issue 6 §2): "the near-miss hint also
// when a client subscribes to a channel that has never had an event while a
// similarly named one has".  With real laravel-echo clients:
//   - a page on a channel that never had an event, next to one that has:
//     the subscribed line says so, word for word;
//   - a channel the app HAS broadcast on (while nobody listened) must not be
//     called one on which "no event was ever published";
//   - nor must a channel that had events and was vacated in between (a page
//     reload of its only subscriber).

import { scenario, app, check, checkEqual, show, jsonOk, recorder } from './harness.mjs';

const ORDERS = app('orders');
const MESSAGE = 'App\\Events\\RealTimeMessage';

scenario('trace-hint', async (t) => {
  const server = await t.crier({ config: { apps: [ORDERS] }, extraArgs: ['--verbose', '--log-format=json'] });
  const api = await server.api(ORDERS);

  async function publish(channel, n) {
    const before = server.monitor('event_published').length;
    await jsonOk(api.trigger(channel, MESSAGE, JSON.stringify({ n })), `trigger on ${channel}`);
    return server.waitMonitor('event_published', (l, i) => i >= before && l.channel === channel, `event_published on ${channel}`);
  }

  /** A fresh Echo page on `name` (Echo.private(name)); returns {echo, line} with its subscribed line. */
  async function page(label, name) {
    const echo = await t.echo(server, { app: ORDERS.id, label });
    const sub = recorder();
    const got = recorder();
    echo.private(name).subscribed(sub).listen('RealTimeMessage', got);
    await sub.next(1, `${label} subscribed to private-${name}`);
    const l = await server.waitMonitor('subscribed', (x) => x.socket_id === echo.socketId() && x.channel === `private-${name}`,
      `${label}'s subscribed line`);
    const { time, line, ...rest } = l;
    return { echo, got, line: rest };
  }

  t.step('alice listens on private-orders.1, which has 3 events');
  const alice = await page('echo alice', 'orders.1');
  for (let i = 1; i <= 3; i++) await publish('private-orders.1', i);
  await alice.got.next(3, 'alice receives 3 events');

  t.step("frank's page on private-order.9, which never had an event: the hint, word for word");
  const frank = await page('echo frank', 'order.9');
  checkEqual(frank.line, {
    kind: 'subscribed', app_id: ORDERS.id, socket_id: frank.echo.socketId(), channel: 'private-order.9', count: 1,
    explanation: "no event was ever published on 'private-order.9'; 'private-orders.1' has had 3",
  }, "frank's subscribed line");

  const never = (ch) => `no event was ever published on '${ch}'`;

  t.step('the app broadcasts on private-order.1 while nobody listens there (a near miss), then a page subscribes to it');
  const miss = await publish('private-order.1', 4);
  checkEqual(miss.count, 0, 'delivered count of the near miss');
  const dave = await page('echo dave', 'order.1');
  check(!(dave.line.explanation || '').includes(never('private-order.1')),
    `private-order.1 has had an event (${miss.line}), yet dave's subscribed line says: ${show(dave.line.explanation)}`);

  t.step("frank's channel gets an event, then frank reloads the page (private-order.9 is vacated and subscribed again)");
  await publish('private-order.9', 5);
  await frank.got.next(1, 'frank receives the event on private-order.9');
  frank.echo.disconnect();
  await server.waitMonitor('channel_vacated', (l) => l.channel === 'private-order.9', 'private-order.9 vacated');
  const reloaded = await page('echo frank (reloaded)', 'order.9');
  check(!(reloaded.line.explanation || '').includes(never('private-order.9')),
    `private-order.9 had an event before the reload, yet the new subscribed line says: ${show(reloaded.line.explanation)}`);
});
