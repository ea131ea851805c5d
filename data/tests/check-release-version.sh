#!/bin/sh
# The newest <release> of the metainfo must be the version meson builds.
# Usage: check-release-version.sh METAINFO VERSION
set -eu
newest=$(xmllint --xpath 'string(/component/releases/release[1]/@version)' "$1")
if [ "$newest" != "$2" ]; then
  echo "newest release in $1 is '$newest', but meson.project_version() is '$2'" >&2
  exit 1
fi
echo "newest release $newest = project version"
