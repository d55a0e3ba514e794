/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reminders: Manager1.Reminder, once per due event (rd-store-reminders.h),
 * and Manager1.ListReminders.  rd_reminders_check() looks at what is due
 * now; the daemon calls it at start and whenever sessions or people
 * change, and it arms one timer (a timerfd on the wall clock, so that a
 * suspended machine wakes to a due time it slept through) for the next
 * due time.  Nothing polls.
 */
#pragma once

#include "daemon/rd-context.h"
#include "common/rd-dbus-generated.h"

typedef struct _RdReminders RdReminders;

RdReminders *rd_reminders_new(RdContext *ctx, RdDbusManager1 *manager);
void rd_reminders_free(RdReminders *reminders);

/* Emits the reminders due and not sent yet; re-arms the timer. */
void rd_reminders_check(RdReminders *reminders);
