/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SimIface: a D-Bus interface skeleton whose properties live in a table
 * and may be absent.
 *
 * gdbus-codegen's skeletons always export every property of the XML, but
 * bluetoothd leaves optional properties out (Device1.RSSI outside
 * discovery, NotifyAcquired without the "notify" flag, ...), and that
 * presence is part of the API: in peripheral mode bluetoothd calls
 * AcquireNotify only when NotifyAcquired exists.  So every object
 * roller-sim exports uses this class with the generated GDBusInterfaceInfo;
 * the generated proxies remain what clients use.
 *
 * Property changes are emitted at once as PropertiesChanged (a property
 * that disappears is listed as invalidated), in the order they are made,
 * so that a client sees Connected before ServicesResolved as with BlueZ.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SIM_TYPE_IFACE (sim_iface_get_type())
G_DECLARE_FINAL_TYPE(SimIface, sim_iface, SIM, IFACE, GDBusInterfaceSkeleton)

/*
 * A method call, after the reply delay fault if one is set.  The handler
 * must complete @invocation (now or later).
 */
typedef void (*SimIfaceMethodFunc)(SimIface *iface, const char *method,
				   GVariant *parameters,
				   GDBusMethodInvocation *invocation,
				   gpointer user_data);

/*
 * A Properties.Set of a property the XML declares writable.  Return FALSE
 * with @error set to refuse it; on TRUE the handler has stored the value
 * (usually with sim_iface_set()).
 */
typedef gboolean (*SimIfaceSetFunc)(SimIface *iface, const char *property,
				    GVariant *value, GError **error,
				    gpointer user_data);

SimIface *sim_iface_new(GDBusInterfaceInfo *info, SimIfaceMethodFunc method,
			SimIfaceSetFunc set, gpointer user_data);

/* Sets a property (a floating @value is sunk); emits only on a change. */
void sim_iface_set(SimIface *iface, const char *property, GVariant *value);
/* Sets a property and emits PropertiesChanged even when it is unchanged,
 * as bluetoothd does for every notification on Value. */
void sim_iface_set_always(SimIface *iface, const char *property,
			  GVariant *value);
/* Makes a property absent; emits it as invalidated if it was present. */
void sim_iface_unset(SimIface *iface, const char *property);
/* The value (borrowed), or NULL when absent. */
GVariant *sim_iface_get(SimIface *iface, const char *property);
gboolean sim_iface_get_boolean(SimIface *iface, const char *property);

void sim_iface_set_boolean(SimIface *iface, const char *property,
			   gboolean value);
void sim_iface_set_string(SimIface *iface, const char *property,
			  const char *value);
void sim_iface_set_bytes(SimIface *iface, const char *property,
			 const guint8 *data, gsize len);

/* Emits a signal of this interface on every connection it is exported on. */
void sim_iface_emit_signal(SimIface *iface, const char *signal,
			   GVariant *parameters);

/*
 * Wraps an interface of this class into a new object at @path, for a
 * GDBusObjectManagerServer.
 */
GDBusObjectSkeleton *sim_iface_new_object(const char *path, SimIface *iface);

/*
 * The --fault-delay-ms knob: every method call on a SimIface waits this
 * long before its handler runs, as if bluetoothd or the link were slow.
 */
void sim_iface_set_call_delay(guint delay_ms);
/* Drops the calls still waiting out that delay, unanswered (at exit). */
void sim_iface_drop_delayed_calls(void);

/* Replies with org.bluez.Error.@name and @message. */
void sim_iface_return_bluez_error(GDBusMethodInvocation *invocation,
				  const char *name, const char *message);

G_END_DECLS
