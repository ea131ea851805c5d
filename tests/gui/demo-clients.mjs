// demo-clients.mjs PORT — a few laravel-echo clients and some broadcasts, so that the
// dashboard has something to show (used by data/screenshots/take-screenshots.sh).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.env.NODE_PATH;
const require = createRequire(join(modules, 'demo-clients.cjs'));
const Pusher = require('pusher-js');
const PusherServer = require('pusher');
const Echo = (await import(pathToFileURL(join(modules, 'laravel-echo', 'dist', 'echo.js')).href)).default;

const port = Number(process.argv[2]);
const api = new PusherServer({ appId: 'app-id', key: 'app-key', secret: 'app-secret', host: '127.0.0.1', port: String(port), useTLS: false });
const users = [
  { id: '1', info: { name: 'Ada Lovelace', role: 'admin' } },
  { id: '2', info: { name: 'Linus Torvalds', role: 'editor' } },
  { id: '3', info: { name: 'Grace Hopper', role: 'viewer' } },
];

function echoFor(user) {
  return new Echo({
    broadcaster: 'pusher', key: 'app-key', Pusher, cluster: 'mt1', wsHost: '127.0.0.1', wsPort: port,
    forceTLS: false, enabledTransports: ['ws'], disableStats: true,
    channelAuthorization: {
      customHandler: (params, callback) => callback(null, api.authorizeChannel(params.socketId, params.channelName,
        params.channelName.startsWith('presence-') ? { user_id: user.id, user_info: user.info } : undefined)),
    },
  });
}

for (const user of users) {
  const echo = echoFor(user);
  echo.channel('orders').listen('OrderShipped', () => {});
  echo.private(`App.Models.User.${user.id}`).notification(() => {});
  echo.join('chat.lobby').here(() => {});
  if (user.id === '1') echo.channel('dashboard.metrics').listen('.metrics.updated', () => {});
}

let n = 0;
const tick = async () => {
  n++;
  await api.trigger('orders', 'App\\Events\\OrderShipped', { order_id: 1000 + n, status: 'shipped', total: '49.90' });
  await api.trigger('dashboard.metrics', 'metrics.updated', { cpu: 20 + (n * 7) % 60, queue: n % 13 });
  if (n % 3 === 0)
    await api.trigger('private-App.Models.User.1', 'Illuminate\\Notifications\\Events\\BroadcastNotificationCreated',
      { invoice_id: n, amount: '10.00', id: '0b6f1f57-4d6d-4a4f-9c4a-3d7b6e1f2a90', type: 'App\\Notifications\\InvoicePaid' });
};
setInterval(() => tick().catch(() => {}), 400);
