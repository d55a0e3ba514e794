/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading the history: QuerySessions, GetSession, GetTreatmentPlan.
 */
#include "config.h"

#include "rd-store-query.h"
#include "rd-store-db.h"
#include "rd-store-people.h"

#define SECONDS_PER_DAY (24 * 60 * 60)

/* The columns fill_summary() reads, in its order. */
#define SUMMARY_COLUMNS \
	"s.id, s.roller_serial, s.roller_address, s.record_id, s.area_id, " \
	"s.start_unix, s.clock_set, s.duration_ms, s.needle_um, s.strokes, " \
	"s.force_mean_cn, s.force_max_cn, s.in_band_permille, s.source, s.person_id, " \
	"(SELECT p.name FROM people AS p WHERE p.id = s.person_id)"
#define N_SUMMARY_COLUMNS 16

/*
 * One statement per combination of the optional filters, so each walks
 * an index (by start, serial, address or area) already newest first, and
 * none is built from input.  "serial OR address" in one statement would
 * sort all of a roller's sessions for every page.
 */
#define QUERY_HEAD "SELECT " SUMMARY_COLUMNS " FROM sessions AS s " \
	"WHERE s.start_unix >= ?1 AND s.start_unix < ?2 "
#define QUERY_SERIAL "AND s.roller_serial = ?3 "
#define QUERY_ADDRESS "AND s.roller_address = ?3 "
#define QUERY_AREA "AND s.area_id = ?4 "
#define QUERY_PERSON "AND s.person_id = ?7 "
#define QUERY_TAIL "ORDER BY s.start_unix DESC, s.id DESC LIMIT ?5 OFFSET ?6"
/* Forward from an id: the primary key's order, whatever the starts. */
#define QUERY_AFTER_TAIL "AND s.id > ?8 ORDER BY s.id LIMIT ?5 OFFSET ?6"

typedef enum {
	ROLLER_ANY,
	ROLLER_BY_SERIAL,
	ROLLER_BY_ADDRESS,
} RollerMatch;

#define QUERIES_BY_AREA_PERSON(roller, tail) { \
		{ QUERY_HEAD roller tail, QUERY_HEAD roller QUERY_PERSON tail }, \
		{ QUERY_HEAD roller QUERY_AREA tail, \
		  QUERY_HEAD roller QUERY_AREA QUERY_PERSON tail }, \
	}
#define QUERIES_BY_ROLLER(tail) { \
		[ROLLER_ANY] = QUERIES_BY_AREA_PERSON("", tail), \
		[ROLLER_BY_SERIAL] = QUERIES_BY_AREA_PERSON(QUERY_SERIAL, tail), \
		[ROLLER_BY_ADDRESS] = QUERIES_BY_AREA_PERSON(QUERY_ADDRESS, tail), \
	}

/* [after an id][roller][by area][by person] */
static const char *const query_sql[2][3][2][2] = {
	QUERIES_BY_ROLLER(QUERY_TAIL),
	QUERIES_BY_ROLLER(QUERY_AFTER_TAIL),
};

