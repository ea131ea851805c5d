// e2e-client.mjs PORT — a browser-like laravel-echo client for the GUI end-to-end test.
// Listens on the public channel "orders-e2e", for notifications of user 1, and joins the
// presence channel "presence-e2e" (joining, leaving, whispers); prints "READY <socket id>"
// once subscribed, then one JSON line per received event or connection state change.
// A second pusher-js client makes the classic mistake (key and secret swapped) once.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.env.NODE_PATH;
const require = createRequire(join(modules, 'e2e-client.cjs'));
const Pusher = require('pusher-js');
const PusherServer = require('pusher');
// laravel-echo is an ES module: import its "import" entry from NODE_PATH.
const Echo = (await import(pathToFileURL(join(modules, 'laravel-echo', 'dist', 'echo.js')).href)).default;

const port = Number(process.argv[2]);
const signer = new PusherServer({ appId: 'e2e-app', key: 'e2e-key', secret: 'e2e-secret', host: '127.0.0.1', port: String(port), useTLS: false });
const echo = new Echo({
  broadcaster: 'pusher',
  key: 'e2e-key',
  Pusher,
  cluster: 'mt1',
  wsHost: '127.0.0.1',
  wsPort: port,
  forceTLS: false,
  enabledTransports: ['ws'],
  disableStats: true,
  channelAuthorization: {
    customHandler: (params, callback) => callback(null, params.channelName.startsWith('presence-')
      ? signer.authorizeChannel(params.socketId, params.channelName, { user_id: '1', user_info: { name: 'E2E' } })
      : signer.authorizeChannel(params.socketId, params.channelName)),
  },
});

const print = (o) => process.stdout.write(JSON.stringify(o) + '\n');
let subscribed = 0;
const ready = () => { if (++subscribed === 3) process.stdout.write(`READY ${echo.socketId()}\n`); };
echo.channel('orders-e2e').subscribed(ready).listen('.App\\Events\\E2EShipped', (data) => print({ kind: 'event', data }));
echo.private('App.Models.User.1').subscribed(ready).notification((data) => print({ kind: 'notification', data }));
echo.join('e2e') // presence-e2e
  .here(() => ready())
  .joining((user) => print({ kind: 'joining', user }))
  .leaving((user) => print({ kind: 'leaving', user }))
  .listenForWhisper('typing', (data) => print({ kind: 'whisper', data }));
echo.connector.pusher.connection.bind('state_change', (states) =>
  print({ kind: 'state', previous: states.previous, current: states.current, socket_id: echo.socketId() ?? null }));

// Signed with the key as the secret: Crier explains it in the event log.
const swapped = new PusherServer({ appId: 'e2e-app', key: 'e2e-key', secret: 'e2e-key', host: '127.0.0.1', port: String(port), useTLS: false });
const mistaken = new Pusher('e2e-key', {
  cluster: 'mt1', wsHost: '127.0.0.1', wsPort: port, forceTLS: false, enabledTransports: ['ws'], disableStats: true,
  channelAuthorization: { customHandler: (params, callback) => callback(null, swapped.authorizeChannel(params.socketId, params.channelName)) },
});
mistaken.subscribe('private-e2e-swapped');
setTimeout(() => { process.stdout.write('TIMEOUT\n'); process.exit(1); }, 120000);
