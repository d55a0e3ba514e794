# Every test's rules.  tests/ mirrors the tree:
#   harness/      the private-bus harness and helpers every test shares
#   proto/        firmware-proto (cmocka, the vectors of tests/data/)
#   sim/          roller-sim: its model, and the mock and peripheral on a bus
#   daemon/       rollerd's units without a bus (live session, feedback, config)
#   store/        the SQLite journal
#   client/       rollerctl
#   integration/  rollerd and roller-sim together on a private bus
#   vm/ bench/ fuzz/   real BlueZ in a VM, benchmarks, libFuzzer targets
AM_TESTS_ENVIRONMENT = \
	ROLLER_TEST_DATA=$(abs_top_srcdir)/tests/data \
	ROLLER_BUILDDIR=$(abs_top_builddir) \
	ROLLER_SRCDIR=$(abs_top_srcdir); \
	export ROLLER_TEST_DATA ROLLER_BUILDDIR ROLLER_SRCDIR;

TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -DTEST_DATA_DIR='"$(abs_top_srcdir)/tests/data"' \
	-DTOP_SRCDIR='"$(abs_top_srcdir)"'
EXTRA_DIST += tests/data/profile-v1.vec tests/lsan.supp tests/valgrind.supp

# Shell tests, run with the automake harness through SH_LOG_COMPILER (so a
# LOG_COMPILER such as valgrind only wraps the C tests).
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)

# The layout: no two files call or include each other in a loop.
TESTS += tests/check-no-loops.sh
EXTRA_DIST += tests/check-no-loops.sh tests/check-no-loops.py
tests/check-no-loops.log: $(bin_PROGRAMS) $(check_PROGRAMS) $(noinst_PROGRAMS)

## harness/ ------------------------------------------------------------
# The private bus and its children, for every bus test (the sim tests'
# harness too) and the benchmarks; link with $(GLIB_LIBS).
check_LIBRARIES += tests/harness/libtest-bus.a
tests_harness_libtest_bus_a_SOURCES = tests/harness/test-bus.h tests/harness/test-bus.c
tests_harness_libtest_bus_a_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) \
	-DDBUS_DAEMON='"$(DBUS_DAEMON)"' -DTEST_BUS_BUILDDIR='"$(abs_top_builddir)"'
TEST_BUS_LIBS = tests/harness/libtest-bus.a

# rollerd and roller-sim on the harness's bus, driven as rollerctl would.
check_LIBRARIES += tests/harness/libtest-daemon.a
tests_harness_libtest_daemon_a_SOURCES = tests/harness/test-daemon-util.h \
	tests/harness/test-daemon-util.c tests/harness/test-daemon-assert.c
tests_harness_libtest_daemon_a_CFLAGS = $(TEST_CFLAGS) $(GLIB_CFLAGS)
TEST_DAEMON_CFLAGS = $(TEST_CFLAGS) $(GLIB_CFLAGS)
TEST_DAEMON_LIBS = tests/harness/libtest-daemon.a $(TEST_BUS_LIBS) $(ROLLERD_COMMON_LIBS) \
	$(ROLLER_PROTO_LIBS) $(GLIB_LIBS) $(CMOCKA_LIBS)

## proto/ --------------------------------------------------------------
check_LIBRARIES += tests/proto/libtest-proto.a
tests_proto_libtest_proto_a_SOURCES = tests/proto/test-vectors.h tests/proto/test-vectors.c \
	tests/harness/test-util.h tests/proto/test-frame-model.h tests/proto/test-frame-model.c
tests_proto_libtest_proto_a_CFLAGS = $(TEST_CFLAGS)
TEST_PROTO_LIBS = tests/proto/libtest-proto.a $(ROLLER_PROTO_LIBS) $(CMOCKA_LIBS)

proto_tests = tests/proto/test-dump tests/proto/test-crc tests/proto/test-frame \
	tests/proto/test-frame-errors tests/proto/test-crc-clmul \
	tests/proto/test-record tests/proto/test-transfer tests/proto/test-control \
	tests/proto/test-info tests/proto/test-hex
check_PROGRAMS += $(proto_tests)
TESTS += $(proto_tests) tests/proto/check-proto-portable.sh
EXTRA_DIST += tests/proto/check-proto-portable.sh
tests/proto/check-proto-portable.log: $(ROLLER_PROTO_LIBS)

