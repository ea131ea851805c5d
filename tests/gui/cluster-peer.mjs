// cluster-peer.mjs CONFIG — the other node of the window's cluster test (test-cluster-window.c):
// starts `crier --server --config CONFIG --port 0` ($CRIER_BIN), then a pusher-js client on
// it that joins the public channel "orders" and the presence channel "presence-lobby" as
// user 7 (Ada); prints "READY <port>" once both are subscribed. Ends (client, then node)
// when its stdin closes; a node that exits first makes it exit 1.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(process.env.NODE_PATH, 'cluster-peer.cjs'));
const Pusher = require('pusher-js');
const PusherServer = require('pusher');

const [, , config] = process.argv;
const node = spawn(process.env.CRIER_BIN, ['--server', '--config', config, '--host', '127.0.0.1', '--port', '0'],
  { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
const port = await new Promise((resolve, reject) => {
  node.stdout.on('data', (d) => {
    out += d;
    const m = /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(out);
    if (m) resolve(Number(m[1]));
  });
  node.on('exit', (code) => reject(new Error(`crier exited (${code}) before listening`)));
}).catch((e) => { console.error(e.message); process.exit(1); });
node.on('exit', () => { console.error('crier exited'); process.exit(1); });

const signer = new PusherServer({ appId: '3', key: '278d425bdf160c739803', secret: '7ad3773142a6692b25b8', host: '127.0.0.1', port: String(port), useTLS: false });
const client = new Pusher('278d425bdf160c739803', {
  cluster: 'mt1', wsHost: '127.0.0.1', wsPort: port, forceTLS: false, enabledTransports: ['ws'], disableStats: true,
  channelAuthorization: {
    customHandler: (params, callback) => callback(null,
      signer.authorizeChannel(params.socketId, params.channelName, { user_id: '7', user_info: { name: 'Ada' } })),
  },
});
let subscribed = 0;
const ready = () => { if (++subscribed === 2) process.stdout.write(`READY ${port}\n`); };
client.subscribe('orders').bind('pusher:subscription_succeeded', ready);
client.subscribe('presence-lobby').bind('pusher:subscription_succeeded', ready);

process.stdin.resume();
process.stdin.on('end', () => {
  client.disconnect();
  node.removeAllListeners('exit');
  node.on('exit', () => process.exit(0));
  node.kill('SIGTERM');
});
