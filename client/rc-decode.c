/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl decode: offline, no daemon.  Each input line is
 * "frame <hex>" or "record <hex>"; each gets its canonical dump and an
 * empty line, or with --json an object whose fields are the dump's.
 * Blank lines and lines starting with '#' are skipped.
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
	JsonBuilder *json;	/* the array of inputs, with --json */
};

/* "12" as a number, "yes"/"no" as booleans, anything else ("0x1f") as text. */
static void
add_dump_value(JsonBuilder *b, const char *value)
{
	guint64 n;

	if (g_ascii_string_to_unsigned(value, 10, 0, G_MAXINT64, &n, NULL))
		json_builder_add_int_value(b, (gint64)n);
	else if (g_str_equal(value, "yes") || g_str_equal(value, "no"))
		json_builder_add_boolean_value(b, g_str_equal(value, "yes"));
	else
		json_builder_add_string_value(b, value);
}

/*
 * One line of the canonical dump as an object: its first word as "kind",
 * each key=value as a member (a comma list, dirs=, as an array), CxR as
 * "cols" and "rows", and the bare numbers as "values".
 */
static void
add_dump_line(JsonBuilder *b, const char *line)
{
	g_auto(GStrv) words = g_strsplit(line, " ", -1);
	g_autoptr(GPtrArray) values = g_ptr_array_new();
	guint cols, rows;
	char x;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "kind");
	json_builder_add_string_value(b, words[0]);
	for (guint i = 1; words[i]; i++) {
		char *eq = strchr(words[i], '=');

		if (eq) {
			g_auto(GStrv) items = g_strsplit(eq + 1, ",", -1);

			*eq = '\0';
			json_builder_set_member_name(b, words[i]);
			if (!items[1]) {
				add_dump_value(b, items[0]);
				continue;
			}
			json_builder_begin_array(b);
			for (guint j = 0; items[j]; j++)
				add_dump_value(b, items[j]);
			json_builder_end_array(b);
		} else if (sscanf(words[i], "%ux%u%c", &cols, &rows, &x) == 2) {
			json_builder_set_member_name(b, "cols");
			json_builder_add_int_value(b, cols);
			json_builder_set_member_name(b, "rows");
			json_builder_add_int_value(b, rows);
		} else {
			g_ptr_array_add(values, words[i]);
		}
	}
	/* The lines that list numbers have "values", empty when n=0. */
	if (values->len || g_str_equal(words[0], "force") || g_str_equal(words[0], "coverage") ||
	    g_str_equal(words[0], "trace")) {
		json_builder_set_member_name(b, "values");
		json_builder_begin_array(b);
		for (guint i = 0; i < values->len; i++)
			add_dump_value(b, values->pdata[i]);
		json_builder_end_array(b);
	}
	json_builder_end_object(b);
}

static void
add_input(JsonBuilder *b, const char *source, guint lineno, gboolean is_frame,
	  enum roller_error err, const char *dump)
{
	g_auto(GStrv) lines = g_strsplit(dump, "\n", -1);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "source");
	json_builder_add_string_value(b, source);
	json_builder_set_member_name(b, "line");
	json_builder_add_int_value(b, lineno);
	json_builder_set_member_name(b, "input");
	json_builder_add_string_value(b, is_frame ? "frame" : "record");
	json_builder_set_member_name(b, "error");
	if (err != ROLLER_OK)
		json_builder_add_string_value(b, dump + strlen("error "));
	else
		json_builder_add_null_value(b);
	json_builder_set_member_name(b, "dump");
	json_builder_begin_array(b);
	for (guint i = 0; err == ROLLER_OK && lines[i]; i++) {
		if (*lines[i])
			add_dump_line(b, lines[i]);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
}

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
	if (st->json) {
		g_strchomp(dump);
		add_input(st->json, source, lineno, is_frame, err, dump);
		return;
	}
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
	g_autoptr(JsonBuilder) json = globals->json ? json_builder_new() : NULL;
	struct decode_status st = { FALSE, FALSE, json };
	int exit_code;

	if (!rc_parse_options("decode", "[FILE...]",
			      "Print the canonical dump (profile section 8) of each input line,\n"
			      "'frame <hex>' or 'record <hex>', from the FILEs or standard input.\n"
			      "Works offline; rollerd is not needed.\n\n"
			      "Exit status: 0 every input decoded, 1 an input was rejected\n"
			      "(its dump is 'error <NAME>'), 2 an input line or file was unreadable.",
			      NULL, &argc, &argv, &exit_code))
		return exit_code;

	if (json)
		json_builder_begin_array(json);
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
	if (json) {
		g_autoptr(JsonNode) root = NULL;

		json_builder_end_array(json);
		root = json_builder_get_root(json);
		rc_print_json(root);
	}
	fflush(stdout);
	if (st.unreadable)
		return RC_EXIT_USAGE;
	return st.rejected ? RC_EXIT_FAILURE : RC_EXIT_OK;
}
