// private-encrypted channels: the pusher SDK encrypts with the master key,
// crier relays the {nonce, ciphertext} string untouched, pusher-js (given the
// shared_secret by the auth handler) decrypts it.

import { scenario, app, check, checkEqual, collect, subscribed, jsonOk, show } from './harness.mjs';

const APP = app('enc-app');
const MASTER = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
const CH = 'private-encrypted-orders.7';

scenario('encrypted', async (t) => {
  const server = await t.crier({ config: { apps: [APP] } });
  const api = await server.api(APP, { encryptionMasterKeyBase64: MASTER });

  t.step('pusher-js subscribes (auth with shared_secret from the SDK)');
  const client = await t.pusherJs(server, { app: APP, masterKey: MASTER });
  const ch = client.subscribe(CH);
  await subscribed(ch);
  const got = collect(ch, 'OrderPaid');
  const errors = [];
  ch.bind('pusher:decryption_error', (e) => errors.push(e));

  t.step('raw subscriber with the same signature scheme (no shared_secret on the wire)');
  const raw = await t.connect(server, { key: APP.key, label: 'raw' });
  const auth = api.authorizeChannel(raw.socketId, CH);
  check(typeof auth.shared_secret === 'string', 'SDK did not produce a shared_secret');
  const ok = await raw.subscribe(CH, auth.auth);
  checkEqual(ok, { event: 'pusher_internal:subscription_succeeded', data: '{}', channel: CH }, 'subscription_succeeded on an encrypted channel');

  t.step('SDK trigger with encryption; pusher-js decrypts');
  const payload = { amount: '10.00', note: 'secret café', items: [1, 2, 3] };
  checkEqual(await jsonOk(api.trigger(CH, 'OrderPaid', payload), 'POST /events (encrypted)'), {}, 'trigger response');
  const e = await got.next(1, 'decrypted OrderPaid in pusher-js');
  checkEqual(e.data, payload, 'decrypted payload');
  checkEqual(errors, [], 'pusher-js decryption errors');

  t.step('the wire carries only nonce + ciphertext');
  const frame = await raw.waitEvent('OrderPaid', CH);
  check(typeof frame.data === 'string', `encrypted event data must be a string: ${show(frame)}`);
  const wire = JSON.parse(frame.data);
  checkEqual(Object.keys(wire).sort(), ['ciphertext', 'nonce'], 'members of the encrypted data');
  checkEqual(Buffer.from(wire.nonce, 'base64').length, 24, 'nonce length');
  check(!frame.data.includes('secret'), `plaintext leaked onto the wire: ${frame.data}`);

  t.step('a second event and a batch event also decrypt');
  await jsonOk(api.trigger(CH, 'OrderPaid', { n: 2 }), 'POST /events (encrypted #2)');
  checkEqual((await got.next(2, 'second OrderPaid')).data, { n: 2 }, 'second decrypted payload');
  checkEqual(await jsonOk(api.triggerBatch([{ channel: CH, name: 'OrderPaid', data: { n: 3 } }]), 'POST /batch_events (encrypted)'), {}, 'batch response');
  checkEqual((await got.next(3, 'batched OrderPaid')).data, { n: 3 }, 'batched decrypted payload');

  t.step('an unauthorised subscriber is refused (same signature rules as private)');
  const eve = await t.connect(server, { key: APP.key, label: 'eve' });
  eve.send({ event: 'pusher:subscribe', data: { auth: auth.auth, channel: CH } }); // raw's signature, eve's socket
  const err = await eve.waitFor((j) => j.event === 'pusher:error' || j.event === 'pusher_internal:subscription_succeeded', 'answer to a replayed signature');
  checkEqual(err.data && err.data.code, null, `pusher:error code for a replayed signature (${show(err)})`);
  check(String(err.data.message).startsWith(`Invalid signature: Expected HMAC SHA256 hex digest of ${eve.socketId}:${CH}, but got `),
    `message for a replayed signature: ${show(err.data.message)}`);
});
