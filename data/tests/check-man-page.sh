#!/bin/sh
# crier.1 renders without groff warnings and documents every option of crier --server and
# crier send. Usage: check-man-page.sh crier.1
set -eu
if ! command -v groff >/dev/null; then
  echo "groff not installed: skipped"
  exit 77
fi
warnings=$(groff -man -ww -z "$1" 2>&1)
if [ -n "$warnings" ]; then
  echo "$warnings" >&2
  exit 1
fi
text=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -P-c -P-b -P-u "$1" 2>/dev/null)
status=0
for option in --server --host --port --config --tls-cert --tls-key --metrics-port --verbose \
  --log-format --version --scheme --insecure --app-id --key --secret --channel --event \
  --socket-id --user --type --model --data PUSHER_APP_ID PUSHER_APP_KEY PUSHER_APP_SECRET \
  PUSHER_HOST PUSHER_PORT PUSHER_SCHEME SIGTERM SIGINT "EXIT STATUS" "crier send event" \
  "crier send notification"; do
  if ! printf '%s\n' "$text" | grep -q -e "$option"; then
    echo "crier.1 does not mention $option" >&2
    status=1
  fi
done
exit $status
