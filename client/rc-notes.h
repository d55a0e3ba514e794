/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A session's journal notes (Session1.Notes) as words, for show and report. */
#pragma once

#include <glib.h>

/*
 * The notes' facts, "Redness afterwards: mild", "Numbing cream: yes",
 * "Roller cleaned", "Topical: HA serum", in that order, each a string
 * (the free text is not one); empty when there are none.
 */
GPtrArray *rc_notes_facts(GVariant *notes);
