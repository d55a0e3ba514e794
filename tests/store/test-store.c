/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rd-store: keys, merges, queries, notes, deletion, plan and needle heads. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/store/rd-store-db.h"
#include "test-store-util.h"

static RdSession *
get(RdStore *store, gint64 id)
{
	g_autoptr(GError) error = NULL;
	RdSession *s = NULL;

	if (!rd_store_get_session(store, id, &s, &error))
		fail_msg("get %" G_GINT64_FORMAT ": %s", id, error->message);
	return s;
}

static void
test_commit_stores_once(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(GBytes) rec = test_record_new(7, TEST_START, 7, 500, 120);
	g_autoptr(RdSession) s = NULL;
	g_autoptr(GError) error = NULL;
	gboolean found = FALSE;
	gint64 id;

	id = test_commit(f->store, rec, RD_COMMIT_INSERTED);
	assert_int_equal(test_commit(f->store, rec, RD_COMMIT_DUPLICATE), id);
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM sessions"), 1);
	assert_true(rd_store_has_record(f->store, TEST_SERIAL, 7, TEST_START, 0, &found, &error));
	assert_true(found);
	assert_true(rd_store_has_record(f->store, TEST_SERIAL, 7, TEST_START + 1, 0, &found, &error));
	assert_false(found);

	s = get(f->store, id);
	assert_string_equal(s->summary.serial, TEST_SERIAL);
	assert_string_equal(s->summary.address, TEST_ADDRESS);
	assert_int_equal(s->summary.record_id, 7);
	assert_int_equal(s->summary.area_id, 7);
	assert_int_equal(s->summary.start_unix, TEST_START);
	assert_true(s->summary.clock_set);
	assert_int_equal(s->summary.duration_ms, 600000);
	assert_int_equal(s->summary.needle_um, 500);
	assert_int_equal(s->summary.strokes, 120);
	assert_int_equal(s->summary.force_mean_cn, 250);
	assert_int_equal(s->summary.force_max_cn, 480);
	assert_int_equal(s->summary.in_band_permille, 812);
	assert_int_equal(s->summary.source, RD_SESSION_SOURCE_SYNCED);
	assert_int_equal(s->end_reason, 0);
	assert_int_equal(s->dirs[0] + s->dirs[1] + s->dirs[2] + s->dirs[3], 120);
	assert_int_equal(s->cols, 4);
	assert_int_equal(s->rows, 3);
	assert_int_equal(s->passes[11], 11 % 7 + 1);
	assert_int_equal(s->trace_period_ms, 1000);
	assert_int_equal(s->trace_len, 10);
	assert_int_equal(s->trace[9], 109);
	assert_true(s->synced_at > 0);
	assert_int_equal(g_variant_n_children(s->notes), 0);
}

/* After rd_store_flush() the database file alone holds every commit:
 * a copy of it without the WAL still has the record. */
static void
test_flush_writes_the_database_file(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(GBytes) rec = test_record_new(3, TEST_START, 1, 500, 80);
	g_autofree char *copy = g_build_filename(f->dir->dir, "copy.db", NULL);
	g_autofree char *contents = NULL;
	g_autoptr(GError) error = NULL;
	RdStore *copied;
	gsize len;

	test_commit(f->store, rec, RD_COMMIT_INSERTED);
	assert_true(rd_store_flush(f->store, &error));
	assert_true(g_file_get_contents(f->dir->path, &contents, &len, &error));
	assert_true(g_file_set_contents(copy, contents, (gssize)len, &error));
	copied = rd_store_open(copy, &error);
	assert_non_null(copied);
	assert_int_equal(test_sql_int(copied, "SELECT count(*) FROM sessions"), 1);
	rd_store_free(copied);
}

