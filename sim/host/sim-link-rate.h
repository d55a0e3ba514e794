/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The radio's pace in real time.  --speed compresses the roller's clock,
 * but no BLE link carries more than a few notifications per connection
 * interval: sent 20 times faster, they overflowed bluetoothd's
 * notification socket (10 packets, net.unix.max_dgram_qlen) whenever the
 * central spent a millisecond on something else, a loss no real link
 * would cause.
 */
#pragma once

#include <glib.h>

/* The model's default: 4 notifications per 7.5 ms connection interval. */
#define SIM_LINK_PER_INTERVAL 4
#define SIM_LINK_INTERVAL_US 7500

typedef struct {
	gint64 interval_start_us;
	guint sent;
} SimLinkRate;

/* TRUE: one notification may go now; FALSE: not before *wait_us more. */
gboolean sim_link_rate_take(SimLinkRate *rate, gint64 now_us, gint64 *wait_us);
