import { WebSocket } from 'ws';
const port = process.argv[2];
const frames = JSON.parse(process.argv[3]);
const ws = new WebSocket(`ws://127.0.0.1:${port}/app/app-key?protocol=7`);
ws.on('message', (d, bin) => console.log('msg', JSON.stringify(d.toString()).slice(0, 300), 'hex:', Buffer.from(d).toString('hex').slice(0, 200)));
ws.on('close', (c, r) => { console.log('close', c, r.toString()); process.exit(0); });
ws.on('error', (e) => console.log('error', e.message));
ws.on('open', async () => {
  for (const f of frames) { console.log('send', f); ws.send(f); await new Promise(r => setTimeout(r, 200)); }
  setTimeout(() => process.exit(0), 500);
});
