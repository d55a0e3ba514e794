/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The clinic: two connections, the schema, the sender and the reader. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "rd-clinic.h"
#include "rd-clinic-schema.h"
#include "common/rd-error.h"
#include "daemon/store/rd-store-outbox.h"

struct _RdClinic {
	char *room;
	RdStore **store;
	RdPgConn *writer;
	RdPgConn *reader_conn;
	RdClinicSender *sender;
	RdClinicReader *reader;
	guint retry_id;
	char *last_problem;	/* why the room does not send, as last said */
};

/* A room waiting for the administrator's setup, or one that failed to
 * check, looks again after this long. */
#define CHECK_RETRY_MS 3000

static void check(RdClinic *clinic);

static gboolean
on_check_retry(gpointer user_data)
{
	RdClinic *clinic = user_data;

	clinic->retry_id = 0;
	if (rd_pg_conn_is_ready(clinic->writer))
		check(clinic);
	return G_SOURCE_REMOVE;
}

/* The outbox stays as it is; said once per reason, not every retry. */
static void
not_ready(RdClinic *clinic, const char *why)
{
	if (g_strcmp0(clinic->last_problem, why) != 0) {
		g_warning("The clinic: %s; this room's outbox waits", why);
		g_free(clinic->last_problem);
		clinic->last_problem = g_strdup(why);
	}
	if (!clinic->retry_id)
		clinic->retry_id = g_timeout_add(CHECK_RETRY_MS, on_check_retry, clinic);
}

/* The connections go first in rd_clinic_free(): a cancelled query's
 * callback still finds the clinic, the sender and the reader. */
static gboolean
failed(RdClinic *clinic, const GError *error)
{
	if (!error)
		return FALSE;
	if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		not_ready(clinic, error->message);
	return TRUE;
}

static void
on_version(PGresult *result, const GError *error, gpointer user_data)
{
	RdClinic *clinic = user_data;
	gint64 version;
	g_autofree char *why = NULL;

	if (failed(clinic, error))
		return;
	version = g_ascii_strtoll(PQgetvalue(result, 0, 0), NULL, 10);
	if (version < RD_CLINIC_SCHEMA_VERSION)
		why = g_strdup_printf("its schema has version %" G_GINT64_FORMAT ", older than "
				      "version %d that this rollerd needs: the administrator "
				      "runs rollerd --clinic-setup", version,
				      RD_CLINIC_SCHEMA_VERSION);
	else if (version > RD_CLINIC_SCHEMA_VERSION)
		why = g_strdup_printf("its schema has version %" G_GINT64_FORMAT ", newer than "
				      "version %d that this rollerd knows: run a newer rollerd",
				      version, RD_CLINIC_SCHEMA_VERSION);
	if (why) {
		not_ready(clinic, why);
		return;
	}
	g_clear_pointer(&clinic->last_problem, g_free);
	g_debug("clinic: schema version %d ready", RD_CLINIC_SCHEMA_VERSION);
	rd_clinic_sender_start(clinic->sender);
}

static void
on_checked(PGresult *result, const GError *error, gpointer user_data)
{
	RdClinic *clinic = user_data;
	const char *user;
	g_autofree char *why = NULL;

	if (failed(clinic, error))
		return;
	user = PQgetvalue(result, 0, 0);
	/* Rows are signed by current_user: any other name would never match. */
	if (g_strcmp0(user, clinic->room) != 0)
		why = g_strdup_printf("the connection's role is “%s”, not this room's name "
				      "“%s” ([Clinic] Room must be the role exactly, in "
				      "lower case)", user, clinic->room);
	else if (!g_str_equal(PQgetvalue(result, 0, 1), "t"))
		why = g_strdup("it has no schema yet: the administrator runs "
			       "rollerd --clinic-setup");
	else if (!g_str_equal(PQgetvalue(result, 0, 2), "t"))
		why = g_strdup_printf("role “%s” is not in the group rollerd_rooms: the "
				      "administrator runs GRANT rollerd_rooms TO %s", user, user);
	if (why) {
		not_ready(clinic, why);
		return;
	}
	rd_pg_conn_query(clinic->writer, "SELECT coalesce(max(version), 0) FROM rollerd_schema",
			 0, NULL, on_version, clinic);
}

static void
check(RdClinic *clinic)
{
	rd_pg_conn_query(clinic->writer, rd_clinic_schema_check_sql(), 0, NULL, on_checked,
			 clinic);
}

static void
on_writer_ready(RdPgConn *conn, gpointer user_data)
{
	RdClinic *clinic = user_data;

	g_clear_handle_id(&clinic->retry_id, g_source_remove);
	check(clinic);
}

/* libpq silently skips a pgpass file others may read: say it instead. */
static gboolean
check_password_file(const char *path, GError **error)
{
	GStatBuf st;

	if (g_stat(path, &st) < 0) {
		int saved = errno;

		g_set_error(error, RD_ERROR, RD_ERROR_FAILED,
			    "[Clinic] PasswordFile %s: %s", path, g_strerror(saved));
		return FALSE;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		g_set_error(error, RD_ERROR, RD_ERROR_FAILED,
			    "[Clinic] PasswordFile %s may be read by others (mode %04o): "
			    "chmod 0600 it, owned by the user rollerd runs as",
			    path, (unsigned)(st.st_mode & 07777));
		return FALSE;
	}
	return TRUE;
}

RdClinic *
rd_clinic_new(RdStore **store, const RdClinicSettings *settings, GError **error)
{
	RdClinic *clinic;

	if (settings->password_file && !check_password_file(settings->password_file, error))
		return NULL;
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
	g_clear_handle_id(&clinic->retry_id, g_source_remove);
	g_free(clinic->last_problem);
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
	rd_clinic_sender_journal_replaced(clinic->sender);
	return TRUE;
}
