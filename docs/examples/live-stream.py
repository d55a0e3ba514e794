#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Read a roller's live stream: every Telemetry frame, one packet each.

Usage: live-stream.py [--session] [--roller ADDRESS] [--until-end]
                      [--timeout S]

Calls Roller2.AcquireLiveStream on the roller (default: the first rollerd
knows) and prints one line per packet: "frame" with rollerd's live values
and the frame's length, or "end" when the session ended, and how many
packets were lost before it when the script fell behind.  Stops after the
first "end" with --until-end, after S seconds, or when rollerd closes the
stream.  The layout is docs/dbus-api.md's "The live stream" (version 1).
Uses PyGObject's Gio (Debian: python3-gi) and the socket module.
"""
import argparse
import socket
import struct
import sys
import time

from gi.repository import Gio, GLib

BUS_NAME = "org.rollerd"
ROLLER_IFACE = "org.rollerd.Roller2"
# Version 1's header: little-endian, 64 bytes, the frame after it.
HEADER = struct.Struct("<BBHIqHHIIIIIHHHBB4I")
KINDS = {1: "frame", 2: "end"}


def first_roller(bus):
    objects, = bus.call_sync(BUS_NAME, "/org/rollerd",
                             "org.freedesktop.DBus.ObjectManager",
                             "GetManagedObjects", None, None,
                             Gio.DBusCallFlags.NONE, -1, None).unpack()
    paths = sorted(p for p, ifaces in objects.items() if ROLLER_IFACE in ifaces)
    if not paths:
        sys.exit("rollerd knows no roller")
    return paths[0]


def acquire(bus, path):
    """The stream's socket and the largest packet it carries."""
    ret, fds = bus.call_with_unix_fd_list_sync(
        BUS_NAME, path, ROLLER_IFACE, "AcquireLiveStream", None,
        GLib.VariantType("(hq)"), Gio.DBusCallFlags.NONE, -1, None, None)
    index, packet_size = ret.unpack()
    return socket.socket(fileno=fds.get(index)), packet_size


def show(packet):
    (version, kind, header_len, dropped, arrival_us, session_id, force_cn,
     strokes, duration_ms, frames, frames_lost, frames_rejected,
     force_mean_cn, in_band_permille, spm_x10, flags, _,
     *directions) = HEADER.unpack_from(packet)
    if version != 1:
        sys.exit(f"live stream version {version}, this script reads 1")
    force = "-" if force_cn == 0xFFFF else f"{force_cn}cN"
    line = (f"{KINDS.get(kind, kind)} session={session_id} frames={frames} "
            f"strokes={strokes} force={force} duration={duration_ms}ms "
            f"lost={frames_lost} rejected={frames_rejected}")
    if kind == 1:
        line += f" frame={len(packet) - header_len}B"
    if dropped:
        line += f" dropped={dropped}"
    print(line, flush=True)
    return kind


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--session", action="store_true",
                        help="rollerd is on the session bus")
    parser.add_argument("--roller", help="the roller's address")
    parser.add_argument("--until-end", action="store_true",
                        help="stop after the session's end")
    parser.add_argument("--timeout", type=float, default=0,
                        help="stop after this many seconds")
    args = parser.parse_args()

    bus_type = Gio.BusType.SESSION if args.session else Gio.BusType.SYSTEM
    bus = Gio.bus_get_sync(bus_type, None)
    path = ("/org/rollerd/roller/" + args.roller.replace(":", "_")
            if args.roller else first_roller(bus))
    sock, packet_size = acquire(bus, path)
    deadline = time.monotonic() + args.timeout if args.timeout else None
    while True:
        if deadline:
            left = deadline - time.monotonic()
            if left <= 0:
                return 1 if args.until_end else 0
            sock.settimeout(left)
        try:
            packet = sock.recv(packet_size)
        except socket.timeout:
            continue
        if not packet:
            print("closed", flush=True)
            return 0
        if show(packet) == 2 and args.until_end:
            return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
