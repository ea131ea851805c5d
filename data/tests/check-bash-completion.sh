#!/bin/bash
# The bash completion completes subcommands, options and files.
# Usage: check-bash-completion.sh crier.bash-completion DIR-WITH-FILES
set -u
bc=/usr/share/bash-completion/bash_completion
if [ ! -r "$bc" ]; then
  echo "bash-completion not installed: skipped"
  exit 77
fi
. "$bc"
. "$1"
cd "$2" || exit 1
status=0
expect() # expect "WANTED WORD" WORD...: completing the last word offers WANTED WORD
{
  local want=$1
  shift
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="${COMP_WORDS[*]}"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _crier crier "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  local w
  for w in $want; do
    if [[ " ${COMPREPLY[*]} " != *" $w "* ]]; then
      echo "FAIL: '$*' offers '${COMPREPLY[*]}', not $w"
      status=1
    fi
  done
  echo "ok: '$*' -> ${COMPREPLY[*]}"
}
expect "send tail" crier ""
expect "--server" crier --se
expect "--metrics-port --log-format --tls-cert --cluster-redis --reuse-port" crier --server --
expect "text json" crier --server --log-format ""
expect "crier.1" crier --server --config crier.
expect "crier.1" crier --server -c crier.
expect "crier.1" crier --tls-cert crier.
expect "crier.1" crier --server --tls-key crier.
expect "event notification" crier send ""
expect "--channel --event --socket-id --host --data --insecure" crier send event --
expect "--user --type --model --secret" crier send notification --
expect "http https" crier send event --scheme ""
expect "--until --timeout --channel --kind --json --secret" crier tail --
expect "event_published auth_failed" crier tail --until ""
expect "subscribed" crier tail --kind sub
exit $status
