/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sim/host/sim-clock.h"
#include "sim-mock-pairing.h"

/* LE Secure Connections Just Works, in simulated milliseconds. */
#define PAIRING_MS	200
/* The kernel's SMP_TIMEOUT: a silent peer ends the link. */
#define SMP_TIMEOUT_MS	30000

struct waiter {
	SimGattSecuredFunc done;
	gpointer data;
};

struct _SimMockPairing {
	SimConfig *cfg;
	SimIface *device;
	const SimMockPairingHost *host;
	gpointer host_data;

	gboolean encrypted;
	/* The kernel lost the bond's keys though bluetoothd still says
	 * Bonded: the next link pairs again. */
	gboolean keys_lost;
	gboolean pairing;
	guint timer;
	/* The Pair call being answered (NULL: bluetoothd's own pairing). */
	GDBusMethodInvocation *pair_call;
	GList *waiters;		/* of struct waiter */
	guint pair_calls;
	guint pairings;
};

static gboolean
is_bonded(SimMockPairing *self)
{
	return sim_iface_get_boolean(self->device, "Bonded");
}

/* Ends the pairing under way: @error_name NULL when it succeeded. */
static void
finish(SimMockPairing *self, const char *error_name, const char *message)
{
	GDBusMethodInvocation *call = g_steal_pointer(&self->pair_call);
	GList *waiters = g_steal_pointer(&self->waiters);

	if (self->timer) {
		g_source_remove(self->timer);
		self->timer = 0;
	}
	self->pairing = FALSE;
	if (call && error_name)
		sim_iface_return_bluez_error(call, error_name, message);
	else if (call)
		g_dbus_method_invocation_return_value(call, NULL);
	/* A request sent again after a failed pairing meets the same ATT
	 * error, which bluetoothd then reports (create_gatt_dbus_error()). */
	for (GList *l = waiters; l; l = l->next) {
		struct waiter *w = l->data;

		if (error_name)
			w->done(w->data, "NotPermitted", "Not paired");
		else
			w->done(w->data, NULL, NULL);
	}
	g_list_free_full(waiters, g_free);
}

static gboolean
on_paired(gpointer data)
{
	SimMockPairing *self = data;
	gboolean bond = self->host->bondable(self->host_data);

	self->timer = 0;
	if (self->cfg->faults.refuse_pairing) {
		/* The roller's Pairing Failed: the kernel's mgmt Auth Failed,
		 * MGMT_STATUS_AUTH_FAILED for Pair (new_authentication_return()). */
		g_debug("pairing refused by the roller (fault)");
		finish(self, "AuthenticationFailed", "Authentication Failed");
		return G_SOURCE_REMOVE;
	}
	self->encrypted = TRUE;
	self->keys_lost = FALSE;
	self->pairings++;
	g_debug("paired%s", bond ? " and bonded" : ", no bond (no agent)");
	sim_iface_set_boolean(self->device, "Paired", TRUE);
	if (bond)
		sim_iface_set_boolean(self->device, "Bonded", TRUE);
	finish(self, NULL, NULL);
	return G_SOURCE_REMOVE;
}

static gboolean
on_smp_timeout(gpointer data)
{
	SimMockPairing *self = data;

	self->timer = 0;
	g_debug("pairing timed out (fault): the link ends");
	/* smp_timeout() disconnects with HCI_ERROR_AUTH_FAILURE; the link
	 * going down fails the pairing (sim_mock_pairing_link_down()). */
	self->host->end_link(self->host_data);
	return G_SOURCE_REMOVE;
}

static void
start_pairing(SimMockPairing *self)
{
	if (self->pairing)
		return;
	self->pairing = TRUE;
	if (self->cfg->faults.pairing_timeout)
		self->timer = sim_clock_timeout_add(SMP_TIMEOUT_MS, on_smp_timeout, self);
	else
		self->timer = sim_clock_timeout_add(PAIRING_MS, on_paired, self);
}

void
sim_mock_pairing_link_up(SimMockPairing *self)
{
	self->encrypted = is_bonded(self) && !self->keys_lost;
	/* device_attach_att() raises a bonded device's security; without
	 * an LTK the kernel pairs instead of encrypting. */
	if (is_bonded(self) && self->keys_lost)
		start_pairing(self);
}

void
sim_mock_pairing_link_down(SimMockPairing *self)
{
	self->encrypted = FALSE;
	if (!self->pairing)
		return;
	/* le_pairing_complete_cb() with the disconnection's reason. */
	if (self->cfg->faults.pairing_timeout)
		finish(self, "AuthenticationFailed", "Authentication Failed");
	else
		finish(self, "AuthenticationCanceled", "Authentication Canceled");
}

void
sim_mock_pairing_pair(SimMockPairing *self, GDBusMethodInvocation *invocation,
		      gboolean connected)
{
	self->pair_calls++;
	if (self->pair_call) {
		sim_iface_return_bluez_error(invocation, "InProgress", "In Progress");
		return;
	}
	if (is_bonded(self)) {
		sim_iface_return_bluez_error(invocation, "AlreadyExists", "Already Exists");
		return;
	}
	if (!connected) {
		/* bluetoothd would connect first; rollerd pairs only a
		 * connected roller, so the mock does not model that. */
		sim_iface_return_bluez_error(invocation, "ConnectionAttemptFailed",
					     "Page Timeout");
		return;
	}
	self->pair_call = invocation;
	start_pairing(self);
}

void
sim_mock_pairing_cancel(SimMockPairing *self, GDBusMethodInvocation *invocation)
{
	if (!self->pair_call) {
		g_debug("CancelPairing with no Pair: the kernel unpairs");
		self->keys_lost = TRUE;
		sim_iface_return_bluez_error(invocation, "DoesNotExist", "Does Not Exist");
		self->host->end_link(self->host_data);
		return;
	}
	finish(self, "AuthenticationCanceled", "Authentication Canceled");
	g_dbus_method_invocation_return_value(invocation, NULL);
}

void
sim_mock_pairing_secure(SimMockPairing *self, SimGattSecuredFunc done, gpointer data)
{
	struct waiter *w;

	if (self->encrypted) {
		done(data, NULL, NULL);
		return;
	}
	if (self->cfg->faults.no_security_raise && !self->pairing) {
		done(data, "NotPermitted", "Not paired");
		return;
	}
	w = g_new0(struct waiter, 1);
	w->done = done;
	w->data = data;
	self->waiters = g_list_append(self->waiters, w);
	start_pairing(self);
}

GVariant *
sim_mock_pairing_get_counts(SimMockPairing *self)
{
	return g_variant_new("(uu)", self->pair_calls, self->pairings);
}

SimMockPairing *
sim_mock_pairing_new(SimConfig *cfg, SimIface *device, const SimMockPairingHost *host,
		     gpointer host_data)
{
	SimMockPairing *self = g_new0(SimMockPairing, 1);

	self->cfg = cfg;
	self->device = g_object_ref(device);
	self->host = host;
	self->host_data = host_data;
	sim_iface_set_boolean(device, "Paired", FALSE);
	sim_iface_set_boolean(device, "Bonded", FALSE);
	return self;
}

void
sim_mock_pairing_free(SimMockPairing *self)
{
	if (!self)
		return;
	sim_mock_pairing_link_down(self);
	g_object_unref(self->device);
	g_free(self);
}
