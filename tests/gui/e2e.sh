#!/bin/sh
# e2e.sh — the real window against a real laravel-echo client, driven through AT-SPI.
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
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$tmp/crier.conf" <<CONF
[server]
host=127.0.0.1
port=$port

[app:e2e-app]
key=e2e-key
secret=e2e-secret
CONF

# A private config dir: nothing of the user's is read or written.
XDG_CONFIG_HOME=$tmp/config "$CRIER_BIN" --config "$tmp/crier.conf" >"$tmp/crier.log" 2>&1 &
crier=$!
i=0
until /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; do
  i=$((i + 1))
  if [ $i -gt 150 ] || ! kill -0 $crier 2>/dev/null; then
    echo "crier did not start listening"; cat "$tmp/crier.log"; exit 1
  fi
  sleep 0.1
done
node "$here/e2e-client.mjs" "$port" >"$tmp/client.log" 2>&1 &
client=$!

status=0
/usr/bin/python3 "$here/e2e-driver.py" "$tmp/client.log" || status=$?
if [ $status -ne 0 ]; then
  echo "--- client"; cat "$tmp/client.log"; echo "--- crier"; cat "$tmp/crier.log"
fi
kill $client $crier 2>/dev/null || true
exit $status
