/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Log lines a caller can cause (a Sync, a scan, a polkit check, a call
 * refused) at most once per RD_LOG_LIMIT_INTERVAL_US each; the next line
 * says how many were left out, so a script in a tight loop cannot fill
 * the journal.
 */
#pragma once

#include <glib.h>

#define RD_LOG_LIMIT_INTERVAL_US (10 * G_USEC_PER_SEC)

typedef struct {
	gint64 last_us;		/* 0: never logged */
	guint skipped;
} RdLogLimit;

/*
 * TRUE when a line may go out now; *skipped is then how many were left
 * out since the last one.  FALSE counts this one as left out.
 */
gboolean rd_log_limit_allow(RdLogLimit *limit, gint64 now_us, guint *skipped);
