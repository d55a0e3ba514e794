/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "rc-common.h"

int rc_cmd_sync(const struct rc_globals *globals, int argc, char **argv);
