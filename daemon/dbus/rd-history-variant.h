/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The history's D-Bus shapes (docs/dbus-api.md): a QuerySessions line and
 * a GetTreatmentPlan area, for the local journal's answers and the
 * clinic's (rd-clinic-calls.h).
 */
#pragma once

#include <gio/gio.h>

#include "daemon/store/rd-store.h"

#define RD_HISTORY_SESSION_PATH_PREFIX "/org/rollerd/session/"

char *rd_history_session_path(gint64 id);
/* Floating a{sv}. */
GVariant *rd_history_summary_to_variant(const RdSessionSummary *s);
/* A session of the clinic: its room instead of local objects' paths. */
GVariant *rd_history_clinic_summary_to_variant(const RdSessionSummary *s, const char *room);
/* Floating a{sv}; "person" left out for person_id 0 (a clinic row). */
GVariant *rd_history_plan_area_to_variant(const RdPlanArea *a, gint64 now);
