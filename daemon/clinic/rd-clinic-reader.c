/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Clinic-wide sessions and plan, from PostgreSQL. */
#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "common/rd-error.h"

#include "rd-clinic-reader.h"

#define SECONDS_PER_DAY 86400

struct _RdClinicReader {
	RdPgConn *conn;
};

typedef struct {
	RdClinicRowsFunc func;
	gpointer user_data;
	RdPlanConfig plan;
	RdPlanBand *bands;	/* a copy: the answer outlives the caller's */
} Request;

static void
request_free(Request *r)
{
	g_free(r->bands);
	g_free(r);
}

/* The answer, rows or error; the request goes. */
static void
finish(Request *req, GPtrArray *rows, const GError *error)
{
	req->func(rows, error, req->user_data);
	request_free(req);
}

void
rd_clinic_session_free(RdClinicSession *s)
{
	if (!s)
		return;
	g_free(s->summary.serial);
	g_free(s->summary.address);
	g_free(s->summary.person_name);
	g_free(s->room);
	g_free(s);
}

#define SESSIONS_COLUMNS \
	"SELECT s.room, s.local_id, s.serial, s.address, s.record_id, s.area, s.start_unix, " \
	"s.clock_set, s.duration_ms, s.needle_um, s.strokes, s.force_mean_cn, s.force_max_cn, " \
	"s.in_band_permille, s.source, p.name "
#define N_SESSIONS_COLUMNS 16
#define SESSIONS_FROM "FROM sessions s LEFT JOIN people p ON p.id = s.person_id "
#define SESSIONS_WHERE \
	"WHERE NOT s.deleted AND ($1::text IS NULL OR s.serial = $1 OR s.address = $1) " \
	"AND ($2::integer IS NULL OR s.area = $2) " \
	/* The person's id first, so that sessions_by_person serves the page. */ \
	"AND ($3::text IS NULL OR s.person_id = (SELECT id FROM people WHERE name_key = $3)) " \
	"AND s.start_unix >= $4::bigint AND s.start_unix < $5::bigint "
#define SESSIONS_ORDER "ORDER BY s.start_unix DESC, s.id DESC LIMIT $6::integer OFFSET $7::integer"

static const char sessions_sql[] =
	SESSIONS_COLUMNS SESSIONS_FROM SESSIONS_WHERE SESSIONS_ORDER;

/* The rest of a session, from the body its room sent, and its notes. */
static const char details_sql[] =
	SESSIONS_COLUMNS ", s.body->>'end_reason', s.body->'dirs'->>0, s.body->'dirs'->>1, "
	"s.body->'dirs'->>2, s.body->'dirs'->>3, s.body->>'cols', s.body->>'rows', "
	"s.body->>'passes', s.body->>'trace_period_ms', s.body->>'trace', "
	"s.body->>'frames_lost', n.topical, n.numbing, n.redness, n.text, n.cleaned "
	SESSIONS_FROM "LEFT JOIN session_notes n ON n.session_id = s.id "
	SESSIONS_WHERE SESSIONS_ORDER;

static gint64
int_at(PGresult *r, int row, int col)
{
	return g_ascii_strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static RdSessionSource
source_from_string(const char *s)
{
	if (g_str_equal(s, "synced"))
		return RD_SESSION_SOURCE_SYNCED;
	if (g_str_equal(s, "both"))
		return RD_SESSION_SOURCE_BOTH;
	return RD_SESSION_SOURCE_LIVE;
}

/* The first N_SESSIONS_COLUMNS of row @i; returns the room. */
static char *
fill_summary(PGresult *result, int i, RdSessionSummary *s)
{
	s->id = int_at(result, i, 1);
	s->serial = g_strdup(PQgetvalue(result, i, 2));
	s->address = g_strdup(PQgetvalue(result, i, 3));
	s->record_id = (guint16)int_at(result, i, 4);
	s->area_id = (guint8)int_at(result, i, 5);
	s->start_unix = int_at(result, i, 6);
	s->clock_set = PQgetvalue(result, i, 7)[0] == 't';
	s->duration_ms = (guint32)int_at(result, i, 8);
	s->needle_um = (guint16)int_at(result, i, 9);
	s->strokes = (guint32)int_at(result, i, 10);
	s->force_mean_cn = (guint16)int_at(result, i, 11);
	s->force_max_cn = (guint16)int_at(result, i, 12);
	s->in_band_permille = (guint16)int_at(result, i, 13);
	s->source = source_from_string(PQgetvalue(result, i, 14));
	s->person_name = g_strdup(PQgetvalue(result, i, 15));
	return g_strdup(PQgetvalue(result, i, 0));
}

static void
on_sessions(PGresult *result, const GError *error, gpointer user_data)
{
	Request *req = user_data;
	g_autoptr(GPtrArray) rows = NULL;

	if (error) {
		finish(req, NULL, error);
		return;
	}
	rows = g_ptr_array_new_with_free_func((GDestroyNotify)rd_clinic_session_free);
	for (int i = 0; i < PQntuples(result); i++) {
		RdClinicSession *c = g_new0(RdClinicSession, 1);

		c->room = fill_summary(result, i, &c->summary);
		g_ptr_array_add(rows, c);
	}
	finish(req, rows, NULL);
}

/* A blob as SQLite's hex() spells it; NULL when it is not hex. */
static guint8 *
from_hex(const char *hex, gsize *len)
{
	gsize n = strlen(hex);
	guint8 *out;

	if (n % 2)
		return NULL;
	out = g_malloc(n / 2 + 1);
	for (gsize i = 0; i < n / 2; i++) {
		int hi = g_ascii_xdigit_value(hex[2 * i]), lo = g_ascii_xdigit_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			g_free(out);
			return NULL;
		}
		out[i] = (guint8)(hi << 4 | lo);
	}
	*len = n / 2;
	return out;
}

