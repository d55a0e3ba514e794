/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The clinic's PostgreSQL schema and its migrations. */
#include "config.h"

#include <string.h>

#include "rd-clinic-schema.h"

/*
 * Version 1.  Rows belong to the room that wrote them last ("room", the
 * PostgreSQL role of the room's connection, current_user): row-level
 * security lets a room insert and update only rows it signs as itself,
 * read them all, delete none (deletions are tombstones).  The tables and
 * functions belong to the administrator's role that ran the setup
 * (rollerd --clinic-setup), which no room is: only an owner may switch
 * the policies off or replace a function.  Rooms get their rights
 * through the group role rollerd_rooms; PUBLIC gets none.  The
 * functions run as the caller (rights and policies apply) with a fixed
 * search_path, and take the room from current_user, never an argument.
 *
 * - people: keyed by name key (rd-store-people.h) within the clinic, a
 *   surrogate id that sessions point to, so a rename moves no session.
 * - sessions: a room's local id is its handle ((room, journal, local_id):
 *   journal is the identity of the room's journal, so that a new machine
 *   for the room, counting ids from 1 again, overwrites nothing); the key
 *   is the local one, (serial, record_id, start_unix), so the same session
 *   stored in two rooms (a roller carried across) is one; unique among
 *   the live rows only, so a deleted session may be imported again.  body holds the
 *   whole row as the room sent it: directions, grid, passes, trace.
 * - session_notes, people's fields, heads: the last writer wins by (at,
 *   room), at being the writer's clock at the change.
 * - cursors: per room, the last outbox seq stored and the journal it
 *   counts; moved in the batch's own transaction, so a batch sent twice
 *   is stored once.  A batch from another journal starts it again.
 */
/* A function sees pg_catalog and the clinic's schema only: a room's own
 * objects never stand in for the clinic's. */
#define FN_PATH "SET search_path = pg_catalog, @SCHEMA@"

