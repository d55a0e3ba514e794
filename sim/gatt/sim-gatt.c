/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The GATT tree's objects: the roller's attribute table laid out with its
 * handles, the D-Bus objects built from it (fresh on every export, as
 * after a new GATT browse), their export and removal in bluetoothd's
 * order, and the link's coming and going.
 */
#include "config.h"

#include <string.h>

#include "data/bluez-gdbus.h"
#include "roller-proto.h"
#include "sim-gatt.h"
#include "sim-gatt-access.h"
#include "sim-gatt-notify.h"

#define UUID_GATT_SERVICE	"00001801-0000-1000-8000-00805f9b34fb"
#define UUID_SERVICE_CHANGED	"00002a05-0000-1000-8000-00805f9b34fb"

struct sim_gatt_service {
	const struct service_def *def;
	guint16 handle;
	char *path;
	SimIface *iface;
	GDBusObjectSkeleton *object;
};

struct _SimGatt {
	/* What the characteristics' handlers see of the tree. */
	struct sim_gatt_tree tree;
	char *root;
	GDBusObjectManagerServer *manager;
	GPtrArray *services;	/* of struct sim_gatt_service */
	GPtrArray *chars;	/* of struct sim_gatt_char, in handle order */
	/* Peripheral mode: the Roller service's flags ask for encryption. */
	gboolean encrypt;
};

/* The roller's attribute table (spec section 1), in handle order. */
static const struct char_def gatt_chars[] = {
	{ UUID_SERVICE_CHANGED, SIM_CHAR_SERVICE_CHANGED, PROP_INDICATE },
};

static const struct char_def roller_chars[] = {
	{ ROLLER_UUID_TELEMETRY, MODEL_CHAR_TELEMETRY, PROP_NOTIFY },
	{ ROLLER_UUID_CONTROL_POINT, MODEL_CHAR_CONTROL_POINT,
	  PROP_WRITE | PROP_INDICATE },
	{ ROLLER_UUID_RECORD_TRANSFER, MODEL_CHAR_RECORD_TRANSFER, PROP_NOTIFY },
	{ ROLLER_UUID_ROLLER_INFO, MODEL_CHAR_ROLLER_INFO, PROP_READ },
	{ ROLLER_UUID_STATUS, MODEL_CHAR_STATUS, PROP_READ | PROP_NOTIFY },
};

static const struct char_def device_info_chars[] = {
	{ ROLLER_UUID_MANUFACTURER, MODEL_CHAR_MANUFACTURER, PROP_READ },
	{ ROLLER_UUID_MODEL_NUMBER, MODEL_CHAR_MODEL_NUMBER, PROP_READ },
	{ ROLLER_UUID_SERIAL_NUMBER, MODEL_CHAR_SERIAL_NUMBER, PROP_READ },
	{ ROLLER_UUID_FIRMWARE_REV, MODEL_CHAR_FIRMWARE_REV, PROP_READ },
	{ ROLLER_UUID_HARDWARE_REV, MODEL_CHAR_HARDWARE_REV, PROP_READ },
};

static const struct char_def battery_chars[] = {
	{ ROLLER_UUID_BATTERY_LEVEL, MODEL_CHAR_BATTERY_LEVEL,
	  PROP_READ | PROP_NOTIFY },
};

static const struct service_def services[] = {
	{ UUID_GATT_SERVICE, TRUE, FALSE, gatt_chars, G_N_ELEMENTS(gatt_chars) },
	{ ROLLER_UUID_SERVICE, FALSE, FALSE, roller_chars,
	  G_N_ELEMENTS(roller_chars) },
	{ ROLLER_UUID_DEVICE_INFO, FALSE, TRUE, device_info_chars,
	  G_N_ELEMENTS(device_info_chars) },
	{ ROLLER_UUID_BATTERY, FALSE, TRUE, battery_chars,
	  G_N_ELEMENTS(battery_chars) },
};

