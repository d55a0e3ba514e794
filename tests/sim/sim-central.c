/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <gio/gunixfdlist.h>

#include "roller-frame.h"
#include "roller-transfer.h"
#include "sim-central.h"

static void
on_properties_changed(GDBusProxy *proxy, GVariant *changed,
		      const char *const *invalidated, gpointer user_data)
{
	Collector *c = user_data;
	g_autoptr(GVariant) value = g_variant_lookup_value(changed, "Value",
							   G_VARIANT_TYPE_BYTESTRING);
	gsize len;
	const guint8 *data;

	if (!value)
		return;
	data = g_variant_get_fixed_array(value, &len, 1);
	g_ptr_array_add(c->values, g_bytes_new(data, len));
}

static gboolean
is_notifying(Harness *h, gpointer chr)
{
	return bluez_gatt_characteristic1_get_notifying(chr);
}

void
collector_watch(Harness *h, Collector *c, BluezGattCharacteristic1 *chr)
{
	g_autoptr(GError) error = NULL;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->chr = g_object_ref(chr);
	c->values = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	c->handler = g_signal_connect(chr, "g-properties-changed",
				      G_CALLBACK(on_properties_changed), c);
	if (!bluez_gatt_characteristic1_call_start_notify_sync(chr, NULL, &error))
		fail_msg("StartNotify: %s", error->message);
	/* The PropertiesChanged came before the reply; the proxy sees it
	 * once the main context runs. */
	harness_wait(h, is_notifying, chr, 2000, "Notifying");
}

void
collector_acquire(Harness *h, Collector *c, BluezGattCharacteristic1 *chr)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) fd_index = NULL;
	g_autoptr(GUnixFDList) fds = NULL;
	guint16 mtu = 0;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->chr = g_object_ref(chr);
	c->values = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	if (!bluez_gatt_characteristic1_call_acquire_notify_sync(chr,
			central_options(0, NULL), NULL, &fd_index, &mtu, &fds,
			NULL, &error))
		fail_msg("AcquireNotify: %s", error->message);
	assert_int_equal(mtu, bluez_gatt_characteristic1_get_mtu(chr));
	c->fd = g_unix_fd_list_get(fds, g_variant_get_handle(fd_index), &error);
	assert_true(c->fd >= 0);
}

void
collector_drain(Collector *c)
{
	guint8 buf[600];
	ssize_t n;

	while (c->fd >= 0 && !c->hup) {
		n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			g_ptr_array_add(c->values, g_bytes_new(buf, n));
			continue;
		}
		/* 0: the other end is gone (a HUP for a seqpacket socket). */
		if (n == 0 || errno != EAGAIN)
			c->hup = TRUE;
		break;
	}
}

static gboolean
enough(Harness *h, gpointer data)
{
	Collector *c = data;

	collector_drain(c);
	return c->values->len >= GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(c->chr),
								      "want"));
}

void
collector_wait(Harness *h, Collector *c, guint count, guint timeout_ms)
{
	g_autofree char *what = g_strdup_printf("%u notifications on %s", count,
						bluez_gatt_characteristic1_get_uuid(c->chr));

	g_object_set_data(G_OBJECT(c->chr), "want", GUINT_TO_POINTER(count));
	harness_wait(h, enough, c, timeout_ms, what);
}

void
collector_clear(Collector *c)
{
	if (!c->values)
		return;
	if (c->handler)
		g_signal_handler_disconnect(c->chr, c->handler);
	if (c->fd >= 0)
		close(c->fd);
	g_clear_object(&c->chr);
	g_clear_pointer(&c->values, g_ptr_array_unref);
	c->fd = -1;
}

GVariant *
central_options(guint16 offset, const char *type)
{
	GVariantBuilder options;

	g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
	if (offset)
		g_variant_builder_add(&options, "{sv}", "offset",
				      g_variant_new_uint16(offset));
	if (type)
		g_variant_builder_add(&options, "{sv}", "type",
				      g_variant_new_string(type));
	return g_variant_builder_end(&options);
}

