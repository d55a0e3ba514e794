# roller-sim: a simulated roller behind a mock bluetoothd (tests, rollerd
# without Bluetooth) or as a real BLE peripheral (a second machine).
bin_PROGRAMS += firmware-proto/roller-sim/roller-sim
firmware_proto_roller_sim_roller_sim_SOURCES = \
	firmware-proto/roller-sim/sim-main.c \
	firmware-proto/roller-sim/sim-config.h \
	firmware-proto/roller-sim/sim-clock.h firmware-proto/roller-sim/sim-clock.c \
	firmware-proto/roller-sim/sim-iface.h firmware-proto/roller-sim/sim-iface.c \
	firmware-proto/roller-sim/sim-faults.h firmware-proto/roller-sim/sim-faults.c \
	firmware-proto/roller-sim/sim-ground-truth.h \
	firmware-proto/roller-sim/sim-ground-truth.c \
	firmware-proto/roller-sim/sim-hostile.h firmware-proto/roller-sim/sim-hostile.c \
	firmware-proto/roller-sim/sim-roller.h firmware-proto/roller-sim/sim-roller.c \
	firmware-proto/roller-sim/sim-gatt.h firmware-proto/roller-sim/sim-gatt.c \
	firmware-proto/roller-sim/sim-gatt-private.h \
	firmware-proto/roller-sim/sim-gatt-access.c \
	firmware-proto/roller-sim/sim-gatt-notify.c \
	firmware-proto/roller-sim/sim-discovery-filter.h \
	firmware-proto/roller-sim/sim-discovery-filter.c \
	firmware-proto/roller-sim/sim-mock-adapter.h \
	firmware-proto/roller-sim/sim-mock-adapter.c \
	firmware-proto/roller-sim/sim-mock-device.h \
	firmware-proto/roller-sim/sim-mock-device.c \
	firmware-proto/roller-sim/sim-mock-managers.h \
	firmware-proto/roller-sim/sim-mock-managers.c \
	firmware-proto/roller-sim/sim-control.h firmware-proto/roller-sim/sim-control.c \
	firmware-proto/roller-sim/sim-mock.h firmware-proto/roller-sim/sim-mock.c \
	firmware-proto/roller-sim/sim-peripheral.h \
	firmware-proto/roller-sim/sim-peripheral.c
firmware_proto_roller_sim_roller_sim_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/firmware-proto/sim
firmware_proto_roller_sim_roller_sim_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
firmware_proto_roller_sim_roller_sim_LDADD = \
	firmware-proto/sim/libroller-sim-model.a $(BLUEZ_GDBUS_LIBS) \
	$(ROLLER_PROTO_LIBS) $(GLIB_LIBS)

# Tests: each starts a private dbus-daemon and roller-sim --mock-bluez on it
# and plays the central through the generated Bluez* proxies.
roller_sim_test_sources = tests/sim-harness.h tests/sim-harness.c \
	tests/sim-central.h tests/sim-central.c
roller_sim_test_cflags = $(TEST_CFLAGS) $(GLIB_CFLAGS) \
	-DSIM_BUILDDIR='"$(abs_top_builddir)"' -DDBUS_DAEMON='"$(DBUS_DAEMON)"'
roller_sim_test_ldadd = $(BLUEZ_GDBUS_LIBS) $(ROLLER_PROTO_LIBS) $(GLIB_LIBS) \
	$(CMOCKA_LIBS)
roller_sim_tests = tests/test-sim-mock tests/test-sim-mock-link \
	tests/test-sim-mock-faults tests/test-sim-peripheral
check_PROGRAMS += $(roller_sim_tests)
TESTS += $(roller_sim_tests)

tests_test_sim_mock_SOURCES = tests/test-sim-mock.c $(roller_sim_test_sources)
tests_test_sim_mock_CFLAGS = $(roller_sim_test_cflags)
tests_test_sim_mock_LDADD = $(roller_sim_test_ldadd)

tests_test_sim_mock_link_SOURCES = tests/test-sim-mock-link.c \
	$(roller_sim_test_sources)
tests_test_sim_mock_link_CFLAGS = $(roller_sim_test_cflags)
tests_test_sim_mock_link_LDADD = $(roller_sim_test_ldadd)

tests_test_sim_mock_faults_SOURCES = tests/test-sim-mock-faults.c \
	$(roller_sim_test_sources)
tests_test_sim_mock_faults_CFLAGS = $(roller_sim_test_cflags)
tests_test_sim_mock_faults_LDADD = $(roller_sim_test_ldadd)

tests_test_sim_peripheral_SOURCES = tests/test-sim-peripheral.c \
	$(roller_sim_test_sources)
tests_test_sim_peripheral_CFLAGS = $(roller_sim_test_cflags)
tests_test_sim_peripheral_LDADD = $(roller_sim_test_ldadd)

EXTRA_DIST += docs/roller-sim.md
