/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "daemon/rd-config.h"
#include "daemon/rd-state-dir.h"
#include "rd-daemon.h"
#include "common/rd-dbus-generated.h"
#include "daemon/bluez/rd-agent.h"
#include "daemon/bluez/rd-discovery.h"
#include "daemon/bluez/rd-pairing.h"
#include "common/rd-error.h"
#include "rd-history.h"
#include "rd-journal-io.h"
#include "rd-people.h"
#include "rd-reminders.h"
#include "rd-roller.h"
#include "daemon/clinic/rd-clinic.h"
#include "daemon/store/rd-store.h"
#include "daemon/store/rd-store-outbox.h"
#include "daemon/store/rd-store-people.h"
#include "roller-proto.h"

#define MANAGER_PATH "/org/rollerd"
#define KNOWN_ROLLERS_FILE "rollers.ini"

struct _RdDaemon {
	RdContext ctx;
	RdConfig *config;
	RdDbusManager1 *manager;
	RdHistory *history;
	RdJournalIo *journal_io;
	RdPeople *people;
	RdReminders *reminders;
	GHashTable *rollers;		/* address -> RdRoller */
	RdDiscovery *discovery;
	char *known_path;
	GSourceFunc ready;
	gpointer ready_data;
};

static void
save_known_rollers(RdDaemon *d)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, d->rollers);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		RdRoller *r = value;
		const char *addr = rd_roller_get_address(r);

		g_key_file_set_string(kf, addr, "Serial", rd_roller_get_serial(r));
		g_key_file_set_boolean(kf, addr, "AutoConnect", rd_roller_get_auto_connect(r));
		g_key_file_set_int64(kf, addr, "CurrentPerson", rd_roller_get_current_person(r));
	}
	if (!g_key_file_save_to_file(kf, d->known_path, &error))
		g_warning("Cannot remember the known rollers: %s", error->message);
}

/* Scan in the background while a remembered roller is out of range. */
static void
update_background_scan(RdDaemon *d)
{
	GHashTableIter iter;
	gpointer value;
	gboolean absent = FALSE;

	if (!d->discovery)
		return;
	g_hash_table_iter_init(&iter, d->rollers);
	while (!absent && g_hash_table_iter_next(&iter, NULL, &value))
		absent = rd_roller_get_auto_connect(value) && !rd_roller_has_device(value);
	rd_discovery_set_background(d->discovery, absent);
}

static void
rollers_changed(gpointer owner)
{
	save_known_rollers(owner);
	update_background_scan(owner);
}

static RdRoller *
add_roller(RdDaemon *d, const char *address, const char *name)
{
	RdRoller *r = g_hash_table_lookup(d->rollers, address);

	if (r)
		return r;
	g_debug("New roller %s", address);
	r = rd_roller_new(&d->ctx, address, name);
	g_hash_table_insert(d->rollers, g_strdup(address), r);
	return r;
}

static void
load_known_rollers(RdDaemon *d)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) groups = NULL;

	if (!g_key_file_load_from_file(kf, d->known_path, G_KEY_FILE_NONE, &error)) {
		if (!g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			g_warning("Cannot read %s: %s", d->known_path, error->message);
		return;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (gsize i = 0; groups[i]; i++) {
		g_autoptr(GError) bool_error = NULL;
		gboolean auto_connect = g_key_file_get_boolean(kf, groups[i], "AutoConnect",
							       &bool_error);
		g_autofree char *serial = g_key_file_get_string(kf, groups[i], "Serial", NULL);
		gint64 person = g_key_file_get_int64(kf, groups[i], "CurrentPerson", NULL);
		RdRoller *r = add_roller(d, groups[i], NULL);
		gboolean found = FALSE;

		if (serial && *serial)
			rd_roller_set_serial(r, serial);
		/* A person removed meanwhile, or none saved: the default. */
		if (person > 0 && rd_store_has_person(d->ctx.store, person, &found, NULL) && found)
			rd_roller_set_current_person(r, person);
		rd_roller_set_auto_connect(r, bool_error ? TRUE : auto_connect);
	}
}

static RdRoller *
roller_for_path(RdDaemon *d, const char *path)
{
	GHashTableIter iter;
	gpointer value;

	/* BlueZ paths: /org/bluez/hciN/dev_AA_BB_CC_DD_EE_FF[/serviceXXXX/...] */
	g_hash_table_iter_init(&iter, d->rollers);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		g_autofree char *dev = g_strdup_printf("dev_%s", rd_roller_get_address(value));

		g_strdelimit(dev, ":", '_');
		if (strstr(path, dev))
			return value;
	}
	return NULL;
}

