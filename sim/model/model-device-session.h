/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated roller's sessions (model-device-session.c). */
#pragma once

#include "model-device-core.h"

enum roller_cp_result model_dev_start_session(struct model_device *dev,
					       uint8_t area_id, uint32_t now_ms,
					       uint16_t *session_id);
enum roller_cp_result model_dev_stop_session(struct model_device *dev,
					      uint32_t now_ms,
					      uint16_t *session_id);

/* The session up to @now_ms, and the device time of its next tick that
 * sends something. */
void model_dev_run_session(struct model_device *dev, uint32_t now_ms);
uint32_t model_dev_session_next_ms(const struct model_device *dev);

/* A head of @needle_um was fitted: a HEAD_CHANGED event if a session runs. */
void model_dev_session_head_changed(struct model_device *dev, uint16_t needle_um,
				    uint32_t now_ms);
