/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The journal as a whole on D-Bus: Manager1.Backup, Restore and Import,
 * each given a file descriptor the caller opened (rollerd cannot open
 * the caller's paths).  One of them runs at a time.
 */
#pragma once

#include "daemon/rd-context.h"
#include "common/rd-dbus-generated.h"
#include "rd-history.h"

typedef struct _RdJournalIo RdJournalIo;

/*
 * Serves the three methods on @manager; a restore withdraws @history's
 * objects.  Removes the temporary files a killed rollerd left.
 */
RdJournalIo *rd_journal_io_new(RdContext *ctx, RdDbusManager1 *manager, RdHistory *history);
/* Stops a backup still running; before the store and @history go. */
void rd_journal_io_free(RdJournalIo *io);
