#!/bin/sh
# CPython 3.11.2, the Python interpreter (the upstream tarball of Debian bookworm's source
# package), built by its own configure script and Makefile as a static musl program, its
# standard extension modules built in (MODULE_BUILDTYPE=static and the Setup.stdlib list in
# Modules/Setup.local, without those that need libraries musl's system lacks: zlib, lzma,
# bzip2, uuid, nis; and without the test modules). Then `python` is linked again as a kvm, a
# xen and a linuxu unikernel with nothing changed but the linker (gcc's COMPILER_PATH, so make
# relinks instead of rebuilding). The standard library goes into WORK_DIR/root/usr/lib/python3.11
# (without its tests, IDLE, tkinter and lib2to3), an initrd for the unikernels.
#
#   examples/python/build.sh [WORK_DIR]                                # default: target/python
#   PYTHONHOME=WORK_DIR/root/usr WORK_DIR/python.linux examples/python/rootfs/test.py   # Linux
#   cp examples/python/rootfs/test.py WORK_DIR/root/ &&
#   ukl run WORK_DIR/python.kvm --initrd WORK_DIR/root -m 256M -- /test.py               # unikernel
#
# Debian's gcc answers `--print-multiarch` with glibc's triplet even through musl-gcc, which
# CPython's configure refuses: the build's compiler is a two-line wrapper that answers
# x86_64-linux-musl. UKL_LD_DIR overrides the directory holding `ld` (default tools/ld, a link
# to target/release/ukl). The tarball is fetched once from deb.debian.org into WORK_DIR and
# checked against its SHA-256, or taken from PYTHON_SRC (an unpacked Python-3.11.2 tree).
set -eu
HOME_DIR=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-$HOME_DIR/target/python}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
TARBALL=python3.11_3.11.2.orig.tar.gz
SHA256=2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849
if [ -z "${PYTHON_SRC:-}" ]; then
	PYTHON_SRC=$WORK/Python-3.11.2
	"$HOME_DIR/examples/fetch-source.sh" "http://deb.debian.org/debian/pool/main/p/python3.11/$TARBALL" "$SHA256" "$WORK" Python-3.11.2
fi
LD_DIR=${UKL_LD_DIR:-$HOME_DIR/tools/ld}
export UKL_HOME="$HOME_DIR"
unset UKL_PLAT
CC_WRAPPER=$WORK/musl-cc
printf '#!/bin/sh\ncase "$1" in --print-multiarch) echo x86_64-linux-musl; exit 0;; esac\nexec musl-gcc "$@"\n' > "$CC_WRAPPER"
chmod +x "$CC_WRAPPER"
rm -rf "$WORK/build"
cp -r "$PYTHON_SRC" "$WORK/build"
cd "$WORK/build"
MODULE_BUILDTYPE=static CC="$CC_WRAPPER" LDFLAGS=-static \
	./configure --disable-shared --without-ensurepip --prefix=/usr >/dev/null
# The built-in modules: Setup.stdlib's static part, less those without their libraries.
sed -n '/^\*shared\*/q;p' Modules/Setup.stdlib |
	sed -E 's/^(zlib|_lzma|_bz2|nis|_uuid|_xxsubinterpreters|_xxtestfuzz|_test[a-z]*) /#\1 /' \
		> Modules/Setup.local
set -- MODULE_BINASCII_CFLAGS= MODULE_BINASCII_LDFLAGS= MODULE_ZLIB_LDFLAGS= \
	MODULE__LZMA_LDFLAGS= MODULE__BZ2_LDFLAGS= MODULE__UUID_LDFLAGS= MODULE_NIS_LDFLAGS=
JOBS=$(nproc 2>/dev/null || echo 2)
make -s -j"$JOBS" python "$@" >/dev/null 2>&1 || make -j1 python "$@" >&2
cp python "$WORK/python.linux"
# The unikernels: the same objects, the same make command, ukl as the linker.
for platform in kvm xen linuxu; do
	rm -f python
	COMPILER_PATH="$LD_DIR" UKL_PLAT=$platform make -s python "$@" >/dev/null
	cp python "$WORK/python.$platform"
done
# The standard library, as /usr/lib/python3.11 of the guests' file system.
rm -rf "$WORK/root"
mkdir -p "$WORK/root/usr/lib"
cp -r Lib "$WORK/root/usr/lib/python3.11"
(cd "$WORK/root/usr/lib/python3.11" &&
	rm -rf test idlelib tkinter lib2to3 ensurepip turtledemo pydoc_data &&
	find . -name __pycache__ -type d -prune -exec rm -rf {} + &&
	mkdir -p lib-dynload)
echo "built $WORK/python.{linux,kvm,xen,linuxu} and $WORK/root"
