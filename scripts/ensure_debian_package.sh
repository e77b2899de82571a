#!/usr/bin/env bash
# Make sure a program from a Debian package is installed: install the package with apt-get when it is missing
# and we are root, fail loudly otherwise. Usage: ensure_debian_package.sh PROGRAM PACKAGE [WHO-NEEDS-IT]
# (PROGRAM is a path or a name on PATH). No browser or binary download works here; Debian's packages do.
set -euo pipefail
PROGRAM=$1
PACKAGE=$2
WHO=${3:-make}
found() { [ -x "$PROGRAM" ] || command -v "$PROGRAM" >/dev/null 2>&1; }
if found; then
  echo "$WHO: $PROGRAM found."
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "$WHO: installing Debian's '$PACKAGE' package with apt-get..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$PACKAGE" >/dev/null
  found && exit 0
fi
echo "$WHO: $PROGRAM is missing; install Debian's '$PACKAGE' package." >&2
exit 1
