/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "rd-log-limit.h"

gboolean
rd_log_limit_allow(RdLogLimit *limit, gint64 now_us, guint *skipped)
{
	if (limit->last_us != 0 && now_us - limit->last_us < RD_LOG_LIMIT_INTERVAL_US) {
		limit->skipped++;
		return FALSE;
	}
	*skipped = limit->skipped;
	limit->skipped = 0;
	limit->last_us = now_us;
	return TRUE;
}
