/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated roller's lowest part: the definition of struct
 * model_device (include this to allocate one statically; use the
 * functions of model-device.h to touch it) and what every part above
 * needs of the device: notifying, Status, the clock, session ids and
 * the record store.  Calls go down only:
 *
 * model-device.c          the API: setup, link, reads, writes, the main loop
 * model-device-control.c  Control Point and the record transfer
 * model-device-session.c  sessions, their telemetry, battery, records
 * model-device-state.c    save/load and the preloaded history
 * model-device-core.c     this header's functions
 */
#pragma once

#include "roller-control.h"
#include "model-device-types.h"
#include "model-session.h"
#include "model-store.h"
#include "model-telemetry.h"
#include "roller-transfer.h"

#define MODEL_DEVICE_STRING_MAX 32
#define MODEL_ATT_VALUE_MAX 512

/* Battery: 1 % per 90 s of session, BATTERY_LOW at 15 %, a session ends
 * (reason battery) at 3 % and the roller then charges 1 % per 6 s. */
#define MODEL_BATTERY_DRAIN_MS 90000u
#define MODEL_BATTERY_LOW_PERCENT 15
#define MODEL_BATTERY_EMPTY_PERCENT 3
#define MODEL_BATTERY_CHARGE_MS 6000u

/* REPORT_RECORDS under way. */
struct model_report_procedure {
	bool active;
	uint8_t op;
	uint16_t operand;
	/* Records stored when it began and not looked at yet: a record a
	 * session stores meanwhile is not part of this report. */
	uint16_t candidates_left;
	size_t scan_pos;
	bool sending;
	struct roller_chunker chunker;
	uint16_t sent;
	uint32_t start_ms;
	uint32_t intervals_done;
};

struct model_device {
	struct model_device_config cfg;	/* string pointers cleared */
	char manufacturer[MODEL_DEVICE_STRING_MAX + 1];
	char model[MODEL_DEVICE_STRING_MAX + 1];
	char firmware[MODEL_DEVICE_STRING_MAX + 1];
	char hardware[MODEL_DEVICE_STRING_MAX + 1];
	struct model_device_io io;
	uint64_t seed;			/* from cfg.seed and the serial */
	struct model_person person;
	struct roller_info info;	/* as served */
	uint32_t now_ms;

	bool connected;
	uint16_t mtu;
	bool subscribed[MODEL_CHAR_COUNT];

	uint8_t battery;
	bool charging;
	uint32_t next_charge_ms;
	bool head_attached;
	bool clock_set;
	int64_t clock_offset_ms;	/* unix ms = device ms + offset */
	uint16_t next_session_id;
	uint32_t identify_until_ms;

	bool in_session;
	uint32_t session_start_ms;
	uint32_t next_drain_ms;		/* session time of the next 1 % */
	struct model_session session;
	struct model_telemetry telemetry;

	struct model_report_procedure report;
	struct model_store store;

	uint8_t last_status[ROLLER_STATUS_LEN];	/* as last notified */
	uint8_t last_battery;
	uint8_t record_buf[ROLLER_RECORD_MAX_LEN];
	uint8_t chunk_buf[MODEL_ATT_VALUE_MAX];
};

/* (int32_t)(a - b) < 0: @a comes before @b on the wrapping ms clock. */
static inline bool
roller_time_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline uint32_t
roller_time_earlier(uint32_t a, uint32_t b)
{
	return roller_time_before(a, b) ? a : b;
}

/* A notification or indication, sent only to a subscribed central. */
void model_dev_notify(struct model_device *dev, enum model_char_id ch,
		       const uint8_t *data, size_t len);
/* Status as it is now (model_device_get_status()). */
void model_dev_get_status(const struct model_device *dev,
			   struct roller_status *status);
/* Notifies Status and Battery Level if they changed since last time. */
void model_dev_status_changed(struct model_device *dev);

/* The next session id: counts up from 1, skips 0 and stored ids. */
uint16_t model_dev_allocate_session_id(struct model_device *dev);
/* Seed of the person's choices in session @id: a session is the same
 * whether rolled live, preloaded, or after a restart. */
uint64_t model_dev_session_seed(const struct model_device *dev, uint16_t id);
void model_dev_session_params(const struct model_device *dev, uint16_t id,
			       uint8_t area_id, uint32_t start_unix,
			       struct model_session_params *params);
/* UTC seconds at device time @ms, 0 while the clock is not set. */
uint32_t model_dev_unix_at(const struct model_device *dev, uint32_t ms);
/* Appends a finished record and hands it to io->record_stored. */
bool model_dev_store_record(struct model_device *dev, const uint8_t *record,
			     size_t len);
