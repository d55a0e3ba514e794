/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd's org.bluez.Agent1, capability NoInputNoOutput (a roller has no
 * display or keys), registered with AgentManager1 whenever bluetoothd is
 * on the bus.  Registered from the start, not at the first pairing: with
 * main.conf's AlwaysPairable false (the default) bluetoothd makes the
 * adapter bondable only while a default agent exists (src/agent.c), and
 * bluetoothd pairs a roller by itself when an access needs encryption
 * (src/shared/att.c change_security()), so without an agent that pairing
 * would bond nothing and every connection would pair again.  It does not
 * ask to be the default agent: a desktop's agent stays in charge of the
 * user's own pairings.
 *
 * It accepts Just Works (RequestAuthorization, RequestConfirmation) only
 * for a device rollerd is pairing now; anything that needs a PIN or a
 * passkey is refused and logged.
 */
#pragma once

#include <gio/gio.h>

#define RD_AGENT_PATH "/org/rollerd/agent"

typedef struct _RdAgent RdAgent;

RdAgent *rd_agent_new(GDBusConnection *bluez_bus);
void rd_agent_free(RdAgent *agent);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdAgent, rd_agent_free)

/* Whether requests about the Device1 at @device_path are accepted. */
void rd_agent_expect(RdAgent *agent, const char *device_path, gboolean expected);
