// Webhooks across a restart (issue 4 §3): the receiver goes down in the
// middle of the traffic, events keep coming, crier gets SIGTERM with a
// backlog (including channel_vacated / member_removed still inside
// webhook-vacated-delay) → the spool file (the webhook journal, rewritten at
// shutdown) holds every undelivered batch.  Started again with the same
// configuration and a working receiver, crier delivers the spooled batches
// first, byte for byte, before anything new: every event exactly once over
// both runs' successful deliveries.  A SIGTERM while the receiver hangs on a
// request exits soon (crier waits at most 1.5 s for an answer) and keeps the
// attempt in flight (never acknowledged, so delivered once after the next
// start).  A clean shutdown with nothing left leaves a journal with no
// request in it (the file is never deleted: issue 11, fault 9).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scenario, app, check, checkEqual, fail, subscribed, roundTrip, sleep, until, show } from './harness.mjs';

const JOURNAL_HEADER = '{"crier-webhook-journal":1}';

/** The request records of the journal at `path`, which must start with its header. */
function journalRecords(path) {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  checkEqual(lines[0], JOURNAL_HEADER, `first line of the journal ${path}`);
  return lines.slice(1).map((l, i) => {
    try {
      return JSON.parse(l);
    } catch {
      fail(`journal line ${i + 2} is not JSON: ${show(l)}`);
    }
  });
}

const APP = app('restart-app');
const DELAY = 1000; // webhook-vacated-delay
const ANN = { user_id: '1', user_info: { name: 'Ann' } };
const BOB = { user_id: '2', user_info: { name: 'Bob' } };

const occupied = (channel) => ({ name: 'channel_occupied', channel });
const vacated = (channel) => ({ name: 'channel_vacated', channel });
const added = (channel, user_id) => ({ name: 'member_added', channel, user_id });
const removed = (channel, user_id) => ({ name: 'member_removed', channel, user_id });
const key = (e) => JSON.stringify(e, Object.keys(e).sort());
const sorted = (events) => events.map(key).sort();

