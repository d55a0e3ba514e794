/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl report: a session's page and an area's page, each one A4 page
 * with every word on it, none over another, and the parts that are drawn
 * last (the force chart's axis, the journal, the footer) all there.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cairo.h>

#include "test-rollerctl-util.h"

#define ROLLER2 "org.rollerd.Roller2"

typedef struct {
	double x0, y0, x1, y1;
	char *text;
} Word;

static void
word_clear(gpointer data)
{
	g_free(((Word *)data)->text);
}

static char *
run_tool(const char *const *argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *err = NULL;
	char *out = NULL;
	int status;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
			  &status, &error))
		fail_msg("cannot run %s: %s", argv[0], error->message);
	if (!g_spawn_check_wait_status(status, NULL))
		fail_msg("%s failed: %s", argv[0], err);
	return out;
}

/* The words of the one page of @pdf (pdftotext leaves out those off the page). */
static GArray *
pdf_words(const char *pdf)
{
	const char *info_argv[] = { "pdfinfo", pdf, NULL };
	const char *text_argv[] = { "pdftotext", "-bbox", pdf, "-", NULL };
	g_autofree char *info = run_tool(info_argv);
	g_autofree char *xhtml = run_tool(text_argv);
	g_autoptr(GRegex) re = g_regex_new("<word xMin=\"([-0-9.]+)\" yMin=\"([-0-9.]+)\" "
					   "xMax=\"([-0-9.]+)\" yMax=\"([-0-9.]+)\">([^<]*)</word>",
					   0, 0, NULL);
	g_autoptr(GMatchInfo) match = NULL;
	GArray *words = g_array_new(FALSE, FALSE, sizeof(Word));

	g_array_set_clear_func(words, word_clear);
	if (!strstr(info, "\nPages:           1\n"))
		fail_msg("%s is not one page:\n%s", pdf, info);
	if (!strstr(info, "\nPage size:       595 x 842 pts (A4)\n"))
		fail_msg("%s is not A4:\n%s", pdf, info);
	assert_non_null(strstr(xhtml, "<page width=\"595.000000\" height=\"842.000000\">"));
	g_regex_match(re, xhtml, 0, &match);
	for (; g_match_info_matches(match); g_match_info_next(match, NULL)) {
		g_auto(GStrv) f = g_match_info_fetch_all(match);
		Word w = { g_ascii_strtod(f[1], NULL), g_ascii_strtod(f[2], NULL),
			   g_ascii_strtod(f[3], NULL), g_ascii_strtod(f[4], NULL), g_strdup(f[5]) };

		g_array_append_val(words, w);
	}
	assert_true(words->len > 50);
	return words;
}

static gboolean
has_word(GArray *words, const char *text)
{
	for (guint i = 0; i < words->len; i++) {
		if (g_str_equal(g_array_index(words, Word, i).text, text))
			return TRUE;
	}
	return FALSE;
}

/*
 * @pdf is one A4 page whose every word lies within it, none over another,
 * and it has each of @expect (NULL-terminated).
 */
static GArray *
assert_page_fits(const char *pdf, const char *const *expect)
{
	GArray *words = pdf_words(pdf);

	for (guint i = 0; i < words->len; i++) {
		const Word *a = &g_array_index(words, Word, i);

		if (a->x0 < 0 || a->y0 < 0 || a->x1 > 595 || a->y1 > 842)
			fail_msg("'%s' is not on the page: %.1f,%.1f to %.1f,%.1f", a->text, a->x0,
				 a->y0, a->x1, a->y1);
		for (guint j = i + 1; j < words->len; j++) {
			const Word *b = &g_array_index(words, Word, j);

			if (MIN(a->x1, b->x1) - MAX(a->x0, b->x0) > 0.5 &&
			    MIN(a->y1, b->y1) - MAX(a->y0, b->y0) > 0.5)
				fail_msg("'%s' and '%s' overlap at %.0f,%.0f", a->text, b->text,
					 a->x0, a->y0);
		}
	}
	for (gsize i = 0; expect[i]; i++) {
		if (!has_word(words, expect[i]))
			fail_msg("%s has no '%s' (off the page?)", pdf, expect[i]);
	}
	return words;
}

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