/* A roller is named by serial or address; a known serial wins. */
static gboolean
resolve_roller(RdStoreDb *db, const char *roller, RollerMatch *match, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = NULL;

	*match = ROLLER_ANY;
	if (!roller)
		return TRUE;
	stmt = rd_store_db_stmt(db,
				"SELECT EXISTS (SELECT 1 FROM sessions WHERE roller_serial = ?1)",
				error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_text(stmt, 1, roller, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		rd_store_db_set_error(db, error, "Could not query the history");
		return FALSE;
	}
	*match = sqlite3_column_int(stmt, 0) ? ROLLER_BY_SERIAL : ROLLER_BY_ADDRESS;
	return TRUE;
}

static RdSessionSource
source_from_string(const char *s)
{
	if (g_strcmp0(s, "synced") == 0)
		return RD_SESSION_SOURCE_SYNCED;
	if (g_strcmp0(s, "both") == 0)
		return RD_SESSION_SOURCE_BOTH;
	return RD_SESSION_SOURCE_LIVE;
}

static void
fill_summary(sqlite3_stmt *stmt, RdSessionSummary *s)
{
	s->id = sqlite3_column_int64(stmt, 0);
	s->serial = g_strdup((const char *)sqlite3_column_text(stmt, 1));
	s->address = g_strdup((const char *)sqlite3_column_text(stmt, 2));
	s->record_id = (guint16)sqlite3_column_int(stmt, 3);
	s->area_id = (guint8)sqlite3_column_int(stmt, 4);
	s->start_unix = sqlite3_column_int64(stmt, 5);
	s->clock_set = sqlite3_column_int(stmt, 6) != 0;
	s->duration_ms = (guint32)sqlite3_column_int64(stmt, 7);
	s->needle_um = (guint16)sqlite3_column_int(stmt, 8);
	s->strokes = (guint32)sqlite3_column_int64(stmt, 9);
	s->force_mean_cn = (guint16)sqlite3_column_int(stmt, 10);
	s->force_max_cn = (guint16)sqlite3_column_int(stmt, 11);
	s->in_band_permille = (guint16)sqlite3_column_int(stmt, 12);
	s->source = source_from_string((const char *)sqlite3_column_text(stmt, 13));
	s->person_id = sqlite3_column_int64(stmt, 14);
	s->person_name = g_strdup((const char *)sqlite3_column_text(stmt, 15));
}

void
rd_session_summary_free(RdSessionSummary *summary)
{
	if (!summary)
		return;
	g_free(summary->serial);
	g_free(summary->address);
	g_free(summary->person_name);
	g_free(summary);
}

void
rd_session_free(RdSession *session)
{
	if (!session)
		return;
	g_free(session->summary.serial);
	g_free(session->summary.address);
	g_free(session->summary.person_name);
	g_free(session->passes);
	g_free(session->trace);
	g_clear_pointer(&session->notes, g_variant_unref);
	g_free(session);
}

gboolean
rd_store_select_sessions(RdStore *store, const RdSessionFilter *filter,
			 gboolean paged, GPtrArray **rows, GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);
	g_autoptr(GPtrArray) result = NULL;
	g_autoptr(RdCachedStmt) stmt = NULL;
	gint64 limit = filter->limit ? filter->limit : RD_STORE_QUERY_LIMIT_DEFAULT;
	gboolean by_area = filter->area_id >= 0;
	gboolean by_person = filter->person_id > 0;
	gboolean after = filter->after_id >= 0;
	RollerMatch match;
	int rc;

	if (filter->area_id > 255) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "Filter key “area”: %d is not an area id (0..255)",
			    filter->area_id);
		return FALSE;
	}
	if (filter->limit > RD_STORE_QUERY_LIMIT_MAX) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "Filter key “limit”: %u is over the maximum of %u",
			    filter->limit, RD_STORE_QUERY_LIMIT_MAX);
		return FALSE;
	}
	if (!paged && filter->limit == 0)
		limit = -1;	/* SQLite: no limit */

	if (!resolve_roller(db, filter->roller, &match, error))
		return FALSE;
	stmt = rd_store_db_stmt(db, query_sql[after][match][by_area][by_person], error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, filter->since);
	sqlite3_bind_int64(stmt, 2, filter->until);
	if (match != ROLLER_ANY)
		sqlite3_bind_text(stmt, 3, filter->roller, -1, SQLITE_STATIC);
	if (by_area)
		sqlite3_bind_int(stmt, 4, filter->area_id);
	sqlite3_bind_int64(stmt, 5, limit);
	sqlite3_bind_int64(stmt, 6, filter->offset);
	if (by_person)
		sqlite3_bind_int64(stmt, 7, filter->person_id);
	if (after)
		sqlite3_bind_int64(stmt, 8, filter->after_id);

	result = g_ptr_array_new_with_free_func((GDestroyNotify)rd_session_summary_free);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		RdSessionSummary *s = g_new0(RdSessionSummary, 1);

		fill_summary(stmt, s);
		g_ptr_array_add(result, s);
	}
	if (rc != SQLITE_DONE) {
		rd_store_db_set_error(db, error, "Could not query the history");
		return FALSE;
	}
	*rows = g_steal_pointer(&result);
	return TRUE;
}

