// `crier tail` against soketi 1.6 from npm, a server without a monitor endpoint (issue 15 §3,
// §4): it says so and observes as a client of the app, so pusher-js clients of soketi show
// up as channel events: occupied channels, presence members, broadcasts from the pusher
// SDK, client events, a private-encrypted- channel read with the master key; --until works
// as against Crier.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { scenario, app, check, checkEqual, loadLibs, recorder, soketiInstalled, startSoketi, until } from './harness.mjs';

const APP = app('observed');
const MASTER_KEY = randomBytes(32).toString('base64');

function startTail(args, env) {
  const child = spawn(process.env.CRIER_BIN, ['tail', ...args], { env: { ...process.env, ...env } });
  const out = { stdout: '', stderr: '', child };
  out.done = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  child.stdout.on('data', (d) => { out.stdout += d; });
  child.stderr.on('data', (d) => { out.stderr += d; });
  out.lines = () => out.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
  return out;
}

scenario('observer', async (t) => {
  if (!soketiInstalled()) {
    console.log('SKIP: soketi is not installed in bench/node_modules (build-aux/install-deps installs it)');
    process.exit(77);
  }
  const { Pusher, PusherServer } = await loadLibs();
  const soketi = await startSoketi(t, APP);
  const env = {
    PUSHER_HOST: '127.0.0.1', PUSHER_PORT: String(soketi.port), PUSHER_SCHEME: 'http',
    PUSHER_APP_ID: APP.id, PUSHER_APP_KEY: APP.key, PUSHER_APP_SECRET: APP.secret,
  };
  const sdk = new PusherServer({ appId: APP.id, key: APP.key, secret: APP.secret, host: '127.0.0.1', port: String(soketi.port),
    encryptionMasterKeyBase64: MASTER_KEY });
  const clients = [];
  t.defer(() => clients.forEach((c) => c.disconnect()));
  /** A pusher-js client of soketi, its channels authorised by the SDK as user `user`. */
  function client(user) {
    const c = new Pusher(APP.key, { wsHost: '127.0.0.1', wsPort: soketi.port, forceTLS: false, enabledTransports: ['ws'],
      cluster: 'mt1', channelAuthorization: { customHandler: (p, cb) => cb(null, sdk.authorizeChannel(p.socketId, p.channelName, p.channelName.startsWith('presence-') ? user : undefined)) } });
    clients.push(c);
    return c;
  }
  const subscribedTo = async (c, name) => {
    const ch = c.subscribe(name);
    const ok = recorder();
    ch.bind('pusher:subscription_succeeded', ok);
    await ok.next(1, `${name} subscribed on soketi`);
    return ch;
  };

  t.step('pusher-js clients of soketi on a public, a presence and an encrypted channel');
  const ada = client({ user_id: '1', user_info: { name: 'Ada' } });
  await subscribedTo(ada, 'orders');
  await subscribedTo(ada, 'presence-room');
  await subscribedTo(ada, 'private-encrypted-secrets');

  t.step('crier tail finds no monitor endpoint, says so and observes the occupied channels');
  const tail = startTail(['--json', '--encryption-master-key', MASTER_KEY], env);
  await until(() => tail.lines().filter((l) => l.kind === 'subscribed').length === 3, 'the observer subscribed to the 3 channels');
  check(tail.stderr.includes('has no monitor endpoint'), `it says it observes: ${tail.stderr}`);
  checkEqual(tail.lines().filter((l) => l.kind === 'channel_occupied').map((l) => l.channel).sort(),
    ['orders', 'presence-room', 'private-encrypted-secrets'], 'occupied channels listed through the HTTP API');
  const room = tail.lines().find((l) => l.kind === 'subscribed' && l.channel === 'presence-room');
  checkEqual(room.count, 1, 'presence-room members besides the observer');

  t.step('a second member, a broadcast from the SDK, a client event and an encrypted event');
  const bob = client({ user_id: '2', user_info: { name: 'Bob' } });
  const bobRoom = await subscribedTo(bob, 'presence-room');
  await until(() => tail.lines().some((l) => l.kind === 'member_added' && l.user_id === '2'), "Bob's member_added");
  checkEqual(JSON.parse(tail.lines().find((l) => l.kind === 'member_added').data), { name: 'Bob' }, "Bob's user_info");
  await sdk.trigger('orders', 'App\\Events\\OrderShipped', { id: 7 });
  await until(() => tail.lines().some((l) => l.kind === 'event_published' && l.channel === 'orders'), 'the broadcast');
  checkEqual(JSON.parse(tail.lines().find((l) => l.kind === 'event_published' && l.channel === 'orders').data), { id: 7 }, 'broadcast data');
  bobRoom.trigger('client-typing', { typing: true });
  await until(() => tail.lines().some((l) => l.kind === 'client_event' && l.event === 'client-typing'), 'the client event');
  await sdk.trigger('private-encrypted-secrets', 'Sealed', { pin: '1234' });
  await until(() => tail.lines().some((l) => l.event === 'Sealed'), 'the encrypted event');
  checkEqual(JSON.parse(tail.lines().find((l) => l.event === 'Sealed').data), { pin: '1234' }, 'decrypted with the master key');

  t.step('--until against soketi: exits 0 on the matching broadcast');
  const waiting = startTail(['--until', 'event_published:orders:*Paid', '--timeout', '20'], env);
  await until(() => waiting.stdout.includes('"subscribed"') || waiting.stderr.includes('observing'), 'the second tail observes');
  await until(() => waiting.stdout.includes('"orders"'), 'the second tail joined orders');
  await sdk.trigger('orders', 'App\\Events\\OrderPaid', { id: 8 });
  checkEqual(await waiting.done, 0, `--until status (stderr: ${waiting.stderr})`);

  t.step('members leave and channels empty: member_removed, then channel_vacated at the next poll');
  bob.disconnect();
  await until(() => tail.lines().some((l) => l.kind === 'member_removed' && l.user_id === '2'), "Bob's member_removed");
  ada.unsubscribe('orders');
  await until(() => tail.lines().some((l) => l.kind === 'channel_vacated' && l.channel === 'orders'), 'orders vacated', 10000);
  tail.child.kill('SIGTERM');
  await tail.done;
});
