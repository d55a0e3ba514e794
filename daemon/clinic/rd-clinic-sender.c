/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The outbox sender: batches, the room's cursor, and trimming after COMMIT. */
#include "config.h"

#include <gio/gio.h>

#include "rd-clinic-sender.h"
#include "daemon/store/rd-store-check.h"
#include "daemon/store/rd-store-db.h"
#include "daemon/store/rd-store-outbox.h"

/* How often an idle sender looks at the outbox: the lag's floor. */
#define POLL_MS 200
/* After a batch the server refused (not a lost connection). */
#define RETRY_MS 5000

struct _RdClinicSender {
	RdStore **store;	/* the daemon's: a restore replaces the journal */
	RdPgConn *conn;
	char *room;
	char *journal;		/* the journal's identity, read at each start */
	gboolean started;	/* the cursor was read on this connection */
	gboolean in_flight;
	/* Bumped by each journal replacement: an answer to a query sent
	 * for an older journal says nothing of the current one's outbox. */
	guint generation;
	guint query_generation;
	gint64 cursor;		/* the last seq the clinic stored */
	guint poll_id;
	guint64 sent;
	guint batch_rows;	/* in the batch in flight */
	char *last_warning;
	void (*batch_func)(gpointer user_data);
	gpointer batch_data;
};

static void send_next(RdClinicSender *sender);

static void
warn_once(RdClinicSender *sender, const char *message)
{
	/* A server that stays away is said once, not every poll. */
	if (g_strcmp0(sender->last_warning, message) == 0) {
		g_debug("clinic: %s", message);
		return;
	}
	g_warning("The clinic's journal: %s", message);
	g_free(sender->last_warning);
	sender->last_warning = g_strdup(message);
}

static gboolean
on_poll(gpointer user_data)
{
	RdClinicSender *sender = user_data;

	sender->poll_id = 0;
	if (!sender->started && !sender->in_flight && rd_pg_conn_is_ready(sender->conn))
		rd_clinic_sender_start(sender);
	else
		send_next(sender);
	return G_SOURCE_REMOVE;
}

static void
schedule(RdClinicSender *sender, guint ms)
{
	if (!sender->poll_id)
		sender->poll_id = g_timeout_add(ms, on_poll, sender);
}

/* Rows up to @seq are stored in the clinic: the local ones go. */
static void
trim(RdClinicSender *sender, gint64 seq)
{
	g_autoptr(GError) error = NULL;

	sender->cursor = MAX(sender->cursor, seq);
	if (!rd_store_outbox_done(*sender->store, sender->cursor, &error))
		warn_once(sender, error->message);
}

static void
send_query(RdClinicSender *sender, const char *sql, int n_values, const char *const *values,
	   RdPgResultFunc func)
{
	sender->in_flight = TRUE;
	sender->query_generation = sender->generation;
	rd_pg_conn_query(sender->conn, sql, n_values, values, func, sender);
}

/* A query ended: FALSE when it failed (the rows stay for later) or was
 * for a journal since replaced (the cursor is read again). */
