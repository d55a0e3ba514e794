/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every rollerctl command shares: exit codes and global options. */
#pragma once

#include <glib.h>

enum rc_exit {
	RC_EXIT_OK = 0,
	RC_EXIT_FAILURE = 1,
	RC_EXIT_USAGE = 2,
	RC_EXIT_NO_DAEMON = 3,
};

struct rc_globals {
	gboolean json;
	gboolean session_bus;
};

/* A command runs with its own argv: argv[0] is the command's name. */
typedef int (*rc_command_func)(const struct rc_globals *globals, int argc,
			       char **argv);

/* Parses a command's options; prints help or a usage error as needed. */
gboolean rc_parse_options(const char *command, const char *params,
			  const char *summary, const GOptionEntry *entries,
			  int *argc, char ***argv, int *exit_code);
