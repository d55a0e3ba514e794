/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rollerctl __complete: the words bash completion offers, from rollerd. */
#pragma once

#include "rc-common.h"

/*
 * rollerctl __complete KIND (hidden from the help): one candidate a line
 * for KIND addresses (the rollers'), sessions (the newest ids), people
 * (names) or areas.  Prints nothing on any error: a completion stays
 * quiet.
 */
int rc_cmd_complete(const struct rc_globals *globals, int argc, char **argv);
