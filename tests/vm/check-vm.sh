#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-vm.sh: rollerd and roller-sim --peripheral through the real
# bluetoothd and the kernel's Bluetooth stack, in a qemu VM (make check-vm),
# for each BlueZ version and variant:
#
#   5.66  this machine's own / (Debian 12), shared read-only
#   5.82  a Debian 13 root, debootstrapped once into the cache
#         (tests/vm/prepare-root-trixie.sh), with the source tree, the
#         build tree and the kernel's modules mounted at their host paths
#
#   eatt-off   the four tests of test-vm-bluez, [GATT] Channels = 1
#   eatt-on    the same, Channels = 3: records arrive out of order
#   encrypted  a roller that requires an encrypted link (roller-sim
#              --require-encryption): pair, bond, sync, reconnect without
#              pairing again, Forget removes the bond; the version's default
#              Channels
#
# The VM boots Debian's own kernel with a tiny busybox initramfs that
# mounts the root over 9p under a tmpfs overlay; tests/vm/guest.sh then
# runs tests/vm/test-vm-bluez inside.
#
#   ROLLER_BUILDDIR      the build tree (default: the current directory)
#   ROLLER_VM_BLUEZ      the versions to run (default: "5.66 5.82")
#   ROLLER_VM_VARIANTS   the variants to run (default: "eatt-off eatt-on encrypted")
#   ROLLER_VM_CACHE      where the kernel and the Debian 13 root are kept
#                        between runs (default: ${XDG_CACHE_HOME:-~/.cache}/rollerd-vm)
#   ROLLER_VM_MIRROR     the Debian mirror for that root (default: apt's)
#   ROLLER_VM_TIMEOUT    hard limit of one VM's run in seconds (default 300)
#   ROLLER_VM_KEEP       set: keep the artefacts of variants that passed too
#
# Each variant prints PASS, FAIL or SKIP with the reason.  Exit status: 1
# if any failed (the VM's serial output and the daemons' logs are kept in
# $ROLLER_BUILDDIR/vm-artifacts/<version>-<variant>), else 77 if any was
# skipped, else 0.  The summary is also in $ROLLER_BUILDDIR/vm-summary.
set -eu

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=$(cd "${ROLLER_BUILDDIR:-.}" && pwd)
cache=${ROLLER_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rollerd-vm}
timeout_s=${ROLLER_VM_TIMEOUT:-300}
versions=${ROLLER_VM_BLUEZ:-5.66 5.82}
variants=${ROLLER_VM_VARIANTS:-eatt-off eatt-on encrypted}
artifacts_top=$builddir/vm-artifacts
summary=$builddir/vm-summary
work=$builddir/vm-build

skip() {
	echo "check-vm: SKIP: $*" >&2
	exit 77
}

fail() {
	echo "check-vm: FAIL: $*" >&2
	exit 1
}

for v in $versions; do
	case $v in 5.66 | 5.82) ;; *) fail "ROLLER_VM_BLUEZ takes 5.66 and/or 5.82, not $v" ;; esac
done
for v in $variants; do
	case $v in eatt-off | eatt-on | encrypted) ;;
	*) fail "ROLLER_VM_VARIANTS takes eatt-off, eatt-on and/or encrypted, not $v" ;;
	esac
done
[ "$(uname -m)" = x86_64 ] || skip "the VM is x86_64 and this host is $(uname -m)"
[ -x "$builddir/tests/vm/test-vm-bluez" ] ||
	fail "$builddir/tests/vm/test-vm-bluez is not built (run make check-vm)"

# What the VM runs comes from Debian's packages, on this machine.
missing=
# shellcheck disable=SC2013 # one name a line
for pkg in $(grep -v '^#' "$srcdir/tests/vm/debian-packages"); do
	case $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true) in
	*" installed") ;;
	*) missing="$missing $pkg" ;;
	esac
done
if [ -n "$missing" ]; then
	[ "$(id -u)" -eq 0 ] ||
		skip "missing Debian packages:$missing (run as root, or apt-get install them)"
	echo "check-vm: installing:$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$missing >"$builddir/vm-apt.log" 2>&1 ||
		skip "apt-get install$missing failed (see $builddir/vm-apt.log)"
fi
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed"

# The kernel linux-image-amd64 points at, extracted once into the cache,
# which another build tree's check-vm may be filling at the same time.
mkdir -p "$cache"
exec 9>"$cache/kernel.lock"
flock 9
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
if [ -z "$kpkg" ]; then
	kpkg=$(cd "$cache" && for d in linux-image-*; do [ -d "$d" ] && echo "$d"; done | tail -n 1)
	[ -n "$kpkg" ] || skip "apt knows no linux-image-amd64 and the cache holds no kernel"
fi
kdir=$cache/$kpkg
if [ ! -f "$kdir/.complete" ]; then
	echo "check-vm: downloading $kpkg into $cache"
	rm -rf "$kdir"
	mkdir -p "$kdir"
	(cd "$kdir" && apt-get download "$kpkg" >download.log 2>&1) ||
		skip "apt-get download $kpkg failed (see $kdir/download.log)"
	dpkg -x "$kdir"/"$kpkg"_*.deb "$kdir/root"
	rm -f "$kdir"/"$kpkg"_*.deb
	kver=$(ls "$kdir/root/lib/modules")
	depmod -b "$kdir/root" "$kver"
	touch "$kdir/.complete"
