#!/usr/bin/python3
# window-show-page.py TITLE — clicks the view switcher's TITLE tab of the running Crier window
# (through AT-SPI, as a person would), for bench/window.
# window-show-page.py --shown — prints the texts of the window's labels, one a line: two
# readings that differ tell the window laid out new rows in between.
# SPDX-License-Identifier: GPL-3.0-or-later
import sys, time, warnings
warnings.simplefilter('ignore', DeprecationWarning)
import gi
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi, GLib

TITLE = sys.argv[1]


def crier():
    return next((a for a in kids(Atspi.get_desktop(0)) if a.get_name() == 'crier'), None)


def shown_labels(n, out):
    if n.get_role_name() == 'label' and n.get_name():
        out.append(n.get_name())
    for c in kids(n):
        shown_labels(c, out)
    return out


def kids(n):
    return [c for c in (n.get_child_at_index(i) for i in range(n.get_child_count())) if c]


def find_all(n, role, name, out):
    if n.get_role_name() == role and n.get_name() == name:
        out.append(n)
    for c in kids(n):
        find_all(c, role, name, out)
    return out


def visible_tab():
    app = crier()
    if app is None:
        return None
    for tab in find_all(app, 'page tab', TITLE, []):
        box = Atspi.Component.get_extents(tab, Atspi.CoordType.WINDOW)
        if box.width > 0 and box.height > 0 and box.y >= 0:
            return tab
    return None


if TITLE == '--shown':
    app = crier()
    for attempt in range(5):
        try:
            print('\n'.join(shown_labels(app, [])) if app else '')
            break
        except GLib.Error:
            continue  # a row went away while it was read
    sys.exit(0)

end = time.monotonic() + 30
tab = None
while tab is None and time.monotonic() < end:
    try:
        tab = visible_tab()
    except GLib.Error:
        tab = None
    if tab is None:
        time.sleep(0.1)
if tab is None:
    sys.exit('bench/window: no visible %s tab' % TITLE)
# The switcher's tabs have no action: a real click at the centre (no window manager: window
# coordinates are screen coordinates).
box = Atspi.Component.get_extents(tab, Atspi.CoordType.WINDOW)
Atspi.generate_mouse_event(box.x + box.width // 2, box.y + box.height // 2, 'b1c')
time.sleep(0.5)