static const char migration_v1[] =
	"CREATE TABLE people (\n"
	"	id bigserial PRIMARY KEY,\n"
	"	name_key text NOT NULL UNIQUE,\n"
	"	name text NOT NULL,\n"
	"	notes text NOT NULL DEFAULT '',\n"
	"	needle_um integer NOT NULL DEFAULT 0,\n"
	"	areas bytea NOT NULL DEFAULT '',\n"
	"	deleted boolean NOT NULL DEFAULT false,\n"
	"	at bigint NOT NULL,\n"
	"	room text NOT NULL\n"
	");\n"
	"CREATE TABLE sessions (\n"
	"	id bigserial PRIMARY KEY,\n"
	"	room text NOT NULL,\n"
	"	journal text NOT NULL DEFAULT '',\n"
	"	local_id bigint NOT NULL,\n"
	"	serial text NOT NULL,\n"
	"	address text NOT NULL,\n"
	"	record_id integer NOT NULL,\n"
	"	area integer NOT NULL,\n"
	"	start_unix bigint NOT NULL,\n"
	"	clock_set boolean NOT NULL,\n"
	"	duration_ms bigint NOT NULL,\n"
	"	needle_um integer NOT NULL,\n"
	"	strokes bigint NOT NULL,\n"
	"	force_mean_cn integer NOT NULL,\n"
	"	force_max_cn integer NOT NULL,\n"
	"	in_band_permille integer NOT NULL,\n"
	"	source text NOT NULL,\n"
	"	person_id bigint REFERENCES people (id),\n"
	"	body jsonb NOT NULL,\n"
	"	deleted boolean NOT NULL DEFAULT false,\n"
	"	at bigint NOT NULL,\n"
	"	UNIQUE (room, journal, local_id)\n"
	");\n"
	/* A tombstone holds no key: the session may come again. */
	"CREATE UNIQUE INDEX sessions_by_key ON sessions (serial, record_id, start_unix) "
	"WHERE NOT deleted;\n"
	"CREATE INDEX sessions_by_start ON sessions (start_unix DESC, id DESC) WHERE NOT deleted;\n"
	"CREATE INDEX sessions_by_person ON sessions (person_id, start_unix DESC, id DESC) "
	"WHERE NOT deleted;\n"
	"CREATE INDEX sessions_by_area ON sessions (area, start_unix DESC, id DESC) WHERE NOT deleted;\n"
	"CREATE TABLE session_notes (\n"
	"	session_id bigint PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,\n"
	"	topical text, numbing boolean, redness text, text text, cleaned boolean,\n"
	"	at bigint NOT NULL,\n"
	"	room text NOT NULL\n"
	");\n"
	"CREATE TABLE heads (\n"
	"	serial text NOT NULL,\n"
	"	fitted_at bigint NOT NULL,\n"
	"	needle_um integer NOT NULL,\n"
	"	sessions bigint NOT NULL,\n"
	"	strokes bigint NOT NULL,\n"
	"	at bigint NOT NULL,\n"
	"	room text NOT NULL,\n"
	"	PRIMARY KEY (serial, fitted_at)\n"
	");\n"
	"CREATE TABLE cursors (room text PRIMARY KEY, journal text NOT NULL, "
	"last_seq bigint NOT NULL);\n"
	/* Row ownership: read all, write only as oneself. */
	"DO $d$ DECLARE t text; BEGIN\n"
	"	FOREACH t IN ARRAY ARRAY['people', 'sessions', 'session_notes', 'heads', 'cursors'] LOOP\n"
	"		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);\n"
	"		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);\n"
	"		EXECUTE format('CREATE POLICY room_reads ON %I FOR SELECT USING (true)', t);\n"
	"		EXECUTE format('CREATE POLICY room_inserts ON %I FOR INSERT "
	"WITH CHECK (room = current_user)', t);\n"
	"	END LOOP;\n"
	"END $d$;\n"
	/* A room's own sessions and cursor; shared rows any room may sign. */
	"CREATE POLICY room_updates ON sessions FOR UPDATE USING (room = current_user) "
	"WITH CHECK (room = current_user);\n"
	"CREATE POLICY room_updates ON cursors FOR UPDATE USING (room = current_user) "
	"WITH CHECK (room = current_user);\n"
	"CREATE POLICY room_updates ON people FOR UPDATE USING (true) "
	"WITH CHECK (room = current_user);\n"
	"CREATE POLICY room_updates ON session_notes FOR UPDATE USING (true) "
	"WITH CHECK (room = current_user);\n"
	"CREATE POLICY room_updates ON heads FOR UPDATE USING (true) "
	"WITH CHECK (room = current_user);\n"
	/* A person named by a session before their own row came. */
	"CREATE FUNCTION rollerd_person_id(k text) RETURNS bigint "
	"LANGUAGE plpgsql " FN_PATH " AS $f$ DECLARE pid bigint; r text := current_user; BEGIN\n"
	"	IF k IS NULL THEN RETURN NULL; END IF;\n"
	"	SELECT id INTO pid FROM people WHERE name_key = k;\n"
	"	IF pid IS NULL THEN\n"
	"		INSERT INTO people (name_key, name, at, room) VALUES (k, k, 0, r)\n"
	"		ON CONFLICT (name_key) DO NOTHING RETURNING id INTO pid;\n"
	"		IF pid IS NULL THEN SELECT id INTO pid FROM people WHERE name_key = k; END IF;\n"
	"	END IF;\n"
	"	RETURN pid;\n"
	"END $f$;\n"
	"CREATE FUNCTION rollerd_apply_person(b jsonb, t bigint) RETURNS void "
	"LANGUAGE plpgsql " FN_PATH " AS $f$\n"
	"DECLARE r text := current_user; oid_ bigint; nid bigint; nat bigint; BEGIN\n"
	"	IF b->>'old_key' <> b->>'key' THEN\n"
	"		SELECT id INTO oid_ FROM people WHERE name_key = b->>'old_key';\n"
	"		SELECT id, at INTO nid, nat FROM people WHERE name_key = b->>'key';\n"
	/* A placeholder under the new name that only this room's sessions
	 * name, sent before the rename (they are read at sending): merged
	 * into the renamed person, so that the person is not split. */
	"		IF oid_ IS NOT NULL AND nid IS NOT NULL AND nat = 0 AND NOT EXISTS (\n"
	"		   SELECT 1 FROM sessions WHERE person_id = nid AND room <> r) THEN\n"
	"			UPDATE sessions SET person_id = oid_ WHERE person_id = nid AND room = r;\n"
	"			UPDATE people SET name_key = name_key || ' (merged into ' || oid_ || ')',\n"
	"				deleted = true, room = r WHERE id = nid;\n"
	"			nid := NULL;\n"
	"		END IF;\n"
	"		IF oid_ IS NOT NULL AND nid IS NULL THEN\n"
	"			UPDATE people SET name_key = b->>'key', name = b->>'key', room = r "
	"WHERE id = oid_;\n"
	"		END IF;\n"
	"	END IF;\n"
	"	IF b ? 'name' THEN\n"
	"		INSERT INTO people AS p (name_key, name, notes, needle_um, areas, at, room)\n"
	"		VALUES (b->>'key', b->>'name', b->>'notes', (b->>'needle_um')::integer,\n"
	"			decode(b->>'areas', 'hex'), t, r)\n"
	"		ON CONFLICT (name_key) DO UPDATE SET name = excluded.name, notes = excluded.notes,\n"
	"			needle_um = excluded.needle_um, areas = excluded.areas, deleted = false,\n"
	"			at = excluded.at, room = excluded.room\n"
	"		WHERE (excluded.at, excluded.room) >= (p.at, p.room);\n"
	"	END IF;\n"
	"END $f$;\n"
	"CREATE FUNCTION rollerd_apply_session(j text, b jsonb, t bigint) RETURNS void "
	"LANGUAGE plpgsql " FN_PATH " AS $f$\n"
	"DECLARE r text := current_user; lid bigint := (b->>'id')::bigint; BEGIN\n"
	/* Known from another room: that copy stands for it. */
	"	IF EXISTS (SELECT 1 FROM sessions WHERE serial = b->>'serial' AND\n"
	"		   record_id = (b->>'record_id')::integer AND start_unix = (b->>'start')::bigint\n"
	"		   AND NOT deleted AND NOT (room = r AND journal = j AND local_id = lid)) THEN\n"
	"		UPDATE sessions SET deleted = true, at = t\n"
	"		WHERE room = r AND journal = j AND local_id = lid;\n"
	"		RETURN;\n"
	"	END IF;\n"
	"	INSERT INTO sessions AS s (room, journal, local_id, serial, address, record_id, area, start_unix,\n"
	"		clock_set, duration_ms, needle_um, strokes, force_mean_cn, force_max_cn,\n"
	"		in_band_permille, source, person_id, body, at)\n"
	"	VALUES (r, j, lid, b->>'serial', b->>'address', (b->>'record_id')::integer,\n"
	"		(b->>'area')::integer, (b->>'start')::bigint, (b->>'clock_set')::integer <> 0,\n"
	"		(b->>'duration_ms')::bigint, (b->>'needle_um')::integer, (b->>'strokes')::bigint,\n"
	"		(b->>'force_mean_cn')::integer, (b->>'force_max_cn')::integer,\n"
	"		(b->>'in_band_permille')::integer, b->>'source',\n"
	"		rollerd_person_id(b->>'person'), b, t)\n"
	"	ON CONFLICT (room, journal, local_id) DO UPDATE SET serial = excluded.serial,\n"
	"		address = excluded.address, record_id = excluded.record_id, area = excluded.area,\n"
	"		start_unix = excluded.start_unix, clock_set = excluded.clock_set,\n"
	"		duration_ms = excluded.duration_ms, needle_um = excluded.needle_um,\n"
	"		strokes = excluded.strokes, force_mean_cn = excluded.force_mean_cn,\n"
	"		force_max_cn = excluded.force_max_cn, in_band_permille = excluded.in_band_permille,\n"
	"		source = excluded.source, person_id = excluded.person_id, body = excluded.body,\n"
	"		deleted = false, at = excluded.at;\n"
	"END $f$;\n"
	"CREATE FUNCTION rollerd_apply_notes(j text, b jsonb, t bigint) RETURNS void "
	"LANGUAGE plpgsql " FN_PATH " AS $f$ DECLARE r text := current_user; sid bigint; BEGIN\n"
	"	SELECT id INTO sid FROM sessions\n"
	"	WHERE room = r AND journal = j AND local_id = (b->>'session')::bigint;\n"
	"	IF sid IS NULL THEN RETURN; END IF;\n"
	"	INSERT INTO session_notes AS n (session_id, topical, numbing, redness, text, cleaned,\n"
	"		at, room)\n"
	"	VALUES (sid, b->>'topical', (b->>'numbing')::integer <> 0, b->>'redness', b->>'text',\n"
	"		(b->>'cleaned')::integer <> 0, t, r)\n"
	"	ON CONFLICT (session_id) DO UPDATE SET topical = excluded.topical,\n"
	"		numbing = excluded.numbing, redness = excluded.redness, text = excluded.text,\n"
	"		cleaned = excluded.cleaned, at = excluded.at, room = excluded.room\n"
	"	WHERE (excluded.at, excluded.room) >= (n.at, n.room);\n"
	"END $f$;\n"
	"CREATE FUNCTION rollerd_apply_head(b jsonb, t bigint) RETURNS void "
	"LANGUAGE plpgsql " FN_PATH " AS $f$ DECLARE r text := current_user; BEGIN\n"
	"	INSERT INTO heads AS h (serial, fitted_at, needle_um, sessions, strokes, at, room)\n"
	"	VALUES (b->>'serial', (b->>'fitted_at')::bigint, (b->>'needle_um')::integer,\n"
	"		(b->>'sessions')::bigint, (b->>'strokes')::bigint, t, r)\n"
	"	ON CONFLICT (serial, fitted_at) DO UPDATE SET needle_um = excluded.needle_um,\n"
	"		sessions = excluded.sessions, strokes = excluded.strokes, at = excluded.at,\n"
	"		room = excluded.room\n"
	"	WHERE (excluded.at, excluded.room) >= (h.at, h.room);\n"
	"END $f$;\n"
	/* One batch, one transaction: rows at or below the cursor were stored. */
	"CREATE FUNCTION rollerd_apply_batch(j text, batch jsonb) RETURNS bigint\n"
	"LANGUAGE plpgsql " FN_PATH " AS $f$\n"
	"DECLARE r text := current_user; cj text; cur bigint; e jsonb; s bigint; k text; b jsonb; t bigint; BEGIN\n"
	"	INSERT INTO cursors (room, journal, last_seq) VALUES (r, j, 0)\n"
	"	ON CONFLICT (room) DO NOTHING;\n"
	"	SELECT journal, last_seq INTO cj, cur FROM cursors WHERE room = r FOR UPDATE;\n"
	/* Another journal of the room (a new machine): its own seqs. */
	"	IF cj <> j THEN cur := 0; END IF;\n"
	"	FOR e IN SELECT value FROM jsonb_array_elements(batch) WITH ORDINALITY\n"
	"		ORDER BY ordinality LOOP\n"
	"		s := (e->>0)::bigint; k := e->>1; t := (e->>2)::bigint; b := e->3;\n"
	"		CONTINUE WHEN s <= cur;\n"
	"		cur := s;\n"
	"		CONTINUE WHEN jsonb_typeof(b) = 'null';\n"
	"		CASE k\n"
	"		WHEN 'person' THEN PERFORM rollerd_apply_person(b, t);\n"
	"		WHEN 'person-delete' THEN UPDATE people SET deleted = true, at = t, room = r\n"
	"			WHERE name_key = b->>'key' AND (t, r) >= (at, room);\n"
	"		WHEN 'session' THEN PERFORM rollerd_apply_session(j, b, t);\n"
	"		WHEN 'session-delete' THEN UPDATE sessions SET deleted = true, at = t\n"
	"			WHERE room = r AND journal = j AND local_id = (b->>'id')::bigint;\n"
	"		WHEN 'notes' THEN PERFORM rollerd_apply_notes(j, b, t);\n"
	"		WHEN 'head' THEN PERFORM rollerd_apply_head(b, t);\n"
	"		END CASE;\n"
	"	END LOOP;\n"
	"	UPDATE cursors SET journal = j, last_seq = cur WHERE room = r;\n"
	"	RETURN cur;\n"
	"END $f$;\n";

