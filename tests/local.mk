# Unit tests (cmocka, one file per module) and tool tests; run by make check.
AM_TESTS_ENVIRONMENT = \
	ROLLER_TEST_DATA=$(abs_top_srcdir)/tests/data \
	ROLLER_BUILDDIR=$(abs_top_builddir) \
	ROLLER_SRCDIR=$(abs_top_srcdir); \
	export ROLLER_TEST_DATA ROLLER_BUILDDIR ROLLER_SRCDIR;

TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) -DTEST_DATA_DIR='"$(abs_top_srcdir)/tests/data"'
TEST_LIBS = tests/libtest-util.a $(ROLLER_PROTO_LIBS) $(CMOCKA_LIBS)

check_LIBRARIES = tests/libtest-util.a
tests_libtest_util_a_SOURCES = tests/test-vectors.h tests/test-vectors.c
tests_libtest_util_a_CFLAGS = $(TEST_CFLAGS)

proto_tests = tests/test-dump
check_PROGRAMS += $(proto_tests)
TESTS += $(proto_tests)

tests_test_dump_SOURCES = tests/test-dump.c
tests_test_dump_CFLAGS = $(TEST_CFLAGS)
tests_test_dump_LDADD = $(TEST_LIBS)

EXTRA_DIST += tests/data/profile-v1.vec
