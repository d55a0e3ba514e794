/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "rc-wrap.h"

char **
rc_wrap_words(const char *text, guint width)
{
	GPtrArray *lines = g_ptr_array_new();
	const char *p = text;

	width = MAX(width, 1u);
	while (*p == ' ')
		p++;
	do {
		/* The longest run of whole words that fits, else @width characters. */
		const char *end = p, *fit = NULL, *q = p;
		guint chars = 0;

		while (*q && chars < width) {
			q = g_utf8_next_char(q);
			chars++;
			if (!*q || *q == ' ')
				fit = q;
		}
		if (!*q || *q == ' ')
			end = q;
		else
			end = fit ? fit : q;
		while (end > p && end[-1] == ' ')
			end--;
		g_ptr_array_add(lines, g_strndup(p, (gsize)(end - p)));
		p = end;
		while (*p == ' ')
			p++;
	} while (*p);
	g_ptr_array_add(lines, NULL);
	return (char **)g_ptr_array_free(lines, FALSE);
}
