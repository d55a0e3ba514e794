# rollerctl: the command line.
bin_PROGRAMS += client/rollerctl
client_rollerctl_SOURCES = \
	client/rollerctl.c client/rc-common.h \
	client/rc-decode.h client/rc-decode.c
client_rollerctl_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
client_rollerctl_LDADD = $(ROLLER_PROTO_LIBS) $(GLIB_LIBS)
