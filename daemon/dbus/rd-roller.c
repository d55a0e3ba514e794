/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.rollerd.Roller2: a roller's properties and methods. */
#include "config.h"

#include "rd-roller.h"
#include "common/rd-area.h"
#include "common/rd-dbus-generated.h"
#include "common/rd-error.h"
#include "rd-live-watch.h"
#include "rd-people.h"
#include "rd-polkit.h"
#include "daemon/bluez/rd-bluez.h"
#include "daemon/bluez/rd-roller-link.h"
#include "daemon/live/rd-live.h"
#include "daemon/store/rd-store-people.h"
#include "daemon/sync/rd-sync.h"

/* The one owner of a roller: its Roller2 object, the link to it, its live
 * session and its sync; the link's events are routed from here. */
struct _RdRoller {
	RdContext *ctx;
	char *address;
	char *path;
	char *serial;
	RdDbusObjectSkeleton *object;
	RdDbusRoller2 *iface;
	RdRollerLink *link;

	/* what the roller said */
	struct roller_info info;
	gboolean have_info;
	struct roller_status status;
	gboolean have_status;

	RdLive *live;
	RdLiveWatch *watch;
	RdSync *sync;
	gint64 person_id;	/* CurrentPerson */
};

char *
rd_roller_path_for_address(const char *address)
{
	g_autofree char *escaped = g_strdup(address);

	g_strcanon(escaped, "0123456789ABCDEFabcdef", '_');
	return g_strconcat("/org/rollerd/roller/", escaped, NULL);
}

static const char *
status_state_name(guint8 state)
{
	switch (state) {
	case ROLLER_STATE_IDLE: return "idle";
	case ROLLER_STATE_SESSION: return "session";
	case ROLLER_STATE_PAUSED: return "paused";
	case ROLLER_STATE_TRANSFERRING: return "transferring";
	case ROLLER_STATE_CHARGING: return "charging";
	}
	return "idle";
}

static void
update_state_property(RdRoller *r)
{
	RdLinkState link = rd_roller_link_get_state(r->link);
	const char *state;

	if (link != RD_LINK_READY && link != RD_LINK_DISCONNECTED)
		state = "connecting";
	else if (link == RD_LINK_DISCONNECTED)
		state = "disconnected";
	else
		state = r->have_status ? status_state_name(r->status.state) : "idle";
	rd_dbus_roller2_set_state(r->iface, state);
}

static gboolean
set_info(RdRoller *r, const guint8 *data, gsize len)
{
	struct roller_info info;
	enum roller_error err = roller_info_decode(data, len, &info);

	if (err != ROLLER_OK) {
		g_message("Roller %s: its Roller Info is malformed (%s)", r->address,
			  roller_error_name(err));
		return FALSE;
	}
	r->info = info;
	r->have_info = TRUE;
	rd_dbus_roller2_set_needle_length(r->iface, info.needle_um);
	rd_dbus_roller2_set_grid_columns(r->iface, info.grid_cols);
	rd_dbus_roller2_set_grid_rows(r->iface, info.grid_rows);
	rd_dbus_roller2_set_force_band(r->iface,
				       g_variant_new("(qq)", info.force_band_low_cN,
						     info.force_band_high_cN));
	rd_live_set_roller_info(r->live, &r->info, r->serial, r->address);
	return TRUE;
}

static char *
utf8_value(const guint8 *data, gsize len)
{
	return g_utf8_make_valid((const char *)data, (gssize)len);
}

static gboolean
on_link_value(RdChar id, const guint8 *data, gsize len, gpointer user_data)
{
	RdRoller *r = user_data;
	g_autofree char *text = NULL;

	switch (id) {
	case RD_CHAR_ROLLER_INFO:
		return set_info(r, data, len);
	case RD_CHAR_STATUS: {
		struct roller_status st;

		if (roller_status_decode(data, len, &st) != ROLLER_OK) {
			g_message("Roller %s: ignoring a malformed Status", r->address);
			return FALSE;
		}
		r->status = st;
		r->have_status = TRUE;
		rd_dbus_roller2_set_stored_records(r->iface, st.stored_records);
		rd_dbus_roller2_set_storage_full(r->iface,
						 (st.flags & ROLLER_STATUS_STORAGE_FULL) != 0);
		update_state_property(r);
		rd_live_feed_status(r->live, &st);
		break;
	}
	case RD_CHAR_BATTERY_LEVEL:
		if (len == 1 && data[0] <= 100)
			rd_dbus_roller2_set_battery(r->iface, data[0]);
		break;
	case RD_CHAR_SERIAL:
		text = utf8_value(data, len);
		rd_roller_set_serial(r, text);
		break;
	case RD_CHAR_MODEL:
		text = utf8_value(data, len);
		rd_dbus_roller2_set_model(r->iface, text);
		break;
	case RD_CHAR_FIRMWARE:
		text = utf8_value(data, len);
		rd_dbus_roller2_set_firmware(r->iface, text);
		break;
	default:
		break;
	}
	return TRUE;
}

