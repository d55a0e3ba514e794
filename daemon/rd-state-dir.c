/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "common/rd-error.h"
#include "daemon/rd-state-dir.h"

static gboolean
fail(GError **error, const char *dir, const char *why)
{
	g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
		    "The state directory %s %s", dir, why);
	return FALSE;
}

/* fchmod through an O_NOFOLLOW descriptor: a symlink planted in the
 * directory cannot redirect the change to another file. */
static gboolean
make_private(int dirfd, const char *dir, const char *name, GError **error)
{
	struct stat st;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return TRUE;	/* a symlink, a socket, gone: not ours to change */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    (st.st_mode & 077)) {
		if (fchmod(fd, st.st_mode & 0700) < 0) {
			g_autofree char *why = g_strdup_printf("holds %s, readable by others, "
							       "and its mode cannot be changed: %s",
							       name, g_strerror(errno));
			close(fd);
			return fail(error, dir, why);
		}
		g_message("Made %s/%s private (mode %04o was %04o)", dir, name,
			  (unsigned)(st.st_mode & 0700), (unsigned)(st.st_mode & 07777));
	}
	close(fd);
	return TRUE;
}

gboolean
rd_state_dir_prepare(const char *dir, GError **error)
{
	g_autoptr(GDir) listing = NULL;
	g_autofree char *parent = g_path_get_dirname(dir);
	struct stat st;
	const char *name;
	int dirfd;

	if (g_mkdir_with_parents(parent, 0755) < 0 ||
	    (g_mkdir(dir, 0700) < 0 && errno != EEXIST)) {
		g_autofree char *why = g_strdup_printf("cannot be created: %s", g_strerror(errno));
		return fail(error, dir, why);
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0) {
		g_autofree char *why = g_strdup_printf("cannot be opened (%s); it must be a "
						       "directory, not a link to one",
						       g_strerror(errno));
		return fail(error, dir, why);
	}
	if (fstat(dirfd, &st) < 0 || st.st_uid != geteuid()) {
		g_autofree char *why = g_strdup_printf("belongs to uid %u, not to rollerd's user "
						       "(uid %u): chown it, or point --state-dir "
						       "elsewhere", (unsigned)st.st_uid,
						       (unsigned)geteuid());
		close(dirfd);
		return fail(error, dir, why);
	}
	if (st.st_mode & 077) {
		if (fchmod(dirfd, 0700) < 0) {
			g_autofree char *why = g_strdup_printf("is open to others (mode %04o) and "
							       "cannot be made private: %s",
							       (unsigned)(st.st_mode & 07777),
							       g_strerror(errno));
			close(dirfd);
			return fail(error, dir, why);
		}
		g_message("Made the state directory %s private (mode 0700 was %04o)", dir,
			  (unsigned)(st.st_mode & 07777));
	}
	listing = g_dir_open(dir, 0, NULL);
	while (listing && (name = g_dir_read_name(listing))) {
		if (!make_private(dirfd, dir, name, error)) {
			close(dirfd);
			return FALSE;
		}
	}
	close(dirfd);
	return TRUE;
}
