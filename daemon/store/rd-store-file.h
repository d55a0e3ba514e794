/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The journal's bytes to and from a caller's file descriptor (Backup,
 * Restore, Import): rollerd runs as its own user in a sandbox and cannot
 * open the caller's path, so the caller opens it and passes the fd.
 * Plain blocking I/O: the callers run these in a worker thread.
 */
#pragma once

#include <glib.h>

#include "common/rd-error.h"

/*
 * Whether @fd is a regular file open for writing (@for_writing) or for
 * reading; RD_ERROR_INVALID_ARGUMENTS naming what it is instead (a pipe,
 * a directory, a socket, a file open read-only or for appending).
 */
gboolean rd_store_file_check_fd(int fd, gboolean for_writing, GError **error);

/* A new empty file (0600) "<dir>/.<prefix>-XXXXXX"; its path. */
char *rd_store_file_new_temp(const char *dir, const char *prefix, GError **error);

/*
 * Makes @fd's file a copy of @path and syncs it.  SQLite's magic (the
 * first 16 bytes) is written last, so a copy cut short (a full disk, a
 * crash) is never taken for a database; on failure the file is emptied.
 * RD_ERROR_STORAGE_FAILED with the OS's reason.
 */
gboolean rd_store_file_copy_to_fd(const char *path, int fd, GError **error);

/* Copies all of @fd's file into @path (existing, emptied first), synced. */
gboolean rd_store_file_copy_from_fd(int fd, const char *path, GError **error);

/* All of @fd's file, at most @max bytes (else RD_ERROR_INVALID_ARGUMENTS). */
GBytes *rd_store_file_read_fd(int fd, gsize max, GError **error);
