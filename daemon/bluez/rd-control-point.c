/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "rd-control-point.h"
#include "common/rd-error.h"
#include "rd-bluez.h"
#include "rd-gatt.h"

/*
 * A BUSY answer to the head of our queue comes from a procedure we do not
 * own (our own are one at a time): one a central left running when it
 * died (rollerd killed, its link kept up by bluetoothd), or ours that we
 * gave up waiting for.  It is aborted, then the request retried after a
 * backoff, BUSY_MAX_TRIES times at most before the BUSY is returned.
 */
#define BUSY_MAX_TRIES 5
#define BUSY_BACKOFF_MIN_MS 500
#define BUSY_BACKOFF_MAX_MS 4000

struct _RdControlPoint {
	GDBusProxy *chr;
	GQueue queue;		/* GTask, the head is under way */
	gboolean running;
	guint timeout_id;
	GCancellable *cancellable;
	GTask *side;		/* a request written beside the queue (ABORT) */
	guint side_timeout_id;
	/* The head was answered BUSY: recovering the roller for it. */
	guint busy_tries;
	gboolean busy_aborting;	/* our ABORT is written, not answered */
	guint busy_retry_id;	/* the backoff before writing the head again */
};

typedef struct {
	struct roller_cp_request req;
	guint timeout_ms;
	RdControlPoint *cp;
} RequestData;

static void start_next(RdControlPoint *cp);
static void busy_backoff(RdControlPoint *cp);
static void finish_side(RdControlPoint *cp, const struct roller_cp_response *rsp,
			GError *error);

static void
stop_timeout(RdControlPoint *cp)
{
	if (cp->timeout_id) {
		g_source_remove(cp->timeout_id);
		cp->timeout_id = 0;
	}
}

static void
stop_busy_recovery(RdControlPoint *cp)
{
	cp->busy_tries = 0;
	cp->busy_aborting = FALSE;
	if (cp->busy_retry_id) {
		g_source_remove(cp->busy_retry_id);
		cp->busy_retry_id = 0;
	}
}

static gboolean
recovering(const RdControlPoint *cp)
{
	return cp->busy_aborting || cp->busy_retry_id;
}

static void
finish_head(RdControlPoint *cp, const struct roller_cp_response *rsp, GError *error)
{
	g_autoptr(GTask) task = g_queue_pop_head(&cp->queue);

	stop_timeout(cp);
	stop_busy_recovery(cp);
	cp->running = FALSE;
	/* The next goes out first: the callback may free @cp (a failed
	 * setup step tears the link down). */
	start_next(cp);
	if (error)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, g_memdup2(rsp, sizeof(*rsp)), g_free);
}

/* What the user asked the roller for, for error messages. */
static const char *
request_purpose(guint8 opcode)
{
	switch (opcode) {
	case ROLLER_CP_START_SESSION: return "start a session";
	case ROLLER_CP_STOP_SESSION: return "stop the session";
	case ROLLER_CP_SET_TIME: return "set its clock";
	case ROLLER_CP_SET_FORCE_BAND: return "set the force band";
	case ROLLER_CP_IDENTIFY: return "buzz";
	case ROLLER_CP_REPORT_RECORDS: return "send its stored sessions";
	case ROLLER_CP_DELETE_RECORDS: return "delete its stored sessions";
	case ROLLER_CP_ABORT: return "abort the transfer";
	case ROLLER_CP_REPORT_NUMBER: return "count its stored sessions";
	default: return "do what was asked";
	}
}

static gboolean
on_timeout(gpointer user_data)
{
	RdControlPoint *cp = user_data;
	GTask *task = g_queue_peek_head(&cp->queue);
	RequestData *d = g_task_get_task_data(task);

	cp->timeout_id = 0;
	/* A roller that does not answer ABORT may still end its procedure. */
	if (cp->busy_aborting) {
		busy_backoff(cp);
		return G_SOURCE_REMOVE;
	}
	g_debug("Control point: %s unanswered", roller_cp_opcode_name(d->req.opcode));
	finish_head(cp, NULL,
		    g_error_new(RD_ERROR, RD_ERROR_TIMEOUT,
				"The roller did not answer within %u ms when asked to %s; "
				"is it in range and awake?", d->timeout_ms,
				request_purpose(d->req.opcode)));
	return G_SOURCE_REMOVE;
}

