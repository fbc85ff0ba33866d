#!/usr/bin/python3
# check-vapi.py -- the generated VAPI says what the C API says:
#  - every property whose getter returns (nullable) is nullable in Vala
#    (GattPeriph-1.0.metadata), and no other property is;
#  - every _async/_finish pair is a Vala async method.
#
# usage: check-vapi.py GIR VAPI
# SPDX-License-Identifier: LGPL-2.1-or-later
import re
import sys
import xml.etree.ElementTree as ET

NS = {"c": "http://www.gtk.org/introspection/core/1.0"}
gir, vapi_path = sys.argv[1], sys.argv[2]
vapi = open(vapi_path, encoding="utf-8").read()

# class name -> {property name: nullable?} from the VAPI
classes = {}
for block in re.finditer(r"public (?:sealed |abstract )?class (\w+) [^{]*\{(.*?)\n\t\}", vapi, re.S):
    props = {}
    for m in re.finditer(r"public (?:static )?([\w.\[\]]+)(\??) (\w+) \{", block.group(2)):
        props[m.group(3)] = m.group(2) == "?"
    classes[block.group(1)] = props

failures = []
checked = 0
root = ET.parse(gir).getroot()
for cls in root.iter("{%s}class" % NS["c"]):
    name = cls.get("name")
    methods = {m.get("name"): m for m in cls.findall("c:method", NS)}
    for prop in cls.findall("c:property", NS):
        pname = prop.get("name").replace("-", "_")
        getter = methods.get(prop.get("getter") or "get_" + pname)
        if getter is None:
            continue
        ret = getter.find("c:return-value", NS)
        if ret.find("c:type", NS) is None and ret.find("c:array", NS) is None:
            continue
        want = ret.get("nullable") == "1"
        have = classes.get(name, {}).get(pname)
        if have is None:
            failures.append("%s:%s is not in the VAPI" % (name, pname))
        elif have != want:
            failures.append("%s:%s: getter %s, VAPI property %s" % (
                name, pname, "nullable" if want else "not nullable",
                "nullable" if have else "not nullable"))
        checked += 1

for fn in root.iter("{%s}method" % NS["c"]):
    if fn.get("name").endswith("_async"):
        if not re.search(r"public (?:static )?async [^;]*\b%s \(" % fn.get("name"), vapi):
            failures.append("%s is not a Vala async method" % fn.get("name"))
        checked += 1
for fn in root.iter("{%s}function" % NS["c"]):
    if fn.get("name").endswith("_async"):
        if not re.search(r"public static async [^;]*\b%s \(" % fn.get("name"), vapi):
            failures.append("%s is not a Vala async method" % fn.get("name"))
        checked += 1

for f in failures:
    print("FAIL:", f)
print("%d checked, %d wrong" % (checked, len(failures)))
sys.exit(1 if failures or checked == 0 else 0)
