#!/usr/bin/env bash
# Builds Vigil's container image FROM scratch: one static binary (CGO_ENABLED=0,
# pure-Go SQLite), the CA bundle for HTTPS to identity providers, a non-root
# user 65532, /data for SQLite and /tmp. Time zone data is compiled into the
# binary (time/tzdata), the face model is embedded (models/face-api).
#
# Usage (from anywhere in the checkout):
#   deploy/container/build.sh [-t TAG]        build with docker (or $CONTAINER_CLI, e.g. podman)
#   deploy/container/build.sh --rootfs DIR    only write the image's filesystem to DIR
#                                             (for other builders, and for the tests)
# Environment: GOARCH (default the host's), VERSION (default git describe).
#
# The document step's tools (tesseract, ZXingReader, opj_decompress) are not
# in this image: see Containerfile.verifier-debian.
set -euo pipefail

tag=vigil:latest
rootfs_out=
while [ $# -gt 0 ]; do
  case "$1" in
    -t) tag="$2"; shift 2 ;;
    --rootfs) rootfs_out="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
done

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
ca=/etc/ssl/certs/ca-certificates.crt
if [ ! -s "$ca" ]; then
  echo "build.sh: $ca is missing; install Debian's ca-certificates (apt-get install ca-certificates)" >&2
  exit 1
fi
version="${VERSION:-$(git -C "$repo" describe --tags --always --dirty 2>/dev/null || echo dev)}"

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
root="$ctx/rootfs"
mkdir -p "$root/usr/local/bin" "$root/etc/ssl/certs" "$root/etc/vigil" "$root/tmp" "$ctx/data"
chmod 1777 "$root/tmp"
chmod 0700 "$ctx/data"

# -trimpath: no build machine paths in the binary; -s -w: no symbol tables
# (panics still print Go stack traces).
(cd "$repo" && CGO_ENABLED=0 GOOS=linux GOARCH="${GOARCH:-$(go env GOARCH)}" \
  go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$root/usr/local/bin/vigil" ./cmd/vigil)

install -m 0644 "$ca" "$root/etc/ssl/certs/ca-certificates.crt"
# Names for the numeric user, so that tools inside and outside show one.
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:vigil:/data:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
# Container runtimes mount their own /etc/hosts; this one serves where none
# does (a chroot, a bare runtime), so that localhost resolves without DNS.
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"
chmod 0644 "$root/etc/passwd" "$root/etc/group" "$root/etc/hosts"

if [ -n "$rootfs_out" ]; then
  mkdir -p "$rootfs_out"
  cp -a "$root/." "$rootfs_out/"
  mkdir -p "$rootfs_out/data" && chmod 0700 "$rootfs_out/data"
  # The image's COPY --chown gives /data to 65532; do the same when we can.
  if [ "$(id -u)" = 0 ]; then chown 65532:65532 "$rootfs_out/data"; fi
  echo "rootfs: $rootfs_out ($(du -sk "$rootfs_out" | cut -f1) KiB; binary $(du -k "$rootfs_out/usr/local/bin/vigil" | cut -f1) KiB)"
  exit 0
fi

cli="${CONTAINER_CLI:-docker}"
cp "$here/Containerfile" "$ctx/Containerfile"
"$cli" build --label "org.opencontainers.image.version=$version" -f "$ctx/Containerfile" -t "$tag" "$ctx"
"$cli" image inspect --format '{{.Size}}' "$tag" | awk -v t="$tag" '{printf "%s: %.1f MiB\n", t, $1/1048576}'