/* bluetoothd's order of the Flags strings (src/gatt-client.c). */
static const struct {
	guint8 prop;
	const char *name;
} prop_names[] = {
	{ 0x01, "broadcast" },
	{ PROP_READ, "read" },
	{ PROP_WRITE_NO_RSP, "write-without-response" },
	{ PROP_WRITE, "write" },
	{ PROP_NOTIFY, "notify" },
	{ PROP_INDICATE, "indicate" },
	{ 0x40, "authenticated-signed-writes" },
	{ 0x80, "extended-properties" },
};

static struct sim_gatt_char *
find_char(SimGatt *gatt, guint id)
{
	for (guint i = 0; i < gatt->chars->len; i++) {
		struct sim_gatt_char *chr = g_ptr_array_index(gatt->chars, i);

		if (chr->def->id == id)
			return chr;
	}
	return NULL;
}

/* An application's flags that make bluetoothd require an encrypted link
 * for each access (src/gatt-database.c parse_chrc_flags(), 5.66 on). */
static const struct {
	guint8 prop;
	const char *name;
} encrypt_names[] = {
	{ PROP_READ, "encrypt-read" },
	{ PROP_WRITE | PROP_WRITE_NO_RSP, "encrypt-write" },
	{ PROP_NOTIFY, "encrypt-notify" },
	{ PROP_INDICATE, "encrypt-indicate" },
};

static GVariant *
flags_variant(guint8 props, gboolean encrypt)
{
	GVariantBuilder builder;

	g_variant_builder_init(&builder, G_VARIANT_TYPE_STRING_ARRAY);
	for (guint i = 0; i < G_N_ELEMENTS(prop_names); i++)
		if (props & prop_names[i].prop)
			g_variant_builder_add(&builder, "s", prop_names[i].name);
	for (guint i = 0; encrypt && i < G_N_ELEMENTS(encrypt_names); i++)
		if (props & encrypt_names[i].prop)
			g_variant_builder_add(&builder, "s", encrypt_names[i].name);
	return g_variant_builder_end(&builder);
}

static void
build_service(SimGatt *gatt, struct sim_gatt_service *svc)
{
	gboolean mock = gatt->tree.mock;

	svc->iface = sim_iface_new(bluez_gatt_service1_interface_info(), NULL,
				   sim_gatt_service_set_property, &gatt->tree);
	if (mock)
		sim_iface_set(svc->iface, "Handle", g_variant_new_uint16(svc->handle));
	sim_iface_set_string(svc->iface, "UUID", svc->def->uuid);
	if (mock)
		sim_iface_set(svc->iface, "Device", g_variant_new_object_path(gatt->root));
	sim_iface_set_boolean(svc->iface, "Primary", TRUE);
	sim_iface_set(svc->iface, "Includes", g_variant_new_objv(NULL, 0));
	svc->object = sim_iface_new_object(svc->path, svc->iface);
}

