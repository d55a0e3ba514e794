#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The simulated roller's device model (sim/model) keeps to the
# rules of firmware-proto: it includes only <stdint.h>, <stddef.h>,
# <stdbool.h>, <string.h> and firmware-proto's or its own headers, and
# needs nothing from libc beyond the mem* and str* basics (no heap, no
# stdio, no libm).
set -u

: "${ROLLER_SRCDIR:?run by make check}" "${ROLLER_BUILDDIR:?run by make check}"
lib=$ROLLER_BUILDDIR/sim/model/libsim-model.a
NM=${NM:-nm}
failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

[ -r "$lib" ] || { echo "ERROR: $lib not built" >&2; exit 99; }
command -v "$NM" >/dev/null || { echo "ERROR: $NM not found (binutils)" >&2; exit 99; }

n=0
for src in "$ROLLER_SRCDIR"/sim/model/*.[ch]; do
	n=$((n + 1))
	bad=$(sed -n 's/^[ \t]*#[ \t]*include[ \t]*\([<"][^>"]*[>"]\).*/\1/p' "$src" |
	      grep -v -e '^<stdint\.h>$' -e '^<stddef\.h>$' -e '^<stdbool\.h>$' \
		      -e '^<string\.h>$' -e '^"roller-[a-z-]*\.h"$' -e '^"model-[a-z-]*\.h"$')
	[ -z "$bad" ] || fail "${src##*/} includes $bad"
done
[ "$n" -ge 10 ] || fail "found $n sources in sim/model"

for sym in $("$NM" -u "$lib" | awk '$1 == "U" { print $2 }' | sort -u); do
	case $sym in
	roller_*|model_*|memcpy|memset|memcmp|memmove|strlen)
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
echo "PASS: $n sim/model sources checked"
exit 0
