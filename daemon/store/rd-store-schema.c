/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The history's schema and its migrations.  PRAGMA user_version holds the
 * version; a new database runs every migration from 1, so the path an
 * upgraded database takes is the path every database takes.  Never edit a
 * shipped migration: add the next one.
 */
#include "config.h"

#include "rd-store-schema.h"
#include "rd-store-heads.h"

/*
 * Version 1 (rollerd 0.1): sessions, live and synced.  Each half of a
 * session has its own key.  The record's: its own start and, when the
 * roller's clock was unset, its CRC-32 (0 otherwise).  The live one's:
 * the daemon's clock at SESSION_START.  A half not stored yet has NULL
 * keys, which no UNIQUE constraint compares.  start_unix is the best
 * start known, for ordering and filters.  Ids are AUTOINCREMENT: they name
 * D-Bus objects, and a deleted session's id must not come back as another.
 */
static const char schema_v1[] =
	"CREATE TABLE sessions (\n"
	"	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"	roller_serial TEXT NOT NULL CHECK (roller_serial <> ''),\n"
	"	roller_address TEXT NOT NULL,\n"
	"	record_id INTEGER NOT NULL CHECK (record_id BETWEEN 0 AND 65535),\n"
	"	area_id INTEGER NOT NULL CHECK (area_id BETWEEN 0 AND 255),\n"
	"	start_unix INTEGER NOT NULL,\n"
	"	clock_set INTEGER NOT NULL CHECK (clock_set IN (0, 1)),\n"
	"	record_start INTEGER,\n"
	"	record_crc INTEGER,\n"
	"	live_start INTEGER,\n"
	"	duration_ms INTEGER NOT NULL,\n"
	"	end_reason INTEGER,\n"
	"	needle_um INTEGER NOT NULL,\n"
	"	strokes INTEGER NOT NULL,\n"
	"	force_mean_cn INTEGER NOT NULL,\n"
	"	force_max_cn INTEGER NOT NULL,\n"
	"	in_band_permille INTEGER NOT NULL CHECK (in_band_permille BETWEEN 0 AND 1000),\n"
	"	dir_vertical INTEGER NOT NULL,\n"
	"	dir_diagonal INTEGER NOT NULL,\n"
	"	dir_horizontal INTEGER NOT NULL,\n"
	"	dir_antidiagonal INTEGER NOT NULL,\n"
	"	cols INTEGER NOT NULL CHECK (cols BETWEEN 1 AND 15),\n"
	"	rows INTEGER NOT NULL CHECK (rows BETWEEN 1 AND 15),\n"
	"	passes BLOB NOT NULL CHECK (length(passes) = cols * rows),\n"
	"	trace_period_ms INTEGER NOT NULL,\n"
	"	trace BLOB NOT NULL,\n"
	"	source TEXT NOT NULL CHECK (source IN ('live', 'synced', 'both')),\n"
	"	synced_at INTEGER,\n"
	"	created_at INTEGER NOT NULL,\n"
	"	frames_lost INTEGER NOT NULL DEFAULT 0,\n"
	"	CHECK ((source = 'live') = (record_start IS NULL)),\n"
	"	CHECK ((source = 'synced') = (live_start IS NULL)),\n"
	"	UNIQUE (roller_serial, record_id, record_start, record_crc),\n"
	"	UNIQUE (roller_serial, record_id, live_start)\n"
	");\n"
	"CREATE INDEX sessions_by_start ON sessions (start_unix, id);\n"
	"CREATE INDEX sessions_by_serial ON sessions (roller_serial, start_unix, id);\n"
	"CREATE INDEX sessions_by_address ON sessions (roller_address, start_unix, id);\n"
	"CREATE INDEX sessions_by_area ON sessions (area_id, start_unix, id);\n";

/*
 * Version 2 (rollerd 0.2): the treatment journal asked for notes per
 * session, and the head-worn reminder needs wear per needle head.  Heads
 * of existing sessions are rebuilt from their needle lengths below.
 */