typedef struct {
	RdDaemon *daemon;
	char *address;
} ForgetData;

static gboolean
remove_forgotten(gpointer user_data)
{
	ForgetData *f = user_data;
	RdRoller *r = g_hash_table_lookup(f->daemon->rollers, f->address);

	if (r) {
		rd_roller_disconnect(r);
		/* The bond goes too: a roller forgotten is a stranger again. */
		if (rd_roller_get_device(r))
			rd_pairing_remove_bond(rd_roller_get_device(r));
	}
	if (g_hash_table_remove(f->daemon->rollers, f->address)) {
		g_message("Forgot roller %s", f->address);
		rollers_changed(f->daemon);
	}
	g_free(f->address);
	g_free(f);
	return G_SOURCE_REMOVE;
}

static void
session_changed(gpointer owner, gint64 session_id)
{
	RdDaemon *d = owner;

	rd_history_session_changed(d->history, session_id);
}

static void
sessions_changed(gpointer owner)
{
	RdDaemon *d = owner;

	if (d->reminders)
		rd_reminders_check(d->reminders);
	if (d->ctx.clinic)
		rd_clinic_kick(d->ctx.clinic);
}

static void
person_removed(gpointer owner, gint64 person_id)
{
	RdDaemon *d = owner;
	GHashTableIter iter;
	gpointer value;
	gboolean changed = FALSE;

	g_hash_table_iter_init(&iter, d->rollers);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		if (rd_roller_get_current_person(value) != person_id)
			continue;
		rd_roller_set_current_person(value, RD_PERSON_DEFAULT_ID);
		changed = TRUE;
	}
	if (changed)
		save_known_rollers(d);
}

/* Deferred: Forget is answered from inside the roller being dropped. */
static void
forget_roller(gpointer owner, const char *address)
{
	ForgetData *f = g_new0(ForgetData, 1);

	f->daemon = owner;
	f->address = g_strdup(address);
	g_idle_add(remove_forgotten, f);
}

static void
on_device_added(RdBluez *bluez, GDBusProxy *device, gpointer user_data)
{
	RdDaemon *d = user_data;
	g_autofree char *address = rd_bluez_get_string(device, "Address");
	g_autofree char *name = rd_bluez_get_string(device, "Name");
	RdRoller *r;

	if (!address)
		return;
	r = g_hash_table_lookup(d->rollers, address);
	if (!r && !rd_bluez_device_has_uuid(device, ROLLER_UUID_SERVICE))
		return;
	if (!r) {
		r = add_roller(d, address, name);
		save_known_rollers(d);
	}
	rd_roller_set_device(r, device);
	update_background_scan(d);
}

static void
on_device_removed(RdBluez *bluez, const char *path, gpointer user_data)
{
	RdRoller *r = roller_for_path(user_data, path);

	if (r)
		rd_roller_set_device(r, NULL);
	update_background_scan(user_data);
}

static void
on_characteristic_added(RdBluez *bluez, GDBusProxy *chr, gpointer user_data)
{
	RdRoller *r = roller_for_path(user_data, g_dbus_proxy_get_object_path(chr));

	if (r)
		rd_roller_characteristic_added(r, chr);
}

static void
on_characteristic_removed(RdBluez *bluez, const char *path, gpointer user_data)
{
	RdRoller *r = roller_for_path(user_data, path);

	if (r)
		rd_roller_characteristic_removed(r, path);
}

static void
on_adapter_changed(RdBluez *bluez, gpointer user_data)
{
	RdDaemon *d = user_data;

	rd_discovery_adapter_changed(d->discovery);
}

/* [Clinic] on: the outbox records and the clinic sends; off: no outbox. */
static gboolean
start_clinic(RdDaemon *d, GError **error)
{
	RdClinicSettings settings = {
		.connection = rd_config_get_clinic_connection(d->config),
		.room = rd_config_get_clinic_room(d->config),
		.password_file = rd_config_get_clinic_password_file(d->config),
		.timeout_ms = rd_config_get_clinic_timeout_ms(d->config),
	};

	if (!settings.connection)
		return rd_store_outbox_enable(d->ctx.store, FALSE, error);
	d->ctx.clinic = rd_clinic_new(&d->ctx.store, &settings, error);
	return d->ctx.clinic != NULL;
}

