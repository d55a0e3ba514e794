/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Copies between the journal's files and callers' fds (rd-store-file.h).
 * Offsets are explicit (pread, pwrite): the fd's position is shared with
 * the caller's process.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "rd-store-file.h"

#define MAGIC_LEN 16	/* "SQLite format 3\0" */
#define CHUNK (64 * 1024)

static const char *
fd_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a pipe";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "not a regular file";
}

gboolean
rd_store_file_check_fd(int fd, gboolean for_writing, GError **error)
{
	struct stat st;
	int flags = fcntl(fd, F_GETFL);
	int mode = flags & O_ACCMODE;

	if (flags < 0 || fstat(fd, &st) < 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "The file descriptor passed is not usable: %s", g_strerror(errno));
		return FALSE;
	}
	if (!S_ISREG(st.st_mode)) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "The file passed is %s; give a regular file", fd_kind(st.st_mode));
		return FALSE;
	}
	if (for_writing ? mode == O_RDONLY : mode == O_WRONLY) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "The file passed is open for %s only; open it for %s",
			    for_writing ? "reading" : "writing",
			    for_writing ? "writing" : "reading");
		return FALSE;
	}
	/* pwrite() appends whatever its offset on such a file. */
	if (for_writing && (flags & O_APPEND)) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "The file passed is open for appending; open it for writing");
		return FALSE;
	}
	return TRUE;
}

char *
rd_store_file_new_temp(const char *dir, const char *prefix, GError **error)
{
	g_autofree char *name = g_strdup_printf(".%s-XXXXXX", prefix);
	g_autofree char *path = g_build_filename(dir, name, NULL);
	int fd = g_mkstemp_full(path, O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not create a temporary file in %s: %s", dir,
			    g_strerror(errno));
		return NULL;
	}
	close(fd);
	return g_steal_pointer(&path);
}

static gboolean
write_all(int fd, const guint8 *data, gsize len, off_t offset)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, data, len, offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			return FALSE;
		}
		data += n;
		len -= (gsize)n;
		offset += n;
	}
	return TRUE;
}

static ssize_t
read_some(int fd, guint8 *buf, gsize len, off_t offset)
{
	ssize_t n;

	do
		n = pread(fd, buf, len, offset);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Copies @in from byte @from on into @out at the same offsets. */
static gboolean
copy_range(int in, int out, off_t from, off_t *end)
{
	g_autofree guint8 *buf = g_malloc(CHUNK);
	off_t offset = from;
	ssize_t n;

	while ((n = read_some(in, buf, CHUNK, offset)) > 0) {
		if (!write_all(out, buf, (gsize)n, offset))
			return FALSE;
		offset += n;
	}
	*end = offset;
	return n == 0;
}

gboolean
rd_store_file_copy_to_fd(const char *path, int fd, GError **error)
{
	guint8 magic[MAGIC_LEN];
	int in = g_open(path, O_RDONLY | O_CLOEXEC, 0);
	off_t end = 0;
	gboolean ok;

	if (in < 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not read the copy %s: %s", path, g_strerror(errno));
		return FALSE;
	}
	ok = read_some(in, magic, MAGIC_LEN, 0) == MAGIC_LEN &&
	     ftruncate(fd, 0) == 0 &&
	     copy_range(in, fd, MAGIC_LEN, &end) &&
	     fdatasync(fd) == 0 &&
	     write_all(fd, magic, MAGIC_LEN, 0) &&
	     fdatasync(fd) == 0;
	if (!ok) {
		int saved = errno;

		if (ftruncate(fd, 0) < 0)
			g_debug("Could not empty the backup file: %s", g_strerror(errno));
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not write the backup: %s", g_strerror(saved));
	}
	close(in);
	return ok;
}

gboolean
rd_store_file_copy_from_fd(int fd, const char *path, GError **error)
{
	int out = g_open(path, O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
	off_t end = 0;
	gboolean ok;

	if (out < 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not write %s: %s", path, g_strerror(errno));
		return FALSE;
	}
	ok = copy_range(fd, out, 0, &end) && fsync(out) == 0;
	if (!ok)
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Could not copy the file passed into %s: %s", path,
			    g_strerror(errno));
	close(out);
	return ok;
}

GBytes *
rd_store_file_read_fd(int fd, gsize max, GError **error)
{
	g_autoptr(GByteArray) data = g_byte_array_new();
	guint8 buf[CHUNK / 4];
	ssize_t n;

	while ((n = read_some(fd, buf, sizeof(buf), (off_t)data->len)) > 0) {
		if (data->len + (gsize)n > max) {
			g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
				    "The file passed is larger than %" G_GSIZE_FORMAT
				    " MiB; import it in parts", max / (1024 * 1024));
			return NULL;
		}
		g_byte_array_append(data, buf, (guint)n);
	}
	if (n < 0) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "Could not read the file passed: %s", g_strerror(errno));
		return NULL;
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&data));
}
