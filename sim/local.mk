# roller-sim: a simulated roller behind a mock bluetoothd (tests, rollerd
# without Bluetooth) or as a real BLE peripheral (a second machine).
#   sim/model/       the device model (portable C, sim/model/local.mk)
#   sim/host/        one simulated roller around the model: clock, flash,
#                    ground truth, radio faults, hostile frames
#   sim/gatt/        the roller's GATT tree as D-Bus objects (both modes)
#   sim/mock-bluez/  bluetoothd's Adapter1, Device1, managers; Sim1
#   sim/peripheral/  the roller through a real bluetoothd
bin_PROGRAMS += sim/roller-sim
sim_roller_sim_SOURCES = \
	sim/sim-main.c sim/sim-config.h \
	sim/host/sim-clock.h sim/host/sim-clock.c \
	sim/host/sim-faults.h sim/host/sim-faults.c \
	sim/host/sim-ground-truth.h sim/host/sim-ground-truth.c \
	sim/host/sim-hostile.h sim/host/sim-hostile.c \
	sim/host/sim-link-rate.h sim/host/sim-link-rate.c \
	sim/host/sim-roller.h sim/host/sim-roller.c \
	sim/gatt/sim-iface.h sim/gatt/sim-iface.c \
	sim/gatt/sim-gatt.h sim/gatt/sim-gatt.c \
	sim/gatt/sim-gatt-char.h sim/gatt/sim-gatt-char.c \
	sim/gatt/sim-gatt-access.h sim/gatt/sim-gatt-access.c \
	sim/gatt/sim-gatt-notify.h sim/gatt/sim-gatt-notify.c \
	sim/mock-bluez/sim-discovery-filter.h sim/mock-bluez/sim-discovery-filter.c \
	sim/mock-bluez/sim-mock-adapter.h sim/mock-bluez/sim-mock-adapter.c \
	sim/mock-bluez/sim-mock-device.h sim/mock-bluez/sim-mock-device.c \
	sim/mock-bluez/sim-mock-managers.h sim/mock-bluez/sim-mock-managers.c \
	sim/mock-bluez/sim-mock-agents.h sim/mock-bluez/sim-mock-agents.c \
	sim/mock-bluez/sim-mock-pairing.h sim/mock-bluez/sim-mock-pairing.c \
	sim/mock-bluez/sim-control.h sim/mock-bluez/sim-control.c \
	sim/mock-bluez/sim-mock.h sim/mock-bluez/sim-mock.c \
	sim/peripheral/sim-peripheral.h sim/peripheral/sim-peripheral.c \
	sim/peripheral/sim-peripheral-agent.h sim/peripheral/sim-peripheral-agent.c
sim_roller_sim_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
sim_roller_sim_LDADD = sim/model/libsim-model.a $(BLUEZ_GDBUS_LIBS) \
	$(ROLLER_PROTO_LIBS) $(GLIB_LIBS)

EXTRA_DIST += docs/roller-sim.md
