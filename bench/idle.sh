#!/usr/bin/env bash
# Benchmark: what an idle network server costs its host, and whether waking on interrupts costs
# throughput. For each ukl home given (default: this checkout), links examples/httpd for kvm,
# boots it under QEMU (TCG, user networking, a forwarded port), waits until it answers, then
# reads the host CPU time QEMU uses while httpd waits IDLE seconds for a connection
# (/proc/<qemu>/stat utime + stime), then runs wrk against it.
#
#   bench/idle.sh                          # this checkout
#   bench/idle.sh /tmp/old-home .          # before / after, in one run
#   IDLE=5 WRK="-t1 -c8 -d10s" bench/idle.sh
#   MACHINE=q35 bench/idle.sh              # virtio-pci instead of microvm's virtio-mmio
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
IDLE=${IDLE:-5}
WRK=${WRK:-"-t1 -c8 -d10s"}
PAGE=${PAGE:-/hello.txt}
MACHINE_FLAG=()
[ -n "${MACHINE:-}" ] && MACHINE_FLAG=(--machine "$MACHINE")
OUT=$(mktemp -d)
GUEST=
cleanup() {
  [ -n "$GUEST" ] && kill -- -"$GUEST" 2>/dev/null || true
  rm -rf "$OUT"
}
trap cleanup EXIT

# shellcheck source=bench/http-lib.sh
. "$ROOT/bench/http-lib.sh"
# Host CPU seconds (user + system) of process $1 so far.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}

cargo build --release -q -p ukl
UKL=$ROOT/target/release/ukl
make -s -C examples/httpd main.o

HOMES=("$@")
[ ${#HOMES[@]} -eq 0 ] && HOMES=("$ROOT")
printf '%-40s %18s %14s\n' home "idle CPU (s/${IDLE}s)" "requests/s"
for HOME_DIR in "${HOMES[@]}"; do
  IMAGE=$OUT/httpd-$RANDOM.kvm
  "$UKL" link examples/httpd/main.o --home "$HOME_DIR" --plat kvm -o "$IMAGE" 2>/dev/null
  PORT=$(free_port)
  setsid "$UKL" run "$IMAGE" --home "$HOME_DIR" -m 64M --timeout 3600 "${MACHINE_FLAG[@]}" \
    --net "user,hostfwd=tcp:127.0.0.1:$PORT-:80" >"$OUT/guest.log" 2>&1 &
  GUEST=$!
  wait_http "http://127.0.0.1:$PORT$PAGE"
  QEMU=$(pgrep -s "$GUEST" -f qemu-system | head -1)
  sleep 1
  BEFORE=$(cpu_seconds "$QEMU")
  sleep "$IDLE"
  AFTER=$(cpu_seconds "$QEMU")
  # shellcheck disable=SC2086
  RPS=$(wrk $WRK "http://127.0.0.1:$PORT$PAGE" | awk '/Requests\/sec/ { print $2 }')
  curl -s -m 10 -o /dev/null "http://127.0.0.1:$PORT/quit" || true
  kill -- -"$GUEST" 2>/dev/null || true
  GUEST=
  printf '%-40s %18.2f %14s\n' "$HOME_DIR" "$(echo "$AFTER - $BEFORE" | bc -l)" "$RPS"
done
