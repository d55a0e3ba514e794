/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What is due, and which reminders were sent (schema version 3).
 *
 * A due event is one of:
 * - area-due: a person's area whose next session is due by the plan
 *   (rd_store_treatment_plan(): last session + the interval).  Its key is
 *   (person, area, the due time): a new session on the area makes a new
 *   due time, hence a new event later.
 * - head-worn: a roller's current needle head that has counted at least
 *   the configured number of sessions.  Its key is the head; its person
 *   is the one of the head's last session.
 * rd_store_mark_reminded() remembers an event as sent, in the journal, so
 * that it is sent once across restarts.
 */
#pragma once

#include "rd-store.h"

typedef enum {
	RD_REMINDER_AREA_DUE,
	RD_REMINDER_HEAD_WORN,
} RdReminderKind;

typedef struct {
	RdReminderKind kind;
	gint64 person_id;
	char *person_name;
	gint64 subject;		/* the area id, or the head id */
	gint64 due_at;		/* area-due: when it fell due; head-worn: 0 */
	char *message;		/* a sentence for a person */
	gboolean sent;		/* rd_store_mark_reminded() was called for it */
} RdReminder;

void rd_reminder_free(RdReminder *reminder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdReminder, rd_reminder_free)

/* "area-due", "head-worn". */
const char *rd_reminder_kind_to_string(RdReminderKind kind);

/*
 * Every event due at @now (*due: RdReminder elements, by person); heads
 * only when @sessions_per_head is not 0.  *next: the earliest due time
 * after @now of an area with sessions, 0 when none.
 */
gboolean rd_store_due_reminders(RdStore *store, const RdPlanConfig *plan,
				guint sessions_per_head, gint64 now, GPtrArray **due,
				gint64 *next, GError **error);

gboolean rd_store_mark_reminded(RdStore *store, const RdReminder *reminder, gint64 now,
				GError **error);
