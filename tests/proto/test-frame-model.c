/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test-frame-model.h"

/* Small sizes mostly, so that frames hold several records. */
static uint32_t
rand_size(struct test_rand *rnd, uint32_t max)
{
	uint32_t small = max < 8 ? max : 8;

	return test_rand_range(rnd, 0, 3) ? test_rand_range(rnd, 0, small) :
					    test_rand_range(rnd, 0, max);
}

static void
random_record(struct test_rand *rnd, struct test_frame_record *m,
	      size_t body_room)
{
	static const uint8_t types[] = {
		ROLLER_RECORD_FORCE, ROLLER_RECORD_STROKE, ROLLER_RECORD_COVERAGE,
		ROLLER_RECORD_EVENT, 0x00, 0x05, 0x7f, 0x80, 0xff,
	};

	m->type = types[test_rand_range(rnd, 0, sizeof(types) - 1)];
	switch (m->type) {
	case ROLLER_RECORD_FORCE:
		m->t_ms = test_rand_next(rnd);
		m->period_ms = (uint8_t)test_rand_range(rnd, 1, 255);
		m->n = (uint16_t)(1 + rand_size(rnd, TEST_FRAME_MAX_SAMPLES - 1));
		for (unsigned i = 0; i < m->n; i++)
			m->samples[i] = test_rand_range(rnd, 0, 9) ?
				(uint16_t)test_rand_next(rnd) : ROLLER_FORCE_INVALID;
		m->len = (uint8_t)(ROLLER_FORCE_BODY_MIN + 2 * m->n);
		break;
	case ROLLER_RECORD_STROKE:
		m->stroke.t_end_ms = test_rand_next(rnd);
		m->stroke.roll_count = (uint16_t)test_rand_next(rnd);
		m->stroke.length_mm = (uint16_t)test_rand_next(rnd);
		m->stroke.heading = (uint8_t)test_rand_next(rnd);
		m->stroke.zone = (uint8_t)test_rand_next(rnd);
		m->stroke.mean_force_cN = (uint16_t)test_rand_next(rnd);
		m->len = ROLLER_STROKE_BODY_LEN;
		break;
	case ROLLER_RECORD_COVERAGE:
		m->cols = (uint8_t)(1 + rand_size(rnd, ROLLER_GRID_MAX - 1));
		m->rows = (uint8_t)(1 + rand_size(rnd, ROLLER_GRID_MAX - 1));
		test_rand_fill(rnd, m->bytes, (size_t)m->cols * m->rows);
		m->len = (uint8_t)(2 + m->cols * m->rows);
		break;
	case ROLLER_RECORD_EVENT:
		m->event.t_ms = test_rand_next(rnd);
		m->event.code = (uint8_t)test_rand_next(rnd);
		m->event.reserved = (uint8_t)test_rand_next(rnd);
		m->event.arg = (uint16_t)test_rand_next(rnd);
		m->len = ROLLER_EVENT_BODY_LEN;
		break;
	default:
		m->len = (uint8_t)rand_size(rnd, 255);
		/* body_room 0 does not say whether a header still fits. */
		if (m->len == 0 && body_room == 0)
			m->len = 1;
		test_rand_fill(rnd, m->bytes, m->len);
		break;
	}
}

static enum roller_error
add_record(struct roller_frame_writer *w, const struct test_frame_record *m)
{
	switch (m->type) {
	case ROLLER_RECORD_FORCE:
		return roller_frame_add_force(w, m->t_ms, m->period_ms, m->samples, m->n);
	case ROLLER_RECORD_STROKE:
		return roller_frame_add_stroke(w, &m->stroke);
	case ROLLER_RECORD_COVERAGE:
		return roller_frame_add_coverage(w, m->cols, m->rows, m->bytes);
	case ROLLER_RECORD_EVENT:
		return roller_frame_add_event(w, &m->event);
	default:
		return roller_frame_add_raw(w, m->type, m->bytes, m->len);
	}
}

static bool
is_known_type(uint8_t type)
{
	return type >= ROLLER_RECORD_FORCE && type <= ROLLER_RECORD_EVENT;
}

