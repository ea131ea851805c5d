// Byte-level WebSocket and HTTP details that browsers and SDKs exercise
// and `ws` hides: a Firefox-style handshake, several frames in one TCP
// write, a frame trickled byte by byte, fragmented messages with a ping in
// the middle, 16- and 64-bit payload lengths, unmasked client frames
// (1002), and a chunked HTTP API request.

import { connect as tcpConnect } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { scenario, app, HOST, WAIT_MS, check, checkEqual, show, within, fail, jsonOk } from './harness.mjs';

const APP = app('wire-app');

/** Encode one client frame (masked unless mask === false). */
function frame(opcode, payload, { fin = true, mask = true, rsv = 0, forceLen64 = false } = {}) {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const head = [((fin ? 0x80 : 0) | (rsv << 4) | opcode)];
  const m = mask ? 0x80 : 0;
  if (body.length < 126 && !forceLen64) head.push(m | body.length);
  else if (body.length < 65536 && !forceLen64) head.push(m | 126, body.length >> 8, body.length & 255);
  else {
    head.push(m | 127);
    const len = Buffer.alloc(8);
    len.writeBigUInt64BE(BigInt(body.length));
    head.push(...len);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), body]);
  const key = randomBytes(4);
  const masked = Buffer.from(body);
  for (let i = 0; i < masked.length; i++) masked[i] ^= key[i % 4];
  return Buffer.concat([Buffer.from(head), key, masked]);
}

const text = (s, o) => frame(1, s, o);

/** A hand-driven WebSocket client on a raw TCP socket. */
class WireClient {
  constructor(label) {
    this.label = label;
    this.buf = Buffer.alloc(0);
    this.frames = []; // {opcode, payload: Buffer, text}
    this.waiters = [];
    this.ended = false;
  }

  async open(port, path, headers) {
    this.sock = tcpConnect({ host: HOST, port });
    await within(new Promise((r, j) => { this.sock.once('connect', r); this.sock.once('error', j); }), `${this.label}: TCP connect`);
    this.sock.on('end', () => { this.ended = true; this.wake(); });
    this.sock.on('close', () => { this.ended = true; this.wake(); });
    this.sock.on('error', () => { this.ended = true; this.wake(); });
    const key = randomBytes(16).toString('base64');
    const req = [`GET ${path} HTTP/1.1`, `Host: ${HOST}:${port}`, ...headers(key), '', ''].join('\r\n');
    this.sock.write(req);
    const head = await this.readHead();
    const expectAccept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    return { head, expectAccept };
  }

  wake() {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  changed() {
    return new Promise((r) => this.waiters.push(r));
  }

  async readHead() {
    const chunks = [];
    let all = Buffer.alloc(0);
    const deadline = Date.now() + WAIT_MS;
    return new Promise((resolve, reject) => {
      const onData = (d) => {
        chunks.push(d);
        all = Buffer.concat(chunks);
        const end = all.indexOf('\r\n\r\n');
        if (end >= 0) {
          this.sock.off('data', onData);
          this.buf = all.subarray(end + 4);
          this.sock.on('data', (more) => this.onData(more));
          this.parse();
          resolve(all.subarray(0, end).toString());
        }
      };
      this.sock.on('data', onData);
      setTimeout(() => reject(new Error(`${this.label}: no HTTP response head within ${WAIT_MS} ms: ${show(all.toString())}`)), deadline - Date.now());
    });
  }

  onData(d) {
    this.buf = Buffer.concat([this.buf, d]);
    this.parse();
  }

  parse() {
    for (;;) {
      const b = this.buf;
      if (b.length < 2) return;
      let len = b[1] & 127;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      if (b[1] & 0x80) fail(`${this.label}: the server sent a masked frame`);
      if (b.length < off + len) return;
      const payload = b.subarray(off, off + len);
      this.frames.push({ opcode: b[0] & 15, fin: !!(b[0] & 0x80), payload, text: payload.toString() });
      this.buf = b.subarray(off + len);
      this.wake();
    }
  }

  async waitFrame(pred, what, ms = WAIT_MS) {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0];
      if (this.ended) fail(`${this.label}: connection ended while waiting for ${what}; frames: ${show(this.frames.map((f) => [f.opcode, f.text]))}`);
      if (Date.now() > deadline) fail(`${this.label}: timed out waiting for ${what}; frames: ${show(this.frames.map((f) => [f.opcode, f.text]))}`);
      await Promise.race([this.changed(), new Promise((r) => setTimeout(r, 100))]);
    }
  }

  waitJson(event, what) {
    return this.waitFrame((f) => f.opcode === 1 && safeJson(f.text)?.event === event, what || event).then((f) => JSON.parse(f.text));
  }

  waitClose(what) {
    return this.waitFrame((f) => f.opcode === 8, what).then((f) => ({ code: f.payload.length >= 2 ? f.payload.readUInt16BE(0) : null, reason: f.payload.subarray(2).toString() }));
  }

  write(buf) {
    this.sock.write(buf);
  }

  destroy() {
    this.sock?.destroy();
  }
}