static void
test_commit_rejects_bad_input(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(GBytes) rec = test_record_new(7, TEST_START, 7, 500, 120);
	g_autoptr(GError) error = NULL;
	struct roller_stored_record decoded;
	gsize len;
	const guint8 *data = g_bytes_get_data(rec, &len);
	g_autofree guint8 *bad = g_memdup2(data, len);

	/* Decoded once where it arrives: a broken record never gets here. */
	bad[14] ^= 1;	/* roll_count: the CRC no longer matches */
	assert_int_equal(roller_stored_record_decode(bad, len, &decoded), ROLLER_ERR_CRC);
	/* What the decoder enforces, the store checks of what it is given. */
	test_record_decode(rec, &decoded);
	decoded.in_band_permille = 1001;
	assert_false(rd_store_commit_record(f->store, TEST_SERIAL, TEST_ADDRESS, &decoded, 0,
					    NULL, NULL, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	assert_non_null(strstr(error->message, "in-band"));
	g_clear_error(&error);
	test_record_decode(rec, &decoded);
	decoded.cols = 0;
	assert_false(rd_store_commit_record(f->store, TEST_SERIAL, TEST_ADDRESS, &decoded, 0,
					    NULL, NULL, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	g_clear_error(&error);
	test_record_decode(rec, &decoded);
	assert_false(rd_store_commit_record(f->store, "", TEST_ADDRESS, &decoded, 0,
					    NULL, NULL, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM sessions"), 0);
}

static void
test_key_with_unset_clock_adds_crc(void **state)
{
	TestStoreFixture *f = *state;
	struct roller_stored_record r;
	g_autoptr(GBytes) a = NULL;
	g_autoptr(GBytes) b = NULL;
	g_autoptr(GBytes) c = NULL;
	g_autoptr(RdSession) s = NULL;
	g_autoptr(GError) error = NULL;
	gint64 before = rd_store_db_now(), id_a;
	gboolean found;

	/* Id 3 twice with the clock unset: reused after a DELETE. */
	test_record_init(&r, 3, 0, 1, 500, 80, 10);
	a = test_record_encode(&r, 0);
	r.roll_count = 95;
	b = test_record_encode(&r, 0);
	id_a = test_commit(f->store, a, RD_COMMIT_INSERTED);
	test_commit(f->store, b, RD_COMMIT_INSERTED);
	assert_int_equal(test_commit(f->store, a, RD_COMMIT_DUPLICATE), id_a);
	r.record_id = 3;
	r.start_unix = TEST_START;	/* the same id with the clock set */
	c = test_record_encode(&r, 0);
	test_commit(f->store, c, RD_COMMIT_INSERTED);
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM sessions"), 3);

	assert_true(rd_store_has_record(f->store, TEST_SERIAL, 3, 0,
					roller_get_le32((const guint8 *)g_bytes_get_data(b, NULL) +
							g_bytes_get_size(b) - 4),
					&found, &error));
	assert_true(found);
	assert_true(rd_store_has_record(f->store, TEST_SERIAL, 3, 0, 0x12345678, &found, &error));
	assert_false(found);

	/* The start is an upper bound, the time of the sync. */
	s = get(f->store, id_a);
	assert_false(s->summary.clock_set);
	assert_true(s->summary.start_unix >= before && s->summary.start_unix <= rd_store_db_now());
}

static void
assert_merged(RdSession *s, guint live_trace_len)
{
	assert_int_equal(s->summary.source, RD_SESSION_SOURCE_BOTH);
	assert_int_equal(s->summary.start_unix, TEST_START);	/* the roller's */
	assert_true(s->summary.clock_set);
	assert_int_equal(s->summary.strokes, 104);		/* the record's totals */
	assert_int_equal(s->summary.duration_ms, 600000);
	assert_int_equal(s->summary.force_mean_cn, 250);
	assert_int_equal(s->end_reason, 0);
	assert_int_equal(s->trace_period_ms, 50);		/* the live trace */
	assert_int_equal(s->trace_len, live_trace_len);
	assert_int_equal(s->trace[1], 301);
	assert_int_equal(s->frames_lost, 3);
}

static void
test_merge_live_then_record(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(GBytes) rec = test_record_new(9, TEST_START, 7, 500, 104);
	g_autoptr(RdSession) s = NULL;
	g_autoptr(GError) error = NULL;
	RdLiveSessionRow row;
	RdCommitResult result;
	gint64 id, again;

	test_live_row_init(&row, 9, TEST_START + 40, 7, 500, 100, 600);
	assert_true(rd_store_save_live_session(f->store, &row, &result, &id, &error));
	assert_int_equal(result, RD_COMMIT_INSERTED);
	assert_int_equal(test_commit(f->store, rec, RD_COMMIT_MERGED), id);
	assert_int_equal(test_commit(f->store, rec, RD_COMMIT_DUPLICATE), id);
	/* The live half saved again is a duplicate too. */
	assert_true(rd_store_save_live_session(f->store, &row, &result, &again, &error));
	assert_int_equal(result, RD_COMMIT_DUPLICATE);
	assert_int_equal(again, id);
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM sessions"), 1);
	s = get(f->store, id);
	assert_merged(s, 600);
}

static void
test_merge_record_then_live(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(GBytes) rec = test_record_new(9, TEST_START, 7, 500, 104);
	g_autoptr(RdSession) s = NULL;
	g_autoptr(GError) error = NULL;
	RdLiveSessionRow row;
	RdCommitResult result;
	gint64 id, merged;

	id = test_commit(f->store, rec, RD_COMMIT_INSERTED);
	test_live_row_init(&row, 9, TEST_START - 100, 7, 500, 100, 600);
	assert_true(rd_store_save_live_session(f->store, &row, &result, &merged, &error));
	assert_int_equal(result, RD_COMMIT_MERGED);
	assert_int_equal(merged, id);
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM sessions"), 1);
	s = get(f->store, id);
	assert_merged(s, 600);
}

static void
test_merge_rules_for_start_and_unset_clock(void **state)
{
	TestStoreFixture *f = *state;
	struct roller_stored_record r;
	g_autoptr(GBytes) far = test_record_new(4, TEST_START + 200, 7, 500, 50);
	g_autoptr(GBytes) unset = NULL;
	g_autoptr(GBytes) other_area = NULL;
	g_autoptr(RdSession) s = NULL;
	g_autoptr(GError) error = NULL;
	RdLiveSessionRow row;
	RdCommitResult result;
	gint64 live_id, id;

	/* 200 s apart is beyond the slack, durations 60 s apart: two sessions. */
	test_live_row_init(&row, 4, TEST_START, 7, 500, 50, 10);
	row.duration_ms += 60000;
	assert_true(rd_store_save_live_session(f->store, &row, &result, &live_id, &error));
	test_commit(f->store, far, RD_COMMIT_INSERTED);

	/* A drifting clock: 200 s apart, but the same area and duration. */
	test_live_row_init(&row, 6, TEST_START + 2 * DAY, 7, 500, 50, 10);
	assert_true(rd_store_save_live_session(f->store, &row, &result, &live_id, &error));
	g_clear_pointer(&far, g_bytes_unref);
	far = test_record_new(6, TEST_START + 2 * DAY + 200, 7, 500, 50);
	assert_int_equal(test_commit(f->store, far, RD_COMMIT_MERGED), live_id);

	/* Clock unset: same area and a duration within 30 s. */
	test_live_row_init(&row, 5, TEST_START + DAY, 2, 500, 60, 10);
	row.clock_set = FALSE;
	assert_true(rd_store_save_live_session(f->store, &row, &result, &live_id, &error));
	test_record_init(&r, 5, 0, 3, 500, 60, 10);
	other_area = test_record_encode(&r, 0);
	test_commit(f->store, other_area, RD_COMMIT_INSERTED);
	r.area_id = 2;
	unset = test_record_encode(&r, 0);
	id = test_commit(f->store, unset, RD_COMMIT_MERGED);
	assert_int_equal(id, live_id);
	s = get(f->store, id);
	assert_false(s->summary.clock_set);
	assert_int_equal(s->summary.start_unix, TEST_START + DAY);	/* the daemon's clock */
	assert_int_equal(s->summary.strokes, 60);
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM sessions"), 5);
}

static void
test_live_row_validation(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(GError) error = NULL;
	RdLiveSessionRow row;

	test_live_row_init(&row, 1, TEST_START, 7, 500, 10, 10);
	row.cols = 16;
	assert_false(rd_store_save_live_session(f->store, &row, NULL, NULL, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	g_clear_error(&error);
	test_live_row_init(&row, 1, TEST_START, 7, 500, 10, 10);
	row.serial = NULL;
	assert_false(rd_store_save_live_session(f->store, &row, NULL, NULL, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
}

static GPtrArray *
query(RdStore *store, const RdSessionFilter *filter)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *rows = NULL;

	if (!rd_store_query_sessions(store, filter, &rows, &error))
		fail_msg("query: %s", error->message);
	return rows;
}

#define ROW(rows, i) ((RdSessionSummary *)g_ptr_array_index(rows, i))

static void
test_query_filters_and_pages(void **state)
{
	TestStoreFixture *f = *state;
	RdSessionFilter filter = RD_SESSION_FILTER_INIT;
	g_autoptr(GPtrArray) all = NULL;
	g_autoptr(GPtrArray) page = NULL;
	g_autoptr(GPtrArray) by_serial = NULL;
	g_autoptr(GPtrArray) by_address = NULL;
	g_autoptr(GPtrArray) window = NULL;
	g_autoptr(GError) error = NULL;
	GPtrArray *none = NULL;

	test_fill_history(f->store);
	all = query(f->store, &filter);
	assert_int_equal(all->len, 30);
	for (guint i = 1; i < all->len; i++)
		assert_true(ROW(all, i - 1)->start_unix > ROW(all, i)->start_unix);

	filter.limit = 7;
	filter.offset = 7;
	page = query(f->store, &filter);
	assert_int_equal(page->len, 7);
	assert_int_equal(ROW(page, 0)->id, ROW(all, 7)->id);
	assert_int_equal(ROW(page, 6)->id, ROW(all, 13)->id);

	filter = (RdSessionFilter)RD_SESSION_FILTER_INIT;
	filter.roller = "RL-OTHER";
	by_serial = query(f->store, &filter);
	filter.roller = "AA:BB:CC:DD:EE:FF";
	by_address = query(f->store, &filter);
	assert_int_equal(by_serial->len, 15);
	assert_int_equal(by_address->len, 15);
	assert_string_equal(ROW(by_address, 0)->serial, "RL-OTHER");

	/* [since, until), one roller, one area. */
	filter.roller = TEST_SERIAL;
	filter.area_id = 1;
	filter.since = TEST_START + 6 * DAY;
	filter.until = TEST_START + 24 * DAY;
	window = query(f->store, &filter);
	assert_int_equal(window->len, 3);	/* days 6, 12, 18 */
	assert_int_equal(ROW(window, 0)->start_unix, TEST_START + 18 * DAY);
	assert_int_equal(ROW(window, 2)->start_unix, TEST_START + 6 * DAY);

	filter = (RdSessionFilter)RD_SESSION_FILTER_INIT;
	filter.limit = RD_STORE_QUERY_LIMIT_MAX + 1;
	assert_false(rd_store_query_sessions(f->store, &filter, &none, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	assert_non_null(strstr(error->message, "limit"));
	assert_null(none);
}

/* Forward from an id: higher ids only, lowest first, with the other filters. */
static void
test_query_after_id(void **state)
{
	TestStoreFixture *f = *state;
	RdSessionFilter filter = RD_SESSION_FILTER_INIT;
	g_autoptr(GPtrArray) all = NULL, first = NULL, next = NULL, area = NULL, none = NULL;
	gint64 lowest, highest;

	test_fill_history(f->store);
	filter.limit = RD_STORE_QUERY_LIMIT_MAX;
	all = query(f->store, &filter);
	highest = ROW(all, 0)->id;
	lowest = ROW(all, all->len - 1)->id;

	filter.limit = 4;
	filter.after_id = 0;
	first = query(f->store, &filter);
	assert_int_equal(first->len, 4);
	assert_int_equal(ROW(first, 0)->id, lowest);
	for (guint i = 1; i < first->len; i++)
		assert_int_equal(ROW(first, i)->id, ROW(first, i - 1)->id + 1);

	filter.after_id = ROW(first, 3)->id;
	next = query(f->store, &filter);
	assert_int_equal(next->len, 4);
	assert_int_equal(ROW(next, 0)->id, ROW(first, 3)->id + 1);

	filter.limit = 0;
	filter.area_id = 1;
	filter.after_id = lowest + 10;
	area = query(f->store, &filter);
	assert_int_equal(area->len, 6);	/* sessions 12, 15 .. 27 of area 1 */
	for (guint i = 0; i < area->len; i++) {
		assert_true(ROW(area, i)->id > lowest + 10);
		assert_int_equal(ROW(area, i)->area_id, 1);
		if (i)
			assert_true(ROW(area, i)->id > ROW(area, i - 1)->id);
	}

	filter.area_id = -1;
	filter.after_id = highest;
	none = query(f->store, &filter);
	assert_int_equal(none->len, 0);
}

static void
test_get_and_delete(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(GBytes) rec = test_record_new(1, TEST_START, 7, 500, 10);
	g_autoptr(GError) error = NULL;
	RdSession *s = NULL;
	gint64 id = test_commit(f->store, rec, RD_COMMIT_INSERTED);

	assert_true(rd_store_set_notes(f->store, id, g_variant_new_parsed("{'numbing': <true>}"),
				       &error));
	assert_true(rd_store_delete_session(f->store, id, &error));
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM session_notes"), 0);
	/* The head keeps the wear. */
	assert_int_equal(test_sql_int(f->store, "SELECT sessions FROM heads"), 1);
	assert_false(rd_store_get_session(f->store, id, &s, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_NOT_FOUND));
	assert_null(s);
	g_clear_error(&error);
	assert_false(rd_store_delete_session(f->store, id, &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_NOT_FOUND));
	/* Synced again after a delete it comes back, as a new session. */
	assert_true(test_commit(f->store, rec, RD_COMMIT_INSERTED) != id);
}

static void
assert_notes_rejected(RdStore *store, gint64 id, const char *notes, const char *named)
{
	g_autoptr(GError) error = NULL;

	assert_false(rd_store_set_notes(store, id, g_variant_new_parsed(notes), &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	if (!strstr(error->message, named))
		fail_msg("“%s” does not name “%s”", error->message, named);
}

static void
test_notes_validate_and_merge(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(GBytes) rec = test_record_new(1, TEST_START, 7, 500, 10);
	g_autoptr(RdSession) s = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *long_text = g_strnfill(RD_STORE_NOTES_TEXT_MAX + 1, 'x');
	gint64 id = test_commit(f->store, rec, RD_COMMIT_INSERTED);
	const char *str;
	gboolean b;

	assert_true(rd_store_set_notes(f->store, id,
				       g_variant_new_parsed("{'topical': <'serum'>, 'numbing': <true>}"),
				       &error));
	assert_true(rd_store_set_notes(f->store, id,
				       g_variant_new_parsed("{'redness': <'mild'>, 'numbing': <false>}"),
				       &error));
	assert_notes_rejected(f->store, id, "{'colour': <'red'>}", "colour");
	assert_notes_rejected(f->store, id, "{'redness': <'mild'>, 'numbing': <'yes'>}", "numbing");
	assert_notes_rejected(f->store, id, "{'redness': <'severe'>}", "redness");
	assert_notes_rejected(f->store, id, "{'cleaned': <1>}", "cleaned");
	assert_notes_rejected(f->store, id, "['not', 'a', 'dict']", "a{sv}");
	{
		g_auto(GVariantBuilder) bld = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);

		g_variant_builder_add(&bld, "{sv}", "text", g_variant_new_string(long_text));
		assert_false(rd_store_set_notes(f->store, id, g_variant_builder_end(&bld), &error));
		assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
		assert_non_null(strstr(error->message, "text"));
		g_clear_error(&error);
	}
	assert_false(rd_store_set_notes(f->store, id + 100,
					g_variant_new_parsed("{'cleaned': <true>}"), &error));
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_NOT_FOUND));

	s = get(f->store, id);
	assert_true(g_variant_lookup(s->notes, "topical", "&s", &str));
	assert_string_equal(str, "serum");
	assert_true(g_variant_lookup(s->notes, "numbing", "b", &b));
	assert_false(b);
	assert_true(g_variant_lookup(s->notes, "redness", "&s", &str));
	assert_string_equal(str, "mild");
	assert_false(g_variant_lookup(s->notes, "text", "&s", &str));
	assert_false(g_variant_lookup(s->notes, "cleaned", "b", &b));
}

static void
test_treatment_plan(void **state)
{
	TestStoreFixture *f = *state;
	static const RdPlanBand bands[] = { { 1000, 14 }, { 250, 2 }, { 500, 7 } };
	RdPlanConfig config = { bands, G_N_ELEMENTS(bands) };
	g_autoptr(GBytes) a = test_record_new(1, TEST_START, 7, 1000, 10);
	g_autoptr(GBytes) b = test_record_new(2, TEST_START + 3 * DAY, 7, 300, 10);
	g_autoptr(GBytes) c = test_record_new(3, TEST_START + DAY, 2, 1500, 10);
	g_autoptr(GBytes) d = test_record_new(4, TEST_START + 2 * DAY, 42, 200, 10);
	g_autoptr(GBytes) e = test_record_new(5, TEST_START + 2 * DAY, 9, 0, 10);
	g_autoptr(GPtrArray) plan = NULL;
	g_autoptr(GError) error = NULL;
	const RdPlanArea *area;

	test_commit(f->store, a, RD_COMMIT_INSERTED);
	test_commit(f->store, b, RD_COMMIT_INSERTED);
	test_commit(f->store, c, RD_COMMIT_INSERTED);
	test_commit(f->store, d, RD_COMMIT_INSERTED);
	test_commit(f->store, e, RD_COMMIT_INSERTED);
	assert_true(rd_store_treatment_plan(f->store, &config, 0, &plan, &error));
	assert_int_equal(plan->len, 11);	/* 1..10 and 42 */

	area = g_ptr_array_index(plan, 0);	/* abdomen: nothing yet */
	assert_int_equal(area->area_id, 1);
	assert_int_equal(area->sessions, 0);
	assert_int_equal(area->next_due, 0);
	area = g_ptr_array_index(plan, 6);	/* face: 300 um last, the 500 band */
	assert_int_equal(area->area_id, 7);
	assert_int_equal(area->sessions, 2);
	assert_int_equal(area->last_start, TEST_START + 3 * DAY);
	assert_int_equal(area->needle_um, 300);
	assert_int_equal(area->min_interval_days, 7);
	assert_int_equal(area->next_due, TEST_START + 10 * DAY);
	area = g_ptr_array_index(plan, 1);	/* thighs: longer than every band */
	assert_int_equal(area->min_interval_days, 14);
	assert_int_equal(area->next_due, TEST_START + 15 * DAY);
	area = g_ptr_array_index(plan, 8);	/* back: needle unknown, longest */
	assert_int_equal(area->area_id, 9);
	assert_int_equal(area->min_interval_days, 14);
	area = g_ptr_array_index(plan, 10);
	assert_int_equal(area->area_id, 42);
	assert_int_equal(area->min_interval_days, 2);
	assert_int_equal(area->next_due, TEST_START + 4 * DAY);
}

static RdHeadUsage
usage(RdStore *store, const char *serial)
{
	g_autoptr(GError) error = NULL;
	RdHeadUsage u;

	if (!rd_store_head_usage(store, serial, &u, &error))
		fail_msg("head usage: %s", error->message);
	return u;
}

static void
test_needle_heads(void **state)
{
	TestStoreFixture *f = *state;
	g_autoptr(GBytes) a = test_record_new(1, TEST_START, 7, 500, 100);
	g_autoptr(GBytes) b = test_record_new(2, TEST_START + DAY, 7, 500, 50);
	g_autoptr(GBytes) c = test_record_new(3, TEST_START + 2 * DAY, 7, 1000, 30);
	g_autoptr(GBytes) d = test_record_new(5, TEST_START + 5 * DAY, 7, 1000, 40);
	g_autoptr(GError) error = NULL;
	RdLiveSessionRow row;
	RdHeadUsage u;

	assert_int_equal(usage(f->store, TEST_SERIAL).head_id, 0);
	test_commit(f->store, a, RD_COMMIT_INSERTED);
	test_commit(f->store, b, RD_COMMIT_INSERTED);
	u = usage(f->store, TEST_SERIAL);
	assert_int_equal(u.needle_um, 500);
	assert_int_equal(u.sessions, 2);
	assert_int_equal(u.strokes, 150);
	assert_int_equal(u.fitted_at, TEST_START);

	test_commit(f->store, c, RD_COMMIT_INSERTED);	/* a new length: a new head */
	u = usage(f->store, TEST_SERIAL);
	assert_int_equal(u.needle_um, 1000);
	assert_int_equal(u.sessions, 1);

	/* HEAD_CHANGED (twice: one change) starts a fresh head of the same length. */
	assert_true(rd_store_note_head_changed(f->store, TEST_SERIAL, 1000, TEST_START + 3 * DAY, &error));
	assert_true(rd_store_note_head_changed(f->store, TEST_SERIAL, 1000, TEST_START + 3 * DAY, &error));
	assert_int_equal(usage(f->store, TEST_SERIAL).sessions, 0);
	/* A live session counts once; its record's strokes replace the live count. */
	test_live_row_init(&row, 5, TEST_START + 5 * DAY, 7, 1000, 35, 10);
	assert_true(rd_store_save_live_session(f->store, &row, NULL, NULL, &error));
	test_commit(f->store, d, RD_COMMIT_MERGED);
	u = usage(f->store, TEST_SERIAL);
	assert_int_equal(u.sessions, 1);
	assert_int_equal(u.strokes, 40);
	assert_int_equal(u.fitted_at, TEST_START + 3 * DAY);
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM heads"), 3);
	assert_int_equal(usage(f->store, "RL-OTHER").head_id, 0);

	/* A new roller's live half without a needle length: no head until the record. */
	test_live_row_init(&row, 6, TEST_START, 7, 0, 20, 10);
	row.serial = "RL-NEW";
	assert_true(rd_store_save_live_session(f->store, &row, NULL, NULL, &error));
	assert_int_equal(usage(f->store, "RL-NEW").head_id, 0);
	g_clear_pointer(&d, g_bytes_unref);
	d = test_record_new(6, TEST_START, 7, 250, 25);
	assert_true(test_commit_bytes(f->store, "RL-NEW", NULL, d, NULL, NULL, &error));
	u = usage(f->store, "RL-NEW");
	assert_int_equal(u.needle_um, 250);
	assert_int_equal(u.sessions, 1);
	assert_int_equal(u.strokes, 25);
	assert_int_equal(test_sql_int(f->store, "SELECT count(*) FROM sessions "
				      "WHERE roller_serial = 'RL-NEW' AND head_id IS NOT NULL"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, test_store_setup, test_store_teardown)
		T(test_flush_writes_the_database_file),
		T(test_commit_stores_once),
		T(test_commit_rejects_bad_input),
		T(test_key_with_unset_clock_adds_crc),
		T(test_merge_live_then_record),
		T(test_merge_record_then_live),
		T(test_merge_rules_for_start_and_unset_clock),
		T(test_live_row_validation),
		T(test_query_filters_and_pages),
		T(test_query_after_id),
		T(test_get_and_delete),
		T(test_notes_validate_and_merge),
		T(test_treatment_plan),
		T(test_needle_heads),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
