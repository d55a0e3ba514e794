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

EXTRA_DIST += tests/data/profile-v1.vec
