#!/bin/sh
# Fetches a source tarball once and unpacks it: examples/fetch-source.sh URL SHA256 DIR TREE
# downloads URL into DIR (kept for the next build), checks its SHA-256 and unpacks it there,
# unless DIR/TREE (the tree the tarball holds) already exists. The example build scripts use it
# for the upstream tarballs of Debian's source packages, from deb.debian.org.
set -eu
URL=$1
SHA256=$2
DIR=$3
TREE=$4
[ -d "$DIR/$TREE" ] && exit 0
FILE=$DIR/$(basename "$URL")
if [ ! -f "$FILE" ]; then
	curl -fsS -o "$FILE.part" "$URL"
	mv "$FILE.part" "$FILE"
fi
echo "$SHA256  $FILE" | sha256sum -c --quiet -
tar -C "$DIR" -xzf "$FILE"
