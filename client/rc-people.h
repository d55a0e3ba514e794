/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "rc-common.h"

/* People: people, person add|rename|remove|show|notes|defaults|use, assign. */
int rc_cmd_people(const struct rc_globals *globals, int argc, char **argv);
int rc_cmd_person(const struct rc_globals *globals, int argc, char **argv);
int rc_cmd_assign(const struct rc_globals *globals, int argc, char **argv);
