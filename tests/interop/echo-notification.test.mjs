// laravel-echo: Echo.private('App.Models.User.1').notification(cb) receives
// the Illuminate\Notifications\Events\BroadcastNotificationCreated event a
// Laravel app sends for $user->notify(...), with id and type in the data.

import { randomUUID } from 'node:crypto';
import { scenario, app, check, checkEqual, jsonOk, recorder } from './harness.mjs';

const APP = app('notify-app');
const NOTIFICATION = 'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated';

/** The data string pusher-php-server sends (PHP json_encode escapes / and \). */
function laravelData(fields, id, type) {
  return JSON.stringify({ ...fields, id, type }).replace(/\//g, '\\/');
}

scenario('echo-notification', async (t) => {
  const server = await t.crier({ config: { apps: [APP] } });
  const api = await server.api(APP);

  t.step('user 1 and user 2 listen for notifications on their private channels');
  const echo1 = await t.echo(server, { app: APP.id, label: 'echo user 1' });
  const echo2 = await t.echo(server, { app: APP.id, label: 'echo user 2' });
  const sub1 = recorder();
  const sub2 = recorder();
  const err1 = recorder();
  const n1 = recorder();
  const n2 = recorder();
  echo1.private('App.Models.User.1').subscribed(sub1).error(err1).notification(n1);
  echo2.private('App.Models.User.2').subscribed(sub2).notification(n2);
  await sub1.next(1, 'Echo.private("App.Models.User.1") subscribed');
  await sub2.next(1, 'Echo.private("App.Models.User.2") subscribed');

  t.step('$user1->notify(new InvoicePaid(...)) as the Pusher broadcaster sends it');
  const id = randomUUID();
  const data = laravelData({ invoice_id: 7, amount: '10.00', url: 'https://app.test/invoices/7' }, id, 'App\\Notifications\\InvoicePaid');
  checkEqual(await jsonOk(api.trigger('private-App.Models.User.1', NOTIFICATION, data), 'POST /events (notification)'), {}, 'trigger response');
  const [got] = await n1.next(1, 'notification() callback for user 1');
  checkEqual(got, { invoice_id: 7, amount: '10.00', url: 'https://app.test/invoices/7', id, type: 'App\\Notifications\\InvoicePaid' }, 'notification payload');
  check(got.type === 'App\\Notifications\\InvoicePaid' && got.type.split('\\').length === 3, `type must contain single backslashes: ${got.type}`);

  t.step('a notification for user 2 does not reach user 1');
  const id2 = randomUUID();
  await jsonOk(api.trigger('private-App.Models.User.2', NOTIFICATION, laravelData({ text: 'hi' }, id2, 'App\\Notifications\\Hello')), 'POST /events (user 2)');
  checkEqual((await n2.next(1, 'notification() for user 2'))[0], { text: 'hi', id: id2, type: 'App\\Notifications\\Hello' }, 'user 2 payload');
  const id3 = randomUUID();
  await jsonOk(api.trigger('private-App.Models.User.1', NOTIFICATION, laravelData({ n: 3 }, id3, 'App\\Notifications\\InvoicePaid')), 'POST /events (user 1 again)');
  checkEqual((await n1.next(2, 'second notification for user 1'))[0].id, id3, 'second notification id');
  checkEqual(n1.calls.length, 2, 'notifications received by user 1');
  checkEqual(err1.calls, [], 'Echo .error() calls');

  t.step('an Echo signing with the wrong secret is not subscribed (Pusher: pusher:error, no subscription_error)');
  const eve = await t.echo(server, {
    app: APP.id,
    label: 'echo with a wrong secret',
    options: {
      channelAuthorization: {
        customHandler: async (params, callback) => {
          const bad = await server.api({ ...APP, secret: 'wrong' });
          callback(null, bad.authorizeChannel(params.socketId, params.channelName));
        },
      },
    },
  });
  const errors = recorder();
  eve.connector.pusher.connection.bind('error', errors);
  const eveN = recorder();
  eve.private('App.Models.User.1').notification(eveN);
  const [e] = await errors.next(1, 'connection error for a wrong-secret subscription');
  checkEqual(e.data && e.data.code, null, 'pusher:error code');
  await jsonOk(api.trigger('private-App.Models.User.1', NOTIFICATION, laravelData({ n: 4 }, randomUUID(), 'X')), 'POST /events (user 1, 3rd)');
  await n1.next(3, 'third notification for user 1');
  const sync = recorder();
  eve.channel('sync').subscribed(sync);
  await sync.next(1, 'sync channel subscribed');
  checkEqual(eveN.calls, [], 'notifications received by the refused Echo');
});
