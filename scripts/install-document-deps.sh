#!/usr/bin/env bash
# Installs the Debian tools the document evidence runs as separate processes:
# zxing-cpp-tools (ZXingReader decodes PDF417 barcodes on AAMVA driver
# licences; ZXingWriter is used by tests) and libopenjp2-tools
# (opj_decompress decodes JPEG 2000 face images from passport DG2).
# Idempotent; run as root (CI and the dev machines are).
set -euo pipefail
pkgs=(zxing-cpp-tools libopenjp2-tools)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
command -v ZXingReader >/dev/null && echo "ZXingReader: $(command -v ZXingReader)"
command -v opj_decompress >/dev/null && opj_decompress -h 2>&1 | grep -m1 -i "opj_decompress\|version" || true