/* One roller with 12 stored sessions, all synced into the history. */
static TestDaemon *
setup(void **state)
{
	const char *sim_args[] = { "--stored=12", NULL };
	g_autofree char *pdftotext = g_find_program_in_path("pdftotext");
	g_autofree char *pdfinfo = g_find_program_in_path("pdfinfo");
	TestDaemon *td;

	if (!pdftotext || !pdfinfo) {
		print_message("poppler-utils is not installed (build-aux/debian-packages)\n");
		skip();
	}
	td = *state = test_daemon_new(sim_args);

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "StoredRecords",
					      "0", 20000));
	return td;
}

/* The newest session of @area. */
static char *
newest_of(TestDaemon *td, const char *area)
{
	g_autofree char *filter = g_strdup_printf("{'area': <'%s'>, 'limit': <uint32 1>}", area);
	g_autoptr(GVariant) rows = test_daemon_query(td, filter);
	g_autoptr(GVariant) row = NULL;
	guint64 id = 0;

	assert_int_equal(g_variant_n_children(rows), 1);
	row = g_variant_get_child_value(rows, 0);
	assert_true(g_variant_lookup(row, "id", "t", &id));
	return g_strdup_printf("%" G_GUINT64_FORMAT, id);
}

static void
assert_json_report(const char *out, const char *path, const char *format)
{
	g_autoptr(JsonNode) node = parse_json(out);
	JsonObject *o = expect_object(node);

	assert_string_equal(json_object_get_string_member(o, "path"), path);
	assert_string_equal(json_object_get_string_member(o, "format"), format);
	assert_int_equal(json_object_get_int_member(o, "pages"), 1);
}

static void
test_session_page(void **state)
{
	TestDaemon *td = setup(state);
	const char *dir = test_bus_get_dir(td->bus);
	g_autofree char *pdf = g_build_filename(dir, "session.pdf", NULL);
	g_autofree char *png = g_build_filename(dir, "session.png", NULL);
	g_autofree char *svg = g_build_filename(dir, "session \"q\".svg", NULL);
	g_autofree char *id = newest_of(td, "calves"), *svg_text = NULL;
	g_autoptr(GString) novel = g_string_new(NULL);
	g_autoptr(GArray) words = NULL;
	const char *const bottom[] = {
		"Journal", "moderate", "cleaned", "serum", "time", "min:s", "horizontal",
		"anti-diagonal", "lastword.", "advice.", "contact", "skin)", "gaps:", "lifted", NULL
	};
	g_auto(Run) r = { 0 };
	cairo_surface_t *image;

	rollerctl(&r, "note", id, "--redness", "moderate", "--numbing", "--cleaned", "--topical",
		  "hyaluronic serum", "--text", "Warm for an hour afterwards, the left calf a "
		  "little red near the shin; next time lighter there, and more strokes across "
		  "the diagonals to even out the balance. lastword.", NULL);
	assert_int_equal(r.status, 0);
	rollerctl(&r, "report", id, "--output", pdf, NULL);
	assert_int_equal(r.status, 0);
	assert_true(g_str_has_prefix(r.out, pdf));
	assert_string_equal(r.out + strlen(pdf), "\n");
	words = assert_page_fits(pdf, bottom);
	assert_true(has_word(words, "Session"));
	g_clear_pointer(&words, g_array_unref);

	/* A note too long for the page is cut short, still on it. */
	for (int i = 0; i < 200; i++)
		g_string_append_printf(novel, "word%d ", i);
	rollerctl(&r, "note", id, "--text", novel->str, NULL);
	assert_int_equal(r.status, 0);
	rollerctl(&r, "--json", "report", id, "--output", pdf, NULL);
	assert_int_equal(r.status, 0);
	assert_json_report(r.out, pdf, "pdf");
	words = assert_page_fits(pdf, (const char *const[]){ "word0", "advice.", NULL });
	assert_false(has_word(words, "word199"));

	rollerctl(&r, "report", id, "--output", png, NULL);
	assert_int_equal(r.status, 0);
	image = cairo_image_surface_create_from_png(png);
	assert_int_equal(cairo_surface_status(image), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(image), 1239);
	assert_int_equal(cairo_image_surface_get_height(image), 1754);
	cairo_surface_destroy(image);
	/* A path JSON must escape is escaped. */
	rollerctl(&r, "report", "--json", id, "--output", svg, NULL);
	assert_int_equal(r.status, 0);
	assert_json_report(r.out, svg, "svg");
	assert_true(g_file_get_contents(svg, &svg_text, NULL, NULL));
	assert_non_null(strstr(svg_text, "<svg"));

	/* A folder that is not there: what the OS said, and about which file. */
	static const char *const formats[] = { "x.pdf", "x.png", "x.svg" };

	for (gsize i = 0; i < G_N_ELEMENTS(formats); i++) {
		g_autofree char *lost = g_build_filename(test_bus_get_dir(td->bus), "no-such-folder",
							 formats[i], NULL);
		g_autofree char *expect = g_strdup_printf("rollerctl report: cannot write %s: "
							  "No such file or directory\n", lost);

		rollerctl(&r, "report", id, "--output", lost, NULL);
		assert_int_equal(r.status, 1);
		assert_string_equal(r.err, expect);
	}

	rollerctl(&r, "report", id, "--output", "x.txt", NULL);
	assert_int_equal(r.status, 2);
	rollerctl(&r, "report", id, NULL);
	assert_int_equal(r.status, 2);
}

