/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The clinic: two connections, the schema, the sender and the reader. */
#include "config.h"

#include <gio/gio.h>

#include "rd-clinic.h"
#include "rd-clinic-schema.h"
#include "daemon/store/rd-store-outbox.h"

struct _RdClinic {
	char *room;
	RdStore **store;
	RdPgConn *writer;
	RdPgConn *reader_conn;
	RdClinicSender *sender;
	RdClinicReader *reader;
};

/* The connections go first in rd_clinic_free(): a cancelled query's
 * callback still finds the clinic, the sender and the reader. */
static void
on_migrated(PGresult *result, const GError *error, gpointer user_data)
{
	RdClinic *clinic = user_data;

	if (error) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_warning("The clinic's schema: %s", error->message);
		return;
	}
	g_debug("clinic: schema version %d ready", RD_CLINIC_SCHEMA_VERSION);
	rd_clinic_sender_start(clinic->sender);
}

static void
on_writer_ready(RdPgConn *conn, gpointer user_data)
{
	RdClinic *clinic = user_data;

	rd_pg_conn_exec(conn, rd_clinic_schema_migration_sql(), on_migrated, clinic);
}

RdClinic *
rd_clinic_new(RdStore **store, const RdClinicSettings *settings, GError **error)
{
	RdClinic *clinic;

	if (!rd_store_outbox_enable(*store, TRUE, error))
		return NULL;
	clinic = g_new0(RdClinic, 1);
	clinic->room = g_strdup(settings->room);
	clinic->store = store;
	clinic->writer = rd_pg_conn_new(settings->connection, settings->password_file,
					settings->timeout_ms);
	clinic->reader_conn = rd_pg_conn_new(settings->connection, settings->password_file,
					     settings->timeout_ms);
	clinic->sender = rd_clinic_sender_new(store, clinic->writer, settings->room);
	clinic->reader = rd_clinic_reader_new(clinic->reader_conn);
	rd_pg_conn_set_ready_func(clinic->writer, on_writer_ready, clinic);
	rd_pg_conn_start(clinic->writer);
	rd_pg_conn_start(clinic->reader_conn);
	g_message("Clinic: room %s replicates its journal", settings->room);
	return clinic;
}

void
rd_clinic_free(RdClinic *clinic)
{
	if (!clinic)
		return;
	rd_pg_conn_free(clinic->writer);
	rd_pg_conn_free(clinic->reader_conn);
	rd_clinic_sender_free(clinic->sender);
	rd_clinic_reader_free(clinic->reader);
	g_free(clinic->room);
	g_free(clinic);
}

RdClinicReader *
rd_clinic_get_reader(RdClinic *clinic)
{
	return clinic->reader;
}

RdClinicSender *
rd_clinic_get_sender(RdClinic *clinic)
{
	return clinic->sender;
}

const char *
rd_clinic_get_room(RdClinic *clinic)
{
	return clinic->room;
}

void
rd_clinic_kick(RdClinic *clinic)
{
	rd_clinic_sender_kick(clinic->sender);
}

gboolean
rd_clinic_journal_replaced(RdClinic *clinic, GError **error)
{
	if (!rd_store_outbox_enable(*clinic->store, TRUE, error))
		return FALSE;
	/* Read the cursor again: the new journal counts from its own seqs. */
	if (rd_pg_conn_is_ready(clinic->writer))
		rd_clinic_sender_start(clinic->sender);
	return TRUE;
}
