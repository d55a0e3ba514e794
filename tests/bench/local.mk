# Benchmarks: built by make, run by `make bench` (never by make check).
# A new benchmark is one more word in BENCHMARKS.  (Not BENCH_PROGRAMS:
# automake takes any *_PROGRAMS for a primary and would want BENCHdir to
# install them into.)
BENCHMARKS = tests/bench/bench-proto tests/bench/bench-daemon tests/bench/bench-history
noinst_PROGRAMS += $(BENCHMARKS)

tests_bench_bench_proto_SOURCES = tests/bench/bench-proto.c
# Automake puts the user's CFLAGS after these, so CFLAGS=-O0 still wins.
tests_bench_bench_proto_CFLAGS = $(AM_CFLAGS) -std=c11 -O2
# Counts heap allocations (see bench-proto.c); only this program wraps.
tests_bench_bench_proto_LDFLAGS = \
	-Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc
tests_bench_bench_proto_LDADD = $(ROLLER_PROTO_LIBS)

# rollerd fed by roller-sim on a private bus (tests/test-bus).
bench_util_sources = tests/bench/bench-util.h tests/bench/bench-util.c
tests_bench_bench_daemon_SOURCES = tests/bench/bench-daemon.c $(bench_util_sources)
tests_bench_bench_daemon_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_bench_bench_daemon_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
tests_bench_bench_daemon_LDADD = $(TEST_BUS_LIBS) $(GLIB_LIBS)

# The history at 10,000 sessions, filled through the store's own API,
# queried through rollerd; then a sync of 300 records into it.
tests_bench_bench_history_SOURCES = tests/bench/bench-history.c $(bench_util_sources)
tests_bench_bench_history_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests -I$(top_srcdir)/daemon
tests_bench_bench_history_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
tests_bench_bench_history_LDADD = $(TEST_BUS_LIBS) $(ROLLERD_STORE_LIBS) $(ROLLERD_BASE_LIBS) \
	$(ROLLER_PROTO_LIBS) $(GLIB_LIBS) $(SQLITE_LIBS) $(JSON_GLIB_LIBS)

bench: $(BENCHMARKS) daemon/rollerd$(EXEEXT) firmware-proto/roller-sim/roller-sim$(EXEEXT)
	@for bench in $(BENCHMARKS); do \
		echo "== $$bench"; \
		ROLLER_BUILDDIR="$(abs_top_builddir)" ./$$bench || exit 1; \
	done

.PHONY: bench
