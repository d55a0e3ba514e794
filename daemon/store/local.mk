# rollerd's session history (SQLite) and its tests.
noinst_LIBRARIES += daemon/librollerd-store.a
daemon_librollerd_store_a_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(SQLITE_CFLAGS) $(JSON_GLIB_CFLAGS)
daemon_librollerd_store_a_SOURCES = \
	daemon/rd-store.h daemon/rd-store-private.h \
	daemon/rd-store.c daemon/rd-store-schema.c \
	daemon/rd-store-commit.c daemon/rd-store-query.c daemon/rd-store-journal.c \
	daemon/rd-store-export.c
# rd-error.c (RD_ERROR) lives in ROLLERD_BASE_LIBS.
ROLLERD_STORE_LIBS = daemon/librollerd-store.a

store_tests = tests/test-store tests/test-store-export tests/test-store-migrate
check_PROGRAMS += $(store_tests)
TESTS += $(store_tests)

store_test_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
store_test_cflags = $(TEST_CFLAGS) $(GLIB_CFLAGS) $(SQLITE_CFLAGS) $(JSON_GLIB_CFLAGS)
store_test_ldadd = $(ROLLERD_STORE_LIBS) $(ROLLERD_BASE_LIBS) $(ROLLER_PROTO_LIBS) \
	$(GLIB_LIBS) $(SQLITE_LIBS) $(JSON_GLIB_LIBS) $(CMOCKA_LIBS)

tests_test_store_SOURCES = tests/test-store.c tests/test-store-util.h tests/test-store-util.c
tests_test_store_CPPFLAGS = $(store_test_cppflags)
tests_test_store_CFLAGS = $(store_test_cflags)
tests_test_store_LDADD = $(store_test_ldadd)

tests_test_store_export_SOURCES = tests/test-store-export.c tests/test-store-util.h tests/test-store-util.c
tests_test_store_export_CPPFLAGS = $(store_test_cppflags)
tests_test_store_export_CFLAGS = $(store_test_cflags)
tests_test_store_export_LDADD = $(store_test_ldadd)

tests_test_store_migrate_SOURCES = tests/test-store-migrate.c tests/test-store-util.h tests/test-store-util.c
tests_test_store_migrate_CPPFLAGS = $(store_test_cppflags)
tests_test_store_migrate_CFLAGS = $(store_test_cflags)
tests_test_store_migrate_LDADD = $(store_test_ldadd)
