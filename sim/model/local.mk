# sim/model: the simulated roller's device model (portable C11 like
# firmware-proto: no GLib, no heap, no stdio), hosted by roller-sim.
noinst_LIBRARIES += sim/model/libsim-model.a
sim_model_libsim_model_a_CFLAGS = $(AM_CFLAGS) -std=c11
sim_model_libsim_model_a_SOURCES = \
	sim/model/model-device.h sim/model/model-device.c \
	sim/model/model-device-types.h \
	sim/model/model-device-core.h sim/model/model-device-core.c \
	sim/model/model-device-session.h sim/model/model-device-session.c \
	sim/model/model-device-control.h sim/model/model-device-control.c \
	sim/model/model-device-state.c \
	sim/model/model-session.h sim/model/model-session.c \
	sim/model/model-motion.h sim/model/model-motion.c \
	sim/model/model-telemetry.h sim/model/model-telemetry.c \
	sim/model/model-store.h sim/model/model-store.c \
	sim/model/model-rand.h

SIM_MODEL_LIBS = sim/model/libsim-model.a $(ROLLER_PROTO_LIBS)
