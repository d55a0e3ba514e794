/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The calls the bridge makes to rollerd (rm-rollerd.h declares them),
 * apart from the following of its objects and signals: what they share.
 */
#pragma once

#include "mqtt/rm-rollerd.h"

/* The connection while rollerd is on the bus, else NULL. */
GDBusConnection *rm_rollerd_get_connection(RmRollerd *r);
/* Cancelled when @r is freed. */
GCancellable *rm_rollerd_get_cancellable(RmRollerd *r);
