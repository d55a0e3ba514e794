/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulated time: milliseconds since roller-sim started, running --speed
 * times faster than the monotonic clock.  The rollers and the mock's
 * radio timings (discovery, connection, RSSI updates) run on it, so that
 * a test at --speed 20 sees a 60 s session in 3 s; reply delays set in
 * real milliseconds (--fault-delay-ms, Restart) do not.
 */
#pragma once

#include <glib.h>

void sim_clock_init(double speed);
double sim_clock_speed(void);
guint32 sim_clock_now_ms(void);
/* The real milliseconds that @sim_ms of simulated time take (at least 1
 * when @sim_ms is not 0, so that a timer never spins). */
guint sim_clock_real_ms(guint32 sim_ms);
/* g_timeout_add() for a simulated delay. */
guint sim_clock_timeout_add(guint32 sim_ms, GSourceFunc func, gpointer data);
