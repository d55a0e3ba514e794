/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The history's schema and its migrations, on the bare connection. */
#pragma once

#include "rd-store-db.h"

/* The version rd_store_schema_migrate() brings a database to. */
#define RD_STORE_SCHEMA_VERSION 4

/*
 * Reads the schema version and refuses one newer than
 * RD_STORE_SCHEMA_VERSION (or negative), before anything touches the file.
 */
gboolean rd_store_schema_check_version(RdStoreDb *db, int *version, GError **error);

/* Runs the migrations missing from @version on, one transaction each. */
gboolean rd_store_schema_migrate(RdStoreDb *db, int version, GError **error);
