/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * [Clinic] Connection taken apart into PQconnectStartParams' keywords and
 * values: every option it sets, rollerd's own beside them, and the one
 * host name rollerd resolves itself before connecting, since libpq would
 * resolve it synchronously (getaddrinfo) on the main loop.
 */
#pragma once

#include <glib.h>

typedef struct _RdPgParams RdPgParams;

/*
 * @conninfo: a libpq connection string or URI, or a bare database name;
 * @passfile (unless NULL) and fallback_application_name=rollerd are set
 * over it.  NULL with RD_ERROR_INVALID_ARGUMENTS when libpq cannot parse it.
 */
RdPgParams *rd_pg_params_parse(const char *conninfo, const char *passfile, GError **error);
void rd_pg_params_free(RdPgParams *params);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdPgParams, rd_pg_params_free)

/* Sets @key to @value, replacing its earlier value. */
void rd_pg_params_set(RdPgParams *params, const char *key, const char *value);
/* NULL when unset. */
const char *rd_pg_params_get(RdPgParams *params, const char *key);
/* NULL-terminated, for PQconnectStartParams (expand_dbname 0). */
const char *const *rd_pg_params_keys(RdPgParams *params);
const char *const *rd_pg_params_values(RdPgParams *params);

/*
 * The host name to resolve before connecting: `host` when it is one name
 * and no `hostaddr` is given.  NULL, libpq then resolving as it will, for
 * a unix socket directory (/ or @), a numeric IPv4/IPv6 address, a comma
 * list of hosts, an explicit hostaddr, or no host at all (a `service`
 * whose host is in pg_service.conf, PGHOST, the default socket).
 */
const char *rd_pg_params_host_to_resolve(RdPgParams *params);
