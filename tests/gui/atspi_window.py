# atspi_window.py — reading and driving the Crier window through AT-SPI, shared by the
# end-to-end drivers (e2e-driver.py, e2e-attach-driver.py): find a control as a screen
# reader does, read what labels say, click and type like a person.
# SPDX-License-Identifier: GPL-3.0-or-later
import sys, time, warnings
warnings.simplefilter('ignore', DeprecationWarning)
import gi
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi, GLib

# What a failure starts with: the driver's name.
prefix = 'e2e'


def fail(message):
    sys.exit('%s: %s' % (prefix, message))


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
    fail('timed out waiting for ' + what)


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
        fail('cannot type into %s' % node.get_name())


def show_page(app, title):
    """Clicks the view switcher's tab of that page (the header's or the bottom bar's)."""
    def visible_tab():
        for tab in find_all(app, 'page tab', title):
            box = Atspi.Component.get_extents(tab, Atspi.CoordType.WINDOW)
            if box.width > 0 and box.height > 0 and box.y >= 0:
                return tab
        return None
    click(wait_for(visible_tab, 'the %s page tab' % title))
    time.sleep(0.3)


def crier_app():
    return wait_for(lambda: next((a for a in kids(Atspi.get_desktop(0)) if a.get_name() == 'crier'), None),
                    'the crier window')


def lines(path):
    with open(path) as f:
        return f.read().splitlines()
