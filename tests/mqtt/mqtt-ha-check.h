/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A Home Assistant MQTT discovery payload checked against what HA
 * documents for its component (sensor.mqtt, binary_sensor.mqtt,
 * button.mqtt and the shared device/availability options): every key
 * one HA knows, the required ones there, device classes from HA's lists,
 * and units and state classes that HA accepts with them.  Fails the test
 * naming the key.
 */
#pragma once

#include <json-glib/json-glib.h>

/* Parses @json as the config of @component; returns its object (unref the node). */
JsonNode *mqtt_ha_check_config(const char *component, const char *json);
