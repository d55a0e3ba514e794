/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The session history on D-Bus: Manager1.QuerySessions, GetSession and
 * GetTreatmentPlan, and a stored session's org.rollerd.Session1 object at
 * /org/rollerd/session/<ID>, exported only when asked for so that the
 * bus stays light however long the history grows.
 */
#pragma once

#include "daemon/rd-context.h"
#include "common/rd-dbus-generated.h"
#include "daemon/store/rd-store.h"

typedef struct _RdHistory RdHistory;

RdHistory *rd_history_new(RdContext *ctx, RdDbusManager1 *manager);
void rd_history_free(RdHistory *history);

/* Drops the exported object of a session that changed or went away. */
void rd_history_session_changed(RdHistory *history, gint64 id);

/* Drops every exported stored session: the journal was replaced. */
void rd_history_forget_all(RdHistory *history);

/* Fills a Session1 skeleton's properties from a stored session. */
void rd_history_fill_session(RdDbusSession1 *iface, const RdSession *session);
