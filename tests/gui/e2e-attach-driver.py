#!/usr/bin/python3
# e2e-attach-driver.py CLIENT_LOG WINDOW_PORT REMOTE_PORT REMOTE_PID CRIER_BIN REMOTE_CONF
#   REMOTE_PID_FILE REMOTE_LOG — attaches the running Crier
# window to the second Crier (app.attach over D-Bus, as a launcher would; the Connect
# dialog is another page's), then like a person through AT-SPI: the header names the
# remote server, the laravel-echo client of that server (e2e-client.mjs, writing
# CLIENT_LOG) shows on the Connections and Channels pages, the send form reaches it, and
# the remote server killed and started again is survived (the header says reconnecting, then
# connected, and the client's new connection shows), and the header's button goes back to
# the embedded server.
import json, os, signal, subprocess, sys
import atspi_window
from atspi_window import click, crier_app, find, lines, set_text, show_page, texts, wait_for
from gi.repository import Gio, GLib

atspi_window.prefix = 'e2e-attach'
CLIENT_LOG, WINDOW_PORT, REMOTE_PORT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
REMOTE_PID, CRIER_BIN, REMOTE_CONF, REMOTE_PID_FILE, REMOTE_LOG = int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8]


def client_lines():
    return lines(CLIENT_LOG)


ready = wait_for(lambda: next((l for l in client_lines() if l.startswith('READY ')), None), 'the Echo client to subscribe')
socket_id = ready.split()[1]
print('client of the remote server:', socket_id)
app = crier_app()
embedded = 'ws://127.0.0.1:%d' % WINDOW_PORT
wait_for(lambda: embedded in texts(app), 'the header to show the embedded server')

# app.attach, through the application's exported actions (dev.crier.Crier or .Devel).
bus = Gio.bus_get_sync(Gio.BusType.SESSION)
names = bus.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'ListNames',
                      None, GLib.VariantType('(as)'), Gio.DBusCallFlags.NONE, 5000).unpack()[0]
name = next(n for n in names if n.startswith('dev.crier.Crier'))
path = '/' + name.replace('.', '/')
target = GLib.Variant('(sssssb)', ('ws://127.0.0.1:%d' % REMOTE_PORT, 'e2e-app', 'e2e-key', 'e2e-secret', '', False))
bus.call_sync(name, path, 'org.gtk.Actions', 'Activate', GLib.Variant('(sava{sv})', ('attach', [target], {})),
              None, Gio.DBusCallFlags.NONE, 5000)

# The header says which server is shown and that it is connected.
remote = 'ws://127.0.0.1:%d · app e2e-app' % REMOTE_PORT
wait_for(lambda: remote in texts(app) and 'Connected' in texts(app), 'the header to show the remote server, connected')
print('attached:', remote)

# The remote server's client appears, and its channel.
show_page(app, 'Connections')
wait_for(lambda: socket_id in texts(find(app, 'table', 'Connections') or find(app, 'tree table', 'Connections') or app),
         'the remote client in the Connections view')
show_page(app, 'Channels')
wait_for(lambda: 'orders-e2e' in texts(find(app, 'table', 'Channels') or find(app, 'tree table', 'Channels') or app),
         'the orders-e2e subscription in the Channels view')
print('remote client and channel shown')

# Send from the window reaches the remote server's Echo client.
show_page(app, 'Send')
set_text(wait_for(lambda: find(app, 'text', 'Channels (comma-separated)'), 'the Channels entry'), 'orders-e2e')
set_text(find(app, 'text', 'Event Name'), 'App\\Events\\E2EShipped')
set_text(find(app, 'text', 'Event data'), '{"order_id": 9, "note": "through the remote"}')
click(find(app, 'push button', 'Send Event'))
got = wait_for(lambda: [json.loads(l) for l in client_lines() if l.startswith('{"kind":"event"')], 'the event at the Echo client')
if got != [{'kind': 'event', 'data': {'order_id': 9, 'note': 'through the remote'}}]:
    sys.exit('e2e-attach: the client received %r' % got)
print('event received:', got[0])

# The remote server restarts: killed, the window says it is reconnecting; started again on
# the same port, connected, and the Echo client's new connection shows.
os.kill(REMOTE_PID, signal.SIGKILL)
wait_for(lambda: 'Reconnecting…' in texts(app), 'the header to say reconnecting')
env = dict(os.environ, XDG_DATA_HOME=os.path.join(os.path.dirname(REMOTE_LOG), 'data-remote'))
with open(REMOTE_LOG, 'w') as log:
    restarted = subprocess.Popen([CRIER_BIN, '--server', '--config', REMOTE_CONF], stdout=log, stderr=log, env=env)
with open(REMOTE_PID_FILE, 'w') as f:
    f.write(str(restarted.pid))
def new_socket():
    states = [json.loads(l) for l in client_lines() if l.startswith('{"kind":"state"')]
    ids = [s['socket_id'] for s in states if s['current'] == 'connected' and s['socket_id'] not in (None, socket_id)]
    return ids[-1] if ids else None
new_id = wait_for(new_socket, 'the Echo client to reconnect to the restarted server', timeout=60)
wait_for(lambda: 'Connected' in texts(app) and remote in texts(app), 'the header to say connected again', timeout=60)
show_page(app, 'Connections')
wait_for(lambda: new_id in texts(find(app, 'table', 'Connections') or find(app, 'tree table', 'Connections') or app)
         and socket_id not in texts(app), 'the reconnected client (and not the old one) in the Connections view', timeout=60)
print('restart survived: new connection', new_id)

# One click back to the embedded server.
# (GTK 4.8 does not say which buttons are showing: the header's has this name alone.)
button = wait_for(lambda: find(app, 'push button', 'Back to the Embedded Server'), 'the Back to the Embedded Server button')
click(button)
wait_for(lambda: embedded in texts(app) and remote not in texts(app), 'the header to show the embedded server again')
print('e2e-attach: OK')
