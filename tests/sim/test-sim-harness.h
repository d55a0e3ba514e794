/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A test rig around one simulated roller: owns its store, records every
 * notification with the time it went out, and plays the central (connect,
 * subscribe, Control Point requests).  Include after <cmocka.h>.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "roller-control.h"
#include "sim/model/model-device.h"
#include "sim/model/model-device-core.h"
#include "roller-frame.h"

struct sim_note {
	enum model_char_id ch;
	uint32_t at_ms;
	size_t len;
	uint8_t *data;
};

struct sim_rig {
	struct model_device_config cfg;
	struct model_device *dev;
	uint8_t *store;
	size_t store_size;
	uint32_t now;

	struct sim_note *notes;
	size_t n_notes;
	size_t cap_notes;

	uint8_t **stored;	/* records handed to io->record_stored */
	size_t *stored_len;
	size_t n_stored;
};

#define SIM_MTU_SMALL 23
#define SIM_MTU_LARGE 247

/* The default config with @seed. */
void sim_rig_config(struct model_device_config *cfg, uint32_t seed);
/* A roller with a store of @store_size bytes (0: room for every record
 * of cfg->info.record_capacity). */
void sim_rig_init(struct sim_rig *rig, const struct model_device_config *cfg,
		  size_t store_size);
void sim_rig_free(struct sim_rig *rig);

/* Connects at @mtu and enables every notification and indication. */
void sim_rig_connect(struct sim_rig *rig, uint16_t mtu);
/* A default roller with @seed, connected at @mtu, all subscribed. */
void sim_rig_up(struct sim_rig *rig, uint32_t seed, uint16_t mtu);

/* Runs the roller to @until, waking it when it asks (the host's way). */
void sim_rig_run_to(struct sim_rig *rig, uint32_t until);
/* Runs it to @until in steps of @step ms. */
void sim_rig_step_to(struct sim_rig *rig, uint32_t until, uint32_t step);

/* Requests without parameters, and with an operator and id. */
struct roller_cp_request sim_request(uint8_t opcode);
struct roller_cp_request sim_records_request(uint8_t opcode, uint8_t op,
					     uint16_t id);

/* Writes a Control Point request at rig->now; returns the ATT result. */
enum model_att_error sim_rig_write(struct sim_rig *rig, const uint8_t *req,
				    size_t len);
/* Encodes and writes @req. */
enum model_att_error sim_rig_request(struct sim_rig *rig,
				      const struct roller_cp_request *req);
/* Writes @req and fails the test unless exactly one response came, with
 * @result and, on success, @value. */
void sim_rig_expect(struct sim_rig *rig, const struct roller_cp_request *req,
		    uint8_t result, uint16_t value);

/* The last Control Point indication; false when there was none. */
bool sim_rig_last_response(const struct sim_rig *rig,
			   struct roller_cp_response *rsp);
size_t sim_rig_count(const struct sim_rig *rig, enum model_char_id ch);
void sim_rig_forget_notes(struct sim_rig *rig);
void sim_rig_status(const struct sim_rig *rig, struct roller_status *status);

/* Starts a session, rolls it for @ms and stops it; returns its id. */
uint16_t sim_rig_session(struct sim_rig *rig, uint32_t ms);