static void
test_area_page(void **state)
{
	TestDaemon *td = setup(state);
	g_autofree char *pdf = g_build_filename(test_bus_get_dir(td->bus), "calves.pdf", NULL);
	g_autoptr(GVariant) rows = test_daemon_query(td, "{'area': <'calves'>}");
	g_autoptr(GArray) words = NULL;
	const char *const expect[] = {
		"Calves:", "progress", "strokes", "100%", "share,", "Latest", "Direction",
		"horizontal", "force,", "min:s", "advice.", "contact", "skin)", "gaps:", "lifted", NULL
	};
	g_auto(Run) r = { 0 };
	guint dates = 0;

	assert_true(g_variant_n_children(rows) >= 2);
	rollerctl(&r, "report", "--area", "calves", "--output", pdf, NULL);
	assert_int_equal(r.status, 0);
	words = assert_page_fits(pdf, expect);
	/*
	 * Each session has its date under the charts (the title's are above
	 * 150 pt), "~" first: the stored sessions were rolled before rollerd
	 * set the roller's clock.
	 */
	for (guint i = 0; i < words->len; i++) {
		const Word *w = &g_array_index(words, Word, i);

		dates += w->y0 > 150 && w->text[0] == '~' && g_ascii_isdigit(w->text[1]);
	}
	assert_int_equal(dates, g_variant_n_children(rows));

	rollerctl(&r, "--json", "report", "--area", "calves", "--output", pdf, NULL);
	assert_int_equal(r.status, 0);
	assert_json_report(r.out, pdf, "pdf");
	rollerctl(&r, "report", "--area", "face", "--output", pdf, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "no session of the area face"));
	rollerctl(&r, "report", "--area", "moon", "--output", pdf, NULL);
	assert_int_equal(r.status, 2);
	assert_null(strstr(r.err, "GDBus"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_session_page, teardown),
		cmocka_unit_test_teardown(test_area_page, teardown),
	};

	return cmocka_run_group_tests_name("rollerctl report", tests, NULL, NULL);
}
