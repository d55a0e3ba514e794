/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rd-config: defaults, overrides, unknown keys, bad values, [Plan] bands,
 * and the shipped data/rollerd.conf: it loads, and with every line
 * uncommented it sets exactly the keys the code knows, at their defaults.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "daemon/rd-config.h"

#define SHIPPED_CONF TOP_SRCDIR "/data/rollerd.conf"

/* g_warning()s of the code under test, counted instead of printed. */
static guint warnings;
static char *last_warning;

static GLogWriterOutput
count_warnings(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
	if (!(level & G_LOG_LEVEL_WARNING))
		return g_log_writer_default(level, fields, n_fields, data);
	warnings++;
	for (gsize i = 0; i < n_fields; i++) {
		if (g_str_equal(fields[i].key, "MESSAGE")) {
			g_free(last_warning);
			last_warning = g_strdup(fields[i].value);
		}
	}
	return G_LOG_WRITER_HANDLED;
}

static int
reset_warnings(void **state)
{
	warnings = 0;
	g_clear_pointer(&last_warning, g_free);
	return 0;
}

static RdConfig *
load(const char *text)
{
	g_autoptr(GError) error = NULL;
	RdConfig *config = rd_config_load_from_data(text, strlen(text), "test.conf", &error);

	if (!config)
		fail_msg("%s", error->message);
	return config;
}

static void
test_defaults(void **state)
{
	g_autoptr(RdConfig) config = rd_config_new();
	g_autoptr(RdConfig) no_file = NULL;
	g_autoptr(GError) error = NULL;
	const RdFeedbackConfig *fb = rd_config_get_feedback(config);
	static const RdPlanBand want[] = {
		{ 250, 3 }, { 500, 14 }, { 1000, 28 }, { 1500, 42 }, { 2500, 42 },
	};
	RdPlanConfig plan;

	assert_int_equal(fb->hold_off_ms, 30000);
	assert_int_equal(fb->force_low_ms, 3000);
	assert_int_equal(fb->force_high_ms, 1000);
	assert_int_equal(fb->max_strokes_per_minute, 60);
	assert_int_equal(fb->max_passes_per_cell, 20);
	assert_int_equal(fb->direction_min_strokes, 40);
	assert_int_equal(fb->direction_min_share_percent, 10);
	assert_int_equal(fb->coverage_min_passes, 1);
	assert_int_equal(fb->coverage_min_share_percent, 80);
	assert_int_equal(fb->disabled, 0);
	assert_true(rd_config_get_auto_reconnect(config));
	assert_int_equal(rd_config_get_reconnect_backoff_max_seconds(config), 60);
	assert_true(rd_config_get_sync_on_connect(config));
	assert_int_equal(rd_config_get_live_update_max_hz(config), 10);
	assert_int_equal(rd_config_get_sessions_per_head(config), 10);
	rd_config_get_plan(config, &plan);
	assert_int_equal(plan.n_bands, G_N_ELEMENTS(want));
	for (guint i = 0; i < plan.n_bands; i++) {
		assert_int_equal(plan.bands[i].max_needle_um, want[i].max_needle_um);
		assert_int_equal(plan.bands[i].days, want[i].days);
	}

	no_file = rd_config_load(NULL, &error);
	assert_non_null(no_file);
	assert_true(rd_config_equal(config, no_file));
	assert_int_equal(warnings, 0);
}