void
rd_roller_set_serial(RdRoller *r, const char *serial)
{
	g_free(r->serial);
	r->serial = g_strdup(serial);
	rd_dbus_roller2_set_serial(r->iface, serial);
	rd_live_set_roller_info(r->live, r->have_info ? &r->info : NULL, r->serial,
				r->address);
}

static void
on_link_state_changed(RdLinkState state, gpointer user_data)
{
	RdRoller *r = user_data;

	update_state_property(r);
	rd_dbus_roller2_set_connected(r->iface, state == RD_LINK_READY);
	/* Said before Connect's callers are answered. */
	if (state == RD_LINK_READY)
		g_message("Roller %s (%s) is ready", r->address, r->serial);
}

static void
on_link_ready(gpointer user_data)
{
	RdRoller *r = user_data;

	r->ctx->rollers_changed(r->ctx->owner);
	rd_sync_link_ready(r->sync);
}

/* The sync ends while the control point is still there; the live session
 * resynchronises. */
static void
on_link_lost(gpointer user_data)
{
	RdRoller *r = user_data;

	rd_sync_link_lost(r->sync);
	rd_live_link_lost(r->live);
}

static void
on_link_telemetry(const guint8 *data, gsize len, gpointer user_data)
{
	RdRoller *r = user_data;

	rd_live_feed_telemetry(r->live, data, len);
}

static void
on_link_record_chunk(const guint8 *data, gsize len, gpointer user_data)
{
	RdRoller *r = user_data;

	rd_sync_feed_chunk(r->sync, data, len);
}

static const RdRollerLinkCallbacks link_callbacks = {
	.state_changed = on_link_state_changed,
	.ready = on_link_ready,
	.lost = on_link_lost,
	.value = on_link_value,
	.telemetry = on_link_telemetry,
	.record_chunk = on_link_record_chunk,
};

/* Methods that talk to the roller need it ready. */
static gboolean
require_ready(RdRoller *r, GDBusMethodInvocation *invocation)
{
	if (rd_roller_link_is_ready(r->link))
		return TRUE;
	g_dbus_method_invocation_return_error(invocation, RD_ERROR, RD_ERROR_NOT_CONNECTED,
					      "Roller %s is not connected; connect it first "
					      "(rollerctl connect %s)", r->address, r->address);
	return FALSE;
}

typedef struct {
	RdRoller *roller;
	GDBusMethodInvocation *invocation;
	struct roller_cp_request req;
} CpCall;

static void
on_cp_call_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autofree CpCall *call = user_data;
	g_autoptr(GError) error = NULL;
	struct roller_cp_response rsp;
	RdRoller *r = call->roller;

	if (!rd_control_point_request_finish(NULL, res, &rsp, &error)) {
		g_dbus_method_invocation_return_gerror(call->invocation, error);
		return;
	}
	if (!rd_control_point_check_result(&rsp, &error)) {
		/* The profile gives no reason; rollerd may know the likely one. */
		if (rsp.request_opcode == ROLLER_CP_START_SESSION &&
		    rsp.result == ROLLER_CP_FAILED && rd_dbus_roller2_get_storage_full(r->iface)) {
			g_clear_error(&error);
			g_set_error(&error, RD_ERROR, RD_ERROR_ROLLER_FAILED,
				    "Roller %s's storage is full: sync it (rollerctl sync %s) "
				    "to make room for a session", r->address, r->address);
		}
		g_dbus_method_invocation_return_gerror(call->invocation, error);
		return;
	}
	switch (call->req.opcode) {
	case ROLLER_CP_START_SESSION:
		rd_live_set_area(r->live, call->req.u.area_id);
		break;
	case ROLLER_CP_SET_FORCE_BAND:
		r->info.force_band_low_cN = call->req.u.band.low_cN;
		r->info.force_band_high_cN = call->req.u.band.high_cN;
		rd_dbus_roller2_set_force_band(r->iface,
					       g_variant_new("(qq)", r->info.force_band_low_cN,
							     r->info.force_band_high_cN));
		rd_live_set_roller_info(r->live, &r->info, r->serial, r->address);
		break;
	default:
		break;
	}
	g_dbus_method_invocation_return_value(call->invocation, NULL);
}