tests_proto_test_dump_CFLAGS = $(TEST_CFLAGS)
tests_proto_test_dump_LDADD = $(TEST_PROTO_LIBS)
tests_proto_test_crc_CFLAGS = $(TEST_CFLAGS)
tests_proto_test_crc_LDADD = $(TEST_PROTO_LIBS)
tests_proto_test_frame_CFLAGS = $(TEST_CFLAGS)
tests_proto_test_frame_LDADD = $(TEST_PROTO_LIBS)
tests_proto_test_frame_errors_CFLAGS = $(TEST_CFLAGS)
tests_proto_test_frame_errors_LDADD = $(TEST_PROTO_LIBS)
tests_proto_test_crc_clmul_CFLAGS = $(TEST_CFLAGS)
tests_proto_test_crc_clmul_LDADD = tests/proto/libtest-proto.a $(ROLLER_PROTO_HOST_LIBS) \
	$(CMOCKA_LIBS)
tests_proto_test_record_CFLAGS = $(TEST_CFLAGS)
tests_proto_test_record_LDADD = $(TEST_PROTO_LIBS)
tests_proto_test_transfer_CFLAGS = $(TEST_CFLAGS)
tests_proto_test_transfer_LDADD = $(TEST_PROTO_LIBS)
tests_proto_test_control_CFLAGS = $(TEST_CFLAGS)
tests_proto_test_control_LDADD = $(TEST_PROTO_LIBS)
tests_proto_test_info_CFLAGS = $(TEST_CFLAGS)
tests_proto_test_info_LDADD = $(TEST_PROTO_LIBS)
tests_proto_test_hex_CFLAGS = $(TEST_CFLAGS)
tests_proto_test_hex_LDADD = $(TEST_PROTO_LIBS)

## sim/ ----------------------------------------------------------------
# The model alone, stepped by hand (test-sim-harness: no bus).
sim_model_tests = tests/sim/test-sim-device tests/sim/test-sim-records tests/sim/test-sim-model
check_PROGRAMS += $(sim_model_tests)
TESTS += $(sim_model_tests) tests/sim/check-sim-portable.sh
EXTRA_DIST += tests/sim/check-sim-portable.sh
tests/sim/check-sim-portable.log: sim/model/libsim-model.a
sim_model_test_sources = tests/sim/test-sim-harness.h tests/sim/test-sim-harness.c
SIM_MODEL_TEST_LIBS = $(SIM_MODEL_LIBS) $(CMOCKA_LIBS)

tests_sim_test_sim_device_SOURCES = tests/sim/test-sim-device.c $(sim_model_test_sources)
tests_sim_test_sim_device_CFLAGS = $(TEST_CFLAGS)
tests_sim_test_sim_device_LDADD = $(SIM_MODEL_TEST_LIBS)
tests_sim_test_sim_records_SOURCES = tests/sim/test-sim-records.c $(sim_model_test_sources)
tests_sim_test_sim_records_CFLAGS = $(TEST_CFLAGS)
tests_sim_test_sim_records_LDADD = $(SIM_MODEL_TEST_LIBS)
tests_sim_test_sim_model_SOURCES = tests/sim/test-sim-model.c \
	tests/sim/test-sim-view.h tests/sim/test-sim-view.c $(sim_model_test_sources)
tests_sim_test_sim_model_CFLAGS = $(TEST_CFLAGS)
tests_sim_test_sim_model_LDADD = $(SIM_MODEL_TEST_LIBS)

# roller-sim --mock-bluez on test-bus's private bus (sim-harness: the
# sim's layer over it); the test plays the central through the generated
# Bluez* proxies.
roller_sim_test_sources = tests/sim/sim-harness.h tests/sim/sim-harness.c \
	tests/sim/sim-central.h tests/sim/sim-central.c
roller_sim_test_cflags = $(TEST_CFLAGS) $(GLIB_CFLAGS)
roller_sim_test_ldadd = $(TEST_BUS_LIBS) $(BLUEZ_GDBUS_LIBS) $(ROLLER_PROTO_LIBS) \
	$(GLIB_LIBS) $(CMOCKA_LIBS)
roller_sim_tests = tests/sim/test-sim-mock tests/sim/test-sim-mock-link \
	tests/sim/test-sim-mock-faults tests/sim/test-sim-pairing \
	tests/sim/test-sim-peripheral
check_PROGRAMS += $(roller_sim_tests)
TESTS += $(roller_sim_tests)

