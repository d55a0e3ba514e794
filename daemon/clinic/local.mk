# daemon/clinic/: this room's part of the clinic's journal in PostgreSQL
# (docs/clinic.md): the connection on the main loop (libpq's async API),
# the schema and its migrations, the outbox sender, the clinic reader.
daemon_librollerd_a_SOURCES += \
	daemon/clinic/rd-pg-params.h daemon/clinic/rd-pg-params.c \
	daemon/clinic/rd-pg-conn.h daemon/clinic/rd-pg-conn.c \
	daemon/clinic/rd-clinic-schema.h daemon/clinic/rd-clinic-schema.c \
	daemon/clinic/rd-clinic-setup.h daemon/clinic/rd-clinic-setup.c \
	daemon/clinic/rd-clinic-sender.h daemon/clinic/rd-clinic-sender.c \
	daemon/clinic/rd-clinic-reader.h daemon/clinic/rd-clinic-reader.c \
	daemon/clinic/rd-clinic.h daemon/clinic/rd-clinic.c
ROLLERD_LIBS += $(LIBPQ_LIBS)
EXTRA_DIST += docs/clinic.md
