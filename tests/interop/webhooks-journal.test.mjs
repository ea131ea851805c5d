// Webhooks that survive a crash (issue 11, faults 8 and 9): queued batches go
// to an append-only journal (the webhook-spool file) within the batch window,
// answered ones are marked done there, and every start replays what has no
// done record.
//   1. 1000 events queued while the receiver is down, kill -9, restart with
//      the receiver up: all 1000 arrive, none twice, in order.
//   2. kill -9 after that replay succeeded, restart: nothing is sent again
//      (a torn last line, as a kill -9 in the middle of a write leaves it,
//      is skipped).
//   3. SIGTERM while 20 requests are in flight and the receiver answers them
//      after the signal: crier waits for the answers, so after a restart none
//      of the 20 is sent again.
//   4. A webhook-spool path naming a file that is not a journal: crier
//      refuses to start, says why, and leaves the file alone.

import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenario, app, check, checkEqual, until, show } from './harness.mjs';

const APP = app('journal-app');
const N = 1000;
const WINDOW = 50; // webhook-batch-window

/** Events of the journal's queued records that have no done record (0 without a journal). */
function pendingEvents(path) {
  if (!existsSync(path)) return 0;
  const queued = new Map();
  const done = new Set();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    let j;
    try {
      j = JSON.parse(line);
    } catch {
      continue; // empty, or torn by a kill -9
    }
    if (typeof j.done === 'number') done.add(j.done);
    else if (typeof j.id === 'number' && typeof j.body === 'string') queued.set(j.id, JSON.parse(j.body).events.length);
  }
  let n = 0;
  for (const [id, count] of queued) if (!done.has(id)) n += count;
  return n;
}

const occupied = (channel) => ({ name: 'channel_occupied', channel });