tests_sim_test_sim_mock_SOURCES = tests/sim/test-sim-mock.c $(roller_sim_test_sources)
tests_sim_test_sim_mock_CFLAGS = $(roller_sim_test_cflags)
tests_sim_test_sim_mock_LDADD = $(roller_sim_test_ldadd)
tests_sim_test_sim_mock_link_SOURCES = tests/sim/test-sim-mock-link.c $(roller_sim_test_sources)
tests_sim_test_sim_mock_link_CFLAGS = $(roller_sim_test_cflags)
tests_sim_test_sim_mock_link_LDADD = $(roller_sim_test_ldadd)
tests_sim_test_sim_mock_faults_SOURCES = tests/sim/test-sim-mock-faults.c $(roller_sim_test_sources)
tests_sim_test_sim_mock_faults_CFLAGS = $(roller_sim_test_cflags)
tests_sim_test_sim_mock_faults_LDADD = $(roller_sim_test_ldadd)
tests_sim_test_sim_pairing_SOURCES = tests/sim/test-sim-pairing.c $(roller_sim_test_sources)
tests_sim_test_sim_pairing_CFLAGS = $(roller_sim_test_cflags)
tests_sim_test_sim_pairing_LDADD = $(roller_sim_test_ldadd)
tests_sim_test_sim_peripheral_SOURCES = tests/sim/test-sim-peripheral.c $(roller_sim_test_sources)
tests_sim_test_sim_peripheral_CFLAGS = $(roller_sim_test_cflags)
tests_sim_test_sim_peripheral_LDADD = $(roller_sim_test_ldadd)

## common/ -------------------------------------------------------------
# What rollerd and rollerctl share: the live stream's packets.
common_tests = tests/common/test-live-packet
check_PROGRAMS += $(common_tests)
TESTS += $(common_tests)
tests_common_test_live_packet_SOURCES = tests/common/test-live-packet.c
tests_common_test_live_packet_CFLAGS = $(TEST_CFLAGS) $(GLIB_CFLAGS)
tests_common_test_live_packet_LDADD = common/librollerd-common.a $(GLIB_LIBS) $(CMOCKA_LIBS)

## daemon/ -------------------------------------------------------------
# rollerd's parts without a bus: the live aggregator, feedback, rejects,
# rollerd.conf, GVariant helpers; and rd-live fed by hand.
daemon_tests = tests/daemon/test-live-session tests/daemon/test-feedback \
	tests/daemon/test-config tests/daemon/test-rejects tests/daemon/test-variant \
	tests/daemon/test-live tests/daemon/test-state-dir tests/daemon/test-log-limit \
	tests/daemon/test-reorder \
	tests/daemon/test-rate-limit tests/daemon/test-bus-peers tests/daemon/test-live-stream
check_PROGRAMS += $(daemon_tests)
TESTS += $(daemon_tests)
DAEMON_TEST_CFLAGS = $(TEST_CFLAGS) $(GLIB_CFLAGS)
DAEMON_TEST_LIBS = $(ROLLERD_LIBS) $(CMOCKA_LIBS)

tests_daemon_test_live_session_SOURCES = tests/daemon/test-live-session.c tests/daemon/test-live-util.h
tests_daemon_test_live_session_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_daemon_test_live_session_LDADD = $(DAEMON_TEST_LIBS)
tests_daemon_test_feedback_SOURCES = tests/daemon/test-feedback.c tests/daemon/test-live-util.h
tests_daemon_test_feedback_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_daemon_test_feedback_LDADD = $(DAEMON_TEST_LIBS)
tests_daemon_test_config_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_daemon_test_config_LDADD = $(DAEMON_TEST_LIBS)
tests_daemon_test_rejects_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_daemon_test_rejects_LDADD = $(DAEMON_TEST_LIBS)
tests_daemon_test_variant_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_daemon_test_variant_LDADD = $(DAEMON_TEST_LIBS)
tests_daemon_test_log_limit_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_daemon_test_log_limit_LDADD = $(DAEMON_TEST_LIBS)
tests_daemon_test_state_dir_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_daemon_test_state_dir_LDADD = $(DAEMON_TEST_LIBS)
tests_daemon_test_reorder_SOURCES = tests/daemon/test-reorder.c
tests_daemon_test_reorder_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_daemon_test_reorder_LDADD = $(DAEMON_TEST_LIBS)
tests_daemon_test_live_SOURCES = tests/daemon/test-live.c tests/daemon/test-live-util.h
tests_daemon_test_live_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_daemon_test_live_LDADD = $(DAEMON_TEST_LIBS)
tests_daemon_test_rate_limit_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_daemon_test_rate_limit_LDADD = $(DAEMON_TEST_LIBS)
# The callers' side of these two on test-bus's private bus.
tests_daemon_test_bus_peers_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_daemon_test_bus_peers_LDADD = $(TEST_BUS_LIBS) $(DAEMON_TEST_LIBS)
tests_daemon_test_live_stream_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_daemon_test_live_stream_LDADD = $(TEST_BUS_LIBS) $(DAEMON_TEST_LIBS)

