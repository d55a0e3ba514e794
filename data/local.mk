# data: the subset of BlueZ's D-Bus API that rollerd and roller-sim use.
#
# gdbus-codegen turns data/org.bluez.xml into Bluez* proxies, skeletons and
# an object manager client (data/bluez-gdbus.{c,h} in the build tree),
# built into data/libbluez-gdbus.a for roller-sim, rollerd and the tests.
bluez_gdbus_generated = data/bluez-gdbus.c data/bluez-gdbus.h

# One rule makes both files; the stamp keeps a parallel make from running
# gdbus-codegen twice.
$(bluez_gdbus_generated): data/bluez-gdbus.stamp
	@test -f $@ || { rm -f data/bluez-gdbus.stamp; \
		$(MAKE) $(AM_MAKEFLAGS) data/bluez-gdbus.stamp; }
data/bluez-gdbus.stamp: $(top_srcdir)/data/org.bluez.xml
	@rm -f data/bluez-gdbus.stamp.tmp
	@touch data/bluez-gdbus.stamp.tmp
	$(AM_V_GEN)$(MKDIR_P) data && \
	$(GDBUS_CODEGEN) --interface-prefix org.bluez. --c-namespace Bluez \
		--c-generate-object-manager \
		--generate-c-code data/bluez-gdbus $(top_srcdir)/data/org.bluez.xml
	@mv -f data/bluez-gdbus.stamp.tmp $@

BUILT_SOURCES += $(bluez_gdbus_generated)
CLEANFILES += $(bluez_gdbus_generated) data/bluez-gdbus.stamp \
	data/bluez-gdbus.stamp.tmp
EXTRA_DIST += data/org.bluez.xml

noinst_LIBRARIES += data/libbluez-gdbus.a
nodist_data_libbluez_gdbus_a_SOURCES = $(bluez_gdbus_generated)
# Generated code: GLib's flags only, not the project's warnings (it trips
# -Wmissing-prototypes and -Wshadow, and it is not ours to fix).
data_libbluez_gdbus_a_CFLAGS = $(GLIB_CFLAGS)
BLUEZ_GDBUS_LIBS = data/libbluez-gdbus.a
