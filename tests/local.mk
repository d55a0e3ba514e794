# Unit tests (cmocka, one file per module) and tool tests; run by make check.
AM_TESTS_ENVIRONMENT = \
	ROLLER_TEST_DATA=$(abs_top_srcdir)/tests/data \
	ROLLER_BUILDDIR=$(abs_top_builddir) \
	ROLLER_SRCDIR=$(abs_top_srcdir); \
	export ROLLER_TEST_DATA ROLLER_BUILDDIR ROLLER_SRCDIR;

TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -DTEST_DATA_DIR='"$(abs_top_srcdir)/tests/data"'
TEST_LIBS = tests/libtest-util.a $(ROLLER_PROTO_LIBS) $(CMOCKA_LIBS)

check_LIBRARIES = tests/libtest-util.a tests/libtest-bus.a
# Integration tests' private bus and children; link with $(GLIB_LIBS).
tests_libtest_bus_a_SOURCES = tests/test-bus.h tests/test-bus.c
tests_libtest_bus_a_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
TEST_BUS_LIBS = tests/libtest-bus.a
tests_libtest_util_a_SOURCES = tests/test-vectors.h tests/test-vectors.c \
	tests/test-util.h tests/test-frame-model.h tests/test-frame-model.c
tests_libtest_util_a_CFLAGS = $(TEST_CFLAGS)

proto_tests = tests/test-dump tests/test-crc tests/test-frame \
	tests/test-record tests/test-transfer tests/test-control \
	tests/test-info tests/test-hex
check_PROGRAMS += $(proto_tests)
TESTS += $(proto_tests)

tests_test_dump_SOURCES = tests/test-dump.c
tests_test_dump_CFLAGS = $(TEST_CFLAGS)
tests_test_dump_LDADD = $(TEST_LIBS)

tests_test_crc_SOURCES = tests/test-crc.c
tests_test_crc_CFLAGS = $(TEST_CFLAGS)
tests_test_crc_LDADD = $(TEST_LIBS)

tests_test_frame_SOURCES = tests/test-frame.c
tests_test_frame_CFLAGS = $(TEST_CFLAGS)
tests_test_frame_LDADD = $(TEST_LIBS)

tests_test_record_SOURCES = tests/test-record.c
tests_test_record_CFLAGS = $(TEST_CFLAGS)
tests_test_record_LDADD = $(TEST_LIBS)

tests_test_transfer_SOURCES = tests/test-transfer.c
tests_test_transfer_CFLAGS = $(TEST_CFLAGS)
tests_test_transfer_LDADD = $(TEST_LIBS)

tests_test_control_SOURCES = tests/test-control.c
tests_test_control_CFLAGS = $(TEST_CFLAGS)
tests_test_control_LDADD = $(TEST_LIBS)

tests_test_info_SOURCES = tests/test-info.c
tests_test_info_CFLAGS = $(TEST_CFLAGS)
tests_test_info_LDADD = $(TEST_LIBS)

tests_test_hex_SOURCES = tests/test-hex.c
tests_test_hex_CFLAGS = $(TEST_CFLAGS)
tests_test_hex_LDADD = $(TEST_LIBS)

# Shell tests, run with the automake harness through SH_LOG_COMPILER (so a
# LOG_COMPILER such as valgrind only wraps the C tests).
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
tool_tests = tests/test-rollerctl-decode.sh tests/check-proto-portable.sh
TESTS += $(tool_tests)
EXTRA_DIST += $(tool_tests)
tests/test-rollerctl-decode.log: client/rollerctl$(EXEEXT)
tests/check-proto-portable.log: $(ROLLER_PROTO_LIBS)

EXTRA_DIST += tests/data/profile-v1.vec tests/lsan.supp

# The daemon's integration tests: roller-sim and rollerd on a private bus.
check_LIBRARIES += tests/libtest-daemon.a
tests_libtest_daemon_a_SOURCES = tests/test-daemon-util.h tests/test-daemon-util.c \
	tests/test-daemon-assert.c
