/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "rd-rate-limit.h"

void
rd_rate_limit_init(RdRateLimit *limit, guint max_hz)
{
	limit->interval_us = G_USEC_PER_SEC / MAX(max_hz, 1);
	limit->last_us = 0;
	limit->sent = FALSE;
}

gint64
rd_rate_limit_next(const RdRateLimit *limit, gint64 now)
{
	if (!limit->sent)
		return now;
	return MAX(now, limit->last_us + limit->interval_us);
}

guint
rd_rate_limit_delay_ms(const RdRateLimit *limit, gint64 now)
{
	return (guint)((rd_rate_limit_next(limit, now) - now + 999) / 1000);
}

void
rd_rate_limit_sent(RdRateLimit *limit, gint64 now)
{
	limit->last_us = now;
	limit->sent = TRUE;
}
