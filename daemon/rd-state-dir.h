/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd's state directory holds a personal treatment journal: it is
 * made private before anything is read or written there.
 */
#pragma once

#include <glib.h>

/*
 * Creates @dir (0700, parents 0755) or makes an existing one private: it
 * must be a real directory owned by rollerd's user, its mode is tightened
 * to 0700 and every file of rollerd's in it to 0600, each change logged.
 * Fails (RD_ERROR_STORAGE_FAILED, naming the directory and what to do)
 * when it is not a directory, belongs to another user or cannot be
 * changed.
 */
gboolean rd_state_dir_prepare(const char *dir, GError **error);
