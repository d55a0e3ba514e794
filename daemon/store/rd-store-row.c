/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sessions row both ways of storing a session write: built once from
 * a record or a live session, bound by one function.
 */
#include "config.h"

#include "roller-record.h"

#include "rd-store-row.h"
#include "rd-store-people.h"

const char rd_session_row_insert_sql[] =
	"INSERT INTO sessions (roller_serial, roller_address, record_id, area_id, "
	"start_unix, clock_set, record_start, record_crc, live_start, duration_ms, "
	"end_reason, needle_um, strokes, force_mean_cn, force_max_cn, in_band_permille, "
	"dir_vertical, dir_diagonal, dir_horizontal, dir_antidiagonal, cols, rows, "
	"passes, trace_period_ms, trace, frames_lost, source, synced_at, created_at, "
	"head_id, person_id) "
	"VALUES (:roller_serial, :roller_address, :record_id, :area_id, "
	":start_unix, :clock_set, :record_start, :record_crc, :live_start, :duration_ms, "
	":end_reason, :needle_um, :strokes, :force_mean_cn, :force_max_cn, :in_band_permille, "
	":dir_vertical, :dir_diagonal, :dir_horizontal, :dir_antidiagonal, :cols, :rows, "
	":passes, :trace_period_ms, :trace, :frames_lost, :source, :synced_at, :created_at, "
	":head_id, :person_id)";

/* The rules of the grid and force columns, whichever half brings them. */
static const char *
totals_problem(guint8 cols, guint8 rows, const guint8 *passes, guint16 in_band_permille)
{
	if (cols < 1 || cols > ROLLER_GRID_MAX || rows < 1 || rows > ROLLER_GRID_MAX)
		return "its grid is not 1..15 by 1..15 cells";
	if (!passes)
		return "it has no passes";
	if (in_band_permille > 1000)
		return "its in-band share is over 1000 per mille";
	return NULL;
}

gboolean
rd_session_row_from_record(RdSessionRow *row, const char *serial, const char *address,
			   const struct roller_stored_record *rec, gint64 now,
			   GError **error)
{
	const char *problem;

	if (!serial || !*serial) {
		g_set_error_literal(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
				    "A record needs its roller's serial number");
		return FALSE;
	}
	problem = totals_problem(rec->cols, rec->rows, rec->passes, rec->in_band_permille);
	if (!problem && rec->trace_len > 0 && !rec->trace)
		problem = "its force trace is missing";
	if (problem) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "Cannot store the record from %s: %s", serial, problem);
		return FALSE;
	}

	memset(row, 0, sizeof(*row));
	row->source = RD_SESSION_SOURCE_SYNCED;
	row->serial = serial;
	row->address = address ? address : "";
	row->record_id = rec->record_id;
	row->area_id = rec->area_id;
	/* Unset clock: the time of the sync, an upper bound. */
	row->start_unix = rec->start_unix ? rec->start_unix : now;
	row->clock_set = rec->start_unix != 0;
	row->record_start = rec->start_unix;
	row->record_crc = rec->start_unix ? 0 : rec->crc;
	row->synced_at = now;
	row->duration_ms = rec->duration_ms;
	row->end_reason = rec->end_reason;
	row->needle_um = rec->needle_um;
	row->strokes = rec->roll_count;
	row->force_mean_cn = rec->force_mean_cN;
	row->force_max_cn = rec->force_max_cN;
	row->in_band_permille = rec->in_band_permille;
	for (int i = 0; i < 4; i++)
		row->dirs[i] = rec->dirs[i];
	row->cols = rec->cols;
	row->rows = rec->rows;
	row->passes = rec->passes;
	row->trace_period_ms = rec->trace_period_ms;
	/* The record's trace is u16 LE already, as the column keeps it. */
	row->trace = rec->trace;
	row->trace_size = 2 * (gsize)rec->trace_len;
	row->created_at = now;
	return TRUE;
}

static const char *
live_problem(const RdLiveSessionRow *live)
{
	const char *problem;

	if (!live->serial || !*live->serial)
		return "it has no roller serial number";
	problem = totals_problem(live->cols, live->rows, live->passes, live->in_band_permille);
	if (problem)
		return problem;
	if (live->start_unix <= 0)
		return "it has no start time";
	if (live->trace_len > RD_STORE_LIVE_TRACE_MAX)
		return "its force trace is too long";
	if (live->trace_len > 0 && !live->trace)
		return "its force trace is missing";
	if (live->end_reason < -1 || live->end_reason > 255)
		return "its end reason is not a byte";
	return NULL;
}

