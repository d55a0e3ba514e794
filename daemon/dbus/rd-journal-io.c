/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Manager1.Backup, Restore, Import (rd-journal-io.h).  Authorization:
 * Backup and Import need only what the bus policy grants (root and the
 * group rollerd): a backup holds what export gives those callers
 * already, and an import adds sessions without changing or removing
 * any.  Restore replaces the whole journal: polkit, like Delete.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <gio/gunixfdlist.h>
#include <glib/gstdio.h>

#include "common/rd-error.h"
#include "daemon/store/rd-store-backup.h"
#include "daemon/store/rd-store-file.h"
#include "daemon/store/rd-store-import.h"
#include "daemon/store/rd-store-restore.h"
#include "daemon/clinic/rd-clinic.h"
#include "daemon/store/rd-store-outbox.h"
#include "rd-journal-io.h"
#include "rd-polkit.h"

struct _RdJournalIo {
	RdContext *ctx;
	RdDbusManager1 *manager;
	RdHistory *history;
	/* The call running (Backup or Restore), NULL when none. */
	GDBusMethodInvocation *running;
	RdStoreBackup *backup;
	GCancellable *cancellable;
};

/* The fd of argument @handle; -1 after answering @invocation. */
static int
take_fd(GDBusMethodInvocation *invocation, GUnixFDList *fd_list, GVariant *handle)
{
	g_autoptr(GError) error = NULL;
	int fd;

	if (!fd_list) {
		g_dbus_method_invocation_return_error(invocation, RD_ERROR,
						      RD_ERROR_INVALID_ARGUMENTS,
						      "No file descriptor was passed");
		return -1;
	}
	fd = g_unix_fd_list_get(fd_list, g_variant_get_handle(handle), &error);
	if (fd < 0)
		g_dbus_method_invocation_return_error(invocation, RD_ERROR,
						      RD_ERROR_INVALID_ARGUMENTS,
						      "No file descriptor was passed: %s",
						      error->message);
	return fd;
}

/* FALSE after answering @invocation when another call runs. */
static gboolean
claim(RdJournalIo *io, GDBusMethodInvocation *invocation)
{
	if (io->running) {
		g_dbus_method_invocation_return_error(invocation, RD_ERROR, RD_ERROR_IN_PROGRESS,
						      "A backup or restore of the journal is "
						      "running; try again once it has finished");
		return FALSE;
	}
	io->running = invocation;
	return TRUE;
}

