// Graceful shutdown: SIGTERM and SIGINT close every connection with 4200
// ("reconnect immediately") and crier exits 0; pusher-js reconnects and
// re-subscribes when a server comes back on the same port.

import { scenario, app, checkEqual, collect, subscribed, jsonOk, show, within, until } from './harness.mjs';

const APP = app('shutdown-app');

async function checkClosed4200(t, c) {
  const close = await c.waitClose('close 4200 on server shutdown');
  t.log(`  ${c.label}: frames before close: ${c.dump(1) || '(none)'}; close ${show(close)}`);
  checkEqual(close.code, 4200, `${c.label}: close code on shutdown`);
  const errs = c.since(0, (j) => j.event === 'pusher:error');
  for (const e of errs) checkEqual(e.data && e.data.code, 4200, `${c.label}: code of a pusher:error sent on shutdown`);
}

scenario('shutdown', async (t) => {
  const config = { apps: [APP] };

  for (const sig of ['SIGINT', 'SIGTERM']) {
    t.step(`${sig}: connections closed with 4200, exit status 0`);
    const server = await t.crier({ config });
    const a = await t.connect(server, { key: APP.key, label: `a (${sig})` });
    await a.subscribe('news');
    const b = await t.connect(server, { key: APP.key, label: `b (${sig})` });
    const exit = server.signal(sig);
    await checkClosed4200(t, a);
    await checkClosed4200(t, b);
    const e = await exit;
    checkEqual(e, { code: 0, signal: null }, `crier exit after ${sig}`);
    server.stopped = true;
  }

  t.step('pusher-js reconnects when the server comes back on the same port');
  const first = await t.crier({ config });
  const port = first.port;
  const client = await t.pusherJs(first, { app: APP });
  const ch = client.subscribe('news');
  await subscribed(ch);
  const oldId = client.connection.socket_id;
  const states = [];
  client.connection.bind('state_change', (s) => states.push(`${s.previous}->${s.current}`));
  const e1 = await first.signal('SIGTERM');
  checkEqual(e1, { code: 0, signal: null }, 'crier exit after SIGTERM');
  first.stopped = true;
  await until(() => client.connection.state !== 'connected', 'pusher-js to notice the shutdown');
  t.log(`  pusher-js states after shutdown: ${states.join(', ')}`);

  const second = await t.crier({ config, port });
  checkEqual(second.port, port, 'restarted crier port');
  await until(() => client.connection.state === 'connected' && client.connection.socket_id !== oldId,
    `pusher-js to reconnect to the restarted server (states: ${states.join(', ')})`, 20000);
  t.log(`  reconnected as ${client.connection.socket_id}; states: ${states.join(', ')}`);
  await until(() => ch.subscribed, 'pusher-js to re-subscribe to "news" after reconnecting');
  const api = await second.api(APP);
  const got = collect(ch, 'after-restart');
  await jsonOk(api.trigger('news', 'after-restart', '{"ok":1}'), 'POST /events after restart');
  checkEqual((await got.next(1, 'event after the restart')).data, { ok: 1 }, 'event after restart');
});
