#!/bin/sh
# nginx 1.22.1, the web server (the upstream tarball of Debian bookworm's source package),
# built by its own configure script and Makefile: once as a static Linux program (GNU ld),
# then linked again as a kvm unikernel with nothing changed but the linker (swapped through
# gcc's COMPILER_PATH, so make relinks instead of rebuilding).
#
#   examples/nginx/build.sh [WORK_DIR]          # default: target/nginx
#   WORK_DIR/nginx.linux -p "$PWD/examples/nginx/rootfs/nginx/"      # Linux
#   ukl run WORK_DIR/nginx.kvm --initrd examples/nginx/rootfs \
#       --net user,hostfwd=tcp:127.0.0.1:8080-:80                  # unikernel; curl localhost:8080
#
# Debian's musl-dev has no crypt() (nginx uses it only for auth_basic): the build gets a
# <crypt.h> and a libcrypt.a whose crypt() fails with ENOSYS. Without PCRE and zlib for musl,
# the rewrite and gzip modules are left out. UKL_LD_DIR overrides the directory holding `ld`
# (default tools/ld, a link to target/release/ukl). The tarball is fetched once from
# deb.debian.org into WORK_DIR and checked against its SHA-256, or taken from NGINX_SRC.
set -eu
HOME_DIR=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-$HOME_DIR/target/nginx}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
TARBALL=nginx_1.22.1.orig.tar.gz
SHA256=9ebb333a9e82b952acd3e2b4aeb1d4ff6406f72491bab6cd9fe69f0dea737f31
if [ -z "${NGINX_SRC:-}" ]; then
	NGINX_SRC=$WORK/nginx-1.22.1
	"$HOME_DIR/examples/fetch-source.sh" "http://deb.debian.org/debian/pool/main/n/nginx/$TARBALL" "$SHA256" "$WORK" nginx-1.22.1
fi
LD_DIR=${UKL_LD_DIR:-$HOME_DIR/tools/ld}
export UKL_HOME="$HOME_DIR"
unset UKL_PLAT
SHIM=$WORK/crypt
mkdir -p "$SHIM"
printf '#include <unistd.h>\n' > "$SHIM/crypt.h"
cat > "$SHIM/crypt.c" <<'C'
#include <errno.h>
#include <stddef.h>
char *crypt(const char *key, const char *salt)
{
	(void)key;
	(void)salt;
	errno = ENOSYS;
	return NULL;
}
C
musl-gcc -O2 -c -o "$SHIM/crypt.o" "$SHIM/crypt.c"
ar rcs "$SHIM/libcrypt.a" "$SHIM/crypt.o"
rm -rf "$WORK/build"
cp -r "$NGINX_SRC" "$WORK/build"
JOBS=$(nproc 2>/dev/null || echo 2)
cd "$WORK/build"
./configure --prefix=/nginx/ --with-cc=musl-gcc --with-cc-opt="-I$SHIM" \
	--with-ld-opt="-static -L$SHIM -lcrypt" \
	--without-pcre --without-http_rewrite_module --without-http_gzip_module >/dev/null
make -s -j"$JOBS" >/dev/null
cp objs/nginx "$WORK/nginx.linux"
# The unikernel: the same objects, the same make command, ukl as the linker.
rm objs/nginx
COMPILER_PATH="$LD_DIR" UKL_PLAT=kvm make -s >/dev/null
cp objs/nginx "$WORK/nginx.kvm"
echo "built $WORK/nginx.linux and $WORK/nginx.kvm"
