/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The clinic's PostgreSQL schema (docs/clinic.md), created and migrated
 * by the administrator (rollerd --clinic-setup), never by a room:
 * rollerd_schema holds the version; each migration runs once, under an
 * advisory lock.  Never edit a shipped migration: add the next one.
 */
#pragma once

#include <glib.h>

#define RD_CLINIC_SCHEMA_VERSION 1

/* One string of statements for the administrator's connection, whose
 * role then owns the schema: creates the group role rollerd_rooms, brings
 * any older schema to RD_CLINIC_SCHEMA_VERSION in one transaction (a
 * newer one is refused) and grants the rooms their rights. */
const char *rd_clinic_schema_setup_sql(void);
/* A room's check at connect, one row: current_user, whether the schema
 * exists, whether current_user is in rollerd_rooms. */
const char *rd_clinic_schema_check_sql(void);
