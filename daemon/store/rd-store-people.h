/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * People: whose sessions they are.  Every session belongs to one person
 * (schema version 3); the person RD_PERSON_DEFAULT_ID ("Me" in a new or
 * migrated journal) holds the sessions stored before there were people,
 * and those of a roller nobody chose a person for.
 *
 * A name is valid UTF-8 without control characters, 1 to
 * RD_PERSON_NAME_MAX characters once spaces around it are trimmed, and
 * unique without regard to case (NFKC, case-folded).  A person with
 * sessions is never removed: their sessions are health-adjacent data that
 * a wrong click must not lose nor hand to someone else; move them first
 * (rd_store_set_session_person()).  The default person is never removed.
 * Bad input is RD_ERROR_INVALID_ARGUMENTS naming what is wrong, an
 * unknown id RD_ERROR_NOT_FOUND, a removal refused RD_ERROR_FAILED.
 */
#pragma once

#include "rd-store.h"

#define RD_PERSON_DEFAULT_ID 1
#define RD_PERSON_DEFAULT_NAME "Me"
#define RD_PERSON_NAME_MAX 64		/* characters */
#define RD_PERSON_NOTES_MAX 4096	/* bytes */
#define RD_PERSON_AREAS_MAX 32
#define RD_PERSON_NEEDLE_MAX_UM 10000

typedef struct {
	gint64 id;
	char *name;
	char *notes;			/* "" when none */
	guint16 needle_um;		/* default needle length, 0: none */
	GByteArray *areas;		/* area ids, in the order given */
	guint sessions;
} RdPerson;

/* What AddPerson and SetDefaults set; NULL notes/areas: left as they are. */
typedef struct {
	const char *notes;
	gboolean set_defaults;
	guint16 needle_um;
	const guint8 *areas;
	guint n_areas;
} RdPersonProps;

void rd_person_free(RdPerson *person);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdPerson, rd_person_free)

/* A trimmed copy of @name, or NULL with RD_ERROR_INVALID_ARGUMENTS. */
char *rd_person_name_check(const char *name, GError **error);

/* What makes two names the same person: NFKC, then case-folded; the
 * clinic keys people by it too (docs/clinic.md). */
char *rd_person_name_key(const char *name);

gboolean rd_store_add_person(RdStore *store, const char *name, const RdPersonProps *props,
			     gint64 *id, GError **error);
/* Every person, ordered by name; *people receives RdPerson elements. */
gboolean rd_store_list_people(RdStore *store, GPtrArray **people, GError **error);
gboolean rd_store_get_person(RdStore *store, gint64 id, RdPerson **out, GError **error);
/* The person called @name (any case); RD_ERROR_NOT_FOUND if none. */
gboolean rd_store_find_person(RdStore *store, const char *name, gint64 *id, GError **error);
gboolean rd_store_rename_person(RdStore *store, gint64 id, const char *name, GError **error);
gboolean rd_store_set_person_props(RdStore *store, gint64 id, const RdPersonProps *props,
				   GError **error);
gboolean rd_store_remove_person(RdStore *store, gint64 id, GError **error);
/* Whether person @id exists. */
gboolean rd_store_has_person(RdStore *store, gint64 id, gboolean *found, GError **error);
/* Gives session @session_id to person @person_id. */
gboolean rd_store_set_session_person(RdStore *store, gint64 session_id, gint64 person_id,
				     GError **error);