/*
 * Builds a random frame into a heap buffer of exactly its capacity, as
 * the model says; records that do not fit must leave the frame as it was.
 */
uint8_t *
test_frame_build_random(struct test_rand *rnd, struct test_frame_model *model,
			size_t *len)
{
	static const size_t caps[] = { 20, 244, 512 };
	struct roller_frame_writer w;
	size_t cap = test_rand_range(rnd, 0, 3) < 3 ?
		caps[test_rand_range(rnd, 0, 2)] : test_rand_range(rnd, 6, 512);
	uint8_t *buf = malloc(cap);
	unsigned attempts = test_rand_range(rnd, 0, 24);

	assert_non_null(buf);
	model->seq = (uint8_t)test_rand_next(rnd);
	model->session_id = (uint16_t)test_rand_next(rnd);
	model->crc = test_rand_next(rnd) & 1;
	model->n_records = model->n_unknown = 0;
	roller_frame_writer_init(&w, buf, cap, model->seq, model->session_id,
				 model->crc);
	while (attempts-- && model->n_records < TEST_FRAME_MAX_RECORDS) {
		struct test_frame_record *m = &model->rec[model->n_records];
		size_t before = w.len;
		enum roller_error err;

		random_record(rnd, m, roller_frame_writer_body_room(&w));
		err = add_record(&w, m);
		if (err == ROLLER_OK) {
			assert_int_equal(w.len, before + 2 + m->len);
			model->n_records++;
			model->n_unknown += !is_known_type(m->type);
		} else {
			assert_int_equal(err, ROLLER_ERR_NO_SPACE);
			assert_int_equal(w.len, before);
		}
	}
	*len = roller_frame_writer_finish(&w);
	assert_true(*len <= cap);
	return buf;
}

void
test_frame_assert_record(const struct roller_record *r,
			 const struct test_frame_record *m)
{
	assert_int_equal(r->type, m->type);
	assert_int_equal(r->len, m->len);
	switch (m->type) {
	case ROLLER_RECORD_FORCE:
		assert_int_equal(r->u.force.t_ms, m->t_ms);
		assert_int_equal(r->u.force.period_ms, m->period_ms);
		assert_int_equal(r->u.force.n, m->n);
		for (unsigned i = 0; i < m->n; i++)
			assert_int_equal(roller_force_sample(&r->u.force, i), m->samples[i]);
		break;
	case ROLLER_RECORD_STROKE:
		assert_int_equal(r->u.stroke.t_end_ms, m->stroke.t_end_ms);
		assert_int_equal(r->u.stroke.roll_count, m->stroke.roll_count);
		assert_int_equal(r->u.stroke.length_mm, m->stroke.length_mm);
		assert_int_equal(r->u.stroke.heading, m->stroke.heading);
		assert_int_equal(r->u.stroke.zone, m->stroke.zone);
		assert_int_equal(r->u.stroke.mean_force_cN, m->stroke.mean_force_cN);
		break;
	case ROLLER_RECORD_COVERAGE:
		assert_int_equal(r->u.coverage.cols, m->cols);
		assert_int_equal(r->u.coverage.rows, m->rows);
		assert_memory_equal(r->u.coverage.passes, m->bytes,
				    (size_t)m->cols * m->rows);
		break;
	case ROLLER_RECORD_EVENT:
		assert_int_equal(r->u.event.t_ms, m->event.t_ms);
		assert_int_equal(r->u.event.code, m->event.code);
		assert_int_equal(r->u.event.reserved, m->event.reserved);
		assert_int_equal(r->u.event.arg, m->event.arg);
		break;
	default:
		assert_memory_equal(r->body, m->bytes, m->len);
		break;
	}
}