fi
exec 9>&-
kver=$(ls "$kdir/root/lib/modules")
modules=$kdir/root/lib/modules/$kver

# The initramfs: busybox, the modules that reach the 9p root, its /init.
rm -rf "$work" "$artifacts_top" "$artifacts_top.first"
mkdir -p "$work/initramfs/bin" "$work/initramfs/modules" "$artifacts_top"
cp /bin/busybox "$work/initramfs/bin/busybox"
cp "$srcdir/tests/vm/initramfs-init" "$work/initramfs/init"
chmod 755 "$work/initramfs/init"
# Each module after what it depends on, from the depmod'd tree.
for module in virtio_pci 9pnet_virtio 9p overlay; do
	path=$(sed -n "s|^\(kernel/[^:]*/$module\.ko\):.*|\1|p" "$modules/modules.dep")
	[ -n "$path" ] || fail "module $module not in $kpkg"
	deps=$(sed -n "s|^$path: *||p" "$modules/modules.dep")
	for dep in $(echo "$deps" | tr ' ' '\n' | sed '1!G;h;$!d') "$path"; do
		name=$(basename "$dep")
		[ -f "$work/initramfs/modules/$name" ] && continue
		cp "$modules/$dep" "$work/initramfs/modules/$name"
		echo "$name" >>"$work/initramfs/modules/order"
	done
