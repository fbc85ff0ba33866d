#!/usr/bin/python3
# heart-rate-declarative.py [ADAPTER]: examples/heart-rate.py with the
# declarative layer and asyncio of the Python overrides; bluez-peripheral's
# README example, rewritten (docs/migrating-from-bluez-peripheral.md).
# SPDX-License-Identifier: LGPL-2.1-or-later
import asyncio
import math
import sys

import gi

gi.require_version("GattPeriph", "1.0")
from gi.repository import GattPeriph as Gp  # noqa: E402

F = Gp.CharacteristicFlags


class HeartRateService(Gp.DeclarativeService):
    def __init__(self):
        super().__init__("180D")    # the Heart Rate service, primary

    # Reads get the last value pushed with changed(); subscribers get each one.
    heart_rate_measurement = Gp.characteristic("2A37", F.NOTIFY | F.READ, value=b"\x00\x48")
    body_sensor_location = Gp.characteristic("2A38", F.READ, value=b"\x01")  # chest

    def update_heart_rate(self, new_rate):
        # Flags (0: the rate is a uint8), then the rate.
        self.heart_rate_measurement.changed(bytes([0, new_rate]))


async def main(adapter_name=None):
    adapter = await Gp.Adapter.find(None, adapter_name)  # None: the first powered one
    service = HeartRateService()
    await service.register(adapter)

    # An agent is needed if centrals are to pair (BlueZ lets root register it).
    agent = Gp.Agent.new(Gp.AgentCapability.NO_INPUT_NO_OUTPUT)
    await agent.register()

    advert = Gp.Advertisement(local_name="Heart Monitor", service_uuids=["180D"],
                              appearance=0x0340)
    await advert.start(adapter)
    print('advertising as "Heart Monitor"', flush=True)

    tick = 0
    while True:
        # A resting heart that speeds up and calms down again.
        service.update_heart_rate(int(72 + 10 * math.sin(tick / 8)))
        tick += 1
        await asyncio.sleep(1)


if __name__ == "__main__":
    Gp.run(main(*sys.argv[1:2]))    # until SIGINT or SIGTERM