static void
cp_call(RdRoller *r, GDBusMethodInvocation *invocation,
	const struct roller_cp_request *req)
{
	CpCall *call = g_new0(CpCall, 1);

	call->roller = r;
	call->invocation = invocation;
	call->req = *req;
	rd_control_point_request(rd_roller_link_get_control_point(r->link), req,
				 RD_CONTROL_POINT_TIMEOUT_MS, NULL, on_cp_call_done, call);
}

static gboolean
handle_connect(RdDbusRoller2 *iface, GDBusMethodInvocation *invocation, RdRoller *r)
{
	rd_roller_link_set_auto_connect(r->link, TRUE);
	r->ctx->rollers_changed(r->ctx->owner);
	rd_roller_link_connect(r->link, invocation);
	return TRUE;
}

static gboolean
handle_disconnect(RdDbusRoller2 *iface, GDBusMethodInvocation *invocation, RdRoller *r)
{
	/* An explicit disconnect stops automatic reconnection until Connect. */
	rd_roller_link_set_auto_connect(r->link, FALSE);
	r->ctx->rollers_changed(r->ctx->owner);
	rd_roller_link_disconnect(r->link, invocation);
	return TRUE;
}

static gboolean choose_person(RdRoller *r, GDBusMethodInvocation *invocation,
			      const char *path);

/* StartSession, and StartSessionFor with @person (NULL: the current one). */
static void
start_session(RdRoller *r, GDBusMethodInvocation *invocation, const char *area,
	      const char *person)
{
	struct roller_cp_request req = { .opcode = ROLLER_CP_START_SESSION };

	if (!rd_area_from_string(area, &req.u.area_id)) {
		g_dbus_method_invocation_return_error(invocation, RD_ERROR,
						      RD_ERROR_INVALID_ARGUMENTS,
						      "Unknown treatment area '%s'", area);
		return;
	}
	if (require_ready(r, invocation) && (!person || choose_person(r, invocation, person)))
		cp_call(r, invocation, &req);
}

static gboolean
handle_start_session(RdDbusRoller2 *iface, GDBusMethodInvocation *invocation,
		     const char *area, RdRoller *r)
{
	start_session(r, invocation, area, NULL);
	return TRUE;
}

void
rd_roller_set_current_person(RdRoller *r, gint64 person_id)
{
	g_autofree char *path = rd_people_path(person_id);

	r->person_id = person_id;
	rd_dbus_roller2_set_current_person(r->iface, path);
	rd_live_set_person(r->live, person_id, path);
	rd_sync_set_person(r->sync, person_id);
}

gint64
rd_roller_get_current_person(RdRoller *r)
{
	return r->person_id;
}