static void
build_char(SimGatt *gatt, struct sim_gatt_char *chr, const char *service_path)
{
	gboolean mock = gatt->tree.mock;
	guint8 props = chr->def->props;

	chr->iface = sim_iface_new(bluez_gatt_characteristic1_interface_info(),
				   sim_gatt_char_method, sim_gatt_char_set_property,
				   chr);
	if (mock)
		sim_iface_set(chr->iface, "Handle", g_variant_new_uint16(chr->handle));
	sim_iface_set_string(chr->iface, "UUID", chr->def->uuid);
	sim_iface_set(chr->iface, "Service", g_variant_new_object_path(service_path));
	if (mock)
		sim_iface_set_bytes(chr->iface, "Value", NULL, 0);
	if (props & (PROP_NOTIFY | PROP_INDICATE))
		sim_iface_set_boolean(chr->iface, "Notifying", FALSE);
	sim_iface_set(chr->iface, "Flags",
		      flags_variant(props, gatt->encrypt &&
				    g_str_equal(chr->service->uuid, ROLLER_UUID_SERVICE)));
	if (props & PROP_WRITE_NO_RSP)
		sim_iface_set_boolean(chr->iface, "WriteAcquired", FALSE);
	/* For an application, NotifyAcquired announces AcquireNotify, which
	 * bluetoothd then calls with the central's device and MTU. */
	if (props & PROP_NOTIFY)
		sim_iface_set_boolean(chr->iface, "NotifyAcquired", FALSE);
	if (mock && sim_gatt_tree_link_is_up(&gatt->tree))
		sim_iface_set(chr->iface, "MTU",
			      g_variant_new_uint16(sim_roller_get_mtu(gatt->tree.roller)));
	chr->object = sim_iface_new_object(chr->path, chr->iface);

	/* bluetoothd adds the CCCD of an application's characteristic
	 * itself; for a remote device it exports the device's. */
	if (!mock || !(props & (PROP_NOTIFY | PROP_INDICATE)))
		return;
	chr->cccd_iface = sim_iface_new(bluez_gatt_descriptor1_interface_info(),
					sim_gatt_cccd_method,
					sim_gatt_char_set_property, chr);
	sim_iface_set(chr->cccd_iface, "Handle",
		      g_variant_new_uint16(chr->handle + 2));
	sim_iface_set_string(chr->cccd_iface, "UUID", ROLLER_UUID_CCCD);
	sim_iface_set(chr->cccd_iface, "Characteristic",
		      g_variant_new_object_path(chr->path));
	sim_iface_set_bytes(chr->cccd_iface, "Value", NULL, 0);
	chr->cccd_object = sim_iface_new_object(chr->cccd_path, chr->cccd_iface);
}

static void
service_free(struct sim_gatt_service *svc)
{
	g_clear_object(&svc->object);
	g_clear_object(&svc->iface);
	g_free(svc->path);
	g_free(svc);
}

static void
char_free(struct sim_gatt_char *chr)
{
	sim_gatt_notify_clear(chr);
	sim_gatt_notify_free(chr->notify);
	g_clear_object(&chr->cccd_object);
	g_clear_object(&chr->cccd_iface);
	g_clear_object(&chr->object);
	g_clear_object(&chr->iface);
	g_free(chr->cccd_path);
	g_free(chr->path);
	g_free(chr);
}

/* Lays out the attribute handles as the roller's ATT server does:
 * service, then per characteristic its declaration, value and CCCD. */
static void
layout(SimGatt *gatt)
{
	gboolean mock = gatt->tree.mock;
	guint16 handle = 1;
	guint n_services = 0;

	for (guint s = 0; s < G_N_ELEMENTS(services); s++) {
		const struct service_def *def = &services[s];
		struct sim_gatt_service *svc;

		if (def->mock_only && !mock)
			continue;
		svc = g_new0(struct sim_gatt_service, 1);
		svc->def = def;
		svc->handle = handle++;
		svc->path = mock ?
			g_strdup_printf("%s/service%04x", gatt->root, svc->handle) :
			g_strdup_printf("%s/service%u", gatt->root, n_services);
		g_ptr_array_add(gatt->services, svc);
		for (guint c = 0; c < def->n_chars; c++) {
			struct sim_gatt_char *chr = g_new0(struct sim_gatt_char, 1);
			gboolean has_cccd = def->chars[c].props &
					    (PROP_NOTIFY | PROP_INDICATE);

			chr->tree = &gatt->tree;
			chr->notify = sim_gatt_notify_new();
			chr->service = def;
			chr->def = &def->chars[c];
			chr->handle = handle;
			handle += has_cccd ? 3 : 2;
			chr->path = mock ?
				g_strdup_printf("%s/char%04x", svc->path, chr->handle) :
				g_strdup_printf("%s/char%u", svc->path, c);
			if (mock && has_cccd)
				chr->cccd_path = g_strdup_printf("%s/desc%04x",
								 chr->path,
								 chr->handle + 2);
			g_ptr_array_add(gatt->chars, chr);
		}
		n_services++;
	}
}

