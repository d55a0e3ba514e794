#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench-daemon's real peer: a bleak client of one simulated roller.

Usage: bench-bleak-peer.py ADDRESS READY_FILE COUNT_FILE

Connects to ADDRESS through bluetoothd's D-Bus API (DBUS_SYSTEM_BUS_ADDRESS
points at roller-sim's private bus), subscribes to the Telemetry
characteristic with start_notify (bleak 0.20: StartNotify) and touches
READY_FILE.  Each notification is counted and its frame header read, about
the least a script can do with it.  On SIGTERM it writes the count to
COUNT_FILE and exits 0.
"""

import asyncio
import signal
import sys

from bleak import BleakClient, BleakScanner

TELEMETRY = "524c0101-526f-6c6c-6572-2d50726f746f"
CONNECT_TIMEOUT_S = 60


async def run(address, ready_path, count_path):
    count = 0
    last_seq = None
    stop = asyncio.Event()

    def on_notification(_sender, data):
        nonlocal count, last_seq
        count += 1
        if len(data) >= 4:
            last_seq = data[1]

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)

    device = await BleakScanner.find_device_by_address(address,
                                                       timeout=CONNECT_TIMEOUT_S)
    if device is None:
        print(f"bench-bleak-peer: {address} not found", file=sys.stderr)
        return 1
    async with BleakClient(device, timeout=CONNECT_TIMEOUT_S) as client:
        await client.start_notify(TELEMETRY, on_notification)
        with open(ready_path, "w", encoding="ascii") as ready:
            ready.write("subscribed\n")
        await stop.wait()
    with open(count_path, "w", encoding="ascii") as out:
        out.write(f"{count} {last_seq if last_seq is not None else -1}\n")
    return 0


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    return asyncio.run(run(*sys.argv[1:]))


if __name__ == "__main__":
    sys.exit(main())
