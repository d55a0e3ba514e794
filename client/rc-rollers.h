/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "rc-common.h"

/* status, list, scan, connect, disconnect, forget, identify, start, stop */
int rc_cmd_status(const struct rc_globals *globals, int argc, char **argv);
int rc_cmd_list(const struct rc_globals *globals, int argc, char **argv);
int rc_cmd_scan(const struct rc_globals *globals, int argc, char **argv);
int rc_cmd_connect(const struct rc_globals *globals, int argc, char **argv);
int rc_cmd_disconnect(const struct rc_globals *globals, int argc, char **argv);
int rc_cmd_forget(const struct rc_globals *globals, int argc, char **argv);
int rc_cmd_identify(const struct rc_globals *globals, int argc, char **argv);
int rc_cmd_start(const struct rc_globals *globals, int argc, char **argv);
int rc_cmd_stop(const struct rc_globals *globals, int argc, char **argv);
