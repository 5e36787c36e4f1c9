#!/usr/bin/env bash
# Installs Chromium on Debian/Ubuntu for the dashboard's browser tests
# (test/ui/*.browser.test.ts drive it with playwright-core, which brings no
# browser of its own). Idempotent: nothing to do when `chromium` or
# `chromium-headless-shell` is already on PATH.
set -euo pipefail

for browser in chromium chromium-headless-shell; do
  if command -v "$browser" >/dev/null 2>&1; then
    echo "install-browser: $browser is at $(command -v "$browser")"
    exit 0
  fi
done

echo "install-browser: installing Debian's chromium"
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
command -v chromium >/dev/null 2>&1 || { echo "install-browser: chromium is not on PATH after apt-get install" >&2; exit 1; }
echo "install-browser: chromium is at $(command -v chromium)"