static void
test_overrides(void **state)
{
	g_autoptr(RdConfig) config = load(
		"# a comment\n"
		"[Feedback]\n"
		"AlertHoldOffSeconds = 5\n"
		"MaxPassesPerCell=254\n"
		"DirectionMinSharePercent=0\n"
		"DisabledAlerts=too-fast; battery-low;\n"
		"[Daemon]\n"
		"AutoReconnect=false\n"
		"SyncOnConnect=false\n"
		"ReconnectBackoffMaxSeconds=3600\n"
		"LiveUpdateMaxHz=1\n"
		"[Head]\n"
		"SessionsPerHead=0\n");
	g_autoptr(RdConfig) defaults = rd_config_new();
	const RdFeedbackConfig *fb = rd_config_get_feedback(config);

	assert_int_equal(fb->hold_off_ms, 5000);
	assert_int_equal(fb->max_passes_per_cell, 254);
	assert_int_equal(fb->direction_min_share_percent, 0);
	assert_int_equal(fb->disabled, 1u << RD_ALERT_TOO_FAST | 1u << RD_ALERT_BATTERY_LOW);
	assert_int_equal(fb->force_low_ms, rd_config_get_feedback(defaults)->force_low_ms);
	assert_false(rd_config_get_auto_reconnect(config));
	assert_false(rd_config_get_sync_on_connect(config));
	assert_int_equal(rd_config_get_reconnect_backoff_max_seconds(config), 3600);
	assert_int_equal(rd_config_get_live_update_max_hz(config), 1);
	assert_int_equal(rd_config_get_sessions_per_head(config), 0);
	assert_false(rd_config_equal(config, defaults));
	assert_int_equal(warnings, 0);
}

static void
test_unknown_keys_and_groups_warned(void **state)
{
	g_autoptr(RdConfig) config = load(
		"[Feedback]\nMaxStrokesPerMinute=90\nLoudness=11\n"
		"[Display]\nTheme=dark\n"
		"[Plan]\nEvery=3\n");

	assert_int_equal(rd_config_get_feedback(config)->max_strokes_per_minute, 90);
	assert_int_equal(warnings, 3);
	assert_non_null(strstr(last_warning, "[Plan] Every"));
}

static void
test_bad_values_fail_with_the_key_named(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "[Feedback]\nMaxPassesPerCell=abc",
		  "test.conf: [Feedback] MaxPassesPerCell=abc: expected a whole number from 1 to 254" },
		{ "[Feedback]\nMaxPassesPerCell=255", "from 1 to 254" },
		{ "[Feedback]\nMaxPassesPerCell=0", "from 1 to 254" },
		{ "[Feedback]\nMaxPassesPerCell=-1", "[Feedback] MaxPassesPerCell=-1" },
		{ "[Feedback]\nMaxPassesPerCell=12 # twelve", "MaxPassesPerCell=12 # twelve" },
		{ "[Feedback]\nMaxPassesPerCell=", "MaxPassesPerCell=: expected" },
		{ "[Feedback]\nAlertHoldOffSeconds=3601", "from 1 to 3600" },
		{ "[Feedback]\nCoverageMinSharePercent=101", "from 0 to 100" },
		{ "[Feedback]\nDisabledAlerts=force-low;head-worn",
		  "[Feedback] DisabledAlerts=head-worn: expected alert kinds" },
		{ "[Daemon]\nAutoReconnect=yes", "[Daemon] AutoReconnect=yes: expected true or false" },
		{ "[Daemon]\nSyncOnConnect=1", "expected true or false" },
		{ "[Daemon]\nLiveUpdateMaxHz=61", "[Daemon] LiveUpdateMaxHz=61" },
		{ "[Head]\nSessionsPerHead=1001", "[Head] SessionsPerHead=1001" },
		{ "[Plan]\nNeedle0.5mm=0", "[Plan] Needle0.5mm=0: expected a whole number of days" },
		{ "[Plan]\nNeedle0.5mm=366", "from 1 to 365" },
		{ "[Plan]\nNeedle0mm=3", "[Plan] Needle0mm: expected Needle<length>mm" },
		{ "[Plan]\nNeedle0.1234mm=3", "at most three decimals" },
		{ "[Plan]\nNeedle.5mm=3", "[Plan] Needle.5mm" },
		{ "[Plan]\nNeedle11mm=3", "[Plan] Needle11mm" },
		{ "[Plan]\nNeedlemm=3", "[Plan] Needlemm" },
		{ "[Clinic]\nConnection=host=db", "[Clinic] Connection is set but not Room" },
		{ "[Clinic]\nConnection=host=db\nRoom=room a", "[Clinic] Room: “room a”" },
		{ "[Clinic]\nConnection=host=db\nRoom=Room_A", "lower-case" },
		{ "[Clinic]\nPasswordFile=clinic.pgpass", "[Clinic] PasswordFile" },
		{ "[Clinic]\nTimeoutSeconds=0", "[Clinic] TimeoutSeconds=0" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		RdConfig *config = rd_config_load_from_data(cases[i].text, strlen(cases[i].text),
							    "test.conf", &error);

		if (config)
			fail_msg("case %u loaded: %s", i, cases[i].text);
		assert_true(g_error_matches(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE));
		if (!strstr(error->message, cases[i].want))
			fail_msg("case %u: \"%s\" lacks \"%s\"", i, error->message, cases[i].want);
	}
}

