# firmware-proto/sim: the simulated roller's device model (portable C11 like
# firmware-proto: no GLib, no heap, no stdio), hosted by roller-sim.
noinst_LIBRARIES += firmware-proto/sim/libroller-sim-model.a
firmware_proto_sim_libroller_sim_model_a_CFLAGS = $(AM_CFLAGS) -std=c11
firmware_proto_sim_libroller_sim_model_a_SOURCES = \
	firmware-proto/sim/roller-device.h \
	firmware-proto/sim/roller-device-private.h \
	firmware-proto/sim/roller-device.c \
	firmware-proto/sim/roller-device-session.c \
	firmware-proto/sim/roller-device-control.c \
	firmware-proto/sim/roller-device-state.c \
	firmware-proto/sim/roller-session.h firmware-proto/sim/roller-session.c \
	firmware-proto/sim/roller-motion.h firmware-proto/sim/roller-motion.c \
	firmware-proto/sim/roller-telemetry.h firmware-proto/sim/roller-telemetry.c \
	firmware-proto/sim/roller-store.h firmware-proto/sim/roller-store.c \
	firmware-proto/sim/roller-rand.h

ROLLER_SIM_MODEL_LIBS = firmware-proto/sim/libroller-sim-model.a $(ROLLER_PROTO_LIBS)
SIM_TEST_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/firmware-proto/sim
SIM_TEST_LIBS = $(ROLLER_SIM_MODEL_LIBS) $(CMOCKA_LIBS)

sim_model_tests = tests/test-sim-device tests/test-sim-records tests/test-sim-model
check_PROGRAMS += $(sim_model_tests)
TESTS += $(sim_model_tests)

tests_test_sim_device_SOURCES = tests/test-sim-device.c \
	tests/test-sim-harness.h tests/test-sim-harness.c
tests_test_sim_device_CFLAGS = $(SIM_TEST_CFLAGS)
tests_test_sim_device_LDADD = $(SIM_TEST_LIBS)

tests_test_sim_records_SOURCES = tests/test-sim-records.c \
	tests/test-sim-harness.h tests/test-sim-harness.c
tests_test_sim_records_CFLAGS = $(SIM_TEST_CFLAGS)
tests_test_sim_records_LDADD = $(SIM_TEST_LIBS)

tests_test_sim_model_SOURCES = tests/test-sim-model.c \
	tests/test-sim-view.h tests/test-sim-view.c \
	tests/test-sim-harness.h tests/test-sim-harness.c
tests_test_sim_model_CFLAGS = $(SIM_TEST_CFLAGS)
tests_test_sim_model_LDADD = $(SIM_TEST_LIBS)

# Run with the shell harness of tests/local.mk (TEST_EXTENSIONS = .sh).
TESTS += tests/check-sim-portable.sh
EXTRA_DIST += tests/check-sim-portable.sh
tests/check-sim-portable.log: firmware-proto/sim/libroller-sim-model.a
