#!/usr/bin/env bash
# Installs what Deskhand needs on a Debian host, skipping what is already there:
# the system packages (browser, X server, window manager, input and window tools, VNC server,
# OCR with its English data, an editor and a calculator for the evaluation, fonts, a compiler for
# better-sqlite3), the npm packages, and the build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(chromium xvfb xdotool x11-utils x11-apps xclip scrot openbox xterm fonts-dejavu-core
  wmctrl x11vnc tesseract-ocr tesseract-ocr-eng mousepad galculator nano libffi-dev python3 make
  g++)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_prefix=""
  [ "$(id -u)" -eq 0 ] || sudo_prefix="sudo"
  log=$(mktemp)
  if ! { $sudo_prefix apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_prefix \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    exit 1
  fi
  rm -f "$log"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund
fi

npm run --silent build