function safeJson(s) {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

scenario('wire', async (t) => {
  const server = await t.crier({ config: { apps: [APP] } });
  const path = `/app/${APP.key}?protocol=7&client=js&version=8.6.0&flash=false`;
  const open = async (label, headers) => {
    const c = new WireClient(label);
    t.defer(() => c.destroy());
    const { head, expectAccept } = await c.open(server.port, path, headers);
    check(/^HTTP\/1\.1 101 /.test(head), `${label}: expected 101 Switching Protocols, got:\n${head}`);
    const accept = /\r\nsec-websocket-accept: *([^\r]+)/i.exec(head);
    checkEqual(accept && accept[1].trim(), expectAccept, `${label}: Sec-WebSocket-Accept`);
    check(!/\r\nsec-websocket-extensions:/i.test(head), `${label}: the server must not accept an extension it did not get offered or does not implement:\n${head}`);
    await c.waitJson('pusher:connection_established', `${label}: connection_established`);
    return c;
  };

  t.step('Firefox-style handshake (Connection: keep-alive, Upgrade; mixed-case Upgrade value)');
  const ff = await open('firefox', (key) => [
    'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    'Accept: */*', 'Accept-Language: en-US,en;q=0.5', 'Accept-Encoding: gzip, deflate, br',
    'Sec-WebSocket-Version: 13', 'Origin: http://localhost:5173',
    'Sec-WebSocket-Extensions: permessage-deflate', `Sec-WebSocket-Key: ${key}`,
    'Connection: keep-alive, Upgrade', 'Sec-Fetch-Dest: empty', 'Sec-Fetch-Mode: websocket',
    'Pragma: no-cache', 'Cache-Control: no-cache', 'Upgrade: websocket',
  ]);
  ff.write(text('{"event":"pusher:ping","data":{}}'));
  checkEqual(await ff.waitJson('pusher:pong'), { event: 'pusher:pong', data: '{}' }, 'pong on a Firefox-style connection');

  const plain = (key) => ['Upgrade: WebSocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${key}`];

  t.step('three frames in one TCP write');
  const c = await open('batch', plain);
  c.write(Buffer.concat([
    text('{"event":"pusher:subscribe","data":{"auth":"","channel":"a"}}'),
    text('{"event":"pusher:subscribe","data":{"auth":"","channel":"b"}}'),
    text('{"event":"pusher:ping","data":{}}'),
  ]));
  await c.waitFrame((f) => safeJson(f.text)?.channel === 'a', 'subscription_succeeded a');
  await c.waitFrame((f) => safeJson(f.text)?.channel === 'b', 'subscription_succeeded b');
  await c.waitJson('pusher:pong', 'pong after a batched write');

  t.step('one frame trickled byte by byte');
  const trickle = text('{"event":"pusher:subscribe","data":{"auth":"","channel":"trickle"}}');
  for (const byte of trickle) {
    c.write(Buffer.from([byte]));
    await sleep(2);
  }
  await c.waitFrame((f) => safeJson(f.text)?.channel === 'trickle', 'subscription_succeeded after a trickled frame');

  t.step('fragmented message with a ping control frame between the fragments');
  c.write(text('{"event":"pusher:subscribe",', { fin: false }));
  c.write(frame(9, 'between'));
  c.write(frame(0, '"data":{"auth":"","channel":', { fin: false }));
  c.write(frame(0, '"fragmented"}}'));
  const pong = await c.waitFrame((f) => f.opcode === 10, 'pong control frame for the ping between fragments');
  checkEqual(pong.text, 'between', 'pong payload');
  await c.waitFrame((f) => safeJson(f.text)?.channel === 'fragmented', 'subscription_succeeded for a fragmented subscribe');

  t.step('16-bit and 64-bit payload lengths');
  const api = await server.api(APP);
  const mid = JSON.stringify({ event: 'pusher:subscribe', data: { auth: '', channel: 'len16', pad: 'p'.repeat(300) } });
  c.write(text(mid));
  await c.waitFrame((f) => safeJson(f.text)?.channel === 'len16', 'subscription_succeeded for a 16-bit length frame');
  c.write(text('{"event":"pusher:subscribe","data":{"auth":"","channel":"len64"}}', { forceLen64: true }));
  await c.waitFrame((f) => safeJson(f.text)?.channel === 'len64', 'subscription_succeeded for a frame with a 64-bit length');
  const bigData = JSON.stringify({ blob: 'z'.repeat(9000) });
  await jsonOk(api.trigger('len16', 'big', bigData), 'POST /events (9 KB)');
  const big = await c.waitJson('big', 'a 9 KB event (16-bit length from the server)');
  checkEqual(big.data, bigData, '9 KB event data');

  t.step('an unmasked client frame → close 1002');
  const um = await open('unmasked', plain);
  um.write(text('{"event":"pusher:ping","data":{}}', { mask: false }));
  const umClose = await um.waitClose('close 1002 for an unmasked frame');
  checkEqual(umClose.code, 1002, 'close code for an unmasked client frame');

  t.step('reserved bits without an extension → close 1002');
  const rsv = await open('rsv', plain);
  rsv.write(text('{"event":"pusher:ping","data":{}}', { rsv: 4 }));
  checkEqual((await rsv.waitClose('close 1002 for RSV1')).code, 1002, 'close code for RSV1 set');

  t.step('a fragmented control frame → close 1002');
  const fc = await open('fragmented ping', plain);
  fc.write(frame(9, 'x', { fin: false }));
  checkEqual((await fc.waitClose('close 1002 for a fragmented ping')).code, 1002, 'close code for a fragmented control frame');

  t.step('client close frame is echoed');
  c.write(frame(8, Buffer.concat([Buffer.from([0x0f, 0xa0]), Buffer.from('bye')])));
  const echo = await c.waitClose('the server close frame answering ours');
  checkEqual(echo.code, 4000, 'close code echoed by the server');

  t.step('HTTP API: chunked request body');
  const ws = await open('chunked receiver', plain);
  ws.write(text('{"event":"pusher:subscribe","data":{"auth":"","channel":"a"}}'));
  await ws.waitFrame((f) => safeJson(f.text)?.channel === 'a', 'subscription before the chunked request');
  const body = JSON.stringify({ name: 'chunked', channels: ['a'], data: '{"c":1}' });
  const q = api.createSignedQueryString({ method: 'POST', path: `/apps/${APP.id}/events`, body });
  const chunked = await new Promise((resolve, reject) => {
    const s = tcpConnect({ host: HOST, port: server.port }, () => {
      const half = Math.floor(body.length / 2);
      const parts = [body.slice(0, half), body.slice(half)].map((p) => `${Buffer.byteLength(p).toString(16)}\r\n${p}\r\n`);
      s.write(`POST /apps/${APP.id}/events?${q} HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`);
      s.write(parts[0]);
      setTimeout(() => s.write(parts[1] + '0\r\n\r\n'), 20);
    });
    let all = '';
    s.on('data', (d) => (all += d));
    s.on('end', () => resolve(all));
    s.on('error', reject);
    setTimeout(() => resolve(all), WAIT_MS);
  });
  check(/^HTTP\/1\.1 200 /.test(chunked), `chunked POST /events: ${show(chunked)}`);
  checkEqual(await ws.waitJson('chunked', 'the event from the chunked request'), { event: 'chunked', channel: 'a', data: '{"c":1}' }, 'event from a chunked request');
});
