#!/bin/sh
# A translation compiles cleanly (msgfmt --check) and is complete for the sources as they
# are now, not only for the template it was last merged with: the template is extracted
# afresh from po/POTFILES.in into a temporary directory (the xgettext call of
# `meson compile crier-pot`, i18n.gettext's 'glib' preset), LANG.po is merged into it as
# `crier-update-po` would, and the result must have no untranslated and no fuzzy message.
# A string added or changed in the sources without a translation fails here.
# Usage: check-po.sh SOURCE_ROOT LANG
set -eu
src=$1 lang=$2
po=$src/po/$lang.po
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

msgfmt --check -o /dev/null "$po"

# Keep in step with po/meson.build and meson's PRESET_ARGS['glib'] (mesonbuild/modules/i18n.py)
# and scripts/gettext.py: the same template as crier-pot, written elsewhere.
xgettext --package-name=crier -f "$src/po/POTFILES.in" -D "$src" -k_ -o "$tmp/crier.pot" \
  --msgid-bugs-address=https://github.com/crier-dev/crier/issues \
  --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
  --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
  --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
  --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format \
  2>"$tmp/xgettext.log"
# xgettext's warnings are defects in the sources: a format string it cannot read (a
# G_GUINT64_FORMAT inside _() loses everything after the "%"), an empty msgid, …
status=0
if [ -s "$tmp/xgettext.log" ]; then
  cat "$tmp/xgettext.log" >&2
  echo "xgettext warns about the sources: fix the strings above" >&2
  status=1
fi
total=$(msgattrib --no-obsolete "$tmp/crier.pot" | grep -c '^msgid ' || true)

msgmerge --quiet -o "$tmp/$lang.po" "$po" "$tmp/crier.pot"
# The merged file carries the c-format flags of the fresh template: specifiers must match.
msgfmt --check -o /dev/null "$tmp/$lang.po"
stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$tmp/$lang.po" 2>&1)
echo "$lang.po against the $((total - 1)) messages the current sources produce: $stats"
case $stats in
  *untranslated* | *fuzzy*)
    echo "--- untranslated in $lang.po:" >&2
    msgattrib --untranslated --no-obsolete --no-wrap "$tmp/$lang.po" | grep '^msgid ' | tail -n +2 >&2 || true
    echo "--- fuzzy in $lang.po:" >&2
    msgattrib --only-fuzzy --no-obsolete --no-wrap "$tmp/$lang.po" | grep '^msgid ' | tail -n +2 >&2 || true
    echo "$lang.po is incomplete; update it (meson compile -C BUILDDIR crier-update-po) and translate" >&2
    status=1 ;;
esac
exit $status