SimGatt *
sim_gatt_new(SimGattMode mode, SimRoller *roller, const char *root,
	     const SimGattHost *host, gpointer host_data)
{
	SimGatt *gatt = g_new0(SimGatt, 1);

	gatt->tree.mock = mode == SIM_GATT_MOCK;
	gatt->tree.roller = roller;
	gatt->tree.link_hint = host ? host->link_hint : NULL;
	gatt->tree.link_hint_data = host_data;
	gatt->tree.secure = host ? host->secure : NULL;
	gatt->root = g_strdup(root);
	gatt->services = g_ptr_array_new_with_free_func((GDestroyNotify)service_free);
	gatt->chars = g_ptr_array_new_with_free_func((GDestroyNotify)char_free);
	gatt->tree.hazards = g_ptr_array_new_with_free_func(g_free);
	layout(gatt);
	return gatt;
}

void
sim_gatt_free(SimGatt *gatt)
{
	if (!gatt)
		return;
	sim_gatt_unexport(gatt);
	g_ptr_array_unref(gatt->chars);
	g_ptr_array_unref(gatt->services);
	g_ptr_array_unref(gatt->tree.hazards);
	g_free(gatt->root);
	g_free(gatt);
}

void
sim_gatt_set_require_encryption(SimGatt *gatt, gboolean encrypt)
{
	gatt->encrypt = encrypt && !gatt->tree.mock;
}

gboolean
sim_gatt_is_exported(SimGatt *gatt)
{
	return gatt->manager != NULL;
}

void
sim_gatt_export(SimGatt *gatt, GDBusObjectManagerServer *manager)
{
	if (!gatt->manager)
		gatt->manager = g_object_ref(manager);
	/* bluetoothd's order: a service, then each characteristic followed
	 * by its descriptors; objects are fresh, as after a new browse.  Only
	 * what is not there yet: after sim_gatt_remove_service(), that one. */
	for (guint s = 0; s < gatt->services->len; s++) {
		struct sim_gatt_service *svc = g_ptr_array_index(gatt->services, s);

		if (svc->object)
			continue;
		build_service(gatt, svc);
		g_dbus_object_manager_server_export(gatt->manager, svc->object);
		for (guint c = 0; c < gatt->chars->len; c++) {
			struct sim_gatt_char *chr = g_ptr_array_index(gatt->chars, c);

			if (chr->service != svc->def)
				continue;
			build_char(gatt, chr, svc->path);
			g_dbus_object_manager_server_export(gatt->manager, chr->object);
			if (chr->cccd_object)
				g_dbus_object_manager_server_export(gatt->manager,
								    chr->cccd_object);
		}
	}
}

/* Removed as bluetoothd does: descriptors, characteristics, then the service. */
static void
unexport_service(SimGatt *gatt, struct sim_gatt_service *svc)
{
	GDBusObjectManagerServer *manager = gatt->manager;

	for (guint c = gatt->chars->len; c-- > 0;) {
		struct sim_gatt_char *chr = g_ptr_array_index(gatt->chars, c);

		if (chr->service != svc->def || !chr->object)
			continue;
		sim_gatt_notify_clear(chr);
		if (chr->cccd_object)
			g_dbus_object_manager_server_unexport(manager, chr->cccd_path);
		g_dbus_object_manager_server_unexport(manager, chr->path);
		g_clear_object(&chr->cccd_object);
		g_clear_object(&chr->cccd_iface);
		g_clear_object(&chr->object);
		g_clear_object(&chr->iface);
	}
	g_dbus_object_manager_server_unexport(manager, svc->path);
	g_clear_object(&svc->object);
	g_clear_object(&svc->iface);
}

static void
forget_manager(SimGatt *gatt)
{
	gatt->tree.changing = FALSE;
	g_clear_object(&gatt->manager);
}

