// Liveness: with activity-timeout=2 and pong-timeout=2, a client that never
// answers the server's pings (neither WebSocket pong frames nor pusher:pong)
// is closed with 4201; clients that answer, and pusher-js, stay connected.

import { scenario, app, check, checkEqual, show, sleep } from './harness.mjs';

const APP = app('live-app');

scenario('liveness', async (t) => {
  const server = await t.crier({ config: { server: { 'activity-timeout': 2, 'pong-timeout': 2 }, apps: [APP] } });

  t.step('connection_established announces activity_timeout=2');
  const silent = await t.connect(server, { key: APP.key, label: 'silent', autoPong: false });
  checkEqual(silent.established.activity_timeout, 2, 'activity_timeout');
  const pings = [];
  silent.ws.on('ping', () => pings.push('ws-ping'));

  const polite = await t.connect(server, { key: APP.key, label: 'polite' }); // ws answers ping frames itself
  polite.ws.on('message', (d) => {
    try {
      if (JSON.parse(d.toString()).event === 'pusher:ping') polite.send({ event: 'pusher:pong', data: {} });
    } catch {
      /* not JSON */
    }
  });
  const client = await t.pusherJs(server, { app: APP });
  const socketId = client.connection.socket_id;

  t.step('the silent client is pinged, then closed with 4201');
  const t0 = Date.now();
  const close = await silent.waitClose('close 4201 for a client that never answers pings', 15000);
  const elapsed = Date.now() - t0;
  const jsonPings = silent.since(0, (j) => j.event === 'pusher:ping');
  t.log(`  closed after ${elapsed} ms with ${show(close)}; ws pings ${pings.length}, pusher:ping frames ${jsonPings.length}`);
  checkEqual(close.code, 4201, 'close code for an unanswered ping');
  check(pings.length + jsonPings.length >= 1, 'the server must ping (WebSocket ping or pusher:ping) before closing with 4201');
  for (const p of jsonPings) checkEqual(p, { event: 'pusher:ping', data: '{}' }, 'server pusher:ping frame');
  for (const e of silent.since(0, (j) => j.event === 'pusher:error')) checkEqual(e.data.code, 4201, 'pusher:error code before the 4201 close');
  check(elapsed >= 2000, `closed after ${elapsed} ms, before activity-timeout (2 s) + a ping round`);

  t.step('clients that answer stay connected');
  await sleep(2500);
  polite.send({ event: 'pusher:ping', data: {} });
  await polite.waitEvent('pusher:pong');
  check(!polite.closeInfo, `polite client was closed: ${show(polite.closeInfo)}`);
  checkEqual(client.connection.state, 'connected', 'pusher-js state');
  checkEqual(client.connection.socket_id, socketId, 'pusher-js socket_id (no reconnect happened)');
});
