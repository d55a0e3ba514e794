/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "rc-common.h"

/* The history: sessions, show, note, delete (export: rc-export.h). */
int rc_cmd_sessions(const struct rc_globals *globals, int argc, char **argv);
int rc_cmd_show(const struct rc_globals *globals, int argc, char **argv);
int rc_cmd_note(const struct rc_globals *globals, int argc, char **argv);
int rc_cmd_delete(const struct rc_globals *globals, int argc, char **argv);

/* The Session1 proxy of session @id (GetSession), or NULL after printing. */
RdDbusSession1 *rc_get_session(GDBusConnection *bus, const char *id_text, int *exit_code);
