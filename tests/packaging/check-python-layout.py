#!/usr/bin/python3
# check-python-layout.py -- the Python bindings come from the packages:
# the typelib from gir1.2-gattperiph-1.0 and the overrides from
# python3-gattperiph, both where Debian's PyGObject looks for them.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import sys

import gi

gi.require_version("GattPeriph", "1.0")
gi.require_version("GIRepository", "2.0")
from gi.repository import GattPeriph, GIRepository  # noqa: E402
import gi.overrides.GattPeriph as overrides  # noqa: E402

typelib = GIRepository.Repository.get_default().get_typelib_path("GattPeriph")
problems = []
if not typelib.startswith("/usr/lib/") or "/girepository-1.0/" not in typelib:
    problems.append(f"typelib from {typelib}")
if not overrides.__file__.startswith("/usr/lib/python3/dist-packages/gi/overrides/"):
    problems.append(f"overrides from {overrides.__file__}")
# the overrides are in effect: a value set as bytes reads back as bytes
chrc = GattPeriph.Characteristic.new("2a37", GattPeriph.CharacteristicFlags.READ)
chrc.set_value(b"\x00\x48")
if chrc.get_value().get_data() != b"\x00\x48":
    problems.append("overrides not in effect")
if problems:
    print("check-python-layout: " + "; ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"check-python-layout: typelib {typelib}, overrides {overrides.__file__}")
