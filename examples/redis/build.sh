#!/bin/sh
# Redis 7.0.15, the key-value server (the upstream tarball of Debian bookworm's source package),
# built by its own Makefile: once as static Linux programs (redis-server and the redis-cli
# client, GNU ld), then redis-server is linked again as a kvm unikernel with nothing changed
# but the linker. The linker is swapped through gcc's COMPILER_PATH, so the build's own
# variables stay the same and make relinks instead of rebuilding.
#
#   examples/redis/build.sh [WORK_DIR]          # default: target/redis
#   WORK_DIR/redis-server.linux                 # Linux
#   ukl run WORK_DIR/redis-server.kvm --initrd examples/redis/rootfs \
#       --net user,hostfwd=tcp:127.0.0.1:6379-:6379 -- /redis.conf
#   WORK_DIR/redis-cli ping
#
# UKL_LD_DIR overrides the directory holding `ld` (default tools/ld, a link to target/release/ukl).
# The tarball is fetched once from deb.debian.org into WORK_DIR and checked against its
# SHA-256, or taken from REDIS_SRC (an unpacked redis-7.0.15 tree).
set -eu
HOME_DIR=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-$HOME_DIR/target/redis}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
TARBALL=redis_7.0.15.orig.tar.gz
SHA256=4b1dc4ee6d622a09fff9c6777191209750fb5e5a725ef78ea012d6eef4c22982
if [ -z "${REDIS_SRC:-}" ]; then
	REDIS_SRC=$WORK/redis-7.0.15
	"$HOME_DIR/examples/fetch-source.sh" "http://deb.debian.org/debian/pool/main/r/redis/$TARBALL" "$SHA256" "$WORK" redis-7.0.15
fi
LD_DIR=${UKL_LD_DIR:-$HOME_DIR/tools/ld}
export UKL_HOME="$HOME_DIR"
unset UKL_PLAT
rm -rf "$WORK/build"
cp -r "$REDIS_SRC" "$WORK/build"
# Redis's own build: musl's static libc, its bundled Lua, hiredis and friends; the C library's
# allocator instead of the bundled jemalloc (as on any platform without it), no systemd, no TLS.
set -- CC=musl-gcc MALLOC=libc USE_SYSTEMD=no BUILD_TLS=no LDFLAGS=-static
JOBS=$(nproc 2>/dev/null || echo 2)
(cd "$WORK/build/src" && make -s -j"$JOBS" "$@" redis-server redis-cli >/dev/null)
cp "$WORK/build/src/redis-server" "$WORK/redis-server.linux"
cp "$WORK/build/src/redis-cli" "$WORK/redis-cli"
# The unikernel: the same objects, the same make command, ukl as the linker.
rm "$WORK/build/src/redis-server"
(cd "$WORK/build/src" && COMPILER_PATH="$LD_DIR" UKL_PLAT=kvm make -s "$@" redis-server >/dev/null)
cp "$WORK/build/src/redis-server" "$WORK/redis-server.kvm"
echo "built $WORK/redis-server.linux, $WORK/redis-server.kvm and $WORK/redis-cli"
