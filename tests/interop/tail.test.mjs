// `crier tail` and the monitor endpoint it reads (issue 15 §1, §4): laravel-echo clients of
// a running crier appear in the stream; --until exits 0 on the first matching event and 1
// at its timeout; filters; JSON lines equal to --log-format=json; every refusal is named;
// the pusher SDK's publication is seen by a second, independent monitor.

import { spawn, execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { scenario, app, check, checkEqual, jsonOk, recorder, HERE } from './harness.mjs';

const APP = app('tail-app');
const OTHER = app('tail-other');

/** Runs `crier tail ARGS` to its end; {status, stdout, stderr}. */
function crierTail(args, env = {}) {
  return new Promise((resolve) => {
    execFile(process.env.CRIER_BIN, ['tail', ...args], { env: { ...process.env, ...env }, timeout: 20000 },
      (error, stdout, stderr) => resolve({ status: error ? (error.code ?? 1) : 0, stdout, stderr }));
  });
}

/** Starts `crier tail ARGS` in the background; resolves once it says it is watching. */
function startTail(args, env = {}) {
  const child = spawn(process.env.CRIER_BIN, ['tail', ...args], { env: { ...process.env, ...env } });
  const out = { stdout: '', stderr: '', child };
  out.done = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdout.on('data', (d) => { out.stdout += d; });
  out.watching = new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      out.stderr += d;
      if (out.stderr.includes('watching app')) resolve();
    });
    child.on('exit', () => reject(new Error(`crier tail exited early: ${out.stderr}`)));
  });
  return out;
}

const lines = (text) => text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));

