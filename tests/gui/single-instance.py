#!/usr/bin/python3
# single-instance.py — one Crier per session: a second `crier` hands over to the running one,
# which raises its window, and exits at once with status 0; the first keeps exactly one
# window. Run under tests/gui-run (its own Xvfb and session bus) with CRIER_BIN set.
# Exit 77: skipped.
import ctypes, os, subprocess, sys, tempfile, time, warnings
warnings.simplefilter('ignore', DeprecationWarning)
try:
    import gi
    gi.require_version('Gio', '2.0')
    from gi.repository import Gio, GLib
except (ImportError, ValueError):
    print('SKIP: /usr/bin/python3 with gi missing')
    sys.exit(77)

CRIER = os.environ['CRIER_BIN']
APP_ID = 'dev.crier.Crier'
WINDOW_PATH = '/dev/crier/Crier/window/1'

# Xlib through ctypes (libX11 comes with GTK): who has the keyboard focus, and which
# GtkApplicationWindow a window is (GTK sets _GTK_WINDOW_OBJECT_PATH on it).
X = ctypes.CDLL('libX11.so.6')
X.XOpenDisplay.restype = ctypes.c_void_p
X.XOpenDisplay.argtypes = [ctypes.c_char_p]
X.XDefaultRootWindow.restype = ctypes.c_ulong
X.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
X.XInternAtom.restype = ctypes.c_ulong
X.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
X.XGetInputFocus.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int)]
X.XSetInputFocus.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_ulong]
X.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
X.XFree.argtypes = [ctypes.c_void_p]
X.XGetWindowProperty.argtypes = [
    ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_long, ctypes.c_long, ctypes.c_int,
    ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
    ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_void_p)]
X.XSetErrorHandler.argtypes = [ctypes.c_void_p]
display = X.XOpenDisplay(None)
if not display:
    sys.exit('single-instance: cannot open the X display (run it under tests/gui-run)')
# A window gone meanwhile is no error here (kept referenced: Xlib calls it later).
ignore_x_errors = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(lambda d, e: 0)
X.XSetErrorHandler(ctypes.cast(ignore_x_errors, ctypes.c_void_p))
ROOT = X.XDefaultRootWindow(display)
PATH_ATOM = X.XInternAtom(display, b'_GTK_WINDOW_OBJECT_PATH', 0)


def focused_window():
    window, revert = ctypes.c_ulong(), ctypes.c_int()
    X.XSync(display, 0)
    X.XGetInputFocus(display, ctypes.byref(window), ctypes.byref(revert))
    return window.value


def gtk_window_path(window):
    if window in (0, 1, ROOT):  # None, PointerRoot, the root
        return None
    kind, fmt, n, after, data = ctypes.c_ulong(), ctypes.c_int(), ctypes.c_ulong(), ctypes.c_ulong(), ctypes.c_void_p()
    if X.XGetWindowProperty(display, window, PATH_ATOM, 0, 1024, 0, 0, ctypes.byref(kind), ctypes.byref(fmt),
                            ctypes.byref(n), ctypes.byref(after), ctypes.byref(data)) != 0 or not data.value:
        return None
    value = ctypes.string_at(data.value, n.value).decode()
    X.XFree(data)
    return value


def focus_root():
    X.XSetInputFocus(display, ROOT, 1, 0)  # RevertToPointerRoot, CurrentTime
    X.XSync(display, 0)


bus = Gio.bus_get_sync(Gio.BusType.SESSION)


def exported_windows():
    """The windows GtkApplication exports on the bus for the running Crier."""
    try:
        xml, = bus.call_sync(APP_ID, '/dev/crier/Crier/window', 'org.freedesktop.DBus.Introspectable',
                             'Introspect', None, GLib.VariantType('(s)'), Gio.DBusCallFlags.NONE, 2000, None)
    except GLib.Error:
        return None
    return sorted(node.path for node in Gio.DBusNodeInfo.new_for_xml(xml).nodes)