static void
add_note(GVariantBuilder *b, PGresult *r, int row, int col, const char *key, gboolean boolean)
{
	if (PQgetisnull(r, row, col))
		return;
	g_variant_builder_add(b, "{sv}", key, boolean ?
			      g_variant_new_boolean(PQgetvalue(r, row, col)[0] == 't') :
			      g_variant_new_string(PQgetvalue(r, row, col)));
}

/*
 * The body's grid and trace, checked as the local journal checks them
 * (length(passes) = cols * rows): a body that does not fit is a clinic
 * that cannot answer, not a session drawn wrong.
 */
static RdSession *
session_at(PGresult *r, int i, char **room, GError **error)
{
	g_autoptr(RdSession) s = g_new0(RdSession, 1);
	g_auto(GVariantBuilder) notes = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
	g_autofree guint8 *trace = NULL;
	gsize n_passes = 0, n_trace = 0;
	int c = N_SESSIONS_COLUMNS;

	*room = fill_summary(r, i, &s->summary);
	s->end_reason = PQgetisnull(r, i, c) ? -1 : (gint)int_at(r, i, c);
	for (int d = 0; d < 4; d++)
		s->dirs[d] = (guint32)int_at(r, i, c + 1 + d);
	s->cols = (guint8)int_at(r, i, c + 5);
	s->rows = (guint8)int_at(r, i, c + 6);
	s->passes = from_hex(PQgetvalue(r, i, c + 7), &n_passes);
	s->trace_period_ms = (guint16)int_at(r, i, c + 8);
	trace = from_hex(PQgetvalue(r, i, c + 9), &n_trace);
	if (!s->passes || n_passes != (gsize)s->cols * s->rows || !trace || n_trace % 2) {
		g_set_error(error, RD_ERROR, RD_ERROR_FAILED,
			    "Session %" G_GINT64_FORMAT " of room %s has a damaged body",
			    s->summary.id, *room);
		g_clear_pointer(room, g_free);
		return NULL;
	}
	s->trace_len = (guint)(n_trace / 2);
	s->trace = g_new(guint16, s->trace_len + 1);
	for (guint t = 0; t < s->trace_len; t++)
		s->trace[t] = (guint16)(trace[2 * t] | trace[2 * t + 1] << 8);
	s->frames_lost = (guint32)int_at(r, i, c + 10);
	add_note(&notes, r, i, c + 11, "topical", FALSE);
	add_note(&notes, r, i, c + 12, "numbing", TRUE);
	add_note(&notes, r, i, c + 13, "redness", FALSE);
	add_note(&notes, r, i, c + 14, "text", FALSE);
	add_note(&notes, r, i, c + 15, "cleaned", TRUE);
	s->notes = g_variant_ref_sink(g_variant_builder_end(&notes));
	return g_steal_pointer(&s);
}

void
rd_clinic_detail_free(RdClinicDetail *d)
{
	if (!d)
		return;
	rd_session_free(d->session);
	g_free(d->room);
	g_free(d);
}

static void
on_details(PGresult *result, const GError *error, gpointer user_data)
{
	Request *req = user_data;
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GError) damaged = NULL;

	if (error) {
		finish(req, NULL, error);
		return;
	}
	rows = g_ptr_array_new_with_free_func((GDestroyNotify)rd_clinic_detail_free);
	for (int i = 0; i < PQntuples(result); i++) {
		RdClinicDetail *d = g_new0(RdClinicDetail, 1);

		if (!(d->session = session_at(result, i, &d->room, &damaged))) {
			g_free(d);
			finish(req, NULL, damaged);
			return;
		}
		g_ptr_array_add(rows, d);
	}
	finish(req, rows, NULL);
}

