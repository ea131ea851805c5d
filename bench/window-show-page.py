#!/usr/bin/python3
# window-show-page.py TITLE — clicks the view switcher's TITLE tab of the running Crier window
# (through AT-SPI, as a person would), for bench/window.
# window-show-page.py --screen-at T1 T2 — prints two digests of the screen's pixels, taken
# T1 and T2 seconds after it started (Xlib, no AT-SPI: a walk of the accessibility tree
# waits for a busy window): digests that differ tell the window drew in between. Started
# before the load, it does its own starting (Python, Xlib) while nothing is measured.
# SPDX-License-Identifier: GPL-3.0-or-later
import ctypes, hashlib, sys, time, warnings

TITLE = sys.argv[1]


def crier():
    return next((a for a in kids(Atspi.get_desktop(0)) if a.get_name() == 'crier'), None)


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


class XImage(ctypes.Structure):
    _fields_ = [('width', ctypes.c_int), ('height', ctypes.c_int), ('xoffset', ctypes.c_int),
                ('format', ctypes.c_int), ('data', ctypes.POINTER(ctypes.c_char)),
                ('byte_order', ctypes.c_int), ('bitmap_unit', ctypes.c_int),
                ('bitmap_bit_order', ctypes.c_int), ('bitmap_pad', ctypes.c_int),
                ('depth', ctypes.c_int), ('bytes_per_line', ctypes.c_int)]


def screen_digest():
    x11 = ctypes.CDLL('libX11.so.6')
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XDefaultRootWindow.restype = ctypes.c_ulong
    x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x11.XGetImage.restype = ctypes.POINTER(XImage)
    x11.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_int,
                              ctypes.c_uint, ctypes.c_uint, ctypes.c_ulong, ctypes.c_int]
    x11.XDisplayWidth.argtypes = x11.XDisplayHeight.argtypes = [ctypes.c_void_p, ctypes.c_int]
    display = x11.XOpenDisplay(None)
    width, height = x11.XDisplayWidth(display, 0), x11.XDisplayHeight(display, 0)
    image = x11.XGetImage(display, x11.XDefaultRootWindow(display), 0, 0, width, height,
                          0xFFFFFFFF, 2)  # AllPlanes, ZPixmap
    data = ctypes.string_at(image.contents.data, image.contents.bytes_per_line * image.contents.height)
    return hashlib.sha256(data).hexdigest()


if TITLE == '--screen-at':
    start = time.monotonic()
    for at in (float(sys.argv[2]), float(sys.argv[3])):
        time.sleep(max(0, start + at - time.monotonic()))
        print(screen_digest(), flush=True)
    sys.exit(0)

warnings.simplefilter('ignore', DeprecationWarning)
import gi
gi.require_version('Atspi', '2.0')
from gi.repository import Atspi, GLib

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