## store/ --------------------------------------------------------------
store_tests = tests/store/test-store tests/store/test-store-export tests/store/test-store-migrate \
	tests/store/test-store-damage tests/store/test-store-backup tests/store/test-store-restore \
	tests/store/test-store-import \
	tests/store/test-store-people tests/store/test-store-outbox
check_PROGRAMS += $(store_tests)
TESTS += $(store_tests)
store_test_sources = tests/store/test-store-util.h tests/store/test-store-util.c
STORE_TEST_CFLAGS = $(TEST_CFLAGS) $(GLIB_CFLAGS) $(SQLITE_CFLAGS) $(JSON_GLIB_CFLAGS)

tests_store_test_store_SOURCES = tests/store/test-store.c $(store_test_sources)
tests_store_test_store_CFLAGS = $(STORE_TEST_CFLAGS)
tests_store_test_store_LDADD = $(DAEMON_TEST_LIBS)
tests_store_test_store_export_SOURCES = tests/store/test-store-export.c $(store_test_sources)
tests_store_test_store_export_CFLAGS = $(STORE_TEST_CFLAGS)
tests_store_test_store_export_LDADD = $(DAEMON_TEST_LIBS)
tests_store_test_store_migrate_SOURCES = tests/store/test-store-migrate.c $(store_test_sources)
tests_store_test_store_migrate_CFLAGS = $(STORE_TEST_CFLAGS)
tests_store_test_store_migrate_LDADD = $(DAEMON_TEST_LIBS)
tests_store_test_store_damage_SOURCES = tests/store/test-store-damage.c $(store_test_sources)
tests_store_test_store_damage_CFLAGS = $(STORE_TEST_CFLAGS)
tests_store_test_store_damage_LDADD = $(DAEMON_TEST_LIBS)
tests_store_test_store_backup_SOURCES = tests/store/test-store-backup.c $(store_test_sources)
tests_store_test_store_backup_CFLAGS = $(STORE_TEST_CFLAGS)
tests_store_test_store_backup_LDADD = $(DAEMON_TEST_LIBS)
tests_store_test_store_restore_SOURCES = tests/store/test-store-restore.c $(store_test_sources)
tests_store_test_store_restore_CFLAGS = $(STORE_TEST_CFLAGS)
tests_store_test_store_restore_LDADD = $(DAEMON_TEST_LIBS)
tests_store_test_store_import_SOURCES = tests/store/test-store-import.c $(store_test_sources)
tests_store_test_store_import_CFLAGS = $(STORE_TEST_CFLAGS)
tests_store_test_store_import_LDADD = $(DAEMON_TEST_LIBS)
tests_store_test_store_people_SOURCES = tests/store/test-store-people.c $(store_test_sources)
tests_store_test_store_people_CFLAGS = $(STORE_TEST_CFLAGS)
tests_store_test_store_people_LDADD = $(DAEMON_TEST_LIBS)
tests_store_test_store_outbox_SOURCES = tests/store/test-store-outbox.c $(store_test_sources)
tests_store_test_store_outbox_CFLAGS = $(STORE_TEST_CFLAGS)
tests_store_test_store_outbox_LDADD = $(DAEMON_TEST_LIBS)

## clinic/ -------------------------------------------------------------
# The clinic's journal against a real PostgreSQL the tests start
# (tests/clinic/test-pg-server.h); they skip (77) without its server.
clinic_tests = tests/clinic/test-clinic-sync tests/clinic/test-pg-conn \
	tests/clinic/test-pg-params
check_PROGRAMS += $(clinic_tests)
TESTS += $(clinic_tests)
clinic_test_sources = tests/clinic/test-pg-server.h tests/clinic/test-pg-server.c \
	$(store_test_sources)
