#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# PID 1 of check-vm.sh's VM: the system D-Bus, two virtual LE controllers
# (btvirt) and the real bluetoothd (configured as /run-vm.conf's variant
# says), then tests/vm/test-vm-bluez.  Its exit status goes to
# /mnt/artifacts/status; the VM always powers off.
# shellcheck disable=SC2154 # srcdir, builddir, modules, ...: from run-vm.conf
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# shellcheck source=/dev/null
. /run-vm.conf
art=/mnt/artifacts

poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 30
}
trap poweroff_now EXIT

step() {
	echo "guest: $*"
}

# /run afresh (no stale sockets of the host's); the rest is writable
# through the overlay, and /tmp may hold the build tree.
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# The kernel's own modules, for modprobe and automatic loading.
mkdir -p /lib/modules
mount --bind "$modules" /lib/modules
echo rollerd-vm >/proc/sys/kernel/hostname	# Debian 13's minbase has no hostname(1)

# Without the algif modules btvirt fails: "Failed to open Virtual HCI device".
modprobe -a af_alg algif_skcipher algif_hash cmac ecb bluetooth hci_vhci ||
	step "modprobe failed"

# rollerd's own policy and group, as make install and the README set them up.
groupadd --system rollerd
install -D -m 644 "$srcdir/data/org.rollerd.conf" /etc/dbus-1/system.d/org.rollerd.conf
# The VM has no polkitd: test-vm-bluez answers for it (Roller2.Forget asks).
install -m 644 "$srcdir/tests/vm/polkit-mock.conf" /etc/dbus-1/system.d/rollerd-vm-polkit.conf
mkdir -p /run/dbus /var/lib/bluetooth
dbus-daemon --system --fork --nopidfile || step "dbus-daemon failed"

# Every HCI packet of both controllers, for a failure's post-mortem
# (btmon -r hci.btsnoop reads it).
btmon -w "$art/hci.btsnoop" >/dev/null 2>&1 &

# Two LE controllers sharing one virtual air.  Under a loaded TCG the
# kernel's HCI Reset of one can time out (it then never registers with
# mgmt): start btvirt again until both are there.
controllers() {
	btmgmt info 2>/dev/null | grep -c '^hci[0-9]*:'
}
for try in 1 2 3; do
	# One word: options split on the kernel command line arrive broken.
	btvirt -Ll2 >>"$art/btvirt.log" 2>&1 &
	btvirt_pid=$!
	for _ in $(seq 1 75); do
		[ "$(controllers)" -ge 2 ] && break
		sleep 0.2
	done
	[ "$(controllers)" -ge 2 ] && break
	step "try $try: $(controllers) controller(s) after 15 s; btvirt again"
	kill "$btvirt_pid"
	wait "$btvirt_pid"
done
step "controllers: $(controllers) at $(cut -d' ' -f1 /proc/uptime) s"
# The variant's [GATT] Channels (EATT off: 1, on: 3; empty: the version's
# default), added to the root's own main.conf, the file both 5.66 and 5.82
# read; GKeyFile merges the repeated group.  bluetoothd -d logs what it took.
if [ -n "$channels" ]; then
	printf '\n[GATT]\nChannels = %s\n' "$channels" >>/etc/bluetooth/main.conf
fi
/usr/libexec/bluetooth/bluetoothd --version >"$art/bluez-version" 2>&1
/usr/libexec/bluetooth/bluetoothd -n -E -d >"$art/bluetoothd.log" 2>&1 &
step "bluetoothd started at $(cut -d' ' -f1 /proc/uptime) s"

# The tests' directories on the overlay: SQLite's WAL cannot work over 9p.
mkdir -p /var/tmp/vm-test
cd "$builddir" || exit
# shellcheck disable=SC2086 # $test_args: words
TMPDIR=/var/tmp/vm-test ROLLER_TEST_KEEP=1 ROLLER_BUILDDIR=$builddir \
	ROLLER_VM_BLUETOOTHD_LOG=$art/bluetoothd.log \
	"$builddir/tests/vm/test-vm-bluez" $test_args >"$art/test.log" 2>&1
echo $? >"$art/status.new"
cp -r /var/tmp/vm-test/. "$art/"
mv "$art/status.new" "$art/status"
step "tests done at $(cut -d' ' -f1 /proc/uptime) s: status $(cat "$art/status")"
dmesg >"$art/dmesg.log"