done
(cd "$work/initramfs" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio"

# What a variant needs of the tree: rollerd pairing (issue 18, another
# branch) shows as Roller2's Paired property, roller-sim's side as its
# --require-encryption option.  Until then such a variant is a SKIP.
rollerd_pairs() {
	sed -n '/interface name="org.rollerd.Roller2"/,/<\/interface>/p' \
		"$srcdir/data/org.rollerd.xml" | grep -q 'property name="Paired"'
}
sim_requires_encryption() {
	"$builddir/sim/roller-sim" --help 2>&1 | grep -q -- '--require-encryption'
}

# Boots the VM once with $art/vm.conf; sets $vm_status (the test's exit
# status, or "timeout" / "none") and $vm_seconds.
boot_vm() {
	start=$(date +%s)
	qemu=0
	# shellcheck disable=SC2086 # $virtfs: words
	timeout -k 10 "$timeout_s" qemu-system-x86_64 \
		-accel tcg -cpu qemu64 -smp 2 -m 1536 \
		-nographic -no-reboot -monitor none -serial stdio \
		-kernel "$kdir/root/boot/vmlinuz-$kver" -initrd "$work/initramfs.cpio" \
		-append "console=ttyS0 panic=-1 loglevel=4" \
		-virtfs local,path="$root",mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs local,path="$art",mount_tag=artifacts,security_model=none,multidevs=remap \
		$virtfs </dev/null >"$art/serial.log" 2>&1 || qemu=$?
	vm_seconds=$(($(date +%s) - start))
	if [ "$qemu" -eq 124 ] || [ "$qemu" -eq 137 ]; then
		vm_status=timeout
	elif [ -f "$art/status" ]; then
		vm_status=$(cat "$art/status")
	else
		vm_status=none
	fi
}

# One variant: sets $result (PASS, FAIL, SKIP) and $reason.
run_variant() {
	version=$1 variant=$2
	art=$artifacts_top/$version-$variant bluez='' vm_seconds=''
	channels='' test_args='' binds='' virtfs=''
	case $variant in
	eatt-off) channels=1 ;;
	eatt-on) channels=3 ;;
	encrypted) test_args=--encrypted ;;
	esac
	if [ "$variant" = encrypted ] && ! { sim_requires_encryption && rollerd_pairs; }; then
		result=SKIP
		reason="needs the pairing work (roller-sim --require-encryption, Roller2.Paired/Bonded): not in this tree"
		return
	fi
	# 5.82's EATT channels need an encrypted link, so central and roller
	# pair; only rollerd's own agent may answer on its side, or this would
	# test bluetoothctl, not rollerd.
	if [ "$version" = 5.82 ] && [ "$variant" = eatt-on ] && ! rollerd_pairs; then
		result=SKIP
		reason="5.82's EATT needs an encrypted link and rollerd cannot pair yet (no Roller2.Paired): not in this tree"
		return
	fi
	if [ "$version" = 5.66 ]; then
		root=/
	else
		case $trixie_status in
		0) root=$trixie_root ;;
		77) result=SKIP reason="no Debian 13 root: $trixie_reason"; return ;;
		*) result=FAIL reason="no Debian 13 root: $trixie_reason"; return ;;
		esac
		# The trees the test uses, at their host paths, parents first; one
		# inside another (an in-tree build) is seen through its parent.
		i=0
		for dir in $(printf '%s\n' "$srcdir" "$builddir" "$kdir/root/lib/modules" | sort -u); do
			case $dir in *[[:space:]]*) result=FAIL reason="a path with spaces: $dir"; return ;; esac
			covered=no
			for b in $binds; do
				case $dir/ in "${b#*:}"/*) covered=yes ;; esac
			done
			[ $covered = yes ] && continue
			virtfs="$virtfs -virtfs local,path=$dir,mount_tag=bind$i,security_model=none,readonly=on,multidevs=remap"
			binds="$binds bind$i:$dir"
			i=$((i + 1))
		done
	fi
	mkdir -p "$art"
	cat >"$art/vm.conf" <<EOF
srcdir='$srcdir'
builddir='$builddir'
modules='$kdir/root/lib/modules'
binds='$binds'
channels='$channels'
test_args='$test_args'
EOF
	echo "check-vm: $version $variant: booting (TCG, limit ${timeout_s}s)"
	boot_vm
	# btvirt's virtual air once carried no advertisement at all to any of
	# the test's scans (bluetoothd reported no device; 1 run in about 10
	# here): that run tested nothing of rollerd.  Say so and boot once more.
	if [ "$vm_status" != 0 ] && grep -q "rollers were found" "$art/test.log" 2>/dev/null &&
	   ! grep -q "device_found_callback" "$art/bluetoothd.log" 2>/dev/null; then
		echo "check-vm: $version $variant: bluetoothd heard no advertisement at all (btvirt); booting once more" >&2
		rm -rf "$art.first"
		mv "$art" "$art.first"
		mkdir -p "$art"
		cp "$art.first/vm.conf" "$art/vm.conf"
		boot_vm
	fi
	[ -f "$art/test.log" ] && sed "s/^/  /" "$art/test.log"
	bluez=$(sed -n 's/^\([0-9][0-9.]*\)$/\1/p' "$art/bluez-version" 2>/dev/null || true)
	case $vm_status in
	0) result=PASS reason= ;;
	77) result=SKIP reason=$(grep -i "skip" "$art/test.log" | tail -n 1) ;;
	timeout) result=FAIL reason="the VM did not power off within ${timeout_s}s" ;;
	none) result=FAIL reason="the VM ended without a test result" ;;
	*) result=FAIL reason="tests/vm/test-vm-bluez exited with $vm_status" ;;
	esac
	# The setting reached bluetoothd: EATT bearers exactly when asked for.
	if [ $result = PASS ] && [ -n "$channels" ]; then
		eatt=$(grep -c "EATT channel connected" "$art/bluetoothd.log" || true)
		if [ "$channels" -gt 1 ] && [ "$eatt" -eq 0 ]; then
			result=FAIL reason="Channels = $channels and no EATT channel connected"
		elif [ "$channels" -eq 1 ] && [ "$eatt" -gt 0 ]; then
			result=FAIL reason="Channels = 1 and $eatt EATT channels connected"
		fi
	fi
	if [ "$bluez" != "$version" ] && [ $result != SKIP ]; then
		echo "check-vm: $version $variant: the VM's bluetoothd is ${bluez:-unknown}" >&2
	fi
	if [ $result = FAIL ]; then
		tail -n 40 "$art/serial.log" >&2
		for log in "$art"/*.log "$art"/rollerd-test-*/*.log; do
			[ -f "$log" ] || continue
			echo "--- $log (last 30 lines)"
			tail -n 30 "$log"
		done >&2
		reason="$reason; artefacts in $art"
	elif [ $result = PASS ] && [ -z "${ROLLER_VM_KEEP:-}" ]; then
		rm -rf "$art" "$art.first"
	fi
}

trixie_status=0 trixie_root='' trixie_reason=''
case " $versions " in
*" 5.82 "*)
	if trixie_root=$(sh "$srcdir/tests/vm/prepare-root-trixie.sh" "$cache" \
		"$builddir/daemon/rollerd" "$builddir/sim/roller-sim" \
		"$builddir/tests/vm/test-vm-bluez" 2>"$work/prepare-root.log"); then
		:
	else
		trixie_status=$?
	fi
	cat "$work/prepare-root.log" >&2
	trixie_reason=$(tail -n 1 "$work/prepare-root.log" | sed 's/^prepare-root-trixie: //')
	;;
esac

: >"$summary"
failed=0 skipped=0
for version in $versions; do
	for variant in $variants; do
		run_variant "$version" "$variant"
		line=$(printf '%-5s %-9s %-4s' "$version" "$variant" "$result")
		case $result in
		PASS) line="$line bluetoothd $bluez, ${vm_seconds} s" ;;
		FAIL) line="$line ${bluez:+bluetoothd $bluez: }$reason"; failed=$((failed + 1)) ;;
		SKIP) line="$line $reason"; skipped=$((skipped + 1)) ;;
		esac
		echo "check-vm: $line"
		echo "$line" >>"$summary"
	done
done
echo "check-vm: summary (also in $summary):"
sed 's/^/check-vm:   /' "$summary"
rmdir "$artifacts_top" 2>/dev/null || true	# kept when not empty
[ "$failed" -eq 0 ] || exit 1
rm -rf "$work"
[ "$skipped" -eq 0 ] || exit 77
