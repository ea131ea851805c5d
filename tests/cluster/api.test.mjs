// The HTTP API answers the same from every node of a cluster, also from one with no local
// subscriber: GET /channels (prefix filter, user_count, subscription_count),
// GET /channels/{name} (occupied, counts, distinct users), GET /channels/{name}/users; an
// app's max-connections counts the connections of every node.

import { scenario, app, check, checkEqual, subscribed, sleep, until, needRedis, Redis, startNodes } from './cluster.mjs';

needRedis();

const APP = app('api-app', { 'subscription-count': true });
const QUOTA = app('quota-app', { 'max-connections': 3 });
const ANN = { user_id: '1', user_info: { name: 'Ann' } };
const BOB = { user_id: '2', user_info: { name: 'Bob' } };

async function get(api, path, params) {
  const res = await api.get({ path, params });
  return { status: res.status, body: await res.json() };
}

scenario('cluster-api', async (t) => {
  const redis = await new Redis(t).start();
  const [a, b, c] = await startNodes(t, redis, 3, { apps: [APP, QUOTA] });
  const apis = [await a.api(APP), await b.api(APP), await c.api(APP)];

  t.step('Ann on A; Bob on A and on B; news on A and B; C has no subscriber');
  const ann = await t.pusherJs(a, { app: APP, user: ANN, label: 'ann@A' });
  await subscribed(ann.subscribe('presence-room'));
  await subscribed(ann.subscribe('news'));
  const bob1 = await t.pusherJs(a, { app: APP, user: BOB, label: 'bob@A' });
  await subscribed(bob1.subscribe('presence-room'));
  const bob2 = await t.pusherJs(b, { app: APP, user: BOB, label: 'bob@B' });
  await subscribed(bob2.subscribe('presence-room'));
  await subscribed(bob2.subscribe('news'));
  await subscribed(bob2.subscribe('private-only-b'));

  // A public subscription_succeeded does not wait for Redis: let the last script land.
  await until(async () => Object.keys((await get(apis[2], '/channels', {})).body.channels).length === 3, 'three channels in the cluster');

  const expect = [
    ['/channels', {}, { channels: { news: {}, 'presence-room': {}, 'private-only-b': {} } }],
    ['/channels', { filter_by_prefix: 'presence-', info: 'user_count' }, { channels: { 'presence-room': { user_count: 2 } } }],
    ['/channels', { info: 'subscription_count' }, { channels: { news: { subscription_count: 2 }, 'presence-room': {}, 'private-only-b': { subscription_count: 1 } } }],
    ['/channels/presence-room', { info: 'user_count' }, { occupied: true, user_count: 2 }],
    ['/channels/news', { info: 'subscription_count' }, { occupied: true, subscription_count: 2 }],
    ['/channels/private-only-b', {}, { occupied: true }],
    ['/channels/nobody', {}, { occupied: false }],
  ];
  for (const [path, params, body] of expect) {
    t.step(`GET ${path} ${JSON.stringify(params)} on A, B and C`);
    for (const [i, api] of apis.entries()) checkEqual(await get(api, path, params), { status: 200, body }, `${path} on ${'ABC'[i]}`);
  }
  t.step('GET /channels/presence-room/users on A, B and C');
  for (const [i, api] of apis.entries()) {
    const got = await get(api, '/channels/presence-room/users');
    got.body.users.sort((x, y) => x.id.localeCompare(y.id));
    checkEqual(got, { status: 200, body: { users: [{ id: '1' }, { id: '2' }] } }, `users on ${'ABC'[i]}`);
  }

  t.step("max-connections=3 over the cluster: two on A and one on B fill it, C refuses a fourth with 4004");
  const held = [];
  for (const node of [a, a, b]) {
    const q = await t.connect(node, { key: QUOTA.key, label: `quota@${node === a ? 'A' : 'B'}` });
    await q.subscribe('fence-' + held.length); // a round trip: counted by now
    held.push(q);
  }
  const fourth = await t.connect(c, { key: QUOTA.key, label: 'quota#4@C' });
  const err = await fourth.waitEvent('pusher:error');
  checkEqual(err.data.code, 4004, 'pusher:error code for the fourth connection');
  checkEqual((await fourth.waitClose('C to close the fourth connection')).code, 4004, 'close code');

  t.step('one leaves A: C takes a new one');
  held[0].ws.close();
  await held[0].waitClose('the first to close');
  let accepted = null;
  await until(async () => {
    const q = await t.connect(c, { key: QUOTA.key, label: 'quota#5@C' });
    await q.subscribe('after');
    await sleep(50);
    if (q.closeInfo) return false;
    accepted = q;
    return true;
  }, 'a connection on C to be accepted once A has one less');
  check(accepted !== null, 'accepted');
  const sixth = await t.connect(b, { key: QUOTA.key, label: 'quota#6@B' });
  checkEqual((await sixth.waitClose('B to refuse a sixth')).code, 4004, 'the quota is full again');
});