scenario('webhooks-restart', async (t) => {
  const receiver = await t.webhookReceiver();
  const spool = join(t.tempDir(), 'spool', 'webhooks.jsonl');
  const config = {
    server: {
      'webhook-batch-window': 50,
      'webhook-vacated-delay': DELAY,
      'webhook-retry-initial': 200,
      'webhook-retry-max': 400,
      'webhook-spool': spool,
    },
    apps: [APP],
    webhooks: [
      { name: 'hook', app: APP.id, url: receiver.expect('/hook', APP) },
      { name: 'members', app: APP.id, url: receiver.expect('/members', APP), events: ['member_added', 'member_removed'] },
    ],
  };
  const paths = ['/hook', '/members'];

  t.step('run 1: the first events are delivered');
  const server1 = await t.crier({ config, extraArgs: ['--verbose'] });
  const ann = await t.pusherJs(server1, { app: APP, user: ANN, label: 'ann' });
  await subscribed(ann.subscribe('presence-room'));
  await receiver.waitEvents('/hook', 2, 'presence-room occupied by Ann');
  await receiver.waitEvents('/members', 1, 'Ann joined');
  const run1 = Object.fromEntries(paths.map((p) => [p, receiver.events(p)]));
  checkEqual(run1, { '/hook': [occupied('presence-room'), added('presence-room', '1')], '/members': [added('presence-room', '1')] },
    'events delivered in run 1');

  t.step('run 1: the receiver goes down; client events, a join and a leave pile up');
  await receiver.down();
  const chat = ann.subscribe('private-chat');
  await subscribed(chat);
  const socket = ann.connection.socket_id;
  const client = (n) => ({ name: 'client_event', channel: 'private-chat', event: 'client-seq', data: JSON.stringify({ n }), socket_id: socket });
  for (let n = 1; n <= 4; n++) {
    check(chat.trigger('client-seq', { n }), `trigger client-seq ${n}`);
    await roundTrip(ann);
    if (n === 2) await sleep(150); // a batch boundary
  }
  const bob = await t.pusherJs(server1, { app: APP, user: BOB, label: 'bob' });
  await subscribed(bob.subscribe('presence-room'));
  const failedOn = (path) => server1.monitor('webhook_failed').filter((l) => l.event === receiver.url(path)).length;
  await until(() => failedOn('/hook') >= 1 && failedOn('/members') >= 1, 'webhook_failed lines for both URLs');
  const metrics1 = await server1.metrics();
  checkEqual(metrics1.crier_webhooks_queued, 7, `crier_webhooks_queued with the receiver down (6 on /hook, 1 on /members)`);
  const bobSocket = bob.connection.socket_id;
  bob.disconnect();
  await until(() => server1.monitor('member_removed').some((l) => l.line.includes(` socket=${bobSocket} `)), "crier's member_removed monitor line for Bob");

  t.step('SIGTERM with a backlog: the spool file holds every undelivered batch');
  const e1 = await server1.signal('SIGTERM');
  server1.stopped = true;
  ann.disconnect();
  checkEqual(e1, { code: 0, signal: null }, 'crier exit after SIGTERM with a backlog');
  t.log(`  run 1 stderr: ${server1.stderr.trim().split('\n').join(' | ')}`);
  check(existsSync(spool), `the spool file ${spool} exists after the shutdown`);
  const spooled = journalRecords(spool);
  t.log(`  spool: ${spooled.length} batches`);
  for (const s of spooled) {
    checkEqual(Object.keys(s).sort(), ['app_id', 'body', 'created_ms', 'id', 'url'], `members of a spool line ${show(s)}`);
    checkEqual(s.app_id, APP.id, 'app_id of a spool line');
    check(paths.some((p) => receiver.url(p) === s.url), `spool line for an unknown URL: ${show(s)}`);
  }
  const spooledEvents = (path) => spooled.filter((s) => s.url === receiver.url(path)).flatMap((s) => JSON.parse(s.body).events);
  const expectedRest = {
    // Generated while the receiver was down, in order ...
    '/hook': [occupied('private-chat'), client(1), client(2), client(3), client(4), added('presence-room', '2'),
      // ... then the delayed ones, flushed by the shutdown (Bob's leave, Ann's connection closed by it).
      removed('presence-room', '2'), vacated('private-chat'), removed('presence-room', '1'), vacated('presence-room')],
    '/members': [added('presence-room', '2'), removed('presence-room', '2'), removed('presence-room', '1')],
  };
  for (const path of paths) {
    const got = spooledEvents(path);
    t.log(`  spooled for ${path}: ${got.map((e) => `${e.name}:${e.channel}${e.user_id ? `:${e.user_id}` : ''}${e.data ? `:${e.data}` : ''}`).join(', ')}`);
    checkEqual(sorted(got), sorted(expectedRest[path]), `events spooled for ${path} (as a set)`);
    const prompt = path === '/hook' ? 6 : 1;
    checkEqual(got.slice(0, prompt), expectedRest[path].slice(0, prompt), `events spooled for ${path} before the delayed ones, in generation order`);
  }
  checkEqual(receiver.requests.filter((r) => r.answer !== 200).length, 0, 'requests not answered 200 in run 1');

  t.step('run 2: same configuration, receiver up: the spooled batches first, byte for byte');
  await receiver.up();
  const before = receiver.requests.length;
  const started = Date.now();
  const server2 = await t.crier({ config, extraArgs: ['--verbose'] });
  for (const path of paths)
    await receiver.waitEvents(path, run1[path].length + expectedRest[path].length, `run 1 + the spooled events on ${path}`);
  const run2Requests = receiver.requests.slice(before);
  for (const path of paths) {
    const bodies = run2Requests.filter((r) => r.path === path).map((r) => r.body);
    const spooledBodies = spooled.filter((s) => s.url === receiver.url(path)).map((s) => s.body);
    checkEqual(bodies, spooledBodies, `run 2 requests on ${path} = the spooled bodies, in spool order`);
  }
  for (const r of run2Requests) check(r.json.time_ms < started, `time_ms of a restored batch (${r.json.time_ms}) is when it was created, before run 2 started (${started})`);

  t.step('run 2: new events come after the restored ones; each event exactly once over both runs');
  const carol = await t.connect(server2, { key: APP.key, label: 'carol' });
  await carol.subscribe('after-restart');
  for (const path of paths) {
    const want = [...run1[path], ...spooledEvents(path), ...(path === '/hook' ? [occupied('after-restart')] : [])];
    await receiver.waitEvents(path, want.length, `everything on ${path}`);
    checkEqual(receiver.events(path), want, `all events on ${path} over both runs`);
    const keys = receiver.events(path).map(key);
    checkEqual(keys.length, new Set(keys).size, `no event delivered twice on ${path}`);
    checkEqual(sorted(receiver.events(path)), sorted([...run1[path], ...expectedRest[path], ...(path === '/hook' ? [occupied('after-restart')] : [])]),
      `every event generated in run 1 arrived on ${path}`);
  }
  check(/restored/.test(server2.stderr), `run 2 should log that it restored webhooks from the spool: ${show(server2.stderr)}`);
  checkEqual(receiver.requests.filter((r) => r.answer !== 200).length, 0, 'requests not answered 200');

  t.step('run 2: the new channel empties');
  carol.close();
  await receiver.waitEvents('/hook', receiver.events('/hook').length + 1, 'channel_vacated of after-restart');
  checkEqual(receiver.events('/hook').at(-1), vacated('after-restart'), 'the last event on /hook');
  await until(() => server2.monitor('webhook_delivered').length >= receiver.requests.length - before, 'a webhook_delivered line for each request of run 2');
  const metrics2 = await server2.metrics();
  checkEqual({
    delivered: metrics2.crier_webhooks_delivered_total,
    failures: metrics2.crier_webhook_failures_total,
    dropped: metrics2.crier_webhooks_dropped_total,
    queued: metrics2.crier_webhooks_queued,
  }, { delivered: receiver.requests.length - before, failures: 0, dropped: 0, queued: 0 }, 'webhook metrics of run 2');

  t.step('run 2: SIGTERM while the receiver hangs on a request: crier exits soon and keeps the attempt in flight');
  receiver.plan.push('hang');
  const dave = await t.connect(server2, { key: APP.key, label: 'dave' });
  await dave.subscribe('late');
  await receiver.waitFor(() => receiver.requests.at(-1).answer === 'hang', 'the request left hanging');
  const hungAt = Date.now();
  const e2 = await server2.signal('SIGTERM');
  server2.stopped = true;
  checkEqual(e2, { code: 0, signal: null }, 'crier exit of run 2');
  check(Date.now() - hungAt < 3000, `crier took ${Date.now() - hungAt} ms to exit with a request hanging (webhook-timeout is 10 s)`);
  const lines2 = journalRecords(spool);
  checkEqual(lines2.flatMap((l) => JSON.parse(l.body).events), [occupied('late'), vacated('late')],
    'spooled by run 2: the batch in flight, then the channel_vacated flushed by the shutdown');

  t.step('run 3: the spooled batches arrive once (the hung attempt was never acknowledged); a clean shutdown with nothing left keeps an empty journal');
  const before3 = receiver.requests.length;
  const server3 = await t.crier({ config, extraArgs: ['--verbose'] });
  await receiver.waitEvents('/hook', receiver.events('/hook').length + 2, 'the two events spooled by run 2');
  checkEqual(receiver.requests.slice(before3).map((r) => r.body), lines2.map((l) => l.body), 'run 3 requests = the spooled bodies');
  checkEqual(receiver.events('/hook').filter((e) => e.channel === 'late'), [occupied('late'), vacated('late')],
    'events of channel "late" over all successful deliveries');
  await until(() => server3.monitor('webhook_delivered').length >= 2, 'two webhook_delivered lines in run 3');
  checkEqual((await server3.metrics()).crier_webhooks_queued, 0, 'crier_webhooks_queued in run 3');
  const e3 = await server3.signal('SIGTERM');
  server3.stopped = true;
  checkEqual(e3, { code: 0, signal: null }, 'crier exit of run 3');
  check(existsSync(spool), `the journal ${spool} must survive a clean shutdown`);
  checkEqual(journalRecords(spool), [], 'requests in the journal after a clean shutdown with nothing undelivered');
  receiver.assertClean();
});
