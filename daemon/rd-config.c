/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "rd-config.h"

struct _RdConfig {
	RdFeedbackConfig feedback;
	gboolean auto_reconnect;
	guint backoff_max_s;
	gboolean sync_on_connect;
	guint live_update_max_hz;
	guint sessions_per_head;
	gboolean reminders;
	RdPlanBand bands[RD_CONFIG_PLAN_BANDS_MAX];
	guint n_bands;
	/* [Clinic]: strings, NULL when not set. */
	char *clinic_connection;
	char *clinic_room;
	char *clinic_password_file;
	guint clinic_timeout_ms;
};

typedef enum {
	KEY_UINT,
	KEY_BOOLEAN,
} KeyType;

/*
 * One plain key.  A KEY_UINT is stored times @scale (seconds in the file,
 * milliseconds in RdFeedbackConfig).  data/rollerd.conf documents each
 * default and where it comes from; test-config checks they agree.
 */
typedef struct {
	const char *group;
	const char *key;
	KeyType type;
	guint def;
	guint min;
	guint max;
	guint scale;
	gsize offset;
} KeyDesc;

#define FEEDBACK(field) (offsetof(RdConfig, feedback) + offsetof(RdFeedbackConfig, field))

static const KeyDesc keys[] = {
	{ "Feedback", "AlertHoldOffSeconds", KEY_UINT, 30, 1, 3600, 1000, FEEDBACK(hold_off_ms) },
	{ "Feedback", "ForceLowSustainedMs", KEY_UINT, 3000, 100, 60000, 1, FEEDBACK(force_low_ms) },
	{ "Feedback", "ForceHighSustainedMs", KEY_UINT, 1000, 100, 60000, 1, FEEDBACK(force_high_ms) },
	{ "Feedback", "MaxStrokesPerMinute", KEY_UINT, 60, 1, 600, 1, FEEDBACK(max_strokes_per_minute) },
	{ "Feedback", "MaxPassesPerCell", KEY_UINT, 20, 1, 254, 1, FEEDBACK(max_passes_per_cell) },
	{ "Feedback", "DirectionMinStrokes", KEY_UINT, 40, 1, 100000, 1, FEEDBACK(direction_min_strokes) },
	{ "Feedback", "DirectionMinSharePercent", KEY_UINT, 10, 0, 25, 1,
	  FEEDBACK(direction_min_share_percent) },
	{ "Feedback", "CoverageMinPasses", KEY_UINT, 1, 1, 255, 1, FEEDBACK(coverage_min_passes) },
	{ "Feedback", "CoverageMinSharePercent", KEY_UINT, 80, 0, 100, 1,
	  FEEDBACK(coverage_min_share_percent) },
	{ "Daemon", "AutoReconnect", KEY_BOOLEAN, TRUE, 0, 1, 1, offsetof(RdConfig, auto_reconnect) },
	{ "Daemon", "ReconnectBackoffMaxSeconds", KEY_UINT, 60, 1, 3600, 1,
	  offsetof(RdConfig, backoff_max_s) },
	{ "Daemon", "SyncOnConnect", KEY_BOOLEAN, TRUE, 0, 1, 1, offsetof(RdConfig, sync_on_connect) },
	{ "Daemon", "LiveUpdateMaxHz", KEY_UINT, 10, 1, 60, 1, offsetof(RdConfig, live_update_max_hz) },
	{ "Daemon", "Reminders", KEY_BOOLEAN, TRUE, 0, 1, 1, offsetof(RdConfig, reminders) },
	{ "Clinic", "TimeoutSeconds", KEY_UINT, 5, 1, 300, 1000, offsetof(RdConfig, clinic_timeout_ms) },
	{ "Head", "SessionsPerHead", KEY_UINT, 10, 0, 1000, 1, offsetof(RdConfig, sessions_per_head) },
};

#define FEEDBACK_DISABLED_KEY "DisabledAlerts"

/* [Plan]: Needle<mm>mm=<days>, the band of needles up to that length. */
#define PLAN_KEY_PREFIX "Needle"
#define PLAN_KEY_SUFFIX "mm"
#define PLAN_NEEDLE_MAX_UM 10000u
#define PLAN_DAYS_MIN 1u
#define PLAN_DAYS_MAX 365u

