#!/usr/bin/python3
# e2e-driver.py CLIENT_LOG — drives the running Crier window through AT-SPI like a person:
# fills the send form, clicks Send, sends a notification, joins a presence channel as a
# simulated member and leaves it, whispers, reads an auth failure's explanation, restarts
# the server, and checks the views and what the laravel-echo client (e2e-client.mjs,
# writing CLIENT_LOG) received.
import json, sys
from atspi_window import Atspi, click, crier_app, find, find_all, lines, set_text, show_page, texts, wait_for

CLIENT_LOG = sys.argv[1]


def client_lines():
    return lines(CLIENT_LOG)


ready = wait_for(lambda: next((l for l in client_lines() if l.startswith('READY ')), None), 'the Echo client to subscribe')
socket_id = ready.split()[1]
print('client socket', socket_id)

app = crier_app()

# The connection and the subscription show in the views.
show_page(app, 'Connections')
wait_for(lambda: socket_id in texts(find(app, 'table', 'Connections') or find(app, 'tree table', 'Connections') or app),
         'the client connection in the Connections view')
show_page(app, 'Channels')
wait_for(lambda: 'orders-e2e' in texts(find(app, 'table', 'Channels') or find(app, 'tree table', 'Channels') or app),
         'the orders-e2e subscription in the Channels view')

# Fill the event form and click Send.
show_page(app, 'Send')
set_text(wait_for(lambda: find(app, 'text', 'Channels (comma-separated)'), 'the Channels entry'), 'orders-e2e')
set_text(find(app, 'text', 'Event Name'), 'App\\Events\\E2EShipped')
set_text(find(app, 'text', 'Event data'), '{"order_id": 7, "note": "from the window"}')
click(find(app, 'push button', 'Send Event'))

got = wait_for(lambda: [json.loads(l) for l in client_lines() if l.startswith('{"kind":"event"')], 'the event at the Echo client')
if got != [{'kind': 'event', 'data': {'order_id': 7, 'note': 'from the window'}}]:
    sys.exit('e2e: the client received %r' % got)
print('event received:', got[0])

# A Laravel notification to user 1.
set_text(find(app, 'text', 'User ID'), '1')
set_text(find(app, 'text', 'Notification Type'), 'App\\Notifications\\E2ENotice')
set_text(find(app, 'text', 'Notification data'), '{"message": "hello"}')
click(find(app, 'push button', 'Send Notification'))
notes = wait_for(lambda: [json.loads(l) for l in client_lines() if l.startswith('{"kind":"notification"')],
                 'the notification at the Echo client')
data = notes[0]['data']
if len(notes) != 1 or data.get('message') != 'hello' or data.get('type') != 'App\\Notifications\\E2ENotice' \
        or len(data.get('id', '')) != 36 or list(data.keys()) != ['message', 'id', 'type']:
    sys.exit('e2e: the client received the notification %r' % notes)
print('notification received:', data)

# Both appear in the event log.
show_page(app, 'Events')
log = lambda: texts(find(app, 'table', 'Event log') or find(app, 'tree table', 'Event log') or app)
wait_for(lambda: any('E2EShipped' in t for t in log()), 'the event in the Event log view')
wait_for(lambda: any('BroadcastNotificationCreated' in t for t in log()), 'the notification in the Event log view')

def client_json(kind):
    return [json.loads(l) for l in client_lines() if l.startswith('{"kind":"%s"' % kind)]

# Join in: a simulated member on the presence channel (Echo's joining() and leaving()).
show_page(app, 'Channels')
channels_table = lambda: find(app, 'table', 'Channels') or find(app, 'tree table', 'Channels') or app
def channel_label():
    for label in find_all(channels_table(), 'label', 'presence-e2e'):
        box = Atspi.Component.get_extents(label, Atspi.CoordType.WINDOW)
        if box.width > 0 and box.height > 0:
            return label
    return None
# A real click on the row's label selects the row (the label's own action would not).
box = Atspi.Component.get_extents(wait_for(channel_label, 'the presence-e2e row'), Atspi.CoordType.WINDOW)
Atspi.generate_mouse_event(box.x + box.width // 2, box.y + box.height // 2, 'b1c')
member_entry = wait_for(lambda: find(app, 'text', 'Member User ID'), 'the Member User ID entry')
set_text(member_entry, 'bot-e2e')
set_text(find(app, 'text', 'Member info'), '{"name": "Robot"}')
click(find(app, 'push button', 'Add Member'))
joined = wait_for(lambda: client_json('joining'), 'joining() at the Echo client')
if joined != [{'kind': 'joining', 'user': {'name': 'Robot'}}]:
    sys.exit('e2e: joining() got %r' % joined)
print('joining:', joined[0])
wait_for(lambda: 'bot-e2e' in texts(find(app, 'list', 'Presence members') or app), 'the member in the Channels view')
# The wait above can be met by the entry that still holds 'bot-e2e': wait for the button too.
click(wait_for(lambda: find(app, 'push button', 'Remove Member'), 'the Remove Member button'))
left = wait_for(lambda: client_json('leaving'), 'leaving() at the Echo client')
if left != [{'kind': 'leaving', 'user': {'name': 'Robot'}}]:
    sys.exit('e2e: leaving() got %r' % left)
print('leaving:', left[0])

# A client event from the window: listenForWhisper('typing').
set_text(find(app, 'text', 'Client Event Name'), 'client-typing')
set_text(find(app, 'text', 'Client event data'), '{"typing": true}')
click(find(app, 'push button', 'Send Client Event'))
whispers = wait_for(lambda: client_json('whisper'), 'the whisper at the Echo client')
if whispers != [{'kind': 'whisper', 'data': {'typing': True}}]:
    sys.exit('e2e: listenForWhisper got %r' % whispers)
print('whisper:', whispers[0])

# The auth failure's row says what went wrong, in words.
show_page(app, 'Events')
wait_for(lambda: any('The key and the secret are swapped' in t for t in log()), 'the auth failure explanation in the Event log')
print('auth failure explained')

# Restart the server with 4200: pusher-js reconnects with a new socket id.
click(find(app, 'push button', 'Restart Server'))
def reconnected():
    return [s for s in client_json('state')
            if s['current'] == 'connected' and s['socket_id'] and s['socket_id'] != socket_id]
state = wait_for(reconnected, 'the Echo client to reconnect after the restart')
print('reconnected as', state[0]['socket_id'])
print('e2e: OK')
