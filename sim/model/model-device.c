/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated roller: setup, the link (connect, CCCDs), Status and
 * Battery Level, GATT reads, the button and the main loop that runs the
 * session, the charger and the record transfer up to the host's time.
 *
 * Choices where the spec is silent:
 *  - Status shows one state: a session (1 or 2) wins over a transfer (3),
 *    which wins over charging (4).  The button may start a session while
 *    records are being transferred; the Control Point may not (BUSY).
 *  - CCCDs are cleared when a link goes down (a roller is never
 *    bonded); sessions go on while no central is connected.
 *  - Battery: see model-device-core.h; while charging no session
 *    starts.
 */
#include "model-device.h"
#include "model-device-control.h"
#include "model-device-core.h"
#include "model-device-session.h"

/* With nothing scheduled, the host may sleep this long. */
#define IDLE_WAKE_MS 60000u
#define ATT_MTU_MIN 23
#define ATT_MTU_MAX 517

void
model_device_config_defaults(struct model_device_config *cfg)
{
	static const char serial[] = "RL000001";

	memset(cfg, 0, sizeof(*cfg));
	cfg->seed = 1;
	memcpy(cfg->serial, serial, sizeof(serial));
	cfg->model = "RL-1";
	cfg->firmware = "1.0.0";
	cfg->manufacturer = "Roller Labs";
	cfg->hardware = "B";
	cfg->info = (struct roller_info) {
		.protocol_version = ROLLER_PROTOCOL_VERSION,
		.grid_cols = 10,
		.grid_rows = 8,
		.cell_mm = 10,
		.sample_period_ms = 10,
		.needle_um = 500,
		.record_capacity = 500,
		.force_band_low_cN = 300,
		.force_band_high_cN = 800,
		.force_full_scale_cN = 2000,
	};
	cfg->battery_percent = 87;
	cfg->session_seconds = 120;
	cfg->chunks_per_interval = 4;
}

size_t
model_device_size(void)
{
	return sizeof(struct model_device);
}

static void
copy_string(char *dst, const char *src, const char *fallback)
{
	size_t n = 0;

	if (!src)
		src = fallback;
	while (n < MODEL_DEVICE_STRING_MAX && src[n])
		n++;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* A configuration the host got wrong falls back to sane values rather
 * than produce frames the profile forbids. */
static void
sanitize_info(struct roller_info *info)
{
	info->protocol_version = ROLLER_PROTOCOL_VERSION;
	info->reserved = 0;
	if (info->grid_cols < 1 || info->grid_cols > ROLLER_GRID_MAX)
		info->grid_cols = 10;
	if (info->grid_rows < 1 || info->grid_rows > ROLLER_GRID_MAX)
		info->grid_rows = 8;
	if (info->cell_mm < 5 || info->cell_mm > 100)
		info->cell_mm = 10;
	if (info->sample_period_ms < 1)
		info->sample_period_ms = 10;
	/* 0xFFFF is the "no reading" sample: full scale stays below it. */
	if (info->force_full_scale_cN < 2 || info->force_full_scale_cN == UINT16_MAX)
		info->force_full_scale_cN = info->force_full_scale_cN ? UINT16_MAX - 1 : 2000;
	if (info->force_band_low_cN >= info->force_band_high_cN ||
	    info->force_band_high_cN > info->force_full_scale_cN) {
		info->force_band_high_cN = (uint16_t)(info->force_full_scale_cN * 2 / 5);
		info->force_band_low_cN = (uint16_t)(info->force_band_high_cN * 3 / 8);
	}
}

static uint64_t
serial_hash(const char *serial)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */

	for (size_t i = 0; i < MODEL_DEVICE_SERIAL_MAX && serial[i]; i++)
		h = (h ^ (uint8_t)serial[i]) * 0x100000001b3ull;
	return h;
}