static const RdPlanBand default_bands[] = {
	{ 250, 3 },
	{ 500, 14 },
	{ 1000, 28 },
	{ 1500, 42 },
	{ 2500, 42 },
};

static const char *const groups[] = { "Feedback", "Daemon", "Plan", "Head", "Clinic" };

static guint *
field(RdConfig *config, const KeyDesc *desc)
{
	return (guint *)((guint8 *)config + desc->offset);
}

static guint
field_value(const RdConfig *config, const KeyDesc *desc)
{
	return *(const guint *)((const guint8 *)config + desc->offset);
}

RdConfig *
rd_config_new(void)
{
	RdConfig *config = g_new0(RdConfig, 1);

	G_STATIC_ASSERT(sizeof(gboolean) == sizeof(guint));
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
		*field(config, &keys[i]) = keys[i].def * keys[i].scale;
	memcpy(config->bands, default_bands, sizeof(default_bands));
	config->n_bands = G_N_ELEMENTS(default_bands);
	return config;
}

void
rd_config_free(RdConfig *config)
{
	if (!config)
		return;
	g_free(config->clinic_connection);
	g_free(config->clinic_room);
	g_free(config->clinic_password_file);
	g_free(config);
}

/* A PostgreSQL role name we accept as a room: lower-case letters, digits,
 * _ and -.  Upper case would be folded by an unquoted role name, and rows
 * signed "Room_A" never match current_user room_a. */
static gboolean
valid_room(const char *room)
{
	gsize len = strlen(room);

	if (len == 0 || len > 63)
		return FALSE;
	for (gsize i = 0; i < len; i++)
		if (!g_ascii_islower(room[i]) && !g_ascii_isdigit(room[i]) && room[i] != '_' &&
		    room[i] != '-')
			return FALSE;
	return TRUE;
}

static gboolean
load_clinic_key(RdConfig *config, GKeyFile *kf, const char *source, const char *key,
		GError **error)
{
	g_autofree char *value = g_key_file_get_string(kf, "Clinic", key, NULL);
	char **slot;

	if (g_str_equal(key, "Connection"))
		slot = &config->clinic_connection;
	else if (g_str_equal(key, "Room"))
		slot = &config->clinic_room;
	else if (g_str_equal(key, "PasswordFile"))
		slot = &config->clinic_password_file;
	else {
		g_warning("%s: [Clinic] %s: unknown key, ignored", source, key);
		return TRUE;
	}
	g_strstrip(value);
	if (!*value)
		return TRUE;
	if (g_str_equal(key, "Room") && !valid_room(value)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [Clinic] Room: “%s” is not a room name: 1 to 63 lower-case "
			    "letters, digits, _ or -, the room's PostgreSQL role exactly", source, value);
		return FALSE;
	}
	if (g_str_equal(key, "PasswordFile") && !g_path_is_absolute(value)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [Clinic] PasswordFile: “%s” is not an absolute path", source, value);
		return FALSE;
	}
	g_free(*slot);
	*slot = g_steal_pointer(&value);
	return TRUE;
}

static const KeyDesc *
find_key(const char *group, const char *key)
{
	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++)
		if (g_str_equal(keys[i].group, group) && g_str_equal(keys[i].key, key))
			return &keys[i];
	return NULL;
}

static gboolean
known_group(const char *group)
{
	for (gsize i = 0; i < G_N_ELEMENTS(groups); i++)
		if (g_str_equal(groups[i], group))
			return TRUE;
	return FALSE;
}

static gboolean
bad_value(GError **error, const char *source, const char *group, const char *key,
	  const char *value, const char *expected)
{
	g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
		    "%s: [%s] %s=%s: expected %s", source, group, key, value, expected);
	return FALSE;
}

