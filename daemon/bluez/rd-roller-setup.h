/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Setting one roller up once its link is resolved and secured: the
 * Control Point, the subscriptions (whose notifications keep coming while
 * the link is ready), the reads of what the roller is, and its clock set.
 * Owned by RdRollerLink, which it tells through the callbacks given.
 */
#pragma once

#include <gio/gio.h>

#include "rd-control-point.h"
#include "rd-roller-chars.h"

typedef struct _RdRollerSetup RdRollerSetup;

typedef struct {
	/* As RdRollerLinkCallbacks' value, telemetry and record_chunk. */
	gboolean (*value)(RdChar id, const guint8 *data, gsize len, gpointer user_data);
	void (*telemetry)(const guint8 *data, gsize len, gpointer user_data);
	void (*record_chunk)(const guint8 *data, gsize len, gpointer user_data);
	/* Set up (@error NULL), or why not (owned by the callee).  Not called
	 * when cut off: whoever cut it off has said why. */
	void (*done)(GError *error, gpointer user_data);
} RdRollerSetupCallbacks;

/* @chars: the link's characteristics, which setting up subscribes to. */
RdRollerSetup *rd_roller_setup_new(RdRollerChars *chars, const char *address,
				   const RdRollerSetupCallbacks *callbacks,
				   gpointer user_data);
void rd_roller_setup_free(RdRollerSetup *setup);

/* Sets the roller up; @acquire: AcquireNotify where it fits. */
void rd_roller_setup_start(RdRollerSetup *setup, gboolean acquire,
			   GCancellable *cancellable);
/* Drops the Control Point (failing what is under way on it) and the
 * setting up, if any; the subscriptions are the characteristics'. */
void rd_roller_setup_stop(RdRollerSetup *setup);

/* The Control Point from the start until stopped, otherwise NULL. */
RdControlPoint *rd_roller_setup_get_control_point(RdRollerSetup *setup);