gboolean
rd_store_query_sessions(RdStore *store, const RdSessionFilter *filter,
			GPtrArray **rows, GError **error)
{
	g_return_val_if_fail(store != NULL && filter != NULL && rows != NULL, FALSE);

	return rd_store_select_sessions(store, filter, TRUE, rows, error);
}

static GVariant *
read_notes(sqlite3_stmt *stmt, int first)
{
	g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);

	if (sqlite3_column_type(stmt, first) != SQLITE_NULL)
		g_variant_builder_add(&b, "{sv}", "topical",
				      g_variant_new_string((const char *)sqlite3_column_text(stmt, first)));
	if (sqlite3_column_type(stmt, first + 1) != SQLITE_NULL)
		g_variant_builder_add(&b, "{sv}", "numbing",
				      g_variant_new_boolean(sqlite3_column_int(stmt, first + 1)));
	if (sqlite3_column_type(stmt, first + 2) != SQLITE_NULL)
		g_variant_builder_add(&b, "{sv}", "redness",
				      g_variant_new_string((const char *)sqlite3_column_text(stmt, first + 2)));
	if (sqlite3_column_type(stmt, first + 3) != SQLITE_NULL)
		g_variant_builder_add(&b, "{sv}", "text",
				      g_variant_new_string((const char *)sqlite3_column_text(stmt, first + 3)));
	if (sqlite3_column_type(stmt, first + 4) != SQLITE_NULL)
		g_variant_builder_add(&b, "{sv}", "cleaned",
				      g_variant_new_boolean(sqlite3_column_int(stmt, first + 4)));
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

static const char get_session_sql[] =
	"SELECT " SUMMARY_COLUMNS ", "
	"s.end_reason, s.dir_vertical, s.dir_diagonal, s.dir_horizontal, "
	"s.dir_antidiagonal, s.cols, s.rows, s.passes, s.trace_period_ms, s.trace, "
	"s.frames_lost, s.synced_at, s.created_at, s.head_id, "
	"n.topical, n.numbing, n.redness, n.text, n.cleaned "
	"FROM sessions AS s LEFT JOIN session_notes AS n ON n.session_id = s.id "
	"WHERE s.id = ?1";

static void
fill_session(sqlite3_stmt *stmt, RdSession *s)
{
	int c = N_SUMMARY_COLUMNS;
	const guint8 *trace;
	gsize passes_len;

	fill_summary(stmt, &s->summary);
	s->end_reason = sqlite3_column_type(stmt, c) == SQLITE_NULL ?
			-1 : sqlite3_column_int(stmt, c);
	for (int i = 0; i < 4; i++)
		s->dirs[i] = (guint32)sqlite3_column_int64(stmt, c + 1 + i);
	s->cols = (guint8)sqlite3_column_int(stmt, c + 5);
	s->rows = (guint8)sqlite3_column_int(stmt, c + 6);
	/* The schema's CHECK keeps length(passes) = cols * rows. */
	passes_len = (gsize)sqlite3_column_bytes(stmt, c + 7);
	s->passes = g_malloc0((gsize)s->cols * s->rows + 1);
	memcpy(s->passes, sqlite3_column_blob(stmt, c + 7),
	       MIN(passes_len, (gsize)s->cols * s->rows));
	s->trace_period_ms = (guint16)sqlite3_column_int(stmt, c + 8);
	trace = sqlite3_column_blob(stmt, c + 9);
	s->trace_len = (guint)sqlite3_column_bytes(stmt, c + 9) / 2;
	s->trace = g_new(guint16, s->trace_len + 1);
	for (guint i = 0; i < s->trace_len; i++)
		s->trace[i] = (guint16)(trace[2 * i] | trace[2 * i + 1] << 8);
	s->frames_lost = (guint32)sqlite3_column_int64(stmt, c + 10);
	s->synced_at = sqlite3_column_int64(stmt, c + 11);
	s->created_at = sqlite3_column_int64(stmt, c + 12);
	s->head_id = sqlite3_column_int64(stmt, c + 13);
	s->notes = read_notes(stmt, c + 14);
}

