/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>

#include "rd-error.h"

static const GDBusErrorEntry rd_error_entries[] = {
	{ RD_ERROR_FAILED, "org.rollerd.Error.Failed" },
	{ RD_ERROR_INVALID_ARGUMENTS, "org.rollerd.Error.InvalidArguments" },
	{ RD_ERROR_NOT_FOUND, "org.rollerd.Error.NotFound" },
	{ RD_ERROR_NOT_CONNECTED, "org.rollerd.Error.NotConnected" },
	{ RD_ERROR_IN_PROGRESS, "org.rollerd.Error.InProgress" },
	{ RD_ERROR_BUSY, "org.rollerd.Error.Busy" },
	{ RD_ERROR_TIMEOUT, "org.rollerd.Error.Timeout" },
	{ RD_ERROR_ROLLER_FAILED, "org.rollerd.Error.RollerFailed" },
	{ RD_ERROR_STORAGE_FAILED, "org.rollerd.Error.StorageFailed" },
	{ RD_ERROR_NOT_AUTHORIZED, "org.rollerd.Error.NotAuthorized" },
	{ RD_ERROR_PAIRING_FAILED, "org.rollerd.Error.PairingFailed" },
};

G_STATIC_ASSERT(G_N_ELEMENTS(rd_error_entries) == RD_ERROR_N_CODES);

GQuark
rd_error_quark(void)
{
	static gsize quark;

	g_dbus_error_register_error_domain("rd-error-quark", &quark,
					   rd_error_entries,
					   G_N_ELEMENTS(rd_error_entries));
	return (GQuark)quark;
}
