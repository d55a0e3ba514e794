/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "rc-common.h"

/* export: the history (or a part) as CSV or JSON; with --clinic, every room's. */
int rc_cmd_export(const struct rc_globals *globals, int argc, char **argv);
