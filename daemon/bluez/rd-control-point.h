/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Control Point as one queued client per roller: one procedure at a
 * time (the roller answers BUSY otherwise), each with a timeout; the
 * roller's indicated response completes it.
 */
#pragma once

#include <gio/gio.h>

#include "roller-control.h"

/* How long a procedure may take to answer, from its last progress. */
#define RD_CONTROL_POINT_TIMEOUT_MS 5000

typedef struct _RdControlPoint RdControlPoint;

RdControlPoint *rd_control_point_new(GDBusProxy *chr);
/* Fails what is queued or under way with RD_ERROR_NOT_CONNECTED. */
void rd_control_point_free(RdControlPoint *cp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdControlPoint, rd_control_point_free)

/* Feed every Control Point indication here. */
void rd_control_point_handle_indication(RdControlPoint *cp, const guint8 *data,
					gsize len);

/* Pushes the running procedure's deadline back (progress was seen). */
void rd_control_point_touch(RdControlPoint *cp);

/*
 * Queues @req.  Completes with the roller's response whatever its result
 * (see rd_control_point_check_result()), or with an error: the write
 * failed (BlueZ's error, mapped), RD_ERROR_TIMEOUT when no response came
 * within @timeout_ms of the last progress, RD_ERROR_NOT_CONNECTED when
 * the roller went away.
 */
void rd_control_point_request(RdControlPoint *cp, const struct roller_cp_request *req,
			      guint timeout_ms, GCancellable *cancellable,
			      GAsyncReadyCallback callback, gpointer user_data);
/*
 * Writes @req now, beside the procedure under way: for ABORT, the one
 * request a roller accepts while busy.  Finish it as any other.
 */
void rd_control_point_request_now(RdControlPoint *cp, const struct roller_cp_request *req,
				  guint timeout_ms, GCancellable *cancellable,
				  GAsyncReadyCallback callback, gpointer user_data);
gboolean rd_control_point_request_finish(RdControlPoint *cp, GAsyncResult *res,
					 struct roller_cp_response *rsp,
					 GError **error);

/* TRUE for SUCCESS; otherwise an RD_ERROR naming the opcode and result. */
gboolean rd_control_point_check_result(const struct roller_cp_response *rsp,
				       GError **error);