static const char schema_v2[] =
	"CREATE TABLE heads (\n"
	"	id INTEGER PRIMARY KEY,\n"
	"	roller_serial TEXT NOT NULL,\n"
	"	needle_um INTEGER NOT NULL,\n"
	"	fitted_at INTEGER NOT NULL,\n"
	"	sessions INTEGER NOT NULL DEFAULT 0,\n"
	"	strokes INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX heads_by_serial ON heads (roller_serial, fitted_at, id);\n"
	"CREATE TABLE session_notes (\n"
	"	session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,\n"
	"	topical TEXT,\n"
	"	numbing INTEGER CHECK (numbing IN (0, 1)),\n"
	"	redness TEXT CHECK (redness IN ('none', 'mild', 'moderate', 'strong')),\n"
	"	text TEXT,\n"
	"	cleaned INTEGER CHECK (cleaned IN (0, 1)),\n"
	"	updated_at INTEGER NOT NULL\n"
	");\n"
	"ALTER TABLE sessions ADD COLUMN head_id INTEGER REFERENCES heads (id) ON DELETE SET NULL;\n"
	"CREATE INDEX sessions_by_head ON sessions (head_id);\n";

/*
 * Version 3 (rollerd 0.3): a household shares a roller and a practitioner
 * rolls many clients with one, so every session belongs to a person, and
 * the reminders sent are remembered so that each is sent once.  Every
 * existing session goes to the default person, id 1, named "Me" (renamed
 * at will; rd-store-people.h).  person_id may not be NOT NULL here: SQLite
 * adds a column with a foreign key only with a NULL default; the store
 * writes it on every row.  A person's areas are a blob of area ids.
 */
static const char schema_v3[] =
	"CREATE TABLE people (\n"
	"	id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"	name TEXT NOT NULL CHECK (name <> ''),\n"
	"	name_key TEXT NOT NULL UNIQUE,\n"
	"	notes TEXT NOT NULL DEFAULT '',\n"
	"	needle_um INTEGER NOT NULL DEFAULT 0 CHECK (needle_um BETWEEN 0 AND 65535),\n"
	"	areas BLOB NOT NULL DEFAULT x'',\n"
	"	created_at INTEGER NOT NULL\n"
	");\n"
	"INSERT INTO people (id, name, name_key, created_at) "
	"VALUES (1, 'Me', 'me', CAST(strftime('%s', 'now') AS INTEGER));\n"
	"ALTER TABLE sessions ADD COLUMN person_id INTEGER "
	"REFERENCES people (id) ON DELETE RESTRICT;\n"
	"UPDATE sessions SET person_id = 1;\n"
	"CREATE INDEX sessions_by_person ON sessions (person_id, start_unix, id);\n"
	"CREATE TABLE reminders (\n"
	"	kind TEXT NOT NULL CHECK (kind IN ('area-due', 'head-worn')),\n"
	"	subject INTEGER NOT NULL,\n"
	"	due_at INTEGER NOT NULL,\n"
	"	person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,\n"
	"	sent_at INTEGER NOT NULL,\n"
	"	PRIMARY KEY (kind, subject, due_at, person_id)\n"
	");\n";

/*
 * Version 4 (rollerd 0.4): a clinic's rooms share one journal in
 * PostgreSQL (docs/clinic.md).  Each change of a replicated table writes
 * its outbox row from a trigger, hence in the change's own transaction
 * whoever made it; the sender (daemon/clinic/) sends the rows in seq order
 * and deletes them once PostgreSQL committed them.  A row names what
 * changed (ref: the local id; key, old_key: a person's name key after and
 * before); its content is read when it is sent (rd-store-outbox.c), as
 * trusted_schema = OFF keeps JSON functions out of triggers.  "at" is this
 * room's clock at the change: the notes' rule (last writer by at, then
 * room) reads it.  The triggers record only while outbox_on has its row,
 * which the daemon puts there when rollerd.conf has a [Clinic] section: a
 * home journal keeps no outbox.
 */
