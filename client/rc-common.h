/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every rollerctl command shares: exit codes, the bus, output. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "common/rd-dbus-generated.h"

/* gdbus-codegen defines cleanups for the proxy types, not the interfaces. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdDbusManager1, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdDbusRoller2, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdDbusSession1, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdDbusPerson1, g_object_unref)

enum rc_exit {
	RC_EXIT_OK = 0,
	RC_EXIT_FAILURE = 1,
	RC_EXIT_USAGE = 2,
	RC_EXIT_NO_DAEMON = 3,
};

struct rc_globals {
	gboolean json;
	gboolean session_bus;
	gboolean clinic;	/* --clinic: every room's journal (rc-clinic.h) */
};

/* A command runs with its own argv: argv[0] is the command's name. */
typedef int (*rc_command_func)(const struct rc_globals *globals, int argc,
			       char **argv);

/* Parses a command's options; prints help or a usage error as needed. */
gboolean rc_parse_options(const char *command, const char *params,
			  const char *summary, const GOptionEntry *entries,
			  int *argc, char ***argv, int *exit_code);

/*
 * FALSE after printing a usage error (*exit_code RC_EXIT_USAGE) when the
 * command got more than @max arguments after its options.
 */
gboolean rc_check_no_extra(const char *command, int argc, char **argv, int max,
			   int *exit_code);

/* FALSE after printing the valid areas when @area names none. */
gboolean rc_check_area(const char *command, const char *area);

/*
 * The bus rollerd is on (system, or session with --session), checked to
 * have org.rollerd; NULL after printing a sentence, *exit_code then
 * RC_EXIT_NO_DAEMON.
 */
GDBusConnection *rc_connect(const struct rc_globals *globals, int *exit_code);

/* Proxies on rollerd's objects (NULL after printing, *exit_code set). */
RdDbusManager1 *rc_manager(GDBusConnection *bus, int *exit_code);
RdDbusRoller2 *rc_roller(GDBusConnection *bus, const char *path, int *exit_code);

/* Object paths of the rollers rollerd knows, by address (NULL after printing). */
GPtrArray *rc_roller_paths(GDBusConnection *bus, int *exit_code);

/* The band of the roller with @serial if rollerd knows it, else 0, 0. */
void rc_roller_band(GDBusConnection *bus, const char *serial, guint *low, guint *high);

/*
 * The roller an ADDR argument names, or with @address NULL the only
 * known one; prints why not (none known, several known, unknown address)
 * and returns NULL with *exit_code set.  Returns the object path.
 */
char *rc_resolve_roller(GDBusConnection *bus, const char *address, int *exit_code);

/*
 * The Person1 path of the person called @name (whatever its case), or
 * NULL after printing "rollerctl @command: no person called ..." with
 * *exit_code set (RC_EXIT_FAILURE when there is no such person).
 */
char *rc_resolve_person(GDBusConnection *bus, const char *command, const char *name,
			int *exit_code);

/*
 * Prints a failed call as a sentence (never a raw GDBus error), "rollerctl
 * COMMAND: ...", and returns the exit code: RC_EXIT_NO_DAEMON when rollerd
 * or the bus went away or did not answer, RC_EXIT_FAILURE otherwise
 * (permission problems say so).
 */
int rc_print_error(const char *command, const GError *error);

/* Colours and block graphics: on a terminal, never with NO_COLOR set. */
gboolean rc_use_color(void);
gboolean rc_use_unicode(void);

/* Prints @node as pretty JSON and a newline on stdout. */
void rc_print_json(JsonNode *node);

/* "2026-11-24 06:30" in local time; "unknown" for 0. */
char *rc_format_time(gint64 unix_seconds);
/* "12:34" or "1:02:03" for milliseconds. */
char *rc_format_duration(guint32 ms);
