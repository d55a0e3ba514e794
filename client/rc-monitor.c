/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl monitor: a live session, full screen (ncurses) on a terminal,
 * one plain line per update otherwise.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <curses.h>
#include <glib-unix.h>

#include "rc-monitor.h"

#define TRACE_LEN 240	/* force samples kept for the plot, one per update */
#define ALERTS_KEPT 8

typedef struct {
	GMainLoop *loop;
	RdDbusRoller2 *roller;
	gboolean tty;
	gboolean json;
	gboolean color;
	gboolean unicode;
	gboolean seen_session;
	gboolean exit_at_end;
	/* the latest LiveUpdate */
	GVariant *values;
	guint16 trace[TRACE_LEN];
	guint trace_len;
	char *alerts[ALERTS_KEPT];
	guint n_alerts;
} Monitor;

static guint
lookup_u(GVariant *v, const char *key)
{
	guint32 u = 0;
	guint16 q = 0;

	if (g_variant_lookup(v, key, "u", &u))
		return u;
	if (g_variant_lookup(v, key, "q", &q))
		return q;
	return 0;
}

static void
print_plain_update(Monitor *m)
{
	g_autoptr(GVariant) dirs = g_variant_lookup_value(m->values, "directions", G_VARIANT_TYPE("au"));
	const guint32 *d = NULL;
	gsize n = 0;
	double spm = 0;

	if (m->json) {
		g_autoptr(JsonNode) node = json_gvariant_serialize(m->values);
		g_autoptr(JsonGenerator) gen = json_generator_new();
		g_autofree char *text = NULL;

		json_object_set_string_member(json_node_get_object(node), "type", "update");
		json_generator_set_root(gen, node);
		text = json_generator_to_data(gen, NULL);
		printf("%s\n", text);
		fflush(stdout);
		return;
	}
	if (dirs)
		d = g_variant_get_fixed_array(dirs, &n, sizeof(guint32));
	g_variant_lookup(m->values, "strokes_per_minute", "d", &spm);
	printf("t=%.1fs strokes=%u spm=%.1f force=%ucN mean=%ucN inband=%.1f%% dirs=%u,%u,%u,%u lost=%u\n",
	       lookup_u(m->values, "duration_ms") / 1000.0, lookup_u(m->values, "strokes"), spm,
	       lookup_u(m->values, "force_cn"), lookup_u(m->values, "force_mean_cn"),
	       lookup_u(m->values, "in_band_permille") / 10.0,
	       n == 4 ? d[0] : 0, n == 4 ? d[1] : 0, n == 4 ? d[2] : 0, n == 4 ? d[3] : 0,
	       lookup_u(m->values, "frames_lost"));
	fflush(stdout);
}

static int
force_color(Monitor *m, guint force)
{
	GVariant *band = rd_dbus_roller2_get_force_band(m->roller);
	guint16 low = 0, high = 0;

	if (band)
		g_variant_get(band, "(qq)", &low, &high);
	if (force < low)
		return 3;	/* yellow: too light */
	if (force > high)
		return 2;	/* red: too hard */
	return 1;		/* green */
}

