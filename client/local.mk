# rollerctl: the command line; one file per command group.  It shares
# common/ with rollerd and nothing else of it.
bin_PROGRAMS += client/rollerctl
client_rollerctl_SOURCES = \
	client/rollerctl.c client/rc-common.h client/rc-common.c \
	client/rc-decode.h client/rc-decode.c \
	client/rc-rollers.h client/rc-rollers.c \
	client/rc-sync.h client/rc-sync.c \
	client/rc-sessions.h client/rc-sessions.c client/rc-notes.h client/rc-notes.c \
	client/rc-filter.h client/rc-filter.c client/rc-export.h client/rc-export.c \
	client/rc-journal.h client/rc-journal.c \
	client/rc-people.h client/rc-people.c \
	client/rc-plan.h client/rc-plan.c \
	client/rc-clinic.h client/rc-clinic.c client/rc-clinic-export.h client/rc-clinic-export.c \
	client/rc-remind.h client/rc-remind.c client/rc-complete.h client/rc-complete.c \
	client/rc-monitor.h client/rc-monitor.c client/rc-monitor-private.h \
	client/rc-monitor-screen.c client/rc-monitor-print.c \
	client/rc-live-stream.h client/rc-live-stream.c \
	client/rc-force-view.h client/rc-force-view.c client/rc-wrap.h client/rc-wrap.c \
	client/rc-report.h client/rc-report.c client/rc-report-private.h \
	client/rc-report-draw.c client/rc-report-area.c client/rc-trace.h client/rc-trace.c
client_rollerctl_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(JSON_GLIB_CFLAGS) $(NCURSES_CFLAGS) \
	$(CAIRO_CFLAGS)
client_rollerctl_LDADD = $(ROLLERD_COMMON_LIBS) $(ROLLER_PROTO_LIBS) \
	$(GLIB_LIBS) $(JSON_GLIB_LIBS) $(NCURSES_LIBS) $(CAIRO_LIBS) -lm

dist_man1_MANS = docs/rollerctl.1
bashcompletiondir = $(datadir)/bash-completion/completions
bashcompletion_DATA = data/rollerctl.bash-completion
EXTRA_DIST += data/rollerctl.bash-completion
install-data-hook: install-rollerctl-completion
install-rollerctl-completion:
	mv -f "$(DESTDIR)$(bashcompletiondir)/rollerctl.bash-completion" \
		"$(DESTDIR)$(bashcompletiondir)/rollerctl"
uninstall-hook:
	rm -f "$(DESTDIR)$(bashcompletiondir)/rollerctl"
.PHONY: install-rollerctl-completion
