// Cluster fan-out: a trigger on node A reaches subscribers on A, B and C exactly once
// (pusher-js, laravel-echo and raw clients); socket_id exclusion across nodes; client
// events relayed across nodes and never echoed; server-to-user events; a redis-cli
// SUBSCRIBE spy on the bus changes nothing; a cache channel's last event reaches later
// subscribers on every node; terminate_connections closes the user's
// sockets on every node.

import { scenario, app, check, checkEqual, collect, subscribed, jsonOk, until, within, needRedis, Redis, startNodes } from './cluster.mjs';

needRedis();

const APP = app('cl-app');
const CH = 'private-room.1';
const ANN = { user_id: '1', user_info: { name: 'Ann' } };

scenario('cluster-fanout', async (t) => {
  const redis = await new Redis(t).start();
  const spy = redis.spy('test:bus');
  const [a, b, c] = await startNodes(t, redis, 3, { apps: [APP] });
  const api = await a.api(APP);
  const apiC = await c.api(APP);

  t.step('one raw subscriber per node, pusher-js on B, laravel-echo on C');
  const raws = [];
  for (const [i, node] of [a, b, c].entries()) {
    const raw = await t.connect(node, { key: APP.key, label: `raw@${'ABC'[i]}` });
    const auth = api.authorizeChannel(raw.socketId, CH);
    await raw.subscribe(CH, auth.auth);
    raws.push(raw);
  }
  const pjs = await t.pusherJs(b, { app: APP, label: 'pusher-js@B' });
  const pjsCh = pjs.subscribe(CH);
  await subscribed(pjsCh);
  const pjsGot = collect(pjsCh, 'news');
  const echo = await t.echo(c, { app: APP.id, label: 'echo@C' });
  const echoGot = [];
  echo.private('room.1').listen('.news', (e) => echoGot.push(e));
  await subscribed(echo.connector.pusher.channel(CH));

  t.step('a trigger on A reaches every node exactly once');
  const marks = raws.map((r) => r.mark());
  await jsonOk(api.trigger(CH, 'news', { n: 1 }), 'POST /events on A');
  for (const raw of raws) checkEqual(JSON.parse((await raw.waitEvent('news', CH)).data), { n: 1 }, `${raw.label}: data`);
  await pjsGot.next(1, 'pusher-js on B gets news');
  // A second event is the fence: anything duplicated would arrive before it.
  await jsonOk(apiC.trigger(CH, 'news', { n: 2 }), 'POST /events on C');
  for (const raw of raws) await raw.waitFor((j) => j.event === 'news' && JSON.parse(j.data).n === 2, 'the fence');
  await pjsGot.next(2, 'pusher-js on B gets the fence');
  for (const [i, raw] of raws.entries())
    checkEqual(raw.since(marks[i], (j) => j.event === 'news').map((j) => JSON.parse(j.data).n), [1, 2], `${raw.label}: each event once`);
  checkEqual(pjsGot.map((g) => g.data.n), [1, 2], 'pusher-js: each event once');
  await until(() => echoGot.length >= 2, 'laravel-echo on C to get both');
  checkEqual(echoGot.map((e) => e.n), [1, 2], 'laravel-echo: each event once');

  t.step('socket_id exclusion across nodes: triggered on A, except the raw client of B');
  const before = raws.map((r) => r.mark());
  await jsonOk(api.trigger(CH, 'news', { n: 3 }, { socket_id: raws[1].socketId }), 'POST /events with socket_id of B');
  await jsonOk(api.trigger(CH, 'news', { n: 4 }), 'fence');
  for (const raw of raws) await raw.waitFor((j) => j.event === 'news' && JSON.parse(j.data).n === 4, 'fence 4');
  checkEqual(raws[0].since(before[0], (j) => j.event === 'news').map((j) => JSON.parse(j.data).n), [3, 4], 'A gets 3 and 4');
  checkEqual(raws[1].since(before[1], (j) => j.event === 'news').map((j) => JSON.parse(j.data).n), [4], 'B (excluded) gets only 4');
  checkEqual(raws[2].since(before[2], (j) => j.event === 'news').map((j) => JSON.parse(j.data).n), [3, 4], 'C gets 3 and 4');

  t.step('a client event from pusher-js on B reaches A and C once, and not its sender');
  const pjsTyping = collect(pjsCh, 'client-typing');
  check(pjsCh.trigger('client-typing', { who: 'B' }) === true, 'trigger() returned false');
  for (const i of [0, 2]) checkEqual(JSON.parse((await raws[i].waitEvent('client-typing', CH)).data), { who: 'B' }, `${raws[i].label}: client event`);
  await jsonOk(api.trigger(CH, 'news', { n: 5 }), 'fence');
  await pjsGot.next(5, 'fence 5 at pusher-js');
  checkEqual(pjsTyping.length, 0, 'the sender never gets its own client event');
  await raws[1].waitFor((j) => j.event === 'news' && JSON.parse(j.data).n === 5, 'fence 5 at B');
  checkEqual(raws[1].since(before[1], (j) => j.event === 'client-typing').length, 1, 'raw client on B (same node as the sender) once');

  t.step('a server-to-user event triggered on A reaches the user signed in on C');
  const USER = { id: 'u-7', user_info: {} };
  const user = await t.pusherJs(c, { app: APP, signin: USER, label: 'signed-in@C' });
  const userGot = collect(user.user, 'hello');
  user.signin();
  await within(user.user.signinDonePromise, 'the sign-in on C');
  await until(() => user.user.serverToUserChannel && user.user.serverToUserChannel.subscribed, '#server-to-user-u-7 on C');
  await jsonOk(api.sendToUser('u-7', 'hello', { x: 1 }), 'sendToUser on A');
  checkEqual((await userGot.next(1, 'the user event on C')).data, { x: 1 }, 'server-to-user data');

  t.step('terminate_connections on A closes the user on C');
  await jsonOk(api.terminateUserConnections('u-7'), 'terminate_connections on A');
  await until(() => user.connection.state !== 'connected', 'the user on C to be disconnected');

  t.step('a cache channel published on A: a later subscriber on C gets the last event');
  await jsonOk(api.trigger('cache-ticker', 'tick', { n: 1 }), 'POST /events cache-ticker on A');
  await jsonOk(api.trigger(CH, 'news', { n: 99 }), 'fence');
  await raws[2].waitFor((j) => j.event === 'news' && JSON.parse(j.data).n === 99, 'fence 99 on C');
  const late = await t.connect(c, { key: APP.key, label: 'late@C' });
  late.send({ event: 'pusher:subscribe', data: { channel: 'cache-ticker' } });
  const tick = await late.waitFor((j) => j.channel === 'cache-ticker' && j.event !== 'pusher_internal:subscription_succeeded', 'the cached event or a cache miss');
  checkEqual([tick.event, JSON.parse(tick.data)], ['tick', { n: 1 }], 'the cached event on C');

  t.step('the spy saw the bus and changed nothing');
  check(spy.out.includes('news'), `the redis-cli spy saw no publication: ${spy.out.slice(0, 200)}`);
  await jsonOk(api.trigger(CH, 'news', { n: 6 }), 'after the spy');
  for (const raw of raws) await raw.waitFor((j) => j.event === 'news' && JSON.parse(j.data).n === 6, 'n=6');
});

