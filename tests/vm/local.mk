# The real-BlueZ test: rollerd and roller-sim --peripheral through bluetoothd
# and the kernel in a qemu VM (tests/vm/check-vm.sh).  Not part of make
# check: `make check-vm` runs it; it skips (77) where no VM can run.
check_PROGRAMS += tests/vm/test-vm-bluez
tests_vm_test_vm_bluez_SOURCES = tests/vm/test-vm-bluez.c
tests_vm_test_vm_bluez_CPPFLAGS = $(TEST_DAEMON_CPPFLAGS) -I$(top_srcdir)/tests
tests_vm_test_vm_bluez_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_vm_test_vm_bluez_LDADD = $(TEST_DAEMON_LIBS)

EXTRA_DIST += tests/vm/check-vm.sh tests/vm/guest.sh tests/vm/initramfs-init \
	tests/vm/debian-packages docs/testing.md

check-vm: all tests/vm/test-vm-bluez$(EXEEXT)
	ROLLER_BUILDDIR="$(abs_top_builddir)" $(SHELL) $(top_srcdir)/tests/vm/check-vm.sh

clean-local: clean-vm
clean-vm:
	rm -rf vm-build vm-artifacts vm-apt.log

.PHONY: check-vm clean-vm
