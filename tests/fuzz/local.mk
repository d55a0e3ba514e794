# libFuzzer targets for firmware-proto.  Not built by make or make check
# (they need clang's -fsanitize=fuzzer, and CC may be gcc): `make fuzz`
# builds and runs them through run-fuzz.sh under fuzz-build/.
FUZZ_SECONDS = 60
FUZZ_TARGETS = frame record reassembler

EXTRA_DIST += \
	tests/fuzz/fuzz-frame.c \
	tests/fuzz/fuzz-record.c \
	tests/fuzz/fuzz-reassembler.c \
	tests/fuzz/make-seeds.sh \
	tests/fuzz/run-fuzz.sh

fuzz:
	ROLLER_BUILDDIR="$(abs_top_builddir)" $(SHELL) \
		$(top_srcdir)/tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The grown corpora live in fuzz-build/ too, so make clean leaves it alone.
fuzz-clean:
	rm -rf fuzz-build

.PHONY: fuzz fuzz-clean
