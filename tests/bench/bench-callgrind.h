/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-daemon's deterministic case: rollerd's instructions per Telemetry
 * notification under callgrind, per watcher mode, with the functions that
 * cost the most.  See bench-daemon.c's header.
 */
#pragma once

#include <glib.h>

/* One run of @seconds per watcher mode at about 10 notifications a
 * second; prints the figure and the @top functions (self cost). */
void bench_callgrind_run(const char *argv0, guint seconds, guint top);
