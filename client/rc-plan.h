/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "rc-common.h"

/* The treatment plan (GetTreatmentPlan), everyone's or --person NAME's. */
int rc_cmd_plan(const struct rc_globals *globals, int argc, char **argv);

/* The plan's table: a row per person and area (GetTreatmentPlan's shape). */
void rc_plan_print(GVariant *plan);
