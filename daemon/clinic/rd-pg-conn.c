/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A PostgreSQL connection on the main loop: connect, query, time out, retry. */
#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>

#include "rd-pg-conn.h"
#include "rd-pg-params.h"
#include "common/rd-error.h"

#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 30000
/* Queries waiting behind the one in flight; more are refused at once. */
#define MAX_WAITING 64

typedef struct {
	char *sql;
	GPtrArray *values;	/* char *, NULL entries for SQL NULL; NULL: exec */
	RdPgResultFunc func;
	gpointer user_data;
	gint64 deadline;	/* monotonic: failed if still waiting then */
} Query;

typedef enum {
	STATE_IDLE,		/* not connected, a retry may be scheduled */
	STATE_CONNECTING,
	STATE_READY,		/* connected, no query in flight */
	STATE_BUSY,		/* a query in flight */
} State;

struct _RdPgConn {
	char *conninfo;
	char *passfile;
	guint timeout_ms;
	State state;
	PGconn *pg;
	guint io_id;
	guint timeout_id;
	guint retry_id;
	guint backoff_ms;
	gboolean started;
	char *last_error;
	GQueue queries;		/* Query *, the head in flight when BUSY */
	PGresult *result;	/* the last result of the query in flight */
	RdPgReadyFunc ready_func;
	gboolean warned_plain;
	guint expire_id;
	GQueue refused;		/* Query *, beyond MAX_WAITING: failed at the next turn */
	guint refuse_id;
	gpointer ready_data;
	/* While the host name is resolved: the attempt's keywords, waiting
	 * for its hostaddr, and how to stop the lookup. */
	RdPgParams *resolving;
	GCancellable *resolve_cancel;
};

static void
query_free(Query *q)
{
	g_free(q->sql);
	if (q->values)
		g_ptr_array_unref(q->values);
	g_free(q);
}

static void connect_step(RdPgConn *conn, PostgresPollingStatusType poll);
static void pump(RdPgConn *conn);

static void
clear_sources(RdPgConn *conn)
{
	g_clear_handle_id(&conn->io_id, g_source_remove);
	g_clear_handle_id(&conn->timeout_id, g_source_remove);
}

static void
finish_query(RdPgConn *conn, PGresult *result, const GError *error)
{
	Query *q = g_queue_pop_head(&conn->queries);

	q->func(result, error, q->user_data);
	query_free(q);
}

static void
fail_queued(RdPgConn *conn, GQuark domain, int code, const char *message)
{
	g_autoptr(GError) error = g_error_new_literal(domain, code, message);

	while (!g_queue_is_empty(&conn->queries))
		finish_query(conn, NULL, error);
}

static void
stop_resolving(RdPgConn *conn)
{
	if (conn->resolve_cancel)
		g_cancellable_cancel(conn->resolve_cancel);
	g_clear_object(&conn->resolve_cancel);
	g_clear_pointer(&conn->resolving, rd_pg_params_free);
}

static gboolean
on_retry(gpointer user_data)
{
	RdPgConn *conn = user_data;

	conn->retry_id = 0;
	rd_pg_conn_start(conn);
	return G_SOURCE_REMOVE;
}

/* Closes the connection, fails what waited, and retries later. */
static void
drop(RdPgConn *conn, int code, const char *why)
{
	/* @why may be libpq's, gone with the connection. */
	g_autofree char *message = g_strdup(why);

	g_debug("PostgreSQL: %s", message);
	clear_sources(conn);
	stop_resolving(conn);
	g_clear_pointer(&conn->result, PQclear);
	g_clear_pointer(&conn->pg, PQfinish);
	conn->state = STATE_IDLE;
	g_free(conn->last_error);
	conn->last_error = g_strdup(message);
	fail_queued(conn, RD_ERROR, code, message);
	if (conn->started && !conn->retry_id) {
		conn->retry_id = g_timeout_add(conn->backoff_ms, on_retry, conn);
		conn->backoff_ms = MIN(conn->backoff_ms * 2, BACKOFF_MAX_MS);
	}
}

