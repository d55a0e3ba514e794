#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# prepare-root-trixie.sh: a Debian 13 (trixie) root for check-vm.sh's VM,
# so that rollerd is also tested against trixie's BlueZ (5.82).  Built once
# with debootstrap into the VM cache and reused; its path on stdout.
#
#   prepare-root-trixie.sh CACHE [BINARY...]
#
# BINARY...: what the VM runs from the build tree; every library they load
# must be in the root (binaries built on Debian 12 run on 13's glibc).
#   ROLLER_VM_MIRROR  the Debian mirror (default: the one apt uses here)
#
# Exit status: 0 ready, 1 failed, 77 cannot be built here (the mirror
# cannot be reached, not root, no debootstrap): the reason on stderr.
set -eu

cache=$1
shift
suite=trixie
# What the VM needs besides minbase: BlueZ, the bus, modprobe, groupadd,
# and the runtime libraries of rollerd, roller-sim and test-vm-bluez.
packages="bluez bluez-test-tools dbus kmod passwd libglib2.0-0t64 libsqlite3-0 libjson-glib-1.0-0 libpq5 libcmocka0"

skip() {
	echo "prepare-root-trixie: $*" >&2
	exit 77
}

fail() {
	echo "prepare-root-trixie: $*" >&2
	exit 1
}

# The mirror apt uses for this host's own release (deb822 or one-line
# sources), so that a proxy or local mirror set up for apt is used too.
apt_mirror() {
	codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v suite="$codename" 'BEGIN { RS = "" }
			/(^|\n)Types:[^\n]*deb([ \n]|$)/ {
				uri = ""; hit = 0
				n = split($0, lines, "\n")
				for (i = 1; i <= n; i++) {
					if (lines[i] ~ /^URIs:/) { split(lines[i], w, " "); uri = w[2] }
					if (lines[i] ~ /^Suites:/) {
						m = split(lines[i], s, " ")
						for (j = 2; j <= m; j++) if (s[j] == suite) hit = 1
					}
				}
				if (hit && uri != "") print uri
			}' "$f"
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk -v suite="$codename" '$1 == "deb" && $0 !~ /\[/ && $3 == suite { print $2 }'
}

# Named after its package list: branches with different lists, sharing
# the cache, never replace each other's root under a running VM.
hash=$(printf '%s %s\n' "$suite" "$packages" | cksum | cut -d' ' -f1)
root=$cache/$suite-$hash
stamp=$root/.rollerd-vm-root

mkdir -p "$cache"
# One builder at a time; another build dir's check-vm may be here too.
exec 9>"$cache/$suite.lock"
flock 9

if [ ! -f "$stamp" ]; then
	[ "$(id -u)" -eq 0 ] || skip "building the $suite root needs root (debootstrap)"
	command -v debootstrap >/dev/null || skip "debootstrap is not installed"
	mirror=${ROLLER_VM_MIRROR:-$(apt_mirror | head -n 1)}
	mirror=${mirror:-http://deb.debian.org/debian}
	log=$cache/$suite-debootstrap.log
	# Unreachable is a skip, not a failure: tell it apart before starting.
	if ! timeout 60 /usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file \
		"$mirror/dists/$suite/InRelease" "$cache/$suite-InRelease" >"$log" 2>&1; then
		skip "cannot reach the Debian mirror $mirror: $(grep -m 1 '^E: ' "$log" || tail -n 1 "$log")"
	fi
	rm -f "$cache/$suite-InRelease"
	echo "prepare-root-trixie: debootstrap $suite from $mirror into $root" >&2
	tmp=$root.tmp
	rm -rf "$tmp"
	start=$(date +%s)
	if ! debootstrap --variant=minbase --include="$(echo "$packages" | tr ' ' ,)" \
		"$suite" "$tmp" "$mirror" >>"$log" 2>&1; then
		rm -rf "$tmp"
		grep -qiE "couldn't download|failed getting release|unable to fetch|temporary failure" "$log" &&
			skip "downloading from $mirror failed (see $log)"
		fail "debootstrap failed (see $log)"
	fi
	# apt's caches are half the root and the VM never installs anything.
	rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
	printf 'suite=%s\npackages=%s\nmirror=%s\n' "$suite" "$packages" "$mirror" \
		>"$tmp/.rollerd-vm-root"
	mv -T "$tmp" "$root"
	echo "prepare-root-trixie: built in $(($(date +%s) - start)) s" >&2
fi

# Each library the binaries name, in the root: else the VM would fail
# obscurely at the first exec.  Their own dependencies come with the
# root's packages, and may differ from Debian 12's (trixie's libpq5
# links another libldap).
for bin in "$@"; do
	for lib in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -e "$root/usr/lib/x86_64-linux-gnu/$lib" ] || [ -e "$root/usr/lib/$lib" ] ||
			fail "$lib (needed by $bin) is not in the $suite root: add its package to this script's list"
	done
done
echo "$root"
