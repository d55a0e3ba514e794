/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Manager1.Import: sessions from the JSON that export writes (an array
 * of sessions, or one session as Session1.Export("json") gives it),
 * for moving a history between machines.
 *
 * A session is identified by its roller serial, record id and start
 * (rd-store.h's keys, as the export carries them): one already in the
 * journal under that key, or earlier in the same file, is counted as
 * present and left as it is, so importing a file twice stores it once.
 * An imported session gets a new id (ids name D-Bus objects and are
 * never reused) and counts towards its roller's needle heads, oldest
 * first.  The export does not carry a record's CRC-32: an imported
 * record of a roller whose clock was unset gets a stand-in derived from
 * its key.
 */
#pragma once

#include "rd-store.h"

/* Larger files are refused: json-glib holds the whole tree in memory. */
#define RD_STORE_IMPORT_MAX_BYTES (8 * 1024 * 1024)

/*
 * Everything in one transaction: any malformed JSON, unknown field or
 * value out of range (RD_ERROR_INVALID_ARGUMENTS naming the session, by
 * its place in the file and its id there, and the field) imports
 * nothing.
 */
gboolean rd_store_import_json(RdStore *store, const char *json, gsize len,
			      guint *imported, guint *present, GError **error);
