/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A connection string as keywords and values, and the host to resolve. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>
#include <libpq-fe.h>

#include "rd-pg-params.h"
#include "common/rd-error.h"

struct _RdPgParams {
	GPtrArray *keys;	/* char *, the last one NULL */
	GPtrArray *values;	/* char *, as many */
};

static RdPgParams *
params_new(void)
{
	RdPgParams *params = g_new0(RdPgParams, 1);

	params->keys = g_ptr_array_new_with_free_func(g_free);
	params->values = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(params->keys, NULL);
	g_ptr_array_add(params->values, NULL);
	return params;
}

void
rd_pg_params_free(RdPgParams *params)
{
	if (!params)
		return;
	g_ptr_array_unref(params->keys);
	g_ptr_array_unref(params->values);
	g_free(params);
}

void
rd_pg_params_set(RdPgParams *params, const char *key, const char *value)
{
	guint n = params->keys->len - 1;

	for (guint i = 0; i < n; i++) {
		if (g_str_equal(params->keys->pdata[i], key)) {
			g_free(params->values->pdata[i]);
			params->values->pdata[i] = g_strdup(value);
			return;
		}
	}
	g_ptr_array_insert(params->keys, (gint)n, g_strdup(key));
	g_ptr_array_insert(params->values, (gint)n, g_strdup(value));
}

const char *
rd_pg_params_get(RdPgParams *params, const char *key)
{
	for (guint i = 0; i + 1 < params->keys->len; i++)
		if (g_str_equal(params->keys->pdata[i], key))
			return params->values->pdata[i];
	return NULL;
}

const char *const *
rd_pg_params_keys(RdPgParams *params)
{
	return (const char *const *)params->keys->pdata;
}

const char *const *
rd_pg_params_values(RdPgParams *params)
{
	return (const char *const *)params->values->pdata;
}

/* As libpq's expand_dbname: a string with = or a URI is a connection
 * string, anything else a database name. */
static gboolean
is_conninfo(const char *conninfo)
{
	return strchr(conninfo, '=') || g_str_has_prefix(conninfo, "postgresql://") ||
	       g_str_has_prefix(conninfo, "postgres://");
}

RdPgParams *
rd_pg_params_parse(const char *conninfo, const char *passfile, GError **error)
{
	g_autoptr(RdPgParams) params = params_new();

	if (is_conninfo(conninfo)) {
		char *message = NULL;
		PQconninfoOption *options = PQconninfoParse(conninfo, &message);

		if (!options) {
			g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
				    "[Clinic] Connection: %s", message ? g_strchomp(message) :
				    "out of memory");
			PQfreemem(message);
			return NULL;
		}
		for (PQconninfoOption *o = options; o->keyword; o++)
			if (o->val)
				rd_pg_params_set(params, o->keyword, o->val);
		PQconninfoFree(options);
	} else {
		rd_pg_params_set(params, "dbname", conninfo);
	}
	if (passfile)
		rd_pg_params_set(params, "passfile", passfile);
	rd_pg_params_set(params, "fallback_application_name", "rollerd");
	return g_steal_pointer(&params);
}

const char *
rd_pg_params_host_to_resolve(RdPgParams *params)
{
	const char *host = rd_pg_params_get(params, "host");
	const char *hostaddr = rd_pg_params_get(params, "hostaddr");

	if (hostaddr && *hostaddr)
		return NULL;
	if (!host || !*host || strchr(host, ','))
		return NULL;
	/* libpq's unix socket: a directory, or Linux's abstract namespace. */
	if (host[0] == '/' || host[0] == '@')
		return NULL;
	if (g_hostname_is_ip_address(host))
		return NULL;
	return host;
}
