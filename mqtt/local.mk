# rollerd-mqtt: the bridge between org.rollerd and an MQTT broker; a
# client of rollerd on D-Bus like rollerctl, sharing common/ and nothing
# else of the daemon but its log limiter.  One file per part:
#   rm-config     /etc/rollerd/mqtt.conf
#   rm-payload    topics, the JSON payloads, commands parsed
#   rm-discovery  Home Assistant's discovery configs
#   rm-rollerd    the D-Bus side: rollerd's rollers and signals followed
#   rm-rollerd-calls  its calls to rollerd
#   rm-broker     libmosquitto in the main loop, reconnect with backoff
#   rm-cursor     the last session id the broker acknowledged
#   rm-bridge     the two sides joined
noinst_LIBRARIES += mqtt/librollerd-mqtt.a
mqtt_librollerd_mqtt_a_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_GLIB_CFLAGS) \
	$(MOSQUITTO_CFLAGS)
mqtt_librollerd_mqtt_a_SOURCES = \
	mqtt/rm-config.h mqtt/rm-config.c \
	mqtt/rm-payload.h mqtt/rm-payload.c \
	mqtt/rm-discovery.h mqtt/rm-discovery.c \
	mqtt/rm-rollerd.h mqtt/rm-rollerd.c \
	mqtt/rm-rollerd-calls.h mqtt/rm-rollerd-calls.c \
	mqtt/rm-broker.h mqtt/rm-broker.c \
	mqtt/rm-cursor.h mqtt/rm-cursor.c \
	mqtt/rm-bridge.h mqtt/rm-bridge.c \
	daemon/rd-log-limit.h daemon/rd-log-limit.c
mqtt_librollerd_mqtt_a_DEPENDENCIES = $(rollerd_dbus_generated)
ROLLERD_MQTT_LIBS = mqtt/librollerd-mqtt.a $(ROLLERD_COMMON_LIBS) $(GLIB_LIBS) \
	$(JSON_GLIB_LIBS) $(MOSQUITTO_LIBS)

bin_PROGRAMS += mqtt/rollerd-mqtt
mqtt_rollerd_mqtt_SOURCES = mqtt/rollerd-mqtt.c
mqtt_rollerd_mqtt_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) \
	-DLOCALSTATEDIR='"$(localstatedir)"' -DSYSCONFDIR='"$(sysconfdir)"'
mqtt_rollerd_mqtt_LDADD = $(ROLLERD_MQTT_LIBS)

dist_man8_MANS += docs/rollerd-mqtt.8
EXTRA_DIST += docs/mqtt.md
