# What rollerd installs beside its programs.
systemdsystemunit_DATA = data/rollerd.service data/rollerd-mqtt.service
# rollerctl remind, the user's reminder agent, on a user timer.
systemduserunit_DATA = data/rollerctl-remind.service
dist_systemduserunit_DATA = data/rollerctl-remind.timer
dist_sysusers_DATA = data/sysusers.d/rollerd.conf data/sysusers.d/rollerd-mqtt.conf
dbussys_DATA = data/org.rollerd.conf
dbusservicedir = $(dbussystemservicesdir)
dbusservice_DATA = data/org.rollerd.service
rollerdconfdir = $(sysconfdir)/rollerd
dist_rollerdconf_DATA = data/rollerd.conf data/mqtt.conf

data/rollerd.service: data/rollerd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) data && \
	sed -e 's|@bindir[@]|$(bindir)|g' $< > $@.tmp && mv $@.tmp $@
data/rollerd-mqtt.service: data/rollerd-mqtt.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) data && \
	sed -e 's|@bindir[@]|$(bindir)|g' $< > $@.tmp && mv $@.tmp $@
data/rollerctl-remind.service: data/rollerctl-remind.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) data && \
	sed -e 's|@bindir[@]|$(bindir)|g' $< > $@.tmp && mv $@.tmp $@
CLEANFILES += data/rollerd.service data/rollerctl-remind.service data/rollerd-mqtt.service
EXTRA_DIST += data/rollerd.service.in data/rollerctl-remind.service.in data/rollerd-mqtt.service.in data/org.rollerd.conf data/org.rollerd.service
# Under distcheck's prefix, not where systemd and D-Bus look.
AM_DISTCHECK_CONFIGURE_FLAGS = \
	--with-systemdsystemunitdir='$${libdir}/systemd/system' \
	--with-systemduserunitdir='$${libdir}/systemd/user' \
	--with-sysusersdir='$${libdir}/sysusers.d' \
	--with-dbus-sys-dir='$${datadir}/dbus-1/system.d' \
	--with-dbus-system-services-dir='$${datadir}/dbus-1/system-services'
polkitactiondir = $(datadir)/polkit-1/actions
dist_polkitaction_DATA = data/org.rollerd.policy
