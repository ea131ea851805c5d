// Faults: kill -9 of a node removes its members (member_removed frames and webhooks, once)
// and vacates its channels within node-timeout + a second; a node SIGSTOPped past its
// timeout, then continued, closes its clients with 4200 and rejoins as a new node, leaving
// no ghost; a Redis restart loses no subscription (local delivery goes on meanwhile, the
// cluster's state is resynchronised when it returns).

import { scenario, app, check, checkEqual, collect, subscribed, jsonOk, sleep, until, needRedis, Redis, startNodes, waitNodes } from './cluster.mjs';

needRedis();

const APP = app('ft-app');
const CH = 'presence-room';
const TIMEOUT = 1000; // node-timeout (cluster.mjs)
const DELAY = 300;
const ANN = { user_id: '1', user_info: { name: 'Ann' } };
const BOB = { user_id: '2', user_info: { name: 'Bob' } };
const CID = { user_id: '3', user_info: { name: 'Cid' } };
const DAN = { user_id: '4', user_info: { name: 'Dan' } };

scenario('cluster-faults', async (t) => {
  const redis = await new Redis(t).start();
  const receiver = await t.webhookReceiver();
  const [a, b, c] = await startNodes(t, redis, 3, {
    apps: [APP],
    server: { 'webhook-batch-window': 50, 'webhook-vacated-delay': DELAY, 'webhook-timeout': 2000, 'webhook-retry-initial': 100, 'webhook-retry-max': 200 },
    webhooks: [{ name: 'all', app: APP.id, url: receiver.expect('/all', APP) }],
  });
  const api = await a.api(APP);
  const hooksOf = (pred) => receiver.events('/all').filter(pred);

  t.step('Ann on A, Bob on B, Cid on C (also alone on only-c)');
  const ann = await t.pusherJs(a, { app: APP, user: ANN, label: 'ann@A' });
  const annCh = ann.subscribe(CH);
  await subscribed(annCh);
  const annRemoved = collect(annCh, 'pusher:member_removed');
  const bob = await t.pusherJs(b, { app: APP, user: BOB, label: 'bob@B' });
  const bobCh = bob.subscribe(CH);
  await subscribed(bobCh);
  const cid = await t.connect(c, { key: APP.key, label: 'cid@C' });
  const auth = api.authorizeChannel(cid.socketId, CH, CID);
  await cid.subscribe(CH, auth.auth, auth.channel_data);
  await cid.subscribe('only-c');
  await until(() => annCh.members.count === 3, 'Ann to see three members');
  // subscription_succeeded on a public channel does not wait for Redis: ask the cluster.
  await until(async () => (await (await api.get({ path: '/channels/only-c' })).json()).occupied, 'only-c occupied in the cluster');

  t.step('kill -9 of C: Cid removed once (frames and webhook), only-c vacated');
  const killedAt = Date.now();
  await c.signal('SIGKILL');
  c.stopped = true;
  await annRemoved.next(1, 'member_removed for Cid at Ann', TIMEOUT + 3000);
  const took = Date.now() - killedAt;
  t.log(`member_removed arrived ${took} ms after kill -9`);
  check(took < TIMEOUT + 1000 + 500, `member_removed took ${took} ms (node-timeout ${TIMEOUT} ms + a second)`);
  checkEqual(annRemoved[0].data.id, '3', 'member_removed user');
  await receiver.waitFor(() => hooksOf((e) => e.name === 'member_removed' || e.name === 'channel_vacated').length >= 2, 'the reap webhooks', TIMEOUT + DELAY + 8000);
  await waitNodes(a, 2);
  await sleep(TIMEOUT + DELAY);
  checkEqual(hooksOf((e) => e.name === 'member_removed'), [{ name: 'member_removed', channel: CH, user_id: '3' }], 'member_removed webhooks');
  checkEqual(hooksOf((e) => e.name === 'channel_vacated'), [{ name: 'channel_vacated', channel: 'only-c' }], 'channel_vacated webhooks');
  checkEqual(annRemoved.length, 1, 'one member_removed at Ann');
  const users = await api.get({ path: `/channels/${CH}/users` });
  checkEqual(users.status, 200, 'GET users');

  t.step('SIGSTOP B past its timeout, then SIGCONT: its clients get 4200, no ghost');
  const dan = await t.connect(b, { key: APP.key, label: 'dan@B' });
  const dauth = api.authorizeChannel(dan.socketId, CH, DAN);
  await dan.subscribe(CH, dauth.auth, dauth.channel_data);
  await until(() => annCh.members.count === 3, 'Ann to see Dan');
  b.proc.kill('SIGSTOP');
  await until(() => annCh.members.count === 1, 'Ann to see Bob and Dan removed', TIMEOUT + 3000);
  await waitNodes(a, 1);
  b.proc.kill('SIGCONT');
  const closed = await dan.waitClose('B to close Dan with 4200 after it learns it was declared dead', TIMEOUT * 3);
  checkEqual(closed.code, 4200, 'close code of a client of the rejoining node');
  await waitNodes(a, 2);
  await waitNodes(b, 2);
  // pusher-js reconnects by itself (4200) to B, which is a new node now: Bob is back once.
  await until(() => annCh.members.count === 2, 'Bob back in the member list (pusher-js reconnected)', 5000);
  await sleep(TIMEOUT * 2);
  checkEqual(Object.keys(annCh.members.members).sort(), ['1', '2'], 'members after B rejoined: no ghost of Dan');
  // Bob and Dan were removed once by the reap; B's closing clients are not removed again.
  checkEqual(annRemoved.map((e) => e.data.id).sort(), ['2', '3', '4'], 'member_removed frames at Ann');

  t.step('Redis restart: local delivery goes on, nothing is lost');
  const bobNews = collect(bobCh, 'news');
  const annNews = collect(annCh, 'news');
  await redis.stop();
  await until(async () => (await a.metrics()).crier_cluster_redis_up === 0, 'A to see Redis down');
  await jsonOk(api.trigger(CH, 'news', { n: 1 }), 'trigger on A while Redis is down');
  await annNews.next(1, 'Ann (on A) still served');
  await redis.start();
  await waitNodes(a, 2, 8000);
  await waitNodes(b, 2, 8000);
  await jsonOk(api.trigger(CH, 'news', { n: 2 }), 'trigger on A after Redis returned');
  await bobNews.next(1, 'Bob on B gets the trigger from A again', 5000);
  checkEqual(bobNews.map((e) => e.data.n), [2], 'Bob: what was published while Redis was down is not replayed');
  await annNews.next(2, 'Ann');
  // The resynchronised state: a new member sees both.
  const eve = await t.connect(a, { key: APP.key, label: 'eve@A' });
  const eauth = api.authorizeChannel(eve.socketId, CH, { user_id: '5', user_info: {} });
  const ok = await eve.subscribe(CH, eauth.auth, eauth.channel_data);
  checkEqual(JSON.parse(ok.data).presence.ids.sort(), ['1', '2', '5'], 'members after the Redis restart');
});
