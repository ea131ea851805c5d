#!/bin/sh
# A translation compiles cleanly (msgfmt --check) and is complete: no untranslated and no
# fuzzy messages. Usage: check-po.sh LANG.po
set -eu
msgfmt --check -o /dev/null "$1"
stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$1" 2>&1)
echo "$1: $stats"
case $stats in
  *untranslated* | *fuzzy*) echo "$1 is incomplete; update it (meson compile crier-update-po) and translate" >&2
                            exit 1 ;;
esac
