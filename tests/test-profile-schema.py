#!/usr/bin/python3
# test-profile-schema.py: data/gattperiph-profile.schema.json accepts the
# profiles the library accepts, and what the library saves; refuses what
# the schema can see is wrong. Skipped (77) without python3-jsonschema.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import glob
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("1..0 # SKIP python3-jsonschema is not installed")
    sys.exit(77)

srcdir = os.environ.get("G_TEST_SRCDIR", os.path.dirname(os.path.abspath(__file__)))
top = os.path.dirname(srcdir)
schema = json.load(open(os.path.join(top, "data", "gattperiph-profile.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

cases = []
profiles = sorted(glob.glob(os.path.join(srcdir, "profiles", "*.json")) +
                  glob.glob(os.path.join(top, "data", "profiles", "*.json")))
for path in profiles:
    cases.append(("valid " + os.path.relpath(path, top), json.load(open(path)), True))

# What the library saves (through the typelib, if it is built).
try:
    import gi
    gi.require_version("GattPeriph", "1.0")
    from gi.repository import GattPeriph as Gp
    for path in profiles:
        profile = Gp.Profile.new()
        profile.load_from_file(path)
        data, _ = profile.to_data()
        cases.append(("saved " + os.path.relpath(path, top), json.loads(data), True))
except (ImportError, ValueError) as e:
    print("# not checking saved profiles: %s" % e)

bad = [
    {"servces": []},
    {"services": [{"uuid": "180d", "characteristics": [{"uuid": "2a37", "flags": ["wirte"]}]}]},
    {"services": [{"uuid": "180d", "characteristics": [{"uuid": "2a37"}]}]},
    {"services": [{"uuid": "180d", "characteristics": [{"uuid": "2a37", "flags": ["read"], "value": {"uint8": 300}}]}]},
    {"services": [{"uuid": "180d", "characteristics": [{"uuid": "2a37", "flags": ["read"], "value": 72}]}]},
    {"services": [{"uuid": "180d", "characteristics": [{"uuid": "2a37", "flags": ["read"], "value": "hello"}]}]},
    {"advertisement": {"type": "peripheal"}},
    {"agent": {}},
]
for i, profile in enumerate(bad):
    cases.append(("invalid %d" % i, profile, False))

print("1..%d" % len(cases))
failed = 0
for n, (name, instance, valid) in enumerate(cases, 1):
    errors = list(validator.iter_errors(instance))
    if (not errors) == valid:
        print("ok %d %s" % (n, name))
    else:
        failed += 1
        print("not ok %d %s" % (n, name))
        for e in errors[:5]:
            print("# %s: %s" % (e.json_path, e.message[:200]))
sys.exit(1 if failed else 0)
