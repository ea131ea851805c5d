// `crier send event` to a private-encrypted- channel seals the data with the master key, as
// the pusher SDK does: pusher-js (given the shared_secret by the SDK's authorizer) decrypts it
// and the wire and the server carry only nonce + ciphertext.

import { execFile } from 'node:child_process';
import { scenario, app, check, checkEqual, collect, subscribed, show } from './harness.mjs';

const APP = app('send-enc-app');
const MASTER = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
const CH = 'private-encrypted-invoices.3';

function crierSend(args, env = {}) {
  return new Promise((resolve) => {
    execFile(process.env.CRIER_BIN, ['send', ...args], { env: { ...process.env, ...env }, timeout: 20000 },
      (error, stdout, stderr) => resolve({ status: error ? (error.code ?? 1) : 0, stdout, stderr }));
  });
}

scenario('send-encrypted', async (t) => {
  const server = await t.crier({ config: { apps: [APP] } });
  const env = {
    PUSHER_HOST: '127.0.0.1', PUSHER_PORT: String(server.port), PUSHER_SCHEME: 'http',
    PUSHER_APP_ID: APP.id, PUSHER_APP_KEY: APP.key, PUSHER_APP_SECRET: APP.secret,
  };

  t.step('pusher-js subscribes with the shared_secret from the SDK authorizer');
  const client = await t.pusherJs(server, { app: APP, masterKey: MASTER });
  const ch = client.subscribe(CH);
  await subscribed(ch);
  const got = collect(ch, 'InvoicePaid');
  const errors = [];
  ch.bind('pusher:decryption_error', (e) => errors.push(e));
  const api = await server.api(APP, { encryptionMasterKeyBase64: MASTER });
  const raw = await t.connect(server, { key: APP.key, label: 'raw' });
  await raw.subscribe(CH, api.authorizeChannel(raw.socketId, CH).auth);

  t.step('crier send event --encryption-master-key: pusher-js decrypts');
  const payload = { amount: '12.50', note: 'confidentiel é' };
  const r = await crierSend(['event', '--channel', CH, '--event', 'InvoicePaid',
    '--data', JSON.stringify(payload), '--encryption-master-key', MASTER], env);
  checkEqual(r.status, 0, `crier send status (stderr: ${r.stderr})`);
  checkEqual((await got.next(1, 'decrypted InvoicePaid')).data, payload, 'decrypted payload');
  checkEqual(errors, [], 'pusher-js decryption errors');
  const frame = await raw.waitEvent('InvoicePaid', CH);
  checkEqual(Object.keys(JSON.parse(frame.data)).sort(), ['ciphertext', 'nonce'], `wire data ${show(frame.data)}`);
  check(!frame.data.includes('confidentiel'), 'plaintext on the wire');

  t.step('without the key, or to two channels at once, crier send refuses before sending');
  let bad = await crierSend(['event', '--channel', CH, '--event', 'InvoicePaid', '--data', '{}'], env);
  checkEqual(bad.status, 2, 'status without a master key');
  check(bad.stderr.includes('--encryption-master-key is required'), `stderr: ${bad.stderr}`);
  bad = await crierSend(['event', '--channel', CH, '--channel', 'public', '--event', 'x',
    '--encryption-master-key', MASTER], env);
  checkEqual(bad.status, 2, 'status for two channels');
  bad = await crierSend(['event', '--channel', CH, '--event', 'x', '--encryption-master-key', 'c2hvcnQ='], env);
  checkEqual(bad.status, 2, 'status for a short key');
  check(bad.stderr.includes('base64 of 32 bytes'), `stderr for a short key: ${bad.stderr}`);

  t.step('a key for another app: pusher-js drops the event it cannot open (no garbage)');
  const other = Buffer.alloc(32, 7).toString('base64');
  const wrong = await crierSend(['event', '--channel', CH, '--event', 'InvoicePaid', '--data', '{"n":2}',
    '--encryption-master-key', other], env);
  checkEqual(wrong.status, 0, 'status with another key (the server cannot tell)');
  const right = await crierSend(['event', '--channel', CH, '--event', 'InvoicePaid', '--data', '{"n":3}',
    '--encryption-master-key', MASTER], env);
  checkEqual(right.status, 0, 'status with the right key again');
  checkEqual((await got.next(2, 'the next decrypted InvoicePaid')).data, { n: 3 }, 'only the event sealed with the right key arrives');
});
