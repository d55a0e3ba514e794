# rollerd: the daemon program, its D-Bus API code and its base library.
noinst_LIBRARIES += daemon/librollerd-base.a
daemon_librollerd_base_a_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
daemon_librollerd_base_a_SOURCES = daemon/rd-error.h daemon/rd-error.c
ROLLERD_BASE_LIBS = daemon/librollerd-base.a

# org.rollerd's skeletons (daemon) and proxies (rollerctl), from data/org.rollerd.xml.
rollerd_dbus_generated = daemon/rd-dbus-generated.c daemon/rd-dbus-generated.h
$(rollerd_dbus_generated): $(top_srcdir)/data/org.rollerd.xml
	$(AM_V_GEN)$(MKDIR_P) daemon && \
	$(GDBUS_CODEGEN) --interface-prefix org.rollerd. --c-namespace RdDbus \
		--c-generate-object-manager \
		--generate-c-code daemon/rd-dbus-generated $<
BUILT_SOURCES += $(rollerd_dbus_generated)
CLEANFILES += $(rollerd_dbus_generated)
EXTRA_DIST += data/org.rollerd.xml

noinst_LIBRARIES += daemon/librollerd-dbus.a
nodist_daemon_librollerd_dbus_a_SOURCES = $(rollerd_dbus_generated)
daemon_librollerd_dbus_a_CFLAGS = $(GLIB_CFLAGS)
ROLLERD_DBUS_LIBS = daemon/librollerd-dbus.a
