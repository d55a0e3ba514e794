/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl --clinic sessions / plan (export and report: rc-clinic-export.h):
 * the clinic's journal, every room's
 * sessions (docs/clinic.md).  When this room's rollerd cannot reach the
 * clinic it answers from its own journal: rollerctl says so on stderr,
 * and in --json output the status element stays first.
 */
#pragma once

#include "rc-common.h"

/* argv[0] is the command: sessions or plan; any other is a usage error. */
int rc_clinic_command(const struct rc_globals *globals, int argc, char **argv);
