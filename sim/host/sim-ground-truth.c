/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include <gio/gio.h>

#include "roller-dump.h"
#include "roller-hex.h"
#include "sim-ground-truth.h"

struct _SimGroundTruth {
	FILE *file;
	char *path;
	gboolean times;
};

SimGroundTruth *
sim_ground_truth_open(const char *dir, const char *address, gboolean times,
		      GError **error)
{
	g_autofree char *name = g_strconcat(address, ".txt", NULL);
	g_autofree char *path = g_build_filename(dir, name, NULL);
	SimGroundTruth *truth;
	FILE *file;

	if (g_mkdir_with_parents(dir, 0755) < 0) {
		int saved = errno;

		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved),
			    "Cannot create %s: %s", dir, g_strerror(saved));
		return NULL;
	}
	file = fopen(path, "w");
	if (!file) {
		int saved = errno;

		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved),
			    "Cannot write %s: %s", path, g_strerror(saved));
		return NULL;
	}
	truth = g_new0(SimGroundTruth, 1);
	truth->times = times;
	truth->file = file;
	truth->path = g_steal_pointer(&path);
	return truth;
}

void
sim_ground_truth_close(SimGroundTruth *truth)
{
	if (!truth)
		return;
	if (fclose(truth->file) != 0)
		g_warning("Writing %s failed: %s", truth->path, g_strerror(errno));
	g_free(truth->path);
	g_free(truth);
}

static void
flush(SimGroundTruth *truth)
{
	if (fflush(truth->file) != 0)
		g_warning("Writing %s failed: %s", truth->path, g_strerror(errno));
}

void
sim_ground_truth_frame(SimGroundTruth *truth, const guint8 *frame, gsize len,
		       gboolean delivered)
{
	g_autofree char *hex = g_malloc(2 * len + 1);

	if (!truth)
		return;
	roller_hex_encode(frame, len, hex);
	fprintf(truth->file, "%s %s\n", delivered ? "frame" : "lost", hex);
	if (truth->times)
		fprintf(truth->file, "at %" G_GINT64_FORMAT "\n", g_get_monotonic_time());
}

void
sim_ground_truth_flush(SimGroundTruth *truth)
{
	if (truth)
		flush(truth);
}

void
sim_ground_truth_hostile(SimGroundTruth *truth, const guint8 *frame, gsize len)
{
	g_autofree char *hex = g_malloc(2 * len + 1);

	if (!truth)
		return;
	roller_hex_encode(frame, len, hex);
	fprintf(truth->file, "hostile %s\n", hex);
	flush(truth);
}

void
sim_ground_truth_record(SimGroundTruth *truth, const guint8 *record, gsize len)
{
	g_autofree char *dump = NULL;
	size_t need;

	if (!truth)
		return;
	need = roller_dump_record(record, len, NULL, 0, NULL);
	dump = g_malloc(need + 1);
	roller_dump_record(record, len, dump, need + 1, NULL);
	fputs(dump, truth->file);
	flush(truth);
}
