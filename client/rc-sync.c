/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rollerctl sync: copy a roller's stored sessions into the history, with progress. */
#include "config.h"

#include <stdio.h>
#include <unistd.h>
#include <glib-unix.h>

#include "rc-sync.h"

typedef struct {
	GMainLoop *loop;
	RdDbusRoller2 *roller;
	gboolean finished;
	guint stored;
	char *error;
	gboolean tty;
	gboolean unicode;
	gboolean quiet;
	guint last_done;
	gboolean timed_out;
} SyncData;

static void
draw_progress(SyncData *d)
{
	GVariant *progress = rd_dbus_roller2_get_sync_progress(d->roller);
	guint done = 0, total = 0;
	const int width = 30;

	if (d->quiet || !progress)
		return;
	g_variant_get(progress, "(uu)", &done, &total);
	if (!d->tty) {
		if (done != d->last_done)
			printf("synced %u of %u\n", done, total);
		d->last_done = done;
		return;
	}
	printf("\r");
	printf("Syncing [");
	for (int i = 0; i < width; i++) {
		gboolean full = total && (guint)i < done * width / total;

		fputs(full ? (d->unicode ? "█" : "#") : (d->unicode ? "░" : "-"), stdout);
	}
	printf("] %u/%u ", done, total);
	fflush(stdout);
}

static void
on_properties_changed(GDBusProxy *proxy, GVariant *changed, GStrv invalidated, SyncData *d)
{
	draw_progress(d);
}

static void
on_sync_finished(RdDbusRoller2 *roller, guint stored, const char *error, SyncData *d)
{
	d->finished = TRUE;
	d->stored = stored;
	d->error = g_strdup(error);
	g_main_loop_quit(d->loop);
}

static gboolean
on_timeout(gpointer user_data)
{
	SyncData *d = user_data;

	d->timed_out = TRUE;
	g_main_loop_quit(d->loop);
	return G_SOURCE_REMOVE;
}

int
rc_cmd_sync(const struct rc_globals *globals, int argc, char **argv)
{
	int timeout = 120, code = RC_EXIT_OK;
	const GOptionEntry entries[] = {
		{ "timeout", 't', 0, G_OPTION_ARG_INT, &timeout,
		  "Give up after S seconds without the sync finishing (default 120)", "S" },
		{ NULL }
	};
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusRoller2) roller = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	g_autofree char *path = NULL;
	SyncData d = { 0 };
	guint timer;

	if (!rc_parse_options("sync", "[ADDR]",
			      "Copy the sessions stored on a roller into the history; each is\n"
			      "deleted from the roller once it is safely stored.",
			      entries, &argc, &argv, &code))
		return code;
	if (argc > 2 || timeout < 1) {
		g_printerr("rollerctl sync: usage: rollerctl sync [--timeout S] [ADDR]\n");
		return RC_EXIT_USAGE;
	}
	if (!(bus = rc_connect(globals, &code)) ||
	    !(path = rc_resolve_roller(bus, argc > 1 ? argv[1] : NULL, &code)) ||
	    !(roller = rc_roller(bus, path, &code)))
		return code;

	loop = g_main_loop_new(NULL, FALSE);
	d.loop = loop;
	d.roller = roller;
	d.tty = isatty(STDOUT_FILENO);
	d.unicode = rc_use_unicode();
	d.quiet = globals->json;
	g_signal_connect(roller, "g-properties-changed", G_CALLBACK(on_properties_changed), &d);
	g_signal_connect(roller, "sync-finished", G_CALLBACK(on_sync_finished), &d);
	/* A sync already under way (rollerd syncs on connect) is followed too. */
	if (!rd_dbus_roller2_call_sync_sync(roller, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error)) {
		g_autofree char *name = g_dbus_error_get_remote_error(error);

		if (g_strcmp0(name, "org.rollerd.Error.InProgress") != 0)
			return rc_print_error("sync", error);
	}
	timer = g_timeout_add_seconds((guint)timeout, on_timeout, &d);
	g_main_loop_run(loop);
	if (!d.timed_out)
		g_source_remove(timer);
	if (d.tty && !d.quiet)
		printf("\n");
	if (d.timed_out) {
		g_printerr("rollerctl sync: no end of the sync within %d s\n", timeout);
		return RC_EXIT_FAILURE;
	}
	if (globals->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autoptr(JsonNode) root = NULL;

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "stored");
		json_builder_add_int_value(b, d.stored);
		json_builder_set_member_name(b, "error");
		if (*d.error)
			json_builder_add_string_value(b, d.error);
		else
			json_builder_add_null_value(b);
		json_builder_end_object(b);
		root = json_builder_get_root(b);
		rc_print_json(root);
	} else if (!*d.error) {
		printf("Synced: %u new session(s) stored\n", d.stored);
	}
	if (*d.error) {
		g_printerr("rollerctl sync: %s (%u stored before)\n", d.error, d.stored);
		g_free(d.error);
		return RC_EXIT_FAILURE;
	}
	g_free(d.error);
	return RC_EXIT_OK;
}
