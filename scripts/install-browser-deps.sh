#!/usr/bin/env bash
# Installs what the browser test of internal/verifier
# (TestBrowserVerificationFlow) needs from Debian: Chromium, driven headless
# by chromedp, with its fake camera playing a video made from a test face.
# Idempotent; run as root (CI and the dev machines are).
set -euo pipefail
pkgs=(chromium)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
# The Debian launcher script prints a harmless shell warning on some hosts;
# keep only the version line.
/usr/bin/chromium --version 2>/dev/null | head -1
