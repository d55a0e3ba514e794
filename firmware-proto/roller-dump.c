/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "roller-dump.h"
#include "roller-frame.h"
#include "roller-record.h"

/* A bounded text writer that counts what it could not write. */
struct text {
	char *out;
	size_t cap;
	size_t len;
};

static void
put_str(struct text *t, const char *s)
{
	for (; *s; s++, t->len++)
		if (t->len + 1 < t->cap)
			t->out[t->len] = *s;
}

static void
put_uint(struct text *t, uint32_t v)
{
	char digits[11];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n--) {
		if (t->len + 1 < t->cap)
			t->out[t->len] = digits[n];
		t->len++;
	}
}

static void
put_field(struct text *t, const char *name, uint32_t v)
{
	put_str(t, name);
	put_uint(t, v);
}

static void
put_hex8(struct text *t, uint8_t v)
{
	static const char hex[] = "0123456789abcdef";
	char s[3] = { hex[v >> 4], hex[v & 15], 0 };

	put_str(t, s);
}

static size_t
text_finish(struct text *t)
{
	if (t->cap)
		t->out[t->len < t->cap ? t->len : t->cap - 1] = '\0';
	return t->len;
}

static void
put_error(struct text *t, enum roller_error err)
{
	put_str(t, "error ");
	put_str(t, roller_error_name(err));
	put_str(t, "\n");
}

static void
put_coverage(struct text *t, uint8_t cols, uint8_t rows, const uint8_t *passes)
{
	put_field(t, "coverage ", cols);
	put_field(t, "x", rows);
	for (unsigned i = 0; i < (unsigned)cols * rows; i++)
		put_field(t, " ", passes[i]);
	put_str(t, "\n");
}

static void
put_frame_record(struct text *t, const struct roller_record *r)
{
	switch (r->type) {
	case ROLLER_RECORD_FORCE:
		put_field(t, "force t=", r->u.force.t_ms);
		put_field(t, " period=", r->u.force.period_ms);
		put_field(t, " n=", r->u.force.n);
		for (unsigned i = 0; i < r->u.force.n; i++)
			put_field(t, " ", roller_force_sample(&r->u.force, i));
		break;
	case ROLLER_RECORD_STROKE:
		put_field(t, "stroke t=", r->u.stroke.t_end_ms);
		put_field(t, " count=", r->u.stroke.roll_count);
		put_field(t, " len=", r->u.stroke.length_mm);
		put_field(t, " heading=", r->u.stroke.heading);
		put_field(t, " zone=", r->u.stroke.zone);
		put_field(t, " mean=", r->u.stroke.mean_force_cN);
		break;
	case ROLLER_RECORD_COVERAGE:
		put_coverage(t, r->u.coverage.cols, r->u.coverage.rows,
			     r->u.coverage.passes);
		return;
	case ROLLER_RECORD_EVENT:
		put_field(t, "event t=", r->u.event.t_ms);
		put_field(t, " code=", r->u.event.code);
		put_field(t, " arg=", r->u.event.arg);
		break;
	default:
		put_str(t, "unknown type=0x");
		put_hex8(t, r->type);
		put_field(t, " len=", r->len);
		break;
	}
	put_str(t, "\n");
}

size_t
roller_dump_frame(const uint8_t *buf, size_t len, char *out, size_t cap,
		  enum roller_error *err)
{
	struct text t = { out, cap, 0 };
	struct roller_frame f;
	struct roller_frame_iter it;
	struct roller_record r;
	enum roller_error e = roller_frame_parse(buf, len, &f);

	if (err)
		*err = e;
	if (e != ROLLER_OK) {
		put_error(&t, e);
		return text_finish(&t);
	}
	put_field(&t, "frame v=", f.version);
	put_field(&t, " seq=", f.seq);
	put_field(&t, " session=", f.session_id);
	put_str(&t, f.has_crc ? " crc=yes\n" : " crc=no\n");
	roller_frame_iter_init(&it, &f);
	while (roller_frame_iter_next(&it, &r))
		put_frame_record(&t, &r);
	return text_finish(&t);
}

size_t
roller_dump_record(const uint8_t *buf, size_t len, char *out, size_t cap,
		   enum roller_error *err)
{
	struct text t = { out, cap, 0 };
	struct roller_stored_record r;
	enum roller_error e = roller_stored_record_decode(buf, len, &r);

	if (err)
		*err = e;
	if (e != ROLLER_OK) {
		put_error(&t, e);
		return text_finish(&t);
	}
	put_field(&t, "record id=", r.record_id);
	put_field(&t, " start=", r.start_unix);
	put_field(&t, " duration=", r.duration_ms);
	put_field(&t, " area=", r.area_id);
	put_field(&t, " end=", r.end_reason);
	put_field(&t, " needle=", r.needle_um);
	put_field(&t, " rolls=", r.roll_count);
	put_field(&t, " mean=", r.force_mean_cN);
	put_field(&t, " max=", r.force_max_cN);
	put_field(&t, " inband=", r.in_band_permille);
	put_field(&t, " dirs=", r.dirs[0]);
	for (int i = 1; i < 4; i++)
		put_field(&t, ",", r.dirs[i]);
	put_str(&t, "\n");
	put_coverage(&t, r.cols, r.rows, r.passes);
	put_field(&t, "trace period=", r.trace_period_ms);
	put_field(&t, " n=", r.trace_len);
	for (unsigned i = 0; i < r.trace_len; i++)
		put_field(&t, " ", roller_stored_record_trace(&r, i));
	put_str(&t, "\n");
	return text_finish(&t);
}