void
sim_gatt_unexport(SimGatt *gatt)
{
	if (!gatt->manager)
		return;
	for (guint s = gatt->services->len; s-- > 0;) {
		struct sim_gatt_service *svc = g_ptr_array_index(gatt->services, s);

		if (svc->object)
			unexport_service(gatt, svc);
	}
	forget_manager(gatt);
}

static void
remove_service(SimGatt *gatt, struct sim_gatt_service *svc)
{
	unexport_service(gatt, svc);
	for (guint s = 0; s < gatt->services->len; s++) {
		if (((struct sim_gatt_service *)g_ptr_array_index(gatt->services, s))->object)
			return;
	}
	forget_manager(gatt);
}

gboolean
sim_gatt_remove_last_service(SimGatt *gatt)
{
	for (guint s = gatt->services->len; s-- > 0;) {
		struct sim_gatt_service *svc = g_ptr_array_index(gatt->services, s);

		if (svc->object) {
			gatt->tree.changing = TRUE;
			remove_service(gatt, svc);
			return TRUE;
		}
	}
	return FALSE;
}

gboolean
sim_gatt_remove_service(SimGatt *gatt, const char *uuid)
{
	for (guint s = 0; s < gatt->services->len; s++) {
		struct sim_gatt_service *svc = g_ptr_array_index(gatt->services, s);

		if (svc->object && g_ascii_strcasecmp(svc->def->uuid, uuid) == 0) {
			remove_service(gatt, svc);
			return TRUE;
		}
	}
	return FALSE;
}

GStrv
sim_gatt_get_hazards(SimGatt *gatt)
{
	GStrvBuilder *builder = g_strv_builder_new();
	GStrv hazards;

	for (guint i = 0; i < gatt->tree.hazards->len; i++)
		g_strv_builder_add(builder, g_ptr_array_index(gatt->tree.hazards, i));
	hazards = g_strv_builder_end(builder);
	g_strv_builder_unref(builder);
	return hazards;
}

void
sim_gatt_link_up(SimGatt *gatt)
{
	gatt->tree.disconnecting = FALSE;
	for (guint i = 0; i < gatt->chars->len; i++) {
		struct sim_gatt_char *chr = g_ptr_array_index(gatt->chars, i);

		if (chr->iface && gatt->tree.mock)
			sim_iface_set(chr->iface, "MTU",
				      g_variant_new_uint16(sim_roller_get_mtu(gatt->tree.roller)));
		sim_gatt_notify_link_up(chr);
	}
}

void
sim_gatt_link_down(SimGatt *gatt)
{
	gatt->tree.disconnecting = FALSE;
	for (guint i = 0; i < gatt->chars->len; i++) {
		struct sim_gatt_char *chr = g_ptr_array_index(gatt->chars, i);

		sim_gatt_notify_link_down(chr);
		if (chr->iface && gatt->tree.mock)
			sim_iface_unset(chr->iface, "MTU");
	}
}

void
sim_gatt_set_disconnecting(SimGatt *gatt, gboolean disconnecting)
{
	gatt->tree.disconnecting = disconnecting;
}

void
sim_gatt_deliver(SimGatt *gatt, enum model_char_id ch, const guint8 *data,
		 gsize len)
{
	struct sim_gatt_char *chr = find_char(gatt, ch);

	if (!chr || !chr->iface)
		return;
	sim_gatt_notify_deliver(chr, data, len);
}

static int
compare_strings(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

GStrv
sim_gatt_service_uuids(SimGattMode mode)
{
	GPtrArray *uuids = g_ptr_array_new();

	for (guint s = 0; s < G_N_ELEMENTS(services); s++)
		if (!services[s].mock_only || mode == SIM_GATT_MOCK)
			g_ptr_array_add(uuids, g_strdup(services[s].uuid));
	g_ptr_array_sort(uuids, compare_strings);
	g_ptr_array_add(uuids, NULL);
	return (GStrv)g_ptr_array_free(uuids, FALSE);
}
