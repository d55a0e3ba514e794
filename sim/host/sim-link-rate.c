/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sim-link-rate.h"

gboolean
sim_link_rate_take(SimLinkRate *rate, gint64 now_us, gint64 *wait_us)
{
	if (now_us - rate->interval_start_us >= SIM_LINK_INTERVAL_US) {
		rate->interval_start_us = now_us;
		rate->sent = 0;
	}
	if (rate->sent < SIM_LINK_PER_INTERVAL) {
		rate->sent++;
		return TRUE;
	}
	*wait_us = rate->interval_start_us + SIM_LINK_INTERVAL_US - now_us;
	return FALSE;
}
