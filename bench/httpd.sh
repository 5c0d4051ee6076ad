#!/usr/bin/env bash
# Benchmark: examples/httpd as a ukl unikernel (QEMU, user networking, a forwarded port) and the
# same source built as a native Linux program, under the same wrk load on loopback, in one run;
# then the image size beside Unikraft's nginx (EuroSys'21 artifacts).
#
#   bench/httpd.sh                    # QEMU TCG
#   ACCEL=kvm WRK="-t1 -c8 -d10s" PAGE=/hello.txt bench/httpd.sh
# (ACCEL=kvm did not get past QEMU's start on this nested-virtualization machine: not checked.)
#
# Numbers depend on the machine (2 shared cores here) and on QEMU's user networking (slirp),
# which copies every packet through the host's socket layer: they compare the two builds on
# this machine, not with published figures.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WRK=${WRK:-"-t1 -c8 -d10s"}
PAGE=${PAGE:-/hello.txt}
ACCEL=${ACCEL:-tcg}
OUT=$(mktemp -d)
cleanup() {
  [ -n "${GUEST:-}" ] && kill -- -"$GUEST" 2>/dev/null || true
  [ -n "${NATIVE:-}" ] && kill "$NATIVE" 2>/dev/null || true
  rm -rf "$OUT"
}
trap cleanup EXIT

# shellcheck source=bench/http-lib.sh
. "$ROOT/bench/http-lib.sh"
rps() { awk '/Requests\/sec/ { print $2 }'; }

cargo build --release -q -p ukl
UKL=$ROOT/target/release/ukl
make -s -C examples/httpd main.o native
$UKL link examples/httpd/main.o --plat kvm -o "$OUT/httpd.kvm" 2>/dev/null
$UKL link examples/httpd/main.o --plat kvm --strip -o "$OUT/httpd-stripped.kvm" 2>/dev/null

# The unikernel.
PORT=$(free_port)
KVM_FLAG=()
[ "$ACCEL" = kvm ] && KVM_FLAG=(--kvm)
setsid "$UKL" run "$OUT/httpd.kvm" -m 64M --timeout 3600 "${KVM_FLAG[@]}" \
  --net "user,hostfwd=tcp:127.0.0.1:$PORT-:80" >"$OUT/guest.log" 2>&1 &
GUEST=$!
wait_http "http://127.0.0.1:$PORT$PAGE"
# shellcheck disable=SC2086
UKL_REPORT=$(wrk $WRK "http://127.0.0.1:$PORT$PAGE")
curl -s -m 10 -o /dev/null "http://127.0.0.1:$PORT/quit" || true
kill -- -"$GUEST" 2>/dev/null || true
GUEST=

# The same server on Linux.
NPORT=$(free_port)
examples/httpd/httpd-linux "$NPORT" >"$OUT/native.log" 2>&1 &
NATIVE=$!
wait_http "http://127.0.0.1:$NPORT$PAGE"
# shellcheck disable=SC2086
NATIVE_REPORT=$(wrk $WRK "http://127.0.0.1:$NPORT$PAGE")
kill "$NATIVE" 2>/dev/null || true
NATIVE=

size() { stat -c %s "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1e6 }'; }
echo "== httpd under wrk $WRK on $PAGE"
echo "$UKL_REPORT" | grep -E "requests in|Socket errors|Non-2xx" | sed 's/^/  ukl:    /'
echo "$NATIVE_REPORT" | grep -E "requests in|Socket errors|Non-2xx" | sed 's/^/  linux:  /'
printf "  %-44s %10s req/s\n" "ukl unikernel (QEMU $ACCEL, virtio-net, slirp)" "$(echo "$UKL_REPORT" | rps)"
printf "  %-44s %10s req/s\n" "native Linux process (gcc -O2, loopback)" "$(echo "$NATIVE_REPORT" | rps)"
echo "== image size"
printf "  %-44s %s (%s bytes)\n" "ukl httpd (gc of unreferenced sections)" "$(mb "$(size "$OUT/httpd.kvm")")" "$(size "$OUT/httpd.kvm")"
printf "  %-44s %s (%s bytes)\n" "ukl httpd, stripped" "$(mb "$(size "$OUT/httpd-stripped.kvm")")" "$(size "$OUT/httpd-stripped.kvm")"
printf "  %-44s %s\n" "Unikraft nginx (EuroSys'21)" "1.64 MB"
printf "  %-44s %s\n" "Unikraft nginx, dead-code elimination" "0.85 MB"
