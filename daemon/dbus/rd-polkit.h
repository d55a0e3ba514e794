/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Asks polkit, asynchronously, whether a D-Bus caller may do an action.
 * polkit is asked on the bus rollerd serves.  When no polkit answers
 * there: refused on the system bus; allowed on a session bus, whose
 * callers are the user who owns that rollerd.
 */
#pragma once

#include <gio/gio.h>

#define RD_POLKIT_ACTION_DELETE_SESSION "org.rollerd.delete-session"
#define RD_POLKIT_ACTION_FORGET_ROLLER "org.rollerd.forget-roller"
#define RD_POLKIT_ACTION_RESTORE_JOURNAL "org.rollerd.restore-journal"
#define RD_POLKIT_ACTION_REMOVE_PERSON "org.rollerd.remove-person"

/* Calls @allowed with @invocation when authorized; else answers it. */
typedef void (*RdPolkitAllowedFunc)(GDBusMethodInvocation *invocation,
				    gpointer user_data);

/* Takes over @invocation's reference; @destroy frees @user_data after. */
void rd_polkit_check(GDBusConnection *bus, gboolean system_bus,
		     GDBusMethodInvocation *invocation, const char *action_id,
		     RdPolkitAllowedFunc allowed, gpointer user_data,
		     GDestroyNotify destroy);
