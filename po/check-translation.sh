#!/bin/bash
# The installed crier speaks the user's language: `LC_ALL=C.UTF-8 LANGUAGE=de crier --help`
# (the window's options, parsed by GApplication) prints German, and likewise for
# --server --help, send --help and every language in LINGUAS.
# LOCALEDIR is compiled in, so this installs into a prefix of its own (a build directory
# under WORK, kept between runs so that reruns are incremental); --destdir would leave the
# .mo files where the binary never looks.
# Usage: check-translation.sh SOURCE_ROOT WORK
set -u
src=$1 work=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

prefix=$work/prefix
if [ ! -f "$work/build/build.ninja" ]; then
  rm -rf "$work"
  meson setup "$work/build" "$src" --prefix="$prefix" >"$work.log" 2>&1 ||
    { cat "$work.log" >&2; fail "meson setup"; }
fi
rm -rf "$prefix"
meson install -C "$work/build" --quiet >"$work.log" 2>&1 ||
  { cat "$work.log" >&2; fail "meson install into $prefix"; }
crier=$prefix/bin/crier
[ -x "$crier" ] || fail "$crier not installed"

status=0
# check LANG MSGID ARGS...: the translation of MSGID appears in the output of crier ARGS
check()
{
  local lang=$1 msgid=$2 want out
  shift 2
  want=$(TEXTDOMAINDIR=$prefix/share/locale LC_ALL=C.UTF-8 LANGUAGE=$lang \
         gettext -d crier -- "$msgid")
  if [ "$want" = "$msgid" ]; then
    echo "FAIL: $lang has no translation of '$msgid' in $prefix/share/locale" >&2
    status=1
    return
  fi
  out=$(env -u DISPLAY -u WAYLAND_DISPLAY -u LC_MESSAGES -u LANG LC_ALL=C.UTF-8 \
        LANGUAGE=$lang "$crier" "$@" 2>&1)
  if [[ $out != *"$want"* ]]; then
    echo "FAIL: LANGUAGE=$lang crier $* does not print '$want':" >&2
    echo "$out" >&2
    status=1
  else
    echo "ok: LANGUAGE=$lang crier $* prints '$want'"
  fi
}
# The window's --help points to the terminal front end (src/gui/crier-application.c).
gui_help="“crier --server” runs the server without a window; “crier --server --help” lists its options.
“crier send --help” shows how to fire test events and notifications from the terminal."
for lang in $(sed 's/#.*//' "$src/po/LINGUAS"); do
  check "$lang" "A Pusher-compatible WebSocket server with a live debug dashboard." --help
  check "$lang" "Read server and app settings from FILE" --help
  check "$lang" "$gui_help" --help
  check "$lang" "Print every connection, subscription and event as it happens" --server --help
  check "$lang" "Accept a self-signed TLS certificate" send --help
  check "$lang" "Sign and send a test event or a Laravel notification through the Pusher HTTP API." send --help
done
out=$(env LC_ALL=C.UTF-8 LANGUAGE=de "$crier" --server --port 70000 2>&1)
want=$(TEXTDOMAINDIR=$prefix/share/locale LC_ALL=C.UTF-8 LANGUAGE=de gettext -d crier -- \
       '--port must be between 0 and 65535, not “%s”' | sed 's/%s/70000/; s/^/crier: /')
if [ "$out" = "$want" ]; then
  echo "ok: LANGUAGE=de crier --server --port 70000 prints '$out'"
else
  echo "FAIL: German error '$out', expected '$want'" >&2
  status=1
fi
exit $status
