/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd --clinic-setup: the administrator creates or migrates the
 * clinic's schema over a connection as its owner (docs/clinic.md).  A
 * one-shot command, so it waits on the network.
 */
#pragma once

#include <glib.h>

/* @conninfo: a libpq connection string; @passfile: NULL for libpq's default. */
gboolean rd_clinic_setup(const char *conninfo, const char *passfile, GError **error);