static gboolean
load_key(RdConfig *config, GKeyFile *kf, const char *source, const KeyDesc *desc,
	 GError **error)
{
	g_autofree char *raw = g_key_file_get_value(kf, desc->group, desc->key, NULL);
	g_autofree char *expected = NULL;
	const char *value = g_strstrip(raw);
	guint64 number;

	if (desc->type == KEY_BOOLEAN) {
		if (g_str_equal(value, "true") || g_str_equal(value, "false")) {
			*field(config, desc) = g_str_equal(value, "true");
			return TRUE;
		}
		return bad_value(error, source, desc->group, desc->key, value,
				 "true or false");
	}
	if (g_ascii_string_to_unsigned(value, 10, desc->min, desc->max, &number, NULL)) {
		*field(config, desc) = (guint)number * desc->scale;
		return TRUE;
	}
	expected = g_strdup_printf("a whole number from %u to %u", desc->min, desc->max);
	return bad_value(error, source, desc->group, desc->key, value, expected);
}

static gboolean
load_disabled_alerts(RdConfig *config, GKeyFile *kf, const char *source, GError **error)
{
	g_auto(GStrv) names = g_key_file_get_string_list(kf, "Feedback", FEEDBACK_DISABLED_KEY,
							 NULL, NULL);
	guint disabled = 0;

	for (guint i = 0; names && names[i]; i++) {
		const char *name = g_strstrip(names[i]);
		RdAlertKind kind;

		if (!*name)
			continue;
		if (!rd_alert_kind_from_string(name, &kind))
			return bad_value(error, source, "Feedback", FEEDBACK_DISABLED_KEY, name,
					 "alert kinds separated by ';' (force-low, force-high, "
					 "overforce, too-fast, cell-overworked, "
					 "direction-neglected, coverage-incomplete, battery-low)");
		disabled |= 1u << kind;
	}
	config->feedback.disabled = disabled;
	return TRUE;
}

/* "0.25" -> 250: up to three decimals, so that every length is exact. */
static gboolean
parse_needle_um(const char *text, gsize len, guint *um)
{
	guint value = 0, decimals = 0;
	gboolean point = FALSE;

	if (!len)
		return FALSE;
	for (gsize i = 0; i < len; i++) {
		if (text[i] == '.' && !point && i > 0 && i + 1 < len) {
			point = TRUE;
			continue;
		}
		if (!g_ascii_isdigit(text[i]) || (point && ++decimals > 3))
			return FALSE;
		value = value * 10 + (guint)(text[i] - '0');
		if (value > PLAN_NEEDLE_MAX_UM * 10)
			return FALSE;
	}
	for (; decimals < 3; decimals++)
		value *= 10;
	*um = value;
	return value >= 1 && value <= PLAN_NEEDLE_MAX_UM;
}

static gint
compare_bands(gconstpointer a, gconstpointer b)
{
	const RdPlanBand *x = a, *y = b;

	return (x->max_needle_um > y->max_needle_um) - (x->max_needle_um < y->max_needle_um);
}

static gboolean
load_plan_key(RdConfig *config, GKeyFile *kf, const char *source, const char *key,
	      GError **error)
{
	gsize len = strlen(key), prefix = strlen(PLAN_KEY_PREFIX), suffix = strlen(PLAN_KEY_SUFFIX);
	g_autofree char *raw = NULL, *expected = NULL;
	guint64 days;
	guint um, i;

	if (len < prefix + suffix || !g_str_has_prefix(key, PLAN_KEY_PREFIX) ||
	    !g_str_has_suffix(key, PLAN_KEY_SUFFIX)) {
		g_warning("%s: [Plan] %s: unknown key, ignored", source, key);
		return TRUE;
	}
	/* Meant as a band: a length we cannot read is an error, not a typo to skip. */
	if (!parse_needle_um(key + prefix, len - prefix - suffix, &um)) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [Plan] %s: expected Needle<length>mm, a length from "
			    "0.001 to 10 mm with at most three decimals", source, key);
		return FALSE;
	}
	raw = g_key_file_get_value(kf, "Plan", key, NULL);
	if (!g_ascii_string_to_unsigned(g_strstrip(raw), 10, PLAN_DAYS_MIN, PLAN_DAYS_MAX,
					&days, NULL)) {
		expected = g_strdup_printf("a whole number of days from %u to %u",
					   PLAN_DAYS_MIN, PLAN_DAYS_MAX);
		return bad_value(error, source, "Plan", key, raw, expected);
	}
	for (i = 0; i < config->n_bands; i++)
		if (config->bands[i].max_needle_um == um)
			break;
	if (i == config->n_bands) {
		if (config->n_bands == RD_CONFIG_PLAN_BANDS_MAX) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    "%s: [Plan] %s: more than %u needle lengths", source, key,
				    RD_CONFIG_PLAN_BANDS_MAX);
			return FALSE;
		}
		config->bands[config->n_bands++].max_needle_um = (guint16)um;
	}
	config->bands[i].days = (guint)days;
	return TRUE;
}

