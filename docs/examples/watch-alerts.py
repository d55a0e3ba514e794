#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Watch rollerd's live sessions and print technique alerts as they come.

Usage: watch-alerts.py [--session] [--count N] [--timeout S]

Prints one line per LiveUpdate ("update strokes=.. force=..") and per
alert ("alert KIND: message") of every roller, until N alerts were seen
(default: forever) or S seconds passed.  rollerd sends LiveUpdate only
to a roller's watchers: the script calls Roller2.WatchLive on every
roller it sees (those known at its start, and those added later); the
watches end when it exits.  Uses PyGObject's Gio only (Debian:
python3-gi).
"""
import argparse
import sys

from gi.repository import Gio, GLib

BUS_NAME = "org.rollerd"
ROLLER_IFACE = "org.rollerd.Roller2"
OM_IFACE = "org.freedesktop.DBus.ObjectManager"


def watch(bus, path):
    """Asks rollerd for the roller's LiveUpdate (and Stroke)."""
    bus.call_sync(BUS_NAME, path, ROLLER_IFACE, "WatchLive", None, None,
                  Gio.DBusCallFlags.NONE, -1, None)


def watch_all(bus):
    """Watches every roller rollerd knows now and every one it adds."""
    def on_added(conn, sender, path, iface, name, params):
        obj, ifaces = params.unpack()
        if ROLLER_IFACE in ifaces:
            watch(bus, obj)

    bus.signal_subscribe(BUS_NAME, OM_IFACE, "InterfacesAdded", "/org/rollerd",
                         None, Gio.DBusSignalFlags.NONE, on_added)
    objects, = bus.call_sync(BUS_NAME, "/org/rollerd", OM_IFACE,
                             "GetManagedObjects", None, None,
                             Gio.DBusCallFlags.NONE, -1, None).unpack()
    for path, ifaces in objects.items():
        if ROLLER_IFACE in ifaces:
            watch(bus, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--session", action="store_true",
                        help="rollerd is on the session bus")
    parser.add_argument("--count", type=int, default=0,
                        help="stop after this many alerts")
    parser.add_argument("--timeout", type=float, default=0,
                        help="stop after this many seconds")
    args = parser.parse_args()

    bus_type = Gio.BusType.SESSION if args.session else Gio.BusType.SYSTEM
    bus = Gio.bus_get_sync(bus_type, None)
    loop = GLib.MainLoop()
    alerts = 0
    status = 0

    def on_signal(conn, sender, path, iface, name, params):
        nonlocal alerts
        roller = path.rsplit("/", 1)[-1].replace("_", ":")
        if name == "Alert":
            kind, message = params.unpack()
            print(f"{roller} alert {kind}: {message}", flush=True)
            alerts += 1
            if args.count and alerts >= args.count:
                loop.quit()
        elif name == "LiveUpdate":
            strokes, _, force_cn, _, in_band_permille = params.unpack()[:5]
            print(f"{roller} update strokes={strokes} "
                  f"force={force_cn}cN "
                  f"inband={in_band_permille / 10:.1f}%", flush=True)

    def on_timeout():
        nonlocal status
        status = 1 if args.count else 0
        loop.quit()
        return GLib.SOURCE_REMOVE

    bus.signal_subscribe(BUS_NAME, ROLLER_IFACE, None, None, None,
                         Gio.DBusSignalFlags.NONE, on_signal)
    watch_all(bus)
    if args.timeout:
        GLib.timeout_add(int(args.timeout * 1000), on_timeout)
    try:
        loop.run()
    except KeyboardInterrupt:
        pass
    return status


if __name__ == "__main__":
    sys.exit(main())