/* The person at @path made current (and remembered); FALSE after answering. */
static gboolean
choose_person(RdRoller *r, GDBusMethodInvocation *invocation, const char *path)
{
	g_autoptr(GError) error = NULL;
	gint64 id;

	if (!rd_people_resolve(r->ctx, path, &id, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return FALSE;
	}
	if (id != r->person_id) {
		rd_roller_set_current_person(r, id);
		r->ctx->rollers_changed(r->ctx->owner);
	}
	return TRUE;
}

static gboolean
handle_set_current_person(RdDbusRoller2 *iface, GDBusMethodInvocation *invocation,
			  const char *person, RdRoller *r)
{
	if (choose_person(r, invocation, person))
		rd_dbus_roller2_complete_set_current_person(iface, invocation);
	return TRUE;
}

static gboolean
handle_start_session_for(RdDbusRoller2 *iface, GDBusMethodInvocation *invocation,
			 const char *area, const char *person, RdRoller *r)
{
	start_session(r, invocation, area, person);
	return TRUE;
}

static gboolean
handle_stop_session(RdDbusRoller2 *iface, GDBusMethodInvocation *invocation, RdRoller *r)
{
	struct roller_cp_request req = { .opcode = ROLLER_CP_STOP_SESSION };

	if (require_ready(r, invocation))
		cp_call(r, invocation, &req);
	return TRUE;
}

static gboolean
handle_set_force_band(RdDbusRoller2 *iface, GDBusMethodInvocation *invocation,
		      guint16 low, guint16 high, RdRoller *r)
{
	struct roller_cp_request req = { .opcode = ROLLER_CP_SET_FORCE_BAND };

	if (low >= high) {
		g_dbus_method_invocation_return_error(invocation, RD_ERROR,
						      RD_ERROR_INVALID_ARGUMENTS,
						      "The band's low edge (%u cN) must be below "
						      "its high edge (%u cN)", low, high);
		return TRUE;
	}
	if (!require_ready(r, invocation))
		return TRUE;
	if (high > r->info.force_full_scale_cN) {
		g_dbus_method_invocation_return_error(invocation, RD_ERROR,
						      RD_ERROR_INVALID_ARGUMENTS,
						      "The band's high edge (%u cN) is above the "
						      "sensor's full scale (%u cN)", high,
						      r->info.force_full_scale_cN);
		return TRUE;
	}
	req.u.band.low_cN = low;
	req.u.band.high_cN = high;
	cp_call(r, invocation, &req);
	return TRUE;
}

static gboolean
handle_identify(RdDbusRoller2 *iface, GDBusMethodInvocation *invocation,
		guint8 seconds, RdRoller *r)
{
	struct roller_cp_request req = { .opcode = ROLLER_CP_IDENTIFY };

	if (seconds < 1 || seconds > ROLLER_IDENTIFY_MAX_S) {
		g_dbus_method_invocation_return_error(invocation, RD_ERROR,
						      RD_ERROR_INVALID_ARGUMENTS,
						      "Identify takes 1 to %u seconds, not %u",
						      ROLLER_IDENTIFY_MAX_S, seconds);
		return TRUE;
	}
	req.u.seconds = seconds;
	if (require_ready(r, invocation))
		cp_call(r, invocation, &req);
	return TRUE;
}

static gboolean
handle_sync(RdDbusRoller2 *iface, GDBusMethodInvocation *invocation, RdRoller *r)
{
	if (require_ready(r, invocation))
		rd_sync_start(r->sync, invocation);
	return TRUE;
}

typedef struct {
	RdContext *ctx;
	char *address;
} ForgetCall;

static void
forget_call_free(gpointer data)
{
	ForgetCall *f = data;

	g_free(f->address);
	g_free(f);
}

/* The roller may be gone by now; the daemon looks it up by address. */
static void
forget_allowed(GDBusMethodInvocation *invocation, gpointer user_data)
{
	ForgetCall *f = user_data;

	g_dbus_method_invocation_return_value(invocation, NULL);
	f->ctx->forget_roller(f->ctx->owner, f->address);
}

static gboolean
handle_forget(RdDbusRoller2 *iface, GDBusMethodInvocation *invocation, RdRoller *r)
{
	ForgetCall *f = g_new0(ForgetCall, 1);

	f->ctx = r->ctx;
	f->address = g_strdup(r->address);
	rd_polkit_check(r->ctx->bus, r->ctx->system_bus, invocation,
			RD_POLKIT_ACTION_FORGET_ROLLER, forget_allowed, f, forget_call_free);
	return TRUE;
}

void
rd_roller_disconnect(RdRoller *r)
{
	rd_roller_link_set_auto_connect(r->link, FALSE);
	rd_roller_link_disconnect(r->link, NULL);
}

RdRoller *
rd_roller_new(RdContext *ctx, const char *address, const char *name)
{
	RdRoller *r = g_new0(RdRoller, 1);

	r->ctx = ctx;
	r->address = g_strdup(address);
	r->serial = g_strdup("");
	r->path = rd_roller_path_for_address(address);
	r->object = rd_dbus_object_skeleton_new(r->path);
	r->iface = rd_dbus_roller2_skeleton_new();
	r->link = rd_roller_link_new(ctx, address, &link_callbacks, r);

	rd_dbus_roller2_set_address(r->iface, address);
	rd_dbus_roller2_set_name(r->iface, name ? name : "");
	rd_dbus_roller2_set_serial(r->iface, "");
	rd_dbus_roller2_set_model(r->iface, "");
	rd_dbus_roller2_set_firmware(r->iface, "");
	rd_dbus_roller2_set_battery(r->iface, 255);
	rd_dbus_roller2_set_force_band(r->iface, g_variant_new("(qq)", 0, 0));
	rd_dbus_roller2_set_session(r->iface, "/");
	rd_dbus_roller2_set_sync_state(r->iface, "idle");
	rd_dbus_roller2_set_sync_progress(r->iface, g_variant_new("(uu)", 0, 0));
	update_state_property(r);

	g_signal_connect(r->iface, "handle-connect", G_CALLBACK(handle_connect), r);
	g_signal_connect(r->iface, "handle-disconnect", G_CALLBACK(handle_disconnect), r);
	g_signal_connect(r->iface, "handle-start-session", G_CALLBACK(handle_start_session), r);
	g_signal_connect(r->iface, "handle-stop-session", G_CALLBACK(handle_stop_session), r);
	g_signal_connect(r->iface, "handle-set-force-band", G_CALLBACK(handle_set_force_band), r);
	g_signal_connect(r->iface, "handle-identify", G_CALLBACK(handle_identify), r);
	g_signal_connect(r->iface, "handle-sync", G_CALLBACK(handle_sync), r);
	g_signal_connect(r->iface, "handle-forget", G_CALLBACK(handle_forget), r);
	g_signal_connect(r->iface, "handle-set-current-person",
			 G_CALLBACK(handle_set_current_person), r);
	g_signal_connect(r->iface, "handle-start-session-for",
			 G_CALLBACK(handle_start_session_for), r);

	r->live = rd_live_new(ctx, r->iface, r->path);
	r->watch = rd_live_watch_new(ctx->bus, r->iface, r->live, address);
	r->sync = rd_sync_new(ctx, r->link, r->iface);
	rd_roller_set_current_person(r, RD_PERSON_DEFAULT_ID);
	rd_dbus_object_skeleton_set_roller2(r->object, r->iface);
	g_dbus_object_manager_server_export(ctx->object_manager,
					    G_DBUS_OBJECT_SKELETON(r->object));
	return r;
}

void
rd_roller_free(RdRoller *r)
{
	if (!r)
		return;
	if (rd_roller_link_get_device(r->link))
		g_signal_handlers_disconnect_by_data(rd_roller_link_get_device(r->link), r);
	/* Its teardown still reports here, to the sync and the live session. */
	rd_roller_link_free(r->link);
	r->link = NULL;
	g_clear_pointer(&r->sync, rd_sync_free);
	g_clear_pointer(&r->watch, rd_live_watch_free);
	g_clear_pointer(&r->live, rd_live_free);
	g_signal_handlers_disconnect_by_data(r->iface, r);
	g_dbus_object_manager_server_unexport(r->ctx->object_manager, r->path);
	g_object_unref(r->iface);
	g_object_unref(r->object);
	g_free(r->serial);
	g_free(r->address);
	g_free(r->path);
	g_free(r);
}

const char *
rd_roller_get_address(RdRoller *r)
{
	return r->address;
}

const char *
rd_roller_get_object_path(RdRoller *r)
{
	return r->path;
}

const char *
rd_roller_get_serial(RdRoller *r)
{
	return r->serial;
}

const struct roller_info *
rd_roller_get_info(RdRoller *r)
{
	return r->have_info ? &r->info : NULL;
}

/* Paired and Bonded follow the Device1's. */
static void
update_security(RdRoller *r)
{
	GDBusProxy *device = rd_roller_link_get_device(r->link);

	rd_dbus_roller2_set_paired(r->iface, device && rd_bluez_get_bool(device, "Paired"));
	rd_dbus_roller2_set_bonded(r->iface, device && rd_bluez_get_bool(device, "Bonded"));
}

static void
on_device_properties(GDBusProxy *device, GVariant *changed, const char *const *invalidated,
		     RdRoller *r)
{
	update_security(r);
}

void
rd_roller_set_device(RdRoller *r, GDBusProxy *device)
{
	GDBusProxy *old = rd_roller_link_get_device(r->link);

	if (old && old != device)
		g_signal_handlers_disconnect_by_data(old, r);
	/* The name BlueZ has for a device new to us. */
	if (device && device != old) {
		g_autofree char *name = rd_bluez_get_string(device, "Name");

		if (name)
			rd_dbus_roller2_set_name(r->iface, name);
		g_signal_connect(device, "g-properties-changed",
				 G_CALLBACK(on_device_properties), r);
	}
	rd_roller_link_set_device(r->link, device);
	update_security(r);
}

GDBusProxy *
rd_roller_get_device(RdRoller *r)
{
	return rd_roller_link_get_device(r->link);
}

gboolean
rd_roller_has_device(RdRoller *r)
{
	return rd_roller_link_get_device(r->link) != NULL;
}

void
rd_roller_characteristic_added(RdRoller *r, GDBusProxy *chr)
{
	rd_roller_link_characteristic_added(r->link, chr);
}

void
rd_roller_characteristic_removed(RdRoller *r, const char *path)
{
	rd_roller_link_characteristic_removed(r->link, path);
}

void
rd_roller_set_auto_connect(RdRoller *r, gboolean auto_connect)
{
	rd_roller_link_set_auto_connect(r->link, auto_connect);
}

gboolean
rd_roller_get_auto_connect(RdRoller *r)
{
	return rd_roller_link_get_auto_connect(r->link);
}

gboolean
rd_roller_is_ready(RdRoller *r)
{
	return rd_roller_link_is_ready(r->link);
}

RdControlPoint *
rd_roller_get_control_point(RdRoller *r)
{
	return rd_roller_link_get_control_point(r->link);
}
