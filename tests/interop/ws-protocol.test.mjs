// WebSocket-level protocol with `ws` (exact frames and close codes):
// refusals (4001 unknown key, 4007/4008 protocol, 4005 path) as pusher:error
// + close with the same code; pusher:ping/pong; WebSocket ping frames;
// malformed JSON, non-object JSON, binary frames, oversized frames, unknown
// events, invalid channel names, data sent as a JSON string.

import { scenario, app, check, checkEqual, show, within, sleep } from './harness.mjs';

const APP = app('proto-app');

/** A refused connection: pusher:error {code, message} first, then close with the same code. */
async function expectRefusal(t, server, opts, codes, what) {
  const codeList = Array.isArray(codes) ? codes : [codes];
  const c = await t.raw(server, { ...opts, label: what });
  const close = await c.waitClose(`close for ${what}`);
  const first = c.frames[0];
  t.log(`  ${what}: frames ${c.dump() || '(none)'}; close ${show(close)}`);
  check(codeList.includes(close.code), `${what}: expected close code ${codeList.join(' or ')}, got ${show(close)}`);
  check(first && first.json && first.json.event === 'pusher:error',
    `${what}: expected a pusher:error frame before the close, got ${first ? show(first.text) : 'no frame'}`);
  const d = first.json.data;
  check(d && typeof d === 'object', `${what}: pusher:error data must be an object, got ${show(d)}`);
  checkEqual(d.code, close.code, `${what}: pusher:error code (must equal the close code)`);
  check(typeof d.message === 'string' && d.message.length > 0, `${what}: pusher:error message: ${show(d)}`);
  check(c.frames.length === 1, `${what}: expected exactly one frame before the close, got:\n    ${c.dump()}`);
  return { close, error: d };
}

/**
 * Barrier: subscribe to a fresh public channel and wait for its
 * subscription_succeeded (a reply that cannot be confused with an earlier
 * one), then unsubscribe.  Fails if the connection closed meanwhile.
 */
let syncs = 0;
const isSync = (j) => typeof j.channel === 'string' && j.channel.startsWith('sync-');
async function alive(c, what) {
  const ch = `sync-${++syncs}`;
  c.send({ event: 'pusher:subscribe', data: { auth: '', channel: ch } });
  await c.waitFor((j) => j.event === 'pusher_internal:subscription_succeeded' && j.channel === ch, `the barrier after ${what}`);
  c.send({ event: 'pusher:unsubscribe', data: { channel: ch } });
  check(!c.closeInfo, `${c.label}: closed after ${what}: ${show(c.closeInfo)}`);
}

async function ping(c, what) {
  const mark = c.mark();
  c.send({ event: 'pusher:ping', data: {} });
  const pong = await c.waitFor((j) => j.event === 'pusher:pong', `pusher:pong (${what})`);
  check(c.since(mark, (j) => j.event === 'pusher:pong').length === 1, `one pong expected: ${c.dump(mark)}`);
  return pong;
}