/* The filter's values, as sessions_sql and details_sql take them. */
static void
query_filtered(RdClinicReader *reader, const char *sql, const RdSessionFilter *f,
	       const char *person_key, RdPgResultFunc done, Request *req)
{
	g_autofree char *area = f->area_id >= 0 ? g_strdup_printf("%d", f->area_id) : NULL;
	g_autofree char *since = g_strdup_printf("%" G_GINT64_FORMAT, f->since);
	g_autofree char *until = g_strdup_printf("%" G_GINT64_FORMAT, f->until);
	g_autofree char *limit = g_strdup_printf("%u", f->limit ? f->limit
						 : RD_STORE_QUERY_LIMIT_DEFAULT);
	g_autofree char *offset = g_strdup_printf("%u", f->offset);
	const char *values[] = { f->roller, area, person_key, since, until, limit, offset };

	rd_pg_conn_query(reader->conn, sql, G_N_ELEMENTS(values), values, done, req);
}

void
rd_clinic_reader_query_details(RdClinicReader *reader, const RdSessionFilter *f,
			       const char *person_key, RdClinicRowsFunc func, gpointer user_data)
{
	Request *req = g_new0(Request, 1);

	req->func = func;
	req->user_data = user_data;
	query_filtered(reader, details_sql, f, person_key, on_details, req);
}

void
rd_clinic_reader_query_sessions(RdClinicReader *reader, const RdSessionFilter *f,
				const char *person_key, RdClinicRowsFunc func, gpointer user_data)
{
	Request *req = g_new0(Request, 1);

	req->func = func;
	req->user_data = user_data;
	query_filtered(reader, sessions_sql, f, person_key, on_sessions, req);
}

/*
 * Per person and area: the person's areas, or the ten named ones
 * (1..10) when they set none, and any area with a session of theirs.
 */
static const char plan_sql[] =
	"WITH p AS (SELECT id, name, needle_um, areas FROM people "
	"	WHERE NOT deleted AND ($1::text IS NULL OR name_key = $1)), "
	"pa AS (SELECT p.id, get_byte(p.areas, i) AS area FROM p, "
	"	generate_series(0, length(p.areas) - 1) AS i "
	"	UNION SELECT p.id, g FROM p, generate_series(1, 10) AS g WHERE length(p.areas) = 0 "
	"	UNION SELECT person_id, area FROM sessions "
	"	WHERE NOT deleted AND person_id IN (SELECT id FROM p)), "
	"st AS (SELECT person_id, area, count(*) AS n, max(start_unix) AS last, "
	"	(array_agg(needle_um ORDER BY start_unix DESC, id DESC))[1] AS needle "
	"	FROM sessions WHERE NOT deleted AND person_id IN (SELECT id FROM p) "
	"	GROUP BY person_id, area) "
	"SELECT p.name, p.needle_um, pa.area, coalesce(st.n, 0), coalesce(st.last, 0), "
	"coalesce(st.needle, 0) FROM pa JOIN p ON p.id = pa.id "
	"LEFT JOIN st ON st.person_id = pa.id AND st.area = pa.area "
	"ORDER BY p.name, pa.area";

static void
on_plan(PGresult *result, const GError *error, gpointer user_data)
{
	Request *req = user_data;
	g_autoptr(GPtrArray) rows = NULL;

	if (error) {
		finish(req, NULL, error);
		return;
	}
	rows = g_ptr_array_new_with_free_func((GDestroyNotify)rd_plan_area_free);
	for (int i = 0; i < PQntuples(result); i++) {
		RdPlanArea *a = g_new0(RdPlanArea, 1);
		guint16 person_needle = (guint16)int_at(result, i, 1);

		a->person_name = g_strdup(PQgetvalue(result, i, 0));
		a->area_id = (guint8)int_at(result, i, 2);
		a->sessions = (guint)int_at(result, i, 3);
		a->last_start = int_at(result, i, 4);
		a->needle_um = (guint16)int_at(result, i, 5);
		a->min_interval_days = rd_plan_interval_days(&req->plan, a->needle_um ? a->needle_um
							     : person_needle);
		if (a->sessions)
			a->next_due = a->last_start + (gint64)a->min_interval_days * SECONDS_PER_DAY;
		g_ptr_array_add(rows, a);
	}
	finish(req, rows, NULL);
}

void
rd_clinic_reader_plan(RdClinicReader *reader, const RdPlanConfig *config,
		      const char *person_key, RdClinicRowsFunc func, gpointer user_data)
{
	Request *req = g_new0(Request, 1);
	const char *values[] = { person_key };

	req->func = func;
	req->user_data = user_data;
	req->bands = g_memdup2(config->bands, sizeof(RdPlanBand) * config->n_bands);
	req->plan.bands = req->bands;
	req->plan.n_bands = config->n_bands;
	rd_pg_conn_query(reader->conn, plan_sql, 1, values, on_plan, req);
}

RdClinicReader *
rd_clinic_reader_new(RdPgConn *conn)
{
	RdClinicReader *reader = g_new0(RdClinicReader, 1);

	reader->conn = conn;
	return reader;
}

void
rd_clinic_reader_free(RdClinicReader *reader)
{
	g_free(reader);
}
