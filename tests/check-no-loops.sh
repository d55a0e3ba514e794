#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# No call or include loop between the project's source files
# (tests/check-no-loops.py, on the objects make check has built).
set -u
: "${ROLLER_SRCDIR:?run by make check}" "${ROLLER_BUILDDIR:?run by make check}"
command -v python3 >/dev/null || { echo "ERROR: python3 not found" >&2; exit 99; }
command -v nm >/dev/null || { echo "ERROR: nm not found (binutils)" >&2; exit 99; }
exec python3 "$ROLLER_SRCDIR/tests/check-no-loops.py" "$ROLLER_SRCDIR" "$ROLLER_BUILDDIR" \
	firmware-proto sim common daemon client tests
