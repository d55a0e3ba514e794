/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl --clinic export and report: whole sessions of every room,
 * from Manager1.ExportSessions with scope clinic (docs/clinic.md).  When
 * this room's rollerd cannot reach the clinic it answers from its own
 * journal: these say so on stderr.
 */
#pragma once

#include "rc-common.h"

/*
 * The export's text: @filter is QuerySessions' (scope added here); with
 * no limit in it, every page, one header (CSV) or one array (JSON).
 */
char *rc_clinic_export(RdDbusManager1 *manager, const char *command, GVariant *filter,
		       gboolean json, GError **error);

/*
 * The page's sessions, newest first, as Session1 objects of this process
 * (skeletons holding the properties the report draws; no methods).
 */
GPtrArray *rc_clinic_sessions(RdDbusManager1 *manager, const char *command, GVariant *filter,
			      GError **error);

/* The person's name of a session of rc_clinic_sessions(). */
const char *rc_clinic_session_person(RdDbusSession1 *session);
