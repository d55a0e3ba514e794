/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "rc-common.h"

/*
 * rollerctl remind: asks rollerd what is due (Manager1.ListReminders),
 * prints it, posts it as one desktop notification and exits; run by the
 * systemd user timer rollerctl-remind.timer.
 */
int rc_cmd_remind(const struct rc_globals *globals, int argc, char **argv);
