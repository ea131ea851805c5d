// reuse-port: two nodes on one host listen on the same port (SO_REUSEPORT); the kernel
// spreads the connections over both, and a trigger through the shared port reaches every
// subscriber once whichever node took it.

import { scenario, app, check, checkEqual, jsonOk, needRedis, Redis, clusterConfig, waitNodes } from './cluster.mjs';
import { until } from '../interop/harness.mjs';

needRedis();

const APP = app('rp-app');
const N = 24;

scenario('cluster-reuse-port', async (t) => {
  const redis = await new Redis(t).start();
  const config = clusterConfig(redis, { apps: [APP], cluster: { 'reuse-port': 'true' } });
  const a = await t.crier({ config, apps: [APP], extraArgs: ['--verbose'] });
  const b = await t.crier({ config, apps: [APP], port: a.port, extraArgs: ['--verbose'] });
  checkEqual(b.port, a.port, 'the second node listens on the same port');
  await waitNodes(a, 2);

  t.step(`${N} clients on the shared port, all subscribed to news`);
  const clients = [];
  for (let i = 0; i < N; i++) {
    const c = await t.connect(a, { key: APP.key, label: `client ${i}` });
    await c.subscribe('news');
    clients.push(c);
  }
  // Each node's --verbose lines come through a pipe read on its own schedule: a client can
  // hold its pusher_internal:subscription_succeeded before the test has read the line that
  // says so. Wait for the lines (at most the harness's wait), then count exactly.
  const counted = () => a.monitor('subscribed').length + b.monitor('subscribed').length;
  await until(() => counted() >= N, `${N} subscribed lines over both nodes`).catch(() => {});
  const onA = a.monitor('subscribed').length;
  const onB = b.monitor('subscribed').length;
  t.log(`node A took ${onA}, node B ${onB}`);
  checkEqual(onA + onB, N, 'subscriptions over both nodes');
  check(onA > 0 && onB > 0, `the kernel gave every connection to one node (A ${onA}, B ${onB})`);

  t.step('a trigger through the shared port reaches each client once');
  const api = await a.api(APP);
  await jsonOk(api.trigger('news', 'hello', { n: 1 }), 'trigger');
  await jsonOk(api.trigger('news', 'hello', { n: 2 }), 'fence');
  for (const c of clients) {
    await c.waitFor((j) => j.event === 'hello' && JSON.parse(j.data).n === 2, 'the fence');
    checkEqual(c.since(0, (j) => j.event === 'hello').map((j) => JSON.parse(j.data).n), [1, 2], `${c.label}: once each`);
  }
});