tests_clinic_test_clinic_sync_SOURCES = tests/clinic/test-clinic-sync.c $(clinic_test_sources)
tests_clinic_test_clinic_sync_CFLAGS = $(STORE_TEST_CFLAGS) $(LIBPQ_CFLAGS)
tests_clinic_test_clinic_sync_LDADD = $(DAEMON_TEST_LIBS)
tests_clinic_test_pg_conn_SOURCES = tests/clinic/test-pg-conn.c $(clinic_test_sources)
tests_clinic_test_pg_conn_CFLAGS = $(STORE_TEST_CFLAGS) $(LIBPQ_CFLAGS)
tests_clinic_test_pg_conn_LDADD = $(DAEMON_TEST_LIBS)
tests_clinic_test_pg_params_SOURCES = tests/clinic/test-pg-params.c
tests_clinic_test_pg_params_CFLAGS = $(STORE_TEST_CFLAGS) $(LIBPQ_CFLAGS)
tests_clinic_test_pg_params_LDADD = $(DAEMON_TEST_LIBS)

## client/ -------------------------------------------------------------
# rollerctl's error sentences, without a bus.
check_PROGRAMS += tests/client/test-rc-errors
TESTS += tests/client/test-rc-errors
tests_client_test_rc_errors_SOURCES = tests/client/test-rc-errors.c client/rc-common.c client/rc-common.h
tests_client_test_rc_errors_CFLAGS = $(TEST_CFLAGS) $(GLIB_CFLAGS) $(JSON_GLIB_CFLAGS)
tests_client_test_rc_errors_LDADD = $(ROLLERD_COMMON_LIBS) $(GLIB_LIBS) \
	$(JSON_GLIB_LIBS) $(CMOCKA_LIBS)

# The monitor's pure parts: the force view (the contact-force gauge, the
# curve's columns) and the alerts' word wrap; the force trace's gaps in
# show's sparkline and the report's chart.
client_unit_tests = tests/client/test-force-view tests/client/test-wrap \
	tests/client/test-force-trace
check_PROGRAMS += $(client_unit_tests)
TESTS += $(client_unit_tests)
tests_client_test_force_view_SOURCES = tests/client/test-force-view.c \
	client/rc-force-view.c client/rc-force-view.h
tests_client_test_force_view_CFLAGS = $(TEST_CFLAGS) $(GLIB_CFLAGS)
tests_client_test_force_view_LDADD = $(ROLLER_PROTO_LIBS) $(GLIB_LIBS) $(CMOCKA_LIBS)
tests_client_test_wrap_SOURCES = tests/client/test-wrap.c client/rc-wrap.c client/rc-wrap.h
tests_client_test_wrap_CFLAGS = $(TEST_CFLAGS) $(GLIB_CFLAGS)
tests_client_test_wrap_LDADD = $(GLIB_LIBS) $(CMOCKA_LIBS)
tests_client_test_force_trace_SOURCES = tests/client/test-force-trace.c \
	client/rc-trace.c client/rc-trace.h client/rc-report-draw.c client/rc-report-private.h
tests_client_test_force_trace_CFLAGS = $(TEST_CFLAGS) $(GLIB_CFLAGS) $(JSON_GLIB_CFLAGS) \
	$(CAIRO_CFLAGS)
tests_client_test_force_trace_LDADD = $(GLIB_LIBS) $(CAIRO_LIBS) $(CMOCKA_LIBS) -lm

TESTS += tests/client/test-rollerctl-decode.sh
EXTRA_DIST += tests/client/test-rollerctl-decode.sh
tests/client/test-rollerctl-decode.log: client/rollerctl$(EXEEXT)

# rollerctl against rollerd: commands, their --json, the report's pages
# (pdfinfo and pdftotext of poppler-utils), a terminal (a pty, tmux).
client_rollerctl_test_sources = tests/client/test-rollerctl-util.h tests/client/test-rollerctl-util.c
CLIENT_TEST_CFLAGS = $(TEST_DAEMON_CFLAGS) $(JSON_GLIB_CFLAGS)
CLIENT_TEST_LIBS = $(TEST_DAEMON_LIBS) $(JSON_GLIB_LIBS)
client_tests = tests/client/test-rollerctl tests/client/test-rollerctl-json \
	tests/client/test-rollerctl-report tests/client/test-rollerctl-tty \
	tests/client/test-rollerctl-journal \
	tests/client/test-rollerctl-people tests/client/test-rollerctl-remind \
	tests/client/test-rollerctl-monitor tests/client/test-rollerctl-usage \
	tests/client/test-rollerctl-completion
check_PROGRAMS += $(client_tests)
TESTS += $(client_tests)

