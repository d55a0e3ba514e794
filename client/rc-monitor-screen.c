/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor on a terminal: ncurses, redrawn per update, key and resize. */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <curses.h>
#include <glib-unix.h>

#include "rc-monitor-private.h"
#include "rc-wrap.h"

/* The force curve: a column per 100 ms, 8 levels a row. */
#define PLOT_COLUMN_MS 100u
#define PLOT_ROWS 5
#define PLOT_AXIS 6	/* "1234┤" */

enum { PAIR_IN_BAND = 1, PAIR_HIGH, PAIR_LOW, PAIR_BAND };

static const char *const bars[] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
static const char *const ascii_bars[] = { " ", "_", ".", "-", "~", "=", "+", "*", "#" };

static void
get_band(RcMonitor *m, guint16 *low, guint16 *high)
{
	GVariant *band = rd_dbus_roller2_get_force_band(m->roller);

	*low = 0;
	*high = 1;
	if (band)
		g_variant_get(band, "(qq)", low, high);
}

static int
force_pair(guint force, guint16 low, guint16 high)
{
	if (force < low)
		return PAIR_LOW;
	if (force > high)
		return PAIR_HIGH;
	return PAIR_IN_BAND;
}

static void
color_on(RcMonitor *m, int pair)
{
	if (m->color && pair)
		attron(COLOR_PAIR(pair));
}

static void
color_off(RcMonitor *m, int pair)
{
	if (m->color && pair)
		attroff(COLOR_PAIR(pair));
}

/* The contact-force gauge against the band. */
static void
draw_gauge(RcMonitor *m, int y, int cols, guint scale, guint16 low, guint16 high)
{
	int width = MAX(cols - 30, 10);
	int lo = (int)(low * (guint)width / scale), hi = (int)(high * (guint)width / scale);
	guint16 force = 0;
	gboolean contact = rc_force_view_contact_cn(m->force, &force);
	int pos = contact ? (int)MIN((guint)width, force * (guint)width / scale) : 0;
	int pair = force_pair(force, low, high);

	if (contact)
		mvprintw(y, 0, "Contact %4u cN [", force);
	else
		mvprintw(y, 0, "Contact  lifted [");
	for (int i = 0; i < width; i++) {
		gboolean in_band = i >= lo && i <= hi;
		int p = i < pos ? pair : in_band ? PAIR_BAND : 0;

		color_on(m, p);
		addstr(i < pos ? (m->unicode ? "█" : "#") : in_band ? (m->unicode ? "░" : ".") : " ");
		color_off(m, p);
	}
	printw("]");
}

/*
 * The force curve: per column the mean of its contact samples as a bar,
 * their maximum as a dot above it; a column without contact is a gap.
 */
static int
draw_curve(RcMonitor *m, int y, int cols, guint scale, guint16 low, guint16 high)
{
	const guint levels = PLOT_ROWS * 8;
	guint width = (guint)MAX(cols - PLOT_AXIS, 1);
	g_autofree RcForceColumn *c = g_new(RcForceColumn, width);

	rc_force_view_columns(m->force, PLOT_COLUMN_MS, c, width);
	mvprintw(y++, 0, "Force, the last %u s (contact samples; gaps are lifts):",
		 width * PLOT_COLUMN_MS / 1000);
	for (guint r = 0; r < PLOT_ROWS; r++) {
		/* Levels below this row, from the top row down. */
		guint base = (PLOT_ROWS - 1 - r) * 8;
		guint row_lo = base * scale / levels, row_hi = (base + 8) * scale / levels;
		guint label = r == 0 ? scale : high >= row_lo && high < row_hi ? high :
			      low >= row_lo && low < row_hi ? low : 0;

		if (label)
			mvprintw(y + (int)r, 0, "%4u%s", label, m->unicode ? "┤" : "+");
		else
			mvprintw(y + (int)r, 0, "    %s", m->unicode ? "│" : "|");
		for (guint i = 0; i < width; i++) {
			guint mean = MIN(levels, (c[i].mean_cn * levels + scale / 2) / scale);
			guint max = MIN(levels, (c[i].max_cn * levels + scale / 2) / scale);
			int pair = force_pair(c[i].mean_cn, low, high);
			const char *glyph = " ";

			if (c[i].kind == RC_FORCE_COLUMN_CONTACT && mean > base)
				glyph = (m->unicode ? bars : ascii_bars)[MIN(mean - base, 8u)];
			else if (c[i].kind == RC_FORCE_COLUMN_CONTACT && max > base &&
				 max <= base + 8)
				glyph = m->unicode ? "·" : ".";
			color_on(m, pair);
			addstr(glyph);
			color_off(m, pair);
		}
	}
	return y + PLOT_ROWS - 1;
}

