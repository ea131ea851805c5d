#!/bin/bash
# meson install --destdir into a temporary directory: every file lands where it belongs, the
# installed tree validates (appstreamcli validate-tree), and the installed binary runs:
# `crier --version`, and `crier --server --port 0` starts, then stops with status 0 on SIGTERM.
# Usage: check-install.sh BUILD_ROOT PREFIX BINDIR VERSION gui|headless
set -u
build=$1 prefix=$2 bindir=$3 version=$4 flavour=$5
case $bindir in /*) ;; *) bindir=$prefix/$bindir ;; esac

tmp=$(mktemp -d)
pid=
cleanup()
{
  if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

dest=$tmp/dest
# Without --no-rebuild: `meson test` builds only what tests depend on, and the .mo files are
# not among them (an alias target cannot be a test dependency). This test runs alone.
meson install -C "$build" --quiet --destdir "$dest" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "meson install --destdir"; }
root=$dest$prefix
share=$root/share   # datadir is share/ in every layout we support
crier=$dest$bindir/crier

files=("$crier" "$share/man/man1/crier.1" "$share/bash-completion/completions/crier"
       "$root/lib/systemd/user/crier.service")
if [ "$flavour" = gui ]; then
  files+=("$share/applications/dev.crier.Crier.desktop"
          "$share/metainfo/dev.crier.Crier.metainfo.xml"
          "$share/icons/hicolor/scalable/apps/dev.crier.Crier.svg"
          "$share/icons/hicolor/symbolic/apps/dev.crier.Crier-symbolic.svg"
          "$share/glib-2.0/schemas/dev.crier.Crier.gschema.xml"
          "$share/dbus-1/services/dev.crier.Crier.service")
fi
while read -r lang; do
  [ -n "$lang" ] && files+=("$share/locale/$lang/LC_MESSAGES/crier.mo")
done < <(sed 's/#.*//' "$(dirname "$0")/../../po/LINGUAS")
for f in "${files[@]}"; do
  [ -f "$f" ] || fail "not installed: ${f#"$dest"}"
  echo "installed: ${f#"$dest"}"
done
[ -x "$crier" ] || fail "crier is not executable"

grep -qx "ExecStart=$bindir/crier --server" "$root/lib/systemd/user/crier.service" ||
  fail "crier.service does not start $bindir/crier --server"
if [ "$flavour" = gui ]; then
  grep -qx "Exec=$bindir/crier --gapplication-service" \
    "$share/dbus-1/services/dev.crier.Crier.service" ||
    fail "the D-Bus service does not run $bindir/crier --gapplication-service"
  grep -qx "Name=dev.crier.Crier" "$share/dbus-1/services/dev.crier.Crier.service" ||
    fail "the D-Bus service has the wrong Name"
fi

# The unit as systemd reads it, with ExecStart pointing into the destdir.
if command -v systemd-analyze >/dev/null; then
  sed "s|^ExecStart=$bindir/crier|ExecStart=$crier|" "$root/lib/systemd/user/crier.service" \
    >"$tmp/crier.service"
  out=$(systemd-analyze verify --man=no "$tmp/crier.service" 2>&1) && [ -z "$out" ] ||
    { echo "$out" >&2; fail "systemd-analyze verify crier.service"; }
  echo "systemd-analyze verify crier.service: ok"
fi

appstreamcli validate-tree --no-net "$root" || fail "appstreamcli validate-tree --no-net"

out=$("$crier" --version) || fail "crier --version exited with $?"
[ "$out" = "crier $version" ] || fail "crier --version printed '$out', not 'crier $version'"
echo "installed crier --version: $out"

# The headless server from the installed layout, on a port the kernel picks.
env -u DISPLAY -u WAYLAND_DISPLAY HOME="$tmp" XDG_DATA_HOME="$tmp/data" \
  XDG_CONFIG_HOME="$tmp/config" "$crier" --server --port 0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$tmp/out" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
grep -q "^Crier $version listening on ws://127.0.0.1:[1-9][0-9]* " "$tmp/out" ||
  { cat "$tmp/out" "$tmp/err" >&2; fail "crier --server --port 0 did not start"; }
head -n 1 "$tmp/out"
kill -TERM "$pid"
wait "$pid"
status=$?
pid=
[ "$status" -eq 0 ] || { cat "$tmp/err" >&2; fail "crier --server exited with $status on SIGTERM"; }
echo "crier --server stopped on SIGTERM with status 0"
