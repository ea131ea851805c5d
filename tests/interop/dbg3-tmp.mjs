import { WebSocket } from 'ws';
const port = process.argv[2];
const n = Number(process.argv[3] || 20000);
const variant = process.argv[4] || 'a';
const ws = new WebSocket(`ws://127.0.0.1:${port}/app/app-key?protocol=7`, { perMessageDeflate: false });
let pongs = 0; let waiter = null;
ws.on('message', (d) => { const s = d.toString(); if (s.includes('pusher:pong')) { pongs++; waiter && waiter(); } else console.log('msg', s.slice(0, 150)); });
ws.on('close', (c, r) => { console.log('close', c, r.toString()); process.exit(0); });
ws.on('open', async () => {
  const frames = variant === 'a'
    ? ['{"event":"pusher:ping","data":' + '['.repeat(n) + ']'.repeat(n) + '}', '{"event":"x1"}', '{"event":"x2"}', '{"event":"x3"}']
    : ['{"event":"pusher:subscribe","data":{"channel":"' + 'z'.repeat(n) + '"}}', '{"event":"x1"}', '{"event":"x2"}', '{"event":"x3"}'];
  for (const f of frames) {
    ws.send(f); ws.send('{"event":"pusher:ping","data":{}}');
    const target = pongs + 1;
    await new Promise((r) => { waiter = () => { if (pongs >= target) r(); }; waiter(); });
    console.log('ok after', f.slice(0, 40), 'len', f.length);
  }
  process.exit(0);
});
