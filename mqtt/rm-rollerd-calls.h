/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The calls the bridge makes to rollerd, on the connection rm-rollerd
 * follows it on.  None is made while rollerd is not on the bus: a
 * QuerySessions walk then fails with G_IO_ERROR_NOT_CONNECTED.
 */
#pragma once

#include "mqtt/rm-rollerd.h"

/* Summaries (GVariant a{sv} of QuerySessions) with an id above @after, by id. */
typedef void (*RmSessionsReady)(GPtrArray *summaries, const GError *error, gpointer data);
void rm_rollerd_query_sessions_after(RmRollerd *r, guint64 after, RmSessionsReady done,
				     gpointer data);

/* GetTreatmentPlan's rows (aa{sv}), or NULL with @error. */
typedef void (*RmPlanReady)(GVariant *rows, const GError *error, gpointer data);
void rm_rollerd_get_plan(RmRollerd *r, RmPlanReady done, gpointer data);

/* Calls the roller's method for @req; @done gets rollerd's answer. */
typedef void (*RmCommandDone)(const char *path, RmCommand command, const GError *error,
			      gpointer data);
void rm_rollerd_command(RmRollerd *r, const char *path, const RmCommandRequest *req,
			RmCommandDone done, gpointer data);
