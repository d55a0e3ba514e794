#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-fuzz.sh SECONDS [TARGET...]
#
# Builds the libFuzzer targets of tests/fuzz with clang straight from the
# firmware-proto sources, seeds them from tests/data/profile-v1.vec and runs
# each for SECONDS.  TARGETs are frame, record and reassembler (default: all).
#
# Everything goes under $ROLLER_BUILDDIR/fuzz-build (the current directory
# when unset): the programs, the seeds, the corpus each target grows (kept
# between runs) and the crash artifacts.  Exits non-zero when a target does
# not build or finds a crash, leak or timeout.  CLANG overrides the compiler.
set -eu

usage() {
	echo "usage: $0 SECONDS [frame|record|reassembler]..." >&2
	exit 2
}

[ $# -ge 1 ] || usage
seconds=$1
shift
case $seconds in
''|*[!0-9]*) usage ;;
esac
[ $# -ge 1 ] || set -- frame record reassembler

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=${ROLLER_BUILDDIR:-$(pwd)}/fuzz-build
clang=${CLANG:-clang}

# The sources of libroller-proto.a (firmware-proto/local.mk), without the
# table generator, which is a program of its own.
lib_sources="roller-proto.c roller-crc.c roller-crc-tables.c roller-frame.c
	roller-record.c roller-transfer.c roller-control.c roller-info.c
	roller-dump.c roller-hex.c"

sanitize="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
cflags="-std=c11 -g -O1 -I$srcdir/firmware-proto"
warnings="-Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes
	-Wold-style-definition -Wpointer-arith -Wundef -Wwrite-strings
	-Wvla -Wno-unused-parameter"

max_len_of() {
	case $1 in
	frame) echo 600 ;;
	record) echo 8300 ;;
	reassembler) echo 9000 ;;
	*) echo "$0: unknown target '$1'" >&2; exit 2 ;;
	esac
}

for target in "$@"; do
	max_len_of "$target" >/dev/null
done

if ! command -v "$clang" >/dev/null 2>&1; then
	echo "$0: $clang not found (set CLANG to a clang with libFuzzer)" >&2
	exit 1
fi

mkdir -p "$builddir/lib"
"$srcdir/tests/fuzz/make-seeds.sh" "$srcdir/tests/data/profile-v1.vec" \
	"$builddir/seeds"

# The library's objects are shared by all targets; only the targets' own
# code is held to -Werror, so a new clang warning in the library does not
# stop the fuzzing of it.
lib_objects=
for src in $lib_sources; do
	obj="$builddir/lib/${src%.c}.o"
	# -fsanitize=fuzzer-no-link: instrumented, but libFuzzer's main is
	# linked only once, into each program.
	# shellcheck disable=SC2086
	"$clang" $cflags $warnings -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-recover=all -c "$srcdir/firmware-proto/$src" -o "$obj"
	lib_objects="$lib_objects $obj"
done

failed=0
summary=
for target in "$@"; do
	program="$builddir/fuzz-$target"
	corpus="$builddir/corpus/$target"
	artifacts="$builddir/artifacts/$target"
	log="$builddir/fuzz-$target.log"

	# shellcheck disable=SC2086
	"$clang" $cflags $warnings -Werror $sanitize \
		"$srcdir/tests/fuzz/fuzz-$target.c" $lib_objects -o "$program"
	mkdir -p "$corpus" "$artifacts"

	echo "== fuzz-$target: $seconds s, max_len $(max_len_of "$target")"
	status=0
	"$program" -max_total_time="$seconds" -max_len="$(max_len_of "$target")" \
		-timeout=10 -print_final_stats=1 -artifact_prefix="$artifacts/" \
		"$corpus" "$builddir/seeds/$target" >"$log" 2>&1 || status=$?

	# libFuzzer's closing lines: the DONE status line (coverage, corpus,
	# exec/s), the run count and the final statistics.
	grep -E '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
		"$log" || true
	if [ "$status" -eq 0 ]; then
		summary="$summary
fuzz-$target: ok"
		continue
	fi

	failed=1
	echo "fuzz-$target FAILED (exit $status); log: $log"
	grep -E '^SUMMARY:|^==[0-9]+==ERROR|runtime error:' "$log" | head -n 5 || true
	artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	if [ -n "$artifact" ]; then
		echo "crash input: $artifact"
		echo "crash input (hex, first 600 bytes):"
		od -An -v -tx1 -N 600 "$artifact" | tr -d ' \n'
		echo
		echo "reproduce: $program $artifact"
	fi
	summary="$summary
fuzz-$target: FAILED, log $log${artifact:+, input $artifact}"
done

echo "== summary$summary"
exit "$failed"
