// laravel-echo whispers: whisper('typing', ...) / listenForWhisper('typing')
// on a private and a presence channel; the sender does not hear itself;
// metadata.user_id on presence.

import { scenario, app, checkEqual, jsonOk, recorder } from './harness.mjs';

const APP = app('echo-whisper');
const ANN = { user_id: '1', user_info: { id: 1, name: 'Ann' } };
const BOB = { user_id: '2', user_info: { id: 2, name: 'Bob' } };

scenario('echo-whisper', async (t) => {
  const server = await t.crier({ config: { apps: [APP] } });
  const api = await server.api(APP);
  const ann = await t.echo(server, { app: APP.id, user: ANN, label: 'echo ann' });
  const bob = await t.echo(server, { app: APP.id, user: BOB, label: 'echo bob' });

  for (const kind of ['private', 'presence']) {
    t.step(`${kind}: Ann whispers, Bob hears`);
    const open = (echo) => (kind === 'private' ? echo.private('chat.1') : echo.join('chat.1'));
    const wire = kind === 'private' ? 'private-chat.1' : 'presence-chat.1';
    const annOk = recorder();
    const bobOk = recorder();
    const annHeard = recorder();
    const bobHeard = recorder();
    const annMarker = recorder();
    const bobMarker = recorder();
    const annCh = open(ann).subscribed(annOk).listenForWhisper('typing', annHeard).listen('.marker', annMarker);
    const bobCh = open(bob).subscribed(bobOk).listenForWhisper('typing', bobHeard).listen('.marker', bobMarker);
    await annOk.next(1, `Ann subscribed to ${wire}`);
    await bobOk.next(1, `Bob subscribed to ${wire}`);

    annCh.whisper('typing', { name: 'Ann', typing: true });
    const [data, metadata] = await bobHeard.next(1, `Bob's listenForWhisper("typing") on ${wire}`);
    checkEqual(data, { name: 'Ann', typing: true }, 'whisper data');
    checkEqual(metadata && metadata.user_id, kind === 'presence' ? '1' : undefined, 'metadata.user_id');

    t.step(`${kind}: Bob answers; nobody hears their own whisper`);
    bobCh.whisper('typing', { name: 'Bob', typing: false });
    const [back, backMeta] = await annHeard.next(1, `Ann's listenForWhisper on ${wire}`);
    checkEqual(back, { name: 'Bob', typing: false }, 'answer whisper data');
    checkEqual(backMeta && backMeta.user_id, kind === 'presence' ? '2' : undefined, 'metadata.user_id of the answer');
    await jsonOk(api.trigger(wire, 'marker', '{}'), 'POST /events (marker)');
    await annMarker.next(1, 'marker at Ann');
    await bobMarker.next(1, 'marker at Bob');
    checkEqual(annHeard.calls.length, 1, 'whispers heard by Ann (must not include her own)');
    checkEqual(bobHeard.calls.length, 1, 'whispers heard by Bob (must not include his own)');
  }
});