static void
backup_done(const GError *error, gpointer user_data)
{
	RdJournalIo *io = user_data;
	GDBusMethodInvocation *invocation = g_steal_pointer(&io->running);

	g_clear_pointer(&io->backup, rd_store_backup_free);
	if (error) {
		g_message("Backup failed: %s", error->message);
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	g_debug("Backup written");
	rd_dbus_manager1_complete_backup(io->manager, invocation, NULL);
}

static gboolean
handle_backup(RdDbusManager1 *manager, GDBusMethodInvocation *invocation,
	      GUnixFDList *fd_list, GVariant *handle, RdJournalIo *io)
{
	g_autoptr(GError) error = NULL;
	int fd = take_fd(invocation, fd_list, handle);

	if (fd < 0 || !claim(io, invocation)) {
		if (fd >= 0)
			close(fd);
		return TRUE;
	}
	io->backup = rd_store_backup_start(io->ctx->store, io->ctx->state_dir, fd,
					   backup_done, io, &error);
	close(fd);
	if (!io->backup) {
		io->running = NULL;
		g_dbus_method_invocation_return_gerror(invocation, error);
	}
	return TRUE;
}

/* Busy while a roller syncs or runs a session: either writes the journal. */
static gboolean
check_rollers_idle(RdJournalIo *io, GError **error)
{
	g_autolist(GDBusObject) objects =
		g_dbus_object_manager_get_objects(G_DBUS_OBJECT_MANAGER(io->ctx->object_manager));

	for (GList *l = objects; l; l = l->next) {
		g_autoptr(GDBusInterface) iface =
			g_dbus_object_get_interface(l->data, "org.rollerd.Roller2");
		RdDbusRoller2 *roller = iface ? RD_DBUS_ROLLER2(iface) : NULL;

		if (!roller)
			continue;
		if (g_strcmp0(rd_dbus_roller2_get_sync_state(roller), "syncing") == 0) {
			g_set_error(error, RD_ERROR, RD_ERROR_BUSY,
				    "Roller %s is syncing; restore once its sync has finished",
				    rd_dbus_roller2_get_address(roller));
			return FALSE;
		}
		if (g_strcmp0(rd_dbus_roller2_get_session(roller), "/") != 0) {
			g_set_error(error, RD_ERROR, RD_ERROR_BUSY,
				    "A session is running on roller %s; stop it "
				    "(rollerctl stop) before restoring",
				    rd_dbus_roller2_get_address(roller));
			return FALSE;
		}
	}
	return TRUE;
}

/* What the restore's worker thread owns. */
typedef struct {
	RdJournalIo *io;
	int fd;
	char *candidate;
	gboolean clinic;	/* the restored journal's outbox on */
} RestoreJob;

static void
restore_job_free(RestoreJob *job)
{
	if (job->fd >= 0)
		close(job->fd);
	if (job->candidate)
		g_unlink(job->candidate);
	g_free(job->candidate);
	g_free(job);
}

/* The copy, its checks and its outbox, on the candidate only: in a worker thread. */
static void
restore_thread(GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
	RestoreJob *job = data;
	GError *error = NULL;
	int version;

	if (!rd_store_file_copy_from_fd(job->fd, job->candidate, &error) ||
	    !rd_store_restore_check(job->candidate, &version, &error)) {
		g_task_return_error(task, error);
		return;
	}
	g_debug("Backup to restore checked: schema version %d", version);
	/* Migrated and its history in the outbox here, not in the main loop. */
	if (!rd_store_restore_prepare(job->candidate, job->clinic, &error)) {
		g_task_return_error(task, error);
		return;
	}
	g_task_return_boolean(task, TRUE);
}

static void
restore_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
	RestoreJob *job = g_task_get_task_data(G_TASK(result));
	RdJournalIo *io = job->io;
	GDBusMethodInvocation *invocation;
	g_autoptr(GError) error = NULL;
	g_autofree char *kept = NULL;

	if (g_cancellable_is_cancelled(g_task_get_cancellable(G_TASK(result))))
		return;
	invocation = g_steal_pointer(&io->running);
	if (!g_task_propagate_boolean(G_TASK(result), &error) ||
	    !check_rollers_idle(io, &error) ||
	    !rd_store_restore_replace(&io->ctx->store, job->candidate, &kept, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	g_clear_pointer(&job->candidate, g_free);
	/* The clinic goes on from the restored journal; its changes since the
	 * backup are in the clinic already, and stay.  Out of a clinic, a
	 * backup made in one records no outbox. */
	if (io->ctx->clinic ? !rd_clinic_journal_replaced(io->ctx->clinic, &error)
	    : !rd_store_outbox_enable(io->ctx->store, FALSE, &error))
		g_warning("After the restore: %s", error->message);
	/* Their ids may name other sessions now, or none. */
	rd_history_forget_all(io->history);
	rd_dbus_manager1_complete_restore(io->manager, invocation, NULL, kept);
}

static void
restore_allowed(GDBusMethodInvocation *invocation, gpointer user_data)
{
	RestoreJob *job = user_data;
	RdJournalIo *io = job->io;
	RestoreJob *owned;
	g_autoptr(GTask) task = NULL;
	g_autoptr(GError) error = NULL;

	if (!rd_store_file_check_fd(job->fd, FALSE, &error) ||
	    !check_rollers_idle(io, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	if (!claim(io, invocation))
		return;
	owned = g_memdup2(job, sizeof(*job));
	owned->clinic = io->ctx->clinic != NULL;
	job->fd = -1;
	owned->candidate = rd_store_file_new_temp(io->ctx->state_dir, "restore", &error);
	if (!owned->candidate) {
		io->running = NULL;
		restore_job_free(owned);
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	task = g_task_new(NULL, io->cancellable, restore_checked, NULL);
	g_task_set_task_data(task, owned, (GDestroyNotify)restore_job_free);
	g_task_run_in_thread(task, restore_thread);
}

static gboolean
handle_restore(RdDbusManager1 *manager, GDBusMethodInvocation *invocation,
	       GUnixFDList *fd_list, GVariant *handle, RdJournalIo *io)
{
	RestoreJob *job;
	int fd = take_fd(invocation, fd_list, handle);

	if (fd < 0)
		return TRUE;
	job = g_new0(RestoreJob, 1);
	job->io = io;
	job->fd = fd;
	rd_polkit_check(io->ctx->bus, io->ctx->system_bus, invocation,
			RD_POLKIT_ACTION_RESTORE_JOURNAL, restore_allowed, job,
			(GDestroyNotify)restore_job_free);
	return TRUE;
}

static gboolean
handle_import(RdDbusManager1 *manager, GDBusMethodInvocation *invocation,
	      GUnixFDList *fd_list, GVariant *handle, RdJournalIo *io)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) data = NULL;
	guint imported, present;
	int fd = take_fd(invocation, fd_list, handle);

	if (fd < 0)
		return TRUE;
	if (io->running) {
		close(fd);
		claim(io, invocation);
		return TRUE;
	}
	if (rd_store_file_check_fd(fd, FALSE, &error))
		data = rd_store_file_read_fd(fd, RD_STORE_IMPORT_MAX_BYTES, &error);
	close(fd);
	if (!data || !rd_store_import_json(io->ctx->store, g_bytes_get_data(data, NULL),
					   g_bytes_get_size(data), &imported, &present,
					   &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return TRUE;
	}
	g_message("Imported %u sessions (%u were in the journal already)", imported, present);
	rd_dbus_manager1_complete_import(manager, invocation, NULL, imported, present);
	return TRUE;
}

/* What a rollerd killed during a backup or restore left (rd-store-file.h's names). */
static void
remove_leftovers(const char *state_dir)
{
	g_autoptr(GDir) dir = g_dir_open(state_dir, 0, NULL);
	const char *name;

	while (dir && (name = g_dir_read_name(dir))) {
		g_autofree char *path = NULL;

		if ((!g_str_has_prefix(name, ".backup-") && !g_str_has_prefix(name, ".restore-")) ||
		    strlen(strchr(name, '-') + 1) != 6)
			continue;
		path = g_build_filename(state_dir, name, NULL);
		if (g_unlink(path) == 0)
			g_message("Removed %s, left by a backup or restore that did not finish", path);
	}
}

RdJournalIo *
rd_journal_io_new(RdContext *ctx, RdDbusManager1 *manager, RdHistory *history)
{
	RdJournalIo *io = g_new0(RdJournalIo, 1);

	io->ctx = ctx;
	io->manager = g_object_ref(manager);
	io->history = history;
	io->cancellable = g_cancellable_new();
	remove_leftovers(ctx->state_dir);
	g_signal_connect(manager, "handle-backup", G_CALLBACK(handle_backup), io);
	g_signal_connect(manager, "handle-restore", G_CALLBACK(handle_restore), io);
	g_signal_connect(manager, "handle-import", G_CALLBACK(handle_import), io);
	return io;
}

void
rd_journal_io_free(RdJournalIo *io)
{
	if (!io)
		return;
	g_cancellable_cancel(io->cancellable);
	g_clear_object(&io->cancellable);
	g_clear_pointer(&io->backup, rd_store_backup_free);
	g_signal_handlers_disconnect_by_data(io->manager, io);
	g_object_unref(io->manager);
	g_free(io);
}
