/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The session history: rollerd's SQLite database in its state directory.
 *
 * Every write is one transaction that either commits (WAL,
 * synchronous=NORMAL) or leaves the database as it was; a function that
 * writes returns TRUE only after its COMMIT succeeded, and after
 * rd_store_flush() every commit is on disk, so the sync may then delete
 * the records from the roller.  Errors are RD_ERROR codes:
 * RD_ERROR_STORAGE_FAILED for anything SQLite reports (its message
 * included), RD_ERROR_INVALID_ARGUMENTS for bad input, RD_ERROR_NOT_FOUND
 * for a missing session id.
 *
 * An RdStore is used from one thread (the daemon's main loop).
 *
 * Keys and merges (why: a record may be synced twice, a sync may be cut
 * at any point, and the same session may arrive live and later synced):
 *
 * - A synced record is identified by (roller serial, record id, the
 *   record's start_unix) when the roller's clock was set.  When it was
 *   unset (start_unix 0) the roller may reuse a record id after a
 *   DELETE, so the record's CRC-32 joins the key: the same bytes synced
 *   twice are one session, two different unset-clock sessions with the
 *   same id are two.  A live session is identified by (serial, record
 *   id, the daemon's clock at SESSION_START); saving it again, before or
 *   after its merge, is a duplicate.
 * - A live session and a synced record are the same session when they
 *   share the roller serial and the record id, and either the record's
 *   start is within RD_STORE_MATCH_START_SLACK_S of the live start (the
 *   daemon's clock against the roller's, which the daemon sets), or they
 *   share the area and their durations differ by at most
 *   RD_STORE_MATCH_DURATION_SLACK_MS, the starts (when the roller's clock
 *   was set) within RD_STORE_MATCH_FINGERPRINT_WINDOW_S: a roller's clock
 *   drifts, and one that lost its time restarts from the last one set.  Only a
 *   row not merged yet takes part, and the closest start (else the newest)
 *   wins.  On a merge the record's totals win, the live force trace
 *   (finer) is kept when there is one, frames_lost comes from the live
 *   side and the source becomes "both".  Either order gives the same row.
 * - start_unix of a row is the best UTC start known: the roller's when
 *   its clock was set, else the daemon's clock at SESSION_START, else the
 *   time of the sync (an upper bound; clock_set is then FALSE).
 *
 * Needle heads: a head is current from its fitted_at on.  A session
 * counts towards the head current at its start when the needle lengths
 * agree (or either is 0, unknown); a different length starts a new head
 * fitted at the session's start, as does rd_store_note_head_changed().
 * A session counts once (its merge corrects the strokes to the record's).
 * Deleting a session from the journal does not undo the wear it counted.
 *
 * Session ids are never reused (AUTOINCREMENT): they name D-Bus objects.
 */
#pragma once

#include <glib.h>

#include "common/rd-error.h"

#define RD_STORE_MATCH_START_SLACK_S 120
#define RD_STORE_MATCH_DURATION_SLACK_MS 30000
#define RD_STORE_MATCH_FINGERPRINT_WINDOW_S 86400

#define RD_STORE_QUERY_LIMIT_DEFAULT 100
#define RD_STORE_QUERY_LIMIT_MAX 1000

#define RD_STORE_NOTES_TEXT_MAX 4096	/* bytes of notes "text" */
#define RD_STORE_NOTES_TOPICAL_MAX 256	/* bytes of notes "topical" */
#define RD_STORE_LIVE_TRACE_MAX (1u << 20)	/* values of a live trace */

typedef struct _RdStore RdStore;

struct roller_stored_record;	/* roller-record.h */

typedef enum {
	RD_COMMIT_INSERTED,	/* a new session */
	RD_COMMIT_MERGED,	/* joined the other half of the session */
	RD_COMMIT_DUPLICATE,	/* stored already; nothing changed */
} RdCommitResult;

typedef enum {
	RD_SESSION_SOURCE_LIVE,
	RD_SESSION_SOURCE_SYNCED,
	RD_SESSION_SOURCE_BOTH,
} RdSessionSource;

/* "live", "synced", "both". */
const char *rd_session_source_to_string(RdSessionSource source);

/* What the daemon recorded of a live session; the store copies it all. */
typedef struct {
	const char *serial;		/* required */
	const char *address;		/* may be NULL */
	guint16 record_id;		/* the roller's session id */
	guint8 area_id;
	gint64 start_unix;		/* the daemon's clock at SESSION_START */
	gboolean clock_set;		/* the roller's clock was set then */
	guint32 duration_ms;		/* active time, pauses excluded */
	gint end_reason;		/* SESSION_END's reason, -1 if none came */
	guint16 needle_um;
	guint32 strokes;
	guint16 force_mean_cn;
	guint16 force_max_cn;
	guint16 in_band_permille;
	guint32 dirs[4];
	guint8 cols;			/* 1..15 */
	guint8 rows;			/* 1..15 */
	const guint8 *passes;		/* cols * rows */
	guint16 trace_period_ms;	/* 0: no trace */
	const guint16 *trace;		/* trace_len values in cN, host order */
	guint trace_len;
	guint32 frames_lost;
	gint64 person_id;		/* whose session; 0: the default person */
} RdLiveSessionRow;

/* One line of QuerySessions. */
typedef struct {
	gint64 id;
	char *serial;
	char *address;
	guint16 record_id;
	guint8 area_id;
	gint64 start_unix;
	gboolean clock_set;
	guint32 duration_ms;
	guint16 needle_um;
	guint32 strokes;
	guint16 force_mean_cn;
	guint16 force_max_cn;
	guint16 in_band_permille;
	RdSessionSource source;
	gint64 person_id;
	char *person_name;
} RdSessionSummary;

/* A whole session: Session1's properties. */
typedef struct {
	RdSessionSummary summary;
	gint end_reason;		/* -1: unknown (live, no SESSION_END) */
	guint32 dirs[4];
	guint8 cols;
	guint8 rows;
	guint8 *passes;			/* cols * rows */
	guint16 trace_period_ms;
	guint16 *trace;			/* host order */
	guint trace_len;
	guint32 frames_lost;
	gint64 synced_at;		/* 0: never synced */
	gint64 created_at;
	gint64 head_id;			/* 0: no head known */
	GVariant *notes;		/* a{sv}, only the keys set; never NULL */
} RdSession;

/*
 * Filter of rd_store_query_sessions(); start it from RD_SESSION_FILTER_INIT.
 * since <= start_unix < until; limit 0 means RD_STORE_QUERY_LIMIT_DEFAULT.
 * Newest first, unless after_id is set (0 or more): then only ids above
 * it, lowest id first, so that a reader pages forward through new ones.
 */
typedef struct {
	const char *roller;	/* serial or Bluetooth address, NULL: any */
	gint area_id;		/* -1: any */
	gint64 person_id;	/* 0: anyone's */
	gint64 since;
	gint64 until;
	guint limit;
	guint offset;
	gint64 after_id;	/* -1: none */
} RdSessionFilter;

#define RD_SESSION_FILTER_INIT \
	{ .roller = NULL, .area_id = -1, .person_id = 0, .since = G_MININT64, .until = G_MAXINT64, \
	  .limit = 0, .offset = 0, .after_id = -1 }

/*
 * Minimum days between sessions on one area, by the needle length of
 * the last one: the band with the smallest max_needle_um >= the length
 * applies; a longer needle than every band, and an unknown one (0),
 * takes the band with the largest max_needle_um: the cautious interval.
 */
typedef struct {
	guint16 max_needle_um;
	guint days;
} RdPlanBand;

typedef struct {
	const RdPlanBand *bands;
	guint n_bands;
} RdPlanConfig;

/* One area of one person in GetTreatmentPlan. */
typedef struct {
	gint64 person_id;
	char *person_name;
	guint8 area_id;
	guint sessions;
	gint64 last_start;		/* 0 when no session yet */
	guint16 needle_um;		/* of the last session */
	guint min_interval_days;
	gint64 next_due;		/* last_start + interval; 0 when no session */
	gboolean reminded;		/* its area-due Reminder was sent */
} RdPlanArea;

typedef struct {
	gint64 head_id;		/* 0: no head known for this roller */
	guint16 needle_um;
	gint64 fitted_at;
	guint sessions;
	guint64 strokes;
} RdHeadUsage;

/*
 * Opens (creating if needed) the database at @path and brings its schema
 * up to RD_STORE_SCHEMA_VERSION (rd-store-schema.h), one transaction per
 * migration.  Refuses a
 * read-only file and a schema newer than this code knows (it is never
 * downgraded).  The directory must exist.
 *
 * Refuses a damaged journal, naming it and what to do, before writing
 * anything (rd-store-check.h): one that fails PRAGMA quick_check or is
 * not a database, and one that is missing or empty while its identity
 * file ("<name>.id" beside "<name>.db", written once the first journal
 * is on disk) says one was there.
 */
RdStore *rd_store_open(const char *path, GError **error);
void rd_store_free(RdStore *store);

/*
 * Every transaction committed so far on disk (a checkpoint of the WAL,
 * synced).  Commits are atomic at once but durable against a power loss
 * only after this: the sync calls it before deleting records from a roller.
 */
gboolean rd_store_flush(RdStore *store, GError **error);

/*
 * Whether SQLite reported corruption or a failed read since the journal
 * was opened: then it cannot vouch for what it holds, and the sync
 * deletes nothing from a roller.  A failed write (a full disk) fails its
 * transaction only, which SQLite rolls back.
 */
gboolean rd_store_is_damaged(RdStore *store);

/*
 * Stores @record (a stored record, spec section 6, decoded and CRC-checked
 * once by whoever received it: roller_stored_record_decode() or the
 * reassembler) in one transaction: inserted, merged into the live half,
 * or a duplicate.  Only read during the call.  Durable once
 * rd_store_flush() returns.  A record breaking a rule the decoder
 * enforces (its grid, its in-band share) is RD_ERROR_INVALID_ARGUMENTS.
 * A new session goes to @person_id (0: the default person); a record
 * merged into its live half keeps the live session's person, who was
 * chosen when it started.
 */
gboolean rd_store_commit_record(RdStore *store, const char *serial,
				const char *address,
				const struct roller_stored_record *record,
				gint64 person_id, RdCommitResult *result,
				gint64 *session_id, GError **error);

/*
 * What a committed record must read back as: its key and digests of the
 * columns it wrote (rd_store_record_check_init(), at commit), compared by
 * rd_store_read_back_record() with the row as SQLite reads it then.
 */
typedef struct {
	guint16 record_id;
	guint32 start_unix;
	guint32 crc;
	guint8 totals[16];	/* every column the record sets, trace apart */
	guint8 trace[16];	/* its trace period and values */
} RdRecordCheck;

void rd_store_record_check_init(RdRecordCheck *check,
				const struct roller_stored_record *record);

/*
 * Reads the record's row back (past SQLite's page cache) and compares it
 * with @check; RD_ERROR_STORAGE_FAILED naming the record when it is
 * missing, unreadable or different.  A row merged with its live half may
 * keep the live trace (rd-store.h's merge rule): only then the trace is
 * not compared.
 */
gboolean rd_store_read_back_record(RdStore *store, const char *serial,
				   const RdRecordCheck *check, GError **error);
/*
 * Each of @n_checks records read back, and the journal not damaged
 * (rd_store_is_damaged()): what the sync asks before DELETE_RECORDS.
 */
gboolean rd_store_read_back_records(RdStore *store, const char *serial,
				    const RdRecordCheck *checks, guint n_checks,
				    GError **error);

/*
 * Stores a live session once it ended; merges into its synced record
 * when that came first, giving it the live session's person.  Saving the same live session again (same
 * serial, record id and start) is a duplicate.
 */
gboolean rd_store_save_live_session(RdStore *store, const RdLiveSessionRow *row,
				    RdCommitResult *result, gint64 *session_id,
				    GError **error);

/*
 * Whether the record with this key is committed: @crc is the record's
 * CRC-32, consulted only when @start_unix is 0 (clock unset).
 */
gboolean rd_store_has_record(RdStore *store, const char *serial,
			     guint16 record_id, guint32 start_unix, guint32 crc,
			     gboolean *found, GError **error);

/* Newest first; *rows receives RdSessionSummary elements, freed with it. */
gboolean rd_store_query_sessions(RdStore *store, const RdSessionFilter *filter,
				 GPtrArray **rows, GError **error);

gboolean rd_store_get_session(RdStore *store, gint64 id, RdSession **out,
			      GError **error);

/*
 * Merges @notes (a{sv}: topical s, numbing b, redness s one of none,
 * mild, moderate, strong, text s, cleaned b) into the session's journal
 * notes.  Any unknown key or wrong type fails the whole call, naming it.
 * A floating @notes is consumed.
 */
gboolean rd_store_set_notes(RdStore *store, gint64 id, GVariant *notes,
			    GError **error);

gboolean rd_store_delete_session(RdStore *store, gint64 id, GError **error);

/*
 * Export as "json" or "csv".  JSON: an object per session with id,
 * roller, address, area, start, clock_set, duration_ms, needle_um,
 * strokes, force_mean_cn, force_max_cn, in_band_permille, source (as
 * QuerySessions), record_id, end_reason (null if unknown), frames_lost,
 * directions [4], grid_columns, grid_rows, passes [], trace {period_ms,
 * values []}, notes {topical, numbing, redness, text, cleaned; null when
 * unset}, person (the name); rd_store_export_sessions() gives an array of them.  CSV: RFC
 * 4180 (CRLF, quoted where needed), a header line with the same names
 * (notes_* for the notes; directions, passes and trace as numbers
 * separated by spaces), and last start_time: the start in ISO 8601, in
 * rollerd's local time zone with its offset (2026-12-06T03:24:26+01:00).
 * rd_store_export_sessions() applies the filter's
 * limit and offset only when limit is not 0, newest first.
 */
gboolean rd_store_export_session(RdStore *store, gint64 id, const char *format,
				 char **out, GError **error);
gboolean rd_store_export_sessions(RdStore *store, const RdSessionFilter *filter,
				  const char *format, char **out, GError **error);

/* "json" (TRUE) or "csv" (FALSE); else RD_ERROR_INVALID_ARGUMENTS. */
gboolean rd_store_parse_export_format(const char *format, gboolean *json, GError **error);
/*
 * Whole sessions (RdSession) of rd_store_query_sessions()'s page, read
 * in one snapshot.
 */
gboolean rd_store_load_sessions(RdStore *store, const RdSessionFilter *filter,
				GPtrArray **sessions, GError **error);
/*
 * @sessions (RdSession) as the export above; with @rooms (one string a
 * session) each gets a room member, or column, last.
 */
char *rd_store_format_sessions(GPtrArray *sessions, GPtrArray *rooms, gboolean json);

/*
 * Per person (by name) and area (by id): a person's areas (RdPerson), or
 * the ten named areas (1..10) for one who set none, and any other area
 * once it has a session of theirs.  An area whose last session's needle
 * length is unknown takes the person's default needle length for its
 * interval.  @person_id 0: everyone.  *areas receives RdPlanArea elements.
 */
gboolean rd_store_treatment_plan(RdStore *store, const RdPlanConfig *config,
				 gint64 person_id, GPtrArray **areas, GError **error);
void rd_plan_area_free(RdPlanArea *area);
/* Days between sessions after one with @needle_um, by the rule above. */
guint rd_plan_interval_days(const RdPlanConfig *config, guint16 needle_um);

/* A HEAD_CHANGED event: a new head of @needle_um fitted at @when. */
gboolean rd_store_note_head_changed(RdStore *store, const char *serial,
				    guint16 needle_um, gint64 when,
				    GError **error);

/* The roller's current head; head_id 0 when none is known. */
gboolean rd_store_head_usage(RdStore *store, const char *serial,
			     RdHeadUsage *usage, GError **error);

/*
 * For the rd-store-*.c files and the store's tests: the connection the
 * store owns (see rd-store-db.h).
 */
struct _RdStoreDb *rd_store_get_db(RdStore *store);

void rd_session_summary_free(RdSessionSummary *summary);
void rd_session_free(RdSession *session);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdStore, rd_store_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdSessionSummary, rd_session_summary_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdSession, rd_session_free)
