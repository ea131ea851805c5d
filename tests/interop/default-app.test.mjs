// Without --config crier serves one app taken from PUSHER_APP_ID /
// PUSHER_APP_KEY / PUSHER_APP_SECRET (fallbacks app-id / app-key /
// app-secret) with client events enabled, activity_timeout 120.

import { scenario, DEFAULT_APP, check, checkEqual, collect, subscribed, jsonOk, apiError, show } from './harness.mjs';

async function exercise(t, server, appDef, label) {
  t.step(`${label}: key ${appDef.key} accepted, activity_timeout 120`);
  const raw = await t.connect(server, { key: appDef.key, label: `${label} raw` });
  checkEqual(raw.established.activity_timeout, 120, 'default activity_timeout');

  t.step(`${label}: SDK trigger with id ${appDef.id} / secret reaches pusher-js`);
  const api = await server.api(appDef);
  const client = await t.pusherJs(server, { app: appDef, label: `${label} pusher-js` });
  const ch = client.subscribe('private-default');
  await subscribed(ch);
  const got = collect(ch, 'hello');
  await jsonOk(api.trigger('private-default', 'hello', '{"from":"api"}'), `${label}: POST /apps/${appDef.id}/events`);
  checkEqual((await got.next(1, 'hello in pusher-js')).data, { from: 'api' }, 'event data');

  t.step(`${label}: client events are enabled`);
  await raw.subscribe('private-default', api.authorizeChannel(raw.socketId, 'private-default').auth);
  const whispers = collect(ch, 'client-hi');
  raw.send({ event: 'client-hi', channel: 'private-default', data: { x: 1 } });
  checkEqual((await whispers.next(1, 'client-hi relayed to pusher-js')).data, { x: 1 }, 'client event data');
  check(raw.since(0, (j) => j.event === 'pusher:error').length === 0, `${label}: unexpected errors: ${raw.dump()}`);

  t.step(`${label}: wrong id, key and secret are refused`);
  const other = appDef.key === 'app-key' ? 'env-key' : 'app-key';
  const c = await t.raw(server, { key: other, label: `${label} other key` });
  checkEqual((await c.waitClose('close 4001 for the other key')).code, 4001, `close code for key ${other}`);
  const badSecret = await apiError((await server.api({ ...appDef, secret: 'wrong' })).trigger('x', 'y', '{}'), 'trigger with a wrong secret');
  checkEqual(badSecret.status, 401, 'status for a wrong secret');
  const badId = await apiError((await server.api({ ...appDef, id: `${appDef.id}-nope` })).trigger('x', 'y', '{}'), 'trigger to an unknown app id');
  check(badId.status >= 400 && badId.status < 500, `status for an unknown app id: ${badId.status} ${show(badId.body)}`);
}

scenario('default-app', async (t) => {
  const envApp = { id: 'env-id', key: 'env-key', secret: 'env-secret' };
  const fromEnv = await t.crier({
    apps: [envApp],
    env: { PUSHER_APP_ID: envApp.id, PUSHER_APP_KEY: envApp.key, PUSHER_APP_SECRET: envApp.secret },
  });
  await exercise(t, fromEnv, envApp, 'from environment');

  const fallback = await t.crier({ apps: [DEFAULT_APP] });
  await exercise(t, fallback, DEFAULT_APP, 'fallbacks');
});
