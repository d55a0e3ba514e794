/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The force trace's runs between lifts, its highest value, its sparkline. */
#include "config.h"

#include "rc-trace.h"

gboolean
rc_trace_next_run(const guint16 *v, gsize n, gsize *pos, gsize *start, gsize *end)
{
	gsize i = *pos;

	while (i < n && !v[i])
		i++;
	if (i == n) {
		*pos = n;
		return FALSE;
	}
	*start = i;
	while (i < n && v[i])
		i++;
	*end = *pos = i;
	return TRUE;
}

guint16
rc_trace_max(const guint16 *v, gsize n)
{
	guint16 max = 0;

	for (gsize i = 0; i < n; i++)
		max = MAX(max, v[i]);
	return max;
}

char *
rc_trace_sparkline(const guint16 *v, gsize n, gsize width, gboolean unicode)
{
	static const char *const bars[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char ascii[] = "_.-=+*#@";
	GString *out = g_string_new(NULL);
	guint max = rc_trace_max(v, n);
	gsize step;

	if (!n || !width)
		return g_string_free(out, FALSE);
	step = (n + width - 1) / width;
	for (gsize i = 0; i < n; i += step) {
		guint64 sum = 0;
		guint k = 0, level;

		for (gsize j = i; j < MIN(i + step, n); j++) {
			sum += v[j];
			k += v[j] != 0;
		}
		if (!k) {
			g_string_append_c(out, ' ');
			continue;
		}
		/* The mean of the contact means, rounded half up, on 8 levels. */
		level = (guint)((2 * sum + k) / (2 * (guint64)k)) * 7u / max;
		if (unicode)
			g_string_append(out, bars[level]);
		else
			g_string_append_c(out, ascii[level]);
	}
	return g_string_free(out, FALSE);
}