GBytes *
central_read(BluezGattCharacteristic1 *chr, guint16 offset, GError **error)
{
	g_autoptr(GVariant) value = NULL;
	gsize len;
	const guint8 *data;

	if (!bluez_gatt_characteristic1_call_read_value_sync(chr,
			central_options(offset, NULL), &value, NULL, error))
		return NULL;
	data = g_variant_get_fixed_array(value, &len, 1);
	return g_bytes_new(data, len);
}

gboolean
central_write(BluezGattCharacteristic1 *chr, const guint8 *data, gsize len,
	      const char *type, GError **error)
{
	return bluez_gatt_characteristic1_call_write_value_sync(chr,
		g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, len, 1),
		central_options(0, type), NULL, error);
}

void
central_refresh(Central *c)
{
	g_clear_object(&c->telemetry);
	g_clear_object(&c->cp);
	g_clear_object(&c->transfer);
	g_clear_object(&c->info);
	g_clear_object(&c->status);
	c->telemetry = central_find_char(c->h, c->device, ROLLER_UUID_TELEMETRY);
	c->cp = central_find_char(c->h, c->device, ROLLER_UUID_CONTROL_POINT);
	c->transfer = central_find_char(c->h, c->device, ROLLER_UUID_RECORD_TRANSFER);
	c->info = central_find_char(c->h, c->device, ROLLER_UUID_ROLLER_INFO);
	c->status = central_find_char(c->h, c->device, ROLLER_UUID_STATUS);
	assert_non_null(c->telemetry);
	assert_non_null(c->cp);
	assert_non_null(c->transfer);
	assert_non_null(c->info);
	assert_non_null(c->status);
}

void
central_open(Central *c, Harness *h, const char *address)
{
	memset(c, 0, sizeof(*c));
	c->h = h;
	c->device = central_discover(h, address);
	assert_non_null(c->device);
	central_connect(h, c->device);
	central_refresh(c);
	collector_watch(h, &c->indications, c->cp);
}

void
central_close(Central *c)
{
	collector_clear(&c->indications);
	g_clear_object(&c->telemetry);
	g_clear_object(&c->cp);
	g_clear_object(&c->transfer);
	g_clear_object(&c->info);
	g_clear_object(&c->status);
	g_clear_object(&c->device);
}

struct roller_cp_response
central_cp(Central *c, const struct roller_cp_request *req)
{
	g_autoptr(GError) error = NULL;
	struct roller_cp_response rsp = { 0 };
	guint8 buf[ROLLER_CP_REQUEST_MAX_LEN];
	gsize len = roller_cp_request_encode(req, buf, sizeof(buf));
	guint before = c->indications.values->len;
	GBytes *last;
	const guint8 *data;
	gsize n;

	assert_true(len > 0);
	if (!central_write(c->cp, buf, len, "request", &error))
		fail_msg("Control Point write: %s", error->message);
	/* A record transfer may take a while at the link's pace. */
	collector_wait(c->h, &c->indications, before + 1, 8000);
	last = g_ptr_array_index(c->indications.values, before);
	data = g_bytes_get_data(last, &n);
	assert_int_equal(roller_cp_response_decode(data, n, &rsp), ROLLER_OK);
	assert_int_equal(rsp.request_opcode, req->opcode);
	return rsp;
}

struct roller_cp_response
central_cp_records(Central *c, guint8 opcode, guint8 op, guint16 id)
{
	struct roller_cp_request req = { .opcode = opcode };

	req.u.records.op = op;
	req.u.records.id = id;
	return central_cp(c, &req);
}