#define OUTBOX_WHEN "WHEN EXISTS (SELECT 1 FROM outbox_on) BEGIN INSERT INTO outbox "
#define OUTBOX_NOW "CAST(strftime('%s', 'now') AS INTEGER)"
static const char schema_v4[] =
	"CREATE TABLE outbox (\n"
	"	seq INTEGER PRIMARY KEY AUTOINCREMENT,\n"
	"	kind TEXT NOT NULL CHECK (kind IN ('person', 'person-delete', 'session',\n"
	"		'session-delete', 'notes', 'head')),\n"
	"	ref INTEGER NOT NULL,\n"
	"	key TEXT,\n"
	"	old_key TEXT,\n"
	"	at INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE outbox_on (one INTEGER PRIMARY KEY CHECK (one = 1));\n"
	"CREATE TRIGGER outbox_session_insert AFTER INSERT ON sessions " OUTBOX_WHEN
	"(kind, ref, at) VALUES ('session', NEW.id, " OUTBOX_NOW "); END;\n"
	"CREATE TRIGGER outbox_session_update AFTER UPDATE ON sessions " OUTBOX_WHEN
	"(kind, ref, at) VALUES ('session', NEW.id, " OUTBOX_NOW "); END;\n"
	"CREATE TRIGGER outbox_session_delete AFTER DELETE ON sessions " OUTBOX_WHEN
	"(kind, ref, at) VALUES ('session-delete', OLD.id, " OUTBOX_NOW "); END;\n"
	"CREATE TRIGGER outbox_notes_insert AFTER INSERT ON session_notes " OUTBOX_WHEN
	"(kind, ref, at) VALUES ('notes', NEW.session_id, NEW.updated_at); END;\n"
	"CREATE TRIGGER outbox_notes_update AFTER UPDATE ON session_notes " OUTBOX_WHEN
	"(kind, ref, at) VALUES ('notes', NEW.session_id, NEW.updated_at); END;\n"
	"CREATE TRIGGER outbox_person_insert AFTER INSERT ON people " OUTBOX_WHEN
	"(kind, ref, key, old_key, at) VALUES ('person', NEW.id, NEW.name_key, "
	"NEW.name_key, " OUTBOX_NOW "); END;\n"
	"CREATE TRIGGER outbox_person_update AFTER UPDATE ON people " OUTBOX_WHEN
	"(kind, ref, key, old_key, at) VALUES ('person', NEW.id, NEW.name_key, "
	"OLD.name_key, " OUTBOX_NOW "); END;\n"
	"CREATE TRIGGER outbox_person_delete AFTER DELETE ON people " OUTBOX_WHEN
	"(kind, ref, key, old_key, at) VALUES ('person-delete', OLD.id, OLD.name_key, "
	"OLD.name_key, " OUTBOX_NOW "); END;\n"
	"CREATE TRIGGER outbox_head_insert AFTER INSERT ON heads " OUTBOX_WHEN
	"(kind, ref, at) VALUES ('head', NEW.id, " OUTBOX_NOW "); END;\n"
	"CREATE TRIGGER outbox_head_update AFTER UPDATE ON heads " OUTBOX_WHEN
	"(kind, ref, at) VALUES ('head', NEW.id, " OUTBOX_NOW "); END;\n";

typedef struct {
	gint64 id;
	char *serial;
	guint16 needle_um;
	gint64 start;
	guint32 strokes;
} SessionForHead;

static void
session_for_head_clear(gpointer data)
{
	SessionForHead *s = data;

	g_free(s->serial);
}

