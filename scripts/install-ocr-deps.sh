#!/usr/bin/env bash
# Installs what internal/evidence/ocr needs from Debian: the Tesseract OCR
# engine with its English model (run by the server), and the OCR-B and
# DejaVu fonts (used by the tests to render specimen documents).
# Idempotent; run as root (CI and the dev machines are).
set -euo pipefail
pkgs=(tesseract-ocr tesseract-ocr-eng fonts-ocr-b fonts-dejavu-core)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
tesseract --version 2>&1 | head -1
