/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The journal's online backup (see rd-store-backup.h for the design). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "rd-store-backup.h"
#include "rd-store-db.h"
#include "rd-store-file.h"

struct _RdStoreBackup {
	RdStore *store;
	sqlite3 *dest;
	sqlite3_backup *backup;
	guint step_source;
	GCancellable *cancellable;
	RdStoreBackupDone done;
	gpointer user_data;
	char *tmp_path;
	int fd;
};

/* What the worker thread owns. */
typedef struct {
	char *tmp_path;
	int fd;
} CopyJob;

static void
copy_job_free(CopyJob *job)
{
	g_unlink(job->tmp_path);
	g_free(job->tmp_path);
	close(job->fd);
	g_free(job);
}

static void
finish(RdStoreBackup *b, GError *error)
{
	b->done(error, b->user_data);
}

/* @sql on the copy: any row but "ok" is a problem. */
static gboolean
run_on_copy(sqlite3 *db, const char *sql, const char *what, GError **error)
{
	g_autoptr(GString) problems = g_string_new(NULL);

	if (rd_store_db_collect(db, sql, problems) && !problems->len)
		return TRUE;
	g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED, "%s: %s", what, problems->str);
	return FALSE;
}

static gboolean
check_copy(const char *path, GError **error)
{
	sqlite3 *db = NULL;
	gboolean ok;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not open the copy of the journal: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return FALSE;
	}
	/* A rollback journal: the copy stands alone, without -wal or -shm. */
	ok = sqlite3_exec(db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) == SQLITE_OK &&
	     run_on_copy(db, "VACUUM", "Could not compact the copy", error) &&
	     run_on_copy(db, "PRAGMA integrity_check", "The copy of the journal failed "
			 "its integrity check", error);
	if (!ok && error && !*error)
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not prepare the copy: %s", sqlite3_errmsg(db));
	sqlite3_close(db);
	return ok;
}

static void
copy_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	CopyJob *job = data;
	GError *error = NULL;

	if (!check_copy(job->tmp_path, &error) ||
	    !rd_store_file_copy_to_fd(job->tmp_path, job->fd, &error))
		g_task_return_error(task, error);
	else
		g_task_return_boolean(task, TRUE);
}

static void
copy_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;

	/* Freed meanwhile: user_data is gone, and nobody waits. */
	if (g_cancellable_is_cancelled(g_task_get_cancellable(G_TASK(result))))
		return;
	g_task_propagate_boolean(G_TASK(result), &error);
	finish(user_data, error);
}

static void
start_copy(RdStoreBackup *b)
{
	g_autoptr(GTask) task = g_task_new(NULL, b->cancellable, copy_done, b);
	CopyJob *job = g_new0(CopyJob, 1);

	job->tmp_path = g_steal_pointer(&b->tmp_path);
	job->fd = b->fd;
	b->fd = -1;
	g_task_set_task_data(task, job, (GDestroyNotify)copy_job_free);
	g_task_run_in_thread(task, copy_thread);
}

static gboolean
step(gpointer user_data)
{
	RdStoreBackup *b = user_data;
	RdStoreDb *db = rd_store_get_db(b->store);
	int rc = sqlite3_backup_step(b->backup, RD_STORE_BACKUP_STEP_PAGES);
	g_autoptr(GError) error = NULL;

	if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return G_SOURCE_CONTINUE;
	g_debug("Backup: %d pages copied", sqlite3_backup_pagecount(b->backup));
	b->step_source = 0;
	sqlite3_backup_finish(b->backup);
	b->backup = NULL;
	if (rc != SQLITE_DONE) {
		g_set_error(&error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not copy the journal: %s", sqlite3_errstr(rc));
		if (rc == SQLITE_CORRUPT || rc == SQLITE_IOERR_READ)
			rd_store_db_set_error(db, NULL, "Could not copy the journal");
	}
	if (sqlite3_close(b->dest) != SQLITE_OK && !error)
		g_set_error(&error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not write the copy of the journal: %s",
			    sqlite3_errmsg(b->dest));
	b->dest = NULL;
	if (error)
		finish(b, error);
	else
		start_copy(b);
	return G_SOURCE_REMOVE;
}

RdStoreBackup *
rd_store_backup_start(RdStore *store, const char *tmp_dir, int fd,
		      RdStoreBackupDone done, gpointer user_data, GError **error)
{
	g_autoptr(RdStoreBackup) b = NULL;
	RdStoreDb *db = rd_store_get_db(store);

	if (!rd_store_file_check_fd(fd, TRUE, error))
		return NULL;
	b = g_new0(RdStoreBackup, 1);
	b->store = store;
	b->done = done;
	b->user_data = user_data;
	b->cancellable = g_cancellable_new();
	b->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (b->fd < 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_FAILED,
			    "Could not keep the file descriptor: %s", g_strerror(errno));
		return NULL;
	}
	b->tmp_path = rd_store_file_new_temp(tmp_dir, "backup", error);
	if (!b->tmp_path)
		return NULL;
	if (sqlite3_open_v2(b->tmp_path, &b->dest, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    !(b->backup = sqlite3_backup_init(b->dest, "main", db->sqlite, "main"))) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not start the backup: %s", sqlite3_errmsg(b->dest));
		return NULL;
	}
	b->step_source = g_idle_add(step, b);
	return g_steal_pointer(&b);
}

void
rd_store_backup_free(RdStoreBackup *b)
{
	if (!b)
		return;
	g_cancellable_cancel(b->cancellable);
	g_clear_handle_id(&b->step_source, g_source_remove);
	if (b->backup)
		sqlite3_backup_finish(b->backup);
	if (b->dest)
		sqlite3_close(b->dest);
	if (b->tmp_path)
		g_unlink(b->tmp_path);
	g_free(b->tmp_path);
	if (b->fd >= 0)
		close(b->fd);
	g_clear_object(&b->cancellable);
	g_free(b);
}