static gboolean
on_timeout(gpointer user_data)
{
	RdPgConn *conn = user_data;
	g_autofree char *message = NULL;

	conn->timeout_id = 0;
	if (conn->resolving)
		message = g_strdup_printf("Could not resolve the clinic's server %s in %u ms",
					  rd_pg_params_host_to_resolve(conn->resolving),
					  conn->timeout_ms);
	else
		message = g_strdup(conn->state == STATE_CONNECTING ?
				   "The server did not answer the connection in time" :
				   "The server did not answer the query in time");
	drop(conn, RD_ERROR_TIMEOUT, message);
	return G_SOURCE_REMOVE;
}

static void
arm_timeout(RdPgConn *conn)
{
	g_clear_handle_id(&conn->timeout_id, g_source_remove);
	conn->timeout_id = g_timeout_add(conn->timeout_ms, on_timeout, conn);
}

static void watch(RdPgConn *conn, GIOCondition cond);

static gboolean
on_connect_io(int fd, GIOCondition cond, gpointer user_data)
{
	RdPgConn *conn = user_data;

	conn->io_id = 0;
	connect_step(conn, PQconnectPoll(conn->pg));
	return G_SOURCE_REMOVE;
}

/* Over the network without TLS (sslmode=prefer falls back to it, and an
 * attacker on the path can make it): said once per connection object. */
static void
warn_if_plain(RdPgConn *conn)
{
	const char *host = PQhost(conn->pg);

	if (PQsslInUse(conn->pg) || conn->warned_plain || !host || g_path_is_absolute(host))
		return;
	conn->warned_plain = TRUE;
	g_warning("PostgreSQL: the connection to %s is not encrypted: patient data crosses "
		  "the network in clear; add sslmode=verify-full and sslrootcert to "
		  "[Clinic] Connection (docs/clinic.md)", host);
}

static void
connect_step(RdPgConn *conn, PostgresPollingStatusType poll)
{
	int fd = PQsocket(conn->pg);

	switch (poll) {
	case PGRES_POLLING_OK:
		clear_sources(conn);
		if (PQsetnonblocking(conn->pg, 1) != 0) {
			drop(conn, RD_ERROR_NOT_CONNECTED, PQerrorMessage(conn->pg));
			return;
		}
		conn->state = STATE_READY;
		conn->backoff_ms = BACKOFF_MIN_MS;
		g_clear_pointer(&conn->last_error, g_free);
		g_debug("PostgreSQL: connected (TLS %s)", PQsslInUse(conn->pg) ? "on" : "off");
		warn_if_plain(conn);
		watch(conn, G_IO_IN);
		if (conn->ready_func)
			conn->ready_func(conn, conn->ready_data);
		pump(conn);
		return;
	case PGRES_POLLING_READING:
	case PGRES_POLLING_WRITING:
		if (fd < 0)
			break;
		g_clear_handle_id(&conn->io_id, g_source_remove);
		conn->io_id = g_unix_fd_add(fd, poll == PGRES_POLLING_READING ? G_IO_IN : G_IO_OUT,
					    on_connect_io, conn);
		return;
	default:
		break;
	}
	drop(conn, RD_ERROR_NOT_CONNECTED, g_strchomp(PQerrorMessage(conn->pg)));
}

/* The server's notices ("already exists, skipping") are not for the journal. */
static void
on_notice(void *data, const char *message)
{
	g_debug("PostgreSQL: %s", message);
}

/* The attempt's timeout is armed already: it bounds resolving and
 * connecting together. */
static void
connect_params(RdPgConn *conn, RdPgParams *params)
{
	conn->pg = PQconnectStartParams(rd_pg_params_keys(params), rd_pg_params_values(params), 0);
	if (!conn->pg) {
		drop(conn, RD_ERROR_NOT_CONNECTED, "Out of memory");
		return;
	}
	if (PQstatus(conn->pg) == CONNECTION_BAD) {
		drop(conn, RD_ERROR_NOT_CONNECTED, g_strchomp(PQerrorMessage(conn->pg)));
		return;
	}
	PQsetNoticeProcessor(conn->pg, on_notice, NULL);
	connect_step(conn, PGRES_POLLING_WRITING);
}