/* [Clinic]: off without Connection; its strings as given, trimmed. */
static void
test_clinic_section(void **state)
{
	static const char text[] = "[Clinic]\nConnection= service=clinic sslmode=require \n"
				    "Room=room_b\nPasswordFile=/etc/rollerd/clinic.pgpass\n"
				    "TimeoutSeconds=2\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(RdConfig) none = rd_config_new();
	g_autoptr(RdConfig) config = rd_config_load_from_data(text, strlen(text), "test.conf",
							      &error);

	assert_null(rd_config_get_clinic_connection(none));
	assert_null(rd_config_get_clinic_room(none));
	assert_int_equal(rd_config_get_clinic_timeout_ms(none), 5000);
	assert_non_null(config);
	assert_string_equal(rd_config_get_clinic_connection(config), "service=clinic sslmode=require");
	assert_string_equal(rd_config_get_clinic_room(config), "room_b");
	assert_string_equal(rd_config_get_clinic_password_file(config),
			    "/etc/rollerd/clinic.pgpass");
	assert_int_equal(rd_config_get_clinic_timeout_ms(config), 2000);
	assert_false(rd_config_equal(config, none));
}

static void
test_syntax_error_and_missing_file(void **state)
{
	g_autoptr(GError) error = NULL;
	const char *text = "[Feedback\nMaxPassesPerCell=3\n";

	assert_null(rd_config_load_from_data(text, strlen(text), "test.conf", &error));
	assert_true(g_error_matches(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE));
	assert_true(g_str_has_prefix(error->message, "test.conf: "));
	g_clear_error(&error);

	assert_null(rd_config_load("/nonexistent/rollerd.conf", &error));
	assert_true(g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT));
	assert_non_null(strstr(error->message, "/nonexistent/rollerd.conf"));
}

static void
test_load_from_a_file(void **state)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	g_autoptr(RdConfig) config = NULL;
	const char text[] = "[Daemon]\nLiveUpdateMaxHz=25\n";
	int fd = g_file_open_tmp("rollerd-XXXXXX.conf", &path, &error);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
	close(fd);
	config = rd_config_load(path, &error);
	g_unlink(path);
	assert_non_null(config);
	assert_int_equal(rd_config_get_live_update_max_hz(config), 25);
}

static void
test_plan_bands_override_and_add(void **state)
{
	g_autoptr(RdConfig) config = load("[Plan]\nNeedle3mm=60\nNeedle0.5mm=7\n"
					  "Needle0.750mm=21\nNeedle0.2mm=2\n");
	static const RdPlanBand want[] = {
		{ 200, 2 }, { 250, 3 }, { 500, 7 }, { 750, 21 }, { 1000, 28 },
		{ 1500, 42 }, { 2500, 42 }, { 3000, 60 },
	};
	g_autoptr(GKeyFile) kf = rd_config_to_key_file(config);
	RdPlanConfig plan;

	rd_config_get_plan(config, &plan);
	assert_int_equal(plan.n_bands, G_N_ELEMENTS(want));
	for (guint i = 0; i < plan.n_bands; i++) {
		assert_int_equal(plan.bands[i].max_needle_um, want[i].max_needle_um);
		assert_int_equal(plan.bands[i].days, want[i].days);
	}
	/* Written back under their shortest names. */
	assert_int_equal(g_key_file_get_integer(kf, "Plan", "Needle0.75mm", NULL), 21);
	assert_int_equal(g_key_file_get_integer(kf, "Plan", "Needle3.0mm", NULL), 60);
	assert_int_equal(g_key_file_get_integer(kf, "Plan", "Needle0.2mm", NULL), 2);
}

