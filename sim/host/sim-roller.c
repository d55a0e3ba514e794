/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>

#include <gio/gio.h>

#include "roller-record.h"
#include "sim/model/model-session.h"
#include "sim/model/model-store.h"
#include "roller-transfer.h"
#include "sim-clock.h"
#include "sim-ground-truth.h"
#include "sim-hostile.h"
#include "sim-link-rate.h"
#include "sim-roller.h"

/* Real milliseconds between two looks at a model with nothing planned. */
#define IDLE_POLL_MS 1000
/* Real milliseconds between two looks at the state for slow changes
 * (the battery); records stored or deleted are saved at once. */
#define STATE_POLL_MS 1000
/* A GATT value is at most 512 bytes (Core spec Vol 3 Part F 3.2.9). */
#define ATT_VALUE_MAX 512

struct pending_notification {
	enum model_char_id ch;
	GBytes *data;
};

struct _SimRoller {
	SimConfig *cfg;
	guint index;
	char address[18];
	char name[16];

	struct model_device *dev;
	/* The model may keep the pointer: it lives as long as the model. */
	struct model_device_io io;
	guint8 *store;
	gsize store_size;
	guint timer;

	gboolean connected;
	guint16 mtu;
	const SimRollerLink *link;
	gpointer link_data;

	/* The radio: notifications wait here for the idle that sends them. */
	GQueue radio;
	guint radio_idle;	/* an idle, or a timeout while the link is full */
	SimLinkRate rate;
	/* --fault-reorder-records: a record's chunks, held back until the
	 * next notification (of a record or not) has gone first. */
	GQueue held;
	gboolean held_complete;
	/* --fault-reorder-telemetry: a frame waiting for the next notification. */
	struct pending_notification *held_telemetry;
	GRand *drop_rand;
	SimHostile *hostile;
	guint fault_generation;
	guint64 transfer_bytes;
	guint transfer_chunks;
	guint transfer_records;
	gboolean dropping_record;
	gboolean cut_done;
	gboolean corrupt_done;

	SimGroundTruth *truth;
	char *state_path;
	GBytes *saved_state;
	/* Something was stored, or the central wrote a request. */
	gboolean state_dirty;
	guint state_timer;
};

static void
pending_notification_free(struct pending_notification *n)
{
	g_bytes_unref(n->data);
	g_free(n);
}

static gboolean
parse_address(const char *text, guint64 *out)
{
	guint64 value = 0;

	for (int i = 0; i < 6; i++) {
		int hi = g_ascii_xdigit_value(text[3 * i]);
		int lo = hi < 0 ? -1 : g_ascii_xdigit_value(text[3 * i + 1]);

		if (lo < 0 || text[3 * i + 2] != (i == 5 ? '\0' : ':'))
			return FALSE;
		value = value << 8 | (guint64)(hi << 4 | lo);
	}
	*out = value;
	return TRUE;
}

static void
save_state(SimRoller *self)
{
	g_autofree guint8 *buf = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) state = NULL;
	size_t need;

	if (!self->state_path)
		return;
	need = model_device_save(self->dev, NULL, 0);
	buf = g_malloc(need ? need : 1);
	need = model_device_save(self->dev, buf, need);
	state = g_bytes_new_take(g_steal_pointer(&buf), need);
	if (self->saved_state && g_bytes_equal(state, self->saved_state))
		return;
	/* g_file_set_contents() writes a temporary file and renames it: a
	 * crash leaves the old state or the new one, never half of one. */
	if (!g_file_set_contents(self->state_path, g_bytes_get_data(state, NULL),
				 (gssize)need, &error)) {
		g_warning("Saving %s: %s", self->state_path, error->message);
		return;
	}
	g_debug("%s: state saved (%zu bytes)", self->address, need);
	g_clear_pointer(&self->saved_state, g_bytes_unref);
	self->saved_state = g_steal_pointer(&state);
}

static gboolean on_timer(gpointer data);

