/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl decode: offline, no daemon.  Each input line is
 * "frame <hex>" or "record <hex>"; each gets its canonical dump and an
 * empty line.  Blank lines and lines starting with '#' are skipped.
 */
#include "config.h"

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <stdio.h>

#include "rc-decode.h"
#include "roller-dump.h"
#include "roller-hex.h"
#include "roller-record.h"

struct decode_status {
	gboolean rejected;
	gboolean unreadable;
};

static void
decode_line(const char *source, guint lineno, const char *line,
	    struct decode_status *st)
{
	static char dump[ROLLER_DUMP_RECORD_MAX];
	const char *hex;
	gboolean is_frame;
	g_autofree guint8 *bytes = NULL;
	size_t hex_len, n_bytes = 0;
	enum roller_error err;

	while (g_ascii_isspace(*line))
		line++;
	if (*line == '\0' || *line == '#')
		return;
	if (g_str_has_prefix(line, "frame") &&
	    (line[5] == '\0' || g_ascii_isspace(line[5]))) {
		is_frame = TRUE;
		hex = line + 5;
	} else if (g_str_has_prefix(line, "record") &&
		   (line[6] == '\0' || g_ascii_isspace(line[6]))) {
		is_frame = FALSE;
		hex = line + 6;
	} else {
		g_printerr("rollerctl decode: %s:%u: expected 'frame <hex>' or 'record <hex>'\n",
			   source, lineno);
		st->unreadable = TRUE;
		return;
	}
	while (g_ascii_isspace(*hex))
		hex++;
	hex_len = strlen(hex);
	while (hex_len && g_ascii_isspace(hex[hex_len - 1]))
		hex_len--;

	bytes = g_malloc(hex_len / 2 + 1);
	if (!roller_hex_decode(hex, hex_len, bytes, hex_len / 2, &n_bytes)) {
		g_printerr("rollerctl decode: %s:%u: %s\n", source, lineno,
			   hex_len % 2 ? "an odd number of hex digits" :
			   "not hex digits (0-9, a-f)");
		st->unreadable = TRUE;
		return;
	}

	if (is_frame)
		roller_dump_frame(bytes, n_bytes, dump, sizeof(dump), &err);
	else
		roller_dump_record(bytes, n_bytes, dump, sizeof(dump), &err);
	if (err != ROLLER_OK)
		st->rejected = TRUE;
	fputs(dump, stdout);
	fputs("\n", stdout);
}

static void
decode_stream(const char *source, GInputStream *in, struct decode_status *st)
{
	g_autoptr(GDataInputStream) data = g_data_input_stream_new(in);
	g_autoptr(GError) error = NULL;
	guint lineno = 0;

	g_data_input_stream_set_newline_type(data, G_DATA_STREAM_NEWLINE_TYPE_ANY);
	for (;;) {
		g_autofree char *line = NULL;
		gsize len;

		line = g_data_input_stream_read_line(data, &len, NULL, &error);
		if (!line)
			break;
		lineno++;
		if (strlen(line) != len) {
			g_printerr("rollerctl decode: %s:%u: line contains a NUL byte\n",
				   source, lineno);
			st->unreadable = TRUE;
			continue;
		}
		decode_line(source, lineno, line, st);
	}
	if (error) {
		g_printerr("rollerctl decode: %s: %s\n", source, error->message);
		st->unreadable = TRUE;
	}
}

int
rc_cmd_decode(const struct rc_globals *globals, int argc, char **argv)
{
	struct decode_status st = { FALSE, FALSE };
	int exit_code;

	if (!rc_parse_options("decode", "[FILE...]",
			      "Print the canonical dump (profile section 8) of each input line,\n"
			      "'frame <hex>' or 'record <hex>', from the FILEs or standard input.\n"
			      "Works offline; rollerd is not needed.\n\n"
			      "Exit status: 0 every input decoded, 1 an input was rejected\n"
			      "(its dump is 'error <NAME>'), 2 an input line or file was unreadable.",
			      NULL, &argc, &argv, &exit_code))
		return exit_code;

	if (argc < 2) {
		g_autoptr(GInputStream) in = g_unix_input_stream_new(0, FALSE);

		decode_stream("<stdin>", in, &st);
	}
	for (int i = 1; i < argc; i++) {
		g_autoptr(GFile) file = g_file_new_for_commandline_arg(argv[i]);
		g_autoptr(GError) error = NULL;
		g_autoptr(GFileInputStream) in = NULL;

		if (g_strcmp0(argv[i], "-") == 0) {
			g_autoptr(GInputStream) sin = g_unix_input_stream_new(0, FALSE);

			decode_stream("<stdin>", sin, &st);
			continue;
		}
		in = g_file_read(file, NULL, &error);
		if (!in) {
			g_printerr("rollerctl decode: %s\n", error->message);
			st.unreadable = TRUE;
			continue;
		}
		decode_stream(argv[i], G_INPUT_STREAM(in), &st);
	}
	fflush(stdout);
	if (st.unreadable)
		return RC_EXIT_USAGE;
	return st.rejected ? RC_EXIT_FAILURE : RC_EXIT_OK;
}