static gboolean
backfill_heads(RdStoreDb *db, GError **error)
{
	g_autoptr(GArray) sessions = g_array_new(FALSE, TRUE, sizeof(SessionForHead));
	g_autoptr(RdCachedStmt) select = NULL;
	g_autoptr(RdCachedStmt) update = NULL;
	int rc;

	g_array_set_clear_func(sessions, session_for_head_clear);
	/* Collected first: the updates below must not run under this scan. */
	select = rd_store_db_stmt(db,
				  "SELECT id, roller_serial, needle_um, start_unix, strokes "
				  "FROM sessions ORDER BY roller_serial, start_unix, id",
				  error);
	if (!select)
		return FALSE;
	while ((rc = sqlite3_step(select)) == SQLITE_ROW) {
		SessionForHead s = {
			.id = sqlite3_column_int64(select, 0),
			.serial = g_strdup((const char *)sqlite3_column_text(select, 1)),
			.needle_um = (guint16)sqlite3_column_int(select, 2),
			.start = sqlite3_column_int64(select, 3),
			.strokes = (guint32)sqlite3_column_int64(select, 4),
		};
		g_array_append_val(sessions, s);
	}
	if (rc != SQLITE_DONE) {
		rd_store_db_set_error(db, error, "Could not read sessions");
		return FALSE;
	}

	update = rd_store_db_stmt(db, "UPDATE sessions SET head_id = ?1 WHERE id = ?2", error);
	if (!update)
		return FALSE;
	for (guint i = 0; i < sessions->len; i++) {
		SessionForHead *s = &g_array_index(sessions, SessionForHead, i);
		gint64 head_id;

		if (!rd_store_heads_count_session(db, s->serial, s->needle_um,
						  s->start, s->strokes, &head_id, error))
			return FALSE;
		if (head_id == 0)
			continue;
		sqlite3_bind_int64(update, 1, head_id);
		sqlite3_bind_int64(update, 2, s->id);
		if (!rd_store_db_step_done(db, update, "Could not set a session's head", error))
			return FALSE;
		sqlite3_reset(update);
	}
	return TRUE;
}

typedef struct {
	const char *sql;
	gboolean (*after)(RdStoreDb *db, GError **error);
} Migration;

/* migrations[i] brings a database from version i to i + 1. */
static const Migration migrations[] = {
	{ schema_v1, NULL },
	{ schema_v2, backfill_heads },
	{ schema_v3, NULL },
	{ schema_v4, NULL },
};

G_STATIC_ASSERT(G_N_ELEMENTS(migrations) == RD_STORE_SCHEMA_VERSION);

static gboolean
read_user_version(RdStoreDb *db, int *version, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	gboolean ok;

	/* Not cached: the schema changes under it. */
	if (sqlite3_prepare_v2(db->sqlite, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK) {
		rd_store_db_set_error(db, error, "Could not read the schema version");
		return FALSE;
	}
	ok = sqlite3_step(stmt) == SQLITE_ROW;
	if (ok)
		*version = sqlite3_column_int(stmt, 0);
	else
		rd_store_db_set_error(db, error, "Could not read the schema version");
	sqlite3_finalize(stmt);
	return ok;
}

static gboolean
run_migration(RdStoreDb *db, int from, GError **error)
{
	const Migration *m = &migrations[from];
	g_autofree char *set_version = NULL;
	g_autofree char *what = NULL;

	if (!rd_store_db_begin(db, error))
		return FALSE;
	what = g_strdup_printf("Could not migrate %s from schema version %d to %d",
			       db->path, from, from + 1);
	/* The version is a small integer of ours, not user input. */
	set_version = g_strdup_printf("PRAGMA user_version = %d", from + 1);
	if (sqlite3_exec(db->sqlite, m->sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db->sqlite, set_version, NULL, NULL, NULL) != SQLITE_OK) {
		rd_store_db_set_error(db, error, what);
		rd_store_db_rollback(db);
		return FALSE;
	}
	if (m->after && !m->after(db, error)) {
		g_prefix_error(error, "%s: ", what);
		rd_store_db_rollback(db);
		return FALSE;
	}
	return rd_store_db_commit(db, error);
}

gboolean
rd_store_schema_check_version(RdStoreDb *db, int *version, GError **error)
{
	if (!read_user_version(db, version, error))
		return FALSE;
	if (*version < 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "The history %s has the unknown schema version %d; "
			    "it is left untouched", db->path, *version);
		return FALSE;
	}
	if (*version > RD_STORE_SCHEMA_VERSION) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "The history %s has schema version %d, newer than "
			    "version %d that this rollerd knows; it is left "
			    "untouched (run a newer rollerd)",
			    db->path, *version, RD_STORE_SCHEMA_VERSION);
		return FALSE;
	}
	return TRUE;
}

gboolean
rd_store_schema_migrate(RdStoreDb *db, int version, GError **error)
{
	for (; version < RD_STORE_SCHEMA_VERSION; version++) {
		if (!run_migration(db, version, error))
			return FALSE;
	}
	return TRUE;
}