/* Lets the model act up to now, then sleeps until its next action. */
static void
run_model(SimRoller *self)
{
	guint32 now = sim_clock_now_ms();
	guint32 next = model_device_advance(self->dev, now);
	guint delay;

	if (self->timer)
		g_source_remove(self->timer);
	delay = next > now ? sim_clock_real_ms(next - now) : 1;
	self->timer = g_timeout_add(MIN(delay, IDLE_POLL_MS), on_timer, self);
	/* Records stored or deleted, a clock or band set: saved at once. */
	if (self->state_dirty) {
		self->state_dirty = FALSE;
		save_state(self);
	}
}

static gboolean
on_state_timer(gpointer data)
{
	save_state(data);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_timer(gpointer data)
{
	SimRoller *self = data;

	self->timer = 0;
	run_model(self);
	return G_SOURCE_REMOVE;
}

static void
arm_faults(SimRoller *self)
{
	if (self->fault_generation == self->cfg->faults.generation)
		return;
	self->fault_generation = self->cfg->faults.generation;
	self->transfer_bytes = 0;
	self->transfer_chunks = 0;
	self->transfer_records = 0;
	self->dropping_record = FALSE;
	self->cut_done = FALSE;
	self->corrupt_done = FALSE;
}

static void
lose_link(SimRoller *self)
{
	const SimRollerLink *link = self->link;

	g_debug("%s: link cut after %" G_GUINT64_FORMAT " bytes of records",
		self->address, self->transfer_bytes);
	/* The central learns of it; it calls sim_roller_disconnect(). */
	if (link && link->link_lost)
		link->link_lost(self->link_data);
}

/* A hostile roller's frames go out on the link as Telemetry. */
static void
send_hostile(gpointer user_data, const guint8 *frame, gsize len)
{
	SimRoller *self = user_data;

	if (self->link && self->link->notify)
		self->link->notify(self->link_data, MODEL_CHAR_TELEMETRY, frame, len);
}

/* Sends one notification over the radio; FALSE when the link went down. */
static gboolean
transmit(SimRoller *self, struct pending_notification *n)
{
	SimFaults *faults = &self->cfg->faults;
	gsize len;
	const guint8 *data = g_bytes_get_data(n->data, &len);
	g_autofree guint8 *corrupted = NULL;

	arm_faults(self);
	if (n->ch == MODEL_CHAR_TELEMETRY) {
		/* Drawn for every frame, so that the losses depend on the
		 * seed and the frame's rank only. */
		gboolean lost = g_rand_int_range(self->drop_rand, 0, 100) <
				(gint32)faults->drop_notify_percent;

		sim_ground_truth_frame(self->truth, data, len, !lost);
		if (!lost && self->link && self->link->notify)
			self->link->notify(self->link_data, n->ch, data, len);
		sim_ground_truth_flush(self->truth);
		/* A hostile roller's own frames are not lost with its model's. */
		sim_hostile_after_frame(self->hostile, faults, self->mtu, data, len,
					self->truth, send_hostile, self);
		return TRUE;
	} else if (n->ch == MODEL_CHAR_RECORD_TRANSFER) {
		/* A record lost whole leaves no gap in the chunks' offsets. */
		if (len >= ROLLER_CHUNK_HEADER_LEN && roller_get_le16(data + 2) == 0) {
			self->transfer_records++;
			self->dropping_record = faults->drop_record &&
						self->transfer_records == faults->drop_record;
		}
		if (self->dropping_record)
			return TRUE;
		self->transfer_chunks++;
		if (faults->corrupt_chunk && !self->corrupt_done &&
		    self->transfer_chunks == faults->corrupt_chunk && len > 5) {
			/* A data byte, past the chunk header: only the
			 * record's CRC can tell. */
			corrupted = g_memdup2(data, len);
			corrupted[len - 1] ^= 0xff;
			data = corrupted;
			self->corrupt_done = TRUE;
		}
		self->transfer_bytes += len;
	}
	if (self->link && self->link->notify)
		self->link->notify(self->link_data, n->ch, data, len);
	if (n->ch == MODEL_CHAR_RECORD_TRANSFER &&
	    faults->disconnect_after_bytes && !self->cut_done &&
	    self->transfer_bytes >= faults->disconnect_after_bytes) {
		self->cut_done = TRUE;
		lose_link(self);
		return FALSE;
	}
	return TRUE;
}

static gboolean
is_last_chunk(const struct pending_notification *n)
{
	gsize len;
	const guint8 *data = g_bytes_get_data(n->data, &len);

	return n->ch == MODEL_CHAR_RECORD_TRANSFER && len >= ROLLER_CHUNK_HEADER_LEN &&
	       (data[4] & ROLLER_CHUNK_FLAG_LAST);
}

/* Sends @n and frees it; FALSE when the link is down. */
static gboolean
transmit_one(SimRoller *self, struct pending_notification *n)
{
	gboolean up = self->connected && transmit(self, n);

	pending_notification_free(n);
	return up;
}

/*
 * What EATT did through the real bluetoothd: each record waits until the
 * next one is sent, or until whatever comes next (the control point's
 * answer to REPORT_RECORDS) has overtaken it.
 */
static gboolean
transmit_reordered(SimRoller *self, struct pending_notification *n)
{
	gboolean flush = self->held_complete &&
			 (n->ch != MODEL_CHAR_RECORD_TRANSFER || is_last_chunk(n));
	gboolean hold = n->ch == MODEL_CHAR_RECORD_TRANSFER && !self->held_complete;
	gboolean last = is_last_chunk(n);

	if (hold) {
		g_queue_push_tail(&self->held, n);
		self->held_complete = last;
		return TRUE;
	}
	if (!transmit_one(self, n))
		return FALSE;
	if (!flush)
		return TRUE;
	self->held_complete = FALSE;
	while ((n = g_queue_pop_head(&self->held))) {
		if (!transmit_one(self, n))
			return FALSE;
	}
	return TRUE;
}

/* A Telemetry frame overtaken by whatever comes next. */
static gboolean
transmit_telemetry_swapped(SimRoller *self, struct pending_notification *n)
{
	struct pending_notification *held = self->held_telemetry;

	if (n->ch == MODEL_CHAR_TELEMETRY && !held) {
		self->held_telemetry = n;
		return TRUE;
	}
	self->held_telemetry = NULL;
	if (!transmit_one(self, n)) {
		g_clear_pointer(&held, pending_notification_free);
		return FALSE;
	}
	return held ? transmit_one(self, held) : TRUE;
}

static gboolean
transmit_with_faults(SimRoller *self, struct pending_notification *n)
{
	if (self->cfg->faults.reorder_records)
		return transmit_reordered(self, n);
	if (self->cfg->faults.reorder_telemetry)
		return transmit_telemetry_swapped(self, n);
	return transmit_one(self, n);
}

static gboolean
on_radio_idle(gpointer data)
{
	SimRoller *self = data;
	struct pending_notification *n;

	self->radio_idle = 0;
	while (!g_queue_is_empty(&self->radio)) {
		gint64 wait_us;
		gboolean up;

		if (!sim_link_rate_take(&self->rate, g_get_monotonic_time(), &wait_us)) {
			self->radio_idle = g_timeout_add((guint)((wait_us + 999) / 1000),
							 on_radio_idle, self);
			break;
		}
		n = g_queue_pop_head(&self->radio);
		up = transmit_with_faults(self, n);
		if (!up)
			break;
	}
	return G_SOURCE_REMOVE;
}

static void
clear_radio(SimRoller *self)
{
	g_queue_clear_full(&self->radio, (GDestroyNotify)pending_notification_free);
	g_queue_clear_full(&self->held, (GDestroyNotify)pending_notification_free);
	self->held_complete = FALSE;
	g_clear_pointer(&self->held_telemetry, pending_notification_free);
	if (self->radio_idle) {
		g_source_remove(self->radio_idle);
		self->radio_idle = 0;
	}
}

static void
on_device_notify(void *user, enum model_char_id ch, const uint8_t *data,
		 size_t len)
{
	SimRoller *self = user;
	struct pending_notification *n;

	if (!self->connected)
		return;
	n = g_new0(struct pending_notification, 1);
	n->ch = ch;
	n->data = g_bytes_new(data, len);
	g_queue_push_tail(&self->radio, n);
	if (!self->radio_idle)
		self->radio_idle = g_idle_add(on_radio_idle, self);
}

static void
on_record_stored(void *user, const uint8_t *record, size_t len)
{
	SimRoller *self = user;

	g_debug("%s: record of %zu bytes stored", self->address, len);
	sim_ground_truth_record(self->truth, record, len);
	self->state_dirty = TRUE;
}

static gboolean
load_state(SimRoller *self, GError **error)
{
	g_autofree char *contents = NULL;
	g_autoptr(GError) local_error = NULL;
	gsize len;

	if (!g_file_get_contents(self->state_path, &contents, &len, &local_error)) {
		if (g_error_matches(local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return FALSE;
		g_propagate_error(error, g_steal_pointer(&local_error));
		return FALSE;
	}
	if (!model_device_load(self->dev, (const uint8_t *)contents, len)) {
		g_warning("%s: unusable state, starting afresh", self->state_path);
		return FALSE;
	}
	self->saved_state = g_bytes_new(contents, len);
	return TRUE;
}

SimRoller *
sim_roller_new(SimConfig *cfg, guint index, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	struct model_device_config dev_cfg;
	SimRoller *self;
	guint64 base;
	gboolean loaded = FALSE;

	if (!parse_address(cfg->address_base, &base)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "Not an address: %s", cfg->address_base);
		return NULL;
	}
	base = (base + index) & G_GUINT64_CONSTANT(0xffffffffffff);

	self = g_new0(SimRoller, 1);
	self->cfg = cfg;
	self->index = index;
	g_snprintf(self->address, sizeof(self->address),
		   "%02X:%02X:%02X:%02X:%02X:%02X",
		   (guint)(base >> 40) & 0xff, (guint)(base >> 32) & 0xff,
		   (guint)(base >> 24) & 0xff, (guint)(base >> 16) & 0xff,
		   (guint)(base >> 8) & 0xff, (guint)base & 0xff);
	g_queue_init(&self->radio);
	g_queue_init(&self->held);

	model_device_config_defaults(&dev_cfg);
	/* Distinct rollers, each reproducible from --seed. */
	dev_cfg.seed = cfg->seed + index;
	/* The serial ends in the address's last three bytes, so the name
	 * "Roller XXXX" (its last four digits) matches the address. */
	g_snprintf(dev_cfg.serial, sizeof(dev_cfg.serial), "RL%06X",
		   (guint)(base & 0xffffff));
	g_snprintf(self->name, sizeof(self->name), "Roller %04X",
		   (guint)(base & 0xffff));
	if (cfg->capacity > 0)
		dev_cfg.info.record_capacity = (uint16_t)cfg->capacity;
	dev_cfg.whole_passes = cfg->whole_passes;
	if (cfg->session_seconds >= 0)
		dev_cfg.session_seconds = (uint16_t)MIN(cfg->session_seconds,
							G_MAXUINT16);

	self->dev = g_malloc0(model_device_size());
	/* The flash: room for every record the roller says it can keep,
	 * at the largest size a session makes, with its entry's length. */
	self->store_size = (gsize)MAX(dev_cfg.info.record_capacity, 1) *
			   (model_session_record_max(dev_cfg.info.grid_cols,
						      dev_cfg.info.grid_rows) +
			    MODEL_STORE_ENTRY_HEADER);
	self->store = g_malloc0(self->store_size);
	self->io.notify = on_device_notify;
	self->io.record_stored = on_record_stored;
	self->io.user = self;
	model_device_init(self->dev, &dev_cfg, self->store, self->store_size,
			   &self->io);
	self->drop_rand = g_rand_new_with_seed(cfg->seed ^ (0x5eed0000u + index));
	self->hostile = sim_hostile_new(cfg->seed ^ (0xba5e0000u + index));
	self->fault_generation = cfg->faults.generation;

	if (cfg->ground_truth_dir) {
		self->truth = sim_ground_truth_open(cfg->ground_truth_dir,
						    self->address, cfg->ground_truth_times,
						    &local_error);
		if (!self->truth)
			goto fail;
	}
	if (cfg->state_dir) {
		g_autofree char *file = g_strconcat(self->address, ".state", NULL);

		if (g_mkdir_with_parents(cfg->state_dir, 0755) < 0) {
			int saved = errno;

			g_set_error(&local_error, G_IO_ERROR,
				    g_io_error_from_errno(saved),
				    "Cannot create %s: %s", cfg->state_dir,
				    g_strerror(saved));
			goto fail;
		}
		self->state_path = g_build_filename(cfg->state_dir, file, NULL);
		loaded = load_state(self, &local_error);
		if (local_error)
			goto fail;
	}
	/* A roller whose state came back already holds its records. */
	if (!loaded && cfg->stored)
		model_device_preload_sessions(self->dev, cfg->stored);
	if (self->state_path)
		self->state_timer = g_timeout_add(STATE_POLL_MS, on_state_timer, self);
	run_model(self);
	return self;

fail:
	g_propagate_error(error, g_steal_pointer(&local_error));
	sim_roller_free(self);
	return NULL;
}

void
sim_roller_free(SimRoller *self)
{
	if (!self)
		return;
	clear_radio(self);
	if (self->timer)
		g_source_remove(self->timer);
	if (self->state_timer)
		g_source_remove(self->state_timer);
	if (self->dev && self->state_path)
		save_state(self);
	sim_ground_truth_close(self->truth);
	g_clear_pointer(&self->saved_state, g_bytes_unref);
	g_free(self->state_path);
	g_rand_free(self->drop_rand);
	sim_hostile_free(self->hostile);
	g_free(self->store);
	g_free(self->dev);
	g_free(self);
}

const char *
sim_roller_get_address(SimRoller *self)
{
	return self->address;
}

const char *
sim_roller_get_name(SimRoller *self)
{
	return self->name;
}

guint
sim_roller_get_index(SimRoller *self)
{
	return self->index;
}

void
sim_roller_connect(SimRoller *self, guint16 mtu, const SimRollerLink *link,
		   gpointer link_data)
{
	g_return_if_fail(!self->connected);

	self->connected = TRUE;
	self->mtu = mtu;
	self->link = link;
	self->link_data = link_data;
	g_debug("%s: connected, MTU %u", self->address, mtu);
	model_device_connect(self->dev, mtu, sim_clock_now_ms());
	run_model(self);
}

void
sim_roller_disconnect(SimRoller *self)
{
	if (!self->connected)
		return;
	self->connected = FALSE;
	self->link = NULL;
	self->link_data = NULL;
	/* What was still in the air is lost with the link. */
	clear_radio(self);
	g_debug("%s: disconnected", self->address);
	model_device_disconnect(self->dev, sim_clock_now_ms());
	run_model(self);
}

gboolean
sim_roller_is_connected(SimRoller *self)
{
	return self->connected;
}

const SimFaults *
sim_roller_get_faults(SimRoller *self)
{
	return &self->cfg->faults;
}

guint16
sim_roller_get_mtu(SimRoller *self)
{
	return self->mtu;
}

void
sim_roller_subscribe(SimRoller *self, enum model_char_id ch, gboolean enabled)
{
	g_debug("%s: char %d %s", self->address, ch,
		enabled ? "subscribed" : "unsubscribed");
	model_device_subscribe(self->dev, ch, enabled);
	run_model(self);
}

enum model_att_error
sim_roller_read(SimRoller *self, enum model_char_id ch, guint16 offset,
		GByteArray *out)
{
	guint8 buf[ATT_VALUE_MAX];
	size_t len = 0;
	enum model_att_error err;

	/* A read sees the model as it is now, not at its last timer. */
	run_model(self);
	err = model_device_read(self->dev, ch, offset, buf, sizeof(buf), &len);
	if (err == MODEL_ATT_OK)
		g_byte_array_append(out, buf, (guint)len);
	return err;
}

enum model_att_error
sim_roller_write(SimRoller *self, enum model_char_id ch, const guint8 *data,
		 gsize len)
{
	enum model_att_error err;

	run_model(self);
	err = model_device_write(self->dev, ch, data, len, sim_clock_now_ms());
	/* A request may delete records, set the clock or the band. */
	self->state_dirty = TRUE;
	run_model(self);
	return err;
}

void
sim_roller_press_button(SimRoller *self)
{
	run_model(self);
	g_debug("%s: button pressed", self->address);
	model_device_press_button(self->dev, sim_clock_now_ms());
	run_model(self);
}