static void
on_resolved(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autolist(GInetAddress) addresses =
		g_resolver_lookup_by_name_finish(G_RESOLVER(source), res, &error);
	g_autoptr(RdPgParams) params = NULL;
	g_autofree char *address = NULL;
	RdPgConn *conn;

	/* Cancelled by drop() or rd_pg_conn_free(): @user_data may be gone. */
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	conn = user_data;
	g_clear_object(&conn->resolve_cancel);
	params = g_steal_pointer(&conn->resolving);
	if (!addresses) {
		g_autofree char *message = g_strdup_printf("Could not resolve the clinic's "
			"server %s: %s", rd_pg_params_host_to_resolve(params), error->message);

		drop(conn, RD_ERROR_NOT_CONNECTED, message);
		return;
	}
	/* libpq keeps host for verify-full and the pgpass file. */
	address = g_inet_address_to_string(addresses->data);
	g_debug("PostgreSQL: %s is %s", rd_pg_params_get(params, "host"), address);
	rd_pg_params_set(params, "hostaddr", address);
	connect_params(conn, params);
}

void
rd_pg_conn_start(RdPgConn *conn)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RdPgParams) params = NULL;
	g_autoptr(GResolver) resolver = NULL;
	const char *host;

	conn->started = TRUE;
	if (conn->state != STATE_IDLE || conn->retry_id)
		return;
	params = rd_pg_params_parse(conn->conninfo, conn->passfile, &error);
	if (!params) {
		drop(conn, RD_ERROR_NOT_CONNECTED, error->message);
		return;
	}
	conn->state = STATE_CONNECTING;
	arm_timeout(conn);
	host = rd_pg_params_host_to_resolve(params);
	if (!host) {
		connect_params(conn, params);
		return;
	}
	/* libpq would call getaddrinfo() here, on the main loop. */
	resolver = g_resolver_get_default();
	conn->resolve_cancel = g_cancellable_new();
	g_resolver_lookup_by_name_async(resolver, host, conn->resolve_cancel, on_resolved, conn);
	conn->resolving = g_steal_pointer(&params);
}

/* Reads what came; completes the query in flight once its results ended. */
static void
read_results(RdPgConn *conn)
{
	if (!PQconsumeInput(conn->pg)) {
		drop(conn, RD_ERROR_NOT_CONNECTED, g_strchomp(PQerrorMessage(conn->pg)));
		return;
	}
	while (conn->state == STATE_BUSY && !PQisBusy(conn->pg)) {
		PGresult *r = PQgetResult(conn->pg);

		if (r) {
			/* A statement's error outlives the ones after it (none run). */
			if (conn->result && PQresultStatus(conn->result) == PGRES_FATAL_ERROR)
				PQclear(r);
			else {
				g_clear_pointer(&conn->result, PQclear);
				conn->result = r;
			}
			continue;
		}
		g_clear_handle_id(&conn->timeout_id, g_source_remove);
		conn->state = STATE_READY;
		if (conn->result && PQresultStatus(conn->result) == PGRES_FATAL_ERROR) {
			g_autoptr(GError) error = g_error_new(RD_ERROR, RD_ERROR_FAILED, "%s",
				PQresultErrorMessage(conn->result));

			g_strchomp(error->message);
			g_clear_pointer(&conn->result, PQclear);
			finish_query(conn, NULL, error);
		} else {
			PGresult *done = g_steal_pointer(&conn->result);

			finish_query(conn, done, NULL);
			PQclear(done);
		}
		pump(conn);
		return;
	}
	if (conn->state == STATE_READY) {
		PGnotify *n;

		/* Idle input: notices or the server closing; drain it. */
		while ((n = PQnotifies(conn->pg)))
			PQfreemem(n);
		if (PQstatus(conn->pg) == CONNECTION_BAD)
			drop(conn, RD_ERROR_NOT_CONNECTED, "The server closed the connection");
	}
}