scenario('webhooks-journal', async (t) => {
  const receiver = await t.webhookReceiver();
  const spool = join(t.tempDir(), 'state', 'webhooks.jsonl');
  const config = {
    server: {
      'webhook-batch-window': WINDOW,
      'webhook-retry-initial': 200,
      'webhook-retry-max': 400,
      'webhook-spool': spool,
    },
    apps: [APP],
    webhooks: [{ name: 'hook', app: APP.id, url: receiver.expect('/hook', APP), events: ['channel_occupied'] }],
  };
  const channels = Array.from({ length: N }, (_, i) => `ch-${i}`);

  t.step(`run 1: ${N} events queued while the receiver is down, then kill -9`);
  await receiver.down();
  const server1 = await t.crier({ config });
  const c1 = await t.connect(server1, { key: APP.key, label: 'subscriber' });
  for (const channel of channels) c1.send({ event: 'pusher:subscribe', data: { auth: '', channel } });
  await until(() => c1.since(0, (j) => j.event === 'pusher_internal:subscription_succeeded').length === N,
    `${N} subscription_succeeded frames`);
  await until(async () => (await server1.metrics()).crier_webhooks_queued === N, `crier_webhooks_queued = ${N}`);
  await until(() => pendingEvents(spool) === N,
    `the journal ${spool} to hold the ${N} queued events (it has ${pendingEvents(spool)}; a kill -9 would lose the rest)`);
  checkEqual(await server1.signal('SIGKILL'), { code: null, signal: 'SIGKILL' }, 'run 1 exit');
  server1.stopped = true;
  c1.close();

  t.step(`run 2: receiver up: the ${N} events arrive once, in order`);
  await receiver.up();
  const server2 = await t.crier({ config, extraArgs: ['--verbose'] });
  await receiver.waitEvents('/hook', N, `the ${N} journaled events`);
  checkEqual(receiver.events('/hook'), channels.map(occupied), `events delivered after the kill -9 (each once, in order)`);
  await until(async () => (await server2.metrics()).crier_webhooks_queued === 0, 'crier_webhooks_queued = 0 in run 2');
  await until(() => pendingEvents(spool) === 0,
    `the journal to mark every replayed request done (still pending: ${pendingEvents(spool)})`);

  t.step('run 2: kill -9 after the replay; run 3 sends nothing again (a torn last line is skipped)');
  checkEqual(await server2.signal('SIGKILL'), { code: null, signal: 'SIGKILL' }, 'run 2 exit');
  server2.stopped = true;
  appendFileSync(spool, '{"id":424242,"app_id":"journal-app","url":"http://127.0.0.1:1/to');
  const before3 = receiver.requests.length;
  const server3 = await t.crier({ config });
  const c3 = await t.connect(server3, { key: APP.key, label: 'late subscriber' });
  await c3.subscribe('after-crash');
  // Replayed requests would come before the new one: it arriving alone proves none was resent.
  await receiver.waitEvents('/hook', N + 1, 'the event of run 3');
  checkEqual(receiver.requests.slice(before3).flatMap((r) => r.json.events), [occupied('after-crash')],
    'requests of run 3: only the new event');
  c3.close();
  await server3.stop();
  check(existsSync(spool), `a clean shutdown keeps the journal ${spool}`);
  checkEqual(pendingEvents(spool), 0, 'events pending in the journal after a clean shutdown with nothing left');

  t.step('SIGTERM while 20 requests are in flight and then answered: none is sent again after a restart');
  const spool2 = join(t.tempDir(), 'inflight.jsonl');
  const paths = Array.from({ length: 20 }, (_, i) => `/t${i}`);
  const config2 = {
    server: { ...config.server, 'webhook-spool': spool2 },
    apps: [APP],
    webhooks: paths.map((p, i) => ({ name: `t${i}`, app: APP.id, url: receiver.expect(p, APP), events: ['channel_occupied'] })),
  };
  const server4 = await t.crier({ config: config2 });
  receiver.plan.push(...paths.map(() => 'hold'));
  const c4 = await t.connect(server4, { key: APP.key, label: 'subscriber 4' });
  await c4.subscribe('in-flight');
  // libsoup opens at most 4 connections per host: the other 16 wait in its queue, in flight all the same.
  await receiver.waitFor(() => receiver.held.length >= 4, 'four requests held by the receiver');
  const exit4 = server4.signal('SIGTERM');
  server4.stopped = true;
  await until(() => /shutting down/.test(server4.stderr), 'crier to log that it is shutting down');
  receiver.plan.length = 0; // the requests still to come are answered at once
  const released = receiver.release(200);
  t.log(`  released ${released} held requests after the SIGTERM`);
  checkEqual(await exit4, { code: 0, signal: null }, 'crier exit after SIGTERM with requests in flight');
  t.log(`  run 4 stderr: ${server4.stderr.trim().split('\n').join(' | ')}`);
  for (const p of paths) checkEqual(receiver.events(p), [occupied('in-flight')], `events delivered on ${p} by run 4`);
  const server5 = await t.crier({ config: config2 });
  const c5 = await t.connect(server5, { key: APP.key, label: 'subscriber 5' });
  await c5.subscribe('after-restart');
  for (const p of paths) await receiver.waitEvents(p, 2, `the event of run 5 on ${p}`);
  for (const p of paths)
    checkEqual(receiver.events(p), [occupied('in-flight'), occupied('after-restart')],
      `events on ${p} over both runs (an answered request is never sent again)`);
  c5.close();
  await server5.stop();

  t.step('a webhook-spool naming a file that is not a journal: refused, and the file is left alone');
  const precious = join(t.tempDir(), 'notes.txt');
  const text = 'my notes, not a webhook journal\nsecond line\n';
  writeFileSync(precious, text);
  const refused = await t.crierRefuses({ config: { ...config, server: { ...config.server, 'webhook-spool': precious } } });
  check(refused.code !== 0, `crier must exit non-zero, got ${show(refused)}`);
  check(refused.stderr.includes(precious) && /not a (crier )?webhook journal/i.test(refused.stderr),
    `the error must name the file and say it is not a webhook journal: ${show(refused.stderr)}`);
  checkEqual(existsSync(precious) ? readFileSync(precious, 'utf8') : null, text, 'the unrelated file, after the refused start');
  receiver.assertClean();
});
