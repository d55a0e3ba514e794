/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * QuerySessions and QueryTreatmentPlan with a "scope" (docs/dbus-api.md,
 * docs/clinic.md): "local" answers from this room's journal, "clinic"
 * from every room's in PostgreSQL, asynchronously (the reply waits, the
 * main loop does not).  A reply to a call with a scope starts with a
 * status element: scope (s, what answered: "clinic" or "local") and,
 * when a clinic answer was asked for but the clinic could not give it,
 * clinic_error (s, why); the journal on this machine then answers.
 */
#pragma once

#include <gio/gio.h>

#include "daemon/rd-context.h"
#include "daemon/store/rd-store.h"

/* "local" or "clinic"; else RD_ERROR_INVALID_ARGUMENTS naming it. */
gboolean rd_clinic_calls_parse_scope(GVariant *value, gboolean *clinic, GError **error);

/* @filter_variant keeps @f's strings alive; @f->person_id resolved already. */
void rd_clinic_calls_query_sessions(RdContext *ctx, GDBusMethodInvocation *invocation,
				    GVariant *filter_variant, const RdSessionFilter *f,
				    gboolean clinic);

/*
 * @person_id: 0 for everyone, unless @person_name names them: in the
 * clinic, someone this room may never have seen (NotFound locally).
 */
void rd_clinic_calls_plan(RdContext *ctx, GDBusMethodInvocation *invocation,
			  gint64 person_id, const char *person_name, gboolean clinic);

/*
 * ExportSessions: the page's whole sessions as "json" (@json) or "csv",
 * each with its room; the reply is (status with sessions (u), data).
 */
void rd_clinic_calls_export(RdContext *ctx, GDBusMethodInvocation *invocation,
			    GVariant *filter_variant, const RdSessionFilter *f, gboolean clinic,
			    gboolean json);
