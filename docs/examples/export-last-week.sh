#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Export the last week of treatment sessions from rollerd as JSON, one
# session per line, with gdbus only.
#
# Usage: export-last-week.sh [--session] > week.jsonl
set -eu

bus=--system
[ "${1:-}" = "--session" ] && bus=--session

since=$(( $(date +%s) - 7 * 24 * 3600 ))
ids=$(gdbus call $bus --dest org.rollerd --object-path /org/rollerd \
	--method org.rollerd.Manager1.QuerySessions \
	"{'since': <int64 $since>, 'limit': <uint32 1000>}" |
	grep -o "'id': <uint64 [0-9]*>" | grep -o '[0-9]*>$' | tr -d '>')

for id in $ids; do
	path=$(gdbus call $bus --dest org.rollerd --object-path /org/rollerd \
		--method org.rollerd.Manager1.GetSession "$id" |
		sed -n "s/^(objectpath '\(.*\)',)$/\1/p")
	# Export returns ('<json>',), printed as GVariant text: undo its
	# escapes (\\ first, kept aside), and put the session on one line
	# (JSON strings hold no raw newline, so each \n is layout).
	gdbus call $bus --dest org.rollerd --object-path "$path" \
		--method org.rollerd.Session1.Export json |
		sed -e "s/^('//" -e "s/',)$//" -e 's/\\\\/\x01/g' \
		    -e 's/\\n/ /g' -e 's/\\t/ /g' -e "s/\\\\'/'/g" -e 's/\\"/"/g' \
		    -e 's/\x01/\\/g' | tr -d '\n'
	echo
done
