/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Clinic-wide sessions and plan, from PostgreSQL. */
#include "config.h"

#include <gio/gio.h>

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

static const char sessions_sql[] =
	"SELECT s.room, s.local_id, s.serial, s.address, s.record_id, s.area, s.start_unix, "
	"s.clock_set, s.duration_ms, s.needle_um, s.strokes, s.force_mean_cn, s.force_max_cn, "
	"s.in_band_permille, s.source, p.name "
	"FROM sessions s LEFT JOIN people p ON p.id = s.person_id "
	"WHERE NOT s.deleted AND ($1::text IS NULL OR s.serial = $1 OR s.address = $1) "
	"AND ($2::integer IS NULL OR s.area = $2) "
	/* The person's id first, so that sessions_by_person serves the page. */
	"AND ($3::text IS NULL OR s.person_id = (SELECT id FROM people WHERE name_key = $3)) "
	"AND s.start_unix >= $4::bigint AND s.start_unix < $5::bigint "
	"ORDER BY s.start_unix DESC, s.id DESC LIMIT $6::integer OFFSET $7::integer";

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
		RdSessionSummary *s = &c->summary;

		c->room = g_strdup(PQgetvalue(result, i, 0));
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
		g_ptr_array_add(rows, c);
	}
	finish(req, rows, NULL);
}

void
rd_clinic_reader_query_sessions(RdClinicReader *reader, const RdSessionFilter *f,
				const char *person_key, RdClinicRowsFunc func, gpointer user_data)
{
	Request *req = g_new0(Request, 1);
	g_autofree char *area = f->area_id >= 0 ? g_strdup_printf("%d", f->area_id) : NULL;
	g_autofree char *since = g_strdup_printf("%" G_GINT64_FORMAT, f->since);
	g_autofree char *until = g_strdup_printf("%" G_GINT64_FORMAT, f->until);
	g_autofree char *limit = g_strdup_printf("%u", f->limit ? f->limit
						 : RD_STORE_QUERY_LIMIT_DEFAULT);
	g_autofree char *offset = g_strdup_printf("%u", f->offset);
	const char *values[] = { f->roller, area, person_key, since, until, limit, offset };

	req->func = func;
	req->user_data = user_data;
	rd_pg_conn_query(reader->conn, sessions_sql, G_N_ELEMENTS(values), values, on_sessions,
			 req);
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
