/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * People on D-Bus: Manager1.AddPerson and ListPeople, and a Person1
 * object at /org/rollerd/person/<ID> for every person (few: a household,
 * a practitioner's clients), exported while rollerd runs.
 */
#pragma once

#include "daemon/rd-context.h"
#include "common/rd-dbus-generated.h"

typedef struct _RdPeople RdPeople;

RdPeople *rd_people_new(RdContext *ctx, RdDbusManager1 *manager);
void rd_people_free(RdPeople *people);

/* /org/rollerd/person/<ID>. */
char *rd_people_path(gint64 id);

/*
 * The id of the person at @path: InvalidArguments for a path that is no
 * person's, NotFound for one no longer there.
 */
gboolean rd_people_resolve(RdContext *ctx, const char *path, gint64 *id, GError **error);
