/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "rd-sync.h"
#include "daemon/rd-config.h"
#include "daemon/rd-log-limit.h"
#include "common/rd-error.h"
#include "daemon/store/rd-store.h"
#include "roller-transfer.h"

/* REPORT_RECORDS may take long; each chunk pushes this deadline back. */
#define TRANSFER_IDLE_TIMEOUT_MS 10000
/* Attempts that store nothing new before a sync gives up; one that
 * stores something may be followed by more, up to the second bound (a
 * loaded central whose notification socket overflows loses a few records
 * each time). */
#define MAX_ATTEMPTS 3
#define MAX_ATTEMPTS_MAKING_PROGRESS 20
/*
 * How long chunks may still come after REPORT_RECORDS answered: the real
 * bluetoothd with EATT carries notifications and the indication on
 * different bearers, and the answer can overtake the last records.
 */
#define DRAIN_IDLE_TIMEOUT_MS 1000

typedef enum {
	SYNC_IDLE,
	SYNC_COUNTING,
	SYNC_TRANSFERRING,
	SYNC_DRAINING,		/* answered; records may still be on their way */
	SYNC_ABORTING,
	SYNC_DELETING,
} SyncPhase;

/* 16 KiB a roller: allocated for a sync only. */
typedef struct {
	guint8 record_buf[ROLLER_RECORD_MAX_LEN];
	/*
	 * The ids committed this sync and not deleted yet.  A record lost on
	 * the way whole (a full notification socket drops it) leaves no gap
	 * in the chunks, so before deleting up to an id rollerd checks that
	 * the roller holds no more records up to it than are committed.
	 */
	guint32 committed_ids[(G_MAXUINT16 + 1) / 32];
} SyncBuffers;

struct _RdSync {
	RdContext *ctx;
	RdRollerLink *link;	/* the control point, whether it is ready */
	RdDbusRoller2 *iface;	/* sync state and progress; the serial */
	gint64 person_id;	/* whose a record no live session claimed is */
	SyncPhase phase;
	guint attempt;
	guint total;
	guint stored;		/* newly stored this sync */
	RdLogLimit log_limit;	/* of failures, which a caller's Sync can cause */
	guint done;		/* records handled this sync */
	GCancellable *cancellable;

	/* the attempt under way */
	struct roller_reassembler reasm;
	guint expected;		/* records REPORT_NUMBER said would come */
	guint committed_now;	/* of them, committed */
	gboolean progressed;	/* a record new to the history was stored */
	guint drain_id;
	/* Across attempts: a retry asks for the records from resume_id on. */
	gboolean resume_valid;
	guint16 resume_id;
	SyncBuffers *buffers;	/* while a sync runs */
	guint16 delete_upto;
	GError *attempt_error;	/* why the attempt ends early */
	gboolean retryable;
	/* What each committed record must read back as before its DELETE. */
	GArray *checks;		/* RdRecordCheck */
};

static void attempt_start(RdSync *s);
static void delete_committed(RdSync *s);

static const char *
address(RdSync *s)
{
	return rd_roller_link_get_address(s->link);
}

static RdControlPoint *
control_point(RdSync *s)
{
	return rd_roller_link_get_control_point(s->link);
}

static void
set_progress(RdSync *s)
{
	rd_dbus_roller2_set_sync_progress(s->iface,
					  g_variant_new("(uu)", s->done, s->total));
}

static void
finish(RdSync *s, GError *error)
{
	g_autoptr(GError) owned = error;

	s->phase = SYNC_IDLE;
	g_clear_pointer(&s->buffers, g_free);
	g_clear_error(&s->attempt_error);
	if (error) {
		guint skipped;

		if (rd_log_limit_allow(&s->log_limit, g_get_monotonic_time(), &skipped))
			g_message("Roller %s: sync failed after storing %u: %s "
				  "(%u such lines left out)", address(s), s->stored,
				  error->message, skipped);
		rd_dbus_roller2_set_sync_state(s->iface, "failed");
	} else {
		/* A caller's Sync that found nothing new is not news. */
		if (s->stored)
			g_message("Roller %s: synced, %u new session(s) stored",
				  address(s), s->stored);
		else
			g_debug("Roller %s: synced, nothing new", address(s));
		rd_dbus_roller2_set_sync_state(s->iface, "idle");
		rd_dbus_roller2_set_last_sync(s->iface,
					      g_get_real_time() / G_USEC_PER_SEC);
	}
	if (s->stored)
		s->ctx->sessions_changed(s->ctx->owner);
	rd_dbus_roller2_emit_sync_finished(s->iface, s->stored,
					   error ? error->message : "");
}

