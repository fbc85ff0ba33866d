#!/usr/bin/python3
# check-headers.py -- the public headers as users compile them:
#  - <gattperiph.h> compiles with -std=c99, -std=c11 (and C++11 when a C++
#    compiler is given) with -pedantic -Werror;
#  - GP_DEPRECATED_IN_x_y warns when GP_VERSION_MIN_REQUIRED says so, and
#    only then; GP_AVAILABLE_IN_x_y warns above GP_VERSION_MAX_ALLOWED.
#
# usage: check-headers.py --cc CC... [--cxx CXX...] --pkg-config PKGCONF
#                         -I DIR [-I DIR...]
# SPDX-License-Identifier: LGPL-2.1-or-later
import argparse
import os
import subprocess
import sys
import tempfile

ap = argparse.ArgumentParser()
ap.add_argument("--cc", nargs="+", required=True)
ap.add_argument("--cxx", nargs="+")
ap.add_argument("--pkg-config", required=True)
ap.add_argument("-I", dest="includes", action="append", default=[])
args = ap.parse_args()

cflags = subprocess.run([args.pkg_config, "--cflags", "gio-2.0", "gio-unix-2.0", "json-glib-1.0"],
                        check=True, capture_output=True, text=True).stdout.split()
includes = ["-I" + d for d in args.includes] + cflags
strict = ["-pedantic", "-Werror", "-Wall", "-Wextra", "-fsyntax-only"]

USE = r"""
#include <gattperiph.h>

int
main (void)
{
  GpService *service = gp_service_new ("180d", 1, NULL);
  GpCharacteristic *chrc = gp_characteristic_new ("2a37", GP_CHARACTERISTIC_FLAGS_READ, NULL);

  (void) gp_service_add_characteristic (service, chrc, NULL);
  (void) gp_error_get_att_code (NULL, 0);
  return GP_CHECK_VERSION (0, 1, 0) && GP_VERSION_HEX > 0 ? 0 : 1;
}
"""

DEPRECATED = r"""
#include <gattperiph.h>

GP_DEPRECATED_IN_0_1_FOR (gp_test_new)
void gp_test_old (void);
GP_AVAILABLE_IN_0_1
void gp_test_new (void);

int
main (void)
{
  %s ();
  return 0;
}
"""

tmpdir = tempfile.TemporaryDirectory(prefix="gp-headers-")
tmp = tmpdir.name
failures = []


def compile_(name, compiler, source, suffix, flags):
    path = os.path.join(tmp, name + suffix)
    with open(path, "w", encoding="utf-8") as f:
        f.write(source)
    r = subprocess.run(compiler + flags + includes + [path], capture_output=True, text=True)
    return r.returncode == 0, r.stderr


def expect(name, ok, want_ok, output, needle=None):
    if ok != want_ok or (needle is not None and needle not in output):
        failures.append(name)
        print("FAIL: %s (compiled: %s, wanted: %s)\n%s" % (name, ok, want_ok, output))
    else:
        print("ok: %s" % name)


for std in ("c99", "c11"):
    ok, out = compile_("use-" + std, args.cc, USE, ".c", ["-std=" + std] + strict)
    expect("<gattperiph.h> with -std=%s -pedantic -Werror" % std, ok, True, out)
if args.cxx:
    ok, out = compile_("use-cxx", args.cxx, USE.replace("NULL, 0", "NULL, FALSE"), ".cpp",
                       ["-std=c++11"] + strict)
    expect("<gattperiph.h> with C++11 -pedantic -Werror", ok, True, out)

warn = ["-std=c11", "-fsyntax-only", "-Werror=deprecated-declarations"]
old0 = ["-DGP_VERSION_MIN_REQUIRED=G_ENCODE_VERSION(0,0)"]
ok, out = compile_("deprecated", args.cc, DEPRECATED % "gp_test_old", ".c", warn)
expect("deprecated in 0.1 warns by default", ok, False, out, "gp_test_new")
ok, out = compile_("deprecated-min", args.cc, DEPRECATED % "gp_test_old", ".c",
                   warn + ["-DGP_VERSION_MIN_REQUIRED=GP_VERSION_0_1"])
expect("deprecated in 0.1 warns with MIN_REQUIRED 0.1", ok, False, out, "gp_test_new")
ok, out = compile_("deprecated-old", args.cc, DEPRECATED % "gp_test_old", ".c", warn + old0)
expect("deprecated in 0.1 is silent with MIN_REQUIRED 0.0", ok, True, out)
ok, out = compile_("deprecated-off", args.cc, DEPRECATED % "gp_test_old", ".c",
                   warn + ["-DGP_DISABLE_DEPRECATION_WARNINGS"])
expect("GP_DISABLE_DEPRECATION_WARNINGS silences it", ok, True, out)
ok, out = compile_("available", args.cc, DEPRECATED % "gp_test_new", ".c", warn)
expect("available in 0.1 is silent by default", ok, True, out)
ok, out = compile_("unavailable", args.cc, DEPRECATED % "gp_test_new", ".c",
                   warn + old0 + ["-DGP_VERSION_MAX_ALLOWED=G_ENCODE_VERSION(0,0)"])
expect("available in 0.1 warns with MAX_ALLOWED 0.0", ok, False, out, "0.1")
ok, out = compile_("inverted", args.cc, DEPRECATED % "gp_test_new", ".c",
                   warn + ["-DGP_VERSION_MAX_ALLOWED=G_ENCODE_VERSION(0,0)"])
expect("MAX_ALLOWED below MIN_REQUIRED is an error", ok, False, out, "GP_VERSION_MAX_ALLOWED")

sys.exit(1 if failures else 0)
