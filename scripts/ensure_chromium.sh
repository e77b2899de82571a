#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (no browser download works here). Install it when missing and root.
set -euo pipefail
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  echo "make test: $("$CHROMIUM" --version 2>/dev/null || echo chromium) found at $CHROMIUM."
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "make test: installing Chromium with apt-get..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [ -x "$CHROMIUM" ] && exit 0
fi
echo "make test: Chromium is missing at $CHROMIUM; install Debian's 'chromium' package (or set CHROMIUM_PATH)." >&2
exit 1