static int
draw_directions(RcMonitor *m, int y)
{
	static const char *const dir_names[] = { "vertical", "diagonal", "horizontal", "anti-diag" };
	const guint32 *d = m->last.directions;
	guint64 total = (guint64)d[0] + d[1] + d[2] + d[3];

	for (guint i = 0; i < 4; i++) {
		int len = total ? (int)(d[i] * 30 / total) : 0;

		mvprintw(++y, 0, "%-10s %4u ", dir_names[i], d[i]);
		for (int k = 0; k < len; k++)
			addstr(m->unicode ? "■" : "=");
	}
	return y;
}

static int
draw_coverage(RcMonitor *m, int y, int rows)
{
	guint cells = (guint)m->cols * m->rows;

	mvprintw(++y, 0, "Coverage (passes per cell):%s", cells ? "" : " not reported yet");
	for (guint i = 0; i < cells && y < rows - RC_MONITOR_ALERTS_KEPT - 2; i += m->cols) {
		move(++y, 2);
		for (guint c = 0; c < m->cols; c++)
			printw("%3u", m->passes[i + c]);
	}
	return y;
}

/* The newest alerts that fit below @y, one block each, wrapped at words. */
static void
draw_alerts(RcMonitor *m, int y, int rows, int cols)
{
	g_autoptr(GPtrArray) blocks = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	int room = rows - 1 - y, first = (int)m->alerts->len;

	mvprintw(y, 0, "Alerts:");
	while (first > 0) {
		const RcMonitorAlert *a = m->alerts->pdata[first - 1];
		g_autofree char *text = g_strdup_printf("%s: %s", a->kind, a->message);
		char **lines = rc_wrap_words(text, (guint)MAX(cols - 4, 10));
		int n = (int)g_strv_length(lines);

		if (n > room) {
			g_strfreev(lines);
			break;
		}
		room -= n;
		g_ptr_array_insert(blocks, 0, lines);
		first--;
	}
	for (guint b = 0; b < blocks->len; b++) {
		char **lines = blocks->pdata[b];

		/* Continuation lines indented: where one alert ends is plain. */
		for (guint i = 0; lines[i]; i++)
			mvaddstr(++y, i ? 4 : 2, lines[i]);
	}
}