static void
draw_screen(Monitor *m)
{
	static const char *const dir_names[] = { "vertical", "diagonal", "horizontal", "anti-diag" };
	static const char *const bars[] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char *const ascii_bars[] = { " ", "_", ".", "-", "~", "=", "+", "*", "#" };
	static const char quit_hint[] = "q quits";
	GVariant *band = rd_dbus_roller2_get_force_band(m->roller);
	guint16 low = 0, high = 1;
	int rows, cols, y = 0;
	guint scale;

	getmaxyx(stdscr, rows, cols);
	erase();
	if (band)
		g_variant_get(band, "(qq)", &low, &high);
	scale = MAX(high * 3 / 2, 1);
	attron(A_BOLD);
	mvprintw(y, 0, "rollerctl monitor  %s %s",
		 rd_dbus_roller2_get_address(m->roller), rd_dbus_roller2_get_serial(m->roller));
	/* At the right edge, where it is found at any width; left out if it would not fit. */
	if (cols - (int)strlen(quit_hint) > getcurx(stdscr) + 2)
		mvaddstr(y, cols - (int)strlen(quit_hint), quit_hint);
	y++;
	attroff(A_BOLD);
	if (!m->values) {
		mvprintw(y + 1, 0, "Waiting for a session on this roller (rollerctl start --area AREA)...");
		refresh();
		return;
	}
	{
		guint force = lookup_u(m->values, "force_cn");
		int width = MAX(cols - 30, 10);
		int pos = (int)MIN((guint)width, force * (guint)width / scale);
		int lo = (int)(low * (guint)width / scale), hi = (int)(high * (guint)width / scale);
		double spm = 0;
		gboolean paused = FALSE;

		g_variant_lookup(m->values, "strokes_per_minute", "d", &spm);
		g_variant_lookup(m->values, "paused", "b", &paused);
		mvprintw(++y, 0, "Force %4u cN  [", force);
		for (int i = 0; i < width; i++) {
			gboolean in_band = i >= lo && i <= hi;

			if (m->color)
				attron(COLOR_PAIR(i < pos ? force_color(m, force) : in_band ? 4 : 0));
			addstr(i < pos ? (m->unicode ? "█" : "#") : in_band ? (m->unicode ? "░" : ".") : " ");
			if (m->color)
				attroff(COLOR_PAIR(i < pos ? force_color(m, force) : in_band ? 4 : 0));
		}
		printw("]");
		mvprintw(++y, 0, "Band %u-%u cN, mean %u cN, %.1f%% in band",
			 low, high, lookup_u(m->values, "force_mean_cn"),
			 lookup_u(m->values, "in_band_permille") / 10.0);
		mvprintw(++y, 0, "Strokes %u, %.1f a minute, %.0f s of rolling%s, lost frames %u",
			 lookup_u(m->values, "strokes"), spm,
			 lookup_u(m->values, "duration_ms") / 1000.0,
			 paused ? " (paused)" : "", lookup_u(m->values, "frames_lost"));
		y++;
		mvprintw(++y, 0, "Recent force: ");
		for (guint i = m->trace_len > (guint)(cols - 15) ? m->trace_len - (guint)(cols - 15) : 0;
		     i < m->trace_len; i++) {
			guint level = MIN(8u, m->trace[i] * 8u / scale);

			addstr(m->unicode ? bars[level] : ascii_bars[level]);
		}
	}
	{
		g_autoptr(GVariant) dirs = g_variant_lookup_value(m->values, "directions", G_VARIANT_TYPE("au"));
		gsize n = 0;
		const guint32 *d = dirs ? g_variant_get_fixed_array(dirs, &n, sizeof(guint32)) : NULL;
		guint total = 0;

		for (gsize i = 0; d && i < n; i++)
			total += d[i];
		y++;
		for (gsize i = 0; d && i < n && i < 4; i++) {
			int len = total ? (int)(d[i] * 30 / total) : 0;

			mvprintw(++y, 0, "%-10s %4u ", dir_names[i], d[i]);
			for (int k = 0; k < len; k++)
				addstr(m->unicode ? "■" : "=");
		}
	}
	{
		g_autoptr(GVariant) passes = g_variant_lookup_value(m->values, "passes", G_VARIANT_TYPE("ay"));
		guint gc = rd_dbus_roller2_get_grid_columns(m->roller);
		gsize n = 0;
		const guint8 *p = passes ? g_variant_get_fixed_array(passes, &n, 1) : NULL;

		y++;
		mvprintw(++y, 0, "Coverage (passes per cell):");
		for (gsize i = 0; gc && p && i < n && y < rows - ALERTS_KEPT - 2; i += gc) {
			move(++y, 2);
			for (guint c = 0; c < gc && i + c < n; c++)
				printw("%3u", p[i + c]);
		}
	}
	y++;
	mvprintw(++y, 0, "Alerts:");
	for (guint i = 0; i < m->n_alerts && y < rows - 1; i++)
		mvprintw(++y, 2, "%s", m->alerts[i]);
	refresh();
}

