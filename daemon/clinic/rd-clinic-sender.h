/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The outbox sender: sends the journal's outbox (rd-store-outbox.h) to the
 * clinic in seq order, RD_CLINIC_BATCH rows a batch.  A batch is one call
 * of rollerd_apply_batch(), one PostgreSQL transaction that also moves the
 * room's cursor, so a batch sent twice is stored once; the local rows are
 * deleted only once its COMMIT succeeded, and on each connection the rows
 * at or below the cursor already stored are deleted first.  Whatever
 * fails, the rows stay and go again later.
 */
#pragma once

#include <glib-object.h>

#include "daemon/clinic/rd-pg-conn.h"
#include "daemon/store/rd-store.h"

#define RD_CLINIC_BATCH 200

typedef struct _RdClinicSender RdClinicSender;

/* *@store is the journal at each use (a restore replaces it); @conn is freed before it (a query in
 * flight then ends, cancelled, while the sender is still there). */
RdClinicSender *rd_clinic_sender_new(RdStore **store, RdPgConn *conn, const char *room);
void rd_clinic_sender_free(RdClinicSender *sender);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdClinicSender, rd_clinic_sender_free)

/* The schema is ready on a new connection: read the cursor, then send. */
void rd_clinic_sender_start(RdClinicSender *sender);
/* *@store was replaced (a restore): nothing answered for the old journal
 * touches the new one's outbox; the cursor is read again. */
void rd_clinic_sender_journal_replaced(RdClinicSender *sender);
/* Rows may be waiting: send them soon (a poll catches them otherwise). */
void rd_clinic_sender_kick(RdClinicSender *sender);

/* Rows PostgreSQL stored since the sender was made (tests, bench). */
guint64 rd_clinic_sender_get_sent(RdClinicSender *sender);
/* Called after each committed batch (tests, bench). */
void rd_clinic_sender_set_batch_func(RdClinicSender *sender, GCallback func,
				     gpointer user_data);
