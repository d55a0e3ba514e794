# firmware-proto: the Roller GATT profile as a portable C11 library (no
# GLib, no heap), installed as a static library with its headers and
# roller-proto.pc for firmware and third-party tools.
lib_LIBRARIES += firmware-proto/libroller-proto.a
firmware_proto_libroller_proto_a_CFLAGS = $(AM_CFLAGS) -std=c11
roller_proto_headers = \
	firmware-proto/roller-proto.h \
	firmware-proto/roller-crc.h \
	firmware-proto/roller-frame.h \
	firmware-proto/roller-record.h \
	firmware-proto/roller-transfer.h \
	firmware-proto/roller-control.h \
	firmware-proto/roller-info.h \
	firmware-proto/roller-dump.h \
	firmware-proto/roller-hex.h
firmware_proto_libroller_proto_a_SOURCES = $(roller_proto_headers) \
	firmware-proto/roller-proto.c \
	firmware-proto/roller-crc.c \
	firmware-proto/roller-crc-tables.c \
	firmware-proto/roller-frame.c \
	firmware-proto/roller-record.c \
	firmware-proto/roller-transfer.c \
	firmware-proto/roller-control.c \
	firmware-proto/roller-info.c \
	firmware-proto/roller-dump.c \
	firmware-proto/roller-hex.c
rollerprotoincludedir = $(includedir)/roller-proto
rollerprotoinclude_HEADERS = $(roller_proto_headers)
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = firmware-proto/roller-proto.pc
# roller-proto.pc comes from configure (AC_CONFIG_FILES), relocatable.
EXTRA_DIST += firmware-proto/gen-crc-tables.c

ROLLER_PROTO_LIBS = firmware-proto/libroller-proto.a

# The host's faster CRC-16 (x86-64 carry-less multiply, a fallback
# elsewhere), kept out of the portable library; rollerd hands it to
# roller_frame_use_crc16().
noinst_LIBRARIES += firmware-proto/libroller-proto-host.a
firmware_proto_libroller_proto_host_a_CFLAGS = $(AM_CFLAGS) -std=c11
firmware_proto_libroller_proto_host_a_SOURCES = \
	firmware-proto/roller-crc-clmul.h firmware-proto/roller-crc-clmul.c
ROLLER_PROTO_HOST_LIBS = firmware-proto/libroller-proto-host.a $(ROLLER_PROTO_LIBS)