/* LiveUpdate's arguments by name, as --json prints them. */
static GVariant *
live_values_new(guint strokes, gdouble strokes_per_minute, guint16 force_cn,
		guint16 force_mean_cn, guint16 in_band_permille, GVariant *directions,
		GVariant *passes, guint duration_ms, gboolean paused, guint frames,
		guint frames_lost, guint frames_rejected)
{
	GVariantBuilder b;
	guint32 dirs[4];

	g_variant_get(directions, "(uuuu)", &dirs[0], &dirs[1], &dirs[2], &dirs[3]);
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "strokes", g_variant_new_uint32(strokes));
	g_variant_builder_add(&b, "{sv}", "strokes_per_minute",
			      g_variant_new_double(strokes_per_minute));
	g_variant_builder_add(&b, "{sv}", "force_cn", g_variant_new_uint16(force_cn));
	g_variant_builder_add(&b, "{sv}", "force_mean_cn", g_variant_new_uint16(force_mean_cn));
	g_variant_builder_add(&b, "{sv}", "in_band_permille",
			      g_variant_new_uint16(in_band_permille));
	g_variant_builder_add(&b, "{sv}", "directions",
			      g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, dirs, 4,
							sizeof(dirs[0])));
	g_variant_builder_add(&b, "{sv}", "passes", passes);
	g_variant_builder_add(&b, "{sv}", "duration_ms", g_variant_new_uint32(duration_ms));
	g_variant_builder_add(&b, "{sv}", "paused", g_variant_new_boolean(paused));
	g_variant_builder_add(&b, "{sv}", "frames", g_variant_new_uint32(frames));
	g_variant_builder_add(&b, "{sv}", "frames_lost", g_variant_new_uint32(frames_lost));
	g_variant_builder_add(&b, "{sv}", "frames_rejected",
			      g_variant_new_uint32(frames_rejected));
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

static void
on_live_update(RdDbusRoller2 *roller, guint strokes, gdouble strokes_per_minute,
	       guint16 force_cn, guint16 force_mean_cn, guint16 in_band_permille,
	       GVariant *directions, GVariant *passes, guint duration_ms, gboolean paused,
	       guint frames, guint frames_lost, guint frames_rejected, Monitor *m)
{
	GVariant *values = live_values_new(strokes, strokes_per_minute, force_cn, force_mean_cn,
					   in_band_permille, directions, passes, duration_ms,
					   paused, frames, frames_lost, frames_rejected);

	g_clear_pointer(&m->values, g_variant_unref);
	m->values = values;
	m->seen_session = TRUE;
	if (m->trace_len == TRACE_LEN) {
		memmove(m->trace, m->trace + 1, sizeof(m->trace[0]) * (TRACE_LEN - 1));
		m->trace_len--;
	}
	m->trace[m->trace_len++] = (guint16)lookup_u(values, "force_cn");
	if (m->tty)
		draw_screen(m);
	else
		print_plain_update(m);
}

static void
on_alert(RdDbusRoller2 *roller, const char *kind, const char *message, Monitor *m)
{
	if (!m->tty) {
		if (m->json) {
			g_autoptr(JsonBuilder) b = json_builder_new();
			g_autoptr(JsonGenerator) gen = json_generator_new();
			g_autoptr(JsonNode) node = NULL;
			g_autofree char *text = NULL;

			json_builder_begin_object(b);
			json_builder_set_member_name(b, "type");
			json_builder_add_string_value(b, "alert");
			json_builder_set_member_name(b, "kind");
			json_builder_add_string_value(b, kind);
			json_builder_set_member_name(b, "message");
			json_builder_add_string_value(b, message);
			json_builder_end_object(b);
			node = json_builder_get_root(b);
			json_generator_set_root(gen, node);
			text = json_generator_to_data(gen, NULL);
			printf("%s\n", text);
		} else
			printf("alert %s: %s\n", kind, message);
		fflush(stdout);
		return;
	}
	if (m->n_alerts == ALERTS_KEPT) {
		g_free(m->alerts[0]);
		memmove(m->alerts, m->alerts + 1, sizeof(m->alerts[0]) * (ALERTS_KEPT - 1));
		m->n_alerts--;
	}
	m->alerts[m->n_alerts++] = g_strdup_printf("%s: %s", kind, message);
	draw_screen(m);
}

static void
on_properties(GDBusProxy *proxy, GVariant *changed, GStrv invalidated, Monitor *m)
{
	const char *session;

	/* The session ended: its object went away. */
	if (g_variant_lookup(changed, "Session", "&o", &session) && g_str_equal(session, "/") &&
	    m->seen_session && m->exit_at_end)
		g_main_loop_quit(m->loop);
}

