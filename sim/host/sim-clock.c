/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sim-clock.h"

static gint64 start_us;
static double clock_speed = 1.0;

void
sim_clock_init(double speed)
{
	start_us = g_get_monotonic_time();
	clock_speed = speed > 0 ? speed : 1.0;
}

double
sim_clock_speed(void)
{
	return clock_speed;
}

guint32
sim_clock_now_ms(void)
{
	double elapsed_ms = (g_get_monotonic_time() - start_us) / 1000.0;

	return (guint32)(elapsed_ms * clock_speed);
}

guint
sim_clock_real_ms(guint32 sim_ms)
{
	double real = sim_ms / clock_speed;

	if (sim_ms == 0)
		return 0;
	/* Rounded up: a timer must not fire before the simulated time. */
	return real < 1 ? 1 : (guint)real + ((double)(guint)real < real);
}

guint
sim_clock_timeout_add(guint32 sim_ms, GSourceFunc func, gpointer data)
{
	return g_timeout_add(sim_clock_real_ms(sim_ms), func, data);
}
