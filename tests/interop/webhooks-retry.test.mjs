// Webhook retries (issue 4 §3): a receiver that answers 500, then refuses
// connections (listener closed), then hangs past webhook-timeout, then
// answers 200.  The batch is retried with exponential back-off and jitter,
// arrives exactly once per 2xx delivery with the same body (and signature)
// on every attempt, and later batches never overtake it.  Every failed
// attempt is a webhook_failed line in the --verbose monitor stream; /metrics
// counts them.  Any 2xx counts as delivered, any other status is retried.

import { join } from 'node:path';
import { scenario, app, check, checkEqual, subscribed, roundTrip, sleep, until, show } from './harness.mjs';

const APP = app('retry-app');
const INITIAL = 300; // webhook-retry-initial
const MAX = 600; // webhook-retry-max
const TIMEOUT = 1000; // webhook-timeout

scenario('webhooks-retry', async (t) => {
  const receiver = await t.webhookReceiver();
  const config = {
    server: {
      'webhook-batch-window': 50,
      'webhook-timeout': TIMEOUT,
      'webhook-retry-initial': INITIAL,
      'webhook-retry-max': MAX,
      'webhook-retry-for': 60000,
      'webhook-spool': join(t.tempDir(), 'spool.jsonl'),
    },
    apps: [APP],
    webhooks: [{ name: 'hook', app: APP.id, url: receiver.expect('/hook', APP, { 'X-Env': 'retry' }), events: ['client_event'], headers: ['X-Env: retry'] }],
  };
  const server = await t.crier({ config, extraArgs: ['--verbose'] });
  const failed = () => server.monitor('webhook_failed');
  const waitFailed = (n, what) => until(() => failed().length >= n, `${n} webhook_failed monitor line(s): ${what} (have ${show(failed().map((l) => l.line))})`);

  const ann = await t.pusherJs(server, { app: APP, label: 'ann' });
  const chat = ann.subscribe('private-chat');
  await subscribed(chat);
  const socket = ann.connection.socket_id;
  const sent = [];
  const send = async (n) => {
    check(chat.trigger('client-seq', { n }), `pusher-js trigger() of client-seq ${n} returned false`);
    await roundTrip(ann);
    sent.push(n);
  };
  const seqOf = (e) => JSON.parse(e.data).n;

  t.step('attempt 1 is answered 500');
  receiver.plan.push(500);
  await send(1);
  await receiver.waitFor(() => receiver.requests.length >= 1, 'attempt 1');
  t.step('the listener is closed: attempt 2 is refused');
  await receiver.down();
  await waitFailed(1, 'attempt 1 answered 500');
  t.step('two more batches are generated while the first one is failing');
  await send(2);
  await sleep(200); // > 3 batch windows: a batch of its own
  await send(3);
  await waitFailed(2, 'attempt 2 (listener closed)');
  checkEqual(receiver.requests.length, 1, 'requests received while the listener was closed');

  t.step('the receiver listens again but hangs: attempt 3 times out after webhook-timeout');
  receiver.plan.push('hang');
  await receiver.up();
  await receiver.waitFor(() => receiver.requests.length >= 2, 'attempt 3 (to hang)');
  await waitFailed(3, 'attempt 3 (receiver hanging)');
  const hung = receiver.requests[1];
  await until(() => hung.closedAt, 'crier to close the hanging request');
  t.log(`  the hanging request was closed by crier after ${hung.closedAt - hung.at} ms`);
  check(hung.closedAt - hung.at >= TIMEOUT - 100, `crier gave up on the hanging request after ${hung.closedAt - hung.at} ms, before webhook-timeout (${TIMEOUT} ms)`);

  t.step('attempt 4 succeeds; the later batches follow, in order, each exactly once');
  const events = await receiver.waitEvents('/hook', 3, 'the three client events');
  // The receiver has answered; wait for crier to have taken each answer in.
  const oks = () => receiver.requests.filter((r) => r.answer === 200).length;
  await until(() => server.monitor('webhook_delivered').length >= oks(), 'a webhook_delivered monitor line per 2xx');
  checkEqual(receiver.events('/hook').map(seqOf), [1, 2, 3], 'client event sequence over all successful deliveries');
  for (const e of events)
    checkEqual(e, { name: 'client_event', channel: 'private-chat', event: 'client-seq', data: JSON.stringify({ n: seqOf(e) }), socket_id: socket }, 'client_event payload');
  const firstOk = receiver.requests.findIndex((r) => r.answer === 200);
  checkEqual(receiver.requests[firstOk].json.events.map(seqOf), [1], 'the first successful request carries the first batch alone');
  const b1 = receiver.requests.slice(0, firstOk + 1);
  checkEqual(b1.length, 3, 'attempts of the first batch that reached the receiver (500, hang, 200)');
  for (const r of b1) {
    checkEqual(r.body, b1[0].body, `body of attempt #${r.n} (a retry sends the same bytes, time_ms included)`);
    checkEqual(r.headers['x-pusher-signature'], b1[0].headers['x-pusher-signature'], `signature of attempt #${r.n}`);
  }
  for (const r of receiver.requests.slice(firstOk + 1)) checkEqual(r.answer, 200, `answer to request #${r.n}`);

  t.step('monitor: one webhook_failed per failed attempt, back-off doubling with ±20 % jitter');
  const f = failed();
  checkEqual(f.length, 3, `webhook_failed lines ${show(f.map((l) => l.line))}`);
  f.forEach((l, i) => {
    check(l.message && l.message.startsWith(`attempt ${i + 1} `), `webhook_failed #${i + 1} should be about attempt ${i + 1}: ${show(l.line)}`);
    checkEqual(l.app_id, APP.id, 'app of the webhook_failed line');
    checkEqual(l.event, receiver.url('/hook'), 'URL of the webhook_failed line');
    checkEqual(l.data, b1[0].body, `body in webhook_failed #${i + 1}`);
    const m = /retrying in ([\d.]+) s/.exec(l.message);
    check(m, `webhook_failed #${i + 1} should say when it retries: ${show(l.line)}`);
    const base = Math.min(INITIAL * 2 ** i, MAX) / 1000;
    const secs = Number(m[1]);
    check(secs >= base * 0.8 - 0.051 && secs <= base * 1.2 + 0.051, `retry delay after attempt ${i + 1}: ${secs} s, expected ${base} s ±20 %`);
  });
  checkEqual(f[0].code, 500, 'status in the first webhook_failed line');
  check(/answered 500/.test(f[0].message), `first failure should say "answered 500": ${show(f[0].line)}`);
  t.log(`  failure 2 (listener closed): ${f[1].message}`);
  t.log(`  failure 3 (receiver hanging): ${f[2].message}`);
  check(/refused/i.test(f[1].message), `the second failure should be a refused connection: ${show(f[1].line)}`);
  check(/timed out|timeout/i.test(f[2].message), `the third failure should be a timeout: ${show(f[2].line)}`);
  const d = server.monitor('webhook_delivered');
  checkEqual(d.map((l) => [l.message, l.code]), [['attempt 4', 200], ...Array(oks() - 1).fill(['attempt 1', 200])], 'webhook_delivered lines (one per 2xx)');

  t.step('any other non-2xx status is retried too; any 2xx is a delivery');
  receiver.plan.push(404, 204);
  await send(4);
  await receiver.waitEvents('/hook', 4, 'client event 4 after a 404 and a 204');
  await until(() => server.monitor('webhook_delivered').length === d.length + 1, 'the webhook_delivered line for the 204');
  checkEqual(receiver.events('/hook').map(seqOf), [1, 2, 3, 4], 'client event sequence');
  const last = receiver.requests.slice(-2);
  checkEqual(last.map((r) => r.answer), [404, 204], 'answers to the last two requests');
  checkEqual(last[0].body, last[1].body, 'the retried body after a 404');
  checkEqual(failed().length, 4, 'webhook_failed lines after the 404');
  checkEqual(failed()[3].code, 404, 'status in the webhook_failed line of the 404');
  checkEqual(server.monitor('webhook_delivered').at(-1).code, 204, 'status in the webhook_delivered line of the 204');

  receiver.assertClean();
  const metrics = await server.metrics();
  checkEqual({
    delivered: metrics.crier_webhooks_delivered_total,
    failures: metrics.crier_webhook_failures_total,
    dropped: metrics.crier_webhooks_dropped_total,
    queued: metrics.crier_webhooks_queued,
  }, { delivered: receiver.requests.filter((r) => r.answer === 200 || r.answer === 204).length, failures: 4, dropped: 0, queued: 0 }, 'webhook metrics');
});
