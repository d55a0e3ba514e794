/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A central's side of the Roller profile for the roller-sim tests, over
 * the generated Bluez* proxies: reads and writes, notifications through
 * StartNotify (PropertiesChanged on Value) or AcquireNotify (a socket),
 * Control Point requests with their indicated responses, and the record
 * transfer reassembled.  Include after <cmocka.h>.
 */
#pragma once

#include "roller-control.h"
#include "roller-record.h"
#include "sim-harness.h"

/* The characteristic of @uuid under @device (whose path is a prefix). */
BluezGattCharacteristic1 *central_find_char(Harness *h, BluezDevice1 *device,
					    const char *uuid);
/* The CCCD of @chr. */
BluezGattDescriptor1 *central_find_cccd(Harness *h,
					BluezGattCharacteristic1 *chr);
/* How many objects under @prefix have a GattCharacteristic1. */
guint central_count_chars(Harness *h, const char *prefix);

/* Discovery filtered to the Roller service, until @address is seen. */
BluezDevice1 *central_discover(Harness *h, const char *address);
/* Connect and wait for ServicesResolved and the GATT objects. */
void central_connect(Harness *h, BluezDevice1 *device);

/* Every Value a characteristic announced, one GBytes per notification. */
typedef struct {
	BluezGattCharacteristic1 *chr;
	gulong handler;
	GPtrArray *values;
	/* AcquireNotify's socket, -1 without */
	int fd;
	gboolean hup;
} Collector;

/* StartNotify, and waits until the proxy says Notifying. */
void collector_watch(Harness *h, Collector *c, BluezGattCharacteristic1 *chr);
/* AcquireNotify instead: the socket's packets are collected. */
void collector_acquire(Harness *h, Collector *c, BluezGattCharacteristic1 *chr);
/* Reads what the socket holds now (also done by collector_wait). */
void collector_drain(Collector *c);
void collector_wait(Harness *h, Collector *c, guint count, guint timeout_ms);
void collector_clear(Collector *c);

/* ReadValue; fails the test on an error. */
GBytes *central_read_ok(BluezGattCharacteristic1 *chr, guint16 offset);
/* ReadValue; NULL with @error on failure. */
GBytes *central_read(BluezGattCharacteristic1 *chr, guint16 offset,
		     GError **error);
/* WriteValue with @type ("request", "command" or NULL for none). */
gboolean central_write(BluezGattCharacteristic1 *chr, const guint8 *data,
		       gsize len, const char *type, GError **error);
GVariant *central_options(guint16 offset, const char *type);

/* The Roller characteristics of a connected device. */
typedef struct {
	Harness *h;
	BluezDevice1 *device;
	BluezGattCharacteristic1 *telemetry;
	BluezGattCharacteristic1 *cp;
	BluezGattCharacteristic1 *transfer;
	BluezGattCharacteristic1 *info;
	BluezGattCharacteristic1 *status;
	Collector indications;	/* of the Control Point */
} Central;

/* Discovers, connects and finds the characteristics of @address;
 * StartNotify on the Control Point. */
void central_open(Central *c, Harness *h, const char *address);
void central_close(Central *c);
/* Looks the characteristics up again (after a reconnection). */
void central_refresh(Central *c);

/* Sends a request and waits for its response. */
struct roller_cp_response central_cp(Central *c,
				     const struct roller_cp_request *req);
struct roller_cp_response central_cp_records(Central *c, guint8 opcode,
					     guint8 op, guint16 id);

/* START_SESSION (area 7) and STOP_SESSION, checked; the session id. */
guint16 central_start_session(Central *c);
void central_stop_session(Central *c, guint16 session_id);
/* REPORT_NUMBER of all records (0 also for NO_RECORDS). */
guint16 central_count_records(Central *c);
/* Whether every frame parses and belongs to @session_id (0: any). */
gboolean central_frames_parse(GPtrArray *frames, guint16 session_id);

/*
 * REPORT_RECORDS with @op/@id through a StartNotify on Record Transfer:
 * the whole records (GBytes) in @records; returns the response.  A
 * record whose reassembly failed is not added; *failed_id then names it
 * (0 when none failed).
 */
struct roller_cp_response central_report_records(Central *c, guint8 op,
						 guint16 id, GPtrArray *records,
						 guint16 *failed_id);
