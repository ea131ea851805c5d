#!/bin/sh
# e2e-attach.sh — the real window attached to a second `crier --server` process, with a
# real laravel-echo client of that second server, driven through AT-SPI (#15 item 5).
# Run under tests/gui-run (its own Xvfb and session bus). Exit 77: skipped.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${CRIER_BIN:?CRIER_BIN must point to the crier binary}"
NODE_PATH=${NODE_PATH:-$here/../interop/node_modules}
export NODE_PATH
if ! command -v node >/dev/null || [ ! -d "$NODE_PATH/laravel-echo" ] || [ ! -d "$NODE_PATH/pusher-js" ]; then
  echo "SKIP: node or tests/interop/node_modules missing"; exit 77
fi
if ! /usr/bin/python3 -c 'import gi; gi.require_version("Atspi", "2.0")' 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 with gi Atspi missing"; exit 77
fi

tmp=${GUI_RUN_TMPDIR:-$(mktemp -d)}
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() { # port pid log
  i=0
  until /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 150 ] || ! kill -0 "$2" 2>/dev/null; then
      echo "crier did not start listening on $1"; cat "$3"; exit 1
    fi
    sleep 0.1
  done
}
window_port=$(free_port)
remote_port=$(free_port)
# The same app on both: the Echo client (e2e-client.mjs) knows only this one.
for which in window remote; do
  eval "port=\$${which}_port"
  cat > "$tmp/$which.conf" <<CONF
[server]
host=127.0.0.1
port=$port

[app:e2e-app]
key=e2e-key
secret=e2e-secret
client-events=true
CONF
done

# A private config and data dir each: nothing of the user's is read or written.
XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data-window "$CRIER_BIN" --config "$tmp/window.conf" >"$tmp/window.log" 2>&1 &
window=$!
XDG_DATA_HOME=$tmp/data-remote "$CRIER_BIN" --server --config "$tmp/remote.conf" >"$tmp/remote.log" 2>&1 &
remote=$!
wait_port "$window_port" $window "$tmp/window.log"
wait_port "$remote_port" $remote "$tmp/remote.log"
node "$here/e2e-client.mjs" "$remote_port" >"$tmp/client.log" 2>&1 &
client=$!

status=0
# The driver restarts the remote server (killed, then started again on its port) and
# writes the new one's pid to remote.pid.
/usr/bin/python3 "$here/e2e-attach-driver.py" "$tmp/client.log" "$window_port" "$remote_port" \
  "$remote" "$CRIER_BIN" "$tmp/remote.conf" "$tmp/remote.pid" "$tmp/remote2.log" || status=$?
[ -s "$tmp/remote.pid" ] && remote="$remote $(cat "$tmp/remote.pid")"
if [ $status -ne 0 ]; then
  echo "--- client"; cat "$tmp/client.log"; echo "--- window"; cat "$tmp/window.log"; echo "--- remote"; cat "$tmp/remote.log"; cat "$tmp/remote2.log" 2>/dev/null || true
fi
kill $client $window $remote 2>/dev/null || true
exit $status