gboolean
rd_store_get_session(RdStore *store, gint64 id, RdSession **out, GError **error)
{
	RdStoreDb *db;
	g_autoptr(RdCachedStmt) stmt = NULL;
	g_autoptr(RdSession) session = NULL;
	int rc;

	g_return_val_if_fail(store != NULL && out != NULL, FALSE);

	db = rd_store_get_db(store);
	stmt = rd_store_db_stmt(db, get_session_sql, error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		g_set_error(error, RD_ERROR, RD_ERROR_NOT_FOUND,
			    "No session %" G_GINT64_FORMAT " in the history", id);
		return FALSE;
	}
	if (rc != SQLITE_ROW) {
		rd_store_db_set_error(db, error, "Could not read the session");
		return FALSE;
	}
	session = g_new0(RdSession, 1);
	fill_session(stmt, session);
	*out = g_steal_pointer(&session);
	return TRUE;
}

/*
 * The band with the smallest max_needle_um that still covers the needle;
 * an unknown needle (0) gets the longest band's interval, the cautious one.
 */
guint
rd_plan_interval_days(const RdPlanConfig *config, guint16 needle_um)
{
	const RdPlanBand *best = NULL, *longest = NULL;

	for (guint i = 0; config && i < config->n_bands; i++) {
		const RdPlanBand *b = &config->bands[i];

		if (!longest || b->max_needle_um > longest->max_needle_um)
			longest = b;
		if (needle_um != 0 && b->max_needle_um >= needle_um &&
		    (!best || b->max_needle_um < best->max_needle_um))
			best = b;
	}
	if (!best)
		best = longest;
	return best ? best->days : 0;
}

static const char plan_sql[] =
	"SELECT s.person_id, s.area_id, count(*), max(s.start_unix), "
	"(SELECT l.needle_um FROM sessions AS l WHERE l.area_id = s.area_id "
	" AND l.person_id = s.person_id ORDER BY l.start_unix DESC, l.id DESC LIMIT 1) "
	"FROM sessions AS s WHERE ?1 = 0 OR s.person_id = ?1 "
	"GROUP BY s.person_id, s.area_id";

static const char reminded_sql[] =
	"SELECT EXISTS (SELECT 1 FROM reminders WHERE kind = 'area-due' AND subject = ?1 "
	"AND due_at = ?2 AND person_id = ?3)";

/* The areas 1..10 of spec section 7 are in the plan of a person who set none. */
#define FIRST_NAMED_AREA 1
#define LAST_NAMED_AREA 10

void
rd_plan_area_free(RdPlanArea *area)
{
	if (!area)
		return;
	g_free(area->person_name);
	g_free(area);
}

/* Each person's row of @area_id, made on first use. */
static RdPlanArea *
plan_row(GHashTable *rows, const RdPerson *p, guint8 area_id)
{
	gint64 key = p->id * 256 + area_id;
	RdPlanArea *a = g_hash_table_lookup(rows, &key);

	if (a)
		return a;
	a = g_new0(RdPlanArea, 1);
	a->person_id = p->id;
	a->person_name = g_strdup(p->name);
	a->area_id = area_id;
	g_hash_table_insert(rows, g_memdup2(&key, sizeof(key)), a);
	return a;
}

static gint
compare_plan_rows(gconstpointer a, gconstpointer b)
{
	const RdPlanArea *x = *(RdPlanArea *const *)a, *y = *(RdPlanArea *const *)b;
	int by_name = g_utf8_collate(x->person_name, y->person_name);

	if (by_name)
		return by_name;
	if (x->person_id != y->person_id)
		return x->person_id < y->person_id ? -1 : 1;
	return (int)x->area_id - (int)y->area_id;
}