tests_client_test_rollerctl_SOURCES = tests/client/test-rollerctl.c $(client_rollerctl_test_sources)
tests_client_test_rollerctl_CFLAGS = $(CLIENT_TEST_CFLAGS)
tests_client_test_rollerctl_LDADD = $(CLIENT_TEST_LIBS)
tests_client_test_rollerctl_json_SOURCES = tests/client/test-rollerctl-json.c $(client_rollerctl_test_sources)
tests_client_test_rollerctl_json_CFLAGS = $(CLIENT_TEST_CFLAGS)
tests_client_test_rollerctl_json_LDADD = $(CLIENT_TEST_LIBS)
tests_client_test_rollerctl_report_SOURCES = tests/client/test-rollerctl-report.c $(client_rollerctl_test_sources)
tests_client_test_rollerctl_report_CFLAGS = $(CLIENT_TEST_CFLAGS) $(CAIRO_CFLAGS)
tests_client_test_rollerctl_report_LDADD = $(CLIENT_TEST_LIBS) $(CAIRO_LIBS)
tests_client_test_rollerctl_journal_SOURCES = tests/client/test-rollerctl-journal.c \
	$(client_rollerctl_test_sources)
tests_client_test_rollerctl_journal_CFLAGS = $(CLIENT_TEST_CFLAGS) $(SQLITE_CFLAGS)
tests_client_test_rollerctl_journal_LDADD = $(CLIENT_TEST_LIBS) $(SQLITE_LIBS)
tests_client_test_rollerctl_people_SOURCES = tests/client/test-rollerctl-people.c $(client_rollerctl_test_sources)
tests_client_test_rollerctl_people_CFLAGS = $(CLIENT_TEST_CFLAGS)
tests_client_test_rollerctl_people_LDADD = $(CLIENT_TEST_LIBS)
tests_client_test_rollerctl_remind_SOURCES = tests/client/test-rollerctl-remind.c $(client_rollerctl_test_sources)
tests_client_test_rollerctl_remind_CFLAGS = $(CLIENT_TEST_CFLAGS)
tests_client_test_rollerctl_remind_LDADD = $(CLIENT_TEST_LIBS)
tests_client_test_rollerctl_monitor_SOURCES = tests/client/test-rollerctl-monitor.c $(client_rollerctl_test_sources)
tests_client_test_rollerctl_monitor_CFLAGS = $(CLIENT_TEST_CFLAGS)
tests_client_test_rollerctl_monitor_LDADD = $(CLIENT_TEST_LIBS)
tests_client_test_rollerctl_usage_SOURCES = tests/client/test-rollerctl-usage.c $(client_rollerctl_test_sources)
tests_client_test_rollerctl_usage_CFLAGS = $(CLIENT_TEST_CFLAGS)
tests_client_test_rollerctl_usage_LDADD = $(CLIENT_TEST_LIBS)
tests_client_test_rollerctl_completion_SOURCES = tests/client/test-rollerctl-completion.c \
	$(client_rollerctl_test_sources)
tests_client_test_rollerctl_completion_CFLAGS = $(CLIENT_TEST_CFLAGS)
tests_client_test_rollerctl_completion_LDADD = $(CLIENT_TEST_LIBS)
tests_client_test_rollerctl_tty_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_client_test_rollerctl_tty_LDADD = $(TEST_DAEMON_LIBS)

## integration/ --------------------------------------------------------
integration_tests = tests/integration/test-daemon-live tests/integration/test-daemon-hostile \
	tests/integration/test-daemon-link tests/integration/test-daemon-sync \
	tests/integration/test-daemon-sync-crash \
	tests/integration/test-daemon-polkit tests/integration/test-dbus-robustness \
	tests/integration/test-examples tests/integration/test-daemon-access \
	tests/integration/test-daemon-limits tests/integration/test-daemon-journal \
	tests/integration/test-daemon-pairing \
	tests/integration/test-daemon-watch \
	tests/integration/test-daemon-people tests/integration/test-daemon-clinic
check_PROGRAMS += $(integration_tests)
TESTS += $(integration_tests)

