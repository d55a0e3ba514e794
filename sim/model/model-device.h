/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated roller: the device side of the Roller GATT profile as the
 * firmware behaves (spec sections 2 to 6), driven by a seeded physical
 * model of a person rolling.  Portable C11 like the rest of firmware-proto:
 * no heap, no stdio, no clock of its own.
 *
 * The host (roller-sim: mock BlueZ or a real peripheral) owns the clock
 * and the transport.  It calls model_device_advance() with the current
 * time and gets every notification or indication through io->notify; it
 * forwards GATT reads and writes from the central.  Same config, same
 * calls at the same times: same bytes.
 */
#pragma once

#include "roller-proto.h"
#include "roller-info.h"
#include "model-device-types.h"

/* Sets config to a believable roller (10x8 grid of 10 mm, 10 ms period...). */
void model_device_config_defaults(struct model_device_config *cfg);

/*
 * The device.  Its size is fixed; records live in the caller's @store
 * (flash on a real roller), whose size with info.record_capacity bounds
 * what can be kept: Roller Info serves the smaller of record_capacity and
 * the number of records of the largest size a session can produce
 * (model_session_record_max() + 2 bytes each) that fit in @store.
 * Treat the members as private; model-device-core.h defines the
 * struct for a host that wants to allocate it statically.
 */
struct model_device;

/* sizeof(struct model_device), for hosts that allocate it. */
size_t model_device_size(void);

/* Copies @cfg (strings up to 32 bytes) and @io; @store must outlive @dev.
 * A config that breaks a Roller Info rule is mended, not trusted. */
void model_device_init(struct model_device *dev,
			const struct model_device_config *cfg,
			uint8_t *store, size_t store_size,
			const struct model_device_io *io);

/* Link events: MTU is the negotiated ATT MTU (23..517). */
void model_device_connect(struct model_device *dev, uint16_t mtu,
			   uint32_t now_ms);
void model_device_disconnect(struct model_device *dev, uint32_t now_ms);
/* A central enabled or disabled notifications/indications (CCCD). */
void model_device_subscribe(struct model_device *dev, enum model_char_id ch,
			     bool enabled);

/* GATT read of a characteristic value at @offset (long reads). */
enum model_att_error model_device_read(struct model_device *dev,
					 enum model_char_id ch,
					 uint16_t offset, uint8_t *out,
					 size_t cap, size_t *out_len);

/*
 * GATT write.  A Control Point request is answered through io->notify,
 * at once or, for a procedure that takes time, from a later
 * model_device_advance().
 */
enum model_att_error model_device_write(struct model_device *dev,
					  enum model_char_id ch,
					  const uint8_t *data, size_t len,
					  uint32_t now_ms);

/* The roller's button: starts a session when idle, ends one otherwise. */
void model_device_press_button(struct model_device *dev, uint32_t now_ms);

/*
 * Runs the device and the person rolling it up to @now_ms (monotonic,
 * never decreasing) and returns the time of its next scheduled action,
 * for the host's timer.
 */
uint32_t model_device_advance(struct model_device *dev, uint32_t now_ms);

/*
 * Stores @count finished sessions as if rolled earlier (--stored K): the
 * same physical model run offline, 30 to 90 s of rolling each, 3 to 30 h
 * apart and ending before now when the clock is set (start_unix 0 when
 * not).  Stops when the store is full; does nothing during a session or
 * a transfer.  io->record_stored sees each record.
 */
void model_device_preload_sessions(struct model_device *dev, unsigned count);

void model_device_get_status(const struct model_device *dev,
			      struct roller_status *status);

/* Roller Info as served now (band set by SET_FORCE_BAND, capacity). */
void model_device_get_info(const struct model_device *dev,
			    struct roller_info *info);

/* A head of @needle_um was fitted: served in Roller Info, used by the
 * next session's record, and a HEAD_CHANGED event when a session runs. */
void model_device_change_head(struct model_device *dev, uint16_t needle_um,
			       uint32_t now_ms);

/*
 * Persistence of what survives a restart (stored records, next session
 * id, clock offset, force band, needle, battery): save writes nothing
 * unless @cap bytes suffice (out may be NULL with cap 0) and returns the
 * length needed; the bytes only change when that state does.  load
 * returns false, changing nothing, for data it cannot use (bad CRC-32,
 * unknown version, records that do not decode or fit) and while a
 * session or a transfer runs.  See model-device-state.c for the format.
 */
size_t model_device_save(const struct model_device *dev, uint8_t *out,
			  size_t cap);
bool model_device_load(struct model_device *dev, const uint8_t *data,
			size_t len);
