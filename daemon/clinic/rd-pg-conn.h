/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One PostgreSQL connection driven on the GLib main loop with libpq's
 * asynchronous API (PQconnectStartParams/PQconnectPoll, PQsendQueryParams,
 * PQconsumeInput), a GSource on PQsocket() and a timeout on every step:
 * the loop never waits on the network.  A single host name with no
 * hostaddr is resolved first with GResolver, off the loop, and given to
 * libpq as hostaddr (rd-pg-params.h says when libpq resolves instead).  A server that hangs costs a
 * timeout and a reconnection, never a blocked loop.
 *
 * Queries run one at a time in the order given.  Each gets its callback
 * once: with the last result of its statement(s), or with a GError
 * (RD_ERROR_NOT_CONNECTED while no connection is up, RD_ERROR_TIMEOUT,
 * also for a query that waited the timeout without being sent,
 * RD_ERROR_BUSY for one beyond 64 waiting, RD_ERROR_FAILED with the
 * server's message): a query ends within twice the timeout.  A lost or timed-out
 * connection is closed and tried again after a growing pause (0.5 s to
 * 30 s); the ready callback runs each time one is up.  A query failed by
 * rd_pg_conn_free() gets G_IO_ERROR_CANCELLED.
 */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

typedef struct _RdPgConn RdPgConn;

/* @result is NULL exactly when @error is set; both only during the call. */
typedef void (*RdPgResultFunc)(PGresult *result, const GError *error, gpointer user_data);
typedef void (*RdPgReadyFunc)(RdPgConn *conn, gpointer user_data);

/*
 * @conninfo: a libpq connection string or URI ("service=clinic" reads
 * pg_service.conf); @passfile: NULL for libpq's default (PGPASSFILE, then
 * ~/.pgpass).  Nothing happens before rd_pg_conn_start().
 */
RdPgConn *rd_pg_conn_new(const char *conninfo, const char *passfile, guint timeout_ms);
void rd_pg_conn_free(RdPgConn *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdPgConn, rd_pg_conn_free)

void rd_pg_conn_set_ready_func(RdPgConn *conn, RdPgReadyFunc func, gpointer user_data);
/* Connects now, and again whenever the connection is lost. */
void rd_pg_conn_start(RdPgConn *conn);
gboolean rd_pg_conn_is_ready(RdPgConn *conn);
/* Why the last attempt failed; NULL while connected or before any. */
const char *rd_pg_conn_last_error(RdPgConn *conn);

/* @values: @n_params texts (NULL is SQL NULL), copied. */
void rd_pg_conn_query(RdPgConn *conn, const char *sql, int n_params,
		      const char *const *values, RdPgResultFunc func, gpointer user_data);
/* Several statements in one string (the simple protocol), no parameters. */
void rd_pg_conn_exec(RdPgConn *conn, const char *sql, RdPgResultFunc func,
		     gpointer user_data);
