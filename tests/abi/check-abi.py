#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The ABI gate: the symbols libgattperiph exports must be exactly those in
the checked-in list (tests/abi/libgattperiph-1.symbols), and every one of
them must be documented with a Since: tag (a `version` in the GIR).

  check-abi.py --lib build/libgattperiph/libgattperiph-1.so \\
               --gir build/libgattperiph/GattPeriph-1.0.gir \\
               --symbols tests/abi/libgattperiph-1.symbols [--update]

With --update the list is rewritten from the library (see
tests/abi/update-abi); do that only for symbols added on purpose.
"""
import argparse
import subprocess
import sys
import xml.etree.ElementTree as ET

CORE = "{http://www.gtk.org/introspection/core/1.0}"
C = "{http://www.gtk.org/introspection/c/1.0}"
GLIB = "{http://www.gtk.org/introspection/glib/1.0}"


def exported_symbols(lib):
    out = subprocess.run(["nm", "--dynamic", "--defined-only", "--format=posix", lib],
                         check=True, capture_output=True, text=True).stdout
    syms = set()
    for line in out.splitlines():
        name, kind = line.split()[:2]
        if kind in "TDBRVWi" and not name.startswith("_"):
            syms.add(name)
    return syms


def gir_versions(gir):
    """symbol -> the Since: version of what documents it (None if absent)."""
    versions = {}
    for el in ET.parse(gir).iter():
        ident = el.get(C + "identifier")
        if ident:
            versions[ident] = el.get("version")
        get_type = el.get(GLIB + "get-type")
        if get_type:
            versions[get_type] = el.get("version")
    return versions


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", required=True)
    ap.add_argument("--gir", required=True)
    ap.add_argument("--symbols", required=True)
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()

    exported = exported_symbols(args.lib)
    if args.update:
        with open(args.symbols, "w") as f:
            f.write("".join(s + "\n" for s in sorted(exported)))
        print("check-abi: wrote %d symbols to %s" % (len(exported), args.symbols))
        return 0

    with open(args.symbols) as f:
        expected = {line.strip() for line in f if line.strip() and not line.startswith("#")}
    failures = 0
    for s in sorted(exported - expected):
        print("not ok - %s is exported but not in %s (exported by accident? "
              "if on purpose, run tests/abi/update-abi)" % (s, args.symbols))
        failures += 1
    for s in sorted(expected - exported):
        print("not ok - %s is in %s but no longer exported (an ABI break)" % (s, args.symbols))
        failures += 1

    versions = gir_versions(args.gir)
    for s in sorted(exported):
        if s not in versions:
            print("not ok - %s is exported but not in the GIR (not introspectable or "
                  "not public?)" % s)
            failures += 1
        elif not versions[s]:
            print("not ok - %s has no Since: in its documentation" % s)
            failures += 1

    checked = len(exported | expected)
    print("%d passed, %d failed" % (checked - min(failures, checked), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
