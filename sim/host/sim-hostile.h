/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A hostile roller (--fault-hostile-frames, --fault-flood): malformed
 * Telemetry frames sent after the model's own, each made from the
 * model's frame to fail one check of spec section 8:
 *
 *   oversize   514 bytes, over the spec's 512 (TOO_LONG); a link whose MTU
 *              carries less cuts it, and what arrives runs past its end
 *              (TRUNCATED)
 *   version    the frame with protocol version 2 (VERSION)
 *   crc        the frame with a CRC-16 trailer that does not match (CRC)
 *   truncated  the frame less its last byte (TRUNCATED)
 *   random     1..MTU-3 random bytes, drawn again until no receiver could
 *              accept them (mostly TOO_SHORT, VERSION or CRC)
 *   mixed      the five in turn
 *
 * No frame is longer than one notification at the link's MTU carries
 * (MTU - 3), as a real roller's BLE stack would have it.  The bytes
 * depend on --seed, the roller and the model's frames only.
 */
#pragma once

#include <glib.h>

#include "sim/sim-config.h"
#include "sim-ground-truth.h"

/* The longest hostile frame: an oversize one at MTU 517. */
#define SIM_HOSTILE_FRAME_MAX 514

/* "oversize", ...; "none" is SIM_HOSTILE_NONE. */
gboolean sim_hostile_kind_from_string(const char *name, SimHostileKind *out);

typedef struct _SimHostile SimHostile;

SimHostile *sim_hostile_new(guint32 seed);
void sim_hostile_free(SimHostile *hostile);

/* Sends one hostile frame as a Telemetry notification. */
typedef void (*SimHostileSend)(gpointer user_data, const guint8 *frame, gsize len);

/*
 * After the model's Telemetry @frame went out at @mtu: the hostile frames
 * @faults ask for (one with --fault-hostile-frames, flood - 1 with
 * --fault-flood), each written to @truth as "hostile <hex>" and handed
 * to @send.
 */
void sim_hostile_after_frame(SimHostile *hostile, const SimFaults *faults, guint16 mtu,
			     const guint8 *frame, gsize len, SimGroundTruth *truth,
			     SimHostileSend send, gpointer user_data);