static gboolean
query_finished(RdClinicSender *sender, const GError *error)
{
	sender->in_flight = FALSE;
	if (error && g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return FALSE;
	if (sender->query_generation != sender->generation) {
		g_debug("clinic: an answer for the replaced journal, ignored");
		if (rd_pg_conn_is_ready(sender->conn))
			rd_clinic_sender_start(sender);
		return FALSE;
	}
	if (!error)
		return TRUE;
	warn_once(sender, error->message);
	/* A lost connection restarts the sender when it comes back. */
	if (rd_pg_conn_is_ready(sender->conn))
		schedule(sender, RETRY_MS);
	else
		sender->started = FALSE;
	return FALSE;
}

static void
on_batch_done(PGresult *result, const GError *error, gpointer user_data)
{
	RdClinicSender *sender = user_data;

	if (!query_finished(sender, error))
		return;
	g_clear_pointer(&sender->last_warning, g_free);
	sender->sent += sender->batch_rows;
	trim(sender, g_ascii_strtoll(PQgetvalue(result, 0, 0), NULL, 10));
	if (sender->batch_func)
		sender->batch_func(sender->batch_data);
	if (sender->batch_rows == RD_CLINIC_BATCH)
		send_next(sender);
	else
		schedule(sender, POLL_MS);
}

/* [[seq, kind, at, body], ...]: the bodies are JSON already. */
static char *
batch_json(GPtrArray *rows)
{
	GString *out = g_string_new("[");

	for (guint i = 0; i < rows->len; i++) {
		RdOutboxRow *row = rows->pdata[i];

		g_string_append_printf(out, "%s[%" G_GINT64_FORMAT ",\"%s\",%" G_GINT64_FORMAT ",%s]",
				       i ? "," : "", row->seq, row->kind, row->at,
				       row->body ? row->body : "null");
	}
	g_string_append_c(out, ']');
	return g_string_free(out, FALSE);
}

static void
send_next(RdClinicSender *sender)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	g_autofree char *json = NULL;
	const char *values[2];

	if (!sender->started || sender->in_flight || !rd_pg_conn_is_ready(sender->conn))
		return;
	g_clear_handle_id(&sender->poll_id, g_source_remove);
	if (!rd_store_outbox_read(*sender->store, sender->cursor, RD_CLINIC_BATCH, &rows, &error)) {
		warn_once(sender, error->message);
		schedule(sender, RETRY_MS);
		return;
	}
	if (rows->len == 0) {
		schedule(sender, POLL_MS);
		return;
	}
	json = batch_json(rows);
	values[0] = sender->journal;
	values[1] = json;
	sender->batch_rows = rows->len;
	send_query(sender, "SELECT rollerd_apply_batch($1, $2::jsonb)", 2, values,
		   on_batch_done);
}

static void
on_cursor(PGresult *result, const GError *error, gpointer user_data)
{
	RdClinicSender *sender = user_data;
	g_autoptr(GError) local_error = NULL;
	gint64 cursor = 0;

	if (!query_finished(sender, error))
		return;
	if (PQntuples(result) > 0)
		cursor = g_ascii_strtoll(PQgetvalue(result, 0, 0), NULL, 10);
	/* A journal behind the clinic's count (a restored backup, a new
	 * machine) renumbers its rows past it, or they would count as stored. */
	if (!rd_store_outbox_rebase(*sender->store, cursor, &local_error)) {
		warn_once(sender, local_error->message);
		schedule(sender, RETRY_MS);
		return;
	}
	sender->started = TRUE;
	sender->cursor = 0;
	/* A batch whose COMMIT came but whose answer was lost: stored already. */
	trim(sender, cursor);
	send_next(sender);
}

void
rd_clinic_sender_start(RdClinicSender *sender)
{
	g_autoptr(GError) error = NULL;
	const char *values[2];

	if (sender->in_flight)
		return;
	sender->started = FALSE;
	g_free(sender->journal);
	sender->journal = rd_store_check_read_identity(rd_store_get_db(*sender->store), &error);
	if (!sender->journal) {
		warn_once(sender, error->message);
		schedule(sender, RETRY_MS);
		return;
	}
	values[0] = sender->room;
	values[1] = sender->journal;
	/* Another journal's cursor (the room's old machine) counts nothing of this one. */
	send_query(sender, "SELECT last_seq FROM cursors WHERE room = $1 AND journal = $2", 2,
		   values, on_cursor);
}

void
rd_clinic_sender_journal_replaced(RdClinicSender *sender)
{
	sender->generation++;
	sender->started = FALSE;
	/* With a query in flight, its answer starts again. */
	if (!sender->in_flight && rd_pg_conn_is_ready(sender->conn))
		rd_clinic_sender_start(sender);
}

void
rd_clinic_sender_kick(RdClinicSender *sender)
{
	send_next(sender);
}

RdClinicSender *
rd_clinic_sender_new(RdStore **store, RdPgConn *conn, const char *room)
{
	RdClinicSender *sender = g_new0(RdClinicSender, 1);

	sender->store = store;
	sender->conn = conn;
	sender->room = g_strdup(room);
	return sender;
}

void
rd_clinic_sender_free(RdClinicSender *sender)
{
	if (!sender)
		return;
	g_clear_handle_id(&sender->poll_id, g_source_remove);
	g_free(sender->room);
	g_free(sender->journal);
	g_free(sender->last_warning);
	g_free(sender);
}

guint64
rd_clinic_sender_get_sent(RdClinicSender *sender)
{
	return sender->sent;
}

void
rd_clinic_sender_set_batch_func(RdClinicSender *sender, GCallback func, gpointer user_data)
{
	sender->batch_func = (void (*)(gpointer))func;
	sender->batch_data = user_data;
}