void
model_device_init(struct model_device *dev,
		   const struct model_device_config *cfg,
		   uint8_t *store, size_t store_size,
		   const struct model_device_io *io)
{
	struct roller_status status;

	memset(dev, 0, sizeof(*dev));
	dev->cfg = *cfg;
	dev->cfg.serial[MODEL_DEVICE_SERIAL_MAX] = '\0';
	copy_string(dev->manufacturer, cfg->manufacturer, "Roller Labs");
	copy_string(dev->model, cfg->model, "RL-1");
	copy_string(dev->firmware, cfg->firmware, "1.0.0");
	copy_string(dev->hardware, cfg->hardware, "B");
	/* The host's strings may not outlive this call. */
	dev->cfg.manufacturer = dev->cfg.model = NULL;
	dev->cfg.firmware = dev->cfg.hardware = NULL;
	if (io)
		dev->io = *io;

	dev->seed = model_rand_mix(model_rand_mix(cfg->seed) ^
				    serial_hash(dev->cfg.serial));
	model_person_from_seed(&dev->person,
				model_rand_mix(dev->seed ^ 0x706572736f6eull));
	dev->person.whole_passes = cfg->whole_passes;
	dev->info = cfg->info;
	sanitize_info(&dev->info);
	model_store_init(&dev->store, store, store_size, dev->info.record_capacity,
			  model_session_record_max(dev->info.grid_cols,
						    dev->info.grid_rows));
	dev->info.record_capacity = dev->store.capacity;

	dev->battery = cfg->battery_percent > 100 ? 100 : cfg->battery_percent;
	dev->head_attached = true;
	dev->next_session_id = 1;
	dev->mtu = ATT_MTU_MIN;
	model_dev_get_status(dev, &status);
	roller_status_encode(&status, dev->last_status);
	dev->last_battery = dev->battery;
}

void
model_device_get_status(const struct model_device *dev,
			 struct roller_status *status)
{
	model_dev_get_status(dev, status);
}

void
model_device_get_info(const struct model_device *dev, struct roller_info *info)
{
	*info = dev->info;
}

static void
run_charger(struct model_device *dev, uint32_t now_ms)
{
	while (dev->charging && !roller_time_before(now_ms, dev->next_charge_ms)) {
		dev->next_charge_ms += MODEL_BATTERY_CHARGE_MS;
		if (dev->battery < 100)
			dev->battery++;
		if (dev->battery >= 100)
			dev->charging = false;
		model_dev_status_changed(dev);
	}
}

/* Lets the person, the battery and the transfer run up to @now_ms. */
static void
run_until(struct model_device *dev, uint32_t now_ms)
{
	/* The host's clock never goes back; if it did, time stands still. */
	if (roller_time_before(now_ms, dev->now_ms))
		now_ms = dev->now_ms;
	dev->now_ms = now_ms;
	model_dev_run_session(dev, now_ms);
	run_charger(dev, now_ms);
	model_dev_report_pump(dev, now_ms);
}

uint32_t
model_device_advance(struct model_device *dev, uint32_t now_ms)
{
	uint32_t next;

	run_until(dev, now_ms);
	now_ms = dev->now_ms;
	next = now_ms + IDLE_WAKE_MS;
	if (dev->in_session)
		next = roller_time_earlier(next, model_dev_session_next_ms(dev));
	if (dev->report.active)
		next = roller_time_earlier(next, model_dev_report_next_ms(dev));
	if (dev->charging)
		next = roller_time_earlier(next, dev->next_charge_ms);
	return roller_time_before(next, now_ms) ? now_ms : next;
}

void
model_device_connect(struct model_device *dev, uint16_t mtu, uint32_t now_ms)
{
	run_until(dev, now_ms);
	if (mtu < ATT_MTU_MIN)
		mtu = ATT_MTU_MIN;
	if (mtu > ATT_MTU_MAX)
		mtu = ATT_MTU_MAX;
	/* CCCDs stay as they are: they were all cleared when the last link
	 * went down (never bonded), and a host may report a subscription
	 * before the connection it came on. */
	dev->connected = true;
	dev->mtu = mtu;
	if (dev->in_session)
		model_telemetry_set_frame_max(&dev->telemetry,
					       model_telemetry_frame_max(mtu));
}

