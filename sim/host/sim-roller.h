/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SimRoller: one simulated roller, the host of a model_device (the device
 * model in sim/model).  It owns the model's clock (sim-clock),
 * its flash (the record store), its saved state (--state-dir), its ground
 * truth (--ground-truth) and the radio between it and the central, where
 * the link faults happen (lost Telemetry, a corrupted chunk, a link cut
 * after some bytes of record transfer, a hostile roller's frames).
 *
 * The radio delivers notifications from an idle callback, never from
 * inside the call that produced them: a Control Point indication reaches
 * the central after the reply to its WriteValue, as over the air.
 */
#pragma once

#include <glib.h>

#include "sim/model/model-device.h"
#include "sim/sim-config.h"

typedef struct _SimRoller SimRoller;

/* Where the roller's notifications go while it is connected. */
typedef struct {
	void (*notify)(gpointer user_data, enum model_char_id ch,
		       const guint8 *data, gsize len);
	/* The link went down on the roller's side (a link fault). */
	void (*link_lost)(gpointer user_data);
} SimRollerLink;

/* Roller @index of --count, from @cfg, whose faults it reads live. */
SimRoller *sim_roller_new(SimConfig *cfg, guint index, GError **error);
void sim_roller_free(SimRoller *roller);

/* "C0:52:4C:00:00:01": the base address plus the index. */
const char *sim_roller_get_address(SimRoller *roller);
/* "Roller 0001": the advertised name (spec section 1). */
const char *sim_roller_get_name(SimRoller *roller);
guint sim_roller_get_index(SimRoller *roller);

/* Link events.  connect() attaches @link until disconnect(). */
void sim_roller_connect(SimRoller *roller, guint16 mtu,
			const SimRollerLink *link, gpointer link_data);
void sim_roller_disconnect(SimRoller *roller);
gboolean sim_roller_is_connected(SimRoller *roller);
guint16 sim_roller_get_mtu(SimRoller *roller);
/* The fault knobs as they are now. */
const SimFaults *sim_roller_get_faults(SimRoller *roller);

/* A CCCD write by the central. */
void sim_roller_subscribe(SimRoller *roller, enum model_char_id ch,
			  gboolean enabled);
/* GATT read of the value from @offset; MODEL_ATT_OK fills @out. */
enum model_att_error sim_roller_read(SimRoller *roller,
				      enum model_char_id ch, guint16 offset,
				      GByteArray *out);
enum model_att_error sim_roller_write(SimRoller *roller,
				       enum model_char_id ch,
				       const guint8 *data, gsize len);

void sim_roller_press_button(SimRoller *roller);