def wait_for(pred, what, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r = pred()
        if r:
            return r
        time.sleep(0.05)
    fail('timed out waiting for ' + what)


def fail(message):
    print('single-instance: ' + message)
    if first.poll() is None:
        first.kill()
    first.wait()
    print('--- first crier (status %s):' % first.returncode)
    print(open(log_path).read())
    sys.exit(1)


tmp = tempfile.mkdtemp(prefix='crier-single-')
env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(tmp, 'config'))  # nothing of the user's
log_path = os.path.join(tmp, 'first.log')
first = subprocess.Popen([CRIER, '--port', '0'], env=env, stdout=open(log_path, 'w'), stderr=subprocess.STDOUT)

wait_for(lambda: exported_windows() == ['1'], 'the first crier to show its window')
wait_for(lambda: gtk_window_path(focused_window()) == WINDOW_PATH, 'the first window to get the focus')
focus_root()  # the user went to another window
if gtk_window_path(focused_window()) is not None:
    fail('could not move the focus away from the window')

start = time.monotonic()
try:
    second = subprocess.run([CRIER], env=env, capture_output=True, text=True, timeout=30)
except subprocess.TimeoutExpired:
    fail('the second crier did not exit within 30 s')
took = time.monotonic() - start
print('# second crier: status %d after %.2f s' % (second.returncode, took))
if second.returncode != 0:
    fail('the second crier exited with %d: %s%s' % (second.returncode, second.stdout, second.stderr))
if second.stdout or second.stderr:
    fail('the second crier printed: %s%s' % (second.stdout, second.stderr))
if took > 10:  # a second instance that built its own window would have stayed up
    fail('the second crier took %.1f s' % took)

# The first one was activated: its window is presented (raised and focused) again ...
wait_for(lambda: gtk_window_path(focused_window()) == WINDOW_PATH, 'the first window to be raised and focused')
# ... and it is still the only one.
if first.poll() is not None:
    fail('the first crier ended')
if exported_windows() != ['1']:
    fail('the first crier has windows %s, not just its first' % exported_windows())

# Server options given to a second crier cannot apply to the running server: it says so.
third = subprocess.run([CRIER, '--port', '7000'], env=dict(env, LANGUAGE='C'), capture_output=True,
                       text=True, timeout=30)
if third.returncode != 0 or 'Crier is already running' not in third.stderr:
    fail('crier --port 7000 with one running: status %d, stderr %r' % (third.returncode, third.stderr))
if exported_windows() != ['1']:
    fail('after crier --port 7000 the first crier has windows %s' % exported_windows())
print('# a second crier with --port says: %s' % third.stderr.strip())
try:
    gi.require_version('Atspi', '2.0')
    from gi.repository import Atspi
except (ImportError, ValueError):
    Atspi = None
    print('# AT-SPI: gi Atspi missing, not checked')
if Atspi is not None:
    def kids(node):
        return [c for c in (node.get_child_at_index(i) for i in range(node.get_child_count())) if c]

    def crier_frames():
        """Frames of each application called crier on the accessibility bus."""
        try:
            return [len([f for f in kids(a) if f.get_role_name() == 'frame'])
                    for a in kids(Atspi.get_desktop(0)) if a.get_name() == 'crier']
        except GLib.Error:  # an application leaving while it is read
            return None

    # It registers on the accessibility bus on its own time (slowly under ASan).
    wait_for(lambda: crier_frames() == [1], 'AT-SPI to show one crier application with one frame')
    time.sleep(0.5)
    if crier_frames() != [1]:
        fail('AT-SPI shows crier applications with these frames: %s' % crier_frames())
    print('# AT-SPI: one crier application, one frame')

# app.quit, as the menu does: the first crier ends cleanly (under ASan: no leak either).
try:
    bus.call_sync(APP_ID, '/dev/crier/Crier', 'org.gtk.Actions', 'Activate',
                  GLib.Variant('(sava{sv})', ('quit', [], {})), None, Gio.DBusCallFlags.NONE, 10000, None)
except GLib.Error as error:
    if 'NoReply' not in error.message:  # it may leave before it answers
        fail('app.quit: ' + error.message)
try:
    status = first.wait(timeout=60)
except subprocess.TimeoutExpired:
    fail('the first crier did not quit')
if status != 0:
    fail('the first crier exited with %d' % status)

print('ok: a second crier raised the first window and exited with 0 in %.2f s' % took)
