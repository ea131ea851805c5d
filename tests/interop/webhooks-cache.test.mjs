// cache_miss webhooks (pusher-protocol.md §11 and §15.4): every subscriber
// of an empty cache channel gets pusher:cache_miss, but the cache_miss
// webhook is de-duplicated across clients — many clients subscribing to the
// same empty channel tell the app once.  Once the cache is filled nobody gets
// a miss; a different empty cache channel has its own cache_miss.

import { join } from 'node:path';
import { scenario, app, checkEqual, collect, subscribed } from './harness.mjs';

const APP = app('cache-hook-app');

const occupied = (channel) => ({ name: 'channel_occupied', channel });
const miss = (channel) => ({ name: 'cache_miss', channel });

scenario('webhooks-cache', async (t) => {
  const receiver = await t.webhookReceiver();
  const config = {
    server: {
      'webhook-batch-window': 100,
      'webhook-vacated-delay': 1000,
      'webhook-spool': join(t.tempDir(), 'spool.jsonl'),
    },
    apps: [APP],
    webhooks: [{ name: 'misses', app: APP.id, url: receiver.expect('/misses', APP), events: ['cache_miss', 'channel_occupied'] }],
  };
  const server = await t.crier({ config, extraArgs: ['--verbose'] });

  t.step('three pusher-js clients subscribe to the same empty cache channel: three pusher:cache_miss');
  const clients = [];
  for (const label of ['ann', 'bob', 'carol']) clients.push(await t.pusherJs(server, { app: APP, label }));
  const misses = [];
  for (const c of clients) {
    const ch = c.subscribe('cache-scores');
    misses.push(collect(ch, 'pusher:cache_miss'));
    await subscribed(ch);
  }
  for (const [i, m] of misses.entries()) await m.next(1, `pusher:cache_miss at client ${i + 1}`);

  t.step('... and one cache_miss webhook');
  // A marker after them: a new empty cache channel, its own channel_occupied + cache_miss.
  await subscribed(clients[0].subscribe('cache-marker'));
  await receiver.waitFor(() => receiver.events('/misses').some((e) => e.channel === 'cache-marker' && e.name === 'cache_miss'),
    'the cache_miss of cache-marker');
  checkEqual(receiver.events('/misses'),
    [occupied('cache-scores'), miss('cache-scores'), occupied('cache-marker'), miss('cache-marker')],
    'webhook events: one cache_miss per empty channel, however many clients subscribe (de-duplicated across clients)');
  receiver.assertClean();
});
