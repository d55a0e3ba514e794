# rollerd's core: the live session aggregator, technique feedback, the
# count of malformed frames and rollerd.conf.  Plain C over firmware-proto
# and GLib, no D-Bus, so the unit tests need neither a bus nor BlueZ.
noinst_LIBRARIES += daemon/librollerd-core.a
daemon_librollerd_core_a_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
daemon_librollerd_core_a_SOURCES = \
	daemon/rd-live-session.h daemon/rd-live-session.c \
	daemon/rd-rejects.h daemon/rd-rejects.c \
	daemon/rd-feedback.h daemon/rd-feedback.c \
	daemon/rd-config.h daemon/rd-config.c \
	daemon/rd-variant.h daemon/rd-variant.c
ROLLERD_CORE_LIBS = daemon/librollerd-core.a

# The shipped rollerd.conf; test-config checks it against the defaults.
EXTRA_DIST += data/rollerd.conf

core_tests = tests/test-live-session tests/test-feedback tests/test-config \
	tests/test-rejects tests/test-variant
check_PROGRAMS += $(core_tests)
TESTS += $(core_tests)

core_test_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon \
	-DTOP_SRCDIR='"$(abs_top_srcdir)"'
core_test_cflags = $(TEST_CFLAGS) $(GLIB_CFLAGS)
core_test_ldadd = $(ROLLERD_CORE_LIBS) $(ROLLER_PROTO_LIBS) $(GLIB_LIBS) $(CMOCKA_LIBS)

tests_test_live_session_SOURCES = tests/test-live-session.c tests/test-live-util.h
tests_test_live_session_CPPFLAGS = $(core_test_cppflags)
tests_test_live_session_CFLAGS = $(core_test_cflags)
tests_test_live_session_LDADD = $(core_test_ldadd)

tests_test_feedback_SOURCES = tests/test-feedback.c tests/test-live-util.h
tests_test_feedback_CPPFLAGS = $(core_test_cppflags)
tests_test_feedback_CFLAGS = $(core_test_cflags)
tests_test_feedback_LDADD = $(core_test_ldadd)

tests_test_rejects_SOURCES = tests/test-rejects.c
tests_test_rejects_CPPFLAGS = $(core_test_cppflags)
tests_test_rejects_CFLAGS = $(core_test_cflags)
tests_test_rejects_LDADD = $(core_test_ldadd)

tests_test_variant_SOURCES = tests/test-variant.c
tests_test_variant_CPPFLAGS = $(core_test_cppflags)
tests_test_variant_CFLAGS = $(core_test_cflags)
tests_test_variant_LDADD = $(core_test_ldadd)

tests_test_config_SOURCES = tests/test-config.c
tests_test_config_CPPFLAGS = $(core_test_cppflags)
tests_test_config_CFLAGS = $(core_test_cflags)
tests_test_config_LDADD = $(core_test_ldadd)
