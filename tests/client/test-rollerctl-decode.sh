#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# rollerctl decode against the profile's vector file: every case becomes a
# "frame <hex>" or "record <hex>" line, and the output must be the listed
# dumps, each followed by an empty line.  Run by make check with
# ROLLER_BUILDDIR and ROLLER_TEST_DATA set (see tests/local.mk).
set -u

: "${ROLLER_BUILDDIR:?run by make check}" "${ROLLER_TEST_DATA:?run by make check}"
rollerctl=$ROLLER_BUILDDIR/client/rollerctl
vec=$ROLLER_TEST_DATA/profile-v1.vec

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rollerctl-decode.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

[ -x "$rollerctl" ] || { echo "ERROR: $rollerctl not built" >&2; exit 99; }
[ -r "$vec" ] || { echo "ERROR: $vec not readable" >&2; exit 99; }

# Writes the input lines to $2 and the expected output to $3; with
# $1 = good, only the cases whose dump is not an error.
split_vectors() {
	awk -v only_good="$1" -v input="$2" -v expected="$3" '
		$1 == "name" { kind = ""; hex = ""; dump = ""; in_expect = 0; next }
		$1 == "kind" && !in_expect { kind = $2; next }
		/^hex/ && !in_expect { hex = $0; sub(/^hex[ \t]*/, "", hex); next }
		$0 == "expect" { in_expect = 1; next }
		$0 == "end" && in_expect {
			in_expect = 0
			if (only_good && dump ~ /^error /)
				next
			print kind " " hex > input
			printf "%s\n", dump > expected
			next
		}
		in_expect { dump = dump $0 "\n" }
	' "$vec"
}

# run NAME WANT_STATUS WANT_STDOUT_FILE ARGS... (stdin is passed through)
run() {
	name=$1 want_status=$2 want_out=$3
	shift 3
	"$rollerctl" decode "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	[ "$status" -eq "$want_status" ] ||
		fail "$name: exit status $status, want $want_status"
	if [ -n "$want_out" ] && ! cmp -s "$want_out" "$tmp/out"; then
		fail "$name: output differs from the listed dumps"
		diff -u "$want_out" "$tmp/out" | head -40 >&2
	fi
}

split_vectors 0 "$tmp/all.in" "$tmp/all.want"
split_vectors 1 "$tmp/good.in" "$tmp/good.want"

n_all=$(wc -l <"$tmp/all.in")
n_good=$(wc -l <"$tmp/good.in")
# The vector file of profile v1: 33 cases, 15 of them good.
[ "$n_all" -eq 33 ] || fail "read $n_all cases from $vec, want 33"
[ "$n_good" -eq 15 ] || fail "read $n_good good cases from $vec, want 15"

# Rejected inputs are printed as 'error NAME' and make the status 1.
run "all cases, from a file" 1 "$tmp/all.want" "$tmp/all.in"
[ -s "$tmp/err" ] && fail "all cases: unexpected stderr: $(cat "$tmp/err")"
run "all cases, from stdin" 1 "$tmp/all.want" <"$tmp/all.in"
run "all cases, from stdin as -" 1 "$tmp/all.want" - <"$tmp/all.in"
run "good cases" 0 "$tmp/good.want" "$tmp/good.in"
[ -s "$tmp/err" ] && fail "good cases: unexpected stderr: $(cat "$tmp/err")"

# An unreadable line makes the status 2, names its line number, and the
# good lines around it are still decoded.
good1=$(sed -n 1p "$tmp/good.in")
good2=$(sed -n 2p "$tmp/good.in")
awk 'BEGIN { RS = ""; ORS = "\n\n" } NR <= 2' "$tmp/good.want" >"$tmp/two.want"
for bad in "frame 1" "frobnicate 00" "frame zz" "record 0g" "frame1000"; do
	printf '%s\n%s\n%s\n' "$good1" "$bad" "$good2" >"$tmp/bad.in"
	run "bad line '$bad'" 2 "$tmp/two.want" "$tmp/bad.in"
	grep -q "bad.in:2:" "$tmp/err" ||
		fail "bad line '$bad': stderr does not name line 2: $(cat "$tmp/err")"
	run "bad line '$bad' on stdin" 2 "$tmp/two.want" <"$tmp/bad.in"
	grep -q ":2:" "$tmp/err" ||
		fail "bad line '$bad' on stdin: stderr does not name line 2"
done

# Blank lines and comments are skipped, yet still counted as lines.
printf '# comment\n\n%s\nframe 1\n' "$good1" >"$tmp/comments.in"
awk 'BEGIN { RS = ""; ORS = "\n\n" } NR <= 1' "$tmp/good.want" >"$tmp/one.want"
run "comments and blank lines" 2 "$tmp/one.want" "$tmp/comments.in"
grep -q "comments.in:4:" "$tmp/err" ||
	fail "comments and blank lines: stderr does not name line 4: $(cat "$tmp/err")"

run "missing file" 2 "" "$tmp/no-such-file"
[ -s "$tmp/err" ] || fail "missing file: nothing on stderr"
[ -s "$tmp/out" ] && fail "missing file: unexpected output"

run "--help" 0 "" --help
grep -q 'frame <hex>' "$tmp/out" || fail "--help does not mention 'frame <hex>'"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "PASS: rollerctl decode, $n_all vector cases"
exit 0
