/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "common/rd-error.h"
#include "daemon/rd-log-limit.h"
#include "rd-polkit.h"

/* polkit failing fails every caller's check alike: one limit for all. */
static RdLogLimit log_limit;

typedef struct {
	GDBusMethodInvocation *invocation;
	char *action_id;
	gboolean system_bus;
	RdPolkitAllowedFunc allowed;
	gpointer user_data;
	GDestroyNotify destroy;
} CheckData;

static void
check_data_free(CheckData *c)
{
	g_object_unref(c->invocation);
	if (c->destroy)
		c->destroy(c->user_data);
	g_free(c->action_id);
	g_free(c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CheckData, check_data_free)

static gboolean
polkit_absent(const GError *error)
{
	g_autofree char *remote = g_dbus_error_get_remote_error(error);

	return remote && (g_str_equal(remote, "org.freedesktop.DBus.Error.ServiceUnknown") ||
			  g_str_equal(remote, "org.freedesktop.DBus.Error.NameHasNoOwner"));
}

static void
on_checked(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(CheckData) c = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source),
								res, &error);
	gboolean authorized = FALSE, challenge = FALSE;
	guint skipped;

	if (!ret) {
		if (polkit_absent(error) && !c->system_bus) {
			g_debug("No polkit on the session bus; allowing %s", c->action_id);
			c->allowed(g_object_ref(c->invocation), c->user_data);
			return;
		}
		if (rd_log_limit_allow(&log_limit, g_get_monotonic_time(), &skipped))
			g_message("polkit could not check %s: %s (%u such lines left out)",
				  c->action_id, error->message, skipped);
		g_dbus_method_invocation_return_error(g_object_ref(c->invocation), RD_ERROR,
						      RD_ERROR_NOT_AUTHORIZED,
						      "Cannot check the permission to do this "
						      "(polkit: %s)", error->message);
		return;
	}
	g_variant_get(ret, "((bb@a{ss}))", &authorized, &challenge, NULL);
	if (authorized) {
		c->allowed(g_object_ref(c->invocation), c->user_data);
		return;
	}
	g_dbus_method_invocation_return_error(g_object_ref(c->invocation), RD_ERROR,
					      RD_ERROR_NOT_AUTHORIZED,
					      "You are not allowed to do this (%s)", c->action_id);
}

void
rd_polkit_check(GDBusConnection *bus, gboolean system_bus,
		GDBusMethodInvocation *invocation, const char *action_id,
		RdPolkitAllowedFunc allowed, gpointer user_data, GDestroyNotify destroy)
{
	CheckData *c = g_new0(CheckData, 1);
	GVariantBuilder subject;
	gboolean interactive;

	c->invocation = invocation;	/* we own the caller's reference */
	c->action_id = g_strdup(action_id);
	c->system_bus = system_bus;
	c->allowed = allowed;
	c->user_data = user_data;
	c->destroy = destroy;

	/* Ask the person only when the caller said it may wait for that
	 * (rollerctl does; a script need not hang on a dialog). */
	interactive = g_dbus_message_get_flags(g_dbus_method_invocation_get_message(invocation)) &
		      G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION;
	g_variant_builder_init(&subject, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&subject, "{sv}", "name",
			      g_variant_new_string(g_dbus_method_invocation_get_sender(invocation)));
	g_dbus_connection_call(bus, "org.freedesktop.PolicyKit1",
			       "/org/freedesktop/PolicyKit1/Authority",
			       "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization",
			       g_variant_new("((sa{sv})sa{ss}us)", "system-bus-name", &subject,
					     action_id, NULL,
					     interactive ? (guint32)1 /* AllowUserInteraction */ : 0,
					     ""),
			       G_VARIANT_TYPE("((bba{ss}))"),
			       G_DBUS_CALL_FLAGS_NONE, G_MAXINT /* a person may be asked */,
			       NULL, on_checked, c);
}
