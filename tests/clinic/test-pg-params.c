/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rd-pg-params: a connection string keeps every option, and only a single
 * host name without hostaddr is resolved by rollerd (then given as
 * hostaddr beside host); everything else is left to libpq.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/rd-error.h"
#include "daemon/clinic/rd-pg-params.h"

static RdPgParams *
parse(const char *conninfo, const char *passfile)
{
	g_autoptr(GError) error = NULL;
	RdPgParams *params = rd_pg_params_parse(conninfo, passfile, &error);

	if (!params)
		fail_msg("%s: %s", conninfo, error->message);
	return params;
}

static guint
n_keys(RdPgParams *params)
{
	const char *const *keys = rd_pg_params_keys(params);
	guint n = 0;

	while (keys[n])
		n++;
	assert_null(rd_pg_params_values(params)[n]);
	return n;
}

/* A plain name gains hostaddr; host and every other option stay. */
static void
test_name_gains_hostaddr(void **state)
{
	g_autoptr(RdPgParams) params = parse("host=db.clinic.example port=5433 dbname=clinic "
					     "user=room_a sslmode=verify-full", NULL);

	assert_string_equal(rd_pg_params_host_to_resolve(params), "db.clinic.example");
	/* Five given and fallback_application_name. */
	assert_int_equal(n_keys(params), 6);
	rd_pg_params_set(params, "hostaddr", "192.0.2.10");
	assert_int_equal(n_keys(params), 7);
	assert_string_equal(rd_pg_params_get(params, "hostaddr"), "192.0.2.10");
	assert_string_equal(rd_pg_params_get(params, "host"), "db.clinic.example");
	assert_string_equal(rd_pg_params_get(params, "port"), "5433");
	assert_string_equal(rd_pg_params_get(params, "dbname"), "clinic");
	assert_string_equal(rd_pg_params_get(params, "user"), "room_a");
	assert_string_equal(rd_pg_params_get(params, "sslmode"), "verify-full");
	assert_string_equal(rd_pg_params_get(params, "fallback_application_name"), "rollerd");
	assert_null(rd_pg_params_host_to_resolve(params));
}

static void
test_uri_name_is_resolved(void **state)
{
	g_autoptr(RdPgParams) params = parse("postgresql://room_a@db.clinic.example:5433/clinic",
					     NULL);

	assert_string_equal(rd_pg_params_host_to_resolve(params), "db.clinic.example");
	assert_string_equal(rd_pg_params_get(params, "user"), "room_a");
	assert_string_equal(rd_pg_params_get(params, "dbname"), "clinic");
}

/* Left to libpq: nothing it would resolve, or more than rollerd may pick. */
static void
test_left_to_libpq(void **state)
{
	const char *conninfos[] = {
		"host=/run/postgresql dbname=clinic",
		"host=@pg-abstract dbname=clinic",
		"host=192.0.2.10 dbname=clinic",
		"host=2001:db8::10 dbname=clinic",
		"postgresql://[2001:db8::10]:5432/clinic",
		"host=a.clinic.example,b.clinic.example dbname=clinic",
		"host=db.clinic.example hostaddr=192.0.2.10 dbname=clinic",
		"service=clinic",
		"dbname=clinic",
		"clinic",
	};

	for (guint i = 0; i < G_N_ELEMENTS(conninfos); i++) {
		g_autoptr(RdPgParams) params = parse(conninfos[i], NULL);
		const char *host = rd_pg_params_host_to_resolve(params);

		if (host)
			fail_msg("%s: would resolve %s", conninfos[i], host);
		if (!strstr(conninfos[i], "hostaddr"))
			assert_null(rd_pg_params_get(params, "hostaddr"));
	}
}

/* A bare word is a database name, as libpq's expand_dbname takes it. */
static void
test_bare_dbname(void **state)
{
	g_autoptr(RdPgParams) params = parse("clinic", NULL);

	assert_string_equal(rd_pg_params_get(params, "dbname"), "clinic");
	assert_int_equal(n_keys(params), 2);
}

/* rollerd's PasswordFile wins over one in the string, as before. */
static void
test_passfile_set_over(void **state)
{
	g_autoptr(RdPgParams) params = parse("host=db.clinic.example passfile=/elsewhere", "/etc/pw");

	assert_string_equal(rd_pg_params_get(params, "passfile"), "/etc/pw");
	assert_int_equal(n_keys(params), 3);
}

static void
test_bad_string(void **state)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RdPgParams) params = rd_pg_params_parse("host='db.clinic.example", NULL, &error);

	assert_null(params);
	assert_true(g_error_matches(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS));
	assert_non_null(strstr(error->message, "[Clinic] Connection"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_gains_hostaddr),
		cmocka_unit_test(test_uri_name_is_resolved),
		cmocka_unit_test(test_left_to_libpq),
		cmocka_unit_test(test_bare_dbname),
		cmocka_unit_test(test_passfile_set_over),
		cmocka_unit_test(test_bad_string),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