static void
arm_timeout(RdControlPoint *cp, guint timeout_ms)
{
	stop_timeout(cp);
	cp->timeout_id = g_timeout_add(timeout_ms, on_timeout, cp);
}

/*
 * The write's reply may come after the roller's answer (a D-Bus reply and
 * an indication take different ways through bluetoothd): only a failed
 * write of the request still under way ends it.
 */
static void
on_written(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	RequestData *d = g_task_get_task_data(task);
	RdControlPoint *cp = d->cp;

	if (rd_gatt_write_finish(G_DBUS_PROXY(source), res, &error) ||
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (!cp->running || g_queue_peek_head(&cp->queue) != task)
		return;
	finish_head(cp, NULL, rd_bluez_error_to_rd(error, roller_cp_opcode_name(d->req.opcode)));
}

static void
start_next(RdControlPoint *cp)
{
	guint8 buf[ROLLER_CP_REQUEST_MAX_LEN];
	GTask *task;
	RequestData *d;
	size_t len;

	if (cp->running || g_queue_is_empty(&cp->queue))
		return;
	task = g_queue_peek_head(&cp->queue);
	d = g_task_get_task_data(task);
	len = roller_cp_request_encode(&d->req, buf, sizeof(buf));
	if (len == 0) {
		finish_head(cp, NULL, g_error_new(RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
						  "Cannot encode control point opcode 0x%02x",
						  d->req.opcode));
		return;
	}
	cp->running = TRUE;
	g_debug("Control point: %s", roller_cp_opcode_name(d->req.opcode));
	arm_timeout(cp, d->timeout_ms);
	rd_gatt_write(cp->chr, buf, len, cp->cancellable, on_written, g_object_ref(task));
}

static gboolean
on_busy_retry(gpointer user_data)
{
	RdControlPoint *cp = user_data;

	cp->busy_retry_id = 0;
	/* The head is still queued: written again as if it were new. */
	cp->running = FALSE;
	start_next(cp);
	return G_SOURCE_REMOVE;
}

/* Aborted (or not answering ABORT): the head goes again after a backoff,
 * doubled each time, for a procedure that takes a while to wind down. */
static void
busy_backoff(RdControlPoint *cp)
{
	guint delay_ms = MIN(BUSY_BACKOFF_MIN_MS << (cp->busy_tries - 1), BUSY_BACKOFF_MAX_MS);

	stop_timeout(cp);
	cp->busy_aborting = FALSE;
	g_debug("Control point: writing the request again in %u ms", delay_ms);
	cp->busy_retry_id = g_timeout_add(delay_ms, on_busy_retry, cp);
}

static void
on_busy_abort_written(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	RdControlPoint *cp;

	if (rd_gatt_write_finish(G_DBUS_PROXY(source), res, &error) ||
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	cp = user_data;
	g_debug("Control point: writing ABORT failed: %s", error->message);
	if (cp->busy_aborting)
		busy_backoff(cp);
}

/* The profile's way out of BUSY: ABORT, the one request then accepted. */
static void
abort_foreign_procedure(RdControlPoint *cp, guint8 opcode)
{
	const struct roller_cp_request req = { .opcode = ROLLER_CP_ABORT };
	guint8 buf[ROLLER_CP_REQUEST_MAX_LEN];
	size_t len = roller_cp_request_encode(&req, buf, sizeof(buf));

	cp->busy_tries++;
	g_message("%s: BUSY to %s, a procedure no central owns any more is under way; "
		  "aborting it (try %u of %u)", g_dbus_proxy_get_object_path(cp->chr),
		  roller_cp_opcode_name(opcode), cp->busy_tries, BUSY_MAX_TRIES);
	cp->busy_aborting = TRUE;
	arm_timeout(cp, RD_CONTROL_POINT_TIMEOUT_MS);
	rd_gatt_write(cp->chr, buf, len, cp->cancellable, on_busy_abort_written, cp);
}

RdControlPoint *
rd_control_point_new(GDBusProxy *chr)
{
	RdControlPoint *cp = g_new0(RdControlPoint, 1);

	cp->chr = g_object_ref(chr);
	cp->cancellable = g_cancellable_new();
	g_queue_init(&cp->queue);
	return cp;
}

void
rd_control_point_free(RdControlPoint *cp)
{
	GTask *task;

	if (!cp)
		return;
	g_cancellable_cancel(cp->cancellable);
	stop_timeout(cp);
	stop_busy_recovery(cp);
	if (cp->side)
		finish_side(cp, NULL, g_error_new(RD_ERROR, RD_ERROR_NOT_CONNECTED,
						  "The roller disconnected"));
	while ((task = g_queue_pop_head(&cp->queue))) {
		g_task_return_new_error(task, RD_ERROR, RD_ERROR_NOT_CONNECTED,
					"The roller disconnected");
		g_object_unref(task);
	}
	g_object_unref(cp->cancellable);
	g_object_unref(cp->chr);
	g_free(cp);
}

static void
finish_side(RdControlPoint *cp, const struct roller_cp_response *rsp, GError *error)
{
	g_autoptr(GTask) task = g_steal_pointer(&cp->side);

	if (cp->side_timeout_id) {
		g_source_remove(cp->side_timeout_id);
		cp->side_timeout_id = 0;
	}
	if (error)
		g_task_return_error(task, error);
	else
		g_task_return_pointer(task, g_memdup2(rsp, sizeof(*rsp)), g_free);
}

static gboolean
on_side_timeout(gpointer user_data)
{
	RdControlPoint *cp = user_data;

	cp->side_timeout_id = 0;
	finish_side(cp, NULL, g_error_new(RD_ERROR, RD_ERROR_TIMEOUT,
					  "The roller did not answer in time"));
	return G_SOURCE_REMOVE;
}

static void
on_side_written(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	RdControlPoint *cp = ((RequestData *)g_task_get_task_data(task))->cp;

	if (rd_gatt_write_finish(G_DBUS_PROXY(source), res, &error) ||
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || cp->side != task)
		return;
	finish_side(cp, NULL, rd_bluez_error_to_rd(error, "Writing the control point"));
}

void
rd_control_point_request_now(RdControlPoint *cp, const struct roller_cp_request *req,
			     guint timeout_ms, GCancellable *cancellable,
			     GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	RequestData *d = g_new0(RequestData, 1);
	guint8 buf[ROLLER_CP_REQUEST_MAX_LEN];
	size_t len = roller_cp_request_encode(req, buf, sizeof(buf));

	d->req = *req;
	d->timeout_ms = timeout_ms;
	d->cp = cp;
	g_task_set_task_data(task, d, g_free);
	if (cp->side || len == 0) {
		g_task_return_new_error(task, RD_ERROR, RD_ERROR_BUSY,
					"Another out-of-queue request is under way");
		g_object_unref(task);
		return;
	}
	cp->side = task;
	cp->side_timeout_id = g_timeout_add(timeout_ms, on_side_timeout, cp);
	rd_gatt_write(cp->chr, buf, len, cp->cancellable, on_side_written, g_object_ref(task));
}

void
rd_control_point_handle_indication(RdControlPoint *cp, const guint8 *data, gsize len)
{
	struct roller_cp_response rsp;
	enum roller_error err = roller_cp_response_decode(data, len, &rsp);
	GTask *task = cp->running ? g_queue_peek_head(&cp->queue) : NULL;
	RequestData *d = task ? g_task_get_task_data(task) : NULL;
	RequestData *side = cp->side ? g_task_get_task_data(cp->side) : NULL;

	if (err != ROLLER_OK) {
		g_message("Ignoring a malformed control point indication (%s, %zu bytes)",
			  roller_error_name(err), len);
		return;
	}
	if (side && rsp.request_opcode == side->req.opcode) {
		finish_side(cp, &rsp, NULL);
		return;
	}
	/* The aborted procedure's own answer (ABORTED) is not the head's. */
	if (recovering(cp)) {
		if (cp->busy_aborting && rsp.request_opcode == ROLLER_CP_ABORT)
			busy_backoff(cp);
		else
			g_debug("Ignoring a control point response to 0x%02x while "
				"recovering from BUSY", rsp.request_opcode);
		return;
	}
	if (!d || rsp.request_opcode != d->req.opcode) {
		g_debug("Ignoring an unexpected control point response to 0x%02x",
			rsp.request_opcode);
		return;
	}
	if (rsp.result == ROLLER_CP_BUSY && d->req.opcode != ROLLER_CP_ABORT &&
	    cp->busy_tries < BUSY_MAX_TRIES) {
		abort_foreign_procedure(cp, d->req.opcode);
		return;
	}
	finish_head(cp, &rsp, NULL);
}

void
rd_control_point_touch(RdControlPoint *cp)
{
	GTask *task = cp->running ? g_queue_peek_head(&cp->queue) : NULL;

	/* Chunks of the procedure being aborted are no progress of ours. */
	if (task && !recovering(cp))
		arm_timeout(cp, ((RequestData *)g_task_get_task_data(task))->timeout_ms);
}

void
rd_control_point_request(RdControlPoint *cp, const struct roller_cp_request *req,
			 guint timeout_ms, GCancellable *cancellable,
			 GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	RequestData *d = g_new0(RequestData, 1);

	d->req = *req;
	d->timeout_ms = timeout_ms;
	d->cp = cp;
	g_task_set_task_data(task, d, g_free);
	g_queue_push_tail(&cp->queue, task);
	start_next(cp);
}

gboolean
rd_control_point_request_finish(RdControlPoint *cp, GAsyncResult *res,
				struct roller_cp_response *rsp, GError **error)
{
	g_autofree struct roller_cp_response *r = g_task_propagate_pointer(G_TASK(res), error);

	if (!r)
		return FALSE;
	*rsp = *r;
	return TRUE;
}

static const char *
result_reason(guint8 opcode, guint8 result)
{
	switch (result) {
	case ROLLER_CP_NOT_SUPPORTED: return "it does not support that";
	case ROLLER_CP_INVALID_PARAM: return "it refused the parameters";
	case ROLLER_CP_BUSY: return "it is busy with another procedure";
	case ROLLER_CP_NO_RECORDS: return "it holds none that match";
	case ROLLER_CP_ABORTED: return "it was aborted";
	case ROLLER_CP_FAILED:
		/* The profile gives no reason; this is the usual one. */
		if (opcode == ROLLER_CP_STOP_SESSION)
			return "no session may be running ('rollerctl status' shows its state)";
		if (opcode == ROLLER_CP_START_SESSION)
			return "a session may be running already ('rollerctl stop' ends it)";
		return "the operation failed";
	default: return "it gave an unknown result";
	}
}

gboolean
rd_control_point_check_result(const struct roller_cp_response *rsp, GError **error)
{
	const char *op = roller_cp_opcode_name(rsp->request_opcode);
	const char *result = roller_cp_result_name(rsp->result);
	RdError code;

	if (rsp->result == ROLLER_CP_SUCCESS)
		return TRUE;
	switch (rsp->result) {
	case ROLLER_CP_BUSY:
		code = RD_ERROR_BUSY;
		break;
	case ROLLER_CP_INVALID_PARAM:
		code = RD_ERROR_INVALID_ARGUMENTS;
		break;
	case ROLLER_CP_NO_RECORDS:
		code = RD_ERROR_NOT_FOUND;
		break;
	default:
		code = RD_ERROR_ROLLER_FAILED;
		break;
	}
	/* The protocol's names go to the log, for whoever reads it against the profile. */
	g_debug("Control point: %s to %s", result ? result : "unknown result",
		op ? op : "unknown request");
	g_set_error(error, RD_ERROR, code, "The roller could not %s: %s",
		    request_purpose(rsp->request_opcode),
		    result_reason(rsp->request_opcode, rsp->result));
	return FALSE;
}