void
rc_monitor_screen_draw(RcMonitor *m)
{
	static const char quit_hint[] = "q quits";
	guint16 low, high;
	int rows, cols, y = 0;
	guint scale;

	g_clear_handle_id(&m->draw_idle, g_source_remove);
	getmaxyx(stdscr, rows, cols);
	erase();
	get_band(m, &low, &high);
	scale = MAX(high * 3u / 2u, 1u);
	attron(A_BOLD);
	mvprintw(y, 0, "rollerctl monitor  %s %s",
		 rd_dbus_roller2_get_address(m->roller), rd_dbus_roller2_get_serial(m->roller));
	/* At the right edge, where it is found at any width; left out if it would not fit. */
	if (cols - (int)strlen(quit_hint) > getcurx(stdscr) + 2)
		mvaddstr(y, cols - (int)strlen(quit_hint), quit_hint);
	attroff(A_BOLD);
	y++;
	if (!m->have_packet) {
		mvprintw(y + 1, 0, m->waiting_connect ?
			 "Waiting for the roller to connect (rollerctl connect)..." :
			 "Waiting for a session on this roller (rollerctl start --area AREA)...");
		refresh();
		return;
	}
	draw_gauge(m, ++y, cols, scale, low, high);
	mvprintw(++y, 0, "Band %u-%u cN, session mean %u cN, %.1f%% in band",
		 low, high, m->last.force_mean_cn, m->last.in_band_permille / 10.0);
	mvprintw(++y, 0, "Strokes %u, %.1f a minute, %.0f s of rolling%s, lost frames %u",
		 m->last.strokes, m->last.strokes_per_minute_x10 / 10.0,
		 m->last.duration_ms / 1000.0,
		 m->last.flags & RD_LIVE_PACKET_PAUSED ? " (paused)" : "", m->last.frames_lost);
	if (m->dropped)
		printw(", lost %" G_GUINT64_FORMAT " updates", m->dropped);
	if (m->ended) {
		if (m->stored_id)
			mvprintw(++y, 0, "Session ended; stored as %" G_GUINT64_FORMAT
				 " (rollerctl show %" G_GUINT64_FORMAT ")", m->stored_id,
				 m->stored_id);
		else
			mvprintw(++y, 0, "Session ended");
	}
	y = draw_curve(m, y + 2, cols, scale, low, high);
	y = draw_directions(m, y + 1);
	y = draw_coverage(m, y + 1, rows);
	draw_alerts(m, y + 2, rows, cols);
	refresh();
}

static gboolean
on_draw_idle(gpointer user_data)
{
	RcMonitor *m = user_data;

	m->draw_idle = 0;
	rc_monitor_screen_draw(m);
	return G_SOURCE_REMOVE;
}

void
rc_monitor_screen_queue_draw(RcMonitor *m)
{
	/* Default priority: an idle one would starve behind a stream that is always readable. */
	if (!m->draw_idle)
		m->draw_idle = g_idle_add_full(G_PRIORITY_DEFAULT, on_draw_idle, m, NULL);
}

static gboolean
on_key(int fd, GIOCondition cond, gpointer user_data)
{
	RcMonitor *m = user_data;
	int ch;

	while ((ch = getch()) != ERR) {
		if (ch == 'q' || ch == 'Q' || ch == 3 /* Ctrl-C in raw mode */)
			g_main_loop_quit(m->loop);
	}
	return G_SOURCE_CONTINUE;
}

/*
 * ncurses leaves SIGWINCH alone when a handler is already installed (GLib's,
 * see rc_monitor_screen_start), so it learns the new size here and the
 * screen is redrawn at once, not at the next key or update.
 */
static gboolean
on_resize(gpointer user_data)
{
	RcMonitor *m = user_data;
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);	/* the terminal may have reflowed the old screen */
	rc_monitor_screen_draw(m);
	return G_SOURCE_CONTINUE;
}

void
rc_monitor_screen_start(RcMonitor *m)
{
	/* Before initscr(), so that ncurses does not install its own. */
	m->resize_watch = g_unix_signal_add(SIGWINCH, on_resize, m);
	initscr();
	cbreak();
	noecho();
	nodelay(stdscr, TRUE);
	keypad(stdscr, TRUE);
	curs_set(0);
	if (m->color && has_colors()) {
		start_color();
		use_default_colors();
		init_pair(PAIR_IN_BAND, COLOR_GREEN, -1);
		init_pair(PAIR_HIGH, COLOR_RED, -1);
		init_pair(PAIR_LOW, COLOR_YELLOW, -1);
		init_pair(PAIR_BAND, COLOR_CYAN, -1);
	} else {
		m->color = FALSE;
	}
	m->key_watch = g_unix_fd_add(STDIN_FILENO, G_IO_IN, on_key, m);
	rc_monitor_screen_draw(m);
}

void
rc_monitor_screen_stop(RcMonitor *m)
{
	g_clear_handle_id(&m->draw_idle, g_source_remove);
	g_clear_handle_id(&m->key_watch, g_source_remove);
	g_clear_handle_id(&m->resize_watch, g_source_remove);
	endwin();
}