RdDaemon *
rd_daemon_new(const RdDaemonOptions *options, GError **error)
{
	g_autoptr(RdDaemon) d = g_new0(RdDaemon, 1);
	g_autofree char *db_path = NULL;

	d->rollers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					   (GDestroyNotify)rd_roller_free);
	d->config = rd_config_load(options->config_path, error);
	if (!d->config)
		return NULL;
	if (!rd_state_dir_prepare(options->state_dir, error))
		return NULL;
	db_path = g_build_filename(options->state_dir, "sessions.db", NULL);
	d->ctx.store = rd_store_open(db_path, error);
	if (!d->ctx.store || !start_clinic(d, error))
		return NULL;
	d->ctx.config = d->config;
	d->ctx.state_dir = g_strdup(options->state_dir);
	d->ctx.acquire_notify = options->acquire_notify;
	d->ctx.system_bus = options->system_bus;
	d->ctx.forget_roller = forget_roller;
	d->ctx.rollers_changed = rollers_changed;
	d->ctx.session_changed = session_changed;
	d->ctx.sessions_changed = sessions_changed;
	d->ctx.person_removed = person_removed;
	d->ctx.owner = d;
	d->known_path = g_build_filename(options->state_dir, KNOWN_ROLLERS_FILE, NULL);
	return g_steal_pointer(&d);
}

static void
on_bluez_ready(RdBluez *bluez, gpointer user_data)
{
	RdDaemon *d = user_data;

	if (d->ready)
		d->ready(d->ready_data);
	d->ready = NULL;
}

void
rd_daemon_start(RdDaemon *d, GDBusConnection *bus, GDBusConnection *bluez_bus,
		GSourceFunc ready, gpointer ready_data)
{
	static const RdBluezCallbacks bluez_callbacks = {
		.device_added = on_device_added,
		.device_removed = on_device_removed,
		.characteristic_added = on_characteristic_added,
		.characteristic_removed = on_characteristic_removed,
		.adapter_changed = on_adapter_changed,
		.ready = on_bluez_ready,
	};
	g_autoptr(GError) error = NULL;

	d->ready = ready;
	d->ready_data = ready_data;
	d->ctx.bus = g_object_ref(bus);
	d->ctx.object_manager = g_dbus_object_manager_server_new(MANAGER_PATH);

	d->manager = rd_dbus_manager1_skeleton_new();
	rd_dbus_manager1_set_version(d->manager, PACKAGE_VERSION);
	rd_dbus_manager1_set_discovering(d->manager, FALSE);
	d->discovery = rd_discovery_new(&d->ctx, d->manager);
	/* The ObjectManager lists the objects below it; Manager1 sits beside it. */
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(d->manager), bus,
					      MANAGER_PATH, &error))
		g_error("Cannot export %s: %s", MANAGER_PATH, error->message);
	d->history = rd_history_new(&d->ctx, d->manager);
	d->journal_io = rd_journal_io_new(&d->ctx, d->manager, d->history);
	d->people = rd_people_new(&d->ctx, d->manager);
	d->reminders = rd_reminders_new(&d->ctx, d->manager);

	/* BlueZ's objects arrive later, in callbacks: the rollers are known by then. */
	d->ctx.agent = rd_agent_new(bluez_bus);
	d->ctx.bluez = rd_bluez_new(bluez_bus, &bluez_callbacks, d);
	load_known_rollers(d);
	update_background_scan(d);
	g_dbus_object_manager_server_set_connection(d->ctx.object_manager, bus);
}

void
rd_daemon_name_acquired(RdDaemon *d)
{
	/* What fell due while rollerd was not running, now that watchers of
	 * org.rollerd hear it. */
	rd_reminders_check(d->reminders);
}

void
rd_daemon_free(RdDaemon *d)
{
	if (!d)
		return;
	g_clear_pointer(&d->ctx.bluez, rd_bluez_free);
	g_clear_pointer(&d->ctx.agent, rd_agent_free);
	g_clear_pointer(&d->discovery, rd_discovery_free);
	g_clear_pointer(&d->rollers, g_hash_table_unref);
	g_clear_pointer(&d->journal_io, rd_journal_io_free);
	g_clear_pointer(&d->history, rd_history_free);
	g_clear_pointer(&d->reminders, rd_reminders_free);
	g_clear_pointer(&d->people, rd_people_free);
	if (d->manager) {
		g_signal_handlers_disconnect_by_data(d->manager, d);
		g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(d->manager));
	}
	g_clear_object(&d->manager);
	g_clear_object(&d->ctx.object_manager);
	g_clear_object(&d->ctx.bus);
	g_clear_pointer(&d->ctx.clinic, rd_clinic_free);
	g_clear_pointer(&d->ctx.store, rd_store_free);
	g_clear_pointer(&d->config, rd_config_free);
	g_free(d->ctx.state_dir);
	g_free(d->known_path);
	g_free(d);
}
