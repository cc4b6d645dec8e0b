#!/usr/bin/env bash
# The browser for the page tests (python/tests/test_report_browser.py), idempotent:
#   1. Debian's `chromium` package (/usr/bin/chromium), with apt-get, when missing.
#      Playwright's own browser download does not work on this kind of machine, so
#      the tests point Playwright at the system browser.
#   2. Playwright's Python package (the driver only) in .venv (made by
#      scripts/python-setup.sh first), and axe-playwright-python, which carries
#      axe-core (4.12.1) for the accessibility checks of the web app's pages.
# Needs root (or sudo) the first time, to install the package.
set -euo pipefail
cd "$(dirname "$0")/.."

PLAYWRIGHT=playwright==1.65.2
AXE=axe-playwright-python==0.1.8

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's chromium (headless page tests)"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "browser-setup: run as root, or install the chromium package" >&2; exit 1; }
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq chromium >/dev/null
fi
/usr/bin/chromium --version

echo "== $PLAYWRIGHT and $AXE in .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check "$PLAYWRIGHT" "$AXE"
