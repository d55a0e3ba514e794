/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "common/rd-error.h"
#include "daemon/rd-log-limit.h"
#include "mqtt/rm-commands.h"
#include "mqtt/rm-payload.h"
#include "mqtt/rm-rollerd-calls.h"

struct _RmCommands {
	const RmConfig *cfg;
	RmRollerd *rollerd;
	RdLogLimit bad_input;
	RdLogLimit refused;
};

RmCommands *
rm_commands_new(const RmConfig *cfg, RmRollerd *rollerd)
{
	RmCommands *c = g_new0(RmCommands, 1);

	c->cfg = cfg;
	c->rollerd = rollerd;
	return c;
}

void
rm_commands_free(RmCommands *c)
{
	g_free(c);
}

static void
log_limited(RdLogLimit *limit, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* One line at once, then at most one per RD_LOG_LIMIT_INTERVAL_US counting the rest. */
static void
log_limited(RdLogLimit *limit, const char *fmt, ...)
{
	g_autofree char *line = NULL;
	guint skipped = 0;
	va_list ap;

	if (!rd_log_limit_allow(limit, g_get_monotonic_time(), &skipped))
		return;
	va_start(ap, fmt);
	line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (skipped)
		g_warning("%s (and %u more like it not logged)", line, skipped);
	else
		g_warning("%s", line);
}

static const char *
command_name(RmCommand command)
{
	switch (command) {
	case RM_COMMAND_SYNC: return "sync";
	case RM_COMMAND_IDENTIFY: return "identify";
	case RM_COMMAND_START: return "start";
	case RM_COMMAND_STOP: return "stop";
	}
	return "?";
}

static void
command_done(const char *path, RmCommand command, const GError *error, gpointer data)
{
	RmCommands *c = data;

	if (error)
		log_limited(&c->refused, "Command %s for %s: rollerd refused it: %s",
			    command_name(command), path, error->message);
	else
		g_message("Command %s for %s done", command_name(command), path);
}

void
rm_commands_handle(RmCommands *c, const char *topic, const void *payload, gsize len,
		   gboolean retained)
{
	g_auto(RmCommandRequest) req = { 0 };
	g_autoptr(GError) error = NULL;
	g_autofree char *cut = NULL, *shown = NULL;
	const char *path;

	/* A command someone left retained would run again at every (re)subscription. */
	if (retained)
		error = g_error_new_literal(RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
					    "a retained command is not acted on (publish it "
					    "without the retain flag, and clear the retained one)");
	else if (rm_command_parse(c->cfg, topic, payload, len, &req, &error) &&
		 (path = rm_rollerd_find_roller(c->rollerd, req.key))) {
		rm_rollerd_command(c->rollerd, path, &req, command_done, c);
		return;
	}
	/* The topic is the sender's: cut short and escaped for the log. */
	cut = g_utf8_make_valid(topic, MIN(strlen(topic), 200));
	shown = g_strescape(cut, NULL);
	log_limited(&c->bad_input, "Ignored a message on %s: %s", shown,
		    error ? error->message : "no such roller here");
}
