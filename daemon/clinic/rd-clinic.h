/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The clinic: this room's part of a journal shared in PostgreSQL
 * (docs/clinic.md).  It switches the journal's outbox on, keeps two
 * connections on the main loop (one sends the outbox, one answers clinic
 * reads), migrates the clinic's schema on each new connection before
 * sending, and reads for rd-history.  Without a [Clinic] section there is
 * no RdClinic, and the journal's outbox is switched off.
 */
#pragma once

#include <glib.h>

#include "daemon/clinic/rd-clinic-reader.h"
#include "daemon/clinic/rd-clinic-sender.h"
#include "daemon/store/rd-store.h"

typedef struct _RdClinic RdClinic;

typedef struct {
	const char *connection;		/* libpq connection string */
	const char *room;
	const char *password_file;	/* NULL: libpq's default */
	guint timeout_ms;
} RdClinicSettings;

/*
 * *@store is the journal at each use: a restore replaces it, then calls
 * rd_clinic_journal_replaced().  Fails when the password file is missing
 * or others may read it, or when the journal's outbox cannot be switched
 * on.
 */
RdClinic *rd_clinic_new(RdStore **store, const RdClinicSettings *settings, GError **error);
gboolean rd_clinic_journal_replaced(RdClinic *clinic, GError **error);
void rd_clinic_free(RdClinic *clinic);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdClinic, rd_clinic_free)

RdClinicReader *rd_clinic_get_reader(RdClinic *clinic);
RdClinicSender *rd_clinic_get_sender(RdClinic *clinic);
const char *rd_clinic_get_room(RdClinic *clinic);
/* The journal changed: send soon. */
void rd_clinic_kick(RdClinic *clinic);