/* Ends the attempt: retry from the first uncommitted record, or give up. */
static void
attempt_over(RdSync *s)
{
	GError *error = g_steal_pointer(&s->attempt_error);

	if (!error) {
		finish(s, NULL);
		return;
	}
	if (s->retryable && rd_roller_link_is_ready(s->link) &&
	    (s->attempt < MAX_ATTEMPTS ||
	     (s->progressed && s->attempt < MAX_ATTEMPTS_MAKING_PROGRESS))) {
		g_message("Roller %s: sync attempt %u failed (%s); retrying",
			  address(s), s->attempt, error->message);
		g_error_free(error);
		attempt_start(s);
		return;
	}
	finish(s, error);
}

static void
fail_attempt(RdSync *s, GError *error, gboolean retryable)
{
	if (s->attempt_error) {
		g_error_free(error);
		return;
	}
	s->attempt_error = error;
	s->retryable = retryable;
}

static gboolean
is_committed(const RdSync *s, guint16 id)
{
	return (s->buffers->committed_ids[id / 32] >> (id % 32)) & 1;
}

/* The highest committed id into @upto and how many are at or below it. */
static guint
committed_upto(const RdSync *s, guint16 *upto)
{
	guint n = 0;

	for (guint id = 0; id <= G_MAXUINT16; id++) {
		if (is_committed(s, (guint16)id)) {
			n++;
			*upto = (guint16)id;
		}
	}
	return n;
}

static void
on_deleted(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	struct roller_cp_response rsp;
	RdSync *s = user_data;

	gboolean ok = rd_control_point_request_finish(NULL, res, &rsp, &error);

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (!ok || !rd_control_point_check_result(&rsp, &error)) {
		/* Stored but not deleted: the next sync sees duplicates, no loss. */
		fail_attempt(s, g_steal_pointer(&error), FALSE);
	} else {
		g_debug("Roller %s: deleted %u record(s) up to %u", address(s),
			rsp.value, s->delete_upto);
		memset(s->buffers->committed_ids, 0, sizeof(s->buffers->committed_ids));
		g_array_set_size(s->checks, 0);
	}
	attempt_over(s);
}

static void
on_counted_for_delete(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	struct roller_cp_response rsp;
	struct roller_cp_request req = { .opcode = ROLLER_CP_DELETE_RECORDS };
	RdSync *s = user_data;
	guint16 upto = 0;
	guint committed;

	gboolean ok = rd_control_point_request_finish(NULL, res, &rsp, &error);

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (!ok || !rd_control_point_check_result(&rsp, &error)) {
		fail_attempt(s, g_steal_pointer(&error), FALSE);
		attempt_over(s);
		return;
	}
	committed = committed_upto(s, &upto);
	if (rsp.value > committed) {
		g_message("Roller %s: it holds %u record(s) up to %u and %u arrived; "
			  "leaving them on the roller", address(s), rsp.value, upto,
			  committed);
		/* The next attempt asks for all of them again. */
		s->resume_valid = FALSE;
		fail_attempt(s, g_error_new(RD_ERROR, RD_ERROR_ROLLER_FAILED,
					    "%u record(s) did not arrive",
					    rsp.value - committed), TRUE);
		attempt_over(s);
		return;
	}
	s->delete_upto = upto;
	req.u.records.op = ROLLER_CP_OP_LE;
	req.u.records.id = upto;
	rd_control_point_request(control_point(s), &req,
				 RD_CONTROL_POINT_TIMEOUT_MS, s->cancellable,
				 on_deleted, s);
}

/* Nothing leaves the roller that does not read back as it was committed. */
static gboolean
read_back_committed(RdSync *s, GError **error)
{
	if (rd_store_read_back_records(s->ctx->store, rd_dbus_roller2_get_serial(s->iface),
				       (const RdRecordCheck *)(gpointer)s->checks->data,
				       s->checks->len, error))
		return TRUE;
	g_prefix_error(error, "Nothing deleted from the roller: ");
	return FALSE;
}

