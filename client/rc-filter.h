/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The history's filter options (--area, --since, --until, --roller,
 * --person, --limit, --offset) shared by sessions and export, and the
 * QuerySessions filter they make.
 */
#pragma once

#include "rc-common.h"

typedef struct {
	char *area, *since, *until, *roller, *person;
	char *person_path;	/* --person resolved, once connected */
	int limit, offset;	/* limit RC_NO_LIMIT when not given */
} RcFilter;

#define RC_NO_LIMIT (-1)
#define RC_FILTER_INIT { .limit = RC_NO_LIMIT }

#define RC_FILTER_ENTRIES(f, limit_help) \
	{ "area", 'a', 0, G_OPTION_ARG_STRING, &(f).area, "Only this treatment area", "AREA" }, \
	{ "since", 0, 0, G_OPTION_ARG_STRING, &(f).since, "From this date (YYYY-MM-DD)", "DATE" }, \
	{ "until", 0, 0, G_OPTION_ARG_STRING, &(f).until, "Before this date", "DATE" }, \
	{ "roller", 'r', 0, G_OPTION_ARG_STRING, &(f).roller, "Only this roller (serial or address)", "R" }, \
	{ "person", 'p', 0, G_OPTION_ARG_STRING, &(f).person, "Only this person's sessions", "NAME" }, \
	{ "limit", 'n', 0, G_OPTION_ARG_INT, &(f).limit, limit_help, "N" }, \
	{ "offset", 0, 0, G_OPTION_ARG_INT, &(f).offset, "Skip the newest N", "N" }

void rc_filter_clear(RcFilter *f);

/* The filter's options as given ("--roller R --area A"), NULL for none. */
char *rc_filter_describe(const RcFilter *f);

/* Connects and resolves --person; FALSE (printed, *code set) if that fails. */
gboolean rc_filter_connect(const struct rc_globals *globals, const char *command, RcFilter *f,
			   GDBusConnection **bus, RdDbusManager1 **manager, int *code);

/* The a{sv} of QuerySessions (floating); NULL (printed) for a bad option. */
GVariant *rc_filter_to_variant(const char *command, const RcFilter *f);