struct roller_cp_response
central_report_records(Central *c, guint8 op, guint16 id, GPtrArray *records,
		       guint16 *failed_id)
{
	static guint8 buf[ROLLER_RECORD_MAX_LEN];
	struct roller_reassembler r;
	struct roller_cp_response rsp;
	Collector chunks;

	*failed_id = 0;
	collector_watch(c->h, &chunks, c->transfer);
	rsp = central_cp_records(c, ROLLER_CP_REPORT_RECORDS, op, id);
	roller_reassembler_init(&r, buf);
	for (guint i = 0; i < chunks.values->len; i++) {
		struct roller_stored_record rec;
		bool complete = false;
		gsize len;
		const guint8 *data = g_bytes_get_data(g_ptr_array_index(chunks.values, i),
						      &len);
		enum roller_error err = roller_reassembler_feed(&r, data, len,
								&complete, &rec);

		if (err != ROLLER_OK) {
			if (!*failed_id)
				*failed_id = r.failed_id;
			continue;
		}
		if (complete)
			g_ptr_array_add(records, g_bytes_new(buf, r.len));
	}
	{
		g_autoptr(GError) error = NULL;

		if (!bluez_gatt_characteristic1_call_stop_notify_sync(c->transfer,
								       NULL, &error))
			fail_msg("StopNotify: %s", error->message);
	}
	collector_clear(&chunks);
	return rsp;
}

GBytes *
central_read_ok(BluezGattCharacteristic1 *chr, guint16 offset)
{
	g_autoptr(GError) error = NULL;
	GBytes *value = central_read(chr, offset, &error);

	if (!value)
		fail_msg("ReadValue %s: %s",
			 bluez_gatt_characteristic1_get_uuid(chr), error->message);
	return value;
}

gboolean
central_frames_parse(GPtrArray *frames, guint16 session_id)
{
	for (guint i = 0; i < frames->len; i++) {
		struct roller_frame frame;
		gsize len;
		const guint8 *data = g_bytes_get_data(g_ptr_array_index(frames, i),
						      &len);

		if (roller_frame_parse(data, len, &frame) != ROLLER_OK) {
			print_error("frame %u does not parse\n", i);
			return FALSE;
		}
		/* 0: any session, as when the button started it. */
		if (session_id && frame.session_id != session_id) {
			print_error("frame %u of session %u\n", i, frame.session_id);
			return FALSE;
		}
	}
	return TRUE;
}

guint16
central_start_session(Central *c)
{
	struct roller_cp_request req = { .opcode = ROLLER_CP_START_SESSION };
	struct roller_cp_response rsp;

	req.u.area_id = 7;
	rsp = central_cp(c, &req);
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	assert_true(rsp.has_value && rsp.value != 0);
	return rsp.value;
}

void
central_stop_session(Central *c, guint16 session_id)
{
	struct roller_cp_request req = { .opcode = ROLLER_CP_STOP_SESSION };
	struct roller_cp_response rsp = central_cp(c, &req);

	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	assert_int_equal(rsp.value, session_id);
}

guint16
central_count_records(Central *c)
{
	struct roller_cp_response rsp = central_cp_records(c, ROLLER_CP_REPORT_NUMBER,
							   ROLLER_CP_OP_ALL, 0);

	if (rsp.result == ROLLER_CP_NO_RECORDS)
		return 0;
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	return rsp.value;
}

static gboolean
under(const char *path, const char *prefix)
{
	gsize len = strlen(prefix);

	return strncmp(path, prefix, len) == 0 && path[len] == '/';
}

BluezGattCharacteristic1 *
central_find_char(Harness *h, BluezDevice1 *device, const char *uuid)
{
	const char *prefix = g_dbus_proxy_get_object_path(G_DBUS_PROXY(device));
	GList *objects = g_dbus_object_manager_get_objects(h->manager);
	BluezGattCharacteristic1 *found = NULL;

	for (GList *l = objects; l && !found; l = l->next) {
		const char *path = g_dbus_object_get_object_path(l->data);
		GDBusInterface *iface;

		if (!under(path, prefix))
			continue;
		iface = g_dbus_object_get_interface(l->data,
						    "org.bluez.GattCharacteristic1");
		if (iface && g_strcmp0(bluez_gatt_characteristic1_get_uuid(
				BLUEZ_GATT_CHARACTERISTIC1(iface)), uuid) == 0)
			found = BLUEZ_GATT_CHARACTERISTIC1(iface);
		else if (iface)
			g_object_unref(iface);
	}
	g_list_free_full(objects, g_object_unref);
	return found;
}

