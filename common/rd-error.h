/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd's GError domain.  Each code is registered as the D-Bus error
 * org.rollerd.Error.<Name>, so a GError returned from a method handler
 * reaches callers under that name, with its message for a person.
 */
#pragma once

#include <glib.h>

#define RD_ERROR (rd_error_quark())

typedef enum {
	RD_ERROR_FAILED,		/* org.rollerd.Error.Failed */
	RD_ERROR_INVALID_ARGUMENTS,	/* org.rollerd.Error.InvalidArguments */
	RD_ERROR_NOT_FOUND,		/* org.rollerd.Error.NotFound */
	RD_ERROR_NOT_CONNECTED,		/* org.rollerd.Error.NotConnected */
	RD_ERROR_IN_PROGRESS,		/* org.rollerd.Error.InProgress */
	RD_ERROR_BUSY,			/* org.rollerd.Error.Busy */
	RD_ERROR_TIMEOUT,		/* org.rollerd.Error.Timeout */
	RD_ERROR_ROLLER_FAILED,		/* org.rollerd.Error.RollerFailed */
	RD_ERROR_STORAGE_FAILED,	/* org.rollerd.Error.StorageFailed */
	RD_ERROR_NOT_AUTHORIZED,	/* org.rollerd.Error.NotAuthorized */
	/* The roller needs an encrypted link and pairing it failed:
	 * refused, timed out, or cancelled. */
	RD_ERROR_PAIRING_FAILED,	/* org.rollerd.Error.PairingFailed */
} RdError;

#define RD_ERROR_N_CODES (RD_ERROR_PAIRING_FAILED + 1)

GQuark rd_error_quark(void);