tests_integration_test_daemon_pairing_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_integration_test_daemon_pairing_LDADD = $(TEST_DAEMON_LIBS)
tests_integration_test_daemon_live_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_integration_test_daemon_live_LDADD = $(TEST_DAEMON_LIBS)
tests_integration_test_daemon_watch_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_integration_test_daemon_watch_LDADD = $(TEST_DAEMON_LIBS)
tests_integration_test_daemon_hostile_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_integration_test_daemon_hostile_LDADD = $(TEST_DAEMON_LIBS)
tests_integration_test_daemon_link_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_integration_test_daemon_link_LDADD = $(TEST_DAEMON_LIBS)
tests_integration_test_daemon_sync_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_integration_test_daemon_sync_LDADD = $(TEST_DAEMON_LIBS)
tests_integration_test_daemon_sync_crash_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_integration_test_daemon_sync_crash_LDADD = $(TEST_DAEMON_LIBS)
tests_integration_test_daemon_polkit_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_integration_test_daemon_polkit_LDADD = $(TEST_DAEMON_LIBS)
tests_integration_test_dbus_robustness_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_integration_test_dbus_robustness_LDADD = $(TEST_DAEMON_LIBS)
tests_integration_test_daemon_access_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_integration_test_daemon_access_LDADD = $(TEST_DAEMON_LIBS)
tests_integration_test_daemon_limits_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_integration_test_daemon_limits_LDADD = $(TEST_DAEMON_LIBS)
tests_integration_test_daemon_journal_CFLAGS = $(TEST_DAEMON_CFLAGS) $(SQLITE_CFLAGS)
tests_integration_test_daemon_journal_LDADD = $(TEST_DAEMON_LIBS) $(SQLITE_LIBS)
# The journal made beforehand through the store's own API.
tests_integration_test_daemon_people_CFLAGS = $(TEST_DAEMON_CFLAGS) $(SQLITE_CFLAGS)
tests_integration_test_daemon_people_LDADD = $(TEST_DAEMON_LIBS) $(ROLLERD_LIBS)
# Three rooms and a real PostgreSQL (tests/clinic/test-pg-server.h).
tests_integration_test_daemon_clinic_SOURCES = tests/integration/test-daemon-clinic.c \
	tests/clinic/test-pg-server.h tests/clinic/test-pg-server.c \
	tests/client/test-rollerctl-util.h tests/client/test-rollerctl-util.c
tests_integration_test_daemon_clinic_CFLAGS = $(TEST_DAEMON_CFLAGS) $(LIBPQ_CFLAGS) \
	$(JSON_GLIB_CFLAGS)
tests_integration_test_daemon_clinic_LDADD = $(TEST_DAEMON_LIBS) $(ROLLERD_LIBS) $(LIBPQ_LIBS) \
	$(JSON_GLIB_LIBS)
tests_integration_test_examples_CFLAGS = $(TEST_DAEMON_CFLAGS) $(JSON_GLIB_CFLAGS)
tests_integration_test_examples_LDADD = $(TEST_DAEMON_LIBS) $(JSON_GLIB_LIBS)
EXTRA_DIST += docs/examples/watch-alerts.py docs/examples/live-stream.py \
	docs/examples/export-last-week.sh

## vm/ -----------------------------------------------------------------
# rollerd and roller-sim --peripheral through bluetoothd and the kernel in
# a qemu VM (tests/vm/check-vm.sh).  Not part of make check: `make
# check-vm` runs it; it skips (77) where no VM can run.
check_PROGRAMS += tests/vm/test-vm-bluez
tests_vm_test_vm_bluez_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_vm_test_vm_bluez_LDADD = $(TEST_DAEMON_LIBS)
EXTRA_DIST += tests/vm/check-vm.sh tests/vm/guest.sh tests/vm/initramfs-init \
	tests/vm/debian-packages tests/vm/prepare-root-trixie.sh tests/vm/polkit-mock.conf \
	docs/testing.md

# make check-vm VM_BLUEZ=5.82 VM_VARIANT=eatt-on: one version, one variant
# (each takes a list; empty: all of them).
check-vm: all tests/vm/test-vm-bluez$(EXEEXT)
	ROLLER_BUILDDIR="$(abs_top_builddir)" ROLLER_VM_BLUEZ="$(VM_BLUEZ)" \
	ROLLER_VM_VARIANTS="$(VM_VARIANT)" $(SHELL) $(top_srcdir)/tests/vm/check-vm.sh

clean-local: clean-vm
clean-vm:
	rm -rf vm-build vm-artifacts vm-summary vm-apt.log

.PHONY: check-vm clean-vm

## bench/ --------------------------------------------------------------
# Built by make, run by `make bench` (never by make check); they print
# figures.  (Not BENCH_PROGRAMS: automake takes any *_PROGRAMS for a
# primary and would want a BENCHdir to install them into.)
BENCHMARKS = tests/bench/bench-proto tests/bench/bench-daemon tests/bench/bench-history \
	tests/bench/bench-calls tests/bench/bench-clinic
noinst_PROGRAMS += $(BENCHMARKS)