void
model_device_disconnect(struct model_device *dev, uint32_t now_ms)
{
	run_until(dev, now_ms);
	model_dev_report_cancel(dev);
	dev->connected = false;
	memset(dev->subscribed, 0, sizeof(dev->subscribed));
	model_dev_status_changed(dev);
}

void
model_device_subscribe(struct model_device *dev, enum model_char_id ch,
			bool enabled)
{
	switch (ch) {
	case MODEL_CHAR_TELEMETRY:
	case MODEL_CHAR_CONTROL_POINT:
	case MODEL_CHAR_RECORD_TRANSFER:
	case MODEL_CHAR_STATUS:
	case MODEL_CHAR_BATTERY_LEVEL:
		dev->subscribed[ch] = enabled;
		break;
	default:
		break;
	}
}

enum model_att_error
model_device_write(struct model_device *dev, enum model_char_id ch,
		    const uint8_t *data, size_t len, uint32_t now_ms)
{
	enum model_att_error err = model_dev_control_check(dev, ch, len);

	if (err != MODEL_ATT_OK)
		return err;
	/* The request acts on the roller as it is at @now_ms. */
	run_until(dev, now_ms);
	return model_dev_control_write(dev, data, len, dev->now_ms);
}

void
model_device_press_button(struct model_device *dev, uint32_t now_ms)
{
	uint16_t id;

	run_until(dev, now_ms);
	if (dev->in_session)
		model_dev_stop_session(dev, now_ms, &id);
	else
		model_dev_start_session(dev, dev->cfg.button_area, now_ms, &id);
}

static size_t
string_value(const char *s, uint8_t *value)
{
	size_t n = strlen(s);

	memcpy(value, s, n);
	return n;
}

enum model_att_error
model_device_read(struct model_device *dev, enum model_char_id ch,
		   uint16_t offset, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t value[MODEL_DEVICE_STRING_MAX + ROLLER_INFO_LEN];
	struct roller_status status;
	size_t len, n;

	*out_len = 0;
	switch (ch) {
	case MODEL_CHAR_ROLLER_INFO:
		roller_info_encode(&dev->info, value);
		len = ROLLER_INFO_LEN;
		break;
	case MODEL_CHAR_STATUS:
		model_dev_get_status(dev, &status);
		roller_status_encode(&status, value);
		len = ROLLER_STATUS_LEN;
		break;
	case MODEL_CHAR_BATTERY_LEVEL:
		value[0] = dev->battery;
		len = 1;
		break;
	case MODEL_CHAR_MANUFACTURER:
		len = string_value(dev->manufacturer, value);
		break;
	case MODEL_CHAR_MODEL_NUMBER:
		len = string_value(dev->model, value);
		break;
	case MODEL_CHAR_SERIAL_NUMBER:
		len = string_value(dev->cfg.serial, value);
		break;
	case MODEL_CHAR_FIRMWARE_REV:
		len = string_value(dev->firmware, value);
		break;
	case MODEL_CHAR_HARDWARE_REV:
		len = string_value(dev->hardware, value);
		break;
	default:
		return MODEL_ATT_READ_NOT_PERMITTED;
	}
	if (offset > len)
		return MODEL_ATT_INVALID_OFFSET;
	n = len - offset < cap ? len - offset : cap;
	if (n)
		memcpy(out, value + offset, n);
	*out_len = n;
	return MODEL_ATT_OK;
}

void
model_device_change_head(struct model_device *dev, uint16_t needle_um,
			  uint32_t now_ms)
{
	run_until(dev, now_ms);
	dev->info.needle_um = needle_um;
	dev->head_attached = true;
	model_dev_session_head_changed(dev, needle_um, now_ms);
	model_dev_status_changed(dev);
}
