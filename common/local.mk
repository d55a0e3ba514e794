# common: what rollerd and rollerctl both use: the org.rollerd error
# domain, treatment areas, and org.rollerd's generated skeletons (daemon)
# and proxies (rollerctl) from data/org.rollerd.xml.
rollerd_dbus_generated = common/rd-dbus-generated.c common/rd-dbus-generated.h
$(rollerd_dbus_generated): $(top_srcdir)/data/org.rollerd.xml
	$(AM_V_GEN)$(MKDIR_P) common && \
	$(GDBUS_CODEGEN) --interface-prefix org.rollerd. --c-namespace RdDbus \
		--glib-min-required 2.74 \
		--c-generate-object-manager \
		--generate-c-code common/rd-dbus-generated $<
BUILT_SOURCES += $(rollerd_dbus_generated)
CLEANFILES += $(rollerd_dbus_generated)
EXTRA_DIST += data/org.rollerd.xml

# Generated code: GLib's flags only, not the project's warnings.
noinst_LIBRARIES += common/librollerd-dbus.a
nodist_common_librollerd_dbus_a_SOURCES = $(rollerd_dbus_generated)
common_librollerd_dbus_a_CFLAGS = $(GLIB_CFLAGS)

noinst_LIBRARIES += common/librollerd-common.a
common_librollerd_common_a_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
common_librollerd_common_a_SOURCES = \
	common/rd-error.h common/rd-error.c \
	common/rd-area.h common/rd-area.c common/rd-csv.h \
	common/rd-live-packet.h common/rd-live-packet.c

ROLLERD_COMMON_LIBS = common/librollerd-common.a common/librollerd-dbus.a
