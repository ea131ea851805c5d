// Bounded webhook queues (issue 4 §3): with a tiny webhook-queue-limit and
// the receiver down, the events beyond the limit are dropped and say so — a
// webhook_dropped line in the --verbose monitor stream for each, and
// crier_webhooks_dropped_total / crier_webhooks_queued in /metrics — while
// the events kept are delivered once the receiver is back, and another URL of
// the same app (its own queue) loses nothing.  Then, with a short
// webhook-retry-for, a batch that keeps failing is given up ("giving up"
// webhook_failed line, counted as dropped) without blocking later batches.

import { join } from 'node:path';
import { scenario, app, check, checkEqual, subscribed, roundTrip, until, show } from './harness.mjs';

const APP = app('overflow-app', { 'client-events-per-second': 0 });
const LIMIT = 3;

scenario('webhooks-overflow', async (t) => {
  const down = await t.webhookReceiver('receiver (down)');
  const ok = await t.webhookReceiver('receiver (up)');
  const config = {
    server: {
      'webhook-batch-window': 50,
      'webhook-queue-limit': LIMIT,
      'webhook-retry-initial': 200,
      'webhook-retry-max': 400,
      'webhook-spool': join(t.tempDir(), 'spool.jsonl'),
    },
    apps: [APP],
    webhooks: [
      { name: 'full', app: APP.id, url: down.expect('/full', APP), events: ['client_event'] },
      { name: 'fine', app: APP.id, url: ok.expect('/fine', APP), events: ['client_event'] },
    ],
  };
  await down.down();
  const server = await t.crier({ config, extraArgs: ['--verbose'] });
  const ann = await t.pusherJs(server, { app: APP, label: 'ann' });
  const chat = ann.subscribe('private-chat');
  await subscribed(chat);
  const seqOf = (e) => JSON.parse(e.data).n;
  // A request answered by a receiver is delivered once crier has read the answer (its monitor line).
  const delivered = (srv, n) => until(() => srv.monitor('webhook_delivered').length >= n, `${n} webhook_delivered monitor lines`);
  const send = async (from, to) => {
    for (let n = from; n <= to; n++) check(chat.trigger('client-seq', { n }), `trigger client-seq ${n}`);
    await roundTrip(ann);
  };

  t.step(`10 client events with the receiver down and webhook-queue-limit=${LIMIT}`);
  // One at a time, each delivered on the working URL before the next: its queue never fills.
  for (let n = 1; n <= 10; n++) {
    await send(n, n);
    await ok.waitEvents('/fine', n, `client event ${n} on the URL whose receiver is up`);
  }
  const dropped = () => server.monitor('webhook_dropped');
  await until(() => dropped().length >= 10 - LIMIT, `${10 - LIMIT} webhook_dropped monitor lines (have ${show(dropped().map((l) => l.line))})`);
  checkEqual(ok.events('/fine').map(seqOf), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'events on the working URL (its own queue)');
  for (const l of dropped()) {
    checkEqual(l.app_id, APP.id, `app in ${show(l.line)}`);
    checkEqual(l.event, down.url('/full'), `URL in ${show(l.line)}`);
    check(/queue full/.test(l.message || ''), `webhook_dropped should say the queue is full: ${show(l.line)}`);
  }
  t.log(`  ${dropped()[0].line}`);
  await delivered(server, ok.requests.length);
  const m1 = await server.metrics();
  checkEqual({ dropped: m1.crier_webhooks_dropped_total, queued: m1.crier_webhooks_queued, delivered: m1.crier_webhooks_delivered_total },
    { dropped: 10 - LIMIT, queued: LIMIT, delivered: ok.requests.length }, 'webhook metrics with the queue full');
  check(m1.crier_webhook_failures_total > 0, `crier_webhook_failures_total should count the refused attempts: ${m1.crier_webhook_failures_total}`);

  t.step('the receiver comes back: the events kept are delivered, in order, once; the queue has room again');
  await down.up();
  await down.waitEvents('/full', LIMIT, 'the events kept in the queue');
  await send(11, 11);
  await down.waitEvents('/full', LIMIT + 1, 'a new event after the queue drained');
  await ok.waitEvents('/fine', 11, 'the new event on the working URL');

  checkEqual(down.events('/full').map(seqOf), [1, 2, 3, 11], 'events delivered on the URL that was down');
  checkEqual(dropped().length, 10 - LIMIT, 'webhook_dropped lines after the queue drained');
  await delivered(server, ok.requests.length + down.requests.length);
  const m2 = await server.metrics();
  checkEqual({ dropped: m2.crier_webhooks_dropped_total, queued: m2.crier_webhooks_queued, delivered: m2.crier_webhooks_delivered_total },
    { dropped: 10 - LIMIT, queued: 0, delivered: ok.requests.length + down.requests.length }, 'webhook metrics after recovery');

  t.step('a burst beyond the limit within one batch window: the limit holds on every URL, up or not');
  await send(12, 16);
  await until(() => dropped().length >= 10 - LIMIT + 4, `two more webhook_dropped lines per URL (have ${show(dropped().map((l) => l.line))})`);
  await down.waitEvents('/full', LIMIT + 1 + LIMIT, 'the first three events of the burst');
  await ok.waitEvents('/fine', 11 + LIMIT, 'the first three events of the burst on the working URL');
  await delivered(server, ok.requests.length + down.requests.length); // the queues are empty again
  await send(17, 17);
  await down.waitEvents('/full', LIMIT + 1 + LIMIT + 1, 'the event after the burst');
  await ok.waitEvents('/fine', 11 + LIMIT + 1, 'the event after the burst on the working URL');
  checkEqual(down.events('/full').map(seqOf), [1, 2, 3, 11, 12, 13, 14, 17], 'events on /full after the burst');
  checkEqual(ok.events('/fine').map(seqOf), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 17], 'events on /fine after the burst');
  checkEqual(dropped().filter((l) => l.event === ok.url('/fine')).length, 2, 'webhook_dropped lines for /fine');
  await delivered(server, ok.requests.length + down.requests.length);
  const m3 = await server.metrics();
  checkEqual({ dropped: m3.crier_webhooks_dropped_total, queued: m3.crier_webhooks_queued },
    { dropped: 10 - LIMIT + 4, queued: 0 }, 'webhook metrics after the burst');
  down.assertClean();
  ok.assertClean();

  t.step('webhook-retry-for: a batch failing for longer is given up, counted as dropped, and the next one goes through');
  const failing = await t.webhookReceiver('receiver (500)');
  const cfg2 = {
    ...config,
    // a journal of its own: the first server still holds the first one
    server: { ...config.server, 'webhook-retry-for': 800, 'webhook-retry-initial': 100, 'webhook-retry-max': 200, 'webhook-queue-limit': 100,
      'webhook-spool': join(t.tempDir(), 'spool.jsonl') },
    webhooks: [{ name: 'failing', app: APP.id, url: failing.expect('/failing', APP), events: ['client_event'] }],
  };
  const server2 = await t.crier({ config: cfg2, extraArgs: ['--verbose'] });
  failing.plan.push(...Array(50).fill(500));
  const bob = await t.pusherJs(server2, { app: APP, label: 'bob' });
  const bobChat = bob.subscribe('private-chat');
  await subscribed(bobChat);
  check(bobChat.trigger('client-seq', { n: 1 }), 'trigger client-seq 1');
  check(bobChat.trigger('client-seq', { n: 2 }), 'trigger client-seq 2');
  await roundTrip(bob);
  const givingUp = () => server2.monitor('webhook_failed').filter((l) => /giving up/.test(l.message || ''));
  await until(() => givingUp().length >= 1, `a webhook_failed "giving up" line (have ${show(server2.monitor('webhook_failed').map((l) => l.line))})`);
  t.log(`  ${givingUp()[0].line}`);
  const attempts = failing.requests.length;
  check(attempts >= 3, `the batch should have been retried until webhook-retry-for ran out (${attempts} attempts)`);
  failing.plan.length = 0;
  check(bobChat.trigger('client-seq', { n: 3 }), 'trigger client-seq 3');
  await failing.waitEvents('/failing', 1, 'the batch after the one given up');
  checkEqual(failing.events('/failing').map(seqOf), [3], 'events delivered after giving up');
  for (const r of failing.requests.slice(0, attempts)) checkEqual(r.body, failing.requests[0].body, `body of attempt #${r.n}`);
  await delivered(server2, 1);
  const m4 = await server2.metrics();
  checkEqual({ dropped: m4.crier_webhooks_dropped_total, queued: m4.crier_webhooks_queued, failures: m4.crier_webhook_failures_total, delivered: m4.crier_webhooks_delivered_total },
    { dropped: 2, queued: 0, failures: attempts, delivered: 1 }, 'webhook metrics after giving up (both events of the batch dropped)');
  checkEqual(givingUp().length, 1, 'giving-up lines');
  failing.assertClean();
});
