## mqtt/ -------------------------------------------------------------
# rollerd-mqtt: its modules alone (cmocka), then the bridge between a
# real mosquitto (started by the tests on a free loopback port) and
# rollerd + roller-sim on the harness's bus.
MQTT_TEST_CFLAGS = $(TEST_CFLAGS) $(GLIB_CFLAGS) $(JSON_GLIB_CFLAGS) $(MOSQUITTO_CFLAGS) \
	-DMOSQUITTO='"$(MOSQUITTO)"'
mqtt_test_check_sources = tests/mqtt/mqtt-ha-check.h tests/mqtt/mqtt-ha-check.c

mqtt_unit_tests = tests/mqtt/test-mqtt-config tests/mqtt/test-mqtt-payload \
	tests/mqtt/test-mqtt-discovery tests/mqtt/test-mqtt-cursor
check_PROGRAMS += $(mqtt_unit_tests)
TESTS += $(mqtt_unit_tests)
tests_mqtt_test_mqtt_config_CFLAGS = $(MQTT_TEST_CFLAGS)
tests_mqtt_test_mqtt_config_LDADD = $(ROLLERD_MQTT_LIBS) $(CMOCKA_LIBS)
tests_mqtt_test_mqtt_payload_CFLAGS = $(MQTT_TEST_CFLAGS)
tests_mqtt_test_mqtt_payload_LDADD = $(ROLLERD_MQTT_LIBS) $(CMOCKA_LIBS)
tests_mqtt_test_mqtt_discovery_SOURCES = tests/mqtt/test-mqtt-discovery.c \
	$(mqtt_test_check_sources)
tests_mqtt_test_mqtt_discovery_CFLAGS = $(MQTT_TEST_CFLAGS)
tests_mqtt_test_mqtt_discovery_LDADD = $(ROLLERD_MQTT_LIBS) $(CMOCKA_LIBS)
tests_mqtt_test_mqtt_cursor_CFLAGS = $(MQTT_TEST_CFLAGS)
tests_mqtt_test_mqtt_cursor_LDADD = $(ROLLERD_MQTT_LIBS) $(CMOCKA_LIBS)

# The bridge on a bus, against a real broker.
mqtt_bus_test_sources = tests/mqtt/mqtt-harness.h tests/mqtt/mqtt-harness.c \
	tests/mqtt/mqtt-assert.h tests/mqtt/mqtt-assert.c $(mqtt_test_check_sources)
MQTT_BUS_TEST_LIBS = $(TEST_DAEMON_LIBS) $(JSON_GLIB_LIBS) $(MOSQUITTO_LIBS)
mqtt_bus_tests = tests/mqtt/test-mqtt-bridge tests/mqtt/test-mqtt-rooms tests/mqtt/test-mqtt-tls
check_PROGRAMS += $(mqtt_bus_tests)
TESTS += $(mqtt_bus_tests)
tests_mqtt_test_mqtt_bridge_SOURCES = tests/mqtt/test-mqtt-bridge.c $(mqtt_bus_test_sources)
tests_mqtt_test_mqtt_bridge_CFLAGS = $(MQTT_TEST_CFLAGS)
tests_mqtt_test_mqtt_bridge_LDADD = $(MQTT_BUS_TEST_LIBS)
tests_mqtt_test_mqtt_rooms_SOURCES = tests/mqtt/test-mqtt-rooms.c $(mqtt_bus_test_sources)
tests_mqtt_test_mqtt_rooms_CFLAGS = $(MQTT_TEST_CFLAGS)
tests_mqtt_test_mqtt_rooms_LDADD = $(MQTT_BUS_TEST_LIBS)
tests_mqtt_test_mqtt_tls_SOURCES = tests/mqtt/test-mqtt-tls.c $(mqtt_bus_test_sources)
tests_mqtt_test_mqtt_tls_CFLAGS = $(MQTT_TEST_CFLAGS)
tests_mqtt_test_mqtt_tls_LDADD = $(MQTT_BUS_TEST_LIBS)

# make bench: rollerd-mqtt's CPU per live message and per stored session,
# and its latency, beside rollerd's and mosquitto's.
BENCHMARKS += tests/bench/bench-mqtt
tests_bench_bench_mqtt_SOURCES = tests/bench/bench-mqtt.c \
	tests/bench/bench-live.h tests/bench/bench-live.c $(bench_util_sources) \
	tests/mqtt/mqtt-harness.h tests/mqtt/mqtt-harness.c
tests_bench_bench_mqtt_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(CMOCKA_CFLAGS) \
	$(MOSQUITTO_CFLAGS) -DMOSQUITTO='"$(MOSQUITTO)"' -DTOP_SRCDIR='"$(abs_top_srcdir)"'
tests_bench_bench_mqtt_LDADD = $(TEST_BUS_LIBS) common/librollerd-common.a $(GLIB_LIBS) \
	$(CMOCKA_LIBS) $(MOSQUITTO_LIBS)
bench: mqtt/rollerd-mqtt$(EXEEXT)
