/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roller-sim's settings: the command line (sim-main.c) fills a SimConfig;
 * the fault knobs in it may change at run time through org.rollerd.Sim1.
 */
#pragma once

#include <glib.h>

/* What --fault-hostile-frames sends (sim-hostile.h). */
typedef enum {
	SIM_HOSTILE_NONE,
	SIM_HOSTILE_OVERSIZE,
	SIM_HOSTILE_VERSION,
	SIM_HOSTILE_CRC,
	SIM_HOSTILE_TRUNCATED,
	SIM_HOSTILE_RANDOM,
	SIM_HOSTILE_MIXED,	/* the five above in turn */
} SimHostileKind;

/* Failures users of BLE companions meet; see docs/roller-sim.md. */
typedef struct {
	/* ServicesResolved turns true before the GATT objects exist. */
	gboolean early_resolved;
	/* Share (0..100) of Telemetry notifications lost, from the seed. */
	guint drop_notify_percent;
	/* Link loss after this many Record Transfer bytes, once (0: off). */
	guint64 disconnect_after_bytes;
	/* One byte flipped in this Record Transfer chunk, 1-based, once. */
	guint corrupt_chunk;
	/* Every chunk of the Nth record sent lost (1-based), once. */
	guint drop_record;
	/* Every BlueZ method call waits this long before it is handled. */
	guint delay_ms;
	/* A WriteValue is answered this long after the roller acted on it,
	 * so its notifications and indications come first (as a Write
	 * Response overtaken on another EATT bearer). */
	guint late_write_reply_ms;
	/* Each record's chunks go after the next record, or after the next
	 * notification of any kind (EATT bearers reordered them so). */
	gboolean reorder_records;
	/* Each Telemetry notification goes after the next notification of
	 * any kind: frames overtake each other, and Status overtakes a
	 * session's last frame (EATT bearers, the real bluetoothd). */
	gboolean reorder_telemetry;
	/* The first this many Connects of each roller fail. */
	guint refuse_connect;
	/* Malformed Telemetry frames sent after each of the model's. */
	SimHostileKind hostile_frames;
	/* Telemetry notifications at this many times the model's rate,
	 * the extra ones hostile; 0 or 1: the model's rate. */
	guint flood;
	/* AcquireNotify fails with this bluetoothd error (NULL: off), one
	 * of sim_faults_acquire_errors; StartNotify still works. */
	const char *refuse_acquire_notify;
	/* --require-encryption: the roller answers Pairing Failed. */
	gboolean refuse_pairing;
	/* --require-encryption: the roller never answers a Pairing Request,
	 * so SMP's 30 s timer ends the link. */
	gboolean pairing_timeout;
	/* --require-encryption: bluetoothd cannot raise the link's security
	 * on an ATT error, so the access fails with NotPermitted "Not
	 * paired" instead of pairing by itself (docs/roller-sim.md). */
	gboolean no_security_raise;
	/* Bumped on every change, so that "once" faults arm again. */
	guint generation;
} SimFaults;

/* What bluetoothd keeps of a device's GATT database after a disconnect
 * (main.conf [GATT] Cache). */
typedef enum {
	SIM_GATT_CACHE_ALWAYS,	/* bluetoothd's default */
	SIM_GATT_CACHE_YES,	/* paired devices only: a roller never is */
	SIM_GATT_CACHE_NO,
} SimGattCache;

typedef struct {
	char *bus_address;	/* NULL: session bus (mock), system (peripheral) */
	char *adapter;		/* "hci0" */
	char *address_base;	/* the first roller's address */
	guint count;
	guint16 mtu;
	guint stored;
	gint capacity;		/* records a roller keeps; -1: the model's */
	guint32 seed;
	char *state_dir;
	char *ground_truth_dir;
	gboolean ground_truth_times;	/* an "at <us>" line after each frame */
	double speed;
	gint session_seconds;	/* -1: the device model's default */
	guint restart_delay_ms;	/* SIGUSR1's absence (the mock, or the GATT app) */
	SimGattCache gatt_cache;
	/* The Roller service's characteristics need an encrypted link
	 * (profile, "Link security"): Just Works pairing, bonding. */
	gboolean require_encryption;
	/* The person's old habit: a whole pass per direction (model-motion.h). */
	gboolean whole_passes;
	SimFaults faults;
} SimConfig;