static gboolean
on_io(int fd, GIOCondition cond, gpointer user_data)
{
	RdPgConn *conn = user_data;

	if (cond & G_IO_OUT) {
		int rc = PQflush(conn->pg);

		if (rc < 0) {
			conn->io_id = 0;
			drop(conn, RD_ERROR_NOT_CONNECTED, g_strchomp(PQerrorMessage(conn->pg)));
			return G_SOURCE_REMOVE;
		}
		if (rc == 0) {
			conn->io_id = 0;
			watch(conn, G_IO_IN);
			return G_SOURCE_REMOVE;
		}
	}
	if (cond & (G_IO_IN | G_IO_HUP | G_IO_ERR)) {
		guint id = conn->io_id;

		read_results(conn);
		/* drop() or watch() replaced this source already. */
		if (conn->io_id != id)
			return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static void
watch(RdPgConn *conn, GIOCondition cond)
{
	g_clear_handle_id(&conn->io_id, g_source_remove);
	conn->io_id = g_unix_fd_add(PQsocket(conn->pg), cond, on_io, conn);
}

/* Sends the next query when none is in flight. */
static void
pump(RdPgConn *conn)
{
	Query *q;
	int ok;

	if (conn->state == STATE_IDLE) {
		fail_queued(conn, RD_ERROR, RD_ERROR_NOT_CONNECTED,
			    conn->last_error ? conn->last_error :
			    "Not connected to the clinic's server");
		return;
	}
	/* While connecting, the connection's timeout bounds the wait. */
	if (conn->state != STATE_READY || g_queue_is_empty(&conn->queries))
		return;
	q = g_queue_peek_head(&conn->queries);
	if (q->values)
		ok = PQsendQueryParams(conn->pg, q->sql, (int)q->values->len, NULL,
				       (const char *const *)q->values->pdata, NULL, NULL, 0);
	else
		ok = PQsendQuery(conn->pg, q->sql);
	if (!ok) {
		drop(conn, RD_ERROR_NOT_CONNECTED, g_strchomp(PQerrorMessage(conn->pg)));
		return;
	}
	conn->state = STATE_BUSY;
	arm_timeout(conn);
	watch(conn, G_IO_IN | G_IO_OUT);
}

static gboolean
on_pump_idle(gpointer user_data)
{
	pump(user_data);
	return G_SOURCE_REMOVE;
}

/* The queries not in flight: all but the head while BUSY. */
static GList *
first_waiting(RdPgConn *conn)
{
	GList *l = conn->queries.head;

	return conn->state == STATE_BUSY && l ? l->next : l;
}

static gboolean on_expire(gpointer user_data);

static void
arm_expiry(RdPgConn *conn)
{
	gint64 first = G_MAXINT64;

	g_clear_handle_id(&conn->expire_id, g_source_remove);
	for (GList *l = first_waiting(conn); l; l = l->next)
		first = MIN(first, ((Query *)l->data)->deadline);
	if (first == G_MAXINT64)
		return;
	first = MAX(first - g_get_monotonic_time(), 0);
	conn->expire_id = g_timeout_add((guint)(first / 1000) + 1, on_expire, conn);
}

/* A query waits at most the timeout before it is sent: a server slow to
 * answer, or a long batch ahead, costs a read the timeout, not a queue. */
static gboolean
on_expire(gpointer user_data)
{
	RdPgConn *conn = user_data;
	gint64 now = g_get_monotonic_time();
	g_autoptr(GPtrArray) expired = g_ptr_array_new_with_free_func((GDestroyNotify)query_free);
	GList *l = first_waiting(conn);

	conn->expire_id = 0;
	while (l) {
		GList *next = l->next;

		if (((Query *)l->data)->deadline <= now) {
			g_ptr_array_add(expired, l->data);
			g_queue_delete_link(&conn->queries, l);
		}
		l = next;
	}
	for (guint i = 0; i < expired->len; i++) {
		Query *q = expired->pdata[i];
		g_autoptr(GError) error = g_error_new(RD_ERROR, RD_ERROR_TIMEOUT,
			"Waited %u ms for the clinic's server to take the query", conn->timeout_ms);

		q->func(NULL, error, q->user_data);
	}
	arm_expiry(conn);
	return G_SOURCE_REMOVE;
}

static void
fail_refused(RdPgConn *conn, GQuark domain, int code, const char *message)
{
	g_autoptr(GError) error = g_error_new_literal(domain, code, message);
	Query *q;

	while ((q = g_queue_pop_head(&conn->refused))) {
		q->func(NULL, error, q->user_data);
		query_free(q);
	}
}

static gboolean
on_refuse(gpointer user_data)
{
	RdPgConn *conn = user_data;
	g_autofree char *message = g_strdup_printf("More than %d queries wait for the "
						   "clinic's server", MAX_WAITING);

	conn->refuse_id = 0;
	fail_refused(conn, RD_ERROR, RD_ERROR_BUSY, message);
	return G_SOURCE_REMOVE;
}

static void
enqueue(RdPgConn *conn, Query *q)
{
	guint waiting = conn->queries.length - (conn->state == STATE_BUSY ? 1 : 0);

	if (waiting >= MAX_WAITING) {
		g_queue_push_tail(&conn->refused, q);
		if (!conn->refuse_id)
			conn->refuse_id = g_idle_add(on_refuse, conn);
		return;
	}
	q->deadline = g_get_monotonic_time() + (gint64)conn->timeout_ms * 1000;
	g_queue_push_tail(&conn->queries, q);
	arm_expiry(conn);
	/* Never the callback from inside the caller. */
	if (conn->state != STATE_BUSY)
		g_idle_add_full(G_PRIORITY_DEFAULT, on_pump_idle, conn, NULL);
}

void
rd_pg_conn_query(RdPgConn *conn, const char *sql, int n_params, const char *const *values,
		 RdPgResultFunc func, gpointer user_data)
{
	Query *q = g_new0(Query, 1);

	q->sql = g_strdup(sql);
	q->values = g_ptr_array_new_full((guint)n_params, g_free);
	for (int i = 0; i < n_params; i++)
		g_ptr_array_add(q->values, g_strdup(values[i]));
	q->func = func;
	q->user_data = user_data;
	enqueue(conn, q);
}

void
rd_pg_conn_exec(RdPgConn *conn, const char *sql, RdPgResultFunc func, gpointer user_data)
{
	Query *q = g_new0(Query, 1);

	q->sql = g_strdup(sql);
	q->func = func;
	q->user_data = user_data;
	enqueue(conn, q);
}

RdPgConn *
rd_pg_conn_new(const char *conninfo, const char *passfile, guint timeout_ms)
{
	RdPgConn *conn = g_new0(RdPgConn, 1);

	conn->conninfo = g_strdup(conninfo);
	conn->passfile = g_strdup(passfile);
	conn->timeout_ms = timeout_ms;
	conn->backoff_ms = BACKOFF_MIN_MS;
	g_queue_init(&conn->queries);
	return conn;
}

void
rd_pg_conn_free(RdPgConn *conn)
{
	if (!conn)
		return;
	conn->started = FALSE;
	clear_sources(conn);
	g_clear_handle_id(&conn->retry_id, g_source_remove);
	g_clear_handle_id(&conn->expire_id, g_source_remove);
	g_clear_handle_id(&conn->refuse_id, g_source_remove);
	while (g_idle_remove_by_data(conn))
		;
	fail_queued(conn, G_IO_ERROR, G_IO_ERROR_CANCELLED, "rollerd is stopping");
	fail_refused(conn, G_IO_ERROR, G_IO_ERROR_CANCELLED, "rollerd is stopping");
	stop_resolving(conn);
	g_clear_pointer(&conn->result, PQclear);
	g_clear_pointer(&conn->pg, PQfinish);
	g_free(conn->conninfo);
	g_free(conn->passfile);
	g_free(conn->last_error);
	g_free(conn);
}

void
rd_pg_conn_set_ready_func(RdPgConn *conn, RdPgReadyFunc func, gpointer user_data)
{
	conn->ready_func = func;
	conn->ready_data = user_data;
}

gboolean
rd_pg_conn_is_ready(RdPgConn *conn)
{
	return conn->state == STATE_READY || conn->state == STATE_BUSY;
}

const char *
rd_pg_conn_last_error(RdPgConn *conn)
{
	return conn->last_error;
}