static gboolean
plan_fill_reminded(RdStoreDb *db, GPtrArray *rows, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = rd_store_db_stmt(db, reminded_sql, error);

	if (!stmt)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		RdPlanArea *a = rows->pdata[i];

		if (!a->sessions)
			continue;
		sqlite3_bind_int(stmt, 1, a->area_id);
		sqlite3_bind_int64(stmt, 2, a->next_due);
		sqlite3_bind_int64(stmt, 3, a->person_id);
		if (sqlite3_step(stmt) != SQLITE_ROW) {
			rd_store_db_set_error(db, error, "Could not read the reminders");
			return FALSE;
		}
		a->reminded = sqlite3_column_int(stmt, 0) != 0;
		sqlite3_reset(stmt);
	}
	return TRUE;
}

gboolean
rd_store_treatment_plan(RdStore *store, const RdPlanConfig *config, gint64 person_id,
			GPtrArray **areas, GError **error)
{
	RdStoreDb *db;
	g_autoptr(RdCachedStmt) stmt = NULL;
	g_autoptr(GPtrArray) people = NULL;
	g_autoptr(GHashTable) by_person = NULL;
	/* Owns its keys only: the rows go to the result. */
	g_autoptr(GHashTable) rows = NULL;
	g_autoptr(GPtrArray) result = NULL;
	GHashTableIter iter;
	gpointer value;
	int rc;

	g_return_val_if_fail(store != NULL && areas != NULL, FALSE);

	db = rd_store_get_db(store);
	if (!rd_store_list_people(store, &people, error))
		return FALSE;
	by_person = g_hash_table_new(g_int64_hash, g_int64_equal);
	rows = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	for (guint i = 0; i < people->len; i++) {
		RdPerson *p = people->pdata[i];

		if (person_id && p->id != person_id)
			continue;
		g_hash_table_insert(by_person, &p->id, p);
		for (guint a = 0; a < p->areas->len; a++)
			plan_row(rows, p, p->areas->data[a]);
		for (guint a = FIRST_NAMED_AREA; !p->areas->len && a <= LAST_NAMED_AREA; a++)
			plan_row(rows, p, (guint8)a);
	}

	stmt = rd_store_db_stmt(db, plan_sql, error);
	if (!stmt)
		goto fail;
	sqlite3_bind_int64(stmt, 1, person_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		gint64 pid = sqlite3_column_int64(stmt, 0);
		const RdPerson *p = g_hash_table_lookup(by_person, &pid);
		RdPlanArea *a;

		if (!p)
			continue;
		a = plan_row(rows, p, (guint8)sqlite3_column_int(stmt, 1));
		a->sessions = (guint)sqlite3_column_int64(stmt, 2);
		a->last_start = sqlite3_column_int64(stmt, 3);
		a->needle_um = (guint16)sqlite3_column_int(stmt, 4);
		a->min_interval_days = rd_plan_interval_days(config, a->needle_um ? a->needle_um :
						     p->needle_um);
		a->next_due = a->last_start + (gint64)a->min_interval_days * SECONDS_PER_DAY;
	}
	if (rc != SQLITE_DONE) {
		rd_store_db_set_error(db, error, "Could not read the treatment plan");
		goto fail;
	}
	result = g_ptr_array_new_with_free_func((GDestroyNotify)rd_plan_area_free);
	g_hash_table_iter_init(&iter, rows);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		g_ptr_array_add(result, value);
	g_ptr_array_sort(result, compare_plan_rows);
	if (!plan_fill_reminded(db, result, error))
		return FALSE;
	*areas = g_steal_pointer(&result);
	return TRUE;
fail:
	g_hash_table_iter_init(&iter, rows);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		rd_plan_area_free(value);
	return FALSE;
}
