#!/bin/sh
# Every file under src/ with translatable strings is listed in po/POTFILES.in, every listed
# file exists, and the list is sorted without duplicates; no translatable string hides where
# xgettext cannot read it (CDATA in a .ui, a G_GUINT64_FORMAT inside _()).
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
# _(), N_(), C_(), NC_(), the g_d*gettext family and ngettext in C; translatable="yes" (or
# "true", "1": GtkBuilder and xgettext take all three) in .ui
pattern='(^|[^A-Za-z0-9_])(N?C?_|g_dngettext|g_dpgettext2?|g_dcgettext|ngettext|dngettext)[[:space:]]*\('
found=$(grep -rlE --include='*.c' --include='*.h' --include='*.ui' \
          -e "$pattern" -e 'translatable="(yes|true|1)"' src | LC_ALL=C sort)
for f in $found; do
  if ! printf '%s\n' "$entries" | grep -qxF "$f"; then
    echo "$f has translatable strings but is missing from $list" >&2
    status=1
  fi
done
# xgettext reads neither into CDATA (GtkBuilderListItemFactory "bytes") nor through a macro in
# the middle of a string: such a string is never translated, though it looks marked.
cdata=$(find src -name '*.ui' -exec awk '/<!\[CDATA\[/ { in_cdata = 1 }
  in_cdata && /translatable="(yes|true|1)"/ { print FILENAME ":" FNR }
  /\]\]>/ { in_cdata = 0 }' {} + | LC_ALL=C sort)
for hit in $cdata; do
  echo "$hit: a translatable string inside CDATA, where xgettext cannot see it; move the template into a file of its own (a factory's \"resource\")" >&2
  status=1
done
macro=$(grep -rnE --include='*.c' "$pattern[^;]*\"[[:space:]]*(G_G[A-Z0-9]*_(FORMAT|MODIFIER)|PRI[a-zA-Z0-9]+)[[:space:]]*\"" src |
        LC_ALL=C sort)
if [ -n "$macro" ]; then
  printf '%s\n' "$macro" >&2
  echo "a format macro inside a translatable string: xgettext drops everything after it; print the number with a plain format (%llu and a cast)" >&2
  status=1
fi
[ $status -eq 0 ] && echo "$list lists all $(printf '%s\n' "$found" | wc -l) files under src/ with translatable strings"
exit $status
