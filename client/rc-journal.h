/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "rc-common.h"

int rc_cmd_backup(const struct rc_globals *globals, int argc, char **argv);
int rc_cmd_restore(const struct rc_globals *globals, int argc, char **argv);
int rc_cmd_import(const struct rc_globals *globals, int argc, char **argv);
