#!/bin/sh
# Every file under src/ with translatable strings is listed in po/POTFILES.in, every listed
# file exists, and the list is sorted without duplicates.
# Usage: check-potfiles.sh SOURCE_ROOT
set -u
cd "$1" || exit 1
status=0
list=po/POTFILES.in
entries=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list")

if ! printf '%s\n' "$entries" | LC_ALL=C sort -c -u 2>/dev/null; then
  echo "$list is not sorted (LC_ALL=C sort -u) or has duplicates" >&2
  status=1
fi
for f in $entries; do
  [ -f "$f" ] || { echo "$list lists $f, which does not exist" >&2; status=1; }
done
# _(), N_(), C_(), NC_(), the g_d*gettext family and ngettext in C; translatable="yes" in .ui
pattern='(^|[^A-Za-z0-9_])(N?C?_|g_dngettext|g_dpgettext2?|g_dcgettext|ngettext|dngettext)[[:space:]]*\('
found=$(grep -rlE --include='*.c' --include='*.h' --include='*.ui' \
          -e "$pattern" -e 'translatable="yes"' src | LC_ALL=C sort)
for f in $found; do
  if ! printf '%s\n' "$entries" | grep -qxF "$f"; then
    echo "$f has translatable strings but is missing from $list" >&2
    status=1
  fi
done
[ $status -eq 0 ] && echo "$list lists all $(printf '%s\n' "$found" | wc -l) files under src/ with translatable strings"
exit $status
