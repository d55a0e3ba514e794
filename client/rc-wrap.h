/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text wrapped at words for a terminal's columns. */
#pragma once

#include <glib.h>

/*
 * @text (UTF-8) as lines of at most @width characters, broken at spaces;
 * a word longer than @width is cut.  Runs of spaces at a break are
 * dropped.  An empty text is one empty line.  Free with g_strfreev().
 */
char **rc_wrap_words(const char *text, guint width);
