/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One row of the sessions table as a synced record and a live session
 * both write it: each path builds an RdSessionRow from what it has, and
 * rd_session_row_bind() alone binds its columns, by name (":" and the
 * column's name), to whichever of them a statement uses.
 */
#pragma once

#include <sqlite3.h>

#include "rd-store.h"

typedef struct {
	RdSessionSource source;		/* LIVE or SYNCED: which half's key is set */
	const char *serial;
	const char *address;		/* "" when unknown */
	guint16 record_id;
	guint8 area_id;
	gint64 start_unix;		/* the best start known */
	gboolean clock_set;
	/* The synced half's key (NULL on a live row). */
	gint64 record_start;		/* the record's own start; 0: clock unset */
	guint32 record_crc;		/* 0 unless record_start is 0 */
	gint64 synced_at;
	/* The live half's key (NULL on a synced row). */
	gint64 live_start;
	guint32 duration_ms;
	gint end_reason;		/* -1: NULL, unknown */
	guint16 needle_um;
	guint32 strokes;
	guint16 force_mean_cn;
	guint16 force_max_cn;
	guint16 in_band_permille;
	guint32 dirs[4];
	guint8 cols;
	guint8 rows;
	const guint8 *passes;		/* cols * rows */
	guint16 trace_period_ms;
	const guint8 *trace;		/* u16 LE, as records carry it */
	gsize trace_size;		/* bytes */
	guint32 frames_lost;
	gint64 created_at;
	gint64 head_id;			/* 0: NULL */
	gint64 person_id;		/* 0: the default person */
	guint8 *trace_le;		/* owned: a live trace in LE */
} RdSessionRow;

/* A new row of either source, every column of rd_session_row_bind(). */
extern const char rd_session_row_insert_sql[];

/*
 * A decoded record's row at @now; points into @rec (and @serial,
 * @address).  Fails with RD_ERROR_INVALID_ARGUMENTS on a record breaking
 * what the decoder enforces.
 */
gboolean rd_session_row_from_record(RdSessionRow *row, const char *serial,
				    const char *address,
				    const struct roller_stored_record *rec,
				    gint64 now, GError **error);

/*
 * A live session's row at @now; points into @live but for its trace.
 * Fails with RD_ERROR_INVALID_ARGUMENTS naming the problem.
 */
gboolean rd_session_row_from_live(RdSessionRow *row, const RdLiveSessionRow *live,
				  gint64 now, GError **error);

void rd_session_row_clear(RdSessionRow *row);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RdSessionRow, rd_session_row_clear)

/* Binds every column @stmt names; the other parameters are left alone. */
void rd_session_row_bind(sqlite3_stmt *stmt, const RdSessionRow *row);
