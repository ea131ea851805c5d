#!/bin/sh
# take-screenshots.sh BUILDDIR — PNGs of every view of the window into data/screenshots/,
# under the project's own headless desktop (tests/gui-run), with demo clients connected.
#   data/screenshots/take-screenshots.sh build
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
if [ -z "${GUI_RUN_PID:-}" ]; then
  exec "$top/tests/gui-run" -g 1200x760 -t 120 "$0" "$build"
fi
export NODE_PATH="$top/tests/interop/node_modules" GSETTINGS_SCHEMA_DIR="$build/data"
tmp=$GUI_RUN_TMPDIR
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
XDG_CONFIG_HOME=$tmp/config PUSHER_APP_ID=app-id PUSHER_APP_KEY=app-key PUSHER_APP_SECRET=app-secret \
  "$build/src/crier" --port "$port" >"$tmp/crier.log" 2>&1 &
until /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; do sleep 0.1; done
node "$top/tests/gui/demo-clients.mjs" "$port" >"$tmp/demo.log" 2>&1 &
sleep 6
/usr/bin/python3 - "$top/data/screenshots" "$top/tests/gui-run" <<'PY'
import subprocess, sys, time, warnings, gi
warnings.simplefilter('ignore', DeprecationWarning)
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi
out, gui_run = sys.argv[1], sys.argv[2]
def kids(n): return [c for c in (n.get_child_at_index(i) for i in range(n.get_child_count())) if c]
def find_all(n, role, name, acc):
    if n.get_role_name() == role and n.get_name() == name: acc.append(n)
    for c in kids(n): find_all(c, role, name, acc)
    return acc
def click(node):
    box = Atspi.Component.get_extents(node, Atspi.CoordType.WINDOW)
    Atspi.generate_mouse_event(box.x + box.width // 2, box.y + box.height // 2, 'b1c')
app = next(a for a in kids(Atspi.get_desktop(0)) if a.get_name() == 'crier')
for title, name in [('Connections', 'connections'), ('Channels', 'channels'), ('Events', 'events'),
                    ('Statistics', 'statistics'), ('Send', 'send'), ('Apps', 'apps')]:
    tab = next(t for t in find_all(app, 'page tab', title, [])
               if Atspi.Component.get_extents(t, Atspi.CoordType.WINDOW).width > 0)
    click(tab)
    time.sleep(1.5)
    # Select a row so the details pane shows something worth seeing.
    pick = {'channels': 'presence-chat.lobby', 'events': 'dashboard.metrics'}.get(name)
    if pick:
        rows = find_all(app, 'label', pick, [])
        rows = [r for r in rows if Atspi.Component.get_extents(r, Atspi.CoordType.WINDOW).width > 0]
        if rows:
            click(rows[0])
            time.sleep(1)
    subprocess.run([gui_run, '--snap', f'{out}/{name}.png', '--crop'], check=True)
    print('wrote', f'{out}/{name}.png')
PY
