#!/usr/bin/env bash
# Link-time benchmark: the same static musl inputs linked by ukl, ld.lld (rust-lld -flavor gnu)
# and GNU ld. Prints the mean time of each linker and the ratios ukl/lld and ukl/ld.
#
# Usage: bench/link.sh [RUNS]     (RUNS: timed runs per linker and input, default 20)
# Needs: cargo, musl-gcc, ld, rustc (for rust-lld); uses hyperfine if installed.
# Environment: CARGO_TARGET_DIR (where ukl is built), MUSL_LIB (default
# /usr/lib/x86_64-linux-musl), UKL_BENCH_KEEP=1 (keep the work directory).
set -euo pipefail

runs=${1:-20}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
musl=${MUSL_LIB:-/usr/lib/x86_64-linux-musl}
target_dir=${CARGO_TARGET_DIR:-$root/target}

for tool in cargo musl-gcc ld rustc python3; do
    command -v "$tool" >/dev/null || { echo "link.sh: $tool is required" >&2; exit 1; }
done

echo "building ukl (release)..." >&2
(cd "$root" && cargo build --release --quiet -p ukl --bin ukl)
ukl="$target_dir/release/ukl"
lld="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld"
[ -x "$lld" ] || { echo "link.sh: rust-lld not found at $lld" >&2; exit 1; }

work=$(mktemp -d)
if [ "${UKL_BENCH_KEEP:-}" = 1 ]; then
    echo "work directory: $work" >&2
else
    trap 'rm -rf "$work"' EXIT
fi

# Inputs: hello world, and the Lua 5.4 interpreter (the lua-src crate's sources + our driver).
echo "compiling inputs..." >&2
mkdir -p "$work/hello" "$work/lua"
musl-gcc -O2 -c "$root/tests/programs/hello.c" -o "$work/hello/hello.o"
lua_src=$(cd "$root" && cargo metadata --format-version 1 2>/dev/null | python3 -c '
import json, os, sys
packages = json.load(sys.stdin)["packages"]
print(next(os.path.join(os.path.dirname(p["manifest_path"]), "lua-5.4.9")
           for p in packages if p["name"] == "lua-src"))')
printf '%s\n' "$lua_src"/*.c "$root/tests/programs/lua-driver.c" |
    xargs -P "$(nproc)" -I{} sh -c \
        'musl-gcc -O2 -c -DLUA_USE_POSIX -I "$1" "$2" -o "$3/$(basename "$2" .c).o"' \
        _ "$lua_src" {} "$work/lua"

csv_mean() { # file.csv name -> mean wall seconds
    awk -F, -v name="$2" '$1 == name { print $2 }' "$1"
}

csv_cpu() { # file.csv name -> mean CPU seconds (user + system)
    awk -F, -v name="$2" '$1 == name { print $5 + $6 }' "$1"
}

time_loop() { # name command... -> mean seconds, by a plain loop
    local start end
    "${@:2}" >/dev/null 2>&1
    start=$(date +%s%N)
    for ((i = 0; i < runs; i++)); do "${@:2}" >/dev/null; done
    end=$(date +%s%N)
    python3 -c "print(($end - $start) / 1e9 / $runs)"
}

printf '\n%-10s %8s %10s %10s %10s %9s %9s\n' input objects "ukl ms" "lld ms" "ld ms" ukl/lld ukl/ld
for input in hello lua; do
    objects=("$work/$input"/*.o)
    args() { # output -> a static musl link command line
        echo -static -o "$1" "$musl/crt1.o" "$musl/crti.o" "${objects[@]}" "$musl/libc.a" "$musl/crtn.o"
    }
    ukl_cmd="$ukl ld $(args "$work/$input-ukl")"
    lld_cmd="$lld -flavor gnu $(args "$work/$input-lld")"
    ld_cmd="ld $(args "$work/$input-ld")"
    # Every linker must produce a program that runs the same.
    for linker in ukl lld ld; do
        cmd="${linker}_cmd"
        ${!cmd}
    done
    if [ "$input" = hello ]; then
        for linker in lld ld; do
            cmp <("$work/hello-ukl" || true) <("$work/hello-$linker" || true) >/dev/null ||
                { echo "link.sh: hello linked by ukl and $linker behave differently" >&2; exit 1; }
        done
    fi
    if command -v hyperfine >/dev/null; then
        hyperfine -N --style none --warmup 3 --runs "$runs" --export-csv "$work/$input.csv" \
            -n ukl "$ukl_cmd" -n lld "$lld_cmd" -n ld "$ld_cmd" >/dev/null
        ukl_s=$(csv_mean "$work/$input.csv" ukl)
        lld_s=$(csv_mean "$work/$input.csv" lld)
        ld_s=$(csv_mean "$work/$input.csv" ld)
        cpu=("$(csv_cpu "$work/$input.csv" ukl)" "$(csv_cpu "$work/$input.csv" lld)"
            "$(csv_cpu "$work/$input.csv" ld)")
    else
        cpu=()
        # shellcheck disable=SC2086 # the commands are word lists on purpose
        ukl_s=$(time_loop ukl $ukl_cmd)
        # shellcheck disable=SC2086
        lld_s=$(time_loop lld $lld_cmd)
        # shellcheck disable=SC2086
        ld_s=$(time_loop ld $ld_cmd)
    fi
    row() { # label ukl lld ld (seconds)
        python3 -c "
u, l, g = $2, $3, $4
print('%-10s %8d %10.2f %10.2f %10.2f %9.2f %9.2f' % ('$1', ${#objects[@]}, u * 1e3, l * 1e3, g * 1e3, u / l, u / g))"
    }
    row "$input" "$ukl_s" "$lld_s" "$ld_s"
    if [ ${#cpu[@]} = 3 ]; then
        row "  cpu time" "${cpu[@]}"
    fi
done
echo
echo "(mean wall time of $runs runs each, and with hyperfine the mean CPU time, user + system;"
echo " $(if command -v hyperfine >/dev/null; then echo hyperfine; else echo 'a date loop'; fi);" \
    "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); lld may use all CPUs)"
