/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Control Point and the record transfer (model-device-control.c). */
#pragma once

#include "model-device-core.h"

/* Whether a write of @len bytes to @ch may go ahead at all; checked
 * before the device runs up to the write's time. */
enum model_att_error model_dev_control_check(const struct model_device *dev,
					      enum model_char_id ch, size_t len);
/* A Control Point request, with the device run up to @now_ms. */
enum model_att_error model_dev_control_write(struct model_device *dev,
					      const uint8_t *data, size_t len,
					      uint32_t now_ms);

/* The record transfer up to @now_ms, and the time of its next batch. */
void model_dev_report_pump(struct model_device *dev, uint32_t now_ms);
uint32_t model_dev_report_next_ms(const struct model_device *dev);
/* The link is gone: the procedure ends without an answer. */
void model_dev_report_cancel(struct model_device *dev);
