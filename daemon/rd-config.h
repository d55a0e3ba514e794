/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd.conf: the daemon's settings, a GKeyFile with the groups
 * [Feedback], [Daemon], [Plan], [Head] and [Clinic].  data/rollerd.conf is the
 * shipped copy: every key, commented out at its default, said why.
 *
 * Every key has a default here; a file only overrides.  An unknown group
 * or key is warned about and skipped (a newer file on an older daemon).
 * A bad value (not a number, out of range, not true/false, an unknown
 * alert kind) fails the whole load with a GError naming the file, group,
 * key and what is allowed: the daemon then refuses to start rather than
 * run with a setting the user did not mean.
 */
#pragma once

#include <glib.h>

#include "daemon/live/rd-feedback.h"
#include "daemon/store/rd-store.h"

/* At most this many [Plan] needle bands (the defaults included). */
#define RD_CONFIG_PLAN_BANDS_MAX 32

typedef struct _RdConfig RdConfig;

/* The built-in defaults. */
RdConfig *rd_config_new(void);
/* @path NULL: the built-in defaults.  A missing file is an error. */
RdConfig *rd_config_load(const char *path, GError **error);
/* @source names the data in messages. */
RdConfig *rd_config_load_from_data(const char *data, gsize len,
				   const char *source, GError **error);
void rd_config_free(RdConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdConfig, rd_config_free)

gboolean rd_config_equal(const RdConfig *a, const RdConfig *b);
/* Every key at its value, as a file would set it. */
GKeyFile *rd_config_to_key_file(const RdConfig *config);

/* [Feedback] */
const RdFeedbackConfig *rd_config_get_feedback(const RdConfig *config);

/* [Daemon] */
gboolean rd_config_get_auto_reconnect(const RdConfig *config);
guint rd_config_get_reconnect_backoff_max_seconds(const RdConfig *config);
gboolean rd_config_get_sync_on_connect(const RdConfig *config);
guint rd_config_get_live_update_max_hz(const RdConfig *config);
/* Whether Manager1.Reminder is emitted. */
gboolean rd_config_get_reminders(const RdConfig *config);

/* [Plan]: bands sorted by max_needle_um; @plan points into @config. */
void rd_config_get_plan(const RdConfig *config, RdPlanConfig *plan);

/* [Head]: 0 means no reminder. */
guint rd_config_get_sessions_per_head(const RdConfig *config);

/*
 * [Clinic] (docs/clinic.md): replication to the clinic's PostgreSQL, on
 * when Connection is set (then Room must be).  Connection: a libpq
 * connection string or URI ("service=NAME" reads pg_service.conf); Room:
 * this room's name, its PostgreSQL role; PasswordFile: a pgpass file
 * (NULL: PGPASSFILE or libpq's default).  NULL when not set.
 */
const char *rd_config_get_clinic_connection(const RdConfig *config);
const char *rd_config_get_clinic_room(const RdConfig *config);
const char *rd_config_get_clinic_password_file(const RdConfig *config);
guint rd_config_get_clinic_timeout_ms(const RdConfig *config);