tests_libtest_daemon_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
tests_libtest_daemon_a_CFLAGS = $(TEST_CFLAGS) $(GLIB_CFLAGS)
TEST_DAEMON_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
TEST_DAEMON_CFLAGS = $(TEST_CFLAGS) $(GLIB_CFLAGS)
TEST_DAEMON_LIBS = tests/libtest-daemon.a $(TEST_BUS_LIBS) $(ROLLERD_BASE_LIBS) \
	$(ROLLER_PROTO_LIBS) $(GLIB_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/test-daemon-live
TESTS += tests/test-daemon-live
tests_test_daemon_live_SOURCES = tests/test-daemon-live.c
tests_test_daemon_live_CPPFLAGS = $(TEST_DAEMON_CPPFLAGS)
tests_test_daemon_live_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_test_daemon_live_LDADD = $(TEST_DAEMON_LIBS)

check_PROGRAMS += tests/test-daemon-hostile
TESTS += tests/test-daemon-hostile
tests_test_daemon_hostile_SOURCES = tests/test-daemon-hostile.c
tests_test_daemon_hostile_CPPFLAGS = $(TEST_DAEMON_CPPFLAGS)
tests_test_daemon_hostile_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_test_daemon_hostile_LDADD = $(TEST_DAEMON_LIBS)

check_PROGRAMS += tests/test-daemon-link
TESTS += tests/test-daemon-link
tests_test_daemon_link_SOURCES = tests/test-daemon-link.c
tests_test_daemon_link_CPPFLAGS = $(TEST_DAEMON_CPPFLAGS)
tests_test_daemon_link_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_test_daemon_link_LDADD = $(TEST_DAEMON_LIBS)

check_PROGRAMS += tests/test-examples
TESTS += tests/test-examples
tests_test_examples_SOURCES = tests/test-examples.c
tests_test_examples_CPPFLAGS = $(TEST_DAEMON_CPPFLAGS)
tests_test_examples_CFLAGS = $(TEST_DAEMON_CFLAGS) $(JSON_GLIB_CFLAGS)
tests_test_examples_LDADD = $(TEST_DAEMON_LIBS) $(JSON_GLIB_LIBS)
EXTRA_DIST += docs/examples/watch-alerts.py docs/examples/export-last-week.sh \
	docs/architecture.md

# rollerctl against rollerd: commands, their --json, the report's pages.
TEST_ROLLERCTL_SOURCES = tests/test-rollerctl-util.h tests/test-rollerctl-util.c
TEST_ROLLERCTL_CFLAGS = $(TEST_DAEMON_CFLAGS) $(JSON_GLIB_CFLAGS)
TEST_ROLLERCTL_LIBS = $(TEST_DAEMON_LIBS) $(JSON_GLIB_LIBS)

check_PROGRAMS += tests/test-rollerctl
TESTS += tests/test-rollerctl
tests_test_rollerctl_SOURCES = tests/test-rollerctl.c $(TEST_ROLLERCTL_SOURCES)
tests_test_rollerctl_CPPFLAGS = $(TEST_DAEMON_CPPFLAGS)
tests_test_rollerctl_CFLAGS = $(TEST_ROLLERCTL_CFLAGS)
tests_test_rollerctl_LDADD = $(TEST_ROLLERCTL_LIBS)

check_PROGRAMS += tests/test-rollerctl-json
TESTS += tests/test-rollerctl-json
tests_test_rollerctl_json_SOURCES = tests/test-rollerctl-json.c $(TEST_ROLLERCTL_SOURCES)
tests_test_rollerctl_json_CPPFLAGS = $(TEST_DAEMON_CPPFLAGS)
tests_test_rollerctl_json_CFLAGS = $(TEST_ROLLERCTL_CFLAGS)
tests_test_rollerctl_json_LDADD = $(TEST_ROLLERCTL_LIBS)

# rollerctl's error sentences, without a bus.
check_PROGRAMS += tests/test-rc-errors
TESTS += tests/test-rc-errors
tests_test_rc_errors_SOURCES = tests/test-rc-errors.c client/rc-common.c client/rc-common.h
tests_test_rc_errors_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/client -I$(top_srcdir)/daemon \
	-I$(top_builddir)/daemon
tests_test_rc_errors_CFLAGS = $(TEST_CFLAGS) $(GLIB_CFLAGS) $(JSON_GLIB_CFLAGS)
tests_test_rc_errors_LDADD = $(ROLLERD_DBUS_LIBS) $(ROLLERD_BASE_LIBS) $(GLIB_LIBS) \
	$(JSON_GLIB_LIBS) $(CMOCKA_LIBS)

# pdfinfo and pdftotext (poppler-utils) read the PDFs.
check_PROGRAMS += tests/test-rollerctl-report
TESTS += tests/test-rollerctl-report
tests_test_rollerctl_report_SOURCES = tests/test-rollerctl-report.c $(TEST_ROLLERCTL_SOURCES)
tests_test_rollerctl_report_CPPFLAGS = $(TEST_DAEMON_CPPFLAGS)
tests_test_rollerctl_report_CFLAGS = $(TEST_ROLLERCTL_CFLAGS) $(CAIRO_CFLAGS)
tests_test_rollerctl_report_LDADD = $(TEST_ROLLERCTL_LIBS) $(CAIRO_LIBS)

# rollerctl on a terminal: a pty of its own, and tmux for the monitor.
check_PROGRAMS += tests/test-rollerctl-tty
TESTS += tests/test-rollerctl-tty
tests_test_rollerctl_tty_SOURCES = tests/test-rollerctl-tty.c
tests_test_rollerctl_tty_CPPFLAGS = $(TEST_DAEMON_CPPFLAGS)
tests_test_rollerctl_tty_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_test_rollerctl_tty_LDADD = $(TEST_DAEMON_LIBS)

check_PROGRAMS += tests/test-daemon-sync
TESTS += tests/test-daemon-sync
tests_test_daemon_sync_SOURCES = tests/test-daemon-sync.c
tests_test_daemon_sync_CPPFLAGS = $(TEST_DAEMON_CPPFLAGS)
tests_test_daemon_sync_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_test_daemon_sync_LDADD = $(TEST_DAEMON_LIBS)

check_PROGRAMS += tests/test-dbus-robustness
TESTS += tests/test-dbus-robustness
tests_test_dbus_robustness_SOURCES = tests/test-dbus-robustness.c
tests_test_dbus_robustness_CPPFLAGS = $(TEST_DAEMON_CPPFLAGS)
tests_test_dbus_robustness_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_test_dbus_robustness_LDADD = $(TEST_DAEMON_LIBS)

check_PROGRAMS += tests/test-daemon-polkit
TESTS += tests/test-daemon-polkit
tests_test_daemon_polkit_SOURCES = tests/test-daemon-polkit.c
tests_test_daemon_polkit_CPPFLAGS = $(TEST_DAEMON_CPPFLAGS)
tests_test_daemon_polkit_CFLAGS = $(TEST_DAEMON_CFLAGS)
tests_test_daemon_polkit_LDADD = $(TEST_DAEMON_LIBS)
