/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A consistent copy of the journal while rollerd runs (Manager1.Backup),
 * into a caller's file descriptor.
 *
 * SQLite's online backup API copies the journal into a temporary file
 * beside it, RD_STORE_BACKUP_STEP_PAGES pages per idle iteration of the
 * main loop, through the store's own connection: SQLite then carries
 * every commit made between two steps (a sync) into the copy, so the
 * copy is the journal as it is when the last step ends, and the main
 * loop is never held for more than one step.  (A second connection in a
 * thread would restart the copy at each commit, or hold a read snapshot
 * that stalls rd_store_flush()'s checkpoint before a sync may delete.)
 * A worker thread then, on the temporary file alone: VACUUM (no page of
 * a deleted session is left in it), PRAGMA integrity_check, the copy
 * into the fd (rd_store_file_copy_to_fd()), and the temporary file
 * removed.  SQLite cannot write through the fd itself: a /proc/self/fd
 * path is opened anew, as rollerd's user, and SQLite wants a rollback
 * journal beside it.
 */
#pragma once

#include "rd-store.h"

#define RD_STORE_BACKUP_STEP_PAGES 256

typedef struct _RdStoreBackup RdStoreBackup;

/* @error is NULL on success. */
typedef void (*RdStoreBackupDone)(const GError *error, gpointer user_data);

/*
 * Starts copying @store into @fd (checked with rd_store_file_check_fd(),
 * duplicated: the caller may close it); @done is called once, from the
 * main loop, unless the backup is freed first.  The temporary file goes
 * in @tmp_dir (rollerd's state directory).  NULL with @error when @fd
 * is unusable.
 */
RdStoreBackup *rd_store_backup_start(RdStore *store, const char *tmp_dir, int fd,
				     RdStoreBackupDone done, gpointer user_data,
				     GError **error);

/* Stops a backup still running (@done is not called); before the store goes. */
void rd_store_backup_free(RdStoreBackup *backup);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdStoreBackup, rd_store_backup_free)