scenario('tail', async (t) => {
  const server = await t.crier({ config: { apps: [APP, OTHER] }, extraArgs: ['--verbose', '--log-format=json'] });
  const api = await server.api(APP);
  const otherApi = await server.api(OTHER);
  const env = {
    PUSHER_HOST: '127.0.0.1', PUSHER_PORT: String(server.port), PUSHER_SCHEME: 'http',
    PUSHER_APP_ID: APP.id, PUSHER_APP_KEY: APP.key, PUSHER_APP_SECRET: APP.secret,
  };

  t.step('--until waits for an Echo client to subscribe, then exits 0');
  const waiting = startTail(['--until', 'subscribed:private-App.Models.User.*', '--timeout', '15'], env);
  await waiting.watching;
  const echo = await t.echo(server, { app: APP.id, label: 'echo user 5' });
  const subscribed = recorder();
  echo.private('App.Models.User.5').subscribed(subscribed);
  await subscribed.next(1, 'App.Models.User.5 subscribed');
  checkEqual(await waiting.done, 0, `crier tail --until status (stderr: ${waiting.stderr})`);
  // It prints the stream as it waits (a CI log), the matching event last.
  const seen = lines(waiting.stdout).at(-1);
  checkEqual([seen.kind, seen.channel, seen.app_id], ['subscribed', 'private-App.Models.User.5', APP.id], 'the event that ended the wait');
  checkEqual(seen.socket_id, echo.socketId(), 'its socket id is the Echo client\'s');

  t.step('a follower with filters sees only its channel and app, in the JSON of --log-format=json');
  const follower = startTail(['--channel', 'orders.*', '--kind', 'event_published', '--json'], env);
  await follower.watching;
  await jsonOk(api.trigger('news', 'Skipped', '{}'), 'trigger news');
  await jsonOk(otherApi.trigger('orders.1', 'OtherApp', '{}'), 'trigger the other app');
  await jsonOk(api.trigger('orders.1', 'App\\Events\\OrderShipped', '{"id":1}'), 'trigger orders.1');
  const until = startTail(['--until', 'event_published:orders.2:*Paid', '--timeout', '15'], env);
  await until.watching;
  await jsonOk(api.trigger('orders.2', 'App\\Events\\OrderPaid', '{"id":2}'), 'trigger orders.2');
  checkEqual(await until.done, 0, `--until event_published:orders.2:*Paid (stderr: ${until.stderr})`);
  follower.child.kill('SIGTERM');
  await follower.done;
  const followed = lines(follower.stdout);
  checkEqual(followed.map((l) => [l.kind, l.channel, l.event]),
    [['event_published', 'orders.1', 'App\\Events\\OrderShipped'], ['event_published', 'orders.2', 'App\\Events\\OrderPaid']],
    'what the filtered follower printed');
  const logged = server.monitor('event_published').find((l) => l.app_id === APP.id && l.channel === 'orders.1');
  checkEqual(followed[0], JSON.parse(logged.line), 'the same object as the server\'s --log-format=json line');

  t.step('--until with nothing matching: exit 1 at the timeout, saying so');
  let r = await crierTail(['--until', 'auth_failed', '--timeout', '1'], env);
  checkEqual(r.status, 1, 'status at the timeout');
  check(r.stderr.includes('no auth_failed event within 1 s'), `stderr: ${r.stderr}`);

  t.step('refusals are named and not retried');
  r = await crierTail(['--timeout', '5'], { ...env, PUSHER_APP_SECRET: 'wrong' });
  checkEqual(r.status, 1, 'status with a wrong secret');
  check(r.stderr.includes('the server refused: Invalid signature'), `stderr: ${r.stderr}`);
  r = await crierTail(['--timeout', '5', '--app', 'no-such-app'], env);
  checkEqual(r.status, 1, 'status for an unknown app');
  check(r.stderr.includes("the server refused: Unknown app 'no-such-app'"), `stderr: ${r.stderr}`);
  r = await crierTail(['--kind', 'nonsense'], env);
  checkEqual(r.status, 2, 'status for an unknown kind');
  r = await crierTail(['--until', 'nonsense:x'], env);
  checkEqual(r.status, 2, 'status for an --until without a kind');

  t.step('a server that is not there yet: crier tail waits and retries, then gives up at its timeout');
  r = await crierTail(['--port', '1', '--timeout', '2'], env);
  checkEqual(r.status, 0, 'status of a plain --timeout');
  check(r.stderr.includes('retrying until the server answers'), `stderr says it retries: ${r.stderr}`);

  t.step('something else answering the monitor path (a proxy\'s 403): named, not retried');
  const forbidding = createServer((req, res) => { res.writeHead(403); res.end(); });
  forbidding.on('upgrade', (req, socket) => {
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  await new Promise((resolve) => forbidding.listen(0, '127.0.0.1', resolve));
  try {
    r = await crierTail(['--timeout', '5', '--port', String(forbidding.address().port)], env);
  } finally {
    forbidding.close();
  }
  checkEqual(r.status, 1, 'status for a 403');
  check(r.stderr.includes(`answered 403 to /monitor/${APP.id}`), `stderr: ${r.stderr}`);

  t.step('what a monitor endpoint says besides the stream: events it skipped, a kind from a newer server');
  const { WebSocketServer } = createRequire(join(HERE, 'harness.mjs'))('ws');
  const fake = createServer();
  const wss = new WebSocketServer({ noServer: true });
  fake.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => {
    const send = (event, data) => ws.send(JSON.stringify({ event, data }));
    send('crier:snapshot', { connections: [], channels: [] });
    send('crier:missed', { count: 3 });
    send('crier:monitor', { kind: 'from_the_future', app_id: APP.id });
    send('crier:monitor', { kind: 'subscribed', app_id: APP.id, channel: 'after' });
  }));
  await new Promise((resolve) => fake.listen(0, '127.0.0.1', resolve));
  try {
    r = await crierTail(['--until', 'subscribed:after', '--timeout', '10', '--port', String(fake.address().port)], env);
  } finally {
    for (const client of wss.clients) client.terminate();
    fake.close();
  }
  checkEqual(r.status, 0, `status once the event after them came (stderr: ${r.stderr})`);
  check(r.stderr.includes('missed 3 events (the terminal read too slowly)'), `stderr: ${r.stderr}`);
  check(r.stderr.includes('ignored an event it cannot read: unknown event kind'), `stderr: ${r.stderr}`);
  checkEqual(lines(r.stdout).map((l) => [l.kind, l.channel]), [['subscribed', 'after']], 'what it printed');
});
