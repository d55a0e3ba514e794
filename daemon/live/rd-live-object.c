/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "common/rd-area.h"
#include "common/rd-dbus-generated.h"
#include "common/rd-error.h"
#include "daemon/dbus/rd-variant.h"
#include "rd-live-object.h"
#include "rd-rejects.h"

struct _RdLiveObject {
	GDBusObjectManagerServer *manager;
	const RdLiveSession *session;
	char *path;
	char *address;
	gint area_id;
	gboolean stale;
	RdDbusObjectSkeleton *object;
	RdDbusSession1 *iface;
};

/*
 * A Session1 skeleton that asks its owner to refresh before any of its
 * properties is read: GDBus reads them through the vtable's get_property
 * (Get, GetAll) or the class's get_properties (GetManagedObjects).
 */
typedef struct {
	RdDbusSession1Skeleton parent;
	RdLiveObject *owner;
} RdLiveSkeleton;

typedef struct {
	RdDbusSession1SkeletonClass parent_class;
} RdLiveSkeletonClass;

GType rd_live_skeleton_get_type(void);
G_DEFINE_TYPE(RdLiveSkeleton, rd_live_skeleton, RD_DBUS_TYPE_SESSION1_SKELETON)

static GDBusInterfaceVTable live_vtable;
static GDBusInterfaceGetPropertyFunc parent_get_property;

static void refresh(RdLiveObject *o);

static GVariant *
live_get_property(GDBusConnection *connection, const char *sender, const char *object_path,
		  const char *interface_name, const char *property_name, GError **error,
		  gpointer user_data)
{
	RdLiveSkeleton *skeleton = user_data;

	refresh(skeleton->owner);
	return parent_get_property(connection, sender, object_path, interface_name,
				   property_name, error, user_data);
}

static GDBusInterfaceVTable *
rd_live_skeleton_get_vtable(GDBusInterfaceSkeleton *skeleton)
{
	GDBusInterfaceSkeletonClass *parent =
		G_DBUS_INTERFACE_SKELETON_CLASS(rd_live_skeleton_parent_class);

	if (!parent_get_property) {
		live_vtable = *parent->get_vtable(skeleton);
		parent_get_property = live_vtable.get_property;
		live_vtable.get_property = live_get_property;
	}
	return &live_vtable;
}

static GVariant *
rd_live_skeleton_get_properties(GDBusInterfaceSkeleton *skeleton)
{
	refresh(((RdLiveSkeleton *)skeleton)->owner);
	return G_DBUS_INTERFACE_SKELETON_CLASS(rd_live_skeleton_parent_class)->get_properties(skeleton);
}

static void
rd_live_skeleton_class_init(RdLiveSkeletonClass *klass)
{
	GDBusInterfaceSkeletonClass *skeleton_class = G_DBUS_INTERFACE_SKELETON_CLASS(klass);

	skeleton_class->get_vtable = rd_live_skeleton_get_vtable;
	skeleton_class->get_properties = rd_live_skeleton_get_properties;
}

static void
rd_live_skeleton_init(RdLiveSkeleton *skeleton)
{
}

static void
refresh(RdLiveObject *o)
{
	RdLiveSummary s;
	g_autofree char *area = NULL;

	/* A reader may still hold the skeleton once the session is gone. */
	if (!o || !o->stale)
		return;
	o->stale = FALSE;
	rd_live_session_get_summary(o->session, &s);
	area = rd_area_to_string(s.area_id >= 0 ? (guint8)s.area_id :
				 o->area_id >= 0 ? (guint8)o->area_id : 0);
	rd_dbus_session1_set_area(o->iface, area);
	rd_dbus_session1_set_duration(o->iface, s.duration_ms);
	rd_dbus_session1_set_needle_length(o->iface, s.needle_um);
	rd_dbus_session1_set_strokes(o->iface, s.rolls);
	rd_dbus_session1_set_force_mean(o->iface, s.force_mean_cN);
	rd_dbus_session1_set_force_max(o->iface, s.force_max_cN);
	rd_dbus_session1_set_in_band(o->iface, s.in_band_permille);
	rd_dbus_session1_set_directions(o->iface,
					rd_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, s.dirs,
								   4, sizeof(guint32)));
	rd_dbus_session1_set_grid_columns(o->iface, s.cols);
	rd_dbus_session1_set_grid_rows(o->iface, s.rows);
	rd_dbus_session1_set_passes(o->iface,
				    rd_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, s.passes,
							       (gsize)s.cols * s.rows, 1));
	rd_dbus_session1_set_frames_rejected(o->iface, rd_rejects_to_variant(s.frames_rejected));
}