# Automake puts the user's CFLAGS after these, so CFLAGS=-O0 still wins.
tests_bench_bench_proto_SOURCES = tests/bench/bench-proto.c \
	tests/bench/bench-proto-stream.h tests/bench/bench-proto-stream.c \
	tests/bench/bench-proto-simple.h tests/bench/bench-proto-simple.c
tests_bench_bench_proto_CFLAGS = $(AM_CFLAGS) -std=c11 -O2
# Counts heap allocations (see bench-proto.c); only this program wraps.
tests_bench_bench_proto_LDFLAGS = \
	-Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc
tests_bench_bench_proto_LDADD = $(ROLLER_PROTO_HOST_LIBS)

bench_util_sources = tests/bench/bench-util.h tests/bench/bench-util.c
# The live path against a bleak peer, under callgrind, and its memory
# (docs/testing.md); needs python3-bleak and valgrind for those parts.
tests_bench_bench_daemon_SOURCES = tests/bench/bench-daemon.c \
	tests/bench/bench-live.h tests/bench/bench-live.c \
	tests/bench/bench-peer.h tests/bench/bench-peer.c \
	tests/bench/bench-callgrind.h tests/bench/bench-callgrind.c $(bench_util_sources)
tests_bench_bench_daemon_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) -DTOP_SRCDIR='"$(abs_top_srcdir)"'
tests_bench_bench_daemon_LDADD = $(TEST_BUS_LIBS) common/librollerd-common.a $(GLIB_LIBS)
EXTRA_DIST += tests/bench/bench-bleak-peer.py

# Ping under 20 busy or hostile callers (rd-call-guard).
tests_bench_bench_calls_SOURCES = tests/bench/bench-calls.c $(bench_util_sources)
tests_bench_bench_calls_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
tests_bench_bench_calls_LDADD = $(TEST_BUS_LIBS) $(GLIB_LIBS)

# The history at 10,000 sessions, filled through the store's own API,
# queried through rollerd; then a sync of 300 records into it.
tests_bench_bench_history_SOURCES = tests/bench/bench-history.c $(bench_util_sources)
tests_bench_bench_history_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
tests_bench_bench_history_LDADD = $(TEST_BUS_LIBS) $(ROLLERD_LIBS)

# The clinic's journal against a real PostgreSQL: replication, lag, clinic
# pages over 100,000 sessions, the main loop beside a hanging server.
tests_bench_bench_clinic_SOURCES = tests/bench/bench-clinic.c $(bench_util_sources) \
	tests/clinic/test-pg-server.h tests/clinic/test-pg-server.c
tests_bench_bench_clinic_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(SQLITE_CFLAGS) $(LIBPQ_CFLAGS)
tests_bench_bench_clinic_LDADD = $(TEST_BUS_LIBS) $(ROLLERD_LIBS)

bench: $(BENCHMARKS) daemon/rollerd$(EXEEXT) sim/roller-sim$(EXEEXT)
	@for bench in $(BENCHMARKS); do \
		echo "== $$bench"; \
		ROLLER_BUILDDIR="$(abs_top_builddir)" ./$$bench || exit 1; \
	done

# One benchmark with its own arguments, e.g.
#   make bench-daemon BENCH_ARGS="--parts=peer --runs=5"
bench-daemon: tests/bench/bench-daemon daemon/rollerd$(EXEEXT) sim/roller-sim$(EXEEXT)
	ROLLER_BUILDDIR="$(abs_top_builddir)" ./tests/bench/bench-daemon $(BENCH_ARGS)

.PHONY: bench bench-daemon

## fuzz/ ---------------------------------------------------------------
# libFuzzer targets for firmware-proto.  Not built by make or make check
# (they need clang's -fsanitize=fuzzer, and CC may be gcc): `make fuzz`
# builds and runs them through run-fuzz.sh under fuzz-build/.
FUZZ_SECONDS = 60
FUZZ_TARGETS = frame record reassembler
EXTRA_DIST += tests/fuzz/fuzz-frame.c tests/fuzz/fuzz-record.c tests/fuzz/fuzz-reassembler.c \
	tests/fuzz/make-seeds.sh tests/fuzz/run-fuzz.sh

fuzz:
	ROLLER_BUILDDIR="$(abs_top_builddir)" $(SHELL) \
		$(top_srcdir)/tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The grown corpora live in fuzz-build/ too, so make clean leaves it alone.
fuzz-clean:
	rm -rf fuzz-build

.PHONY: fuzz fuzz-clean

include tests/mqtt/local.mk
