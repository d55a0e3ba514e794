# rollerd.  One library of the daemon's layers, each a folder:
#   bluez/  BlueZ's D-Bus API: the object manager client, GATT I/O, the
#           Control Point client, the link to one roller, discovery
#   live/   the live session: aggregator, feedback, rejects (plain C),
#           and its Session1, LiveUpdate, Stroke, Alert
#   store/  the SQLite journal
#   sync/   lossless sync of stored records
#   clinic/ the clinic's shared journal in PostgreSQL (its own local.mk)
#   dbus/   org.rollerd's objects: Manager1, Roller2, stored Session1s
# and rollerd.c, rd-config (rollerd.conf), rd-context.h at the top.
# Tests link the library and get only the objects they use.
noinst_LIBRARIES += daemon/librollerd.a
daemon_librollerd_a_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(SQLITE_CFLAGS) $(JSON_GLIB_CFLAGS) \
	$(LIBPQ_CFLAGS)
daemon_librollerd_a_SOURCES = \
	daemon/rd-context.h \
	daemon/rd-config.h daemon/rd-config.c \
	daemon/rd-state-dir.h daemon/rd-state-dir.c \
	daemon/rd-log-limit.h daemon/rd-log-limit.c \
	daemon/rd-bus-peers.h daemon/rd-bus-peers.c \
	daemon/bluez/rd-bluez.h daemon/bluez/rd-bluez.c \
	daemon/bluez/rd-gatt.h daemon/bluez/rd-gatt.c \
	daemon/bluez/rd-control-point.h daemon/bluez/rd-control-point.c \
	daemon/bluez/rd-roller-chars.h daemon/bluez/rd-roller-chars.c \
	daemon/bluez/rd-agent.h daemon/bluez/rd-agent.c \
	daemon/bluez/rd-pairing.h daemon/bluez/rd-pairing.c \
	daemon/bluez/rd-roller-setup.h daemon/bluez/rd-roller-setup.c \
	daemon/bluez/rd-roller-link.h daemon/bluez/rd-roller-link.c \
	daemon/bluez/rd-discovery.h daemon/bluez/rd-discovery.c \
	daemon/live/rd-live-session.h daemon/live/rd-live-session.c \
	daemon/live/rd-feedback.h daemon/live/rd-feedback.c \
	daemon/live/rd-rejects.h daemon/live/rd-rejects.c \
	daemon/live/rd-reorder.h daemon/live/rd-reorder.c \
	daemon/live/rd-rate-limit.h daemon/live/rd-rate-limit.c \
	daemon/live/rd-live-object.h daemon/live/rd-live-object.c \
	daemon/live/rd-live-stream.h daemon/live/rd-live-stream.c \
	daemon/live/rd-live.h daemon/live/rd-live.c \
	daemon/store/rd-store-db.h daemon/store/rd-store-db.c \
	daemon/store/rd-store-heads.h daemon/store/rd-store-heads.c \
	daemon/store/rd-store-schema.h daemon/store/rd-store-schema.c \
	daemon/store/rd-store-check.h daemon/store/rd-store-check.c \
	daemon/store/rd-store-readback.c \
	daemon/store/rd-store.h daemon/store/rd-store.c \
	daemon/store/rd-store-row.h daemon/store/rd-store-row.c \
	daemon/store/rd-store-commit.c \
	daemon/store/rd-store-query.h daemon/store/rd-store-query.c \
	daemon/store/rd-store-journal.c daemon/store/rd-store-export.c \
	daemon/store/rd-store-file.h daemon/store/rd-store-file.c \
	daemon/store/rd-store-backup.h daemon/store/rd-store-backup.c \
	daemon/store/rd-store-restore.h daemon/store/rd-store-restore.c \
	daemon/store/rd-store-import.h daemon/store/rd-store-import.c \
	daemon/store/rd-store-people.h daemon/store/rd-store-people.c \
	daemon/store/rd-store-reminders.h daemon/store/rd-store-reminders.c \
	daemon/store/rd-store-outbox.h daemon/store/rd-store-outbox.c \
	daemon/sync/rd-sync.h daemon/sync/rd-sync.c \
	daemon/dbus/rd-variant.h daemon/dbus/rd-variant.c \
	daemon/dbus/rd-polkit.h daemon/dbus/rd-polkit.c \
	daemon/dbus/rd-call-guard.h daemon/dbus/rd-call-guard.c \
	daemon/dbus/rd-live-watch.h daemon/dbus/rd-live-watch.c \
	daemon/dbus/rd-roller.h daemon/dbus/rd-roller.c \
	daemon/dbus/rd-history-variant.h daemon/dbus/rd-history-variant.c \
	daemon/dbus/rd-clinic-calls.h daemon/dbus/rd-clinic-calls.c \
	daemon/dbus/rd-history.h daemon/dbus/rd-history.c \
	daemon/dbus/rd-journal-io.h daemon/dbus/rd-journal-io.c \
	daemon/dbus/rd-people.h daemon/dbus/rd-people.c \
	daemon/dbus/rd-reminders.h daemon/dbus/rd-reminders.c \
	daemon/dbus/rd-daemon.h daemon/dbus/rd-daemon.c
daemon_librollerd_a_DEPENDENCIES = $(rollerd_dbus_generated)
ROLLERD_LIBS = daemon/librollerd.a $(ROLLERD_COMMON_LIBS) $(ROLLER_PROTO_HOST_LIBS) \
	$(GLIB_LIBS) $(SQLITE_LIBS) $(JSON_GLIB_LIBS)

bin_PROGRAMS += daemon/rollerd
daemon_rollerd_SOURCES = daemon/rollerd.c
daemon_rollerd_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) \
	-DLOCALSTATEDIR='"$(localstatedir)"' -DSYSCONFDIR='"$(sysconfdir)"'
daemon_rollerd_LDADD = $(ROLLERD_LIBS)

dist_man8_MANS = docs/rollerd.8
EXTRA_DIST += docs/dbus-api.md data/rollerd.conf
