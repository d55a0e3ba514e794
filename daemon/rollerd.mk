# rollerd: the daemon program, its D-Bus API code and its base library.
noinst_LIBRARIES += daemon/librollerd-base.a
daemon_librollerd_base_a_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
daemon_librollerd_base_a_SOURCES = daemon/rd-error.h daemon/rd-error.c \
	daemon/rd-area.h daemon/rd-area.c
ROLLERD_BASE_LIBS = daemon/librollerd-base.a

# org.rollerd's skeletons (daemon) and proxies (rollerctl), from data/org.rollerd.xml.
rollerd_dbus_generated = daemon/rd-dbus-generated.c daemon/rd-dbus-generated.h
$(rollerd_dbus_generated): $(top_srcdir)/data/org.rollerd.xml
	$(AM_V_GEN)$(MKDIR_P) daemon && \
	$(GDBUS_CODEGEN) --interface-prefix org.rollerd. --c-namespace RdDbus \
		--glib-min-required 2.74 \
		--c-generate-object-manager \
		--generate-c-code daemon/rd-dbus-generated $<
BUILT_SOURCES += $(rollerd_dbus_generated)
CLEANFILES += $(rollerd_dbus_generated)
EXTRA_DIST += data/org.rollerd.xml

noinst_LIBRARIES += daemon/librollerd-dbus.a
nodist_daemon_librollerd_dbus_a_SOURCES = $(rollerd_dbus_generated)
daemon_librollerd_dbus_a_CFLAGS = $(GLIB_CFLAGS)
ROLLERD_DBUS_LIBS = daemon/librollerd-dbus.a

# The daemon's BlueZ link, rollers, sync and D-Bus objects.
noinst_LIBRARIES += daemon/librollerd-link.a
ROLLERD_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon -I$(top_builddir)/daemon
daemon_librollerd_link_a_CPPFLAGS = $(ROLLERD_CPPFLAGS)
daemon_librollerd_link_a_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
daemon_librollerd_link_a_SOURCES = \
	daemon/rd-context.h \
	daemon/rd-bluez.h daemon/rd-bluez.c \
	daemon/rd-gatt.h daemon/rd-gatt.c \
	daemon/rd-control-point.h daemon/rd-control-point.c \
	daemon/rd-polkit.h daemon/rd-polkit.c \
	daemon/rd-roller.h daemon/rd-roller-private.h \
	daemon/rd-roller.c daemon/rd-roller-link.c \
	daemon/rd-live.h daemon/rd-live.c \
	daemon/rd-sync.h daemon/rd-sync.c \
	daemon/rd-history.h daemon/rd-history.c \
	daemon/rd-discovery.h daemon/rd-discovery.c \
	daemon/rd-daemon.h daemon/rd-daemon.c
daemon_librollerd_link_a_DEPENDENCIES = $(rollerd_dbus_generated)

bin_PROGRAMS += daemon/rollerd
daemon_rollerd_SOURCES = daemon/rollerd.c
daemon_rollerd_CPPFLAGS = $(ROLLERD_CPPFLAGS)
daemon_rollerd_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) \
	-DLOCALSTATEDIR='"$(localstatedir)"' -DSYSCONFDIR='"$(sysconfdir)"'
daemon_rollerd_LDADD = daemon/librollerd-link.a $(ROLLERD_CORE_LIBS) \
	daemon/librollerd-store.a $(ROLLERD_DBUS_LIBS) $(ROLLERD_BASE_LIBS) \
	$(ROLLER_PROTO_LIBS) $(GLIB_LIBS) $(SQLITE_LIBS) $(JSON_GLIB_LIBS)

dist_man8_MANS = docs/rollerd.8
EXTRA_DIST += docs/dbus-api.md

# rd-live without a bus: the live Session1 and the history, fed by hand.
check_PROGRAMS += tests/test-live
TESTS += tests/test-live
tests_test_live_SOURCES = tests/test-live.c tests/test-live-util.h
tests_test_live_CPPFLAGS = $(ROLLERD_CPPFLAGS)
tests_test_live_CFLAGS = $(TEST_CFLAGS) $(GLIB_CFLAGS)
tests_test_live_LDADD = daemon/librollerd-link.a $(ROLLERD_CORE_LIBS) \
	daemon/librollerd-store.a $(ROLLERD_DBUS_LIBS) $(ROLLERD_BASE_LIBS) \
	$(ROLLER_PROTO_LIBS) $(GLIB_LIBS) $(SQLITE_LIBS) $(JSON_GLIB_LIBS) $(CMOCKA_LIBS)
