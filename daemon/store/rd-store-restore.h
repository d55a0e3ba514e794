/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Manager1.Restore: a backup checked, then put in the journal's place.
 *
 * The candidate is a copy in the journal's directory (the same file
 * system, so that a rename replaces the journal atomically: sessions.db
 * is at every moment either the old journal or the new one, whole).
 * The replaced journal is kept beside it as
 * "<journal>.replaced-<UTC date and time>".
 */
#pragma once

#include "rd-store.h"

/*
 * Whether @path is a journal this rollerd can take: an SQLite database
 * (its header), whole (PRAGMA integrity_check), with the sessions table,
 * and a schema version no newer than this rollerd's (an older one is
 * migrated when it is opened).  Its version in *@version.  Uses its own
 * connection: may run in a worker thread.  RD_ERROR_INVALID_ARGUMENTS
 * with a sentence naming the problem (and both versions for a newer one).
 */
gboolean rd_store_restore_check(const char *path, int *version, GError **error);

/*
 * Opens the checked @candidate on its own connection, migrates it and
 * switches its outbox on (@outbox, in a clinic: which puts its whole
 * history there) or off, then closes it; leaves no identity file beside
 * it.  For a worker thread: the main loop, which answers D-Bus calls
 * meanwhile, then finds nothing left to do (about 0.9 s a 100,000
 * sessions otherwise, docs/clinic.md).
 */
gboolean rd_store_restore_prepare(const char *candidate, gboolean outbox, GError **error);

/*
 * Closes *@store, keeps its file under a new name (*@kept), renames
 * @candidate into its place and opens it (migrating it), all in the
 * main loop.  The restored journal's ids and outbox seqs then count on
 * from the replaced one's: none is given twice.  On failure the old
 * journal is back in place and open, and @candidate is left for the
 * caller to remove.
 */
gboolean rd_store_restore_replace(RdStore **store, const char *candidate,
				  char **kept, GError **error);