static const char *const migrations[] = {
	migration_v1,
};

G_STATIC_ASSERT(G_N_ELEMENTS(migrations) == RD_CLINIC_SCHEMA_VERSION);

/* What rooms may do, granted again by each setup: the latest
 * migration's objects included. */
static const char grants[] =
	"REVOKE ALL ON rollerd_schema, people, sessions, session_notes, heads, cursors "
	"FROM PUBLIC;\n"
	"GRANT SELECT ON rollerd_schema TO rollerd_rooms;\n"
	"GRANT SELECT, INSERT, UPDATE ON people, sessions, session_notes, heads, cursors "
	"TO rollerd_rooms;\n"
	"GRANT USAGE ON SEQUENCE people_id_seq, sessions_id_seq TO rollerd_rooms;\n"
	"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA @SCHEMA@ FROM PUBLIC;\n"
	"GRANT EXECUTE ON FUNCTION rollerd_apply_batch(text, jsonb), rollerd_person_id(text), "
	"rollerd_apply_person(jsonb, bigint), rollerd_apply_session(text, jsonb, bigint), "
	"rollerd_apply_notes(text, jsonb, bigint), rollerd_apply_head(jsonb, bigint) "
	"TO rollerd_rooms;\n";

const char *
rd_clinic_schema_setup_sql(void)
{
	static gsize once;
	static char *sql;

	if (g_once_init_enter(&once)) {
		GString *s = g_string_new(
			"SELECT pg_advisory_xact_lock(hashtext('rollerd clinic schema'));\n"
			"DO $m$ DECLARE v integer; BEGIN\n"
			"	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rollerd_rooms') THEN\n"
			"		CREATE ROLE rollerd_rooms NOLOGIN;\n"
			"	END IF;\n"
			"	IF to_regclass('rollerd_schema') IS NULL THEN\n"
			"		CREATE TABLE rollerd_schema (version integer NOT NULL);\n"
			"	END IF;\n"
			"	SELECT coalesce(max(version), 0) INTO v FROM rollerd_schema;\n");

		g_string_append_printf(s,
			"	IF v > %d THEN RAISE EXCEPTION 'The clinic''s schema has version %%, "
			"newer than version %d that this rollerd knows (run a newer rollerd)', v;\n"
			"	END IF;\n", RD_CLINIC_SCHEMA_VERSION, RD_CLINIC_SCHEMA_VERSION);
		for (guint i = 0; i < G_N_ELEMENTS(migrations); i++) {
			/* Each migration's text quoted for EXECUTE: $q$ never appears in it. */
			g_assert(!strstr(migrations[i], "$q$"));
			g_string_append_printf(s,
				"	IF v < %u THEN\n"
				"		EXECUTE replace($q$%s$q$, '@SCHEMA@', quote_ident(current_schema()));\n"
				"		INSERT INTO rollerd_schema VALUES (%u);\n"
				"	END IF;\n", i + 1, migrations[i], i + 1);
		}
		g_assert(!strstr(grants, "$q$"));
		g_string_append_printf(s,
			"	EXECUTE replace($q$%s$q$, '@SCHEMA@', quote_ident(current_schema()));\n"
			"END $m$;\n", grants);
		sql = g_string_free(s, FALSE);
		g_once_init_leave(&once, 1);
	}
	return sql;
}

const char *
rd_clinic_schema_check_sql(void)
{
	return "SELECT current_user, to_regclass('rollerd_schema') IS NOT NULL, "
	       "EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rollerd_rooms' AND "
	       "pg_has_role(oid, 'USAGE'))";
}
