#!/bin/sh
# Fetches the face recognition weights that internal/evidence/face/facenet
# ports, from the npm package @vladmandic/face-api, and extracts them into
# models/face-api/. Every file is checked against a pinned SHA-256 so that a
# changed or substituted package fails here instead of shifting descriptors.
#
# Usage: scripts/fetch-face-models.sh   (from anywhere; needs npm, tar, sha256sum, openssl)
set -eu

PKG='@vladmandic/face-api'
VERSION='1.7.15'
TARBALL='vladmandic-face-api-1.7.15.tgz'
TARBALL_SHA256='0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031'
# The registry's Subresource Integrity string for the tarball (sha512, base64).
TARBALL_INTEGRITY='sha512-WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw=='

# path inside the tarball, then its SHA-256.
FILES='package/model/face_recognition_model-weights_manifest.json cbaffa501b0b9275a12b63357a6843e7e30c054e1c9151e1a5f879b26e32986b
package/model/face_recognition_model.bin b413e420d6840b2775fba32008db6f3cddb07d485967fb42cfcf379c16a8c589
package/LICENSE 9a3442b79acaf4fbc7c2e07b7e2d8f84af9bb3871bf08a69d80304ab00640e9a'

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/models/face-api"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() { echo "fetch-face-models: $*" >&2; exit 1; }

for tool in npm tar sha256sum openssl; do
	command -v "$tool" >/dev/null 2>&1 || fail "$tool is required"
done

(cd "$tmp" && npm pack --silent "$PKG@$VERSION" >/dev/null) || fail "npm pack $PKG@$VERSION failed"
[ -f "$tmp/$TARBALL" ] || fail "npm pack did not produce $TARBALL"

got=$(sha256sum "$tmp/$TARBALL" | cut -d' ' -f1)
[ "$got" = "$TARBALL_SHA256" ] || fail "$TARBALL: sha256 $got, want $TARBALL_SHA256"
got="sha512-$(openssl dgst -sha512 -binary "$tmp/$TARBALL" | openssl base64 -A)"
[ "$got" = "$TARBALL_INTEGRITY" ] || fail "$TARBALL: integrity $got, want $TARBALL_INTEGRITY"

mkdir -p "$tmp/x"
echo "$FILES" | while read -r path sum; do
	tar -xzf "$tmp/$TARBALL" -C "$tmp/x" "$path" || fail "$path missing from $TARBALL"
	got=$(sha256sum "$tmp/x/$path" | cut -d' ' -f1)
	[ "$got" = "$sum" ] || fail "$path: sha256 $got, want $sum"
done

mkdir -p "$dest"
cp "$tmp/x/package/model/face_recognition_model-weights_manifest.json" "$dest/"
cp "$tmp/x/package/model/face_recognition_model.bin" "$dest/"
cp "$tmp/x/package/LICENSE" "$dest/LICENSE"
echo "fetch-face-models: $PKG@$VERSION checked; weights in $dest"
