/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The clinic's PostgreSQL schema, created and migrated by rollerd
 * (docs/clinic.md): rollerd_schema holds the version; each migration runs
 * once, under an advisory lock so that rooms starting together migrate
 * once.  Never edit a shipped migration: add the next one.
 */
#pragma once

#include <glib.h>

#define RD_CLINIC_SCHEMA_VERSION 1

/* One string of statements for rd_pg_conn_exec(): brings any older schema
 * to RD_CLINIC_SCHEMA_VERSION in one transaction, refuses a newer one. */
const char *rd_clinic_schema_migration_sql(void);
