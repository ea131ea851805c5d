// laravel-echo presence: Echo.join('chat.1').here().joining().leaving() for
// two users, with the user_info shape Laravel apps return
// (['id' => ..., 'name' => ...]) and string user ids (PHP SDK >= 7).

import { scenario, app, checkEqual, jsonOk, recorder, roundTrip } from './harness.mjs';

const APP = app('echo-presence');
const ANN = { user_id: '1', user_info: { id: 1, name: 'Ann' } };
const BOB = { user_id: '2', user_info: { id: 2, name: 'Bob' } };

const byId = (list) => [...list].sort((a, b) => a.id - b.id);

scenario('echo-presence', async (t) => {
  const server = await t.crier({ config: { apps: [APP] } });
  const api = await server.api(APP);

  t.step('Ann joins: here([Ann])');
  const ann = await t.echo(server, { app: APP.id, user: ANN, label: 'echo ann' });
  const annHere = recorder();
  const annJoining = recorder();
  const annLeaving = recorder();
  const annMarker = recorder();
  ann.join('chat.1').here(annHere).joining(annJoining).leaving(annLeaving).listen('.marker', annMarker);
  checkEqual((await annHere.next(1, "Ann's here()"))[0], [{ id: 1, name: 'Ann' }], "Ann's here()");

  t.step('Bob joins: Bob\'s here([Ann, Bob]), Ann\'s joining(Bob)');
  const bob = await t.echo(server, { app: APP.id, user: BOB, label: 'echo bob' });
  const bobHere = recorder();
  const bobJoining = recorder();
  bob.join('chat.1').here(bobHere).joining(bobJoining);
  checkEqual(byId((await bobHere.next(1, "Bob's here()"))[0]), [{ id: 1, name: 'Ann' }, { id: 2, name: 'Bob' }], "Bob's here()");
  checkEqual((await annJoining.next(1, "Ann's joining()"))[0], { id: 2, name: 'Bob' }, "Ann's joining()");

  t.step('Bob opens a second tab: no joining() for Ann');
  const bob2 = await t.echo(server, { app: APP.id, user: BOB, label: 'echo bob tab 2' });
  const bob2Here = recorder();
  bob2.join('chat.1').here(bob2Here);
  checkEqual(byId((await bob2Here.next(1, "Bob's 2nd tab here()"))[0]), [{ id: 1, name: 'Ann' }, { id: 2, name: 'Bob' }], "Bob's 2nd tab here()");

  t.step('Bob closes one tab: no leaving(); closes the other: leaving(Bob)');
  bob.leave('chat.1');
  await roundTrip(bob.connector.pusher, "pong after Bob's unsubscribe");
  await jsonOk(api.trigger('presence-chat.1', 'marker', '{}'), 'POST /events (marker)');
  await annMarker.next(1, 'marker at Ann');
  checkEqual(annLeaving.calls, [], "Ann's leaving() while Bob still has a tab");
  bob2.disconnect();
  checkEqual((await annLeaving.next(1, "Ann's leaving()"))[0], { id: 2, name: 'Bob' }, "Ann's leaving()");
  checkEqual(annJoining.calls.length, 1, "Ann's joining() calls (Bob's second tab must not count)");
  checkEqual(bobJoining.calls, [], "Bob's joining() calls (never for himself)");
});
