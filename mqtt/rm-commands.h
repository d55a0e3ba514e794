/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The broker's commands (PREFIX/ROOM/roller/KEY/cmd/COMMAND) turned into
 * calls of rollerd's methods; anything else refused without a call, and
 * logged at most once per burst (rd-log-limit), as are rollerd's errors.
 */
#pragma once

#include <glib.h>

#include "mqtt/rm-config.h"
#include "mqtt/rm-rollerd.h"

typedef struct _RmCommands RmCommands;

/* @cfg and @rollerd must outlive it. */
RmCommands *rm_commands_new(const RmConfig *cfg, RmRollerd *rollerd);
void rm_commands_free(RmCommands *c);

/* A message on a command topic; @retained as the broker delivered it. */
void rm_commands_handle(RmCommands *c, const char *topic, const void *payload, gsize len,
			gboolean retained);