static gboolean
on_quit(gpointer user_data)
{
	g_main_loop_quit(((Monitor *)user_data)->loop);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_key(int fd, GIOCondition cond, gpointer user_data)
{
	Monitor *m = user_data;
	int ch;

	while ((ch = getch()) != ERR) {
		if (ch == 'q' || ch == 'Q' || ch == 3 /* Ctrl-C in raw mode */)
			g_main_loop_quit(m->loop);
	}
	return G_SOURCE_CONTINUE;
}

/*
 * ncurses leaves SIGWINCH alone when a handler is already installed (GLib's,
 * see rc_cmd_monitor), so it learns the new size here and the screen is
 * redrawn at once, not at the next key or update.
 */
static gboolean
on_resize(gpointer user_data)
{
	Monitor *m = user_data;
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);	/* the terminal may have reflowed the old screen */
	draw_screen(m);
	return G_SOURCE_CONTINUE;
}

int
rc_cmd_monitor(const struct rc_globals *globals, int argc, char **argv)
{
	gboolean until_end = FALSE;
	const GOptionEntry entries[] = {
		{ "exit-at-end", 0, 0, G_OPTION_ARG_NONE, &until_end,
		  "On a terminal too, exit when the session ends", NULL },
		{ NULL }
	};
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusRoller2) roller = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	g_autofree char *path = NULL;
	Monitor m = { 0 };
	guint sig_int, sig_term, sig_winch = 0, key_watch = 0;
	int code = RC_EXIT_OK;

	if (!rc_parse_options("monitor", "[ADDR]",
			      "Watch a live session: force against the band, strokes, directions,\n"
			      "coverage and alerts; full screen on a terminal ('q' quits), one\n"
			      "line per update otherwise (exiting when the session ends).",
			      entries, &argc, &argv, &code))
		return code;
	if (argc > 2) {
		g_printerr("rollerctl monitor: too many arguments\n");
		return RC_EXIT_USAGE;
	}
	if (!(bus = rc_connect(globals, &code)) ||
	    !(path = rc_resolve_roller(bus, argc > 1 ? argv[1] : NULL, &code)) ||
	    !(roller = rc_roller(bus, path, &code)))
		return code;

	loop = g_main_loop_new(NULL, FALSE);
	m.loop = loop;
	m.roller = roller;
	m.tty = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO) && !globals->json;
	m.json = globals->json;
	m.exit_at_end = until_end || !m.tty;
	m.seen_session = g_strcmp0(rd_dbus_roller2_get_session(roller), "/") != 0;
	g_signal_connect(roller, "live-update", G_CALLBACK(on_live_update), &m);
	g_signal_connect(roller, "alert", G_CALLBACK(on_alert), &m);
	g_signal_connect(roller, "g-properties-changed", G_CALLBACK(on_properties), &m);
	sig_int = g_unix_signal_add(SIGINT, on_quit, &m);
	sig_term = g_unix_signal_add(SIGTERM, on_quit, &m);
	if (m.tty) {
		m.color = rc_use_color();
		m.unicode = rc_use_unicode();
		/* Before initscr(), so that ncurses does not install its own. */
		sig_winch = g_unix_signal_add(SIGWINCH, on_resize, &m);
		initscr();
		cbreak();
		noecho();
		nodelay(stdscr, TRUE);
		keypad(stdscr, TRUE);
		curs_set(0);
		if (m.color && has_colors()) {
			start_color();
			use_default_colors();
			init_pair(1, COLOR_GREEN, -1);
			init_pair(2, COLOR_RED, -1);
			init_pair(3, COLOR_YELLOW, -1);
			init_pair(4, COLOR_CYAN, -1);
		} else {
			m.color = FALSE;
		}
		key_watch = g_unix_fd_add(STDIN_FILENO, G_IO_IN, on_key, &m);
		draw_screen(&m);
	} else if (!m.json) {
		printf("Watching %s; one line per update%s\n", rd_dbus_roller2_get_address(roller),
		       m.seen_session ? "" : " (waiting for a session)");
		fflush(stdout);
	}
	g_main_loop_run(loop);
	if (m.tty) {
		g_source_remove(key_watch);
		g_source_remove(sig_winch);
		endwin();
	}
	g_source_remove(sig_int);
	g_source_remove(sig_term);
	g_clear_pointer(&m.values, g_variant_unref);
	for (guint i = 0; i < m.n_alerts; i++)
		g_free(m.alerts[i]);
	return RC_EXIT_OK;
}
