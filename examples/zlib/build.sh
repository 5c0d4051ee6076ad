#!/bin/sh
# A second real C program with its own build system: zlib 1.2.13 (Debian's source package),
# configured and built by its own `configure` and Makefile, once as a static Linux program and
# once as a kvm unikernel. The only difference is the linker: `-B tools/ld` (ukl) and
# UKL_PLAT=kvm when linking.
#
#   examples/zlib/build.sh [WORK_DIR]      # default: target/zlib
#   cd WORK_DIR/run && ../linux/example    # Linux
#   ukl run WORK_DIR/kvm/example           # unikernel (writes foo.gz in its RAM filesystem)
#
# UKL_LD_DIR overrides the directory holding `ld` (default tools/ld, a link to target/release/ukl).
# The source is fetched once with `apt-get source` into WORK_DIR (an isolated apt state there:
# nothing on the system changes), or taken from ZLIB_SRC (an unpacked zlib-1.2.13 tree).
set -eu
HOME_DIR=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-$HOME_DIR/target/zlib}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
if [ -z "${ZLIB_SRC:-}" ]; then
	ZLIB_SRC=$WORK/zlib-1.2.13.dfsg
	if [ ! -d "$ZLIB_SRC" ]; then
		mkdir -p "$WORK/apt/lists/partial"
		echo "deb-src http://deb.debian.org/debian bookworm main" > "$WORK/apt/sources.list"
		APT="-o Dir::Etc::SourceList=$WORK/apt/sources.list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$WORK/apt/lists"
		# shellcheck disable=SC2086
		apt-get -qq $APT update
		# shellcheck disable=SC2086
		(cd "$WORK" && apt-get -qq $APT source --download-only zlib=1:1.2.13.dfsg-1 2>/dev/null)
		tar -C "$WORK" -xjf "$WORK/zlib_1.2.13.dfsg.orig.tar.bz2"
	fi
fi
export UKL_HOME="$HOME_DIR"
unset UKL_PLAT
for variant in linux kvm; do
	rm -rf "${WORK:?}/$variant"
	cp -r "$ZLIB_SRC" "$WORK/$variant"
done
# Linux: the project's own build, nothing changed.
(cd "$WORK/linux" && CC=musl-gcc LDFLAGS=-static ./configure --static >/dev/null && make -s example)
# Unikernel: the same build with ukl as the linker; configure's test links are ordinary static
# links (UKL_PLAT unset), the final link is a unikernel.
(cd "$WORK/kvm" && CC=musl-gcc LDFLAGS="-static -B ${UKL_LD_DIR:-$HOME_DIR/tools/ld}" ./configure --static >/dev/null \
	&& UKL_PLAT=kvm make -s example)
mkdir -p "$WORK/run"
echo "built $WORK/linux/example and $WORK/kvm/example"
