#!/usr/bin/python3
# e2e-driver.py CLIENT_LOG — drives the running Crier window through AT-SPI like a person:
# fills the send form, clicks Send, sends a notification, joins a presence channel as a
# simulated member and leaves it, whispers, reads an auth failure's explanation, restarts
# the server, and checks the views and what the laravel-echo client (e2e-client.mjs,
# writing CLIENT_LOG) received.
import json, sys, time, warnings
warnings.simplefilter('ignore', DeprecationWarning)
import gi
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi, GLib

CLIENT_LOG = sys.argv[1]

def wait_for(pred, what, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            r = pred()
        except GLib.Error:
            # A view's rows come and go while the tree is read (the log keeps growing):
            # a vanished row is not a failure, read again.
            r = None
        if r:
            return r
        time.sleep(0.1)
    sys.exit('e2e: timed out waiting for ' + what)

def kids(n):
    return [c for c in (n.get_child_at_index(i) for i in range(n.get_child_count())) if c]

def find(n, role, name=None, showing=False):
    # GTK 4.8 names a button "_Mnemonic Label Label": match a button by what it says.
    matches = name is None or n.get_name() == name or \
        (role == 'push button' and n.get_name().endswith(' ' + name))
    if n.get_role_name() == role and matches:
        if not showing or n.get_state_set().contains(Atspi.StateType.SHOWING):
            return n
    for c in kids(n):
        h = find(c, role, name, showing)
        if h:
            return h
    return None

def find_all(n, role, name=None, out=None):
    out = [] if out is None else out
    if n.get_role_name() == role and name in (None, n.get_name()):
        out.append(n)
    for c in kids(n):
        find_all(c, role, name, out)
    return out

def texts(n, out=None):
    """Every label name under n (GTK 4.8 exposes a label's text as its name)."""
    out = [] if out is None else out
    if n.get_role_name() == 'label' and n.get_name():
        out.append(n.get_name())
    for c in kids(n):
        texts(c, out)
    return out

def click(node):
    n_actions = Atspi.Action.get_n_actions(node) if node.get_action_iface() else 0
    if n_actions > 0:
        return Atspi.Action.do_action(node, 0)  # GTK: action 0 is click
    # No action (AdwViewSwitcher's tabs): a real click at its centre. Without a window
    # manager every window sits at 0,0, so window coordinates are screen coordinates.
    box = Atspi.Component.get_extents(node, Atspi.CoordType.WINDOW)
    Atspi.generate_mouse_event(box.x + box.width // 2, box.y + box.height // 2, 'b1c')

def set_text(node, text):
    if not Atspi.EditableText.set_text_contents(node, text):
        sys.exit('e2e: cannot type into %s' % node.get_name())

def client_lines():
    with open(CLIENT_LOG) as f:
        return f.read().splitlines()

def show_page(app, title):
    # The view switcher's buttons carry the page titles.
    def visible_tab():
        for tab in find_all(app, 'page tab', title):
            box = Atspi.Component.get_extents(tab, Atspi.CoordType.WINDOW)
            if box.width > 0 and box.height > 0 and box.y >= 0:
                return tab
        return None
    tab = wait_for(visible_tab, 'the %s page tab' % title)
    click(tab)
    wait_for(lambda: tab.get_state_set().contains(Atspi.StateType.SELECTED)
             or tab.get_state_set().contains(Atspi.StateType.CHECKED) or True, 'the %s page' % title)
    time.sleep(0.3)

ready = wait_for(lambda: next((l for l in client_lines() if l.startswith('READY ')), None), 'the Echo client to subscribe')
socket_id = ready.split()[1]
print('client socket', socket_id)

app = wait_for(lambda: next((a for a in kids(Atspi.get_desktop(0)) if a.get_name() == 'crier'), None), 'the crier window')

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
