/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Due events and the reminders sent (see rd-store-reminders.h). */
#include "config.h"

#include "common/rd-area.h"
#include "rd-store-reminders.h"
#include "rd-store-db.h"

void
rd_reminder_free(RdReminder *reminder)
{
	if (!reminder)
		return;
	g_free(reminder->person_name);
	g_free(reminder->message);
	g_free(reminder);
}

const char *
rd_reminder_kind_to_string(RdReminderKind kind)
{
	return kind == RD_REMINDER_HEAD_WORN ? "head-worn" : "area-due";
}

static char *
local_date(gint64 unix_seconds)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(unix_seconds);

	return dt ? g_date_time_format(dt, "%Y-%m-%d") : g_strdup("an unknown day");
}

static RdReminder *
area_reminder(const RdPlanArea *a)
{
	RdReminder *r = g_new0(RdReminder, 1);
	g_autofree char *area = rd_area_to_string(a->area_id);
	g_autofree char *last = local_date(a->last_start);

	r->kind = RD_REMINDER_AREA_DUE;
	r->person_id = a->person_id;
	r->person_name = g_strdup(a->person_name);
	r->subject = a->area_id;
	r->due_at = a->next_due;
	r->message = g_strdup_printf("%s: %s is due for a session (the last was on %s; "
				     "the interval is %u days)", a->person_name, area, last,
				     a->min_interval_days);
	r->sent = a->reminded;
	return r;
}

/* Each roller's current head (the last fitted) once worn, with its last session's person. */
static const char worn_heads_sql[] =
	"SELECT h.id, h.roller_serial, h.needle_um, h.sessions, p.id, p.name, "
	"EXISTS (SELECT 1 FROM reminders AS r WHERE r.kind = 'head-worn' AND r.subject = h.id) "
	"FROM heads AS h JOIN people AS p ON p.id = (SELECT s.person_id FROM sessions AS s "
	"  WHERE s.head_id = h.id ORDER BY s.start_unix DESC, s.id DESC LIMIT 1) "
	"WHERE h.sessions >= ?1 AND h.id = (SELECT c.id FROM heads AS c "
	"  WHERE c.roller_serial = h.roller_serial ORDER BY c.fitted_at DESC, c.id DESC LIMIT 1) "
	"ORDER BY p.name, h.id";

static gboolean
add_worn_heads(RdStoreDb *db, guint sessions_per_head, GPtrArray *due, GError **error)
{
	g_autoptr(RdCachedStmt) stmt = rd_store_db_stmt(db, worn_heads_sql, error);
	int rc;

	if (!stmt)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, sessions_per_head);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		RdReminder *r = g_new0(RdReminder, 1);

		r->kind = RD_REMINDER_HEAD_WORN;
		r->subject = sqlite3_column_int64(stmt, 0);
		r->person_id = sqlite3_column_int64(stmt, 4);
		r->person_name = g_strdup((const char *)sqlite3_column_text(stmt, 5));
		guint sessions = (guint)sqlite3_column_int64(stmt, 3);

		r->message = g_strdup_printf("The %.2f mm needle head of roller %s has been used "
					     "for %u session%s: replace it",
					     sqlite3_column_int(stmt, 2) / 1000.0,
					     (const char *)sqlite3_column_text(stmt, 1), sessions,
					     sessions == 1 ? "" : "s");
		r->sent = sqlite3_column_int(stmt, 6) != 0;
		g_ptr_array_add(due, r);
	}
	if (rc != SQLITE_DONE) {
		rd_store_db_set_error(db, error, "Could not read the needle heads");
		return FALSE;
	}
	return TRUE;
}

gboolean
rd_store_due_reminders(RdStore *store, const RdPlanConfig *plan, guint sessions_per_head,
		       gint64 now, GPtrArray **due, gint64 *next, GError **error)
{
	g_autoptr(GPtrArray) areas = NULL;
	g_autoptr(GPtrArray) result = NULL;

	if (!rd_store_treatment_plan(store, plan, 0, &areas, error))
		return FALSE;
	result = g_ptr_array_new_with_free_func((GDestroyNotify)rd_reminder_free);
	*next = 0;
	for (guint i = 0; i < areas->len; i++) {
		const RdPlanArea *a = areas->pdata[i];

		if (!a->sessions)
			continue;
		if (a->next_due <= now)
			g_ptr_array_add(result, area_reminder(a));
		else if (!*next || a->next_due < *next)
			*next = a->next_due;
	}
	if (sessions_per_head &&
	    !add_worn_heads(rd_store_get_db(store), sessions_per_head, result, error))
		return FALSE;
	*due = g_steal_pointer(&result);
	return TRUE;
}

gboolean
rd_store_mark_reminded(RdStore *store, const RdReminder *reminder, gint64 now,
		       GError **error)
{
	RdStoreDb *db = rd_store_get_db(store);
	g_autoptr(RdCachedStmt) stmt = NULL;

	stmt = rd_store_db_stmt(db,
				"INSERT OR IGNORE INTO reminders (kind, subject, due_at, person_id, "
				"sent_at) VALUES (?1, ?2, ?3, ?4, ?5)", error);
	if (!stmt)
		return FALSE;
	sqlite3_bind_text(stmt, 1, rd_reminder_kind_to_string(reminder->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, reminder->subject);
	sqlite3_bind_int64(stmt, 3, reminder->due_at);
	sqlite3_bind_int64(stmt, 4, reminder->person_id);
	sqlite3_bind_int64(stmt, 5, now);
	return rd_store_db_step_done(db, stmt, "Could not remember the reminder", error);
}
