import { WebSocket } from 'ws';
const port = process.argv[2];
const which = process.argv[3];
const key='app-key';
const odd = [
    '{"event":"pusher:subscribe"}',
    '{"event":"pusher:subscribe","data":null}',
    '{"event":"pusher:subscribe","data":"not json"}',
    '{"event":"pusher:subscribe","data":[]}',
    '{"event":"pusher:subscribe","data":{"channel":"private-x","auth":42}}',
    '{"event":"pusher:subscribe","data":{"channel":"presence-x","auth":"a:b","channel_data":{"user_id":"1"}}}',
    '{"event":"pusher:unsubscribe","data":{"channel":"never-subscribed"}}',
    '{"event":"pusher:unsubscribe"}',
    '{"event":"pusher:signin"}',
    '{"event":"pusher:signin","data":{"auth":"x","user_data":"{}"}}',
    '{"event":"pusher:signin","data":{"auth":"' + key + ':' + '0'.repeat(64) + '","user_data":"not json"}}',
    '{"event":"client-x"}',
    '{"event":"client-x","channel":123,"data":{}}',
    '{"event":"client-x","channel":"private-x"}',
    '{"event":"pusher:pong"}',
    '{"event":"pusher:ping"}',
    '{"event":"pusher:ping","data":' + '['.repeat(20000) + ']'.repeat(20000) + '}',
    '{"event":"pusher:ping","data":{},"event":"pusher:ping"}',
    '{"event":"\\u0000\\ud800","data":"\\udfff"}',
    '{"event":"pusher:subscribe","data":{"channel":"caf\\u00e9"}}',
];
const list = which === 'all' ? odd : which.split(',').map(Number).map(i => odd[i]);
const ws = new WebSocket(`ws://127.0.0.1:${port}/app/${key}?protocol=7`);
ws.on('message', (d, bin) => console.log('msg', d.toString().slice(0, 150)));
ws.on('close', (c, r) => { console.log('close', c, r.toString()); process.exit(0); });
ws.on('error', (e) => console.log('error', e.message));
ws.on('open', async () => {
  for (const f of list) { console.log('send', f.slice(0,100)); ws.send(f); await new Promise(r => setTimeout(r, 100)); ws.send('{"event":"pusher:ping","data":{}}'); await new Promise(r => setTimeout(r, 100));}
  setTimeout(() => process.exit(0), 500);
});
