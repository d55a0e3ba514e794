/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rollerctl: the command line of rollerd.  Dispatches to one file per command. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "rc-common.h"
#include "rc-complete.h"
#include "rc-decode.h"
#include "rc-journal.h"
#include "rc-monitor.h"
#include "rc-people.h"
#include "rc-plan.h"
#include "rc-clinic.h"
#include "rc-remind.h"
#include "rc-report.h"
#include "rc-rollers.h"
#include "rc-export.h"
#include "rc-sessions.h"
#include "rc-sync.h"

struct rc_command {
	const char *name;
	rc_command_func func;
	const char *summary;
};

static const struct rc_command commands[] = {
	{ "status", rc_cmd_status, "Show rollerd and the rollers it knows" },
	{ "list", rc_cmd_list, "List the rollers, one per line" },
	{ "scan", rc_cmd_scan, "Scan for rollers" },
	{ "connect", rc_cmd_connect, "Connect to a roller (and sync it)" },
	{ "disconnect", rc_cmd_disconnect, "Disconnect from a roller" },
	{ "forget", rc_cmd_forget, "Disconnect and forget a roller" },
	{ "identify", rc_cmd_identify, "Make a roller buzz" },
	{ "start", rc_cmd_start, "Start a session: start --area AREA [--person NAME] [ADDR]" },
	{ "stop", rc_cmd_stop, "Stop the session" },
	{ "monitor", rc_cmd_monitor, "Watch a live session: force, strokes, directions, coverage" },
	{ "sync", rc_cmd_sync, "Copy a roller's stored sessions into the history" },
	{ "sessions", rc_cmd_sessions, "List the history" },
	{ "show", rc_cmd_show, "Show one session" },
	{ "note", rc_cmd_note, "Add journal notes to a session" },
	{ "delete", rc_cmd_delete, "Delete a session from the history" },
	{ "plan", rc_cmd_plan, "Sessions per person and area, and when the next is due" },
	{ "people", rc_cmd_people, "List the people whose sessions the journal keeps" },
	{ "person", rc_cmd_person, "Add, rename, remove, show or choose a person" },
	{ "assign", rc_cmd_assign, "Give a stored session to a person: assign ID NAME" },
	{ "remind", rc_cmd_remind, "Show what is due as a desktop notification" },
	{ "export", rc_cmd_export, "Export the history as CSV or JSON" },
	{ "backup", rc_cmd_backup, "Write a checked copy of the whole journal to a file" },
	{ "restore", rc_cmd_restore, "Replace the journal with a backup" },
	{ "import", rc_cmd_import, "Add sessions exported as JSON (from another machine)" },
	{ "report", rc_cmd_report, "Draw a session or an area's progress (PDF, PNG, SVG)" },
	{ "decode", rc_cmd_decode, "Dump telemetry frames or stored records (offline)" },
};

static void
print_usage(FILE *out)
{
	fprintf(out,
		"Usage: rollerctl [--json] [--session] COMMAND [ARGS...]\n"
		"\n"
		"Talks to rollerd, the daemon of instrumented microneedling rollers.\n"
		"\n"
		"Global options:\n"
		"  --json         Print data as JSON (commands that show data)\n"
		"  --session      Talk to a rollerd on the session bus\n"
		"  --clinic       sessions, plan, export and report from every room of the clinic\n"
		"  -h, --help     Show this help; 'rollerctl COMMAND --help' for a command\n"
		"  -V, --version  Print the version\n"
		"\n"
		"Commands:\n");
	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error,\n"
		"3 rollerd not running or unreachable.\n");
}

/* Edits from @a to @b, a swap of neighbours counting one (optimal string alignment). */
static guint
edit_distance(const char *a, const char *b)
{
	gsize la = strlen(a), lb = strlen(b);
	g_autofree guint *d = g_new(guint, (la + 1) * (lb + 1));

#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (gsize i = 0; i <= la; i++)
		D(i, 0) = (guint)i;
	for (gsize j = 0; j <= lb; j++)
		D(0, j) = (guint)j;
	for (gsize i = 1; i <= la; i++) {
		for (gsize j = 1; j <= lb; j++) {
			guint cost = a[i - 1] != b[j - 1];

			D(i, j) = MIN(MIN(D(i - 1, j) + 1, D(i, j - 1) + 1), D(i - 1, j - 1) + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
				D(i, j) = MIN(D(i, j), D(i - 2, j - 2) + 1);
		}
	}
	return D(la, lb);
#undef D
}

/* The command @typed most likely meant: at most two edits away, else NULL. */
static const char *
nearest_command(const char *typed)
{
	const char *best = NULL;
	guint best_distance = 3;

	for (gsize c = 0; c < G_N_ELEMENTS(commands); c++) {
		guint distance = edit_distance(typed, commands[c].name);

		if (distance < best_distance) {
			best = commands[c].name;
			best_distance = distance;
		}
	}
	return best;
}

int
main(int argc, char **argv)
{
	struct rc_globals globals = { FALSE, FALSE, FALSE };
	int i;

	setlocale(LC_ALL, "");
	g_set_prgname("rollerctl");

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			globals.json = TRUE;
		} else if (strcmp(argv[i], "--session") == 0) {
			globals.session_bus = TRUE;
		} else if (strcmp(argv[i], "--clinic") == 0) {
			globals.clinic = TRUE;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			print_usage(stdout);
			return RC_EXIT_OK;
		} else if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0) {
			printf("rollerctl %s\n", PACKAGE_VERSION);
			return RC_EXIT_OK;
		} else {
			g_printerr("rollerctl: unknown option %s\n", argv[i]);
			print_usage(stderr);
			return RC_EXIT_USAGE;
		}
	}
	if (i == argc) {
		print_usage(stderr);
		return RC_EXIT_USAGE;
	}
	/* Bash completion's, not a user's: not in the help. */
	if (strcmp(argv[i], "__complete") == 0)
		return rc_cmd_complete(&globals, argc - i, argv + i);
	for (gsize c = 0; c < G_N_ELEMENTS(commands); c++) {
		int n = 0;

		if (strcmp(argv[i], commands[c].name) != 0)
			continue;
		/* --json and --session are accepted after the command too. */
		for (int j = i; j < argc; j++) {
			if (strcmp(argv[j], "--json") == 0)
				globals.json = TRUE;
			else if (strcmp(argv[j], "--session") == 0)
				globals.session_bus = TRUE;
			else
				argv[i + n++] = argv[j];
		}
		if (globals.clinic)
			return rc_clinic_command(&globals, n, argv + i);
		return commands[c].func(&globals, n, argv + i);
	}
	if (nearest_command(argv[i]))
		g_printerr("rollerctl: unknown command '%s'; did you mean '%s'? "
			   "See 'rollerctl --help'\n", argv[i], nearest_command(argv[i]));
	else
		g_printerr("rollerctl: unknown command '%s'; see 'rollerctl --help'\n", argv[i]);
	return RC_EXIT_USAGE;
}
