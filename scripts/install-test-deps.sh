#!/usr/bin/env bash
# Installs what the test suite needs: the package with its test extra, and Debian's chromium for the
# browser tests (as root, from Debian's packages; elsewhere it says what to do and the browser tests skip).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -e '.[test]'
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is not installed: run 'sudo apt-get install chromium' for the browser tests" >&2
  fi
fi