scenario('ws-protocol', async (t) => {
  const server = await t.crier({ config: { apps: [APP] } });

  t.step('connection_established is the first frame, data double-encoded');
  const c = await t.connect(server, { key: APP.key, label: 'main' });
  checkEqual(Object.keys(c.established).sort(), ['activity_timeout', 'socket_id'], 'members of connection_established data');
  checkEqual(c.established.activity_timeout, 120, 'default activity_timeout');
  const c2 = await t.connect(server, { key: APP.key, label: 'second' });
  check(c2.socketId !== c.socketId, `socket ids must be unique: ${c.socketId} twice`);

  t.step('refusals: unknown key 4001, unsupported protocol 4007, missing protocol 4007/4008, bad path 4005');
  const unknown = await expectRefusal(t, server, { key: 'no-such-key' }, 4001, 'unknown app key');
  checkEqual(unknown.error.message, 'Application does not exist', 'message for an unknown key');
  await expectRefusal(t, server, { key: APP.key, query: 'protocol=3&client=js&version=8.6.0&flash=false' }, 4007, 'protocol=3');
  await expectRefusal(t, server, { key: APP.key, query: 'protocol=8&client=js&version=8.6.0' }, 4007, 'protocol=8');
  await expectRefusal(t, server, { key: APP.key, query: 'protocol=abc' }, 4007, 'protocol=abc');
  await expectRefusal(t, server, { key: APP.key, query: 'client=js&version=8.6.0' }, [4007, 4008], 'no protocol parameter');
  await expectRefusal(t, server, { path: '/nothing/here', query: 'protocol=7' }, 4005, 'path /nothing/here');
  await expectRefusal(t, server, { path: `/apps/${APP.key}`, query: 'protocol=7' }, 4005, `path /apps/${APP.key}`);
  for (const p of [4, 5, 6]) {
    const ok = await t.connect(server, { key: APP.key, query: `protocol=${p}&client=js&version=8.6.0`, label: `protocol=${p}` });
    ok.close();
  }

  t.step('pusher:ping → exactly {"event":"pusher:pong","data":"{}"}');
  checkEqual(await ping(c, 'ping'), { event: 'pusher:pong', data: '{}' }, 'pong frame');
  c.send('{"event":"pusher:ping","data":"{}"}');
  checkEqual(await c.waitEvent('pusher:pong'), { event: 'pusher:pong', data: '{}' }, 'pong for a ping whose data is a string');

  t.step('WebSocket ping control frame → pong control frame');
  const pongFrame = within(new Promise((r) => c.ws.once('pong', (d) => r(d.toString()))), 'a WebSocket pong for our ping frame');
  c.ws.ping('crier');
  checkEqual(await pongFrame, 'crier', 'pong payload');

  t.step('malformed JSON → pusher:error "Received invalid JSON", connection kept');
  let mark = c.mark();
  c.send('{"event":"pusher:subscribe",');
  const bad = await c.waitFor((j) => j.event === 'pusher:error', 'pusher:error for malformed JSON');
  checkEqual(bad, { event: 'pusher:error', data: { code: null, message: 'Received invalid JSON' } }, 'error frame for malformed JSON');
  await alive(c, 'malformed JSON');

  for (const [text, what] of [['[1,2,3]', 'a JSON array'], ['"hello"', 'a JSON string'], ['{"data":{}}', 'an object without "event"'], ['{"event":42}', 'a non-string event']]) {
    mark = c.mark();
    c.send(text);
    await alive(c, what);
    const errs = c.since(mark, (j) => j.event === 'pusher:error');
    check(errs.length === 1, `${what}: expected one pusher:error before the barrier, got ${show(c.since(mark))}`);
    checkEqual(errs[0].data.code, null, `${what}: error code`);
    t.log(`  ${what}: ${show(errs[0].data)}`);
  }

  t.step('a text frame that is not UTF-8 → close 1007 (RFC 6455) or pusher:error');
  const u = await t.connect(server, { key: APP.key, label: 'invalid UTF-8' });
  u.ws.send(Buffer.from([0x7b, 0x22, 0x65, 0xc3, 0x28, 0x22, 0x7d]), { binary: false });
  const uAnswer = await Promise.race([
    u.waitFor((j) => j.event === 'pusher:error', 'answer to invalid UTF-8').then((j) => ({ frame: j })),
    u.closed.then((cl) => ({ close: cl })),
  ]);
  t.log(`  invalid UTF-8: ${show(uAnswer)}`);
  if (uAnswer.close) checkEqual(uAnswer.close.code, 1007, 'close code for invalid UTF-8');

  t.step('binary frame → pusher:error (connection kept) or close 1003');
  const b = await t.connect(server, { key: APP.key, label: 'binary' });
  b.ws.send(Buffer.from('{"event":"pusher:ping","data":{}}'), { binary: true });
  const bAnswer = await Promise.race([
    b.waitFor((j) => j.event === 'pusher:error' || j.event === 'pusher:pong', 'answer to a binary frame').then((j) => ({ frame: j })),
    b.closed.then((cl) => ({ close: cl })),
  ]);
  t.log(`  binary frame: ${show(bAnswer)}`);
  if (bAnswer.close) checkEqual(bAnswer.close.code, 1003, 'close code for a binary frame');
  else {
    check(bAnswer.frame.event === 'pusher:error', `a binary frame must not be processed as a message: got ${show(bAnswer.frame)}`);
    await alive(b, 'binary frame');
  }

  t.step('oversized frame (1 MiB) → pusher:error or close 1009, and the server survives');
  const big = await t.connect(server, { key: APP.key, label: 'oversized' });
  big.send(JSON.stringify({ event: 'client-big', channel: 'private-x', data: { blob: 'x'.repeat(1 << 20) } }));
  const bigAnswer = await Promise.race([
    big.waitFor((j) => j.event === 'pusher:error', 'answer to an oversized frame').then((j) => ({ frame: j })),
    big.closed.then((cl) => ({ close: cl })),
  ]);
  t.log(`  oversized: ${show(bigAnswer)}`);
  if (bigAnswer.close) checkEqual(bigAnswer.close.code, 1009, 'close code for an oversized frame');
  await alive(c, 'another connection sent an oversized frame');

  t.step('unknown pusher:* event and non-client event: never closes');
  mark = c.mark();
  c.send({ event: 'pusher:frobnicate', data: {} });
  await alive(c, 'unknown pusher:frobnicate');
  const unk = c.since(mark, (j) => j.event === 'pusher:error');
  check(unk.every((e) => e.data.code === null), `an error for an unknown pusher:* event must have code null: ${show(unk)}`);
  mark = c.mark();
  c.send({ event: 'not-a-client-event', channel: 'orders', data: {} });
  await alive(c, 'event without client- prefix');
  const nce = c.since(mark, (j) => j.event === 'pusher:error');
  check(nce.length === 1 && nce[0].data.code === null, `an event without "client-" prefix should get one pusher:error with code null: ${show(c.since(mark))}`);

  t.step('invalid channel names are refused with pusher:error, no subscription');
  for (const [name, what] of [['bad name!', 'spaces and "!"'], ['x'.repeat(165), '165 characters'], ['', 'empty'], ['#not-allowed', 'leading #']]) {
    mark = c.mark();
    c.send({ event: 'pusher:subscribe', data: { auth: '', channel: name } });
    await alive(c, `subscribe to ${what}`);
    const got = c.since(mark, (j) => !isSync(j));
    check(got.length === 1 && got[0].event === 'pusher:error', `channel name with ${what}: expected one pusher:error, got ${show(got)}`);
    checkEqual(got[0].data.code, null, `error code for channel name with ${what}`);
  }
  mark = c.mark();
  const name164 = 'y'.repeat(164);
  await c.subscribe(name164);
  c.send({ event: 'pusher:subscribe', data: { channel: 42 } });
  await alive(c, 'subscribe with a numeric channel');
  check(c.since(mark, (j) => j.event === 'pusher:error').length === 1, `subscribe with a non-string channel: expected a pusher:error: ${show(c.since(mark))}`);

  t.step('odd but well-formed frames never close the connection or crash the server');
  const odd = [
    '{"event":"pusher:subscribe"}',
    '{"event":"pusher:subscribe","data":null}',
    '{"event":"pusher:subscribe","data":"not json"}',
    '{"event":"pusher:subscribe","data":[]}',
    '{"event":"pusher:subscribe","data":{"channel":"private-x","auth":42}}',
    '{"event":"pusher:subscribe","data":{"channel":"presence-x","auth":"a:b","channel_data":{"user_id":"1"}}}',
    '{"event":"pusher:unsubscribe","data":{"channel":"never-subscribed"}}',
    '{"event":"pusher:unsubscribe"}',
    '{"event":"pusher:signin"}',
    '{"event":"pusher:signin","data":{"auth":"x","user_data":"{}"}}',
    '{"event":"pusher:signin","data":{"auth":"' + APP.key + ':' + '0'.repeat(64) + '","user_data":"not json"}}',
    '{"event":"client-x"}',
    '{"event":"client-x","channel":123,"data":{}}',
    '{"event":"client-x","channel":"private-x"}',
    '{"event":"pusher:pong"}',
    '{"event":"pusher:ping"}',
    '{"event":"pusher:ping","data":' + '['.repeat(20000) + ']'.repeat(20000) + '}',
    '{"event":"pusher:ping","data":{},"event":"pusher:ping"}',
    '{"event":"\\u0000\\ud800","data":"\\udfff"}',
    '{"event":"pusher:subscribe","data":{"channel":"caf\\u00e9"}}',
    '{"event":"pusher:subscribe","data":{"channel":"caf\u00e9"}}',
  ];
  for (const text of odd) {
    c.send(text);
    await alive(c, `the odd frame ${text.length > 80 ? `${text.slice(0, 60)}…(${text.length} bytes)` : text}`);
  }
  const probe = await t.connect(server, { key: APP.key, label: 'probe after odd frames' });
  await alive(probe, 'new connection after odd frames');
  probe.close();

  t.step('pusher:subscribe whose data is a JSON string (other clients do this)');
  const sd = JSON.stringify({ auth: '', channel: 'string-data' });
  c.send({ event: 'pusher:subscribe', data: sd });
  checkEqual(await c.waitEvent('pusher_internal:subscription_succeeded', 'string-data'),
    { event: 'pusher_internal:subscription_succeeded', data: '{}', channel: 'string-data' }, 'subscription with string data');

  t.step('subscribing twice to the same channel does not duplicate deliveries');
  c.send({ event: 'pusher:subscribe', data: { auth: '', channel: 'string-data' } });
  await alive(c, 'second subscribe');
  const api = await server.api(APP);
  const res = await api.trigger('string-data', 'once', '{}');
  check(res.status === 200, `trigger status ${res.status}`);
  await c.waitEvent('once', 'string-data');
  await alive(c, 'after trigger');
  checkEqual(c.since(0, (j) => j.event === 'once').length, 1, 'deliveries after subscribing twice');

  t.step('closing from the client side is clean; server keeps serving');
  c.ws.close(1000, 'bye');
  const cl = await c.waitClose('close handshake');
  checkEqual(cl.code, 1000, 'close code echoed by the server');
  await sleep(50);
  await alive(c2, 'another connection closed');

  // Last, on its own connection, so that a failure here hides nothing else.
  t.step('malformed JSON containing a raw NUL byte (valid UTF-8, RFC 3629) → "Received invalid JSON", connection kept');
  const n = await t.connect(server, { key: APP.key, label: 'raw NUL' });
  n.send(`{"event":"pusher:ping","data":"a${String.fromCharCode(0)}b"}`);
  const nul = await n.waitFor((j) => j.event === 'pusher:error' || j.event === 'pusher:pong', 'answer to JSON with a raw NUL byte (U+0000 is valid UTF-8; a 1007 close claims otherwise)');
  checkEqual(nul, { event: 'pusher:error', data: { code: null, message: 'Received invalid JSON' } }, 'error frame for JSON with a raw NUL byte in a string');
  await alive(n, 'a raw NUL byte');
});
