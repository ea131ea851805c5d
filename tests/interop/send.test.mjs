// `crier send` from the terminal against the running server: laravel-echo receives the
// event (Echo.channel('events').listen('RealTimeMessage')) and the notification
// (Echo.private('App.Models.User.1').notification()); server errors are shown plainly
// with a non-zero exit status.

import { execFile } from 'node:child_process';
import { scenario, app, check, checkEqual, recorder } from './harness.mjs';

const APP = app('send-app');

function crierSend(args, env = {}) {
  return new Promise((resolve) => {
    execFile(process.env.CRIER_BIN, ['send', ...args], { env: { ...process.env, ...env }, timeout: 20000 },
      (error, stdout, stderr) => resolve({ status: error ? (error.code ?? 1) : 0, stdout, stderr }));
  });
}

scenario('send', async (t) => {
  const server = await t.crier({ config: { apps: [APP] } });
  const env = {
    PUSHER_HOST: '127.0.0.1', PUSHER_PORT: String(server.port), PUSHER_SCHEME: 'http',
    PUSHER_APP_ID: APP.id, PUSHER_APP_KEY: APP.key, PUSHER_APP_SECRET: APP.secret,
  };

  t.step('an Echo client listens on a public channel and for user 1\'s notifications');
  const echo = await t.echo(server, { app: APP.id });
  const subscribedPublic = recorder();
  const subscribedPrivate = recorder();
  const messages = recorder();
  const notifications = recorder();
  echo.channel('events').subscribed(subscribedPublic).listen('RealTimeMessage', messages);
  echo.private('App.Models.User.1').subscribed(subscribedPrivate).notification(notifications);
  await subscribedPublic.next(1, 'events subscribed');
  await subscribedPrivate.next(1, 'App.Models.User.1 subscribed');

  t.step('crier send event, credentials from the PUSHER_* environment of a Laravel .env');
  let r = await crierSend(['event', '--channel', 'events', '--event', 'App\\Events\\RealTimeMessage',
    '--data', '{"message":"Hello"}'], env);
  checkEqual(r.status, 0, `crier send event status (stderr: ${r.stderr})`);
  checkEqual(r.stdout.trim(), '{}', 'crier send event output');
  checkEqual((await messages.next(1, 'listen("RealTimeMessage") callback'))[0], { message: 'Hello' }, 'event payload');

  t.step('crier send notification, credentials as options');
  r = await crierSend(['notification', '--host', '127.0.0.1', '--port', String(server.port),
    '--app-id', APP.id, '--key', APP.key, '--secret', APP.secret, '--user', '1',
    '--type', 'App\\Notifications\\RealTimeNotification', '--data', '{"message":"Hello"}']);
  checkEqual(r.status, 0, `crier send notification status (stderr: ${r.stderr})`);
  const [note] = await notifications.next(1, 'notification() callback');
  checkEqual(note.message, 'Hello', 'notification message');
  checkEqual(note.type, 'App\\Notifications\\RealTimeNotification', 'notification type');
  check(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(note.id), `notification id is a UUID: ${note.id}`);

  t.step('server errors are printed and the exit status is set');
  r = await crierSend(['event', '--channel', 'events', '--event', 'x'], { ...env, PUSHER_APP_SECRET: 'wrong' });
  checkEqual(r.status, 1, 'status with a wrong secret');
  check(r.stderr.includes('the server answered 401: Invalid signature'), `stderr names the 401: ${r.stderr}`);
  r = await crierSend(['event', '--channel', 'bad channel!', '--event', 'x'], env);
  checkEqual(r.status, 1, 'status with an invalid channel');
  check(r.stderr.includes("answered 400: Invalid channel name 'bad channel!'"), `stderr names the 400: ${r.stderr}`);
  r = await crierSend(['event', '--channel', 'events', '--event', 'x', '--data', '{nope'], env);
  checkEqual(r.status, 2, 'status with invalid JSON data');
  check(r.stderr.includes('--data is not valid JSON'), `stderr explains the JSON error: ${r.stderr}`);
  r = await crierSend(['notification', '--user', '1'], env);
  checkEqual(r.status, 2, 'status without --type');
  checkEqual(messages.calls.length, 1, 'events received after the refused sends');
  checkEqual(notifications.calls.length, 1, 'notifications received after the refused sends');

  t.step('--help names the subcommand in its usage line');
  r = await crierSend(['--help'], { LANGUAGE: 'C' });
  checkEqual(r.status, 0, 'status of --help');
  check(r.stdout.includes('crier send [OPTION…] event|notification'), `usage line: ${r.stdout.split('\n').slice(0, 3).join(' / ')}`);

  t.step('an unreachable server');
  r = await crierSend(['event', '--channel', 'events', '--event', 'x', '--port', '1'], env);
  checkEqual(r.status, 1, 'status for a refused connection');
  check(r.stderr.includes('cannot reach http://127.0.0.1:1'), `stderr says it cannot reach the server: ${r.stderr}`);
});
