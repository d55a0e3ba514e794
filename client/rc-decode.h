/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "rc-common.h"

/* rollerctl decode [FILE...]: the canonical dump of frames and records. */
int rc_cmd_decode(const struct rc_globals *globals, int argc, char **argv);
