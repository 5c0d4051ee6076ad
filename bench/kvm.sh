#!/usr/bin/env bash
# Benchmark for the kvm platform, printed beside Unikraft's published figures: hello-c image
# size, the smallest -m that boots it, guest time from entry to main (TSC), QEMU wall time, and
# the time of `ukl link` against ld.lld linking the same inputs with the same script.
# Not a test: it measures and prints. Needs hyperfine (apt-get install hyperfine) for link times.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p ukl
UKL=$PWD/target/release/ukl
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
CFLAGS="-std=gnu11 -O2 -ffreestanding -fno-pic -fno-stack-protector -mno-red-zone -mcmodel=small
  -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -nostdinc -I pool-src/libs/nolibc/include"
gcc $CFLAGS -c examples/hello-c/main.c -o "$W/hello.o"
gcc $CFLAGS -c bench/apps/boot_time.c -o "$W/boot_time.o"

"$UKL" link "$W/hello.o" --plat kvm -o "$W/hello.kvm" 2>/dev/null
"$UKL" link "$W/hello.o" --plat kvm --strip -o "$W/hello-stripped.kvm" 2>/dev/null
size=$(stat -c %s "$W/hello.kvm")
stripped=$(stat -c %s "$W/hello-stripped.kvm")
echo "== image size (hello-c, kvm)"
printf "  ukl          %8d bytes (%d stripped)\n" "$size" "$stripped"
printf "  Unikraft     %8d bytes (EuroSys'21 helloworld; 197 KB with DCE; 0.17.0 stripped: 242232)\n" 263000
printf "  ratio        %8.2f (stripped ukl / Unikraft 263 KB)\n" "$(echo "$stripped / 263000" | bc -l)"

echo "== smallest memory that boots hello-c"
boots() { timeout 20 "$UKL" run "$W/hello.kvm" -m "$1" >/dev/null 2>&1; }
lo=256; hi=32768   # KiB
while [ $((hi - lo)) -gt 8 ]; do
  mid=$(((lo + hi) / 2))
  if boots "${mid}K"; then hi=$mid; else lo=$mid; fi
done
printf "  ukl          %8d KiB\n  Unikraft     %8d KiB (2 MB published, 1.5 MB measured on microvm)\n" "$hi" 2048

echo "== guest time, entry to main (TSC, TCG)"
"$UKL" link "$W/boot_time.o" --plat kvm -o "$W/boot_time.kvm" 2>/dev/null
for i in 1 2 3; do "$UKL" run "$W/boot_time.kvm" | grep entry-to-main-us; done | awk '{s+=$2; n++} END {printf "  ukl          %8.0f us (mean of %d boots; under TCG)\n", s/n, n}'
printf "  Unikraft     %8d us (EuroSys'21: guest boot on QEMU microvm, KVM)\n" 83

echo "== QEMU wall time to the end of hello (TCG, microvm)"
if command -v hyperfine >/dev/null; then
  hyperfine -N -w 2 -r 10 "$UKL run $W/hello.kvm" 2>/dev/null | grep -E "Time"
fi
printf "  Unikraft 0.17.0: 245 ms to \"Hello world\" on microvm (TCG), 296 ms on pc\n"

echo "== link time: ukl link vs ld.lld, same objects, same script"
LLD="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"
"$UKL" link "$W/hello.o" --plat kvm -o "$W/map.kvm" --map "$W/hello.map" 2>/dev/null
archives=$(sed -n 's/.*\(prebuilt\/x86_64\/[a-z_0-9.-]*\.a\).*/\1/p' "$W/hello.map" | sort -u | tr '\n' ' ')
if command -v hyperfine >/dev/null; then
  hyperfine -N -w 3 -r 30 \
    "$UKL link $W/hello.o --plat kvm -o $W/a.kvm" \
    "$LLD -flavor gnu -static --gc-sections -T linkscripts/kvm.ld -o $W/b.kvm $W/hello.o --whole-archive $archives" 2>/dev/null \
    | grep -E "Benchmark|Time|faster|±"
else
  echo "  (install hyperfine for link times)"
fi