static gboolean
load_group(RdConfig *config, GKeyFile *kf, const char *source, const char *group,
	   GError **error)
{
	g_auto(GStrv) names = g_key_file_get_keys(kf, group, NULL, NULL);

	for (guint i = 0; names && names[i]; i++) {
		const KeyDesc *desc = find_key(group, names[i]);

		if (desc) {
			if (!load_key(config, kf, source, desc, error))
				return FALSE;
		} else if (g_str_equal(group, "Clinic")) {
			if (!load_clinic_key(config, kf, source, names[i], error))
				return FALSE;
		} else if (g_str_equal(group, "Plan")) {
			if (!load_plan_key(config, kf, source, names[i], error))
				return FALSE;
		} else if (g_str_equal(group, "Feedback") &&
			   g_str_equal(names[i], FEEDBACK_DISABLED_KEY)) {
			if (!load_disabled_alerts(config, kf, source, error))
				return FALSE;
		} else {
			g_warning("%s: [%s] %s: unknown key, ignored", source, group, names[i]);
		}
	}
	return TRUE;
}

RdConfig *
rd_config_load_from_data(const char *data, gsize len, const char *source, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(RdConfig) config = rd_config_new();
	g_auto(GStrv) names = NULL;
	g_autoptr(GError) local_error = NULL;

	if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &local_error)) {
		g_set_error(error, local_error->domain, local_error->code, "%s: %s", source,
			    local_error->message);
		return NULL;
	}
	names = g_key_file_get_groups(kf, NULL);
	for (guint i = 0; names[i]; i++) {
		if (!known_group(names[i])) {
			g_warning("%s: [%s]: unknown group, ignored", source, names[i]);
			continue;
		}
		if (!load_group(config, kf, source, names[i], error))
			return NULL;
	}
	qsort(config->bands, config->n_bands, sizeof(config->bands[0]), compare_bands);
	if (config->clinic_connection && !config->clinic_room) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s: [Clinic] Connection is set but not Room: each room of the "
			    "clinic names itself (its PostgreSQL role)", source);
		return NULL;
	}
	return g_steal_pointer(&config);
}

RdConfig *
rd_config_load(const char *path, GError **error)
{
	g_autofree char *contents = NULL;
	g_autoptr(GError) local_error = NULL;
	gsize len;

	if (!path)
		return rd_config_new();
	if (!g_file_get_contents(path, &contents, &len, &local_error)) {
		g_set_error(error, local_error->domain, local_error->code,
			    "Cannot read the configuration: %s", local_error->message);
		return NULL;
	}
	return rd_config_load_from_data(contents, len, path, error);
}

gboolean
rd_config_equal(const RdConfig *a, const RdConfig *b)
{
	const RdFeedbackConfig *fa = &a->feedback, *fb = &b->feedback;

	if (fa->hold_off_ms != fb->hold_off_ms || fa->force_low_ms != fb->force_low_ms ||
	    fa->force_high_ms != fb->force_high_ms ||
	    fa->max_strokes_per_minute != fb->max_strokes_per_minute ||
	    fa->max_passes_per_cell != fb->max_passes_per_cell ||
	    fa->direction_min_strokes != fb->direction_min_strokes ||
	    fa->direction_min_share_percent != fb->direction_min_share_percent ||
	    fa->coverage_min_passes != fb->coverage_min_passes ||
	    fa->coverage_min_share_percent != fb->coverage_min_share_percent ||
	    fa->disabled != fb->disabled)
		return FALSE;
	if (a->auto_reconnect != b->auto_reconnect || a->backoff_max_s != b->backoff_max_s ||
	    a->sync_on_connect != b->sync_on_connect ||
	    a->live_update_max_hz != b->live_update_max_hz ||
	    a->sessions_per_head != b->sessions_per_head || a->reminders != b->reminders ||
	    a->n_bands != b->n_bands || a->clinic_timeout_ms != b->clinic_timeout_ms ||
	    g_strcmp0(a->clinic_connection, b->clinic_connection) != 0 ||
	    g_strcmp0(a->clinic_room, b->clinic_room) != 0 ||
	    g_strcmp0(a->clinic_password_file, b->clinic_password_file) != 0)
		return FALSE;
	for (guint i = 0; i < a->n_bands; i++)
		if (a->bands[i].max_needle_um != b->bands[i].max_needle_um ||
		    a->bands[i].days != b->bands[i].days)
			return FALSE;
	return TRUE;
}

