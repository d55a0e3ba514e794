#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# make-seeds.sh VECTOR_FILE OUT_DIR
#
# Writes the seed corpora of the fuzz targets from the profile's vector
# file: OUT_DIR/frame/<case> and OUT_DIR/record/<case> hold each vector's
# bytes; OUT_DIR/reassembler/ holds the record vectors cut into Record
# Transfer chunks, each chunk prefixed by its length in one byte (the
# input format of fuzz-reassembler).  Needs only awk and printf.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: $0 VECTOR_FILE OUT_DIR" >&2
	exit 2
fi
vectors=$1
out=$2

mkdir -p "$out/frame" "$out/record" "$out/reassembler"

# One line per seed file: "<dir> <name> <bytes as printf octal escapes>".
awk '
function octal_escapes(hex,    s, i, v) {
	s = ""
	for (i = 1; i < length(hex); i += 2) {
		v = (index(digits, substr(hex, i, 1)) - 1) * 16 + \
		    index(digits, substr(hex, i + 1, 1)) - 1
		s = s sprintf("\\%03o", v)
	}
	return s
}

function le16(v) {
	return sprintf("%02x%02x", v % 256, int(v / 256) % 256)
}

# A record as chunks carrying at most max_data bytes each; the chunk
# header repeats the record_id, which is the first two bytes of the record.
# last_flags is "01", or "81" to have fuzz-reassembler fix the record CRC.
function chunked(hex, max_data, last_flags,    id, total, off, n, s) {
	id = substr(hex, 1, 4)
	total = length(hex) / 2
	s = ""
	for (off = 0; off < total; off += n) {
		n = total - off < max_data ? total - off : max_data
		s = s sprintf("%02x", 5 + n) id le16(off) \
		    (off + n == total ? last_flags : "00") \
		    substr(hex, 2 * off + 1, 2 * n)
	}
	return s
}

# A record of the largest size, 8192 bytes (15x14 grid, 3971 trace values),
# with a CRC of zero: the record target checks every input a second time
# with its CRC made right, and the reassembler seed asks for that.
function largest_record(    s, i) {
	s = "0700" "00e1f505" "a0bb0d00" "01" "00" "e803" "6400" "4001" \
	    "6202" "6903" "19001a001b001c00" "0f" "0e"
	for (i = 0; i < 15 * 14; i++)
		s = s sprintf("%02x", i % 7)
	s = s "0a00" le16(3971)
	for (i = 0; i < 3971; i++)
		s = s le16(300 + i % 200)
	return s "00000000"
}

BEGIN { digits = "0123456789abcdef"; all_records = "" }
/^name / { name = $2 }
/^kind / { kind = $2 }
/^hex/ {
	hex = tolower($2)
	if (kind == "frame") {
		print "frame", name, octal_escapes(hex)
	} else if (kind == "record") {
		print "record", name, octal_escapes(hex)
		print "reassembler", name "-chunks-20", \
			octal_escapes(chunked(hex, 20, "01"))
		print "reassembler", name "-chunks-239-fix-crc", \
			octal_escapes(chunked(hex, 239, "81"))
		all_records = all_records chunked(hex, 16, "01")
	}
}
END {
	if (all_records != "")
		print "reassembler", "all-records-chunks-16", octal_escapes(all_records)
	hex = largest_record()
	print "record", "largest-8192-crc-0", octal_escapes(hex)
	print "record", "oversize-8193", octal_escapes(hex "00")
	print "reassembler", "largest-8192-chunks-239-fix-crc", \
		octal_escapes(chunked(hex, 239, "81"))
	print "reassembler", "overlong-8193-chunks-239", \
		octal_escapes(chunked(hex "00", 239, "01"))
}
' "$vectors" | while read -r dir name bytes; do
	# The escapes are the whole format: no "%" can appear in it.
	# shellcheck disable=SC2059
	printf "$bytes" >"$out/$dir/$name"
done

for dir in frame record reassembler; do
	if [ -z "$(ls "$out/$dir")" ]; then
		echo "$0: no $dir seeds from $vectors" >&2
		exit 1
	fi
done