/* Re-encodes a parsed frame with the writer, reserved header bits kept. */
size_t
test_frame_rebuild(const struct roller_frame *frame, uint8_t *out, size_t cap)
{
	struct roller_frame_writer w;
	struct roller_frame_iter it;
	struct roller_record rec;
	uint16_t samples[TEST_FRAME_MAX_SAMPLES];

	roller_frame_writer_init(&w, out, cap, frame->seq, frame->session_id,
				 frame->has_crc);
	out[0] = (uint8_t)(frame->version << 4 | frame->flags);
	roller_frame_iter_init(&it, frame);
	while (roller_frame_iter_next(&it, &rec)) {
		enum roller_error err;

		switch (rec.type) {
		case ROLLER_RECORD_FORCE:
			for (unsigned i = 0; i < rec.u.force.n; i++)
				samples[i] = roller_force_sample(&rec.u.force, i);
			err = roller_frame_add_force(&w, rec.u.force.t_ms,
						     rec.u.force.period_ms,
						     samples, rec.u.force.n);
			break;
		case ROLLER_RECORD_STROKE:
			err = roller_frame_add_stroke(&w, &rec.u.stroke);
			break;
		case ROLLER_RECORD_COVERAGE:
			err = roller_frame_add_coverage(&w, rec.u.coverage.cols,
							rec.u.coverage.rows,
							rec.u.coverage.passes);
			break;
		case ROLLER_RECORD_EVENT:
			err = roller_frame_add_event(&w, &rec.u.event);
			break;
		default:
			err = roller_frame_add_raw(&w, rec.type, rec.body, rec.len);
			break;
		}
		assert_int_equal(err, ROLLER_OK);
	}
	return roller_frame_writer_finish(&w);
}

size_t
test_frame_mutate(struct test_rand *rnd, uint8_t *buf, size_t len, size_t cap)
{
	size_t pos = len ? test_rand_range(rnd, 0, (uint32_t)len - 1) : 0;

	switch (test_rand_range(rnd, 0, 3)) {
	case 0:
		if (len)
			buf[pos] ^= (uint8_t)(1u << test_rand_range(rnd, 0, 7));
		return len;
	case 1:
		if (len)
			buf[pos] = (uint8_t)test_rand_next(rnd);
		return len;
	case 2:
		return test_rand_range(rnd, 0, (uint32_t)len);
	default: {
		size_t add = test_rand_range(rnd, 1, 16);

		if (len + add > cap)
			add = cap - len;
		test_rand_fill(rnd, buf + len, add);
		return len + add;
	}
	}
}

/* The dump line of one record, written here from the typed fields. */
void
test_frame_format_record(const struct roller_record *r, char *out, size_t cap)
{
	size_t n = 0;

	switch (r->type) {
	case ROLLER_RECORD_FORCE:
		n = (size_t)snprintf(out, cap, "force t=%u period=%u n=%u",
				     r->u.force.t_ms, r->u.force.period_ms,
				     r->u.force.n);
		for (unsigned i = 0; i < r->u.force.n && n < cap; i++)
			n += (size_t)snprintf(out + n, cap - n, " %u",
					      roller_force_sample(&r->u.force, i));
		break;
	case ROLLER_RECORD_STROKE:
		snprintf(out, cap, "stroke t=%u count=%u len=%u heading=%u zone=%u mean=%u",
			 r->u.stroke.t_end_ms, r->u.stroke.roll_count,
			 r->u.stroke.length_mm, r->u.stroke.heading,
			 r->u.stroke.zone, r->u.stroke.mean_force_cN);
		break;
	case ROLLER_RECORD_COVERAGE:
		n = (size_t)snprintf(out, cap, "coverage %ux%u",
				     r->u.coverage.cols, r->u.coverage.rows);
		for (unsigned i = 0; i < (unsigned)r->u.coverage.cols * r->u.coverage.rows &&
				     n < cap; i++)
			n += (size_t)snprintf(out + n, cap - n, " %u",
					      r->u.coverage.passes[i]);
		break;
	case ROLLER_RECORD_EVENT:
		snprintf(out, cap, "event t=%u code=%u arg=%u", r->u.event.t_ms,
			 r->u.event.code, r->u.event.arg);
		break;
	default:
		snprintf(out, cap, "unknown type=0x%02x len=%u", r->type, r->len);
		break;
	}
}