/* 250 -> "0.25", 1000 -> "1.0": the shortest form that reads back the same. */
static char *
needle_key(guint um)
{
	char frac[8];
	gsize n;

	g_snprintf(frac, sizeof(frac), "%03u", um % 1000);
	for (n = 3; n > 1 && frac[n - 1] == '0'; n--)
		frac[n - 1] = '\0';
	return g_strdup_printf(PLAN_KEY_PREFIX "%u.%s" PLAN_KEY_SUFFIX, um / 1000, frac);
}

GKeyFile *
rd_config_to_key_file(const RdConfig *config)
{
	GKeyFile *kf = g_key_file_new();
	g_autoptr(GPtrArray) disabled = g_ptr_array_new();

	for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
		guint value = field_value(config, &keys[i]);

		if (keys[i].type == KEY_BOOLEAN)
			g_key_file_set_boolean(kf, keys[i].group, keys[i].key, value);
		else
			g_key_file_set_uint64(kf, keys[i].group, keys[i].key, value / keys[i].scale);
	}
	for (guint k = 0; k < RD_ALERT_N_KINDS; k++)
		if (config->feedback.disabled & (1u << k))
			g_ptr_array_add(disabled, (gpointer)rd_alert_kind_to_string((RdAlertKind)k));
	g_ptr_array_add(disabled, NULL);
	g_key_file_set_string_list(kf, "Feedback", FEEDBACK_DISABLED_KEY,
				   (const char *const *)disabled->pdata, disabled->len - 1);
	for (guint i = 0; i < config->n_bands; i++) {
		g_autofree char *key = needle_key(config->bands[i].max_needle_um);

		g_key_file_set_uint64(kf, "Plan", key, config->bands[i].days);
	}
	if (config->clinic_connection)
		g_key_file_set_string(kf, "Clinic", "Connection", config->clinic_connection);
	if (config->clinic_room)
		g_key_file_set_string(kf, "Clinic", "Room", config->clinic_room);
	if (config->clinic_password_file)
		g_key_file_set_string(kf, "Clinic", "PasswordFile", config->clinic_password_file);
	return kf;
}

const RdFeedbackConfig *
rd_config_get_feedback(const RdConfig *config)
{
	return &config->feedback;
}

gboolean
rd_config_get_auto_reconnect(const RdConfig *config)
{
	return config->auto_reconnect;
}

guint
rd_config_get_reconnect_backoff_max_seconds(const RdConfig *config)
{
	return config->backoff_max_s;
}

gboolean
rd_config_get_sync_on_connect(const RdConfig *config)
{
	return config->sync_on_connect;
}

guint
rd_config_get_live_update_max_hz(const RdConfig *config)
{
	return config->live_update_max_hz;
}

void
rd_config_get_plan(const RdConfig *config, RdPlanConfig *plan)
{
	plan->bands = config->bands;
	plan->n_bands = config->n_bands;
}

guint
rd_config_get_sessions_per_head(const RdConfig *config)
{
	return config->sessions_per_head;
}

gboolean
rd_config_get_reminders(const RdConfig *config)
{
	return config->reminders;
}

const char *
rd_config_get_clinic_connection(const RdConfig *config)
{
	return config->clinic_connection;
}

const char *
rd_config_get_clinic_room(const RdConfig *config)
{
	return config->clinic_room;
}

const char *
rd_config_get_clinic_password_file(const RdConfig *config)
{
	return config->clinic_password_file;
}

guint
rd_config_get_clinic_timeout_ms(const RdConfig *config)
{
	return config->clinic_timeout_ms;
}