/* Whatever order the records came in (EATT reorders them), the ones up to
 * the highest committed are deleted once the roller's count agrees. */
static void
delete_committed(RdSync *s)
{
	struct roller_cp_request req = { .opcode = ROLLER_CP_REPORT_NUMBER };
	g_autoptr(GError) error = NULL;
	guint16 upto = 0;

	if (committed_upto(s, &upto) == 0 || !rd_roller_link_is_ready(s->link)) {
		attempt_over(s);
		return;
	}
	/* Durable first: nothing leaves the roller that a power cut could
	 * take from the history. */
	if (!rd_store_flush(s->ctx->store, &error) || !read_back_committed(s, &error)) {
		fail_attempt(s, g_steal_pointer(&error), FALSE);
		attempt_over(s);
		return;
	}
	s->phase = SYNC_DELETING;
	req.u.records.op = ROLLER_CP_OP_LE;
	req.u.records.id = upto;
	rd_control_point_request(control_point(s), &req,
				 RD_CONTROL_POINT_TIMEOUT_MS, s->cancellable,
				 on_counted_for_delete, s);
}

static void
stop_draining(RdSync *s)
{
	if (s->drain_id) {
		g_source_remove(s->drain_id);
		s->drain_id = 0;
	}
}

/* The transfer is over, complete or not: delete what is safe to. */
static void
end_transfer(RdSync *s)
{
	stop_draining(s);
	if (s->reasm.active)
		fail_attempt(s, g_error_new(RD_ERROR, RD_ERROR_ROLLER_FAILED,
					    "record %u ended before its last chunk",
					    s->reasm.record_id), TRUE);
	/* Lost on the way (a full notification socket drops them): the
	 * committed ones are deleted, the next attempt asks for the rest. */
	else if (s->committed_now < s->expected)
		fail_attempt(s, g_error_new(RD_ERROR, RD_ERROR_ROLLER_FAILED,
					    "%u of %u record(s) arrived", s->committed_now,
					    s->expected), TRUE);
	delete_committed(s);
}

static gboolean
on_drain_timeout(gpointer user_data)
{
	RdSync *s = user_data;

	s->drain_id = 0;
	end_transfer(s);
	return G_SOURCE_REMOVE;
}

static void
on_records_reported(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	struct roller_cp_response rsp;
	RdSync *s = user_data;

	gboolean ok = rd_control_point_request_finish(NULL, res, &rsp, &error);

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (!ok) {
		gboolean timed_out = g_error_matches(error, RD_ERROR, RD_ERROR_TIMEOUT);

		fail_attempt(s, g_steal_pointer(&error), timed_out);
	} else if (rsp.result == ROLLER_CP_ABORTED && s->attempt_error) {
		/* We aborted it ourselves; the reason is recorded already. */
	} else if (rsp.result != ROLLER_CP_NO_RECORDS &&
		   !rd_control_point_check_result(&rsp, &error)) {
		fail_attempt(s, g_steal_pointer(&error), rsp.result == ROLLER_CP_BUSY);
	} else if (s->reasm.active || s->committed_now < s->expected) {
		g_debug("Roller %s: answered with %u of %u record(s) here; waiting for the rest",
			address(s), s->committed_now, s->expected);
		s->phase = SYNC_DRAINING;
		s->drain_id = g_timeout_add(DRAIN_IDLE_TIMEOUT_MS, on_drain_timeout, s);
		return;
	}
	delete_committed(s);
}

