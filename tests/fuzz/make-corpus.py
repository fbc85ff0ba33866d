#!/usr/bin/python3
# make-corpus.py -- write the seed corpus of the dbus fuzz target
#
# usage: tests/fuzz/make-corpus.py [DIR]   (default: tests/fuzz/corpus/dbus)
#
# Each seed is one call, in the input format described at the top of
# fuzz-dbus.c: object, interface choice, member, sender and flags, body
# mode, then the values the generator reads. The seeds name what they do;
# regression inputs (regress-*) are kept as the fuzzer found them and are
# not written here.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "corpus", "dbus")
os.makedirs(out, exist_ok=True)

# The harness's objects, in its order (collect_attributes()).
TARGETS = ["app", "svc0", "svc0-chr0", "svc1", "svc1-chr0", "svc1-chr0-desc0",
           "svc1-chr1-acquire", "svc1-chr2-deferred", "svc1-chr2-desc0",
           "adv", "agent", "root", "unexported", "adapter"]
NOT_EXPORTED = {"root", "unexported", "adapter"}
BLUEZ, STRANGER = 0x00, 0x03
# Body values: an a{sv} with "offset" (its own type q) = 0x0005, then
# bytes that the other argument types read.
OPTIONS_OFFSET = bytes([0x01, 0x00, 0x01, 0x00, 0x05])
TAIL = bytes([0x02, 0x00, 0x01, 0x02, 0x01, 0x01, 0x00, 0x17, 0x05, 0x41, 0x42, 0x43])


def call(target, which, member, who=BLUEZ, mode=0x00, values=OPTIONS_OFFSET + TAIL, other=0,
         more=False):
    t = TARGETS.index(target)
    data = bytes([t, which, member])
    if target in NOT_EXPORTED or which == 7:
        data += bytes([other])     # the interface picked for it
    return data + bytes([who | (0x80 if more else 0), mode]) + values


def write(name, data):
    with open(os.path.join(out, f"seed-{name}"), "wb") as f:
        f.write(data)


def seed(name, *args, **kwargs):
    write(name, call(*args, **kwargs))


for target in TARGETS:
    # The object's own methods (member index modulo their number).
    for m in range(6):
        seed(f"{target}-method{m}", target, 0, m)
    # Properties Get, GetAll and Set, well formed.
    for m, prop in enumerate(["get", "getall", "set"]):
        seed(f"{target}-properties-{prop}", target, 1, m, values=bytes([0x05, 0x01]) + TAIL)
    seed(f"{target}-introspect", target, 3, 0)
    seed(f"{target}-managed-objects", target, 4, 0)
    # From another client than bluetoothd.
    for m in range(3):
        seed(f"{target}-stranger-method{m}", target, 0, m, who=STRANGER)
    seed(f"{target}-stranger-properties-set", target, 1, 2, who=STRANGER,
         values=bytes([0x05, 0x01]) + TAIL)

# Offsets at the limits (ReadValue is the characteristic's method 0).
for offset in (0, 1, 5, 6, 7, 511, 512, 513, 0xFFFF):
    seed(f"read-offset-{offset}", "svc1-chr0", 0, 0,
         values=bytes([0x01, 0x00, 0x01, offset >> 8, offset & 0xFF]))
    seed(f"read-deferred-offset-{offset}", "svc1-chr2-deferred", 0, 0,
         values=bytes([0x01, 0x00, 0x01, offset >> 8, offset & 0xFF]))
# Options of the wrong type (the type byte even: a type from the list).
seed("read-offset-wrong-type", "svc1-chr0", 0, 0, values=bytes([0x01, 0x00, 0x00, 0x02]) + TAIL)
# WriteValue (method 1): long values (length byte >= 0xf0 picks a limit).
for limit in range(13):
    seed(f"write-long-{limit}", "svc1-chr0", 0, 1, values=bytes([0xF0 + limit, 0x00]) + TAIL)
# One argument short, one more, a random signature; GVariant's and GDBus's
# parsers on raw bytes.
for mode, name in ((0x0A, "short"), (0x0C, "extra"), (0x0E, "random-signature"),
                   (0xD0, "raw-variant"), (0xF0, "raw-message")):
    seed(f"write-{name}", "svc1-chr0", 0, 1, mode=mode)
# No reply expected.
seed("write-no-reply", "svc1-chr0", 0, 1, who=0x3C)
# Several calls before any answer: reads and a write queued behind a
# deferred read, on one object and across objects.
read_deferred = dict(values=bytes([0x01, 0x00, 0x01, 0x00, 0x02]))
write("pipelined-deferred",
      call("svc1-chr2-deferred", 0, 0, more=True, **read_deferred)
      + call("svc1-chr2-deferred", 0, 1, more=True, values=bytes([0x02, 0x41, 0x42, 0x00]))
      + call("svc1-chr2-deferred", 0, 0, more=True, **read_deferred)
      + call("svc1-chr0", 0, 0, values=OPTIONS_OFFSET))
write("pipelined-agent",
      call("agent", 0, 3, more=True) + call("agent", 0, 1, more=True) + call("agent", 0, 0))
write("pipelined-release-and-read",
      call("adv", 0, 0, more=True) + call("svc1-chr0", 0, 0, values=OPTIONS_OFFSET))