gboolean
rd_session_row_from_live(RdSessionRow *row, const RdLiveSessionRow *live, gint64 now,
			 GError **error)
{
	const char *problem = live_problem(live);

	if (problem) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "Cannot store the live session: %s", problem);
		return FALSE;
	}

	memset(row, 0, sizeof(*row));
	row->source = RD_SESSION_SOURCE_LIVE;
	row->serial = live->serial;
	row->address = live->address ? live->address : "";
	row->record_id = live->record_id;
	row->area_id = live->area_id;
	row->start_unix = live->start_unix;
	row->clock_set = live->clock_set;
	row->live_start = live->start_unix;
	row->duration_ms = live->duration_ms;
	row->end_reason = live->end_reason;
	row->needle_um = live->needle_um;
	row->strokes = live->strokes;
	row->force_mean_cn = live->force_mean_cn;
	row->force_max_cn = live->force_max_cn;
	row->in_band_permille = live->in_band_permille;
	for (int i = 0; i < 4; i++)
		row->dirs[i] = live->dirs[i];
	row->cols = live->cols;
	row->rows = live->rows;
	row->passes = live->passes;
	row->trace_period_ms = live->trace_period_ms;
	/* The column holds u16 LE, as records carry it. */
	row->trace_le = g_malloc(MAX(2 * (gsize)live->trace_len, 1));
	for (guint i = 0; i < live->trace_len; i++) {
		row->trace_le[2 * i] = (guint8)live->trace[i];
		row->trace_le[2 * i + 1] = (guint8)(live->trace[i] >> 8);
	}
	row->trace = row->trace_le;
	row->trace_size = 2 * (gsize)live->trace_len;
	row->frames_lost = live->frames_lost;
	row->person_id = live->person_id;
	row->created_at = now;
	return TRUE;
}

void
rd_session_row_clear(RdSessionRow *row)
{
	g_clear_pointer(&row->trace_le, g_free);
}

static void
bind_int(sqlite3_stmt *stmt, const char *name, gint64 value)
{
	int i = sqlite3_bind_parameter_index(stmt, name);

	if (i)
		sqlite3_bind_int64(stmt, i, value);
}

static void
bind_text(sqlite3_stmt *stmt, const char *name, const char *value)
{
	int i = sqlite3_bind_parameter_index(stmt, name);

	if (i)
		sqlite3_bind_text(stmt, i, value, -1, SQLITE_STATIC);
}

/* A zero-length blob, not NULL, when @len is 0: the columns are NOT NULL. */
static void
bind_blob(sqlite3_stmt *stmt, const char *name, const void *data, gsize len)
{
	int i = sqlite3_bind_parameter_index(stmt, name);

	if (!i)
		return;
	if (len == 0 || !data)
		sqlite3_bind_zeroblob(stmt, i, 0);
	else
		sqlite3_bind_blob(stmt, i, data, (int)len, SQLITE_STATIC);
}

void
rd_session_row_bind(sqlite3_stmt *stmt, const RdSessionRow *row)
{
	static const char *const dir_names[4] = {
		":dir_vertical", ":dir_diagonal", ":dir_horizontal", ":dir_antidiagonal",
	};

	bind_text(stmt, ":roller_serial", row->serial);
	bind_text(stmt, ":roller_address", row->address);
	bind_int(stmt, ":record_id", row->record_id);
	bind_int(stmt, ":area_id", row->area_id);
	bind_int(stmt, ":start_unix", row->start_unix);
	bind_int(stmt, ":clock_set", row->clock_set ? 1 : 0);
	/* Unbound is NULL: the other half's key, an unknown reason or head. */
	if (row->source == RD_SESSION_SOURCE_SYNCED) {
		bind_int(stmt, ":record_start", row->record_start);
		bind_int(stmt, ":record_crc", row->record_crc);
		bind_int(stmt, ":synced_at", row->synced_at);
	} else {
		bind_int(stmt, ":live_start", row->live_start);
	}
	bind_int(stmt, ":duration_ms", row->duration_ms);
	if (row->end_reason >= 0)
		bind_int(stmt, ":end_reason", row->end_reason);
	bind_int(stmt, ":needle_um", row->needle_um);
	bind_int(stmt, ":strokes", row->strokes);
	bind_int(stmt, ":force_mean_cn", row->force_mean_cn);
	bind_int(stmt, ":force_max_cn", row->force_max_cn);
	bind_int(stmt, ":in_band_permille", row->in_band_permille);
	for (int i = 0; i < 4; i++)
		bind_int(stmt, dir_names[i], row->dirs[i]);
	bind_int(stmt, ":cols", row->cols);
	bind_int(stmt, ":rows", row->rows);
	bind_blob(stmt, ":passes", row->passes, (gsize)row->cols * row->rows);
	bind_int(stmt, ":trace_period_ms", row->trace_period_ms);
	bind_blob(stmt, ":trace", row->trace, row->trace_size);
	bind_int(stmt, ":frames_lost", row->frames_lost);
	bind_text(stmt, ":source", rd_session_source_to_string(row->source));
	bind_int(stmt, ":created_at", row->created_at);
	if (row->head_id)
		bind_int(stmt, ":head_id", row->head_id);
	bind_int(stmt, ":person_id", row->person_id ? row->person_id : RD_PERSON_DEFAULT_ID);
}