/* SetNotes, Delete and Export act on the history, which a live session is not in yet. */
static gboolean
return_not_stored(RdLiveObject *o, GDBusMethodInvocation *invocation)
{
	g_dbus_method_invocation_return_error(invocation, RD_ERROR, RD_ERROR_NOT_FOUND,
					      "The session on roller %s is still running and "
					      "not in the history yet; use its stored session "
					      "once it has ended", o->address);
	return TRUE;
}

static gboolean
handle_set_notes(RdDbusSession1 *iface, GDBusMethodInvocation *invocation, GVariant *notes,
		 RdLiveObject *o)
{
	return return_not_stored(o, invocation);
}

static gboolean
handle_delete(RdDbusSession1 *iface, GDBusMethodInvocation *invocation, RdLiveObject *o)
{
	return return_not_stored(o, invocation);
}

static gboolean
handle_export(RdDbusSession1 *iface, GDBusMethodInvocation *invocation, const char *format,
	      RdLiveObject *o)
{
	return return_not_stored(o, invocation);
}

void
rd_live_object_set_area(RdLiveObject *o, gint area_id)
{
	o->area_id = area_id;
	o->stale = TRUE;
}

void
rd_live_object_changed(RdLiveObject *o)
{
	o->stale = TRUE;
}

void
rd_live_object_flush(RdLiveObject *o)
{
	refresh(o);
	g_dbus_interface_skeleton_flush(G_DBUS_INTERFACE_SKELETON(o->iface));
}

void
rd_live_object_set_id(RdLiveObject *o, guint64 id)
{
	rd_dbus_session1_set_id(o->iface, id);
}

RdLiveObject *
rd_live_object_new(GDBusObjectManagerServer *manager, const RdLiveSession *session,
		   const RdLiveObjectInfo *info)
{
	RdLiveObject *o = g_new0(RdLiveObject, 1);
	RdLiveSkeleton *skeleton = g_object_new(rd_live_skeleton_get_type(), NULL);

	skeleton->owner = o;
	o->manager = g_object_ref(manager);
	o->session = session;
	o->path = g_strdup(info->path);
	o->address = g_strdup(info->address);
	o->area_id = info->area_id;
	o->iface = RD_DBUS_SESSION1(skeleton);
	rd_dbus_session1_set_id(o->iface, 0);
	rd_dbus_session1_set_live(o->iface, TRUE);
	rd_dbus_session1_set_roller(o->iface, info->serial);
	rd_dbus_session1_set_address(o->iface, info->address);
	rd_dbus_session1_set_record_id(o->iface, rd_live_session_get_id(session));
	rd_dbus_session1_set_start(o->iface, info->start_unix);
	rd_dbus_session1_set_clock_set(o->iface, info->clock_set);
	rd_dbus_session1_set_source(o->iface, "live");
	rd_dbus_session1_set_force_trace(o->iface, g_variant_new_parsed("(@q 0, @aq [])"));
	rd_dbus_session1_set_notes(o->iface, g_variant_new_parsed("@a{sv} {}"));
	o->stale = TRUE;
	refresh(o);
	g_signal_connect(o->iface, "handle-set-notes", G_CALLBACK(handle_set_notes), o);
	g_signal_connect(o->iface, "handle-delete", G_CALLBACK(handle_delete), o);
	g_signal_connect(o->iface, "handle-export", G_CALLBACK(handle_export), o);
	o->object = rd_dbus_object_skeleton_new(o->path);
	rd_dbus_object_skeleton_set_session1(o->object, o->iface);
	g_dbus_object_manager_server_export(manager, G_DBUS_OBJECT_SKELETON(o->object));
	return o;
}

void
rd_live_object_free(RdLiveObject *o)
{
	if (!o)
		return;
	g_dbus_object_manager_server_unexport(o->manager, o->path);
	g_signal_handlers_disconnect_by_data(o->iface, o);
	((RdLiveSkeleton *)o->iface)->owner = NULL;
	g_object_unref(o->iface);
	g_object_unref(o->object);
	g_object_unref(o->manager);
	g_free(o->path);
	g_free(o->address);
	g_free(o);
}