BluezGattDescriptor1 *
central_find_cccd(Harness *h, BluezGattCharacteristic1 *chr)
{
	const char *prefix = g_dbus_proxy_get_object_path(G_DBUS_PROXY(chr));
	GList *objects = g_dbus_object_manager_get_objects(h->manager);
	BluezGattDescriptor1 *found = NULL;

	for (GList *l = objects; l && !found; l = l->next) {
		GDBusInterface *iface;

		if (!under(g_dbus_object_get_object_path(l->data), prefix))
			continue;
		iface = g_dbus_object_get_interface(l->data,
						    "org.bluez.GattDescriptor1");
		if (iface && g_strcmp0(bluez_gatt_descriptor1_get_uuid(
				BLUEZ_GATT_DESCRIPTOR1(iface)), ROLLER_UUID_CCCD) == 0)
			found = BLUEZ_GATT_DESCRIPTOR1(iface);
		else if (iface)
			g_object_unref(iface);
	}
	g_list_free_full(objects, g_object_unref);
	return found;
}

guint
central_count_chars(Harness *h, const char *prefix)
{
	GList *objects = g_dbus_object_manager_get_objects(h->manager);
	guint n = 0;

	for (GList *l = objects; l; l = l->next) {
		g_autoptr(GDBusInterface) iface = NULL;

		if (!under(g_dbus_object_get_object_path(l->data), prefix))
			continue;
		iface = g_dbus_object_get_interface(l->data,
						    "org.bluez.GattCharacteristic1");
		n += iface != NULL;
	}
	g_list_free_full(objects, g_object_unref);
	return n;
}

static gboolean
device_seen(Harness *h, gpointer address)
{
	g_autoptr(GDBusInterface) device = (GDBusInterface *)harness_device(h, address);

	return device != NULL;
}

BluezDevice1 *
central_discover(Harness *h, const char *address)
{
	g_autoptr(GError) error = NULL;
	BluezAdapter1 *adapter = harness_adapter(h);
	GVariantBuilder filter;
	const char *uuids[] = { ROLLER_UUID_SERVICE, NULL };
	gboolean ok;

	assert_non_null(adapter);
	g_variant_builder_init(&filter, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&filter, "{sv}", "UUIDs",
			      g_variant_new_strv(uuids, -1));
	g_variant_builder_add(&filter, "{sv}", "Transport",
			      g_variant_new_string("le"));
	ok = bluez_adapter1_call_set_discovery_filter_sync(adapter,
		g_variant_builder_end(&filter), NULL, &error) &&
	     bluez_adapter1_call_start_discovery_sync(adapter, NULL, &error);
	if (!ok)
		fail_msg("discovery: %s", error->message);
	harness_wait(h, device_seen, (gpointer)address, 3000, address);
	ok = bluez_adapter1_call_stop_discovery_sync(adapter, NULL, &error);
	g_object_unref(adapter);
	if (!ok)
		fail_msg("StopDiscovery: %s", error->message);
	return harness_device(h, address);
}

static gboolean
device_ready(Harness *h, gpointer device)
{
	const char *path = g_dbus_proxy_get_object_path(device);

	return bluez_device1_get_connected(device) &&
	       bluez_device1_get_services_resolved(device) &&
	       central_count_chars(h, path) > 0;
}

void
central_connect(Harness *h, BluezDevice1 *device)
{
	g_autoptr(GError) error = NULL;

	if (!bluez_device1_call_connect_sync(device, NULL, &error))
		fail_msg("Connect: %s", error->message);
	harness_wait(h, device_ready, device, 3000, "ServicesResolved");
}