static char *
uncomment_keys(const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	/* "#Key=value" lines are the keys; "# prose" has a space. */
	for (guint i = 0; lines[i]; i++)
		if (lines[i][0] == '#' && g_ascii_isalpha(lines[i][1]) && strchr(lines[i], '='))
			memmove(lines[i], lines[i] + 1, strlen(lines[i]));
	return g_strjoinv("\n", lines);
}

static void
test_shipped_file_matches_defaults(void **state)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL, *uncommented = NULL;
	g_autoptr(RdConfig) defaults = rd_config_new();
	g_autoptr(RdConfig) shipped = rd_config_load(SHIPPED_CONF, &error);
	g_autoptr(RdConfig) all_set = NULL;
	g_autoptr(GKeyFile) want = rd_config_to_key_file(defaults);
	g_autoptr(GKeyFile) got = g_key_file_new();
	g_auto(GStrv) groups = NULL;
	guint n_keys = 0, n_got = 0;
	gsize len;

	if (!shipped)
		fail_msg("%s", error->message);
	assert_true(rd_config_equal(shipped, defaults));

	assert_true(g_file_get_contents(SHIPPED_CONF, &text, &len, &error));
	uncommented = uncomment_keys(text);
	all_set = rd_config_load_from_data(uncommented, strlen(uncommented), "uncommented", &error);
	if (!all_set)
		fail_msg("%s", error->message);
	assert_true(rd_config_equal(all_set, defaults));
	assert_int_equal(warnings, 0);

	/* Both ways: every key the code has is in the file, at its default. */
	assert_true(g_key_file_load_from_data(got, uncommented, (gsize)-1, G_KEY_FILE_NONE, &error));
	groups = g_key_file_get_groups(want, NULL);
	for (guint g = 0; groups[g]; g++) {
		g_auto(GStrv) keys = g_key_file_get_keys(want, groups[g], NULL, NULL);

		for (guint k = 0; keys[k]; k++, n_keys++) {
			g_autofree char *a = g_key_file_get_value(want, groups[g], keys[k], NULL);
			g_autofree char *b = g_key_file_get_value(got, groups[g], keys[k], NULL);

			if (!b)
				fail_msg("[%s] %s is not in data/rollerd.conf", groups[g], keys[k]);
			if (!g_str_equal(a, b))
				fail_msg("[%s] %s: the file says %s, the code %s", groups[g], keys[k], b, a);
		}
	}
	g_strfreev(groups);
	groups = g_key_file_get_groups(got, NULL);
	for (guint g = 0; groups[g]; g++) {
		g_auto(GStrv) keys = g_key_file_get_keys(got, groups[g], NULL, NULL);

		n_got += g_strv_length(keys);
	}
	assert_int_equal(n_got, n_keys);
	assert_int_equal(n_keys, 15 + 1 + 5 + 1);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup(name, reset_warnings)
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_overrides),
		T(test_unknown_keys_and_groups_warned),
		T(test_clinic_section),
		T(test_bad_values_fail_with_the_key_named),
		T(test_syntax_error_and_missing_file),
		T(test_load_from_a_file),
		T(test_plan_bands_override_and_add),
		T(test_shipped_file_matches_defaults),
	};
#undef T
	int failed;

	g_log_set_writer_func(count_warnings, NULL, NULL);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	g_clear_pointer(&last_warning, g_free);
	return failed;
}
