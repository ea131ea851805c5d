// The configuration file of the contract: every documented key is accepted
// (the brief's example verbatim, with its defaults), and the values take
// effect; a broken file makes crier exit non-zero with a message instead of
// starting.

import { scenario, check, checkEqual, show, jsonOk, collect, subscribed } from './harness.mjs';

// The example from the contract, every key at its documented default.
const EXAMPLE = `[server]
activity-timeout=120
pong-timeout=30

[app:app-id]
key=app-key
secret=app-secret
client-events=true
user-authentication=false
user-authentication-timeout=30
max-connections=0
client-events-per-second=10
max-message-size=10240
max-presence-members=100
allowed-origins=*
encryption-master-key=
`;

const MASTER = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');

scenario('config', async (t) => {
  t.step('several apps, each with its own key, secret and settings');
  const multi = await t.crier({
    config: `[server]\nactivity-timeout=45\n\n[app:one]\nkey=one-key\nsecret=one-secret\n\n[app:two]\nkey=two-key\nsecret=two-secret\nclient-events=false\n`,
    apps: [{ id: 'one', key: 'one-key', secret: 'one-secret' }, { id: 'two', key: 'two-key', secret: 'two-secret' }],
  });
  const one = await t.connect(multi, { key: 'one-key', label: 'app one' });
  checkEqual(one.established.activity_timeout, 45, 'activity_timeout from [server]');
  await t.connect(multi, { key: 'two-key', label: 'app two' });
  const wrongPair = await (await multi.api({ id: 'one', key: 'two-key', secret: 'two-secret' })).trigger('x', 'y', '{}').then((r) => r.status, (e) => e.status);
  check(wrongPair >= 400 && wrongPair < 500, `app one addressed with app two's key/secret: ${wrongPair}`);

  t.step('broken configurations are refused with a message');
  const cases = [
    ['[server]\nactivity-timeout=soon\n', 'a non-numeric activity-timeout'],
    ['[server]\nactivity-timeout=0\n', 'activity-timeout=0 (pusher-js rejects a handshake without a positive activity_timeout)'],
    ['[server]\n\n[app:x]\nsecret=s\n', 'an app without key'],
    ['[server]\n\n[app:x]\nkey=k\n', 'an app without secret'],
    ['[server]\n\n[app:x]\nkey=k\nsecret=s\n\n[app:y]\nkey=k\nsecret=t\n', 'two apps with the same key'],
    ['[server\nkey=\n', 'a file that is not a key file'],
  ];
  for (const [text, what] of cases) {
    const r = await t.crierRefuses({ config: text });
    t.log(`  ${what}: exit ${r.code}; ${r.stderr.trim().split('\n').slice(-1)[0]}`);
    check(r.code !== 0 && r.code !== null, `crier must exit non-zero for ${what}, got ${show(r)}`);
    check(r.stderr.trim().length > 0, `crier must explain ${what} on stderr`);
  }
  const missing = await t.crierRefuses({ config: undefined, extraArgs: ['--config', '/nonexistent/crier.conf'] });
  check(missing.code !== 0, `crier must exit non-zero for a missing config file, got ${show(missing)}`);
  t.log(`  missing file: exit ${missing.code}; ${missing.stderr.trim().split('\n').slice(-1)[0]}`);

  // Last: the contract's example verbatim (a failure here hides nothing else).
  t.step('the documented example file, every key present (encryption-master-key empty)');
  const a = await t.crier({ config: EXAMPLE, apps: [{ id: 'app-id', key: 'app-key', secret: 'app-secret' }] });
  const c = await t.connect(a, { key: 'app-key', label: 'example config' });
  checkEqual(c.established.activity_timeout, 120, 'activity_timeout');
  const client = await t.pusherJs(a);
  const ch = client.subscribe('private-cfg');
  await subscribed(ch);
  const got = collect(ch, 'cfg');
  await jsonOk((await a.api()).trigger('private-cfg', 'cfg', '{}'), 'POST /events');
  await got.next(1, 'event with the example config');

  t.step('encryption-master-key with a value (base64, 32 bytes) is accepted');
  const b = await t.crier({
    config: `[server]\n\n[app:enc]\nkey=enc-key\nsecret=enc-secret\nencryption-master-key=${MASTER}\n`,
    apps: [{ id: 'enc', key: 'enc-key', secret: 'enc-secret' }],
  });
  await t.connect(b, { key: 'enc-key', label: 'encryption-master-key set' });
});
