/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The administrator's one-shot setup of the clinic's schema. */
#include "config.h"

#include <libpq-fe.h>

#include "rd-clinic-setup.h"
#include "rd-clinic-schema.h"
#include "common/rd-error.h"

static void
quiet(void *data, const char *message)
{
}

gboolean
rd_clinic_setup(const char *conninfo, const char *passfile, GError **error)
{
	const char *keys[] = { "dbname", "passfile", NULL };
	const char *values[] = { conninfo, passfile, NULL };
	PGconn *c;
	PGresult *r;
	gboolean ok;

	if (!passfile)
		keys[1] = NULL;
	c = PQconnectdbParams(keys, values, TRUE);
	if (PQstatus(c) != CONNECTION_OK) {
		g_set_error(error, RD_ERROR, RD_ERROR_NOT_CONNECTED, "%s",
			    g_strchomp(PQerrorMessage(c)));
		PQfinish(c);
		return FALSE;
	}
	PQsetNoticeProcessor(c, quiet, NULL);
	/* Several statements in one PQexec: one implicit transaction. */
	r = PQexec(c, rd_clinic_schema_setup_sql());
	ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		g_set_error(error, RD_ERROR, RD_ERROR_FAILED, "%s",
			    g_strchomp(PQresultErrorMessage(r)));
	PQclear(r);
	PQfinish(c);
	return ok;
}
