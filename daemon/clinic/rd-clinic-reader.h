/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The clinic reader: QuerySessions and the treatment plan over every
 * room's sessions, read from PostgreSQL on its own connection (a batch in
 * flight does not delay a reader).  Answers come to a callback, never
 * from inside the call; an error (RD_ERROR_NOT_CONNECTED, _TIMEOUT,
 * _FAILED) says why the clinic could not answer.
 */
#pragma once

#include <glib.h>

#include "daemon/clinic/rd-pg-conn.h"
#include "daemon/store/rd-store.h"

typedef struct _RdClinicReader RdClinicReader;

/*
 * Sessions: RdClinicSession; details: RdClinicDetail; plan: RdPlanArea
 * (person_id 0).
 */
typedef void (*RdClinicRowsFunc)(GPtrArray *rows, const GError *error, gpointer user_data);

/* One line of the clinic's QuerySessions: a summary and where it was stored. */
typedef struct {
	RdSessionSummary summary;	/* id: the local id in its room; person_id 0 */
	char *room;
} RdClinicSession;

void rd_clinic_session_free(RdClinicSession *s);

/* A whole session, as its room sent it: the export's and the report's. */
typedef struct {
	RdSession *session;	/* summary.id: the local id in its room; person_id 0 */
	char *room;
} RdClinicDetail;

void rd_clinic_detail_free(RdClinicDetail *d);

/* @conn outlives the reader. */
RdClinicReader *rd_clinic_reader_new(RdPgConn *conn);
void rd_clinic_reader_free(RdClinicReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdClinicReader, rd_clinic_reader_free)

/*
 * Newest first, as rd_store_query_sessions(); @person_key (a name key,
 * rd_person_name_key()) replaces filter->person_id, NULL: anyone's.
 */
void rd_clinic_reader_query_sessions(RdClinicReader *reader, const RdSessionFilter *filter,
				     const char *person_key, RdClinicRowsFunc func,
				     gpointer user_data);

/*
 * The same page of whole sessions: grid, passes, trace and notes too.
 * A body that does not fit its grid is RD_ERROR_FAILED.
 */
void rd_clinic_reader_query_details(RdClinicReader *reader, const RdSessionFilter *filter,
				    const char *person_key, RdClinicRowsFunc func,
				    gpointer user_data);

/* As rd_store_treatment_plan(), per person by name over every room. */
void rd_clinic_reader_plan(RdClinicReader *reader, const RdPlanConfig *config,
			   const char *person_key, RdClinicRowsFunc func, gpointer user_data);
