// observer-client.mjs PORT KEY SECRET — a pusher-js client of a foreign server (soketi) for
// test-attach.c: subscribes to "private-observed" (signing its own authorization), then
// whispers "client-hello" every 300 ms until the window's broadcast
// "App\Events\FromWindow" arrives; prints "SUBSCRIBED", then "RECEIVED <data>" and exits 0.
// Bounded: exits 1 after 60 s.
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.env.NODE_PATH, 'observer-client.cjs'));
const Pusher = require('pusher-js');

const [port, key, secret] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const sign = (text) => createHmac('sha256', secret).update(text).digest('hex');
const pusher = new Pusher(key, {
  cluster: 'mt1', wsHost: '127.0.0.1', wsPort: port, forceTLS: false, enabledTransports: ['ws'], disableStats: true,
  channelAuthorization: {
    customHandler: (params, callback) =>
      callback(null, { auth: `${key}:${sign(`${params.socketId}:${params.channelName}`)}` }),
  },
});
const channel = pusher.subscribe('private-observed');
let hello;
channel.bind('pusher:subscription_succeeded', () => {
  process.stdout.write('SUBSCRIBED\n');
  let n = 0;
  hello = setInterval(() => channel.trigger('client-hello', { n: ++n }), 300);
});
channel.bind('App\\Events\\FromWindow', (data) => {
  clearInterval(hello);
  process.stdout.write(`RECEIVED ${JSON.stringify(data)}\n`);
  pusher.disconnect();
  process.exit(0);
});
setTimeout(() => { process.stdout.write('TIMEOUT\n'); process.exit(1); }, 60000);