static void
on_aborted(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	struct roller_cp_response rsp;

	/* ABORT's own outcome changes nothing: REPORT_RECORDS answers too. */
	if (!rd_control_point_request_finish(NULL, res, &rsp, &error) &&
	    !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		g_debug("ABORT failed: %s", error->message);
}

static void
abort_transfer(RdSync *s)
{
	struct roller_cp_request req = { .opcode = ROLLER_CP_ABORT };

	/* Answered already: nothing to abort, only the wait to end. */
	if (s->phase == SYNC_DRAINING) {
		end_transfer(s);
		return;
	}
	if (s->phase != SYNC_TRANSFERRING)
		return;
	s->phase = SYNC_ABORTING;
	/* ABORT must bypass the queue: REPORT_RECORDS holds it until answered. */
	rd_control_point_request_now(control_point(s), &req,
				     RD_CONTROL_POINT_TIMEOUT_MS, s->cancellable,
				     on_aborted, s);
}

static void
commit_record(RdSync *s, const struct roller_stored_record *rec)
{
	g_autoptr(GError) error = NULL;
	RdCommitResult result;
	gint64 id;
	const char *serial = rd_dbus_roller2_get_serial(s->iface);

	if (!rd_store_commit_record(s->ctx->store, serial, address(s), rec, s->person_id,
				    &result, &id, &error)) {
		fail_attempt(s, g_steal_pointer(&error), FALSE);
		abort_transfer(s);
		return;
	}
	s->buffers->committed_ids[rec->record_id / 32] |= 1u << (rec->record_id % 32);
	/* For read_back_committed(), while the decoded record is at hand. */
	g_array_set_size(s->checks, s->checks->len + 1);
	rd_store_record_check_init(&g_array_index(s->checks, RdRecordCheck,
						  s->checks->len - 1), rec);
	s->committed_now++;
	if (result != RD_COMMIT_DUPLICATE) {
		s->stored++;
		s->progressed = TRUE;
	}
	if (result == RD_COMMIT_MERGED)
		s->ctx->session_changed(s->ctx->owner, id);
	s->done++;
	/* After 65535 the ids wrap: resume from the start then. */
	s->resume_valid = rec->record_id != G_MAXUINT16;
	s->resume_id = rec->record_id + 1;
	set_progress(s);
	g_debug("Roller %s: record %u committed as session %" G_GINT64_FORMAT " (%s)",
		address(s), rec->record_id, id,
		result == RD_COMMIT_DUPLICATE ? "duplicate" :
		result == RD_COMMIT_MERGED ? "merged" : "new");
}

void
rd_sync_feed_chunk(RdSync *s, const guint8 *data, gsize len)
{
	struct roller_stored_record rec;
	enum roller_error err;
	bool complete;

	/* Without a control point (its GATT server restarting, a subscription
	 * kept) the attempt is ending: nothing more belongs to it. */
	if ((s->phase != SYNC_TRANSFERRING && s->phase != SYNC_DRAINING) || !control_point(s)) {
		g_debug("Roller %s: ignoring a record chunk outside a transfer",
			address(s));
		return;
	}
	if (s->phase == SYNC_DRAINING) {
		stop_draining(s);
		s->drain_id = g_timeout_add(DRAIN_IDLE_TIMEOUT_MS, on_drain_timeout, s);
	} else {
		rd_control_point_touch(control_point(s));
	}
	err = roller_reassembler_feed(&s->reasm, data, len, &complete, &rec);
	if (err != ROLLER_OK) {
		fail_attempt(s, g_error_new(RD_ERROR, RD_ERROR_ROLLER_FAILED,
					    "record %u arrived broken (%s)",
					    s->reasm.failed_id, roller_error_name(err)),
			     TRUE);
		abort_transfer(s);
		return;
	}
	if (complete)
		commit_record(s, &rec);
	if (s->phase == SYNC_DRAINING && !s->reasm.active &&
	    s->committed_now >= s->expected)
		end_transfer(s);
}

/* The first attempt asks for all; a retry for what is not committed yet. */
static void
set_records_operator(RdSync *s, struct roller_cp_request *req)
{
	if (s->resume_valid) {
		req->u.records.op = ROLLER_CP_OP_GE;
		req->u.records.id = s->resume_id;
	} else {
		req->u.records.op = ROLLER_CP_OP_ALL;
	}
}

static void
on_counted(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	struct roller_cp_response rsp;
	struct roller_cp_request req = { .opcode = ROLLER_CP_REPORT_RECORDS };
	RdSync *s = user_data;

	gboolean ok = rd_control_point_request_finish(NULL, res, &rsp, &error);

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (!ok) {
		fail_attempt(s, g_steal_pointer(&error), FALSE);
		attempt_over(s);
		return;
	}
	if (rsp.result == ROLLER_CP_NO_RECORDS || (rsp.result == ROLLER_CP_SUCCESS &&
						    rsp.value == 0)) {
		attempt_over(s);
		return;
	}
	/* Still BUSY after the control point's own recovery (see
	 * rd-control-point.c): the next attempt recovers it again. */
	if (!rd_control_point_check_result(&rsp, &error)) {
		fail_attempt(s, g_steal_pointer(&error), rsp.result == ROLLER_CP_BUSY);
		attempt_over(s);
		return;
	}
	if (s->attempt == 1)
		s->total = rsp.value;
	else
		s->total = s->done + rsp.value;
	set_progress(s);

	s->expected = rsp.value;
	s->phase = SYNC_TRANSFERRING;
	roller_reassembler_init(&s->reasm, s->buffers->record_buf);
	set_records_operator(s, &req);
	rd_control_point_request(control_point(s), &req, TRANSFER_IDLE_TIMEOUT_MS,
				 s->cancellable, on_records_reported, s);
}

static void
attempt_start(RdSync *s)
{
	struct roller_cp_request req = { .opcode = ROLLER_CP_REPORT_NUMBER };

	s->attempt++;
	s->expected = 0;
	s->committed_now = 0;
	s->progressed = FALSE;
	s->phase = SYNC_COUNTING;
	set_records_operator(s, &req);
	rd_control_point_request(control_point(s), &req,
				 RD_CONTROL_POINT_TIMEOUT_MS, s->cancellable,
				 on_counted, s);
}

void
rd_sync_start(RdSync *s, GDBusMethodInvocation *invocation)
{
	if (s->phase != SYNC_IDLE) {
		if (invocation)
			g_dbus_method_invocation_return_error(invocation, RD_ERROR,
							      RD_ERROR_IN_PROGRESS,
							      "Roller %s is syncing already",
							      address(s));
		return;
	}
	if (!rd_roller_link_is_ready(s->link)) {
		if (invocation)
			g_dbus_method_invocation_return_error(invocation, RD_ERROR,
							      RD_ERROR_NOT_CONNECTED,
							      "Roller %s is not connected; connect "
							      "it first (rollerctl connect %s)",
							      address(s), address(s));
		return;
	}
	/* Records are keyed by serial: without one a record could be doubled. */
	if (!*rd_dbus_roller2_get_serial(s->iface)) {
		if (invocation)
			g_dbus_method_invocation_return_error(invocation, RD_ERROR,
							      RD_ERROR_ROLLER_FAILED,
							      "Roller %s did not tell its serial number; "
							      "cannot sync it", address(s));
		return;
	}
	g_clear_object(&s->cancellable);
	s->cancellable = g_cancellable_new();
	s->attempt = 0;
	s->total = s->done = s->stored = 0;
	s->buffers = g_new0(SyncBuffers, 1);
	g_array_set_size(s->checks, 0);
	s->resume_valid = FALSE;
	rd_dbus_roller2_set_sync_state(s->iface, "syncing");
	set_progress(s);
	if (invocation)
		g_dbus_method_invocation_return_value(invocation, NULL);
	attempt_start(s);
}

void
rd_sync_link_ready(RdSync *s)
{
	if (rd_config_get_sync_on_connect(s->ctx->config))
		rd_sync_start(s, NULL);
}

void
rd_sync_link_lost(RdSync *s)
{
	/* The control point fails what is under way; that ends the attempt. */
	if (s->phase == SYNC_IDLE)
		return;
	fail_attempt(s, g_error_new(RD_ERROR, RD_ERROR_NOT_CONNECTED,
				    "the roller disconnected"), FALSE);
	/* Draining, nothing is under way on it: end the attempt here, or the
	 * drain's end would go on with a new link's control point. */
	if (s->phase == SYNC_DRAINING) {
		stop_draining(s);
		attempt_over(s);
	}
}

RdSync *
rd_sync_new(RdContext *ctx, RdRollerLink *link, RdDbusRoller2 *iface)
{
	RdSync *s = g_new0(RdSync, 1);

	s->ctx = ctx;
	s->link = link;
	s->iface = iface;
	s->phase = SYNC_IDLE;
	s->checks = g_array_new(FALSE, FALSE, sizeof(RdRecordCheck));
	return s;
}

void
rd_sync_free(RdSync *s)
{
	if (!s)
		return;
	if (s->cancellable)
		g_cancellable_cancel(s->cancellable);
	stop_draining(s);
	g_clear_object(&s->cancellable);
	g_clear_error(&s->attempt_error);
	g_free(s->buffers);
	g_array_unref(s->checks);
	g_free(s);
}

void
rd_sync_set_person(RdSync *s, gint64 person_id)
{
	s->person_id = person_id;
}
