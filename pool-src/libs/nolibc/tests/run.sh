#!/bin/sh
# Host tests of nolibc's C code: the printf engine against glibc's snprintf, and the string and
# stdlib functions against expectations. Usage: sh pool-src/libs/nolibc/tests/run.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
lib=$(dirname "$here")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The engine is compiled exactly as for the pool (nolibc's headers, no libc), then linked with
# the glibc harness.
engine_flags="-O2 -ffreestanding -fno-builtin -nostdinc -I $lib/include -Wall -Wextra"
gcc $engine_flags -c "$lib/c/format.c" -o "$out/format.o"
gcc $engine_flags -c "$lib/c/format_float.c" -o "$out/format_float.o"
gcc -O2 -Wall -Wno-format -Wno-format-extra-args -Wno-format-zero-length \
	"$here/printf_host.c" "$out/format.o" "$out/format_float.o" -lm -o "$out/printf_host"
"$out/printf_host"

# strtod against glibc's, under a prefixed name.
gcc $engine_flags -Dstrtod=nolibc_strtod -Dstrtof=nolibc_strtof -Datof=nolibc_atof \
	-c "$lib/c/strtod.c" -o "$out/strtod.o"
gcc -O2 -Wall "$here/strtod_host.c" "$out/strtod.o" -lm -o "$out/strtod_host"
"$out/strtod_host"

gcc $engine_flags -fno-tree-loop-distribute-patterns -c "$lib/c/string.c" -o "$out/string.o"
gcc $engine_flags -c "$lib/c/convert.c" -o "$out/convert.o"
gcc $engine_flags -c "$lib/c/sort.c" -o "$out/sort.o"
gcc $engine_flags -c "$lib/c/ctype.c" -o "$out/ctype.o"
gcc $engine_flags -c "$lib/c/errno.c" -o "$out/errno.o"
gcc $engine_flags -fno-stack-protector -c "$here/libc_host.c" -o "$out/libc_host.o"
# A freestanding link: nothing from glibc may satisfy these tests.
gcc -nostdlib -static -no-pie "$out/libc_host.o" "$out/string.o" "$out/convert.o" "$out/sort.o" \
	"$out/ctype.o" "$out/errno.o" -o "$out/libc_host"
"$out/libc_host"
