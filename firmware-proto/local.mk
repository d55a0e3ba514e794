# firmware-proto: the portable wire library (C11, no GLib, no heap).
noinst_LIBRARIES += firmware-proto/libroller-proto.a
firmware_proto_libroller_proto_a_CFLAGS = $(AM_CFLAGS) -std=c11
firmware_proto_libroller_proto_a_SOURCES = \
	firmware-proto/roller-proto.h firmware-proto/roller-proto.c \
	firmware-proto/roller-crc.h firmware-proto/roller-crc.c \
	firmware-proto/roller-crc-tables.c \
	firmware-proto/roller-frame.h firmware-proto/roller-frame.c \
	firmware-proto/roller-record.h firmware-proto/roller-record.c \
	firmware-proto/roller-transfer.h firmware-proto/roller-transfer.c \
	firmware-proto/roller-control.h firmware-proto/roller-control.c \
	firmware-proto/roller-info.h firmware-proto/roller-info.c \
	firmware-proto/roller-dump.h firmware-proto/roller-dump.c \
	firmware-proto/roller-hex.h firmware-proto/roller-hex.c
EXTRA_DIST += firmware-proto/gen-crc-tables.c

ROLLER_PROTO_LIBS = firmware-proto/libroller-proto.a
