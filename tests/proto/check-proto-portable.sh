#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# firmware-proto must build for a microcontroller: its sources include only
# <stdint.h>, <stddef.h>, <stdbool.h>, <string.h> and their own headers,
# and the library needs nothing from libc but memcpy, memset, memcmp and
# memmove (no heap, no stdio).  Symbols starting with __ are let through
# for compiler and sanitizer runtimes (the suite also runs under ASan and
# UBSan), except fortified or heap and stdio ones.
set -u

: "${ROLLER_SRCDIR:?run by make check}" "${ROLLER_BUILDDIR:?run by make check}"
lib=$ROLLER_BUILDDIR/firmware-proto/libroller-proto.a
mk=$ROLLER_SRCDIR/firmware-proto/local.mk
NM=${NM:-nm}

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

[ -r "$mk" ] || { echo "ERROR: $mk not readable" >&2; exit 99; }
[ -r "$lib" ] || { echo "ERROR: $lib not built" >&2; exit 99; }
command -v "$NM" >/dev/null || { echo "ERROR: $NM not found (binutils)" >&2; exit 99; }

# The library's sources and headers as firmware-proto/local.mk lists them.
sources=$(awk '
	/^(firmware_proto_libroller_proto_a_SOURCES|roller_proto_headers)[ \t]*=/ {
		on = 1; sub(/^[^=]*=/, "")
	}
	on {
		more = sub(/\\[ \t]*$/, "")
		for (i = 1; i <= NF; i++)
			if ($i !~ /^\$/)
				print $i
		if (!more)
			on = 0
	}
' "$mk")
n_sources=$(echo "$sources" | grep -c .)
[ "$n_sources" -ge 18 ] ||
	fail "found $n_sources sources in $mk, want the 18 or more of the library"

own_headers=$(echo "$sources" | sed -n 's|^firmware-proto/\(.*\.h\)$|\1|p' | tr '\n' ' ')

for src in $sources; do
	[ -r "$ROLLER_SRCDIR/$src" ] || { fail "$src: listed but not readable"; continue; }
	violations=$(awk -v src="$src" -v own="$own_headers" '
		BEGIN {
			n = split(own, h, " ")
			for (i = 1; i <= n; i++)
				allowed["\"" h[i] "\""] = 1
			allowed["<stdint.h>"] = allowed["<stddef.h>"] = 1
			allowed["<stdbool.h>"] = allowed["<string.h>"] = 1
		}
		/^[ \t]*#[ \t]*include/ {
			what = $0
			sub(/^[ \t]*#[ \t]*include[ \t]*/, "", what)
			sub(/[ \t].*/, "", what)
			if (!(what in allowed))
				print src ":" FNR ": includes " what
		}
	' "$ROLLER_SRCDIR/$src")
	[ -z "$violations" ] || fail "$violations"
done

# Undefined symbols of the archive's members, minus what other members
# define (roller-frame.o calls roller_crc16, for instance).
undefined=$("$NM" -u "$lib" | awk '$1 == "U" { print $2 }' | sort -u) ||
	fail "$NM -u $lib failed"
defined=$("$NM" --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u) ||
	fail "$NM --defined-only $lib failed"
echo "$defined" | grep -qx roller_frame_parse ||
	fail "$NM finds no roller_frame_parse in $lib"

for sym in $undefined; do
	echo "$defined" | grep -qx -- "$sym" && continue
	case $sym in
	memcpy|memset|memcmp|memmove)
		;;
	__asan_*|__ubsan_*|__sanitizer_*|__msan_*|__tsan_*|__hwasan_*)
		;;
	__memcpy_chk|__memset_chk|__memmove_chk)
		;;
	__*printf*|__*alloc*|__*free*|__*puts*|__*scanf*|__*_chk)
		fail "$lib needs $sym"
		;;
	__*)
		;;
	*)
		fail "$lib needs $sym"
		;;
	esac
done

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "PASS: $n_sources firmware-proto sources, $(echo "$undefined" | grep -c .) undefined symbols checked"
exit 0
