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
  # Another apt-get (a second make, an unattended upgrade) may hold apt's locks: wait for them, up to 10
  # minutes. `install` waits by itself; `update` does not wait for the package lists' lock, so it is retried.
  WAIT=(-o DPkg::Lock::Timeout=600)
  for attempt in $(seq 60); do
    apt-get "${WAIT[@]}" update -qq && break
    [ "$attempt" = 60 ] && exit 1
    echo "$WHO: apt-get update failed (another apt-get running?); trying again in 10 s..." >&2
    sleep 10
  done
  DEBIAN_FRONTEND=noninteractive apt-get "${WAIT[@]}" install -y -qq "$PACKAGE" >/dev/null
  found && exit 0
fi
echo "$WHO: $PROGRAM is missing; install Debian's '$PACKAGE' package." >&2
exit 1
