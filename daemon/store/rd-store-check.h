/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whether the journal at a path is whole before rollerd writes to it:
 * its identity file says a journal was started there (so a missing or
 * empty one is damage, not a first start), and SQLite's quick_check
 * reads every page of an existing one.
 */
#pragma once

#include "rd-store-db.h"

/*
 * Before opening: refuses (RD_ERROR_STORAGE_FAILED naming the file and
 * what to do) a journal that is missing or empty while its identity
 * file exists.  *@need_identity: it has none yet (a first start, or a
 * journal from before identity files), for rd_store_check_note_identity().
 */
gboolean rd_store_check_presence(const char *path, gboolean *need_identity,
				 GError **error);

/* PRAGMA quick_check, and "not a database": refused as damage. */
gboolean rd_store_check_integrity(RdStoreDb *db, GError **error);

/* Where the identity file of the journal @path is. */
char *rd_store_check_identity_path(const char *path);

/* Writes the identity file beside @db's file, once it is on disk. */
gboolean rd_store_check_note_identity(RdStoreDb *db, GError **error);
/* The identity (a UUID) of @db's journal: the same after a restore in
 * its place, another for a journal started elsewhere. */
char *rd_store_check_read_identity(RdStoreDb *db, GError **error);
